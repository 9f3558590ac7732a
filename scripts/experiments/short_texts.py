#!/usr/bin/env python3
"""Short texts: how the model does on news-item-sized excerpts, and whether training on
excerpts helps.

Feeds carry short items (a lead, a summary) as well as full articles, but the training
documents are whole articles. This trains the model twice on the shipped train split:
as shipped, and with one random excerpt (2-6 consecutive sentences, same label and source
group) added per training document of 8+ sentences. Both are scored on the dev split: whole
documents, and 3- and 5-sentence leads (the first sentences of each dev document).
Reports ROC-AUC per comparison and, at the threshold chosen on whole dev originals for 1%
false positives, the share of leads of original English flagged.

``--bundle DIR`` (repeatable) trains nothing: it scores shipped bundles on the same sets, each
text judged by the bundle's own cut for its length (``thresholds.short`` under 150 words).

  python scripts/experiments/short_texts.py [--embeddings] [--out results.json]
  python scripts/experiments/short_texts.py --bundle models/default-fast --bundle models/default
"""

from __future__ import annotations

import argparse
import json

import numpy as np
from sklearn.metrics import roc_auc_score

from mtdetect.datasets import lead_excerpts, random_excerpts, shipped_splits
from mtdetect.model import ModelConfig, choose_thresholds, fit_model
from mtdetect.training import analyze_docs, default_embedder, score_analyses

COMPARISONS = {
    "original_vs_mt": ({"original"}, {"mt"}),
    "human_translation_vs_mt": ({"human_translation"}, {"mt"}),
    "original_vs_roundtrip": ({"original"}, {"roundtrip_mt"}),
}


def metrics(docs, p, high) -> dict:
    """ROC-AUC per comparison and the shares flagged at ``high`` (a cut, or one cut per text)."""
    labels = np.array([d.label for d in docs])
    out = {}
    for name, (neg, pos) in COMPARISONS.items():
        m = np.isin(labels, list(neg | pos))
        y = np.isin(labels[m], list(pos)).astype(int)
        if 0 < y.sum() < len(y):
            out[name] = round(float(roc_auc_score(y, p[m])), 3)
    flagged = p >= np.broadcast_to(high, p.shape)
    for key, label in (("originals_flagged", "original"), ("mt_flagged", "mt"),
                       ("human_translations_flagged", "human_translation")):
        if (labels == label).any():
            out[key] = round(float(flagged[labels == label].mean()), 4)
    return out


def score_bundles(paths: list[str], sets: dict) -> dict:
    """Each bundle on each set, every text at the bundle's cut for its length."""
    from mtdetect.detector import count_words
    from mtdetect.model import load_bundle
    from mtdetect.training import use_cached_embedder

    analysed = {k: analyze_docs(v, quiet=True) for k, v in sets.items()}
    results = {}
    for path in paths:
        model = load_bundle(path)
        use_cached_embedder(model)
        results[path] = {"thresholds": model.thresholds.to_dict()}
        for set_name, docs in sets.items():
            p = np.array([x.article_p for x in model.predict(analysed[set_name])])
            highs = model.thresholds.highs([count_words(d.text) for d in docs])
            results[path][set_name] = metrics(docs, p, highs)
        print(json.dumps({path: results[path]}, indent=1), flush=True)
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--embeddings", action="store_true", help="use MiniLM sentence embeddings (slower)")
    ap.add_argument("--out", help="write the results as JSON here")
    ap.add_argument("--bundle", action="append", default=[], help="score this shipped bundle instead of training")
    args = ap.parse_args()
    split = shipped_splits()
    train, dev = split["train"], split["dev"]
    sets = {"whole": dev, "lead5": lead_excerpts(dev, 5), "lead3": lead_excerpts(dev, 3)}
    if args.bundle:
        from mtdetect.detector import count_words

        sets["under150"] = [d for d in dev if count_words(d.text) < 150]
        results = score_bundles(args.bundle, sets)
        if args.out:
            with open(args.out, "w") as fh:
                json.dump(results, fh, indent=1)
        return
    extra = random_excerpts(train, sizes=(2, 3, 4, 5, 6), min_sentences=8, seed=0)
    analysed = {k: analyze_docs(v, quiet=True) for k, v in sets.items()}
    cfg = ModelConfig(use_embeddings=args.embeddings)
    emb = default_embedder() if args.embeddings else None
    results = {}
    for name, docs in (("as shipped", train), ("with excerpts", train + extra)):
        print(f"training '{name}' on {len(docs)} documents", flush=True)
        model = fit_model(analyze_docs(docs, quiet=True), [d.y for d in docs], [d.group for d in docs], emb, cfg)
        p_whole, _ = score_analyses(model, analysed["whole"])
        labels = np.array([d.label for d in dev])
        th, _ = choose_thresholds(p_whole[labels == "original"], p_whole[labels == "mt"], 0.01)
        results[name] = {"threshold_high": th.high}
        for set_name, docs_ in sets.items():
            p, _ = score_analyses(model, analysed[set_name])
            results[name][set_name] = metrics(docs_, p, th.high)
        print(json.dumps({name: results[name]}, indent=1), flush=True)
    results["counts"] = {"train": len(train), "train_excerpts": len(extra), **{k: len(v) for k, v in sets.items()}}
    results["embeddings"] = args.embeddings
    if args.out:
        with open(args.out, "w") as fh:
            json.dump(results, fh, indent=1)
    header = f"{'model':<14} {'dev set':<7} " + " ".join(f"{c:>24}" for c in COMPARISONS) + "  originals flagged  MT flagged"
    print(header)
    for name in ("as shipped", "with excerpts"):
        for set_name in sets:
            r = results[name][set_name]
            cells = " ".join(f"{r.get(c, float('nan')):>24.3f}" for c in COMPARISONS)
            print(f"{name:<14} {set_name:<7} {cells}  {r['originals_flagged']:>17.1%}  {r['mt_flagged']:>10.1%}")


if __name__ == "__main__":
    main()
