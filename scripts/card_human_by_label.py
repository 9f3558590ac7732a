#!/usr/bin/env python3
"""Add the human class of each dev label (``human_by_label``) to a model card, without retraining.

``mtdetect audit --human-reference original|translation`` corrects the estimated MT share
against dev's original English articles or its human translations alone; a card written
before that existed has only the mixed human class. This script computes the missing numbers
from the model's dev scores with the code the training uses
(``Reference.from_scores(p, y, groups=..., labels=..., cut=high, source=...)``, as in
:func:`mtdetect.training.train`) and writes **only** ``prevalence.human_by_label`` into
``card.json``. It refuses unless the mixed numbers it computes equal the card's exactly (then
the scores are the ones the card was made from) and unless the card is formatted as
``save_bundle`` writes it (then every other byte stays as it is).

Dev scores: ``--scores FILE``, an ``.npz`` of ``p``, ``label`` and ``group`` (the cache of
``scripts/experiments/prevalence_simulation.py``), else the dev split of the shipped data
scored here the way training scored it: with the embedding cap the card records
(``dev_embed_max_sentences``; a card without it, written before training scored dev as run
time does, had every sentence embedded), whatever ``$MTDETECT_EMBED_MAX_SENTENCES`` says now.
(For a model without embeddings the cap does not matter, and the simulation's cache
reproduces the card.)

  python scripts/card_human_by_label.py --model models/default-fast --scores .cache/prevalence/default-fast-....npz
  python scripts/card_human_by_label.py --model models/default              # scores dev as training did
  python scripts/card_human_by_label.py --model models/default --check      # compute and compare, write nothing
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def card_text(card: dict) -> str:
    """``card.json`` as :func:`mtdetect.model.save_bundle` writes it."""
    return json.dumps(card, indent=2, ensure_ascii=False) + "\n"


def dev_scores_as_trained(model_dir: Path) -> dict[str, np.ndarray]:
    """The shipped dev split scored as :func:`mtdetect.training.train` scored it (the card's embedding cap)."""
    from mtdetect.datasets import shipped_splits
    from mtdetect.model import load_bundle
    from mtdetect.training import analyze_docs, score_analyses, use_cached_embedder

    dev = shipped_splits()["dev"]
    model = load_bundle(model_dir)
    # as training scored dev: the cap it recorded (None on older cards: every sentence embedded)
    model.embed_max_sentences = model.card.get("dev_embed_max_sentences")
    use_cached_embedder(model)
    p, _ = score_analyses(model, analyze_docs(dev, quiet=True))
    return {"p": np.asarray(p, dtype=float), "label": np.array([d.label for d in dev]),
            "group": np.array([d.group for d in dev])}


def human_by_label(card: dict, scores: dict[str, np.ndarray]) -> dict:
    """The card's ``prevalence`` entry recomputed from ``scores``; ValueError unless its mixed numbers match."""
    from mtdetect.datasets import POSITIVE_LABELS
    from mtdetect.prevalence import CARD_KEY, Reference

    old = card.get(CARD_KEY)
    if not isinstance(old, dict):
        raise ValueError("the card has no prevalence entry to extend (retrain the model)")
    labels = np.asarray(scores["label"])
    y = np.array([label in POSITIVE_LABELS for label in labels.tolist()], dtype=int)
    ref = Reference.from_scores(scores["p"], y, groups=scores["group"], labels=labels,
                                cut=card["thresholds"]["high"], source=old.get("source", "dev"))
    new = json.loads(json.dumps(ref.to_card()))
    mixed = {k: v for k, v in new.items() if k != "human_by_label"}
    was = {k: v for k, v in old.items() if k != "human_by_label"}
    if mixed != was:
        differ = sorted(k for k in set(mixed) | set(was) if mixed.get(k) != was.get(k))
        raise ValueError(f"these scores do not reproduce the card's prevalence entry (differs in {', '.join(differ)}): "
                         "they are not the scores the card was made from")
    return new["human_by_label"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", type=Path, required=True, help="model bundle directory (its card.json is updated)")
    ap.add_argument("--scores", type=Path, help="dev scores (.npz with p, label, group); default: score dev here")
    ap.add_argument("--check", action="store_true", help="compute and compare only; write nothing")
    args = ap.parse_args(argv)
    path = args.model / "card.json"
    text = path.read_text(encoding="utf-8")
    card = json.loads(text)
    if card_text(card) != text:
        print(f"{path}: not formatted as save_bundle writes it; refusing to rewrite it", file=sys.stderr)
        return 2
    if args.scores:
        z = np.load(args.scores)
        scores = {k: z[k] for k in ("p", "label", "group")}
    else:
        scores = dev_scores_as_trained(args.model)
    try:
        by_label = human_by_label(card, scores)
    except ValueError as exc:
        print(f"{path}: {exc}", file=sys.stderr)
        return 1
    summary = {k: (v["p_human"]["n"], round(v["p_human"]["mean"], 4)) for k, v in by_label.items()}
    print(f"{path}: mixed numbers reproduced exactly; human class per label (n, mean p_mt): {summary}")
    if args.check:
        return 0
    card["prevalence"]["human_by_label"] = by_label
    path.write_text(card_text(card), encoding="utf-8")
    print(f"wrote prevalence.human_by_label into {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
