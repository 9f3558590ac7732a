"""Two versions of a story: alignment, features, relation, direction, differences.

A *version* is an article as ``articles.jsonl`` stores it (``mtdetect score --format jsonl``):
its sentences with offsets into the article text, ``p_mt`` and findings. Everything here
works on those records, so lineage can be computed after scoring, from the audit's output.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

import numpy as np

from .align import AlignedPair, align, reorder_share, similarity_matrix
from .diff import FINDING_KINDS, Difference, Segment, differences
from .patch import RECOGNIZER
from .text import name_tokens, tokens


@dataclass(frozen=True)
class Version:
    """One article as lineage sees it (built from an ``articles.jsonl`` record)."""

    id: str
    sentences: tuple[dict[str, Any], ...]
    p_mt: float | None = None
    published: str | None = None
    title: str | None = None
    source: str | None = None
    verdict: str | None = None

    @classmethod
    def from_record(cls, rec: dict[str, Any]) -> "Version":
        """The record as the detector scored it: evidence an earlier lineage run added to a
        copy (``lineage`` findings, the combined ``p_mt``; see :mod:`.patch`) is left out, so
        lineage never feeds on its own output."""
        sents = tuple(
            {"index": int(s.get("index", i)), "start": int(s.get("start") or 0), "end": int(s.get("end") or 0),
             "text": str(s.get("text") or ""), "p_mt": s.get("p_mt_text", s.get("p_mt")),
             "findings": [f for f in s.get("findings") or () if f.get("recognizer") != RECOGNIZER]}
            for i, s in enumerate(rec.get("sentences") or ())
        )
        p = rec.get("p_mt_text", rec.get("p_mt"))
        return cls(id=str(rec.get("id")), sentences=sents, p_mt=None if p is None else float(p),
                   published=rec.get("published") or None, title=rec.get("title"),
                   source=rec.get("source"), verdict=rec.get("verdict_text", rec.get("verdict")))

    @property
    def texts(self) -> list[str]:
        return [s["text"] for s in self.sentences]

    @property
    def findings(self) -> list[dict[str, Any]]:
        return [f for s in self.sentences for f in s["findings"]]

    @property
    def findings_rate(self) -> float:
        """Findings per sentence (the detector's MT traces)."""
        return len(self.findings) / max(1, len(self.sentences))

    def segment(self, indices: Sequence[int]) -> Segment:
        return Segment(tuple(self.sentences[i]["text"] for i in indices),
                       tuple(self.sentences[i]["start"] for i in indices))


@dataclass
class Comparison:
    """The alignment of ``copy`` against ``source`` and what it shows."""

    source: Version
    copy: Version
    pairs: list[AlignedPair]
    features: dict[str, float]
    differences: list[tuple[int, Difference]] = field(default_factory=list)  # (pair index, difference)

    @property
    def aligned_copy(self) -> int:
        return sum(len(p.copy) for p in self.pairs)

    @property
    def aligned_source(self) -> int:
        return sum(len(p.source) for p in self.pairs)

    @property
    def mean_similarity(self) -> float:
        return self.features.get("mean_sim", 0.0)

    def is_link(self) -> bool:
        """Enough of the two texts aligns to call them versions of one text."""
        return is_link(self.features)

    def reversed(self) -> "Comparison":
        """The same comparison seen from the other side (differences are recomputed)."""
        pairs = [AlignedPair(p.copy, p.source, p.similarity) for p in self.pairs]
        comp = Comparison(self.copy, self.source, pairs, _features(self.copy, self.source, pairs, None), [])
        comp.differences = _all_differences(comp)
        return comp


#: A link needs at least this many aligned sentences (fewer when an article is that short),
MIN_ALIGNED = 2
#: this share of one version aligned,
MIN_SHARE = 0.5
#: and this mean similarity over its aligned pairs. On 450 real round trips of train-split
#: originals (Apertium spa/cat, Bergamot pt) the lowest mean similarity was 0.59 and the
#: lowest aligned share 0.73; articles that only share names and places score below 0.5.
MIN_MEAN_SIM = 0.5


def is_link(features: dict[str, float]) -> bool:
    """The gate between "versions of one text" and "two texts on a topic"."""
    need = min(MIN_ALIGNED, int(features["n_min"]))
    return (features["aligned"] >= max(1, need) and features["share_max"] >= MIN_SHARE
            and features["mean_sim"] >= MIN_MEAN_SIM)


def compare_versions(source: Version, copy: Version, *, source_vecs: np.ndarray | None = None,
                     copy_vecs: np.ndarray | None = None, with_differences: bool = True) -> Comparison:
    """Align ``copy`` against ``source`` and compute the relation features (and differences)."""
    sim = similarity_matrix(source.texts, copy.texts, source_vecs, copy_vecs)
    pairs = align(source.texts, copy.texts, sim=sim)
    comp = Comparison(source, copy, pairs, _features(source, copy, pairs, sim))
    if with_differences:
        comp.differences = _all_differences(comp)
    return comp


def _all_differences(comp: Comparison) -> list[tuple[int, Difference]]:
    out: list[tuple[int, Difference]] = []
    copy_findings = comp.copy.findings
    for k, p in enumerate(comp.pairs):
        for d in differences(comp.source.segment(p.source), comp.copy.segment(p.copy), copy_findings):
            out.append((k, d))
    return out


def _norm_words(text: str) -> list[str]:
    return [t.lower for t in tokens(text)]


def _features(source: Version, copy: Version, pairs: list[AlignedPair], sim: np.ndarray | None) -> dict[str, float]:
    """Symmetric features of an alignment (the relation does not depend on the direction)."""
    n_s, n_c = len(source.sentences), len(copy.sentences)
    a_s = sum(len(p.source) for p in pairs)
    a_c = sum(len(p.copy) for p in pairs)
    share_s, share_c = a_s / max(1, n_s), a_c / max(1, n_c)
    identical = sub = 0.0
    names_total = names_kept = nums_total = nums_kept = 0
    for p in pairs:
        sw = _norm_words(" ".join(source.sentences[i]["text"] for i in p.source))
        cw = _norm_words(" ".join(copy.sentences[j]["text"] for j in p.copy))
        identical += sw == cw
        sub += 1.0 - SequenceMatcher(None, sw, cw, autojunk=False).ratio()
        cset = set(cw)
        for i in p.source:
            st = tokens(source.sentences[i]["text"])
            for t in name_tokens(st):
                names_total += 1
                names_kept += t.lower in cset
            for t in st:
                if t.is_number:
                    nums_total += 1
                    nums_kept += t.lower in cset
    # names of the copy missing from the source (the reverse of names_kept)
    snames_all = set()
    for p in pairs:
        snames_all.update(t.lower for i in p.source for t in tokens(source.sentences[i]["text"]))
    cnames_total = cnames_lost = 0
    for p in pairs:
        for j in p.copy:
            for t in name_tokens(tokens(copy.sentences[j]["text"])):
                cnames_total += 1
                cnames_lost += t.lower not in snames_all
    k = max(1, len(pairs))
    if sim is not None and sim.size:
        reorder, _ = reorder_share(sim)
    else:
        reorder = 0.0
    ps = source.p_mt if source.p_mt is not None else 0.5
    pc = copy.p_mt if copy.p_mt is not None else 0.5
    fs, fc = source.findings_rate, copy.findings_rate
    return {
        "n_min": float(min(n_s, n_c)),
        "aligned": float(len(pairs)),
        "share_min": min(share_s, share_c),
        "share_max": max(share_s, share_c),
        "mean_sim": float(np.mean([p.similarity for p in pairs])) if pairs else 0.0,
        "identical": identical / k,
        "substitution": sub / k,
        "reorder": reorder,
        "merges": sum(len(p.source) + len(p.copy) > 2 for p in pairs) / k,
        "names_kept": names_kept / names_total if names_total else 1.0,
        "numbers_kept": nums_kept / nums_total if nums_total else 1.0,
        "p_max": max(ps, pc),
        "p_diff": abs(ps - pc),
        "findings_max": min(2.0, max(fs, fc)),
        "findings_diff": min(2.0, abs(fs - fc)),
        "length_ratio": min(n_s, n_c) / max(1, n_s, n_c),
        # oriented: positive values say the *source* side is the original
        "dir_p_mt": pc - ps,
        "dir_findings": min(2.0, fc) - min(2.0, fs),
        "dir_names": (cnames_lost / cnames_total if cnames_total else 0.0)
                     - ((names_total - names_kept) / names_total if names_total else 0.0),
        "dir_unaligned": (1 - share_s) - (1 - share_c),
        "dir_length": (n_s - n_c) / max(1, n_s, n_c),
    }


def lineage_findings(comp: Comparison) -> list[dict[str, Any]]:
    """The typed differences of a machine-translated copy as findings on the copy."""
    out = []
    for _, d in comp.differences:
        if d.kind not in FINDING_KINDS or d.copy_end <= d.copy_start:
            continue
        out.append({
            "kind": d.kind, "recognizer": "lineage", "rule": f"copy_of_source_{d.kind}",
            "start": d.copy_start, "end": d.copy_end, "text": d.copy_text, "score": 0.9,
            "message": f"differs from the likely source article {comp.source.id}: "
                       f"{d.source_text!r} there, {d.copy_text!r} here",
            "suggestion": d.source_text or None, "source_lang_hint": None,
        })
    return out
