#!/usr/bin/env python3
"""Which family of the article model's evidence carries the dev verdicts.

Scores the shipped dev split with a model bundle and prints, per label, the mean weight of
each evidence family (``mtdetect.evidence``: sentences, wording, artifacts, style; log-odds
against the card's reference article), and, for the articles flagged at the model's cut
without any finding, which family pushes hardest toward machine translation.

  python scripts/experiments/evidence_families.py models/default [--json out.json]
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
from pathlib import Path

import numpy as np

from mtdetect.datasets import shipped_splits
from mtdetect.evidence import FAMILIES
from mtdetect.model import load_bundle
from mtdetect.training import analyze_docs, use_cached_embedder


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model", help="model bundle directory")
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args(argv)
    dev = shipped_splits()["dev"]
    model = load_bundle(args.model)
    use_cached_embedder(model)
    analyses = analyze_docs(dev, quiet=True)
    preds = model.predict(analyses)
    weights: dict[str, list[list[float]]] = collections.defaultdict(list)
    flagged: collections.Counter = collections.Counter()
    pushed: collections.Counter = collections.Counter()
    for doc, analysis, pred in zip(dev, analyses, preds):
        w = {e.family: e.weight for e in pred.evidence}
        weights[doc.label].append([w.get(f, 0.0) for f in FAMILIES])
        if pred.article_p >= model.thresholds.high and not analysis.findings:
            flagged[doc.label] += 1
            pushed[f"{doc.label}/{max(pred.evidence, key=lambda e: e.weight).family}"] += 1
    result = {
        "model": args.model,
        "base": round(model.explainer().base, 3),
        "mean_weight": {lab: {f: round(float(v), 3) for f, v in zip(FAMILIES, np.mean(rows, axis=0))}
                        for lab, rows in weights.items()},
        "flagged_without_findings": dict(flagged),
        "strongest_push": dict(pushed.most_common()),
    }
    print(json.dumps(result, indent=1))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
