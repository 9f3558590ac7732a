#!/usr/bin/env python3
"""Can the model's features tell which language an MT article was translated from?

Today the likely source language comes from findings alone (a calque or a homograph that
points to one language). This trains multinomial logistic regressions on the MT articles
of the shipped train split (source languages de, en = round trips, is, ja, ru) and measures
on the MT articles of the dev split:

* accuracy on dev articles whose source language occurs in training (de, en, ja, ru),
  per language and per corpus: in train, German sources come only from HTMT and ja/ru/is
  only from WMT21, so WMT22's German articles show whether a classifier learned the
  language or the corpus;
* what it says about languages it never saw (cs, zh), and how confident it is there;
* the findings-only rule for comparison: how often it gives a language, and how often
  that language is right.

Feature sets: the article features of the model (finding densities, style signals,
sentence-length statistics); n-grams of the topic-robust text view (the model's text
features); both; and, with ``--embeddings``, the mean MiniLM sentence embedding (from the
on-disk cache).

  python scripts/experiments/source_language.py [--embeddings] [--out out/source_language.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from mtdetect.datasets import LabelledDoc, has_shared_data, shared_data_dir, shipped_splits
from mtdetect.detector import source_language_from_findings
from mtdetect.features import ARTICLE_FEATURE_NAMES, Analysis, article_features, text_view
from mtdetect.training import analyze_docs, default_embedder

ROOT = Path(__file__).resolve().parents[2]
CONFIDENCE_CUTS = (0.5, 0.7, 0.9)


def dense_features(analyses: list[Analysis]) -> np.ndarray:
    return np.vstack([article_features(a)[0] for a in analyses]).reshape(len(analyses), len(ARTICLE_FEATURE_NAMES))


def views(analyses: list[Analysis]) -> list[str]:
    return [" \n ".join(text_view(s.text) for s in a.document.sentences) for a in analyses]


def mean_embeddings(analyses: list[Analysis], embedder) -> np.ndarray:
    out = np.zeros((len(analyses), embedder.dim))
    for i, a in enumerate(analyses):
        texts = [s.text for s in a.document.sentences]
        if texts:
            out[i] = embedder.encode(texts).mean(axis=0)
    return out


def fit_predict(X_train, y_train: np.ndarray, X_dev, C: float) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial logistic regression with balanced classes; (classes, dev probabilities)."""
    clf = LogisticRegression(C=C, max_iter=3000, class_weight="balanced")
    clf.fit(X_train, y_train)
    return clf.classes_, clf.predict_proba(X_dev)


def report(name: str, classes: np.ndarray, proba: np.ndarray, dev: list[LabelledDoc]) -> dict:
    """Accuracy on seen languages (overall, per language, per corpus) and behaviour on unseen ones."""
    pred = classes[proba.argmax(axis=1)]
    conf = proba.max(axis=1)
    gold = np.array([d.src_lang for d in dev])
    corpus = np.array([d.corpus for d in dev])
    seen = np.isin(gold, classes)
    correct = pred == gold
    res: dict = {
        "accuracy_seen_languages": float(correct[seen].mean()),
        "balanced_accuracy_seen_languages": float(np.mean([correct[gold == lang].mean() for lang in np.unique(gold[seen])])),
        "n_seen": int(seen.sum()),
        "per_language": {},
        "per_corpus_language": {},
        "unseen_languages": {},
        "mean_confidence": {"seen_correct": float(conf[seen & correct].mean()),
                            "seen_wrong": float(conf[seen & ~correct].mean()) if (seen & ~correct).any() else None,
                            "unseen": float(conf[~seen].mean()) if (~seen).any() else None},
    }
    for lang in sorted(set(gold[seen])):
        m = gold == lang
        res["per_language"][lang] = {"n": int(m.sum()), "accuracy": float(correct[m].mean()),
                                     "predicted": dict(Counter(pred[m].tolist()).most_common())}
        for c in sorted(set(corpus[m])):
            mc = m & (corpus == c)
            res["per_corpus_language"][f"{c}/{lang}"] = {"n": int(mc.sum()), "accuracy": float(correct[mc].mean()),
                                                         "predicted": dict(Counter(pred[mc].tolist()).most_common())}
    for lang in sorted(set(gold[~seen])):
        m = gold == lang
        res["unseen_languages"][lang] = {"n": int(m.sum()), "predicted": dict(Counter(pred[m].tolist()).most_common())}
    # What a user would see: over all dev MT articles (unseen languages can only be wrong), how
    # often a predicted language is right, and what abstaining below a confidence buys.
    res["precision_when_predicted"] = {
        lang: {"n_predicted": int((pred == lang).sum()), "precision": float(correct[pred == lang].mean())}
        for lang in classes if (pred == lang).any()
    }
    res["accuracy_all_dev_mt"] = float(correct.mean())
    res["abstain_below"] = {
        f"{t:.1f}": {"coverage": float((conf >= t).mean()),
                     "accuracy_when_given": float(correct[conf >= t].mean()) if (conf >= t).any() else None}
        for t in CONFIDENCE_CUTS
    }
    print(f"\n## {name}: accuracy on dev MT articles of seen languages {res['accuracy_seen_languages']:.3f} "
          f"(balanced {res['balanced_accuracy_seen_languages']:.3f}, n={res['n_seen']})")
    for key, r in res["per_corpus_language"].items():
        print(f"  {key:<12} n={r['n']:<5} accuracy {r['accuracy']:.3f}  predicted {r['predicted']}")
    for lang, r in res["unseen_languages"].items():
        print(f"  unseen {lang:<5} n={r['n']:<5} predicted {r['predicted']}")
    print("  precision when predicted (all dev MT articles): " + ", ".join(
        f"{lang} {r['precision']:.2f} (n={r['n_predicted']})" for lang, r in res["precision_when_predicted"].items()))
    print(f"  accuracy over all dev MT articles {res['accuracy_all_dev_mt']:.3f}; abstaining below a top probability of "
          + ", ".join(f"{t}: coverage {r['coverage']:.2f}, accuracy {r['accuracy_when_given'] or 0:.2f}"
                      for t, r in res["abstain_below"].items()))
    mc = res["mean_confidence"]
    print("  mean top probability: seen & right {:.2f}, seen & wrong {}, unseen {}".format(
        mc["seen_correct"], "-" if mc["seen_wrong"] is None else f"{mc['seen_wrong']:.2f}",
        "-" if mc["unseen"] is None else f"{mc['unseen']:.2f}"))
    return res


def findings_rule(analyses: list[Analysis], dev: list[LabelledDoc]) -> dict:
    """The shipped behaviour: a language only when findings carry a hint."""
    hints = [source_language_from_findings(a.findings)[0] for a in analyses]
    given = [(h, d.src_lang) for h, d in zip(hints, dev) if h is not None]
    res = {
        "n": len(dev),
        "coverage": len(given) / len(dev) if dev else 0.0,
        "n_given": len(given),
        "accuracy_when_given": (sum(h == g for h, g in given) / len(given)) if given else None,
        "given": dict(Counter(f"{h} (true {g})" for h, g in given).most_common()),
    }
    acc = "-" if res["accuracy_when_given"] is None else f"{res['accuracy_when_given']:.3f}"
    print(f"\n## findings only (shipped): a language for {res['n_given']} of {res['n']} dev MT articles "
          f"({res['coverage']:.1%}); right in {acc} of those; {res['given']}")
    return res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--embeddings", action="store_true", help="also try the mean MiniLM sentence embedding")
    ap.add_argument("--out", type=Path, default=ROOT / "out" / "source_language.json")
    args = ap.parse_args(argv)
    root = shared_data_dir()
    if not has_shared_data(root):
        print(f"shared data not found at {root}", file=sys.stderr)
        return 2
    t0 = time.time()
    splits = shipped_splits(root)
    train = [d for d in splits["train"] if d.y == 1]
    dev = [d for d in splits["dev"] if d.y == 1]
    print(f"MT articles: train {dict(Counter(d.src_lang for d in train))}, dev {dict(Counter(d.src_lang for d in dev))}")
    tr_an, dv_an = analyze_docs(train, quiet=True), analyze_docs(dev, quiet=True)
    y = np.array([d.src_lang for d in train])

    scaler = StandardScaler().fit(dense_features(tr_an))
    dense_tr, dense_dv = scaler.transform(dense_features(tr_an)), scaler.transform(dense_features(dv_an))
    hasher = HashingVectorizer(ngram_range=(1, 3), lowercase=False, token_pattern=r"\S+", n_features=2**19,
                               norm=None, alternate_sign=False)
    tfidf = TfidfTransformer(sublinear_tf=True).fit(hasher.transform(views(tr_an)))
    text_tr, text_dv = tfidf.transform(hasher.transform(views(tr_an))), tfidf.transform(hasher.transform(views(dv_an)))

    feature_sets = {
        "article features (findings, style, lengths)": (dense_tr, dense_dv, 1.0),
        "text-view n-grams": (text_tr, text_dv, 10.0),
        "article features + text-view n-grams": (sp.hstack([text_tr, sp.csr_matrix(dense_tr)]).tocsr(),
                                                 sp.hstack([text_dv, sp.csr_matrix(dense_dv)]).tocsr(), 10.0),
    }
    if args.embeddings:
        emb = default_embedder()
        e_scaler = StandardScaler().fit(mean_embeddings(tr_an, emb))
        feature_sets["mean MiniLM embedding"] = (e_scaler.transform(mean_embeddings(tr_an, emb)),
                                                 e_scaler.transform(mean_embeddings(dv_an, emb)), 1.0)

    results = {"train_counts": dict(Counter(y.tolist())), "dev_counts": dict(Counter(d.src_lang for d in dev)),
               "classifiers": {}}
    for name, (X_tr, X_dv, C) in feature_sets.items():
        classes, proba = fit_predict(X_tr, y, X_dv, C)
        results["classifiers"][name] = {"C": C, **report(name, classes, proba, dev)}
    results["findings_only"] = findings_rule(dv_an, dev)
    results["wall_seconds"] = round(time.time() - t0, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {args.out} ({results['wall_seconds']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
