#!/usr/bin/env python3
"""Shortcut and transfer checks for the n-gram component, article level, on dev data.

Trains plain TF-IDF + logistic regression models on the shipped train split and reports
dev ROC-AUC per comparison for: raw word 1-2-grams, the same with quotes/dashes normalised
(a quote-style shortcut shows up as a drop), and the topic-robust text view the shipped model
uses; then the text view across corpora (train on one corpus, test on the other).

  python scripts/experiments/ngram_shortcuts.py
"""

from __future__ import annotations

import re

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from mtdetect.datasets import shipped_splits
from mtdetect.features import _QUOTE_DASH, text_view
from mtdetect.model import balanced_weights

COMPARISONS = {"original_vs_mt": ({"original"}, {"mt"}), "ht_vs_mt": ({"human_translation"}, {"mt"}),
               "original_vs_roundtrip": ({"original"}, {"roundtrip_mt"})}


def normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text.translate(_QUOTE_DASH))


def run(name, train, dev, view, ngrams, token_pattern):
    y = np.array([d.y for d in train])
    vec = TfidfVectorizer(ngram_range=ngrams, min_df=3, sublinear_tf=True, lowercase=False, token_pattern=token_pattern)
    clf = LogisticRegression(C=10, max_iter=3000).fit(vec.fit_transform([view(d.text) for d in train]), y,
                                                      sample_weight=balanced_weights(y))
    p = clf.predict_proba(vec.transform([view(d.text) for d in dev]))[:, 1]
    cells = []
    for comp, (neg, pos) in COMPARISONS.items():
        m = np.array([d.label in neg | pos for d in dev])
        yy = np.array([d.y for d in dev])[m]
        cells.append(f"{comp}={roc_auc_score(yy, p[m]):.3f}" if len(set(yy)) == 2 else f"{comp}=-")
    print(f"{name:<40} " + "  ".join(cells), flush=True)


def main() -> None:
    sp = shipped_splits()
    train, dev = sp["train"], sp["dev"]
    words = r"(?u)\b\w+\b|[^\w\s]"
    run("raw word 1-2-grams", train, dev, lambda t: t, (1, 2), words)
    run("punctuation-normalised word 1-2-grams", train, dev, normalised, (1, 2), words)
    run("text view 1-3-grams (shipped)", train, dev, text_view, (1, 3), r"\S+")
    run("text view: train HTMT -> dev WMT22", [d for d in train if d.corpus == "htmt"],
        [d for d in dev if d.corpus != "htmt"], text_view, (1, 3), r"\S+")
    run("text view: train WMT21 -> dev HTMT", [d for d in train if d.corpus != "htmt"],
        [d for d in dev if d.corpus == "htmt"], text_view, (1, 3), r"\S+")


if __name__ == "__main__":
    main()
