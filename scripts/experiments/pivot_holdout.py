#!/usr/bin/env python3
"""Leave one synthetic pivot out of training and test on round trips through it.

The shipped models are trained on round trips through five Apertium pivots (Spanish, Catalan,
Galician, Esperanto and Serbo-Croatian, two of them per training source; see
``scripts/train.py``), besides Bergamot Portuguese. Held-back material goes through pivots
that training never saw. For each pivot in ``--pivots`` this script

1. makes round trips of the 151 English originals of dev through that pivot with
   ``mtdetect synth`` (for evaluation only; never trained on);
2. retrains the fast model (``scripts/train.py --fast``) on the shipped synthetic files minus
   that pivot's and every chain through it (``spa`` also drops the Spanish-then-Portuguese
   chain, ``pt`` the same chain), the other rule-based pivots spread over the sources as in
   the shipped recipe;
3. evaluates it (``mtdetect evaluate``) on those originals against their round trips, and
   reports the dev comparisons its training printed.

``--baseline DIR`` and ``--shipped DIR`` are also evaluated on each pivot's round trips: a
model trained before these pivots existed (``models/default-fast`` of an earlier commit) and
the model trained on every pivot.

    python scripts/experiments/pivot_holdout.py --baseline OLD/default-fast --json docs/results/pivot_holdout.json
    python scripts/experiments/pivot_holdout.py --pivots spa cat glg epo hbs pt --work DIR
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import synth_training  # noqa: E402
from train import RULE_BASED_POOL, SHIPPED_SYSTEMS  # noqa: E402

from mtdetect.datasets import shipped_splits  # noqa: E402
from mtdetect.translate.cache import default_cache_dir  # noqa: E402

MTDETECT = shutil.which("mtdetect") or "mtdetect"
#: short name -> synth system of each pivot ("glg" -> "apertium-glg"): the rule-based pool and
#: Bergamot Portuguese
PIVOTS = {system.removeprefix("apertium-"): system for system in RULE_BASED_POOL} | {"pt": "bergamot-pt"}


def without(held: str) -> list[str]:
    """The shipped synthetic systems left when ``held`` is out: every chain through it goes too
    (Spanish held out also drops the Spanish-then-Portuguese chain)."""
    return [name for name in SHIPPED_SYSTEMS if held not in name.split("+")]


def dev_originals(path: Path) -> int:
    docs = [d for d in shipped_splits()["dev"] if d.label == "original"]
    with path.open("w", encoding="utf-8") as fh:
        for d in docs:
            fh.write(json.dumps({"id": d.id, "text": d.text, "label": d.label, "doc_id": d.group}) + "\n")
    return len(docs)


def evaluate(model: Path, originals: Path, roundtrips: Path) -> dict:
    out = subprocess.run([MTDETECT, "evaluate", "--model", str(model), "--data", str(originals),
                          "--data", str(roundtrips), "--format", "json"], capture_output=True, text=True, check=True)
    a = json.loads(out.stdout)["article"]["comparisons"]["original_vs_roundtrip"]
    return {k: round(a[k], 4) for k in ("roc_auc", "tpr@1%fpr", "tpr@high", "fpr@high")} | {"n_roundtrips": a["n_mt"]}


def dev_comparisons(model: Path) -> dict:
    card = json.loads((model / "card.json").read_text())
    comps = card["dev_metrics"]["article"]
    return {name: {k: round(comps[name][k], 4) for k in ("roc_auc", "tpr@1%fpr")}
            for name in ("original_vs_mt", "human_translation_vs_mt", "original_vs_roundtrip")}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pivots", nargs="+", choices=sorted(PIVOTS), default=["glg", "epo", "hbs"])
    ap.add_argument("--synth-dir", type=Path, default=None, help="the shipped synthetic files (default: the cache's)")
    ap.add_argument("--baseline", type=Path, help="a model trained without the new pivots")
    ap.add_argument("--shipped", type=Path, default=ROOT / "models" / "default-fast")
    ap.add_argument("--work", type=Path, default=None, help="keep models and round trips here (a rerun reuses them)")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--synthetic-weight", type=float, default=1.0,
                    help="passed to scripts/train.py (the held-out models only; use a fresh --work)")
    args = ap.parse_args(argv)
    synth_dir = (args.synth_dir or default_cache_dir() / "synth").resolve()
    work = args.work or Path(tempfile.mkdtemp(prefix="mtdetect-pivots-"))
    work.mkdir(parents=True, exist_ok=True)
    originals = work / "dev_originals.jsonl"
    result: dict = {"dev_originals": dev_originals(originals), "rule_based_pool": list(RULE_BASED_POOL), "pivots": {}}
    for pivot in args.pivots:
        held = PIVOTS[pivot]
        started = time.time()
        rt = work / f"rt_{pivot}.jsonl"
        engines = synth_training.SYSTEMS[held].replace(">", ",")
        subprocess.run([MTDETECT, "synth", str(originals), "--out", str(rt), "--engine", engines,
                        "--jobs", "2", "-q"], check=True)
        folder = work / f"synth_without_{pivot}"
        folder.mkdir(exist_ok=True)
        for name in without(held):
            link = folder / f"{name}.jsonl"
            if not link.exists():
                link.symlink_to(synth_dir / f"{name}.jsonl")
        model = work / f"model_without_{pivot}"
        if not (model / "card.json").exists():  # resumable: a model trained by an earlier run is kept
            subprocess.run([sys.executable, str(ROOT / "scripts" / "train.py"), "--fast", "--synth-dir", str(folder),
                            "--out", str(model), "--synthetic-weight", str(args.synthetic_weight)],
                           check=True, stdout=subprocess.DEVNULL)
        entry = {"held_out": held, "held_out_model": evaluate(model, originals, rt),
                 "held_out_model_dev": dev_comparisons(model),
                 "shipped_model": evaluate(args.shipped, originals, rt)}
        if args.baseline:
            entry["baseline_model"] = evaluate(args.baseline, originals, rt)
        entry["seconds"] = round(time.time() - started)
        result["pivots"][pivot] = entry
        print(json.dumps({pivot: entry}, indent=1), flush=True)
    result["shipped_dev"] = dev_comparisons(args.shipped)
    if args.baseline:
        result["baseline_dev"] = dev_comparisons(args.baseline)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
