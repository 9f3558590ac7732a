#!/usr/bin/env python3
"""Add the ``--deep`` stage's prevalence reference to a shipped ``roundtrip.json``, without retraining.

An audit estimates each outlet's MT share from a reference: the model's scores of labelled dev
articles (:mod:`mtdetect.prevalence`). ``train --deep`` now stores one for the stage
(:func:`mtdetect.training.stage_reference`); a stage saved before that has none, so an audit
with ``--deep`` left the estimate empty and could not say what its cut flags. (``--cascade``
uses no reference: its scores mix the two stages'.)
This scores the shipped dev split with the bundle's ``--deep`` model as it runs (the first stage
with its run-time embedding cap, then the stage; round trips and language-model states come
from ``$MTDETECT_CACHE`` when there) and writes **only** ``card.prevalence`` into
``roundtrip.json``, formatted as :meth:`mtdetect.deep.RoundTripStage.save` writes it.

  python scripts/card_deep_prevalence.py --model models/default --check   # compute and print only
  python scripts/card_deep_prevalence.py --model models/default
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def dev_scores(model_dir: Path, jobs: int) -> tuple[list, np.ndarray]:
    """The shipped dev split and its ``--deep`` article probabilities, as ``score --deep`` gives them."""
    from mtdetect.datasets import shipped_splits
    from mtdetect.detector import Detector
    from mtdetect.roundtrip import warm_cache
    from mtdetect.training import analyze_docs

    dev = shipped_splits()["dev"]
    detector = Detector.load(str(model_dir), deep="all")
    model = detector.model
    analyses = analyze_docs(dev, quiet=True)
    warm_cache(analyses, model.stage.chain, model.stage.max_sentences, jobs=jobs)
    p = []
    for i in range(0, len(analyses), 256):
        p += [pred.article_p for pred in model.predict(analyses[i:i + 256])]
        print(f"[{time.strftime('%H:%M:%S')}] {min(i + 256, len(analyses))}/{len(analyses)} dev articles",
              file=sys.stderr, flush=True)
    return dev, np.asarray(p, dtype=float)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, default=ROOT / "models" / "default")
    ap.add_argument("--jobs", type=int, default=2, help="processes for round trips not yet cached")
    ap.add_argument("--check", action="store_true", help="compute and print, write nothing")
    args = ap.parse_args(argv)
    from mtdetect.deep import ROUNDTRIP_FILE, RoundTripStage
    from mtdetect.training import stage_reference

    path = args.model / ROUNDTRIP_FILE
    stage = RoundTripStage.load(args.model)
    if path.read_text(encoding="utf-8") != _saved_text(stage):
        print(f"{path} is not formatted as RoundTripStage.save writes it; refusing to rewrite it", file=sys.stderr)
        return 2
    dev, p = dev_scores(args.model, args.jobs)
    ref = stage_reference(dev, p, stage.thresholds.high)
    entry = ref.to_card()
    print(json.dumps({"flagged_on_dev": ref.flagged_shares(), "human_labels": entry.get("human_labels"),
                      "cut": entry.get("cut"), "source": entry.get("source")}, indent=1))
    if args.check:
        return 0
    from dataclasses import replace

    replace(stage, card={**stage.card, "prevalence": entry}).save(args.model)
    print(f"wrote card.prevalence into {path}", file=sys.stderr)
    return 0


def _saved_text(stage) -> str:
    """``roundtrip.json`` as :meth:`RoundTripStage.save` would write ``stage``."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        return stage.save(tmp).read_text(encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
