#!/usr/bin/env python3
"""Layout: does an article's verdict depend on how its text is laid out?

The training corpora come in two layouts: WMT one segment (sentence) per line, HTMT one block
with sentences separated by spaces. Real pages and feeds come in paragraphs of a few
sentences. This scores the same dev articles in three layouts with a shipped model:

* ``lines``: one sentence per line (WMT as stored; HTMT rebuilt from its ``sentences``);
* ``paragraphs``: the first line (the headline) alone, then paragraphs of three sentences
  joined by spaces, paragraphs separated by a blank line, as on a web page (the WMT22 news
  records carry no paragraph structure: every ``paragraph_ids`` is 0);
* ``block``: every sentence of the article on one line (HTMT as stored).

For each layout: ROC-AUC per comparison, and the shares flagged at the model's cuts (MT,
originals, human translations, round trips). A model that reads the layout as evidence
changes its verdicts between layouts; the label signal must not move.

  python scripts/experiments/layout.py --model models/default-fast --model models/default \\
      [--json docs/results/layout.json]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

from mtdetect.datasets import LabelledDoc, shipped_splits
from mtdetect.model import load_bundle
from mtdetect.training import evaluate_docs

LAYOUTS = ("lines", "paragraphs", "block")
PARAGRAPH = 3


def relayout(doc: LabelledDoc, layout: str) -> LabelledDoc | None:
    sents = [s.strip() for s in (doc.sentences or ()) if s and s.strip()]
    if not sents:
        return None
    if layout == "lines":
        text = "\n".join(sents)
    elif layout == "block":
        text = " ".join(sents)
    else:
        body = sents[1:]
        blocks = [sents[:1]] + [body[i : i + PARAGRAPH] for i in range(0, len(body), PARAGRAPH)]
        text = "\n\n".join(" ".join(b) for b in blocks if b)
    return dataclasses.replace(doc, text=text)


def summary(result: dict) -> dict:
    art = result["article"]["comparisons"]
    out = {}
    for name, m in art.items():
        out[name] = {k: m.get(k) for k in ("n", "roc_auc", "tpr@high", "fpr@high")}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", action="append", required=True, help="model bundle (repeatable)")
    ap.add_argument("--json", type=Path, help="write the results here")
    args = ap.parse_args(argv)
    dev = shipped_splits()["dev"]
    variants = {layout: [d2 for d in dev if (d2 := relayout(d, layout)) is not None] for layout in LAYOUTS}
    results: dict = {"articles": len(variants["lines"]), "models": {}}
    for path in args.model:
        model = load_bundle(path)
        per = {}
        for layout, docs in variants.items():
            per[layout] = summary(evaluate_docs(model, docs, quiet=True))
            print(path, layout, json.dumps(per[layout]), file=sys.stderr, flush=True)
        results["models"][path] = per
    print(f"{'model':<22} {'layout':<11} {'comparison':<28} {'roc_auc':>8} {'mt@high':>8} {'human@high':>10}")
    for path, per in results["models"].items():
        for layout, comps in per.items():
            for name, m in comps.items():
                print(f"{Path(path).name:<22} {layout:<11} {name:<28} {m['roc_auc'] or 0:>8.3f} "
                      f"{m['tpr@high'] or 0:>8.3f} {m['fpr@high'] or 0:>10.3f}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
