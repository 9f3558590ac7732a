"""Train and evaluate end to end: labelled files -> analysed articles -> bundle + card.

Used by ``mtdetect train``/``mtdetect evaluate`` and ``scripts/train.py``.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from .datasets import LabelledDoc
from .embeddings import CachedEmbedder, Embedder, MiniLMEmbedder, default_cache_dir
from .evaluate import breakdown, scored_articles
from .features import Analysis, analyze
from .model import ModelConfig, TrainedModel, choose_thresholds, fit_model, save_bundle
from .recognizers import builtin_recognizers
from .recognizers.base import Recognizer


def _track(items: Sequence, description: str, quiet: bool) -> Iterable:
    """A rich progress bar on a terminal, nothing otherwise."""
    if quiet or not sys.stderr.isatty():
        return items
    from rich.progress import track

    return track(items, description=description, transient=True, console=None)


def analyze_docs(docs: Sequence[LabelledDoc], recognizers: Sequence[Recognizer] | None = None,
                 quiet: bool = False) -> list[Analysis]:
    """Segment and run recognizers over each document."""
    recs = list(recognizers) if recognizers is not None else builtin_recognizers()
    return [analyze(d.text, recs) for d in _track(docs, "analysing", quiet)]


def default_embedder(cache_dir: str | Path | None = None, quantize: bool = True) -> Embedder:
    """The MiniLM embedder (int8 by default) behind an on-disk cache."""
    return CachedEmbedder(MiniLMEmbedder(quantize=quantize), cache_dir or default_cache_dir())


def log(msg: str) -> None:
    print(f"[mtdetect] {msg}", file=sys.stderr, flush=True)


def train(
    train_docs: Sequence[LabelledDoc],
    dev_docs: Sequence[LabelledDoc],
    out_dir: str | Path,
    *,
    config: ModelConfig | None = None,
    embedder: Embedder | None = None,
    name: str = "mtdetect",
    data_manifest: dict | None = None,
    quiet: bool = False,
) -> tuple[TrainedModel, dict | None]:
    """Fit on ``train_docs``, choose thresholds on held-out ``dev_docs``, save the bundle.

    Returns the model and the dev evaluation.
    """
    cfg = config or ModelConfig()
    emb = embedder if cfg.use_embeddings else None
    if cfg.use_embeddings and emb is None:
        emb = default_embedder()
    say = (lambda m: None) if quiet else log
    if not dev_docs:
        raise ValueError("dev data is required to choose thresholds (pass --dev FILE)")
    _check_labels(train_docs, "training")
    _check_labels(dev_docs, "dev")
    say(f"analysing {len(train_docs)} training articles")
    analyses = analyze_docs(train_docs, quiet=quiet)
    model = fit_model(analyses, [d.y for d in train_docs], [d.group for d in train_docs], emb, cfg, progress=say)
    model.model_id = name
    say(f"scoring {len(dev_docs)} dev articles to choose thresholds")
    dev_analyses = analyze_docs(dev_docs, quiet=quiet)
    art_p, sent = score_analyses(model, dev_analyses)
    y = np.array([d.y for d in dev_docs])
    labels = np.array([d.label for d in dev_docs])
    human_mask = labels == "original" if (labels == "original").any() else y == 0
    thresholds, th_info = choose_thresholds(art_p[human_mask], art_p[y == 1], cfg.target_fpr)
    model.thresholds = thresholds
    dev_eval = evaluation_result(model, dev_docs, dev_analyses, art_p, sent)
    card_extra = {
        "threshold_choice": {**th_info, "human_set": "original" if (labels == "original").any() else "all human"},
        "data": data_manifest or {},
        "train_label_counts": dict(Counter(d.label for d in train_docs)),
        "dev_label_counts": dict(Counter(d.label for d in dev_docs)),
        "dev_metrics": {
            "article": dev_eval["article"]["comparisons"],
            "sentence": dev_eval["sentence"]["comparisons"],
        },
    }
    save_bundle(model, out_dir, card_extra)
    say(f"saved {out_dir}")
    return model, dev_eval


def _check_labels(docs: Sequence[LabelledDoc], what: str) -> None:
    ys = {d.y for d in docs}
    if ys != {0, 1}:
        raise ValueError(f"{what} data needs both machine-translated and human-written articles (got {sorted(ys)})")


def score_analyses(model: TrainedModel, analyses: Sequence[Analysis], batch: int = 256):
    """Article and per-sentence probabilities for analysed articles (batched)."""
    model.ensure_embedder()
    art_p, sent_p, sent_doc = [], [], []
    for i in range(0, len(analyses), batch):
        chunk = analyses[i : i + batch]
        m = model.matrices(chunk)
        sp, ap = model.predict_matrices(m)
        art_p.append(ap)
        sent_p.append(sp)
        sent_doc.append(m.sent_doc + i)
    return (
        np.concatenate(art_p) if art_p else np.zeros(0),
        (np.concatenate(sent_p) if sent_p else np.zeros(0), np.concatenate(sent_doc) if sent_doc else np.zeros(0, int)),
    )


def evaluation_result(model: TrainedModel, docs: Sequence[LabelledDoc], analyses: Sequence[Analysis],
                      art_p: np.ndarray, sent: tuple[np.ndarray, np.ndarray]) -> dict:
    """Article- and sentence-level breakdowns."""
    th = model.thresholds
    arts = scored_articles(docs, art_p)
    sent_p, sent_doc = sent
    sent_docs = [docs[i] for i in sent_doc]
    sents = scored_articles(sent_docs, sent_p)
    sents.n_words = np.array([len(s.text.split()) for a in analyses for s in a.document.sentences])
    return {
        "model": model.model_id,
        "thresholds": {"low": th.low, "high": th.high},
        "article": breakdown(arts, th),
        "sentence": breakdown(sents, th),
        "_scored": (arts, sents),
    }


def evaluate_docs(model: TrainedModel, docs: Sequence[LabelledDoc], quiet: bool = False) -> dict:
    """Analyse, score and evaluate labelled documents."""
    if model.use_embeddings and model.embedder is None:
        model.embedder = default_embedder(quantize=model.card.get("embedding_quantized", True))
    analyses = analyze_docs(docs, quiet=quiet)
    art_p, sent = score_analyses(model, analyses)
    return evaluation_result(model, docs, analyses, art_p, sent)
