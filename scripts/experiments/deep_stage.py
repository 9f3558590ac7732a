#!/usr/bin/env python3
"""Screen variants of the ``--deep`` round-trip stage on the fast first stage (experiment).

The shipped stage is a logistic regression on [logit of the first stage's probability,
round-trip features] (:mod:`mtdetect.deep`). Round-trip similarity is not monotonic in the
label: fluent MT changes *less* than human text when translated out and back, garbled
rule-based MT changes *more*, and the training sample holds both. This script asks whether
the stage gains from (a) terms that let the similarity act differently for texts the first
stage already finds garbled (squares and products with the first stage's logit), and
(b) a training sample with every human-written training article instead of a stratified
1,000.

First stage: the fast article model of ``article_model.py`` (suffix view, logistic stacker),
out of fold on train and final on dev and the held-out round trips. Round trips through the
stage's chain (Bergamot en-pt-en by default) come from the translation cache (slow to fill:
about 30 sentences per second per core).

  python scripts/experiments/deep_stage.py --heldout-rt /tmp/devrt/rt_*.jsonl --jobs 2
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

from article_model import CACHE, article_text, fit_article, load, say, sentence_level, weights_for  # noqa: E402
from train import _synth_files  # noqa: E402

from mtdetect.datasets import is_synthetic, read_labelled, shared_data_dir, shipped_splits, stratified_sample  # noqa: E402
from mtdetect.deep import _logit, fit_roundtrip_stage  # noqa: E402
from mtdetect.features import analyze  # noqa: E402
from mtdetect.model import _article_input, choose_thresholds, pair_auc  # noqa: E402
from mtdetect.roundtrip import DEFAULT_CHAIN, ROUNDTRIP_FEATURE_NAMES, RoundTripFeatures, warm_cache  # noqa: E402
from mtdetect.translate import chain_families  # noqa: E402

VIEW = "vocab=2000+suffix"


def first_stage(heldout: list[Path]) -> dict:
    """Fast first-stage probabilities: out of fold on train, final elsewhere (cached)."""
    path = CACHE / "deep_first_stage.npz"
    if path.exists():
        z = np.load(path)
        return {k: z[k] for k in z.files}
    data = load(heldout, VIEW)
    sl = sentence_level(data, view=VIEW)
    tr = data["train"]
    w = weights_for(tr, 1.0, np.ones(len(tr["y"])))
    at = article_text(data, sl["folds"], w)
    X = _article_input(tr["m"], sl["train"]["sent_p"], at["train"])
    oof, clf = fit_article("lr", X, tr["y"], w, sl["folds"], sl["doc_fold"])
    out = {"train": oof, "heldout_system": data["heldout"]["system"], "dev_label": data["dev"]["label"]}
    for name in ("dev", "heldout"):
        out[name] = clf.predict_proba(_article_input(data[name]["m"], sl[name]["sent_p"], at[name]))[:, 1]
    np.savez(path, **out)
    return out


def expand(p1: np.ndarray, X: np.ndarray) -> np.ndarray:
    """Extra columns: squares of the mean similarities and their products with logit(p1)."""
    z = _logit(p1)
    cols = [ROUNDTRIP_FEATURE_NAMES.index(n) for n in ("rt_sim_mean", "rt_char_sim_mean", "rt_identical_share")]
    extra = [X[:, c] ** 2 for c in cols] + [z * X[:, c] for c in cols]
    return np.hstack([X, np.column_stack(extra)])



def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--heldout-rt", nargs="*", type=Path, default=[])
    ap.add_argument("--chain", default=DEFAULT_CHAIN)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--dev-mt", type=int, default=400, help="dev MT articles in the evaluation sample")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)

    p = first_stage(args.heldout_rt)
    splits = shipped_splits(shared_data_dir())
    train = splits["train"] + list(read_labelled(_synth_files(None)))
    dev = splits["dev"]
    held = list(read_labelled(args.heldout_rt)) if args.heldout_rt else []
    assert len(train) == len(p["train"]) and len(dev) == len(p["dev"]) and len(held) == len(p["heldout"])
    assert [d.system or "" for d in held] == p["heldout_system"].tolist(), "held-out files differ from the cached ones"
    assert [d.label for d in dev] == p["dev_label"].tolist()
    families = chain_families(args.chain)

    def own(d) -> bool:
        return is_synthetic(d, families)

    rng = np.random.default_rng(13)
    ok = np.array([not own(d) for d in train])
    labels = np.array([d.label for d in train])
    samples = {}
    # the shipped recipe: 1,000 training articles stratified by label
    samples["strat1000"] = stratified_sample(train, 1000, rng, lambda d: not own(d))
    # every human-written article, with as many MT articles (MT and round trips, stratified)
    human = np.flatnonzero(ok & np.isin(labels, ["original", "human_translation"]))
    machine = np.flatnonzero(ok & ~np.isin(labels, ["original", "human_translation"]))
    samples["humans+equal"] = np.sort(np.r_[human, rng.choice(machine, size=len(human), replace=False)])

    dlab = np.array([d.label for d in dev])
    mt_idx = np.flatnonzero(dlab == "mt")
    dv = np.sort(np.r_[np.flatnonzero(dlab != "mt"), rng.choice(mt_idx, size=min(args.dev_mt, len(mt_idx)), replace=False)])

    feats = RoundTripFeatures(args.chain)
    need = sorted(set(np.r_[samples["strat1000"], samples["humans+equal"]].tolist()))
    an_tr = {i: analyze(train[i].text, []) for i in need}
    an_dv = [analyze(dev[i].text, []) for i in dv]
    an_held = [analyze(d.text, []) for d in held]
    everything = list(an_tr.values()) + an_dv + an_held
    say(f"round trips for {len(everything)} articles through {args.chain}")
    warm_cache(everything, args.chain, feats.max_sentences, jobs=args.jobs)
    X_tr = {i: row for i, row in zip(an_tr, feats.transform(list(an_tr.values())))}
    X_dv = feats.transform(an_dv)
    X_held = feats.transform(an_held) if an_held else np.zeros((0, len(ROUNDTRIP_FEATURE_NAMES)))

    p_dv, p_held = p["dev"][dv], p["heldout"]
    lab_dv = dlab[dv]
    sys_held = np.array([d.system or "" for d in held])

    def evaluate(name: str, q_dv: np.ndarray, q_held: np.ndarray, q_tr_orig: np.ndarray) -> dict:
        o, mt, ht, rt = (q_dv[lab_dv == k] for k in ("original", "mt", "human_translation", "roundtrip_mt"))
        th, _ = choose_thresholds(np.r_[q_tr_orig, o], mt, 0.01)
        res = {"variant": name, "orig_vs_mt": pair_auc(o, mt), "ht_vs_mt": pair_auc(ht, mt),
               "orig_vs_rt_de": pair_auc(o, rt),
               "mt_flagged@1%": float((mt >= th.high).mean()), "ht_flagged@1%": float((ht >= th.high).mean()),
               "rt_de_flagged@1%": float((rt >= th.high).mean())}
        for s in sorted(set(sys_held.tolist())):
            short = s.split(">")[-1].split(":")[-1]
            res[f"rt_{short}"] = pair_auc(o, q_held[sys_held == s])
            res[f"rt_{short}_flagged@1%"] = float((q_held[sys_held == s] >= th.high).mean())
        print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in res.items()}), flush=True)
        return res

    rows = [evaluate("first stage", p_dv, p_held, p["train"][labels == "original"])]
    for sname, idx in samples.items():
        Xs = np.vstack([X_tr[i] for i in idx])
        ys = np.array([train[i].y for i in idx])
        gs = [train[i].group for i in idx]
        for kind in ("linear", "expanded"):
            for C in (1.0, 0.1):
                Xa = expand(p["train"][idx], Xs) if kind == "expanded" else Xs
                stage, oof = fit_roundtrip_stage(p["train"][idx], Xa, ys, gs, chain=args.chain, C=C)
                xd = expand(p_dv, X_dv) if kind == "expanded" else X_dv
                xh = expand(p_held, X_held) if kind == "expanded" else X_held
                q_dv, q_held = stage.predict(p_dv, xd), stage.predict(p_held, xh)
                res = evaluate(f"{sname} {kind} C={C}", q_dv, q_held, oof[labels[idx] == "original"])
                res["oof_auc"] = pair_auc(oof[ys == 0], oof[ys == 1])
                rows.append(res)
    # each round-trip feature alone on the evaluation sample (higher = more MT-like)
    alone = {}
    for j, n in enumerate(ROUNDTRIP_FEATURE_NAMES):
        o, mt, ht, rt = (X_dv[lab_dv == k, j] for k in ("original", "mt", "human_translation", "roundtrip_mt"))
        alone[n] = {"orig_vs_mt": pair_auc(o, mt), "ht_vs_mt": pair_auc(ht, mt), "orig_vs_rt_de": pair_auc(o, rt)}
    print(json.dumps(alone), flush=True)
    if args.out:
        args.out.write_text(json.dumps({"chain": args.chain, "rows": rows, "alone": alone,
                                        "n_eval": {k: int((lab_dv == k).sum()) for k in set(lab_dv.tolist())},
                                        "n_train": {k: int(len(v)) for k, v in samples.items()}}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
