"""A machine-translated copy's link as evidence on the copy's own record in ``articles.jsonl``.

When lineage finds that an article is a ``machine_translated_copy`` of another one in the
feed, that is evidence the detector could not see from the copy alone. The copy's record
gets it as findings and in its score:

* **findings** of recognizer ``lineage``: one for the link itself (kind
  ``machine_translated_copy``, on the copy's first reworded span, the source article named in
  the message, the source's wording as the suggestion, the link confidence as the score) and one per
  typed difference (:func:`.compare.lineage_findings`: garbled or changed names, changed
  numbers, calques, with the source's wording as the suggestion). They go into the record's
  ``findings`` and into the ``findings`` of the sentences that contain them, in the same
  schema as every recognizer's findings.
* **score**: the text-only score is kept as ``p_mt_text`` and ``p_mt`` becomes the noisy-OR
  of it with the link confidence, ``1 - (1 - p_mt_text) * (1 - confidence)``: the text
  model and the alignment are two independent reasons to call the article machine
  translated, and either alone suffices. The noisy-OR never lowers a score and gives the
  link no weight when its confidence is 0. Sentences carrying a lineage finding get the
  same combination (their own ``p_mt_text`` kept).
* **verdict**: recomputed from the combined ``p_mt`` with the model's thresholds (those
  of ``summary.json``); it never becomes milder than the text-only verdict, which is kept
  as ``verdict_text`` (a cascade judges some articles by its second stage's thresholds,
  which the record does not name).
* ``lineage``: ``{"cluster", "source", "relation", "confidence"}`` of the link.

Only ``machine_translated_copy`` links do this (a ``copy`` or a ``rewrite`` of an article
says nothing about machine translation), and only those that pass :func:`raises_score`: at
least ``MIN_ALIGNED`` aligned copy sentences, and at least one difference of a kind machine
translation makes. The relation model was fitted on 10-12 sentence articles; on one or two
sentences, or on texts that differ only in their numbers (a template filled in again, an
update), it can call near-identical notices translations, and that must not raise a score.

Idempotence: lineage is always computed from the text-only state of the records
(:func:`text_only` undoes a previous patch), and patching that state is deterministic, so
computing the roll-ups again (``--resume`` of a finished audit) writes the same file.
``articles.jsonl`` is rewritten atomically (temporary file + rename), streaming: records
that neither need a patch nor carry an old one are copied byte for byte.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RECOGNIZER = "lineage"
RELATION = "machine_translated_copy"
LINK_KIND = "machine_translated_copy"
_SEVERITY = {"human": 0, "unsure": 1, "machine_translated": 2}
#: Marker of a patched record, searched for in the raw line before parsing it.
_MARKER = b'"p_mt_text"'


#: Aligned copy sentences a link needs before it raises the copy's score.
MIN_ALIGNED = 3
#: Differences machine translation makes (numbers it keeps; omissions and additions are
#: edits as often as not).
MT_DIFFERENCE_KINDS = frozenset({"wording", "garbled_name", "name_changed", "calque"})


def raises_score(link: dict[str, Any]) -> bool:
    """Whether a ``lineage.jsonl`` link becomes evidence on its copy (see the module docstring)."""
    return (link.get("relation") == RELATION and int(link.get("aligned_sentences") or 0) >= MIN_ALIGNED
            and any(d.get("kind") in MT_DIFFERENCE_KINDS for d in link.get("differences") or ()))


def combine(p_text: float, confidence: float) -> float:
    """Noisy-OR of the text-only score and the link confidence (both in [0, 1])."""
    p, c = min(max(float(p_text), 0.0), 1.0), min(max(float(confidence), 0.0), 1.0)
    return 1.0 - (1.0 - p) * (1.0 - c)


def is_patched(rec: dict[str, Any]) -> bool:
    """Whether ``rec`` carries lineage evidence from an earlier run."""
    if "p_mt_text" in rec or "verdict_text" in rec or RECOGNIZER in rec:
        return True
    return any(f.get("recognizer") == RECOGNIZER for f in rec.get("findings") or ())


def text_only(rec: dict[str, Any]) -> dict[str, Any]:
    """``rec`` as the detector wrote it: lineage findings removed, text-only scores and
    verdict restored (in place; returns ``rec``)."""
    if "p_mt_text" in rec:
        rec["p_mt"] = rec.pop("p_mt_text")
    if "verdict_text" in rec:
        rec["verdict"] = rec.pop("verdict_text")
    rec.pop(RECOGNIZER, None)
    if isinstance(rec.get("findings"), list):
        rec["findings"] = [f for f in rec["findings"] if f.get("recognizer") != RECOGNIZER]
    for s in rec.get("sentences") or ():
        if "p_mt_text" in s:
            s["p_mt"] = s.pop("p_mt_text")
        if isinstance(s.get("findings"), list):
            s["findings"] = [f for f in s["findings"] if f.get("recognizer") != RECOGNIZER]
    return rec


def link_finding(comp, link: dict[str, Any]) -> dict[str, Any] | None:
    """The link itself as a finding on the copy, anchored on the copy's first reworded
    span (a ``wording`` difference: "benefits" where the source says "profits"), else on its
    first other untyped difference, else on its first aligned sentence."""
    from .diff import FINDING_KINDS

    confidence = float(link["confidence"])
    spans = [d for _, d in comp.differences if d.copy_end > d.copy_start and d.kind not in FINDING_KINDS]
    spans.sort(key=lambda d: (d.kind != "wording", d.copy_start))
    if spans:
        d = spans[0]
        start, end, text, suggestion = d.copy_start, d.copy_end, d.copy_text, d.source_text or None
        where = f"{d.source_text!r} there, {d.copy_text!r} here"
    elif comp.pairs:
        p = comp.pairs[0]
        sent = comp.copy.sentences[p.copy[0]]
        start, end, text = sent["start"], sent["end"], sent["text"]
        suggestion = " ".join(comp.source.sentences[i]["text"] for i in p.source) or None
        where = "this sentence is aligned with the suggestion"
    else:
        return None
    return {
        "kind": LINK_KIND, "recognizer": RECOGNIZER, "rule": "machine_translated_copy_of_source",
        "start": start, "end": end, "text": text, "score": round(confidence, 4),
        "message": (f"machine-translated copy of the likely source article {comp.source.id} "
                    f"(link confidence {confidence:.2f}; {link['aligned_sentences']} of "
                    f"{link['copy_sentences']} sentences aligned with it): {where}"),
        "suggestion": suggestion,
        "source_lang_hint": None,
    }


def copy_patch(comp, link: dict[str, Any], cluster: str) -> dict[str, Any]:
    """What a ``machine_translated_copy`` link adds to its copy's record."""
    findings = [f for f in [link_finding(comp, link)] if f is not None]
    findings.extend(link.get("findings") or ())
    return {"cluster": cluster, "source": link["source"], "relation": link["relation"],
            "confidence": float(link["confidence"]), "findings": findings}


def _key(f: dict[str, Any]) -> tuple:
    return (int(f.get("start") or 0), int(f.get("end") or 0), str(f.get("recognizer") or ""))


def _insert(findings: list[dict[str, Any]], new: dict[str, Any]) -> None:
    """Insert before the first finding that sorts after ``new`` (the others keep their order,
    so removing ``new`` again restores the list exactly)."""
    k = _key(new)
    for i, f in enumerate(findings):
        if _key(f) > k:
            findings.insert(i, new)
            return
    findings.append(new)


def _with_after(d: dict[str, Any], key: str, extra_key: str, extra_value: Any) -> dict[str, Any]:
    """``d`` with ``extra_key`` placed right after ``key`` (a stable key order in the file)."""
    out: dict[str, Any] = {}
    for k, v in d.items():
        out[k] = v
        if k == key:
            out[extra_key] = extra_value
    if extra_key not in out:
        out[extra_key] = extra_value
    return out


def apply_patch(rec: dict[str, Any], patch: dict[str, Any], thresholds: dict[str, float] | None) -> dict[str, Any]:
    """The text-only record ``rec`` with the link's evidence (see the module docstring)."""
    p_text = rec.get("p_mt")
    if p_text is None or rec.get("error"):
        return rec
    confidence = patch["confidence"]
    rec = _with_after(rec, "p_mt", "p_mt_text", p_text)
    rec["p_mt"] = round(combine(p_text, confidence), 4)
    verdict_text = rec.get("verdict")
    verdict = verdict_text
    if thresholds and thresholds.get("low") is not None and thresholds.get("high") is not None:
        from ..detector import Thresholds, count_words

        th = Thresholds.from_dict(thresholds)
        # the record's sentences cover its text; a record written without them gets the article cuts
        sents = rec.get("sentences") or []
        n_words = sum(count_words(s.get("text") or "") for s in sents) if sents else None
        by_score = th.verdict(rec["p_mt"], n_words).value
        if _SEVERITY.get(by_score, 0) > _SEVERITY.get(verdict_text, -1):
            verdict = by_score
    rec = _with_after(rec, "verdict", "verdict_text", verdict_text)
    rec["verdict"] = verdict
    findings = list(rec.get("findings") or ())
    sentences = rec.get("sentences") or []
    touched: set[int] = set()
    for f in patch["findings"]:
        _insert(findings, dict(f))
        for n, s in enumerate(sentences):
            if int(s.get("start") or 0) <= f["start"] < int(s.get("end") or 0):
                _insert(s.setdefault("findings", []), dict(f))
                touched.add(n)
                break
    rec["findings"] = findings
    for n in sorted(touched):
        s = sentences[n]
        if s.get("p_mt") is not None:
            sentences[n] = s = _with_after(s, "p_mt", "p_mt_text", s["p_mt"])
            s["p_mt"] = round(combine(s["p_mt_text"], confidence), 4)
    rec[RECOGNIZER] = {k: patch[k] for k in ("cluster", "source", "relation", "confidence")}
    return rec


def _encode(rec: dict[str, Any]) -> bytes:
    # the audit's own encoding of a record (mtdetect.audit._Appender)
    return (json.dumps(rec, ensure_ascii=False) + "\n").encode("utf-8")



def rewrite_articles(path: Path, patches: dict[int, dict[str, Any]], stale: set[int] | frozenset = frozenset(),
                     thresholds: dict[str, float] | None = None) -> int:
    """Rewrite ``path`` with ``patches`` (by the byte offset of the record's line) applied to
    the text-only records; lines at ``stale`` offsets (patched by an earlier run) are
    restored first. Every other line is copied as it is. Returns the records changed."""
    changed = 0
    from ..audit import _AtomicFile

    with path.open("rb") as src, _AtomicFile(path, binary=True) as dst:
        offset = 0
        for line in src:
            start, offset = offset, offset + len(line)
            if start not in patches and start not in stale and _MARKER not in line:
                dst.write(line)
                continue
            try:
                rec = json.loads(line)
            except ValueError:
                dst.write(line)
                continue
            if not isinstance(rec, dict):
                dst.write(line)
                continue
            rec = text_only(rec)
            if start in patches:
                rec = apply_patch(rec, patches[start], thresholds)
            new = _encode(rec)
            changed += new != line
            dst.write(new)
    return changed


def restore_text_scores(path: Path) -> int:
    """Undo every lineage patch in ``path`` (an audit run without lineage); returns the
    records restored. The file is rewritten only if one carries a patch."""
    if not path.exists():
        return 0
    with path.open("rb") as fh:
        if not any(_MARKER in line for line in fh):
            return 0
    return rewrite_articles(path, {})
