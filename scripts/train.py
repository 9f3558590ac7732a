#!/usr/bin/env python3
"""Retrain an mtdetect model.

With no arguments this reproduces the shipped models from ../shared/data:
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

from mtdetect.datasets import holdout_split, manifest_hash, read_labelled, shared_data_dir, shipped_splits
from mtdetect.evaluate import render_text
from mtdetect.model import ModelConfig
from mtdetect.training import default_embedder, train

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", nargs="+", type=Path, help="labelled JSONL files (default: the shared corpora)")
    ap.add_argument("--dev", nargs="+", type=Path, help="held-out labelled JSONL for thresholds")
    ap.add_argument("--out", type=Path, help="bundle directory (default: models/default[-fast])")
    ap.add_argument("--fast", action="store_true", help="only the no-embedding model")
    ap.add_argument("--target-fpr", type=float, default=0.01)
    ap.add_argument("--cache-dir", type=Path, default=None)
    args = ap.parse_args(argv)

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
        name = "default"
    manifest = {"files": [p.name for p in files], "sha256": manifest_hash(files),
                "split": "train: WMT21 + HTMT train (WMT08-17); dev: WMT22 + HTMT WMT18" if not args.data else "user"}

    variants = [("fast", True)] if args.fast else [("full", False), ("fast", True)]
    for variant, fast in variants:
        out = args.out or ROOT / "models" / (f"{name}-fast" if fast else name)
        if args.out and len(variants) > 1 and fast:
            out = args.out.with_name(args.out.name + "-fast")
        cfg = ModelConfig(use_embeddings=not fast, target_fpr=args.target_fpr)
        emb = None if fast else default_embedder(args.cache_dir)
        model_name = f"{name}-fast" if fast else name
        _, dev_eval = train(docs, dev, out, config=cfg, embedder=emb, name=model_name, data_manifest=manifest)
        print(f"\n### {model_name} -> {out}\n")
        print(render_text(dev_eval))
    return 0


if __name__ == "__main__":
    sys.exit(main())
