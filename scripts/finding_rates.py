#!/usr/bin/env python3
"""Findings per 1,000 sentences, per label and recognizer, on labelled JSONL files.

Precision check for the recognizers: on human-written text (labels ``original`` and
``human_translation``) the rates must stay near zero.

  python scripts/finding_rates.py                      # the shared WMT + HTMT corpora
  python scripts/finding_rates.py --data mine.jsonl --show original
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from mtdetect.datasets import read_labelled, shared_data_dir
from mtdetect.features import analyze
from mtdetect.recognizers import builtin_recognizers


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", nargs="+", type=Path)
    ap.add_argument("--show", nargs="*", default=[], help="print the findings on these labels")
    args = ap.parse_args(argv)
    root = shared_data_dir()
    files = args.data or [root / "wmt" / "wmt21.jsonl", root / "wmt" / "wmt22.jsonl",
                          root / "htmt" / "htmt_train_documents.jsonl", root / "htmt" / "htmt_dev_documents.jsonl"]
    recs = builtin_recognizers()
    sentences: Counter = Counter()
    docs: Counter = Counter()
    hits: Counter = Counter()
    docs_hit: Counter = Counter()
    for d in read_labelled(files):
        a = analyze(d.text, recs)
        sentences[d.label] += a.n_sentences
        docs[d.label] += 1
        docs_hit[d.label] += bool(a.findings)
        for f in a.findings:
            hits[(d.label, f.recognizer)] += 1
            hits[(d.label, f"{f.recognizer}/{f.rule}")] += 1
            if d.label in args.show:
                print(f"{d.id}\t{f.recognizer}/{f.rule}\t{f.text!r}\t{a.document.sentences[a.document.sentence_index_at(f.start)].text[:160]!r}")
    labels = sorted(sentences)
    keys = sorted({k for _, k in hits}, key=lambda k: ("/" in k, k))
    print(f"files: {', '.join(p.name for p in files)}\n")
    print("| findings per 1,000 sentences | " + " | ".join(labels) + " |")
    print("|---|" + "---|" * len(labels))
    print("| sentences | " + " | ".join(f"{sentences[l]:,}" for l in labels) + " |")
    print("| documents with any finding | " + " | ".join(f"{docs_hit[l] / docs[l]:.1%} of {docs[l]:,}" for l in labels) + " |")
    total = {l: sum(v for (lab, k), v in hits.items() if lab == l and "/" not in k) for l in labels}
    print("| **all recognizers** | " + " | ".join(f"**{1000 * total[l] / max(sentences[l], 1):.2f}**" for l in labels) + " |")
    for k in keys:
        print(f"| {k} | " + " | ".join(f"{1000 * hits[(l, k)] / max(sentences[l], 1):.2f}" for l in labels) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
