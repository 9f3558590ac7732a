#!/usr/bin/env python3
"""Precision and recall of the recognizers, per recognizer (artifact family) and rule.

Precision: findings per 1,000 sentences and the share of documents with any finding, per
label, on labelled JSONL files; on human-written text (``original``, ``human_translation``)
the rates must stay near zero. Recall: the share of machine-translated articles with at
least one finding, per recognizer and per MT system (engine chain / pivot), on labelled
JSONL such as ``mtdetect synth`` output.

  python scripts/finding_rates.py                              # precision on the shared corpora
  python scripts/finding_rates.py --recall ~/.cache/mtdetect/synth/*.jsonl
  python scripts/finding_rates.py --data mine.jsonl --show original
  python scripts/finding_rates.py --json out.json              # both, machine-readable
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

from mtdetect.datasets import POSITIVE_LABELS, read_labelled, shared_data_dir
from mtdetect.features import analyze
from mtdetect.recognizers import builtin_recognizers


def precision(files: list[Path], show: set[str]) -> dict:
    """Per label: sentences, documents, documents with a finding, findings per key."""
    recs = builtin_recognizers()
    sentences: Counter = Counter()
    docs: Counter = Counter()
    hits: Counter = Counter()
    docs_hit: Counter = Counter()
    docs_hit_by: Counter = Counter()
    for d in read_labelled(files):
        a = analyze(d.text, recs)
        sentences[d.label] += a.n_sentences
        docs[d.label] += 1
        docs_hit[d.label] += bool(a.findings)
        for name in {f.recognizer for f in a.findings}:
            docs_hit_by[(d.label, name)] += 1
        for f in a.findings:
            hits[(d.label, f.recognizer)] += 1
            hits[(d.label, f"{f.recognizer}/{f.rule}")] += 1
            if d.label in show:
                sentence = a.document.sentences[a.document.sentence_index_at(f.start)].text[:160]
                print(f"{d.id}\t{f.recognizer}/{f.rule}\t{f.text!r}\t{sentence!r}")
    labels = sorted(sentences)
    return {
        "files": [p.name for p in files],
        "labels": {
            lab: {
                "sentences": sentences[lab],
                "documents": docs[lab],
                "documents_with_finding": docs_hit[lab],
                "findings_per_1000_sentences": {
                    k: round(1000 * v / max(sentences[lab], 1), 3) for (l2, k), v in sorted(hits.items()) if l2 == lab
                },
                "documents_with_finding_by_recognizer": {
                    k: v for (l2, k), v in sorted(docs_hit_by.items()) if l2 == lab
                },
            }
            for lab in labels
        },
    }


def recall(files: list[Path]) -> dict:
    """Per MT system: articles, and the share with >= 1 finding per recognizer and overall."""
    recs = builtin_recognizers()
    names = [r.name for r in recs]
    n: Counter = Counter()
    any_hit: Counter = Counter()
    by: dict[str, Counter] = defaultdict(Counter)
    for d in read_labelled(files, strict_labels=False):
        if d.label not in POSITIVE_LABELS:
            continue
        system = d.system or d.corpus
        found = {f.recognizer for f in analyze(d.text, recs).findings}
        n[system] += 1
        any_hit[system] += bool(found)
        for name in found:
            by[system][name] += 1
    return {
        system: {
            "articles": n[system],
            "any": round(any_hit[system] / n[system], 4),
            **{name: round(by[system][name] / n[system], 4) for name in names},
        }
        for system in sorted(n)
    }


def print_precision(result: dict) -> None:
    labels = list(result["labels"])
    rows = result["labels"]
    print(f"files: {', '.join(result['files'])}\n")
    print("| findings per 1,000 sentences | " + " | ".join(labels) + " |")
    print("|---|" + "---|" * len(labels))
    print("| sentences | " + " | ".join(f"{rows[l]['sentences']:,}" for l in labels) + " |")
    print("| documents with any finding | " + " | ".join(
        f"{rows[l]['documents_with_finding'] / rows[l]['documents']:.1%} of {rows[l]['documents']:,}" for l in labels) + " |")
    keys = sorted({k for l in labels for k in rows[l]["findings_per_1000_sentences"]}, key=lambda k: ("/" in k, k))
    total = {l: sum(v for k, v in rows[l]["findings_per_1000_sentences"].items() if "/" not in k) for l in labels}
    print("| **all recognizers** | " + " | ".join(f"**{total[l]:.2f}**" for l in labels) + " |")
    for k in keys:
        print(f"| {k} | " + " | ".join(f"{rows[l]['findings_per_1000_sentences'].get(k, 0.0):.2f}" for l in labels) + " |")


def print_recall(result: dict) -> None:
    if not result:
        return
    names = [r.name for r in builtin_recognizers()]
    print("\n| share of MT articles with a finding | articles | any | " + " | ".join(names) + " |")
    print("|---|---:|---:|" + "---:|" * len(names))
    for system, row in result.items():
        print(f"| {system} | {row['articles']:,} | **{row['any']:.1%}** | "
              + " | ".join(f"{row[name]:.1%}" for name in names) + " |")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", nargs="+", type=Path, help="labelled JSONL for precision (default: the shared corpora)")
    ap.add_argument("--recall", nargs="+", type=Path, default=[], help="labelled MT JSONL for recall, per system")
    ap.add_argument("--no-precision", action="store_true")
    ap.add_argument("--show", nargs="*", default=[], help="print the findings on these labels")
    ap.add_argument("--json", type=Path, help="also write the results as JSON")
    args = ap.parse_args(argv)
    root = shared_data_dir()
    files = args.data or [root / "wmt" / "wmt21.jsonl", root / "wmt" / "wmt22.jsonl",
                          root / "htmt" / "htmt_train_documents.jsonl", root / "htmt" / "htmt_dev_documents.jsonl"]
    out: dict = {}
    if not args.no_precision:
        out["precision"] = precision(files, set(args.show))
        print_precision(out["precision"])
    if args.recall:
        out["recall"] = recall([p for p in args.recall if not p.name.endswith(".errors.jsonl")])
        print_recall(out["recall"])
    if args.json:
        args.json.write_text(json.dumps(out, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
