#!/usr/bin/env python3
"""Does SmolLM2 know human translation from MT? A probe fitted on those two classes only.

The shipped ``--deep`` stage's probe (layer 20 of SmolLM2-135M, ``mtdetect/lm.py``) is fitted on
originals, human translations and MT together, and what it learns is "translated English":
alone it separates dev human translations from MT at 0.56 only (docs/model.md). This fits
the same kind of probe (standardised logistic regression on the article's mean hidden state
over its first 256 tokens) on the human translations and MT of the shipped stage's training
sample only (``stage_training_sample``, seed 13: the WMT21/HTMT training documents, no
synthetic data), for several ``C``, and scores every dev human translation, original and MT
article. The states come from ``$MTDETECT_CACHE/lm_states.sqlite``, filled by ``--deep``
training or ``deep_robustness.py`` (about 0.3 s per article on 2 cores when missing).

  python scripts/experiments/ht_probe.py --out docs/results/ht_probe.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from mtdetect.datasets import read_labelled, shared_data_dir, shipped_splits
from mtdetect.deep import DEFAULT_CHAIN
from mtdetect.model import pair_auc
from mtdetect.lm import DEFAULT_LAYER, HiddenStates
from mtdetect.training import DEFAULT_STAGE_SAMPLE, stage_training_sample

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from train import _synth_files  # noqa: E402



def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--train-sample", type=int, default=DEFAULT_STAGE_SAMPLE, help="the shipped stage's sample size")
    ap.add_argument("--layer", type=int, default=DEFAULT_LAYER)
    ap.add_argument("--C", type=float, nargs="+", default=[0.001, 0.01, 0.1, 1.0])
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    splits = shipped_splits(shared_data_dir())
    train = splits["train"] + list(read_labelled(_synth_files(None)))
    dev = splits["dev"]
    sample = [train[i] for i in stage_training_sample(train, args.train_sample, np.random.default_rng(13),
                                                       DEFAULT_CHAIN)]
    fit = [d for d in sample if d.label in ("human_translation", "mt")]
    states = HiddenStates(layer=args.layer)
    H_fit = states.transform([d.text for d in fit])
    H_dev = states.transform([d.text for d in dev])
    y = np.array([d.label == "mt" for d in fit], dtype=int)
    lab = np.array([d.label for d in dev])
    rows = []
    for C in args.C:
        clf = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=3000, class_weight="balanced"))
        clf.fit(H_fit, y)
        s = clf.decision_function(H_dev)
        row = {"C": C, "fit_ht": int((y == 0).sum()), "fit_mt": int(y.sum()),
               "ht_vs_mt": pair_auc(s[lab == "human_translation"], s[lab == "mt"]),
               "orig_vs_mt": pair_auc(s[lab == "original"], s[lab == "mt"]),
               "orig_vs_ht": pair_auc(s[lab == "original"], s[lab == "human_translation"])}
        rows.append(row)
        print(json.dumps(row), flush=True)
    if args.out:
        args.out.write_text(json.dumps({"layer": args.layer, "dev": {k: int((lab == k).sum()) for k in set(lab)},
                                        "rows": rows}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
