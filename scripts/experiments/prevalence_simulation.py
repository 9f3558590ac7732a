#!/usr/bin/env python3
"""MT share per outlet: do the quantification methods recover an outlet's true MT share?

Simulated outlets are drawn from the dev split of the shipped data (WMT22 news + HTMT dev),
scored once with the model (``--model``, repeatable; cached under ``--cache``, keyed by the
model card and the dev ids). The dev documents are split by source document (``group``)
into two halves: the estimators' :class:`~mtdetect.prevalence.Reference` (class means of
``p_mt``, TPR/FPR at the model's ``high`` threshold, the Platt recalibration for EM) is
fitted on one half and outlets are drawn from the other, then the halves swap roles; this
is repeated for ``--splits`` random splits. No outlet article is ever in the reference.

Outlet of ``n`` articles with true MT share ``s``: ``round(s * n)`` MT articles (labels
``mt`` and ``roundtrip_mt``) and the rest human-written (``original`` and
``human_translation`` as the half holds them), drawn without replacement. The truth is the
outlet's own share, ``round(s * n) / n``. (At 500 articles, beyond the issue's sizes, a half
has too few human-written articles for the low shares; they are drawn with replacement.) For
each method and cell: coverage of the 95% interval, mean absolute error, mean bias and mean
interval width, over ``--splits x 2 x --replicates`` outlets. Methods (see
:mod:`mtdetect.prevalence`):

* ``cc``: share flagged at the ``high`` threshold with its Wilson interval (what
  ``share_flagged`` in sources.csv reports; it estimates something else, shown for scale);
* ``acc``: adjusted classify and count at the ``high`` threshold;
* ``pacc``: probabilistic adjusted classify and count (the audit's default);
* ``em``: EM prior on the model's own ``p_mt``;
* ``em_recal``: EM prior on ``p_mt`` recalibrated on the reference half.

A last table (``--sensitivity-n`` articles) draws the human part of every outlet from one
kind only (all original English, or all human translations) and estimates it against each
human reference of ``mtdetect audit --human-reference``: ``mixed`` (the reference half's
human-written articles as dev mixes them: the bias a one-sided outlet gets by default),
``original`` or ``translation`` (:meth:`~mtdetect.prevalence.Reference.matched`: the human
class fitted on the reference half's articles of that label alone). The matched reference is
the one whose label is the outlet's human part; the other one shows the cost of a wrong
choice. The same outlets are drawn for every reference. Matching changes only the human
class, so EM (which reads the recalibration) is shown for the mixed reference only.

  python scripts/experiments/prevalence_simulation.py                     # fast model
  python scripts/experiments/prevalence_simulation.py --model models/default --model models/default-fast
  python scripts/experiments/prevalence_simulation.py --score-only        # fill the score cache

Writes ``--out`` (docs/results/prevalence_simulation.json) and prints markdown tables.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
#: The issue's outlet sizes, plus 500 to show how the error falls beyond them.
ISSUE_SIZES = (20, 50, 200)
SIZES = (*ISSUE_SIZES, 500)
SHARES = (0.0, 0.05, 0.2, 0.5, 0.8, 1.0)
METHODS = ("pacc", "acc", "em_recal", "em", "cc")
POSITIVE = ("mt", "roundtrip_mt")
#: The bar of the issue: coverage of the 95% interval, and MAE at 200 articles.
MIN_COVERAGE, MAX_MAE_AT_200, BAR_N = 0.90, 0.05, 200


# --------------------------------------------------------------------------- scores


def card_hash(model_dir: Path) -> str:
    return hashlib.sha256((model_dir / "card.json").read_bytes()).hexdigest()


def dev_scores(model_dirs: list[Path], cache: Path, quiet: bool) -> dict[str, dict[str, np.ndarray]]:
    """Dev article scores per model: from the cache, else analysed once and scored."""
    from mtdetect.datasets import shipped_splits

    dev = shipped_splits()["dev"]
    ids_hash = hashlib.sha256("\n".join(d.id for d in dev).encode()).hexdigest()[:16]
    cache.mkdir(parents=True, exist_ok=True)
    out, todo = {}, []
    for m in model_dirs:
        path = cache / f"{m.name}-{card_hash(m)[:16]}-{ids_hash}.npz"
        if path.exists():
            z = np.load(path)
            out[str(m)] = {k: z[k] for k in z.files}
        else:
            todo.append((m, path))
    if todo:
        from mtdetect.model import load_bundle
        from mtdetect.training import analyze_docs, score_analyses, use_cached_embedder

        t0 = time.time()
        analyses = analyze_docs(dev, quiet=quiet)
        log(f"analysed {len(dev)} dev articles in {time.time() - t0:.0f} s")
        for m, path in todo:
            model = load_bundle(m)
            use_cached_embedder(model)
            t0 = time.time()
            p, _ = score_analyses(model, analyses)
            log(f"scored with {m} in {time.time() - t0:.0f} s")
            rec = {
                "p": p,
                "label": np.array([d.label for d in dev]),
                "group": np.array([d.group for d in dev]),
                "high": np.array(model.thresholds.high),
            }
            np.savez(path, **rec)
            out[str(m)] = rec
    return out


def log(msg: str) -> None:
    print(f"[prevalence] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- simulation


def estimates(x: np.ndarray, ref, methods: tuple[str, ...]) -> dict[str, tuple[float, float, float]]:
    """``(share, low, high)`` of the outlet scored ``x`` by every method."""
    from mtdetect.prevalence import estimate_from_scores

    out = {}
    for m in methods:
        if m == "em_recal":
            e = estimate_from_scores(x, ref, "em")
        elif m == "em":
            e = estimate_from_scores(x, replace(ref, recalibration=None), "em")
        else:
            e = estimate_from_scores(x, ref, m)
        out[m] = (e.share, e.low, e.high)
    return out


def halves(groups: np.ndarray, seed: int, split: int) -> np.ndarray:
    """A boolean mask: the articles whose source document falls in the first half."""
    names = np.unique(groups)
    order = np.random.default_rng([seed, split]).permutation(len(names))
    first = set(names[order[: len(names) // 2]].tolist())
    return np.array([g in first for g in groups])


def simulate(scores: dict[str, np.ndarray], args, human_kinds: tuple[str, ...] | None, sizes, shares, methods,
             human_reference: str = "mixed") -> dict:
    """Per (n, share, method): errors and coverage over every split, direction and replicate.

    ``human_kinds``: the labels an outlet's human-written articles are drawn from (None: all);
    ``human_reference``: the reference's human class (:meth:`Reference.matched`). The outlets
    drawn depend on neither the methods nor the reference, so runs that differ only in those
    estimate the same outlets."""
    from mtdetect.prevalence import Reference

    p, labels, groups = scores["p"], scores["label"], scores["group"]
    high = float(scores["high"])
    y = np.isin(labels, POSITIVE)
    acc: dict[tuple, list] = {}
    refs = []
    for split in range(args.splits):
        first = halves(groups, args.seed, split)
        for direction, cal in enumerate((first, ~first)):
            sim = ~cal
            ref = Reference.from_scores(p[cal], y[cal], groups=groups[cal], labels=labels[cal], cut=high,
                                        source=f"split {split} half {direction}").matched(human_reference)
            refs.append(ref)
            pos = p[sim & y]
            human = sim & ~y if human_kinds is None else sim & np.isin(labels, human_kinds)
            neg = p[human]
            for i, n in enumerate(sizes):
                for j, share in enumerate(shares):
                    k = int(round(share * n))
                    truth = k / n
                    rng = np.random.default_rng([args.seed, split, direction, i, j, 0 if human_kinds is None else
                                                 len("".join(human_kinds))])
                    cell = acc.setdefault((n, share), [])
                    for _ in range(args.replicates):
                        x = np.concatenate([rng.choice(pos, k, replace=k > len(pos)),
                                            rng.choice(neg, n - k, replace=n - k > len(neg))])
                        for m, (e, lo, hi) in estimates(x, ref, methods).items():
                            cell.append((m, truth, e, lo, hi))
    return {"cells": summarise(acc, methods), "reference_example": refs[0].to_card(),
            "outlets_per_cell": args.splits * 2 * args.replicates}


def summarise(acc: dict[tuple, list], methods) -> list[dict]:
    rows = []
    for (n, share), records in sorted(acc.items()):
        for m in methods:
            r = np.array([(t, e, lo, hi) for mm, t, e, lo, hi in records if mm == m], dtype=float)
            t, e, lo, hi = r.T
            rows.append({
                "n": n, "share": share, "method": m, "outlets": len(r),
                "coverage": round(float(((lo <= t + 1e-12) & (t <= hi + 1e-12)).mean()), 4),
                "mae": round(float(np.abs(e - t).mean()), 4),
                "bias": round(float((e - t).mean()), 4),
                "mean_width": round(float((hi - lo).mean()), 4),
            })
    return rows


# --------------------------------------------------------------------------- output


def _cell_text(c: dict) -> str:
    return f"{c['coverage']:.2f} / {c['mae']:.3f}"


def table_by_size(runs: dict[str, list[dict]], method: str, sizes, shares) -> str:
    """``method`` per model and outlet size: ``coverage / MAE`` per true share."""
    lines = ["| model | articles | " + " | ".join(f"{round(100 * s)}%" for s in shares) + " | mean MAE |",
             "|" + "---|" * (len(shares) + 3)]
    for model, cells in runs.items():
        index = {(c["method"], c["n"], c["share"]): c for c in cells}
        for n in sizes:
            row = [index[(method, n, s)] for s in shares]
            lines.append(f"| {model} | {n} | " + " | ".join(_cell_text(c) for c in row)
                         + f" | {np.mean([c['mae'] for c in row]):.3f} |")
    return "\n".join(lines)


def table_by_method(runs: dict[str, list[dict]], methods, n: int, shares) -> str:
    """Every method at ``n`` articles, per model: ``coverage / MAE`` per true share."""
    lines = ["| model | method | " + " | ".join(f"{round(100 * s)}%" for s in shares) + " | mean MAE |",
             "|" + "---|" * (len(shares) + 3)]
    for model, cells in runs.items():
        index = {(c["method"], c["n"], c["share"]): c for c in cells}
        for m in methods:
            row = [index[(m, n, s)] for s in shares]
            lines.append(f"| {model} | {m} | " + " | ".join(_cell_text(c) for c in row)
                         + f" | {np.mean([c['mae'] for c in row]):.3f} |")
    return "\n".join(lines)


#: The human references of ``mtdetect audit --human-reference``, and the label each one matches.
HUMAN_REFERENCES = ("mixed", "original", "translation")
MATCHES = {"original": "original", "human_translation": "translation"}
HUMAN_KINDS = tuple(MATCHES)


def bias_table(runs: dict[str, dict[str, dict[str, list[dict]]]], methods, shares) -> str:
    """Mean bias (coverage) when every human-written article of an outlet is of one kind, per reference.

    ``runs[model][human part][reference]``: the cells of one run; rows for each ``method`` the run has."""
    lines = ["| model | human part | reference | method | " + " | ".join(f"{round(100 * s)}%" for s in shares)
             + " | mean MAE |", "|" + "---|" * (len(shares) + 5)]
    for model, by_kind in runs.items():
        for kind, by_ref in by_kind.items():
            for reference, cells in by_ref.items():
                index = {(c["method"], c["share"]): c for c in cells}
                tag = reference + (" (matched)" if MATCHES[kind] == reference else "")
                for m in methods:
                    if (m, shares[0]) not in index:
                        continue
                    vals = " | ".join(f"{index[(m, s)]['bias']:+.3f} ({index[(m, s)]['coverage']:.2f})"
                                      for s in shares)
                    mae = np.mean([index[(m, s)]["mae"] for s in shares])
                    lines.append(f"| {model} | {kind.replace('_', ' ')} | {tag} | {m} | {vals} | {mae:.3f} |")
    return "\n".join(lines)


def verdict(cells: list[dict], method: str) -> dict:
    """The method against the issue's bar (coverage >= 0.90 at 20, 50 and 200 articles, MAE <= 0.05 at 200)."""
    mine = [c for c in cells if c["method"] == method and c["n"] in ISSUE_SIZES]
    at_bar = [c for c in mine if c["n"] == BAR_N]
    return {
        "method": method,
        "min_coverage": min(c["coverage"] for c in mine),
        "cells_below_coverage_bar": [(c["n"], c["share"]) for c in mine if c["coverage"] < MIN_COVERAGE],
        "meets_coverage_bar": all(c["coverage"] >= MIN_COVERAGE for c in mine),
        f"mae_at_{BAR_N}": {str(c["share"]): c["mae"] for c in at_bar},
        f"mean_mae_at_{BAR_N}": round(float(np.mean([c["mae"] for c in at_bar])), 4),
        f"shares_above_mae_bar_at_{BAR_N}": [c["share"] for c in at_bar if c["mae"] > MAX_MAE_AT_200],
        "meets_mae_bar": all(c["mae"] <= MAX_MAE_AT_200 for c in at_bar),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", action="append", type=Path, help="model bundle (repeatable; default models/default-fast)")
    ap.add_argument("--splits", type=int, default=10, help="random halvings of the dev source documents")
    ap.add_argument("--replicates", type=int, default=50, help="outlets per cell, split and direction")
    ap.add_argument("--seed", type=int, default=20261203)
    ap.add_argument("--sensitivity-n", type=int, default=200)
    ap.add_argument("--cache", type=Path, default=ROOT / ".cache" / "prevalence")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "results" / "prevalence_simulation.json")
    ap.add_argument("--score-only", action="store_true", help="fill the score cache and stop")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    models = args.model or [ROOT / "models" / "default-fast"]

    from mtdetect.datasets import has_shared_data

    if not has_shared_data():
        print("the shared data is not available (set MTDETECT_SHARED_DATA)", file=sys.stderr)
        return 2
    scores = dev_scores(models, args.cache, args.quiet)
    if args.score_only:
        return 0
    from mtdetect.prevalence import DEFAULT_METHOD

    t0 = time.time()
    result: dict = {
        "config": {"splits": args.splits, "replicates": args.replicates, "seed": args.seed, "sizes": SIZES,
                   "shares": SHARES, "methods": METHODS, "default_method": DEFAULT_METHOD,
                   "bar": {"min_coverage": MIN_COVERAGE, "max_mae_at_200": MAX_MAE_AT_200}},
        "models": {},
    }
    # matching changes the human class only: EM (which reads the recalibration) is the same for every reference
    sens_methods = {"mixed": (DEFAULT_METHOD, "acc", "em_recal"), "original": (DEFAULT_METHOD, "acc"),
                    "translation": (DEFAULT_METHOD, "acc")}
    runs, sens_runs = {}, {}
    for m in models:
        sc = scores[str(m)]
        labels = sc["label"]
        card = json.loads((m / "card.json").read_text(encoding="utf-8"))
        log(f"simulating outlets for {m.name}")
        main_run = simulate(sc, args, None, SIZES, SHARES, METHODS)
        sens = {kind: {ref: simulate(sc, args, (kind,), (args.sensitivity_n,), SHARES, sens_methods[ref], ref)["cells"]
                       for ref in HUMAN_REFERENCES}
                for kind in HUMAN_KINDS}
        runs[m.name], sens_runs[m.name] = main_run["cells"], sens
        result["models"][m.name] = {
            "model": card.get("name", m.name),
            "card_sha256": card_hash(m),
            "dev_counts": {k: int((labels == k).sum()) for k in sorted(set(labels.tolist()))},
            "high": float(sc["high"]),
            "outlets_per_cell": main_run["outlets_per_cell"],
            "reference_example": main_run["reference_example"],
            "cells": main_run["cells"],
            "verdict": {meth: verdict(main_run["cells"], meth) for meth in METHODS if meth != "cc"},
            # the mixed reference, as before the choice existed (cells per human part)
            "sensitivity_one_kind_of_human": {"n": args.sensitivity_n,
                                              "cells": {kind: sens[kind]["mixed"] for kind in HUMAN_KINDS}},
            # every reference of --human-reference (cells per reference, then per human part)
            "sensitivity_human_reference": {
                "n": args.sensitivity_n, "matches": MATCHES,
                "cells": {ref: {kind: sens[kind][ref] for kind in HUMAN_KINDS} for ref in HUMAN_REFERENCES},
            },
        }
    per_cell = args.splits * 2 * args.replicates
    print(f"Default method ({DEFAULT_METHOD}): coverage of the 95% interval / mean absolute error, "
          f"{per_cell} simulated outlets per cell\n")
    print(table_by_size(runs, DEFAULT_METHOD, SIZES, SHARES))
    print(f"\nAll methods at {BAR_N} articles: coverage / mean absolute error\n")
    print(table_by_method(runs, METHODS, BAR_N, SHARES))
    print(f"\n{args.sensitivity_n} articles whose human-written part is of one kind only, against each human "
          f"reference: mean bias (coverage) per true share, {DEFAULT_METHOD}\n")
    print(bias_table(sens_runs, (DEFAULT_METHOD,), SHARES))
    print("\nThe same outlets, other methods: mean bias (coverage)\n")
    print(bias_table(sens_runs, ("acc", "em_recal"), SHARES))
    result["wall_seconds"] = round(time.time() - t0, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
