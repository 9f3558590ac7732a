#!/usr/bin/env python3
"""Precision, recall and speed of ONE recognizer class, for rule development.

  python3 scripts/measure_recognizer.py mtdetect.recognizers.pivot_words:PivotWordRecognizer
  python3 scripts/measure_recognizer.py PKG.MODULE:CLASS --limit 500 --top 40

Precision: findings per 1,000 sentences and share of articles with a finding on every
human-written document of the shared data (train + dev splits, labels ``original`` and
``human_translation``). Recall: share of articles with at least one finding in each
``*.jsonl`` file of ``--recall-dir`` (round trips first; its ``originals.jsonl``, for contrast,
last).
Speed: mean CPU time (process time, robust on a shared machine) of ``analyze`` per article
(segmentation excluded) and of loading.
Then the most frequent false-positive texts with their sentences.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

from mtdetect.datasets import has_shared_data, read_labelled, shipped_splits
from mtdetect.segment import segment

HUMAN_LABELS = ("original", "human_translation")
# Round-trip material made for development (not shipped): $MTDETECT_RECALL_DIR or
# ../scratch/recall beside the project.
DEFAULT_RECALL_DIR = Path(os.environ.get("MTDETECT_RECALL_DIR")
                          or Path(__file__).resolve().parent.parent.parent / "scratch" / "recall")


def load_class(path: str) -> type:
    """``package.module:ClassName`` -> the class."""
    module, _, name = path.partition(":")
    if not name:
        raise SystemExit(f"expected MODULE:CLASS, got {path!r}")
    return getattr(importlib.import_module(module), name)


def human_docs(limit: int | None = None, paths: list[Path] | None = None) -> list:
    """Every human-written document of the shared data (train + dev), or of ``paths``,
    deduplicated by id."""
    if paths:
        docs = list(read_labelled(paths))
    else:
        if not has_shared_data():
            raise SystemExit("shared data not found (set MTDETECT_SHARED_DATA)")
        s = shipped_splits()
        docs = s["train"] + s["dev"]
    seen: set[str] = set()
    out = []
    for d in docs:
        if d.label in HUMAN_LABELS and d.id not in seen:
            seen.add(d.id)
            out.append(d)
    return out[:limit] if limit else out


def measure_precision(rec, docs, top: int = 30, show_all: bool = False) -> dict:
    """Rates on human text; prints a table and the top false positives."""
    sentences: Counter = Counter()
    n_docs: Counter = Counter()
    docs_hit: Counter = Counter()
    hits: Counter = Counter()
    rules: Counter = Counter()
    fp_text: Counter = Counter()
    examples: dict[str, tuple[str, str, str]] = {}
    elapsed = 0.0
    for d in docs:
        doc = segment(d.text)
        t0 = time.process_time()
        findings = rec.analyze(doc)
        elapsed += time.process_time() - t0
        sentences[d.label] += len(doc.sentences)
        n_docs[d.label] += 1
        docs_hit[d.label] += bool(findings)
        hits[d.label] += len(findings)
        for f in findings:
            rules[(d.label, f.rule)] += 1
            key = f"{f.rule}: {f.text.lower()[:60]}"
            fp_text[key] += 1
            if key not in examples or show_all:
                i = doc.sentence_index_at(f.start)
                ctx = doc.sentences[i].text if i is not None else d.text[max(0, f.start - 80): f.end + 80]
                examples[key] = (d.id, d.label, ctx.replace("\n", " ")[:220])
                if show_all:
                    print(f"  [{d.label}] {d.id} {f.rule} {f.text!r} ({f.source_lang_hint}, {f.score:.2f}): {examples[key][2]}")
    total_s = sum(sentences.values())
    total_h = sum(hits.values())
    print(f"== precision on {sum(n_docs.values()):,} human-written documents ({total_s:,} sentences)")
    print("| label | docs | sentences | findings | per 1,000 sentences | docs with a finding |")
    print("|---|---|---|---|---|---|")
    for lab in HUMAN_LABELS:
        if n_docs[lab]:
            print(f"| {lab} | {n_docs[lab]:,} | {sentences[lab]:,} | {hits[lab]} | "
                  f"{1000 * hits[lab] / max(sentences[lab], 1):.3f} | {docs_hit[lab]} ({docs_hit[lab] / n_docs[lab]:.2%}) |")
    print(f"| all | {sum(n_docs.values()):,} | {total_s:,} | {total_h} | {1000 * total_h / max(total_s, 1):.3f} | "
          f"{sum(docs_hit.values())} ({sum(docs_hit.values()) / max(sum(n_docs.values()), 1):.2%}) |")
    if rules:
        print("\nper rule:", ", ".join(f"{lab}/{r}={n}" for (lab, r), n in rules.most_common()))
    if fp_text and top:
        print(f"\ntop false positives (of {len(fp_text)} distinct):")
        for key, n in fp_text.most_common(top):
            did, lab, ctx = examples[key]
            print(f"  {n:3d}  {key!r}  [{lab} {did}]  {ctx}")
    n_all = max(sum(n_docs.values()), 1)
    print(f"\nspeed: {1000 * elapsed / n_all:.3f} ms CPU per human article (analyze only)")
    return {
        "docs": sum(n_docs.values()), "sentences": total_s, "findings": total_h,
        "per_1000": 1000 * total_h / max(total_s, 1),
        "original_docs_hit": docs_hit["original"] / max(n_docs["original"], 1),
        "ms_per_article": 1000 * elapsed / n_all,
    }


def measure_recall(rec, recall_dir: Path, limit: int | None = None, show: int = 0) -> dict[str, float]:
    """Share of articles with >= 1 finding per ``*.jsonl`` file of ``recall_dir``."""
    out: dict[str, float] = {}
    # Round trips first, then any other positive sets, the originals (for contrast) last.
    files = sorted(recall_dir.glob("roundtrip_*.jsonl"))
    files += sorted(p for p in recall_dir.glob("*.jsonl") if p not in files and p.name != "originals.jsonl")
    files += [p for p in [recall_dir / "originals.jsonl"] if p.exists()]
    if not files:
        print(f"\n== recall: no files in {recall_dir}")
        return out
    print(f"\n== recall (articles with >= 1 finding) in {recall_dir}")
    for path in files:
        n = hit = nf = 0
        elapsed = 0.0
        langs: Counter = Counter()
        shown = 0
        with open(path, encoding="utf-8") as fh:
            for i, line in enumerate(fh):
                if limit and i >= limit:
                    break
                rec_json = json.loads(line)
                doc = segment(rec_json["text"])
                t0 = time.process_time()
                findings = rec.analyze(doc)
                elapsed += time.process_time() - t0
                n += 1
                hit += bool(findings)
                nf += len(findings)
                for f in findings:
                    langs[f.source_lang_hint] += 1
                    if shown < show:
                        shown += 1
                        print(f"    {f.rule} {f.text!r} ({f.source_lang_hint}, {f.score:.2f}) {f.message}")
        out[path.name] = hit / max(n, 1)
        lang_s = ", ".join(f"{k}={v}" for k, v in langs.most_common(5))
        print(f"  {path.name}: {hit}/{n} = {hit / max(n, 1):.1%} articles, {nf} findings, "
              f"{1000 * elapsed / max(n, 1):.3f} ms/article; hints: {lang_s}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("recognizer", help="MODULE:CLASS, e.g. mtdetect.recognizers.pivot_words:PivotWordRecognizer")
    ap.add_argument("--limit", type=int, default=None, help="at most N documents per data set")
    ap.add_argument("--top", type=int, default=30, help="false-positive examples to print")
    ap.add_argument("--recall-dir", type=Path, default=DEFAULT_RECALL_DIR)
    ap.add_argument("--show-recall", type=int, default=0, help="print the first N findings per recall file")
    ap.add_argument("--show-all", action="store_true", help="print every finding on human text")
    ap.add_argument("--human-data", nargs="+", type=Path,
                    help="labelled JSONL files to measure precision on instead of the shipped splits")
    ap.add_argument("--no-precision", action="store_true")
    ap.add_argument("--no-recall", action="store_true")
    args = ap.parse_args(argv)
    cls = load_class(args.recognizer)
    rec = cls()
    t0 = time.process_time()
    rec.load()
    print(f"{cls.__name__} ({getattr(cls, 'name', '?')} {getattr(cls, 'version', '?')}): "
          f"load {1000 * (time.process_time() - t0):.1f} ms")
    if not args.no_precision:
        measure_precision(rec, human_docs(args.limit, args.human_data), top=args.top, show_all=args.show_all)
    if not args.no_recall:
        measure_recall(rec, args.recall_dir, args.limit, args.show_recall)
    return 0


if __name__ == "__main__":
    sys.exit(main())
