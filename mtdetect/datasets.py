"""Labelled data: reading training/evaluation JSONL and the shared-corpus manifest.

A labelled record needs ``text`` and ``label``. Labels map to the binary target
"produced by a machine-translation system": ``mt``/``roundtrip_mt``/``machine_translated``
are positive; ``original``/``human_translation``/``human`` are negative.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

POSITIVE_LABELS = frozenset({"mt", "roundtrip_mt", "machine_translated", "machine_translation"})
NEGATIVE_LABELS = frozenset({"original", "human_translation", "human"})
KNOWN_LABELS = POSITIVE_LABELS | NEGATIVE_LABELS


class DataError(ValueError):
    """A labelled data file is unusable."""


@dataclass(frozen=True, slots=True)
class LabelledDoc:
    """One labelled article."""

    id: str
    text: str
    label: str
    group: str
    corpus: str
    system: str | None = None
    src_lang: str | None = None
    sentences: tuple[str, ...] | None = None
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def y(self) -> int:
        """1 for machine-translated, 0 for human-written."""
        return int(self.label in POSITIVE_LABELS)


def is_synthetic(doc: LabelledDoc, families: Iterable[str] | None = None) -> bool:
    """Made by ``mtdetect synth``: its system is an engine chain of ``family:spec`` parts
    (``bergamot:en-pt>bergamot:pt-en``). With ``families``, only output of those engine
    families counts (``{"bergamot"}``)."""
    system = doc.system or ""
    if families is None:
        return ":" in system
    return any(f"{family}:" in system for family in families)


def spread_over_systems(docs: Iterable[LabelledDoc], pool: Sequence[str], per_source: int) -> list[LabelledDoc]:
    """Each source document's versions from ``per_source`` of the ``pool`` systems only.

    ``pool`` names systems (``LabelledDoc.system``, e.g. ``apertium:eng-spa>apertium:spa-eng``);
    documents of other systems, and human-written ones, are all kept. Which systems a source
    keeps is fixed by a hash of its group, so the choice is the same on every run and on every
    machine, and every combination of ``per_source`` systems is used about equally often: the
    synthetic data covers more pivots without growing. The choice also depends on the order of
    ``pool`` (``scripts/train.py`` passes the systems in the order of their file names).
    """
    if not 1 <= per_source <= len(pool):
        raise ValueError(f"per_source must be between 1 and {len(pool)}, not {per_source}")
    combos = list(itertools.combinations(pool, per_source))
    kept = []
    for doc in docs:
        if doc.system in pool:
            digest = int.from_bytes(hashlib.sha1(doc.group.encode("utf-8")).digest()[:8], "big")
            if doc.system not in combos[digest % len(combos)]:
                continue
        kept.append(doc)
    return kept


def stratified_sample(docs: Sequence[LabelledDoc], n: int | None, rng, allowed: Callable[[LabelledDoc], bool] | None = None) -> np.ndarray:
    """Sorted indices of about ``n`` of ``docs`` (those ``allowed``), each label keeping its share
    (at least one of each); all of them when ``n`` is None or there are no more than ``n``."""
    idx = np.array([i for i, d in enumerate(docs) if allowed is None or allowed(d)], dtype=int)
    if n is None or len(idx) <= n:
        return idx
    labels = np.array([docs[i].label for i in idx])
    picks = []
    for lab in sorted(set(labels.tolist())):
        members = idx[labels == lab]
        k = max(1, round(n * len(members) / len(idx)))
        picks.append(rng.choice(members, size=min(k, len(members)), replace=False))
    return np.sort(np.concatenate(picks))


def _group_key(rec: dict, corpus: str) -> str:
    """Source-document key: all versions (original, MT, human translation) of one text share it.

    A record's own ``group`` wins (``mtdetect synth`` writes its source's group there)."""
    if isinstance(rec.get("group"), str) and rec["group"]:
        return rec["group"]
    doc_id = rec.get("doc_id")
    if doc_id is None:
        return f"{corpus}:{rec.get('id')}"
    if "testset" in rec:  # WMT: one source document per (testset, source language, doc_id)
        src = rec.get("src_lang") or "en"
        return f"{rec['testset']}:{src}:{doc_id}"
    return f"{corpus}:{rec.get('year')}:{rec.get('src_lang')}:{doc_id}"


def read_labelled(paths: Iterable[str | os.PathLike], *, strict_labels: bool = True) -> Iterator[LabelledDoc]:
    """Stream labelled documents from JSONL files (``text`` and ``label`` required)."""
    for p in paths:
        path = Path(p)
        corpus = path.stem
        try:
            fh = path.open(encoding="utf-8")
        except OSError as exc:
            raise DataError(f"{path}: cannot open ({exc.strerror})") from exc
        with fh:
            for lineno, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise DataError(f"{path}:{lineno}: invalid JSON ({exc.msg})") from exc
                if not isinstance(rec, dict):
                    raise DataError(f"{path}:{lineno}: expected a JSON object")
                text, label = rec.get("text"), rec.get("label")
                if not isinstance(text, str) or not text.strip():
                    raise DataError(f"{path}:{lineno}: missing or empty 'text'")
                if label not in KNOWN_LABELS:
                    if strict_labels:
                        raise DataError(
                            f"{path}:{lineno}: unknown label {label!r}; use one of {sorted(KNOWN_LABELS)}"
                        )
                    continue
                sents = rec.get("sentences")
                yield LabelledDoc(
                    id=str(rec.get("id", f"{path}:{lineno}")),
                    text=text,
                    label=label,
                    group=_group_key(rec, corpus),
                    corpus=corpus.split(".")[0].split("_")[0],
                    system=rec.get("system"),
                    src_lang=rec.get("src_lang"),
                    sentences=tuple(sents) if isinstance(sents, list) else None,
                    extra={k: rec[k] for k in ("year", "testset", "lp", "translator") if k in rec},
                )


def manifest_hash(paths: Iterable[str | os.PathLike]) -> str:
    """SHA-256 over the bytes of the data files (in the given order)."""
    h = hashlib.sha256()
    for p in paths:
        h.update(Path(p).name.encode())
        with open(p, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()


def shared_data_dir() -> Path:
    """``$MTDETECT_SHARED_DATA`` or ``../shared/data`` relative to the project root."""
    env = os.environ.get("MTDETECT_SHARED_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "shared" / "data"


def has_shared_data(root: Path | None = None) -> bool:
    """Whether ``root`` (default :func:`shared_data_dir`) holds the shared corpora."""
    return ((root or shared_data_dir()) / "wmt" / "wmt21.jsonl").exists()


def _is_roundtrip_dev(doc: LabelledDoc) -> bool:
    """HTMT's English-original WMT18 documents (original + round trips)."""
    return doc.corpus == "htmt" and doc.extra.get("year") == 2018 and doc.src_lang == "en"


def shipped_splits(root: Path | None = None) -> dict[str, list[LabelledDoc]]:
    """The shipped model's data, split by source document and by year.

    train = WMT21 + HTMT train (WMT08-17 German-original, WMT09-17 English-original);
    dev = WMT22 (news) + HTMT dev (WMT18 German-original) + HTMT's WMT18 English-original
    documents with their round trips (HTMT has no upstream dev split for round trips).
    No source document occurs in both splits: they come from different test-set years.
    """
    root = root or shared_data_dir()
    wmt, htmt = root / "wmt", root / "htmt"
    train: list[LabelledDoc] = []
    dev: list[LabelledDoc] = []
    for doc in read_labelled([wmt / "wmt21.jsonl", htmt / "htmt_train_documents.jsonl"]):
        (dev if _is_roundtrip_dev(doc) else train).append(doc)
    dev.extend(read_labelled([wmt / "wmt22.jsonl", htmt / "htmt_dev_documents.jsonl"]))
    return {"train": train, "dev": dev}


def holdout_split(docs: list[LabelledDoc], fraction: float, seed: int = 13) -> tuple[list[LabelledDoc], list[LabelledDoc]]:
    """Split by source document (``group``): every version of a text lands on one side."""
    import random

    groups = sorted({d.group for d in docs})
    random.Random(seed).shuffle(groups)
    n_dev = max(1, round(len(groups) * fraction)) if len(groups) > 1 else 0
    dev_groups = set(groups[:n_dev])
    return [d for d in docs if d.group not in dev_groups], [d for d in docs if d.group in dev_groups]


def excerpt(doc: LabelledDoc, start: int, n_sentences: int, suffix: str) -> LabelledDoc | None:
    """A labelled excerpt of ``doc``: sentences ``start .. start + n_sentences - 1``.

    The excerpt is a slice of the original text (spacing kept) with the same label and
    source-document group, so it never crosses a split. None when the document is too short.
    """
    from .segment import segment

    sents = segment(doc.text).sentences
    if start < 0 or start + n_sentences > len(sents):
        return None
    text = doc.text[sents[start].start : sents[start + n_sentences - 1].end]
    return LabelledDoc(
        id=f"{doc.id}#{suffix}", text=text, label=doc.label, group=doc.group, corpus=doc.corpus,
        system=doc.system, src_lang=doc.src_lang, extra={**doc.extra, "excerpt_of": doc.id},
    )


def lead_excerpts(docs: Iterable[LabelledDoc], n_sentences: int) -> list[LabelledDoc]:
    """The first ``n_sentences`` of every document long enough (a short news item, a feed summary)."""
    out = (excerpt(d, 0, n_sentences, f"lead{n_sentences}") for d in docs)
    return [e for e in out if e is not None]


def random_excerpts(docs: Iterable[LabelledDoc], sizes: tuple[int, ...], min_sentences: int, seed: int = 0) -> list[LabelledDoc]:
    """One excerpt of a random size from ``sizes`` at a random place, per document with at least
    ``min_sentences`` sentences (training augmentation for short texts)."""
    import random

    from .segment import segment

    rng = random.Random(seed)
    out = []
    for d in docs:
        n = len(segment(d.text).sentences)
        if n < min_sentences:
            continue
        size = rng.choice([s for s in sizes if s < n] or [n - 1])
        e = excerpt(d, rng.randrange(0, n - size + 1), size, f"x{size}")
        if e is not None:
            out.append(e)
    return out
