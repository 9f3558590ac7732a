"""Articles -> machine-translated articles: training data from real offline MT engines.

Three modes, all sentence by sentence:

* **round trip** (``roundtrip_mt``): English -> pivot -> English, the back-translation case,
  e.g. ``bergamot:en-pt>bergamot:pt-en``, or ``--pivot pt --engine bergamot``;
* **chain**: any number of engines, possibly from different families, e.g.
  ``apertium:eng-spa>apertium:spa-eng>bergamot:en-pt>bergamot:pt-en`` (a double round trip);
* **one way** (``mt``): text in the pivot language into English, e.g. ``apertium:spa-eng``.

Each article is split with :func:`mtdetect.segment.segment`; every sentence goes through the
whole chain on its own, and the article is rebuilt around the translations: the text
between sentences (line breaks, paragraph breaks, indentation) is copied as it is, so the
layout of the original survives. Output records are ready for ``mtdetect train``::

    {"id": "<source id>/<system>", "text": "...", "label": "roundtrip_mt",
     "system": "apertium:eng-spa>apertium:spa-eng", "pivot": "es", "mode": "roundtrip",
     "doc_id": "<source doc_id/group, else its id>", "group": "<the source's fold key>",
     "source_id": "...", "source_label": "original", "src_lang": "en",
     "engines": [{"spec": "apertium:eng-spa", "version": "apertium-eng-spa 0.8.1-2"}, ...],
     "sentences": ["<translation of sentence 0>", ...]}

``doc_id``/``group`` are the source article's, so an original and its round trips always
land in the same cross-validation fold. ``pivot`` joins the intermediate languages with
``+`` (``es+pt``); for one-way output it is the source language.

Python API::

    from mtdetect.synth import synthesize
    for rec in synthesize(articles, engines="apertium:eng-spa>apertium:spa-eng"):
        ...

Batch runs (:func:`run_synth`, ``mtdetect synth``) append to one JSONL file and can be
resumed: records already in the file are skipped (a torn last line left by a kill is cut
off), ``jobs`` worker processes translate batches of articles (each loads its engines
once), and an article that fails goes to the errors file while the rest goes on.
Translations are cached per sentence (:mod:`mtdetect.translate.cache`).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from .budget import install_term_handler, restore_term_handler
from .segment import segment
from .translate.base import (
    Engine,
    EngineError,
    EngineUnavailable,
    check_continuity,
    lang2,
    lang3,
    parse_engine,
    split_chain,
)
from .translate.cache import TranslationCache, translate_chain
from .types import Article, InputError

__all__ = [
    "LABEL_ONEWAY",
    "LABEL_ROUNDTRIP",
    "MODES",
    "SynthConfig",
    "SynthError",
    "SynthInterrupted",
    "SynthProgress",
    "SynthSummary",
    "SynthUsageError",
    "System",
    "as_systems",
    "parse_systems",
    "reassemble",
    "run_synth",
    "synthesize",
]

LABEL_ROUNDTRIP = "roundtrip_mt"
LABEL_ONEWAY = "mt"
MODES = ("auto", "roundtrip", "oneway")
#: The language of the articles this project studies: round trips start and end here.
HOME_LANG = "en"


class SynthUsageError(ValueError):
    """Engines, pivots or mode that do not make a translation system."""


class SynthInterrupted(Exception):
    """A batch run was stopped (Ctrl-C or SIGTERM); its output is valid and resumable."""


@dataclass(frozen=True)
class SynthError:
    """One article that could not be translated by one system."""

    source_id: str
    system: str
    reason: str
    input: str | None = None
    line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"source_id": self.source_id, "system": self.system, "input": self.input,
                "line": self.line, "reason": self.reason}

    def describe(self) -> str:
        where = f"{self.source_id} [{self.system}]" if self.system else self.source_id
        return f"{where}: {self.reason}"


# --------------------------------------------------------------------------- systems


@dataclass(frozen=True)
class System:
    """A translation path: engines applied one after the other, and what its output is."""

    engines: tuple[Engine, ...]
    mode: str  # "roundtrip" | "oneway"

    @property
    def name(self) -> str:
        """``apertium:eng-spa>apertium:spa-eng``: the specs joined with ``>``."""
        return ">".join(e.spec for e in self.engines)

    @property
    def label(self) -> str:
        return LABEL_ROUNDTRIP if self.mode == "roundtrip" else LABEL_ONEWAY

    @property
    def source(self) -> str | None:
        return self.engines[0].source

    @property
    def target(self) -> str | None:
        return self.engines[-1].target

    @property
    def pivot(self) -> str | None:
        """Intermediate languages joined with ``+`` (round trip); the source language (one way)."""
        if self.mode == "oneway":
            return self.source
        langs = [e.target for e in self.engines[:-1]]
        if any(lang is None for lang in langs):
            return None
        out = [lang for lang in dict.fromkeys(langs) if lang != self.source]
        return "+".join(out) or None

    def __str__(self) -> str:
        return self.name


def build_system(engines: Sequence[Engine], mode: str = "auto") -> System:
    """Check a chain and decide its mode (``auto``: same first and last language = round trip)."""
    if mode not in MODES:
        raise SynthUsageError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    engines = tuple(engines)
    if not engines:
        raise SynthUsageError("a system needs at least one engine")
    try:
        check_continuity(engines)
    except EngineUnavailable as exc:
        raise SynthUsageError(str(exc)) from exc
    src, tgt = engines[0].source, engines[-1].target
    name = ">".join(e.spec for e in engines)
    if mode == "auto":
        if src and tgt:
            mode = "roundtrip" if src == tgt else "oneway"
        else:
            mode = "roundtrip" if len(engines) > 1 else "oneway"
    if mode == "roundtrip":
        if len(engines) < 2:
            raise SynthUsageError(f"a round trip needs at least two engines (there and back): {name}")
        if src and tgt and src != tgt:
            raise SynthUsageError(f"{name} goes from {src} to {tgt}: not a round trip (use --mode oneway)")
    elif src and tgt and src == tgt:
        raise SynthUsageError(f"{name} goes from {src} back to {tgt}: not one-way (use --mode roundtrip)")
    return System(engines, mode)


def _pair_engine(kind_or_cmd: str, source: str, target: str) -> Engine:
    """The engine of a bare kind (``bergamot``, ``apertium``, ``cmd:"..."``) for one direction."""
    if kind_or_cmd.startswith("cmd:"):
        from .translate.command import CommandEngine

        try:
            return CommandEngine.from_spec(kind_or_cmd[4:], source, target)
        except EngineUnavailable as exc:
            raise SynthUsageError(str(exc)) from exc
    if kind_or_cmd == "apertium":
        return parse_engine(f"apertium:{lang3(source)}-{lang3(target)}")
    return parse_engine(f"{kind_or_cmd}:{source}-{target}")


def _is_bare(spec: str) -> bool:
    """A spec that needs ``--pivot``: a kind without argument, or a command without languages."""
    spec = spec.strip()
    if ":" not in spec:
        return True
    if spec.startswith("cmd:") and len(split_chain(spec)) == 1:
        from .translate.command import _LANGS

        return not _LANGS.fullmatch(spec[4:].strip())
    return False


def parse_systems(specs: Sequence[str], pivots: Sequence[str] = (), mode: str = "auto") -> list[System]:
    """Systems from ``--engine`` values and ``--pivot`` languages.

    A full spec is a chain (``bergamot:en-pt,bergamot:pt-en``). A bare engine (``bergamot``,
    ``apertium``, ``cmd:"prog {src} {tgt}"``) makes, for each pivot, the round trip
    ``en -> pivot -> en`` (``mode="oneway"``: just ``pivot -> en``).
    """
    if mode not in MODES:
        raise SynthUsageError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    if not specs:
        raise SynthUsageError("no engine given; e.g. --engine apertium:eng-spa,apertium:spa-eng or --pivot pt --engine bergamot")
    systems: list[System] = []
    pivots = [lang2(p.strip()) for p in pivots if p.strip()]
    bare = [s for s in specs if _is_bare(s)]
    if bare and not pivots:
        raise SynthUsageError(f"engine {bare[0]!r} needs --pivot (e.g. --pivot es) or a full spec like apertium:eng-spa,apertium:spa-eng")
    if pivots and not bare:
        raise SynthUsageError("--pivot applies to bare engine names (bergamot, apertium, cmd:\"...\"); the given engines are full specs")
    try:
        for spec in specs:
            if _is_bare(spec):
                kind = spec.strip()
                for p in pivots:
                    if mode == "oneway":
                        chain = [_pair_engine(kind, p, HOME_LANG)]
                    else:
                        chain = [_pair_engine(kind, HOME_LANG, p), _pair_engine(kind, p, HOME_LANG)]
                    systems.append(build_system(chain, mode))
            else:
                systems.append(build_system([parse_engine(s) for s in split_chain(spec)], mode))
    except EngineUnavailable as exc:
        raise SynthUsageError(str(exc)) from exc
    names = [s.name for s in systems]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise SynthUsageError(f"system given twice: {sorted(dupes)[0]}")
    return systems


def as_systems(engines: Any, mode: str = "auto") -> list[System]:
    """Normalise the ``engines`` argument of :func:`synthesize`.

    A :class:`System`; a spec string (one chain); an :class:`Engine` (one-way); a sequence
    of Engines (one chain); or a list of any of these (several systems).
    """
    if isinstance(engines, System):
        return [engines]
    if isinstance(engines, str):
        return parse_systems([engines], mode=mode)
    if isinstance(engines, Engine):
        return [build_system([engines], mode)]
    items = list(engines)
    if items and all(isinstance(e, Engine) for e in items):
        return [build_system(items, mode)]
    out: list[System] = []
    for item in items:
        out.extend(as_systems(item, mode))
    return out


def check_systems(systems: Sequence[System]) -> None:
    """Raise :class:`EngineUnavailable` (naming what to install) for any engine that cannot run."""
    seen: set[str] = set()
    for system in systems:
        for engine in system.engines:
            if engine.spec not in seen:
                seen.add(engine.spec)
                engine.check()


# --------------------------------------------------------------------------- one article


@dataclass(frozen=True)
class _Source:
    """What synthesis needs of an input article."""

    id: str
    text: str
    doc_id: str
    group: str | None = None
    label: str | None = None
    input: str | None = None
    corpus: str | None = None


def _to_source(item: Any, n: int) -> _Source:
    """An Article, a LabelledDoc or a dict (``text`` required) as a :class:`_Source`."""
    if isinstance(item, Article):
        meta = item.meta or {}
        explicit = meta.get("group")
        group = str(explicit) if explicit is not None else _group_of(item)
        doc_id = meta.get("doc_id", explicit)
        doc_id = str(doc_id) if doc_id is not None else item.id
        corpus = meta.get("corpus")
        return _Source(item.id, item.text, doc_id, group, item.label, item.path,
                       None if corpus is None else str(corpus))
    if isinstance(item, dict):
        text = item.get("text")
        if not isinstance(text, str):
            raise SynthUsageError(f"record {n}: 'text' must be a string")
        sid = str(item.get("id", n))
        group = item.get("group")
        doc_id = item.get("doc_id")
        doc_id = str(doc_id) if doc_id is not None else (str(group) if group is not None else sid)
        return _Source(sid, text, doc_id, None if group is None else str(group), item.get("label"),
                       corpus=item.get("corpus"))
    if hasattr(item, "text") and hasattr(item, "group") and hasattr(item, "label"):  # LabelledDoc
        return _Source(str(item.id), item.text, str(item.group), str(item.group), item.label,
                       corpus=getattr(item, "corpus", None))
    raise SynthUsageError(f"cannot synthesize from {type(item).__name__}; give Articles, LabelledDocs or dicts")


def _group_of(article: Article) -> str | None:
    """The fold key ``read_labelled`` gives the same record, when it came from a labelled JSONL file."""
    meta = article.meta or {}
    if not article.path or article.path == "-":
        return None
    from .datasets import _group_key

    return _group_key({**meta, "id": article.id}, Path(article.path).stem)


def reassemble(text: str, spans: Sequence[tuple[int, int]], translations: Sequence[str]) -> str:
    """``text`` with each span replaced by its translation; everything between spans kept as is."""
    parts: list[str] = []
    pos = 0
    for (start, end), t in zip(spans, translations, strict=True):
        parts.append(text[pos:start])
        parts.append(t)
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


def _record(src: _Source, system: System, text: str, sentences: list[str]) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "id": f"{src.id}/{system.name}",
        "text": text,
        "label": system.label,
        "system": system.name,
        "pivot": system.pivot,
        "mode": system.mode,
        "doc_id": src.doc_id,
    }
    if src.group is not None:
        rec["group"] = src.group
    rec.update({
        "source_id": src.id,
        "source_label": src.label,
        **({"source_corpus": src.corpus} if src.corpus else {}),
        "src_lang": system.source,
        "engines": [{"spec": e.spec, "version": e.version} for e in system.engines],
        "sentences": sentences,
    })
    return rec


def record_id(source_id: str, system: System | str) -> str:
    """The output id of ``source_id`` translated by ``system``."""
    return f"{source_id}/{system if isinstance(system, str) else system.name}"


def _synthesize_batch(
    items: Sequence[tuple[_Source, Sequence[int]]],
    systems: Sequence[System],
    cache: TranslationCache | None,
) -> tuple[list[dict[str, Any]], list[SynthError]]:
    """Translate a batch of articles, each by the systems listed with it.

    All sentences of the batch go to an engine together (one Apertium call, not one per
    article). If that fails, each article is retried alone so one bad article fails alone.
    EngineUnavailable (a setup problem, not an article's) propagates.
    """
    memo: dict[tuple[str, str], str] = {}
    segmented: dict[int, tuple[list[tuple[int, int]], list[str]]] = {}
    errors: list[SynthError] = []
    for i, (src, wanted) in enumerate(items):
        doc = segment(src.text)
        if not doc.sentences:
            errors.extend(SynthError(src.id, systems[k].name, "no sentences to translate", src.input) for k in wanted)
            continue
        segmented[i] = ([(s.start, s.end) for s in doc.sentences], [s.text for s in doc.sentences])
    results: dict[tuple[int, int], list[str]] = {}
    for k, system in enumerate(systems):
        members = [i for i, (_, wanted) in enumerate(items) if k in wanted and i in segmented]
        if not members:
            continue
        flat = [s for i in members for s in segmented[i][1]]
        try:
            out = translate_chain(system.engines, flat, cache, memo)
        except EngineUnavailable:
            raise
        except EngineError:
            out = None
        if out is not None:
            pos = 0
            for i in members:
                n = len(segmented[i][1])
                results[(i, k)] = out[pos : pos + n]
                pos += n
            continue
        for i in members:  # isolate the article(s) that fail
            try:
                results[(i, k)] = translate_chain(system.engines, segmented[i][1], cache, memo)
            except EngineUnavailable:
                raise
            except EngineError as exc:
                errors.append(SynthError(items[i][0].id, system.name, str(exc), items[i][0].input))
    records = []
    for i, (src, wanted) in enumerate(items):
        for k in wanted:
            if (i, k) in results:
                spans = segmented[i][0]
                translations = results[(i, k)]
                records.append(_record(src, systems[k], reassemble(src.text, spans, translations), translations))
    return records, errors


def synthesize(
    articles: Iterable[Any],
    engines: Any,
    mode: str = "auto",
    *,
    cache: TranslationCache | bool | None = True,
    batch_size: int = 16,
    on_error: Callable[[SynthError], None] | None = None,
) -> Iterator[dict[str, Any]]:
    """Yield one machine-translated record per article and system (see the module docstring).

    ``articles``: :class:`~mtdetect.types.Article` objects (e.g. from
    :func:`mtdetect.io.read_articles`; InputErrors are reported through ``on_error``),
    :class:`~mtdetect.datasets.LabelledDoc` objects, or dicts with ``text`` (and ``id``,
    ``doc_id``, ``group``, ``label``). ``engines``: a chain spec such as
    ``"bergamot:en-pt>bergamot:pt-en"``, a list of specs (several systems), Engine objects,
    or :class:`System` objects. ``mode``: ``auto``, ``roundtrip`` or ``oneway``.
    ``cache``: True for the default on-disk cache, a :class:`TranslationCache`, or
    False/None. An article that fails is passed to ``on_error`` (without it, raises
    :class:`EngineError`); a missing engine raises :class:`EngineUnavailable` at once.

    >>> recs = synthesize([{"id": "a1", "text": "Hello world."}], "apertium:eng-spa,apertium:spa-eng")  # doctest: +SKIP
    """
    systems = as_systems(engines, mode)
    check_systems(systems)
    store = _open_cache(cache)
    everything = tuple(range(len(systems)))
    batch: list[tuple[_Source, Sequence[int]]] = []

    def flush() -> Iterator[dict[str, Any]]:
        records, errors = _synthesize_batch(batch, systems, store)
        for err in errors:
            if on_error is None:
                raise EngineError(err.describe())
            on_error(err)
        yield from records

    for n, item in enumerate(articles):
        if isinstance(item, InputError):
            err = SynthError(item.id or item.input, "", item.reason, item.input, item.line)
            if on_error is None:
                raise SynthUsageError(err.describe())
            on_error(err)
            continue
        batch.append((_to_source(item, n), everything))
        if len(batch) >= batch_size:
            yield from flush()
            batch = []
    if batch:
        yield from flush()


def _open_cache(cache: TranslationCache | bool | None, cache_dir: Path | None = None) -> TranslationCache | None:
    if isinstance(cache, TranslationCache):
        return cache
    if not cache:
        return None
    from .translate.cache import CACHE_FILE

    return TranslationCache(cache_dir / CACHE_FILE if cache_dir else None)


# --------------------------------------------------------------------------- batch runs


@dataclass(frozen=True)
class SynthConfig:
    """How to run one batch synthesis into a JSONL file."""

    out: Path
    #: Failed articles, one JSON line each; rewritten every run. Default: ``<out stem>.errors.jsonl``.
    errors: Path | None = None
    jobs: int = 1
    #: Articles per task (all their sentences go to each engine in one call).
    batch_size: int = 16
    #: Start the output afresh instead of resuming it.
    overwrite: bool = False
    cache: bool = True
    cache_dir: Path | None = None

    def __post_init__(self) -> None:
        if self.jobs < 1:
            raise SynthUsageError(f"jobs must be at least 1, got {self.jobs}")
        if self.batch_size < 1:
            raise SynthUsageError(f"batch_size must be at least 1, got {self.batch_size}")

    @property
    def errors_path(self) -> Path:
        if self.errors is not None:
            return self.errors
        return self.out.with_name(f"{self.out.name.removesuffix('.jsonl')}.errors.jsonl")


@dataclass
class SynthSummary:
    """What one :func:`run_synth` call did."""

    written: int = 0
    skipped_done: int = 0
    failed: int = 0
    input_errors: int = 0
    duplicates: int = 0
    dropped_lines: int = 0
    articles: int = 0
    sentences: int = 0
    seconds: float = 0.0
    engines: dict[str, dict[str, Any]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["engines"] = {
            spec: {**s, "sentences_per_second": round(s["sentences"] / s["seconds"], 1) if s["seconds"] else None}
            for spec, s in self.engines.items()
        }
        return d


def repair_output(path: Path) -> tuple[set[str], int]:
    """Ids already in ``path``, after cutting a torn last line and dropping unparseable lines."""
    if not path.exists():
        return set(), 0
    data = path.read_bytes()
    keep: list[bytes] = []
    ids: set[str] = set()
    dropped = 0
    lines = data.split(b"\n")
    torn = lines.pop()  # after the last newline: empty, or a line cut short by a kill
    dropped += bool(torn.strip())
    for line in lines:
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except ValueError:
            rec = None
        if not isinstance(rec, dict) or "id" not in rec:
            dropped += 1
            continue
        ids.add(str(rec["id"]))
        keep.append(line)
    if dropped:
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(b"".join(line + b"\n" for line in keep))
        os.replace(tmp, path)
    return ids, dropped


class _Appender:
    """Appends JSON lines; each batch is one write, then flush and fsync. The file is
    created on the first write (a run without errors leaves no errors file)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh: TextIO | None = None

    def write(self, records: Iterable[dict[str, Any]]) -> None:
        payload = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
        if payload:
            if self._fh is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._fh = self.path.open("a", encoding="utf-8", newline="\n")
            self._fh.write(payload)
            self._fh.flush()
            os.fsync(self._fh.fileno())

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()


# Worker-process state: the systems (engines load lazily, once per process) and the cache.
_WORKER: dict[str, Any] = {}


def _worker_init(systems: Sequence[System], cache: TranslationCache | None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    _WORKER["systems"], _WORKER["cache"] = systems, cache


def _engine_snapshot(systems: Sequence[System]) -> dict[str, tuple[int, int, float, int]]:
    snap = {}
    for system in systems:
        for e in system.engines:
            s = e.stats
            snap[e.spec] = (s.calls, s.sentences, s.seconds, s.fallbacks)
    return snap


def _run_batch(items, systems, cache):
    """One task: records, errors, and what each engine did for it (for throughput figures)."""
    before = _engine_snapshot(systems)
    records, errors = _synthesize_batch(items, systems, cache)
    after = _engine_snapshot(systems)
    delta = {spec: tuple(a - b for a, b in zip(after[spec], before[spec])) for spec in after}
    return records, errors, delta


def _worker_run(items):
    return _run_batch(items, _WORKER["systems"], _WORKER["cache"])


def run_synth(
    items: Iterable[Any],
    systems: Sequence[System],
    config: SynthConfig,
    *,
    progress: "SynthProgress | None" = None,
    on_error: Callable[[SynthError], None] | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> SynthSummary:
    """Translate ``items`` by every system into ``config.out``, resuming what is there.

    Raises :class:`EngineUnavailable` before any work when an engine is missing and
    :class:`SynthInterrupted` on Ctrl-C/SIGTERM (the output stays valid: run again to finish).
    """
    warn = on_warning or (lambda msg: None)
    check_systems(systems)
    summary = SynthSummary()
    started = time.perf_counter()
    out, errors_path = config.out, config.errors_path
    if config.overwrite:
        out.unlink(missing_ok=True)
    done, summary.dropped_lines = repair_output(out)
    if summary.dropped_lines:
        warn(f"{out}: dropped {summary.dropped_lines} incomplete line(s) left by an interrupted run")
    cache = _open_cache(config.cache, config.cache_dir)
    items = list(items) if not isinstance(items, Sequence) else items
    if progress:
        progress.set_total(len(items))

    records_out = _Appender(out)
    errors_path.unlink(missing_ok=True)  # failed articles are retried, so their old lines go
    errors_out = _Appender(errors_path)

    def report(errs: list[SynthError]) -> None:
        errors_out.write(e.to_dict() for e in errs)
        for e in errs:
            if on_error:
                on_error(e)

    def collect(result) -> None:
        records, errs, delta = result
        records_out.write(records)
        summary.written += len(records)
        summary.failed += len(errs)
        report(errs)
        for spec, (calls, sents, secs, fb) in delta.items():
            acc = summary.engines.setdefault(spec, {"calls": 0, "sentences": 0, "seconds": 0.0, "fallbacks": 0})
            acc["calls"] += calls
            acc["sentences"] += sents
            acc["seconds"] = round(acc["seconds"] + secs, 3)
            acc["fallbacks"] += fb

    pool = None
    if config.jobs > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        pool = ProcessPoolExecutor(max_workers=config.jobs, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_worker_init, initargs=(tuple(systems), cache))
    pending: list = []
    seen: set[str] = set()
    previous_term = install_term_handler()
    interrupted = False
    try:
        batch: list[tuple[_Source, tuple[int, ...]]] = []

        def submit() -> None:
            nonlocal batch
            if not batch:
                return
            n_articles = len(batch)
            if pool is None:
                collect(_run_batch(batch, systems, cache))
                if progress:
                    progress.advance(n_articles)
            else:
                pending.append((pool.submit(_worker_run, batch), n_articles))
                while len(pending) > 2 * config.jobs:
                    fut, n = pending.pop(0)
                    collect(fut.result())
                    if progress:
                        progress.advance(n)
            batch = []

        for n, item in enumerate(items):
            if isinstance(item, InputError):
                summary.input_errors += 1
                report([SynthError(item.id or item.input, "", item.reason, item.input, item.line)])
                if progress:
                    progress.advance(1)
                continue
            src = _to_source(item, n)
            if src.id in seen:
                summary.duplicates += 1
                warn(f"duplicate article id {src.id!r}: translated once")
                if progress:
                    progress.advance(1)
                continue
            seen.add(src.id)
            summary.articles += 1
            wanted = tuple(k for k, s in enumerate(systems) if record_id(src.id, s) not in done)
            summary.skipped_done += len(systems) - len(wanted)
            if not wanted:
                if progress:
                    progress.advance(1)
                continue
            summary.sentences += len(segment(src.text).sentences) * len(wanted)
            batch.append((src, wanted))
            if len(batch) >= config.batch_size:
                submit()
        submit()
        while pending:
            fut, n = pending.pop(0)
            collect(fut.result())
            if progress:
                progress.advance(n)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        restore_term_handler(previous_term)
        if pool is not None:
            pool.shutdown(wait=not interrupted, cancel_futures=interrupted)
        records_out.close()
        errors_out.close()
    summary.seconds = round(time.perf_counter() - started, 2)
    if interrupted:
        raise SynthInterrupted(f"interrupted; {summary.written} records written this run; run the same command again to finish")
    return summary


class SynthProgress:
    """A rich progress bar over articles, with sentences/s; silent when stderr is not a terminal."""

    def __init__(self, enabled: bool | None = None, stream: TextIO | None = None, label: str = "translating") -> None:
        stream = stream or sys.stderr
        self.enabled = stream.isatty() if enabled is None else enabled
        self._progress = None
        self._task = None
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

            self._label = label
            self._progress = Progress(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("articles"),
                TimeElapsedColumn(), TimeRemainingColumn(), console=Console(file=stream), transient=False,
            )

    def __enter__(self) -> "SynthProgress":
        if self._progress is not None:
            self._progress.start()
            self._task = self._progress.add_task(self._label, total=None)
        return self

    def __exit__(self, *exc) -> None:
        if self._progress is not None:
            self._progress.stop()

    def set_total(self, n: int) -> None:
        if self._progress is not None:
            self._progress.update(self._task, total=n)

    def advance(self, n: int) -> None:
        if self._progress is not None:
            self._progress.advance(self._task, n)


# --------------------------------------------------------------------------- command line


EXIT_OK, EXIT_USAGE, EXIT_INPUT_FAILED, EXIT_INTERRUPTED = 0, 2, 3, 130


def main(
    inputs: Sequence[str],
    *,
    out: Path,
    engines: Sequence[str],
    pivots: Sequence[str] = (),
    mode: str = "auto",
    jobs: int = 1,
    batch_size: int = 16,
    errors: Path | None = None,
    overwrite: bool = False,
    cache: bool = True,
    cache_dir: Path | None = None,
    read_options: Any = None,
    timeout: float | None = None,
    quiet: bool = False,
    stderr: TextIO | None = None,
) -> int:
    """``mtdetect synth``: run, print a summary on stderr, return the exit code.

    ``timeout``: seconds allowed for one call of a subprocess engine (Apertium, ``cmd:``);
    None keeps the engines' defaults.
    """
    err = stderr or sys.stderr

    def say(msg: str) -> None:
        print(msg, file=err, flush=True)

    try:
        systems = parse_systems(engines, pivots, mode)
        for system in systems:
            for engine in system.engines:
                if timeout is not None and hasattr(engine, "timeout"):
                    engine.timeout = timeout or None
        config = SynthConfig(out=Path(out), errors=errors, jobs=jobs, batch_size=batch_size,
                             overwrite=overwrite, cache=cache, cache_dir=cache_dir)
        check_systems(systems)
    except (SynthUsageError, EngineUnavailable) as exc:
        say(f"error: {exc}")
        return EXIT_USAGE
    from .io import read_articles

    items = list(read_articles(list(inputs), read_options))
    if not items:
        say("error: no input articles found")
        return EXIT_INPUT_FAILED
    n_shown = 0

    def on_error(e: SynthError) -> None:
        nonlocal n_shown
        n_shown += 1
        if n_shown <= 20 and not quiet:
            say(f"error: {e.describe()}")
        elif n_shown == 21 and not quiet:
            say(f"error: more errors follow; see {config.errors_path}")

    def on_warning(msg: str) -> None:
        if not quiet:
            say(f"warning: {msg}")

    if not quiet:
        say(f"{len(items)} articles x {len(systems)} system(s): " + "; ".join(f"{s.name} ({s.label}, pivot {s.pivot})" for s in systems))
    try:
        with SynthProgress(enabled=False if quiet else None, stream=err) as progress:
            summary = run_synth(items, systems, config, progress=progress, on_error=on_error, on_warning=on_warning)
    except EngineUnavailable as exc:
        say(f"error: {exc}")
        return EXIT_USAGE
    except SynthInterrupted as exc:
        say(str(exc))
        return EXIT_INTERRUPTED
    rates = "; ".join(
        f"{spec} {d['sentences_per_second']} sentences/s" for spec, d in summary.as_dict()["engines"].items()
        if d["sentences"]
    )
    say(
        f"wrote {summary.written} records to {config.out} ({summary.skipped_done} already there); "
        f"{summary.failed + summary.input_errors} failed"
        + (f" (see {config.errors_path})" if summary.failed + summary.input_errors else "")
        + f"; {summary.seconds:.1f} s" + (f"; {rates}" if rates else "")
    )
    if summary.failed or summary.input_errors:
        return EXIT_INPUT_FAILED
    return EXIT_OK
