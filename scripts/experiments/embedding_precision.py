"""Dev accuracy of the shipped default model with int8 vs float32 sentence embeddings.

Dynamic int8 quantisation scales activations per batch, so a sentence's int8 embedding (and
its article's score) depends on which sentences it was encoded with. This measures what
float32 embeddings (batch-independent) change on dev, for the card's `embedding_quantized`.

    python scripts/experiments/embedding_precision.py [--mt-sample 1000]
"""
from __future__ import annotations

import argparse
import random
import time

import numpy as np

from mtdetect.datasets import shipped_splits
from mtdetect.detector import Detector
from mtdetect.embeddings import MiniLMEmbedder
from mtdetect.evaluate import tpr_at_fpr
from mtdetect.types import Article
from sklearn.metrics import roc_auc_score


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mt-sample", type=int, default=1000)
    ap.add_argument("--model", default="models/default")
    args = ap.parse_args()
    dev = shipped_splits()["dev"]
    human = [d for d in dev if not d.y]
    mt = [d for d in dev if d.y]
    random.Random(7).shuffle(mt)
    docs = human + mt[: args.mt_sample]
    arts = [Article(id=f"d{i}", text=d.text) for i, d in enumerate(docs)]
    y = np.array([bool(d.y) for d in docs])
    orig = np.array([d.label == "original" for d in docs])
    ht = ~y & ~orig
    print(f"dev: {int(orig.sum())} originals, {int(ht.sum())} human translations, {int(y.sum())} MT/round trips")
    for quantize in (True, False):
        det = Detector.load(args.model)
        det.model.embedder = MiniLMEmbedder(quantize=quantize)
        t = time.time()
        p = np.array([r.p_mt for r in det.score_many(arts, batch_size=32)])
        dt = time.time() - t
        for name, neg in (("original vs MT", orig), ("human translation vs MT", ht)):
            m = neg | y
            print(f"int8={quantize!s:5}  {name:24} AUC {roc_auc_score(y[m], p[m]):.4f}  "
                  f"tpr@1%fpr {tpr_at_fpr(y[m], p[m], 0.01):.3f}")
        print(f"int8={quantize!s:5}  {len(arts) / dt:.1f} articles/s")


if __name__ == "__main__":
    main()
