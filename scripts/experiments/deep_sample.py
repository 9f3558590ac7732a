#!/usr/bin/env python3
"""Which training articles should the ``--deep`` stage be fitted on? Sample variants, all dev.

The shipped stage (round-trip features + the layer-20 SmolLM2 probe, ``mtdetect/deep.py``) is
fitted on 2,500 training articles drawn by ``stage_training_sample`` (stratified by label, none
made by Bergamot, seed 13): 133 originals, 234 human translations and 2,133 MT articles and
round trips. The stage's probe learns "translated or not" from them. This refits the stage on
other samples and scores every dev article:

* ``shipped``: the sample above;
* ``+human``: the same plus every other training original and human translation (not
  synthetic): the human side is no longer a 15% minority;
* ``+human-mt``: ``+human`` with as many MT articles dropped as human ones were added, so the
  sample keeps its size (same cost of round trips and states);
* ``balanced``: every training original and human translation, and as many MT/round trips
  drawn at random (not Bergamot-made).

The first stage is the fast article model retrained on the whole training split (with the
shipped synthetic round trips), out of fold on training as ``scripts/train.py`` fits it, as in
``deep_robustness.py``. The cut flags 1% of all originals (the stage's out-of-fold training
originals and the dev originals), as ``scripts/train.py`` chooses it. Round trips and states
are cached (``$MTDETECT_CACHE``); the extra training articles cost about 0.5 s each on 2 cores
the first time.

  python scripts/experiments/deep_sample.py --out docs/results/deep_sample.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from train import _synth_files  # noqa: E402

from mtdetect.datasets import has_shared_data, is_synthetic, read_labelled, shared_data_dir, shipped_splits  # noqa: E402
from mtdetect.deep import fit_roundtrip_stage  # noqa: E402
from mtdetect.evaluate import tpr_at_fpr  # noqa: E402
from mtdetect.model import ModelConfig, choose_thresholds, fit_model, pair_auc  # noqa: E402
from mtdetect.roundtrip import DEFAULT_CHAIN, RoundTripFeatures, warm_cache  # noqa: E402
from mtdetect.lm import DEFAULT_LAYER, HiddenStates  # noqa: E402
from mtdetect.training import DEFAULT_STAGE_SAMPLE, analyze_docs, score_analyses, stage_training_sample  # noqa: E402
from mtdetect.translate import chain_families  # noqa: E402

VARIANTS = ("shipped", "+human", "+human-mt", "balanced")


def _say(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)



def samples(train, rng_seed: int, size: int) -> dict[str, np.ndarray]:
    families = chain_families(DEFAULT_CHAIN)
    shipped = stage_training_sample(train, size, np.random.default_rng(rng_seed), DEFAULT_CHAIN)
    labels = np.array([d.label for d in train])
    allowed = np.array([not is_synthetic(d, families) for d in train])
    human = np.flatnonzero(np.isin(labels, ["original", "human_translation"]) & allowed)
    extra = np.setdiff1d(human, shipped)
    rng = np.random.default_rng(rng_seed + 1)
    mt_in = shipped[~np.isin(labels[shipped], ["original", "human_translation"])]
    mt_all = np.flatnonzero(~np.isin(labels, ["original", "human_translation"]) & allowed)
    return {
        "shipped": shipped,
        "+human": np.union1d(shipped, extra),
        "+human-mt": np.sort(np.r_[np.setdiff1d(shipped, rng.choice(mt_in, size=len(extra), replace=False)), extra]),
        "balanced": np.sort(np.r_[human, rng.choice(mt_all, size=len(human), replace=False)]),
    }


def metrics(p: np.ndarray, labels: np.ndarray, cut: float) -> dict:
    orig, ht = p[labels == "original"], p[labels == "human_translation"]
    mt, rt = p[labels == "mt"], p[labels == "roundtrip_mt"]
    y = np.r_[np.zeros(len(orig)), np.ones(len(mt))]
    return {"original_vs_mt": pair_auc(orig, mt), "human_translation_vs_mt": pair_auc(ht, mt),
            "original_vs_roundtrip": pair_auc(orig, rt),
            "mt_flagged_at_1pct_of_dev_originals": tpr_at_fpr(y, np.r_[orig, mt], 0.01),
            "mt_flagged_at_cut": float((mt >= cut).mean()), "originals_flagged_at_cut": float((orig >= cut).mean()),
            "human_translations_flagged_at_cut": float((ht >= cut).mean()),
            "roundtrips_flagged_at_cut": float((rt >= cut).mean())}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=VARIANTS)
    ap.add_argument("--train-sample", type=int, default=DEFAULT_STAGE_SAMPLE)
    ap.add_argument("--lm-layer", type=int, default=DEFAULT_LAYER)
    ap.add_argument("--jobs", type=int, default=2, help="processes for round trips")
    ap.add_argument("--out", type=Path, default=ROOT / "out" / "deep_sample.json")
    args = ap.parse_args(argv)
    root = shared_data_dir()
    if not has_shared_data(root):
        print(f"shared data not found at {root}", file=sys.stderr)
        return 2
    splits = shipped_splits(root)
    train = splits["train"] + list(read_labelled(_synth_files(None)))
    dev = splits["dev"]
    tr_an, dv_an = analyze_docs(train, quiet=True), analyze_docs(dev, quiet=True)
    picks = {k: v for k, v in samples(train, 13, args.train_sample).items() if k in args.variants}
    every = np.unique(np.concatenate(list(picks.values())))
    _say(f"round trips and states of {len(every)} training and {len(dev)} dev articles (cached)")
    features = RoundTripFeatures(DEFAULT_CHAIN)
    warm_cache([tr_an[i] for i in every] + dv_an, DEFAULT_CHAIN, features.max_sentences, jobs=args.jobs)
    states = HiddenStates(layer=args.lm_layer)
    pos = {int(i): k for k, i in enumerate(every)}
    X_tr = features.transform([tr_an[i] for i in every])
    H_tr = states.transform([train[i].text for i in every])
    X_dv = features.transform(dv_an)
    H_dv = states.transform([d.text for d in dev])
    _say("first stage (fast, all training data, out of fold)")
    model = fit_model(tr_an, [d.y for d in train], [d.group for d in train], None, ModelConfig(use_embeddings=False))
    p1_dev, _ = score_analyses(model, dv_an)
    dev_labels = np.array([d.label for d in dev])
    is_orig = dev_labels == "original"
    tr_orig_oof = model.oof_article_p_[np.array([d.label == "original" for d in train])]
    th, _ = choose_thresholds(np.r_[tr_orig_oof, p1_dev[is_orig]], p1_dev[~is_orig], 0.01)
    results = {"chain": DEFAULT_CHAIN, "lm_layer": args.lm_layer, "dev": dict(Counter(dev_labels.tolist())),
               "first stage (fast)": metrics(p1_dev, dev_labels, th.high), "variants": {}}
    _say(f"first stage: {results['first stage (fast)']}")
    for name, idx in picks.items():
        rows = np.array([pos[int(i)] for i in idx])
        y = np.array([train[i].y for i in idx])
        labels = np.array([train[i].label for i in idx])
        stage, oof2 = fit_roundtrip_stage(model.oof_article_p_[idx], X_tr[rows], y, [train[i].group for i in idx],
                                          H=H_tr[rows], probe_layer=args.lm_layer)
        p_dev = stage.predict(p1_dev, X_dv, H_dv)
        th2, _ = choose_thresholds(np.r_[oof2[labels == "original"], p_dev[is_orig]], p_dev[~is_orig], 0.01)
        res = {"sample": dict(Counter(labels.tolist())), "cut": th2.high, **metrics(p_dev, dev_labels, th2.high)}
        results["variants"][name] = res
        _say(f"{name}: {res}")
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
