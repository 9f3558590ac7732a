#!/usr/bin/env python3
"""A linear probe on SmolLM2-135M's hidden states, stacked on the fast first stage.

``lm_signal.py`` found SmolLM2's perplexity useless for fluent MT. This asks what its hidden
states know instead. For each article, the mean hidden state over its first 256 tokens at
several layers (:meth:`lm_signal.SmolLM.hidden_means`); a standardised logistic regression
(C = 0.01) per layer on a label-stratified sample of the training split (``--train-sample``
articles, the WMT/HTMT training documents only, no synthetic data); then a two-column logistic
regression on [logit(first-stage p), probe score], fitted on the same training sample. The
first-stage probabilities of the training sample are the out-of-fold scores cached by
``deep_stage.py`` (``.cache/experiments/deep_first_stage.npz``, the fast recipe); on dev they
are the shipped fast model's (trained the same way on the whole training split).

Everything the cut and the stack are fitted on is out of sample: the probe's training scores
come from 5 grouped folds (an original and its translations in one fold), so do the stack's,
and the cut flags 1% of the originals (the sample's out-of-fold training originals and the dev
originals), as the shipped models' cut does. Evaluated on the sample of ``roundtrip_signal.py``
(151 dev originals, 150 human translations, 200 MT, 106 German round trips) and the dev
originals' Bergamot round trips (``--heldout-rt``).

``--with-synth`` samples the training articles from the training split and the shipped
synthetic round trips together, as the shipped stacker is trained (the MiniLM layers' gain
vanished there).

Hidden states are cached in ``.cache/experiments/lm_probe_{train,dev}.npz`` (about 0.3 s per
article on 2 cores: 8 minutes for 1,500 training articles). Needs the packages of
``lm_signal.py``'s SmolLM2 part.

  python scripts/experiments/lm_probe.py --heldout-rt /tmp/devrt/rt_pt.jsonl --out docs/results/lm_probe.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "scripts" / "experiments"))

from lm_signal import SmolLM  # noqa: E402
from roundtrip_signal import evaluation_sets  # noqa: E402
from train import _synth_files  # noqa: E402

from mtdetect.datasets import read_labelled, shipped_splits, stratified_sample  # noqa: E402
from mtdetect.deep import _logit  # noqa: E402
from mtdetect.features import analyze  # noqa: E402
from mtdetect.model import choose_thresholds, load_bundle  # noqa: E402

LAYERS = [4, 8, 12, 16, 20, 24, 30]
CACHE = ROOT / ".cache" / "experiments"
PAIRS = [("orig", "mt"), ("ht", "mt"), ("orig", "rt_de"), ("orig", "rt_pt-en")]


def states(docs, path: Path, lm: list) -> np.ndarray:
    """The docs' mean hidden states (n, layers, hidden), cached at ``path`` with the groups."""
    groups = np.array([d.group for d in docs])
    if path.exists():
        cached = np.load(path)
        if cached["groups"].tolist() == groups.tolist():
            return cached["H"]
    if not lm:
        lm.append(SmolLM(max_tokens=256))
    H = np.array([lm[0].hidden_means(d.text, LAYERS) for d in docs], dtype=np.float32)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, H=H, groups=groups)
    return H


def probe():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(C=0.01, class_weight="balanced", max_iter=3000))


def stack():
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(class_weight="balanced")


def out_of_fold(make, X: np.ndarray, y: np.ndarray, groups: np.ndarray, proba: bool) -> np.ndarray:
    from sklearn.model_selection import GroupKFold

    oof = np.zeros(len(y))
    for a, b in GroupKFold(5).split(X, y, groups):
        clf = make().fit(X[a], y[a])
        oof[b] = clf.predict_proba(X[b])[:, 1] if proba else clf.decision_function(X[b])
    return oof


def measure(keys: np.ndarray, train_originals: np.ndarray, dev_scores: np.ndarray) -> dict:
    from sklearn.metrics import roc_auc_score

    out = {}
    for a, b in PAIRS:
        m = np.isin(keys, [a, b])
        out[f"{a}_vs_{b}"] = float(roc_auc_score((keys[m] == b).astype(int), dev_scores[m]))
    cut = choose_thresholds(np.r_[train_originals, dev_scores[keys == "orig"]], dev_scores[keys == "mt"], 0.01)[0].high
    for g in ("orig", "mt", "ht", "rt_de", "rt_pt-en"):
        out[f"flagged_{g}"] = float((dev_scores[keys == g] >= cut).mean())
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--heldout-rt", nargs="*", type=Path, default=[])
    ap.add_argument("--train-sample", type=int, default=1500)
    ap.add_argument("--with-synth", action="store_true",
                    help="sample the training articles from the training split and the shipped synthetic round trips, "
                    "as the shipped stacker is trained")
    ap.add_argument("--model", type=Path, default=ROOT / "models" / "default-fast")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)

    train = shipped_splits()["train"]
    if args.with_synth:  # deep_first_stage.npz holds the training split, then these files
        train += list(read_labelled(_synth_files(None)))
    idx = stratified_sample(train, args.train_sample, np.random.default_rng(3))
    tr_docs = [train[i] for i in idx]
    sets, _ = evaluation_sets(args.heldout_rt)
    dv_docs = [d for v in sets.values() for d in v]
    keys = np.array([k for k, v in sets.items() for _ in v])
    lm: list = []
    H_tr = states(tr_docs, CACHE / f"lm_probe_train{args.train_sample}{'-synth' if args.with_synth else ''}.npz", lm)
    H_dv = states(dv_docs, CACHE / "lm_probe_dev.npz", lm)

    y = np.array([d.y for d in tr_docs])
    groups = np.array([d.group for d in tr_docs])
    originals = np.array([d.label == "original" for d in tr_docs])
    p1_all = np.load(CACHE / "deep_first_stage.npz")["train"]  # the training split, then the synthetic files
    assert len(p1_all) == len(train) if args.with_synth else len(p1_all) > len(train), \
        "deep_first_stage.npz was made for other training data (rerun deep_stage.py)"
    p1_tr = p1_all[idx]
    p1_dv = np.array([r.article_p for r in load_bundle(args.model).predict([analyze(d.text, []) for d in dv_docs])])

    rows = {"fast first stage": measure(keys, p1_tr[originals], p1_dv)}
    for j, layer in enumerate(LAYERS):
        alone_oof = out_of_fold(probe, H_tr[:, j], y, groups, proba=False)
        alone_dv = probe().fit(H_tr[:, j], y).decision_function(H_dv[:, j])
        rows[f"layer {layer} probe alone"] = measure(keys, alone_oof[originals], alone_dv)
        Z_tr, Z_dv = np.c_[_logit(p1_tr), alone_oof], np.c_[_logit(p1_dv), alone_dv]
        stack_oof = out_of_fold(stack, Z_tr, y, groups, proba=True)
        rows[f"fast + layer {layer} probe"] = measure(keys, stack_oof[originals], stack().fit(Z_tr, y).predict_proba(Z_dv)[:, 1])

    names = list(next(iter(rows.values())))
    print("| model | " + " | ".join(names) + " |\n|---" * 1 + "|---" * len(names) + "|")
    for name, r in rows.items():
        print(f"| {name} | " + " | ".join(f"{100 * v:.1f}%" if k.startswith("flagged") else f"{v:.3f}" for k, v in r.items()) + " |")
    if args.out:
        args.out.write_text(json.dumps({"train_sample": int(len(idx)), "with_synth": args.with_synth, "n": {k: len(v) for k, v in sets.items()},
                                        "layers": LAYERS, "rows": rows}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
