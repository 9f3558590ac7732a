#!/usr/bin/env python3
"""Round-trip invariance on its own, per engine chain: how well does each round-trip feature
separate the dev comparisons, and the held-out round trips of the dev originals?

For every text, up to 6 sentences (as the ``--deep`` stage picks them) go through the chain
and back (:class:`mtdetect.roundtrip.RoundTripFeatures`, cached per sentence). Reported per
feature: ROC-AUC with the second class of each pair as positive, so 0.5 is chance and values
below 0.5 mean the feature points the other way (a rule-based round trip changes *more* than
human text when sent through again). ``--second-trip`` also sends the round trips through
the chain once more and adds second-trip idempotence (``sim2``: round trip vs its own round
trip) and word-bigram overlap.

Evaluation sample: the 151 dev originals, 150 dev human translations and 200 dev MT articles
(fixed seed), the 106 EN->DE->EN dev round trips, and ``--heldout-rt`` files (round trips of
the dev originals made with ``mtdetect synth``, evaluation only).

  python scripts/experiments/roundtrip_signal.py --heldout-rt /tmp/devrt/rt_{spa,cat,pt}.jsonl \\
      --chain "apertium:eng-spa>apertium:spa-eng" --chain "bergamot:en-pt>bergamot:pt-en" --second-trip
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score

from mtdetect.datasets import read_labelled, shipped_splits
from mtdetect.features import analyze
from mtdetect.roundtrip import ROUNDTRIP_FEATURE_NAMES, RoundTripFeatures, select_sentences, token_similarity, tokens

SECOND_TRIP_NAMES = ("sim1", "sim2", "sim2_minus_sim1", "bigram1", "bigram2_minus_bigram1")


def bigram_overlap(a: str, b: str) -> float:
    """Jaccard overlap of the two texts' lower-cased word bigrams."""
    ta, tb = [t.lower() for t in tokens(a)], [t.lower() for t in tokens(b)]
    A, B = set(zip(ta, ta[1:])), set(zip(tb, tb[1:]))
    return len(A & B) / max(1, len(A | B))


def second_trip_rows(feats: RoundTripFeatures, analyses) -> np.ndarray:
    sents = [[a.document.sentences[i].text for i in select_sentences(a, feats.max_sentences)] for a in analyses]
    flat = [s for ss in sents for s in ss]
    rt1 = feats.round_trips(flat)
    rt2 = feats.round_trips(rt1)
    it = iter(zip(flat, rt1, rt2))
    rows = []
    for ss in sents:
        trip = [next(it) for _ in ss]
        if not trip:
            rows.append([np.nan] * len(SECOND_TRIP_NAMES))
            continue
        s1 = np.array([token_similarity(a, b) for a, b, _ in trip])
        s2 = np.array([token_similarity(b, c) for _, b, c in trip])
        b1 = np.array([bigram_overlap(a, b) for a, b, _ in trip])
        b2 = np.array([bigram_overlap(b, c) for _, b, c in trip])
        rows.append([s1.mean(), s2.mean(), (s2 - s1).mean(), b1.mean(), (b2 - b1).mean()])
    X = np.array(rows, dtype=float)
    return np.where(np.isnan(X), np.nanmean(X, axis=0), X)


def evaluation_sets(heldout_rt: list[Path]) -> tuple[dict[str, list], list[tuple[str, str]]]:
    """The evaluation sample (fixed seed, see the module docstring) and the pairs compared:
    ``{"orig": [...], "ht": [...], "mt": [...], "rt_de": [...], "rt_<pivot>": [...]}``."""
    rng = np.random.default_rng(5)
    dev = shipped_splits()["dev"]
    by = {lab: [d for d in dev if d.label == lab] for lab in ("original", "human_translation", "mt", "roundtrip_mt")}
    ht = [by["human_translation"][i] for i in rng.choice(len(by["human_translation"]), 150, replace=False)]
    mt = [by["mt"][i] for i in rng.choice(len(by["mt"]), 200, replace=False)]
    sets = {"orig": by["original"], "ht": ht, "mt": mt, "rt_de": by["roundtrip_mt"]}
    for path in heldout_rt:
        docs = list(read_labelled([path]))
        sets["rt_" + (docs[0].system or path.stem).split(">")[-1].split(":")[-1]] = docs
    pairs = [("orig", "mt"), ("ht", "mt"), ("orig", "rt_de")] + [("orig", k) for k in sets if k.startswith("rt_") and k != "rt_de"]
    return sets, pairs


def auc_table(X: dict[str, np.ndarray], names: list[str], pairs: list[tuple[str, str]]) -> dict[str, dict[str, float]]:
    """ROC-AUC of each feature column for each pair (second class positive), printed as markdown."""
    table = {}
    print("| feature | " + " | ".join(f"{a} vs {b}" for a, b in pairs) + " |")
    print("|---" * (len(pairs) + 1) + "|")
    for j, name in enumerate(names):
        row = {}
        for a, b in pairs:
            y = np.r_[np.zeros(len(X[a])), np.ones(len(X[b]))]
            row[f"{a}_vs_{b}"] = float(roc_auc_score(y, np.r_[X[a][:, j], X[b][:, j]]))
        table[name] = row
        print(f"| {name} | " + " | ".join(f"{v:.3f}" for v in row.values()) + " |")
    return table


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--chain", action="append", required=True, help="an engine chain (repeat for several)")
    ap.add_argument("--heldout-rt", nargs="*", type=Path, default=[])
    ap.add_argument("--second-trip", action="store_true")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)

    sets, pairs = evaluation_sets(args.heldout_rt)
    analyses = {k: [analyze(d.text, []) for d in v] for k, v in sets.items()}

    out = {"n": {k: len(v) for k, v in sets.items()}, "chains": {}}
    for chain in args.chain:
        feats = RoundTripFeatures(chain)
        X = {k: feats.transform(v) for k, v in analyses.items()}
        names = list(ROUNDTRIP_FEATURE_NAMES)
        if args.second_trip:
            X = {k: np.hstack([X[k], second_trip_rows(feats, analyses[k])]) for k in X}
            names += list(SECOND_TRIP_NAMES)
        print(f"\n## {chain}\n")
        table = auc_table(X, names, pairs)
        out["chains"][chain] = {"auc": table, "mean_similarity": {k: float(v[:, 0].mean()) for k, v in X.items()}}
        sys.stdout.flush()
    if args.out:
        args.out.write_text(json.dumps(out, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
