#!/usr/bin/env python3
"""How much an article's default-mode score depends on the articles scored beside it, and
what an encoder whose vectors do not depend on the batch would cost.

Torch's dynamic int8 quantisation scales a Linear layer's input by the range of the whole
batch (every token of every sentence in it, padding included). A sentence's vector therefore
moves with the sentences encoded beside it, and so does its article's ``p_mt``: the same
article scored alone (``mtdetect score one.txt``) and in a batch of 32 (a directory, an
audit) can get different scores.

Part 1 scores ``--articles`` dev articles (fixed seed) with the shipped default model, in
batches of 32 and one at a time, and reports the differences in ``p_mt`` and in verdicts.
Part 2 encodes the sentences the default mode embeds of those articles with the encoder in
int8 (shipped), float32 and bfloat16 (torch autocast), alternately, and reports sentences/s,
cosine to float32, and cosine between batches of 32 and batches of 1 (batch dependence).

    python scripts/experiments/batch_dependence.py [--articles 400] [--model DIR] [--scores-only] [--json out.json]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from pathlib import Path

import numpy as np


def score_differences(texts: list[str], model: str) -> dict:
    from mtdetect.detector import Detector

    detector = Detector.load(model)

    def run(batch_size: int) -> tuple[np.ndarray, list[str]]:
        reports = list(detector.score_many(texts, batch_size=batch_size))
        return np.array([r.p_mt for r in reports]), [r.verdict for r in reports]

    p32, v32 = run(32)
    p32_again, _ = run(32)
    p1, v1 = run(1)
    diff = np.abs(p32 - p1)
    return {"articles": len(texts), "repeat_batch32_max_abs_diff": float(np.abs(p32 - p32_again).max()),
            "batch32_vs_alone_mean_abs_diff": float(diff.mean()),
            "batch32_vs_alone_p95_abs_diff": float(np.quantile(diff, 0.95)),
            "batch32_vs_alone_max_abs_diff": float(diff.max()),
            "verdicts_changed": int(sum(a != b for a, b in zip(v32, v1)))}


def encoder_variants(texts: list[str], rounds: int) -> dict:
    import torch

    from mtdetect.embeddings import MiniLMEmbedder

    autocast = lambda: torch.autocast("cpu", dtype=torch.bfloat16)  # noqa: E731
    variants = {"int8 (shipped)": (MiniLMEmbedder(quantize=True), contextlib.nullcontext),
                "float32": (MiniLMEmbedder(quantize=False), contextlib.nullcontext),
                "bfloat16 autocast": (MiniLMEmbedder(quantize=False), autocast)}

    def encode(name: str, batch_size: int, subset: list[str]) -> tuple[float, np.ndarray]:
        embedder, ctx = variants[name]
        embedder.batch_size = batch_size
        start = time.perf_counter()
        with ctx():
            vecs = embedder.encode(subset)
        return len(subset) / (time.perf_counter() - start), vecs

    for name in variants:  # load and warm up
        encode(name, 32, texts[:32])
    speed: dict[str, list[float]] = {name: [] for name in variants}
    vecs: dict[str, np.ndarray] = {}
    for _ in range(rounds):
        for name in variants:
            rate, vecs[name] = encode(name, 32, texts)
            speed[name].append(round(rate, 1))
    alone = texts[:300]
    out = {}
    for name in variants:
        _, v1 = encode(name, 1, alone)
        to_fp32 = (vecs[name] * vecs["float32"]).sum(1)
        batch = (v1 * vecs[name][: len(alone)]).sum(1)
        out[name] = {"sentences_per_s": speed[name],
                     "cosine_to_float32_mean": float(to_fp32.mean()), "cosine_to_float32_min": float(to_fp32.min()),
                     "batch32_vs_batch1_cosine_mean": float(batch.mean()), "batch32_vs_batch1_cosine_min": float(batch.min())}
    return {"sentences": len(texts), "batch_size": 32, "variants": out}


def dev_sample(n_articles: int) -> tuple[list[str], list[list[str]]] | None:
    """``n_articles`` dev articles (fixed seed) and, per article, the sentences the default mode
    embeds of it; None without ../shared/data. int8_error.py measures on the same sample."""
    from mtdetect.datasets import has_shared_data, shipped_splits
    from mtdetect.model import DEFAULT_EMBED_MAX_SENTENCES, embedded_rows
    from mtdetect.segment import segment

    if not has_shared_data():
        return None
    dev = shipped_splits()["dev"]
    rng = np.random.default_rng(0)
    texts = [dev[i].text for i in rng.choice(len(dev), min(n_articles, len(dev)), replace=False)]
    embedded = []
    for text in texts:
        sents = [s.text for s in segment(text).sentences]
        embedded.append([sents[i] for i in embedded_rows(len(sents), DEFAULT_EMBED_MAX_SENTENCES)])
    return texts, embedded


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=400)
    ap.add_argument("--rounds", type=int, default=2, help="alternating timing rounds of the encoders")
    ap.add_argument("--model", default="models/default", help="bundle whose scores are compared (part 1)")
    ap.add_argument("--scores-only", action="store_true", help="part 1 only")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    sample = dev_sample(args.articles)
    if sample is None:
        print("needs ../shared/data", file=sys.stderr)
        return 2
    texts, embedded = sample
    sentences = [s for article in embedded for s in article]
    result = {"model": args.model, "scores": score_differences(texts, args.model)}
    if not args.scores_only:
        result["encoders"] = encoder_variants(sentences, args.rounds)
    print(json.dumps(result, indent=1))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
