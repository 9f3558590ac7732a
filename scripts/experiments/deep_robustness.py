#!/usr/bin/env python3
"""Robustness of the ``--deep`` stage: leave one engine out of *both* stages and test on it.

``robustness.py`` measures the first stage alone. Here, for every held-out unit, the fast
first stage is retrained without the unit, and the round-trip stage (round-trip features
through Bergamot en->pt->en, plus the SmolLM2 probe) is refitted on the shipped stage's
training sample minus the unit, on the held-out first stage's out-of-fold scores. Both models
are then scored on the unit's dev material and compared with the same recipe fitted on
everything. The stage never trains on Bergamot output (its own engine: the feature is
trivially extreme there), as in the shipped stage, so Bergamot is not a unit here.

Units:
* ``deepl``, ``google``: all their output (MT from German and EN->DE->EN round trips);
  test = their dev MT and round trips, HTMT human translations and originals (robustness.py);
* ``lang:en``: the EN->DE->EN round trips (both engines); test = the dev round trips and the
  dev originals of the same corpus;
* ``lang:de``, ``lang:ja``, ``lang:ru``: a source language's MT and human translations (and
  their synthetic round trips), as in robustness.py; test = that language's dev MT and human
  translations and the originals of the same corpora;
* ``apertium-spa``, ``apertium-cat``: the synthetic round trips whose chain starts with that
  Apertium pair (the Spanish one includes the Spanish-then-Portuguese chain); test = the 151
  dev originals and their round trips through the engine (``--heldout-rt NAME=FILE``, made
  with ``mtdetect synth`` for evaluation only).

Each row reports ROC-AUC against originals and human translations and the share of the unit's
MT flagged at a cut that flags 1% of originals (chosen, as ``scripts/train.py`` does, on the
model's out-of-fold scores of training originals plus its scores of all dev originals).

  python scripts/experiments/deep_robustness.py \\
      --heldout-rt apertium-spa=rt_spa.jsonl --heldout-rt apertium-cat=rt_cat.jsonl \\
      --out docs/results/deep_robustness.json
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
sys.path.insert(0, str(Path(__file__).resolve().parent))

from robustness import Holdout, _removed, test_subset  # noqa: E402
from train import _synth_files  # noqa: E402

from mtdetect.datasets import LabelledDoc, has_shared_data, read_labelled, shared_data_dir, shipped_splits  # noqa: E402
from mtdetect.deep import fit_roundtrip_stage  # noqa: E402
from mtdetect.model import ModelConfig, choose_thresholds, fit_model, pair_auc  # noqa: E402
from mtdetect.roundtrip import DEFAULT_CHAIN, RoundTripFeatures, warm_cache  # noqa: E402
from mtdetect.lm import DEFAULT_LAYER, HiddenStates  # noqa: E402
from mtdetect.training import DEFAULT_STAGE_SAMPLE, analyze_docs, score_analyses, stage_training_sample  # noqa: E402

ALL = "all data"
SYNTH_UNITS = {"apertium-spa": "apertium:eng-spa", "apertium-cat": "apertium:eng-cat"}
DEFAULT_UNITS = ("deepl", "google", "lang:en", *SYNTH_UNITS, "lang:de", "lang:ja", "lang:ru")
MODELS = ("first stage (fast)", "+ round trip", "+ round trip + LM probe")


def removed(train: list[LabelledDoc], unit: str) -> set[int]:
    """Training documents a unit takes out (for both stages)."""
    if unit == ALL:
        return set()
    if unit in SYNTH_UNITS:
        return {i for i, d in enumerate(train) if (d.system or "").startswith(SYNTH_UNITS[unit])}
    return _removed(train, Holdout.from_key(unit))



def unit_metrics(p: np.ndarray, labels: np.ndarray, is_mt: np.ndarray, cut: float) -> dict:
    orig, ht, mt = p[labels == "original"], p[labels == "human_translation"], p[is_mt]
    return {"n": {"original": int(len(orig)), "human_translation": int(len(ht)), "mt": int(len(mt))},
            "original_vs_mt": pair_auc(orig, mt), "human_translation_vs_mt": pair_auc(ht, mt),
            "mt_flagged_at_cut": float((mt >= cut).mean()) if len(mt) else None,
            "human_translations_flagged_at_cut": float((ht >= cut).mean()) if len(ht) else None}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--units", nargs="+", default=list(DEFAULT_UNITS))
    ap.add_argument("--heldout-rt", action="append", default=[], metavar="NAME=FILE",
                    help="dev originals' round trips for a synthetic unit (mtdetect synth output)")
    ap.add_argument("--train-sample", type=int, default=DEFAULT_STAGE_SAMPLE,
                    help="the stage's training sample (as shipped)")
    ap.add_argument("--lm-layer", type=int, default=DEFAULT_LAYER)
    ap.add_argument("--jobs", type=int, default=2, help="processes for round trips")
    ap.add_argument("--out", type=Path, default=ROOT / "out" / "deep_robustness.json")
    args = ap.parse_args(argv)

    root = shared_data_dir()
    if not has_shared_data(root):
        print(f"shared data not found at {root}", file=sys.stderr)
        return 2
    heldout_files = dict(item.split("=", 1) for item in args.heldout_rt)
    missing = [u for u in args.units if u in SYNTH_UNITS and u not in heldout_files]
    if missing:
        print(f"--heldout-rt NAME=FILE is needed for {', '.join(missing)}", file=sys.stderr)
        return 2
    t_start = time.time()
    splits = shipped_splits(root)
    train = splits["train"] + list(read_labelled(_synth_files(None)))
    dev = splits["dev"]
    extra = {name: list(read_labelled([Path(f)])) for name, f in heldout_files.items()}
    _say(f"{len(train)} training, {len(dev)} dev articles; held-out round trips: "
         + ", ".join(f"{k} {len(v)}" for k, v in extra.items()))
    tr_an, dv_an = analyze_docs(train, quiet=True), analyze_docs(dev, quiet=True)
    ex_an = {name: analyze_docs(docs, quiet=True) for name, docs in extra.items()}

    # the stage's sample, as train_roundtrip_stage draws it (seed 13) for the shipped stage
    sample = stage_training_sample(train, args.train_sample, np.random.default_rng(13), DEFAULT_CHAIN)
    features = RoundTripFeatures(DEFAULT_CHAIN)
    states = HiddenStates(layer=args.lm_layer)
    every = [tr_an[i] for i in sample] + dv_an + [a for an in ex_an.values() for a in an]
    _say(f"round trips and language-model states of {len(every)} articles (cached after the first run)")
    warm_cache(every, DEFAULT_CHAIN, features.max_sentences, jobs=args.jobs)
    X_all = features.transform(every)
    H_all = states.transform([a.document.text for a in every])
    n_s, n_d = len(sample), len(dev)
    X_s, X_d, H_s, H_d = X_all[:n_s], X_all[n_s:n_s + n_d], H_all[:n_s], H_all[n_s:n_s + n_d]
    X_x, H_x, start = {}, {}, n_s + n_d
    for name, an in ex_an.items():
        X_x[name], H_x[name] = X_all[start:start + len(an)], H_all[start:start + len(an)]
        start += len(an)

    dev_labels = np.array([d.label for d in dev])
    is_orig = dev_labels == "original"
    # each unit's test set: dev rows (None: dev originals + the held-out round trips), labels, MT mask
    test_sets = {}
    for test in args.units:
        if test in SYNTH_UNITS:
            labels = np.r_[np.full(is_orig.sum(), "original"), np.full(len(extra[test]), "roundtrip_mt")]
            test_sets[test] = (None, labels, labels == "roundtrip_mt")
        else:
            holdout = Holdout.from_key(test)
            idx = test_subset(dev, holdout.is_test_mt)
            test_sets[test] = (idx, dev_labels[idx], np.array([holdout.is_test_mt(dev[i]) for i in idx]))
    results: dict = {"units": {}, "stage_sample": int(n_s), "lm_layer": args.lm_layer, "chain": DEFAULT_CHAIN}
    for unit in [ALL, *args.units]:
        t0 = time.time()
        gone = removed(train, unit)
        keep = np.array([i for i in range(len(train)) if i not in gone])
        model = fit_model([tr_an[i] for i in keep], [train[i].y for i in keep], [train[i].group for i in keep],
                          None, ModelConfig(use_embeddings=False))
        oof = np.full(len(train), np.nan)
        oof[keep] = model.oof_article_p_
        p1_dev, _ = score_analyses(model, dv_an)
        p1_ex = {name: score_analyses(model, an)[0] for name, an in ex_an.items()}
        in_s = np.array([i not in gone for i in sample])
        s_idx = sample[in_s]
        y_s = np.array([train[i].y for i in s_idx])
        groups = [train[i].group for i in s_idx]
        s_labels = np.array([train[i].label for i in s_idx])
        tr_orig = np.array([train[i].label == "original" for i in keep])
        scores = {MODELS[0]: (model.oof_article_p_[tr_orig], p1_dev, p1_ex)}
        for name, with_lm in ((MODELS[1], False), (MODELS[2], True)):
            stage, oof2 = fit_roundtrip_stage(oof[s_idx], X_s[in_s], y_s, groups,
                                              H=H_s[in_s] if with_lm else None, probe_layer=args.lm_layer)
            pd_ = stage.predict(p1_dev, X_d, H_d if with_lm else None)
            px = {k: stage.predict(p1_ex[k], X_x[k], H_x[k] if with_lm else None) for k in ex_an}
            scores[name] = (oof2[s_labels == "original"], pd_, px)
        row = {"removed_from_train": dict(Counter(train[i].label for i in gone)),
               "removed_from_stage_sample": int((~in_s).sum())}
        tests = [unit] if unit != ALL else list(args.units)
        for name, (oof_orig, pd_, px) in scores.items():
            th, _ = choose_thresholds(np.r_[oof_orig, pd_[is_orig]], pd_[~is_orig], 0.01)
            row[name] = {}
            for test in tests:
                idx, labels, is_mt = test_sets[test]
                p = np.r_[pd_[is_orig], px[test]] if idx is None else pd_[idx]
                row[name][test] = unit_metrics(p, labels, is_mt, th.high)
        row["seconds"] = round(time.time() - t0, 1)
        results["units"][unit] = row
        _say(f"{unit}: {row['seconds']} s")
        for name in MODELS:
            _say(f"  {name}: " + "; ".join(f"{t} {_short(m)}" for t, m in row[name].items()))
        # written after every unit: a long run that is stopped keeps the units it finished
        results["wall_seconds"] = round(time.time() - t_start, 1)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=1) + "\n")
    print(render(results))
    return 0


def _short(m: dict) -> str:
    f = lambda v: "-" if v is None else f"{v:.3f}"  # noqa: E731
    return f"orig {f(m['original_vs_mt'])} ht {f(m['human_translation_vs_mt'])} flagged {f(m['mt_flagged_at_cut'])}"


def render(results: dict) -> str:
    """A markdown table: per unit and model, all data -> held out."""
    units = [u for u in results["units"] if u != ALL]
    lines = ["| held out | model | ROC-AUC original vs MT | ROC-AUC HT vs MT | MT flagged at 1% of originals |",
             "|---|---|---|---|---|"]
    for unit in units:
        for name in MODELS:
            a, h = results["units"][ALL][name][unit], results["units"][unit][name][unit]
            cells = []
            for key in ("original_vs_mt", "human_translation_vs_mt", "mt_flagged_at_cut"):
                cells.append("-" if a[key] is None else f"{a[key]:.3f} -> {h[key]:.3f} ({h[key] - a[key]:+.3f})")
            lines.append(f"| {unit} | {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _say(msg: str) -> None:
    print(f"[deep-robustness] {msg}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
