"""A sentence cache for translations, shared by processes: one SQLite file.

The key is a hash of (engine spec, engine version, sentence), so a new package or model
version never reuses old output, and the same sentence met in another article, another run
or another chain (``apertium:eng-spa>apertium:spa-eng`` and the double round trip that
starts with it) is translated once. The file is ``$MTDETECT_CACHE/translations.sqlite``
(default ``~/.cache/mtdetect``); WAL journaling and a busy timeout let several worker
processes read and write it at once. A connection is opened lazily, per process.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path

from .base import Engine

CACHE_FILE = "translations.sqlite"
_CHUNK = 400  # SQLite's default limit on host parameters is 999


def default_cache_dir() -> Path:
    """``$MTDETECT_CACHE`` or ``~/.cache/mtdetect``."""
    return Path(os.environ.get("MTDETECT_CACHE") or Path.home() / ".cache" / "mtdetect")


def translation_key(spec: str, version: str, sentence: str) -> bytes:
    """16 bytes of BLAKE2b over the engine spec, its version and the sentence."""
    h = hashlib.blake2b(digest_size=16)
    for part in (spec, version, sentence):
        data = part.encode("utf-8", "surrogatepass")
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.digest()


class TranslationCache:
    """Translations on disk, keyed by :func:`translation_key`; safe across processes."""

    def __init__(self, path: str | os.PathLike | None = None, table: str = "translation") -> None:
        self.path = Path(path) if path is not None else default_cache_dir() / CACHE_FILE
        if not table.isidentifier():
            raise ValueError(f"not a table name: {table!r}")
        # the same mechanism keeps other per-key results shared by processes (mtdetect.lm's
        # hidden states, as bytes, in their own file and table)
        self.table = table
        self._conn: sqlite3.Connection | None = None
        self._pid = -1
        self.hits = 0
        self.misses = 0

    def _db(self) -> sqlite3.Connection:
        if self._conn is None or self._pid != os.getpid():  # a forked child needs its own
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=120, check_same_thread=False)
            conn.execute("PRAGMA busy_timeout = 120000")
            _retry(lambda: conn.execute("PRAGMA journal_mode = WAL"))
            _retry(lambda: conn.execute(f"CREATE TABLE IF NOT EXISTS {self.table} (k BLOB PRIMARY KEY, v TEXT NOT NULL)"))
            conn.commit()
            self._conn, self._pid = conn, os.getpid()
        return self._conn

    def get_many(self, keys: Sequence[bytes]) -> dict[bytes, str]:
        """The cached translations among ``keys``."""
        found: dict[bytes, str] = {}
        uniq = list(dict.fromkeys(keys))
        db = self._db()
        for i in range(0, len(uniq), _CHUNK):
            chunk = uniq[i : i + _CHUNK]
            rows = _retry(lambda: db.execute(
                f"SELECT k, v FROM {self.table} WHERE k IN (%s)" % ",".join("?" * len(chunk)), chunk).fetchall())
            found.update(rows)
        self.hits += len(found)
        self.misses += len(uniq) - len(found)
        return found

    def put_many(self, items: Sequence[tuple[bytes, str]]) -> None:
        """Store translations (one transaction)."""
        if not items:
            return
        db = self._db()

        def write() -> None:
            with db:
                db.executemany(f"INSERT OR REPLACE INTO {self.table} (k, v) VALUES (?, ?)", items)

        _retry(write)

    def __len__(self) -> int:
        return self._db().execute(f"SELECT COUNT(*) FROM {self.table}").fetchone()[0]

    def close(self) -> None:
        if self._conn is not None and self._pid == os.getpid():
            self._conn.close()
        self._conn = None

    def __getstate__(self) -> dict:
        return {"path": self.path, "table": self.table, "_conn": None, "_pid": -1, "hits": 0, "misses": 0}


def _retry(fn, attempts: int = 5):
    """SQLite's busy timeout covers most contention; "database is locked" can still escape it."""
    for i in range(attempts):
        try:
            return fn()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc) or i == attempts - 1:
                raise
            time.sleep(0.2 * (i + 1))


def translate_cached(
    engine: Engine,
    sentences: Sequence[str],
    cache: TranslationCache | None = None,
    memo: dict[tuple[str, str], str] | None = None,
) -> list[str]:
    """``engine.translate_batch`` through the cache (and an in-memory ``memo``, if given).

    Each sentence is translated at most once; translations are stored one engine batch at a
    time, so work survives a failure later in the list.
    """
    spec = engine.spec
    out: dict[str, str] = {}
    todo = [s for s in dict.fromkeys(sentences)]
    if memo is not None:
        for s in todo:
            if (spec, s) in memo:
                out[s] = memo[(spec, s)]
        todo = [s for s in todo if s not in out]
    keys: dict[str, bytes] = {}
    if cache is not None and todo:
        version = engine.version
        keys = {s: translation_key(spec, version, s) for s in todo}
        found = cache.get_many(list(keys.values()))
        for s in todo:
            if keys[s] in found:
                out[s] = found[keys[s]]
        todo = [s for s in todo if s not in out]
    step = max(1, engine.batch_size)
    for i in range(0, len(todo), step):
        chunk = todo[i : i + step]
        translated = engine.translate_batch(chunk)
        out.update(zip(chunk, translated))
        if cache is not None:
            cache.put_many([(keys[s], t) for s, t in zip(chunk, translated)])
    if memo is not None:
        for s, t in out.items():
            memo[(spec, s)] = t
    return [out[s] for s in sentences]


def translate_chain(
    engines: Sequence[Engine],
    sentences: Sequence[str],
    cache: TranslationCache | None = None,
    memo: dict[tuple[str, str], str] | None = None,
) -> list[str]:
    """Sentences through each engine in turn (a round trip is a chain of two)."""
    current = list(sentences)
    for engine in engines:
        current = translate_cached(engine, current, cache, memo)
    return current
