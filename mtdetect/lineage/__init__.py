"""Syndication lineage: which articles are versions of one story, and how they relate.

* :mod:`.index` finds candidate pairs without comparing all pairs (MinHash LSH over
  shingles, random-hyperplane LSH over lead-sentence embeddings);
* :mod:`.align` aligns two versions sentence by sentence (monotone DP with merges/splits);
* :mod:`.diff` types the differences of aligned sentences, with spans into the copy;
* :mod:`.relation` decides ``machine_translated_copy`` / ``copy`` / ``rewrite`` and the
  likely original;
* :mod:`.build` runs all of it over an audit's ``articles.jsonl`` into ``lineage.jsonl``;
* :mod:`.patch` turns each machine-translated copy's link into evidence on the copy's own
  record (lineage findings, ``p_mt`` combined with the link confidence, the verdict);
* :func:`compare_records` and :func:`render_text` serve ``mtdetect compare A B``.
"""

from __future__ import annotations

from typing import Any

from .compare import Comparison, Version, compare_versions, lineage_findings
from .relation import decide_relation, direction_logit, rank_versions

LINEAGE_FILE = "lineage.jsonl"

__all__ = ["LINEAGE_FILE", "Comparison", "Version", "compare_records", "compare_versions", "lineage_findings",
           "render_text", "write_lineage"]


def write_lineage(out, **kwargs):
    """See :func:`mtdetect.lineage.build.write_lineage`."""
    from .build import write_lineage as _write

    return _write(out, **kwargs)


def compare_records(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Two scored articles (``articles.jsonl`` records) -> the comparison as a JSON object.

    The keys are those of a ``lineage.jsonl`` link plus ``likely_original``,
    ``direction_basis``, ``linked`` (whether the audit would link the two) and the
    alignment's features.
    """
    from .build import link_record

    va, vb = Version.from_record(a), Version.from_record(b)
    logit = direction_logit(compare_versions(va, vb, with_differences=False).features)
    order, basis = rank_versions([va.id, vb.id], [logit, -logit], [va.published, vb.published])
    source, copy = (va, vb) if order[0] == 0 else (vb, va)
    comp = compare_versions(source, copy)
    relation, confidence = decide_relation(comp.features)
    out = {"likely_original": source.id if basis else None, "direction_basis": basis, "linked": comp.is_link()}
    out.update(link_record(comp, relation, confidence))
    out["features"] = {k: round(v, 4) for k, v in comp.features.items()}
    out["_comparison"] = comp
    return out


def render_text(result: dict[str, Any], width: int = 100) -> str:
    """``mtdetect compare`` for the terminal: verdict, aligned rows, differences."""
    from .html import alignment_rows

    comp: Comparison = result["_comparison"]
    lines = []
    orig = result["likely_original"]
    lines.append(f"relation: {result['relation']} (confidence {result['confidence']:.2f})"
                 + ("" if result["linked"] else "  [below the audit's link threshold: probably not one story]"))
    lines.append(f"likely original: {orig} ({result['direction_basis']})" if orig
                 else "likely original: undetermined (evidence too weak); shown as source/copy below")
    lines.append(f"source: {comp.source.id}  p_mt {_p(comp.source.p_mt)}  findings {len(comp.source.findings)}")
    lines.append(f"copy:   {comp.copy.id}  p_mt {_p(comp.copy.p_mt)}  findings {len(comp.copy.findings)}")
    lines.append(f"aligned: {result['aligned_sentences']} of {result['copy_sentences']} copy sentences, "
                 f"{comp.aligned_source} of {result['source_sentences']} source sentences")
    lines.append("")
    by_pair: dict[int, list] = {}
    for k, d in comp.differences:
        by_pair.setdefault(k, []).append(d)
    pair_at = {tuple(p.copy): k for k, p in enumerate(comp.pairs)}
    for s_idx, c_idx in alignment_rows(comp):
        s_txt = " ".join(comp.source.sentences[i]["text"] for i in s_idx)
        c_txt = " ".join(comp.copy.sentences[j]["text"] for j in c_idx)
        tag = f"s{','.join(map(str, s_idx)) or '-'} ~ c{','.join(map(str, c_idx)) or '-'}"
        lines.append(f"[{tag}]")
        lines.append(f"  source: {_short(s_txt, width) if s_idx else '(no counterpart)'}")
        lines.append(f"  copy:   {_short(c_txt, width) if c_idx else '(no counterpart)'}")
        for d in by_pair.get(pair_at.get(tuple(c_idx), -1), ()) if c_idx and s_idx else ():
            lines.append(f"    {d.kind:<15} {d.source_text!r} -> {d.copy_text!r} (copy {d.copy_start}-{d.copy_end})")
    return "\n".join(lines) + "\n"


def _p(p) -> str:
    return "-" if p is None else f"{p:.2f}"


def _short(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
