"""The trained scorer: build, fit, calibrate, choose thresholds, save and load bundles.

Two stacked, calibrated classifiers (stock scikit-learn):

* sentence model: recognizer features + style signals (+ MiniLM sentence embedding)
  -> ``StandardScaler`` -> ``LogisticRegression``, calibrated with ``CalibratedClassifierCV``
  over folds grouped by source document;
* article model: article recognizer densities + article style + pooled sentence scores
  (out-of-fold during training, so the article model never sees over-confident
  in-sample sentence scores) (+ mean sentence embedding) -> the same stack.

Probabilities are calibrated under equal class priors (classes are re-weighted), so
``p_mt`` = 0.5 means "as likely MT as human" regardless of how much MT the training
data held. Bundles are saved with skops and loaded against an explicit type allowlist.
"""

from __future__ import annotations

import json
import os
import platform
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from . import __version__
from .detector import Prediction, Thresholds, source_language_from_findings
from .embeddings import Embedder, precision_of_name
from .guard import stage
from .features import (
    ARTICLE_FEATURE_NAMES,
    DEFAULT_TEXT_VIEW,
    LEGACY_TEXT_VIEW,
    POOLED_FEATURE_NAMES,
    TEXT_VIEWS,
    SENTENCE_FEATURE_NAMES,
    Analysis,
    features,
    pooled_sentence_scores,
    text_view,
)
from .recognizers import recognizer_schema

BUNDLE_FILE = "model.skops"
CARD_FILE = "card.json"
BUNDLE_FORMAT = 1
TEXT_HASH_FEATURES = 2**19
PAYLOAD_KEYS = ("sentence", "article", "sentence_text", "article_text")
SENTENCE_MODEL_INPUTS = ("sentence.text_model", *SENTENCE_FEATURE_NAMES)
ARTICLE_MODEL_INPUTS = (*POOLED_FEATURE_NAMES, "article.text_model", *ARTICLE_FEATURE_NAMES)

# Sentences embedded per article when scoring (the rest use their other features only).
# Measured on the dev data (docs/benchmarks.md): article-level ROC-AUC is within 0.003 of
# embedding every sentence at 6, while encoding is most of the time of the default mode (6
# instead of 8 gave about 1.2 times the articles/s); at 4 the share of MT flagged at 1% of
# originals fell. Sentence-level AUC falls toward the fast model's for the sentences left
# unembedded. Override with $MTDETECT_EMBED_MAX_SENTENCES (a number, or "all").
DEFAULT_EMBED_MAX_SENTENCES = 6
EMBED_MAX_ENV = "MTDETECT_EMBED_MAX_SENTENCES"

# Every type a bundle may contain. Loading refuses anything else, before running any code.
TRUSTED_TYPES = (
    "builtins.dict", "builtins.list", "builtins.tuple", "builtins.str", "builtins.int",
    "builtins.float", "builtins.bool", "builtins.slice", "builtins.NoneType",
    "numpy.ndarray", "numpy.dtype", "numpy.float64", "numpy.int64", "numpy.core.multiarray._reconstruct",
    "numpy.random.mtrand.RandomState", "numpy.random._mt19937.MT19937", "numpy.random.bit_generator.__pyx_unpickle_SeedSequence",
    "sklearn.pipeline.Pipeline",
    "sklearn.preprocessing._data.StandardScaler",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.calibration.CalibratedClassifierCV",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.model_selection._split.GroupKFold",
    "sklearn.utils._bunch.Bunch",
)


class BundleError(RuntimeError):
    """A model bundle cannot be used (missing, tampered, or built for other code)."""


@dataclass
class ModelConfig:
    """Options of :func:`fit_model` (one object, stored in the card)."""

    use_embeddings: bool = True
    C_sentence: float = 0.5
    C_article: float = 1.0
    C_text: float = 10.0
    # The mean sentence embedding as an article feature overfits topic (dev AUC original vs MT
    # 0.852 with it, 0.912 for the model without any embeddings); off by default.
    article_embeddings: bool = False
    #: The n-gram text models' view of the text (see :data:`mtdetect.features.TEXT_VIEWS`).
    text_view: str = DEFAULT_TEXT_VIEW
    n_folds: int = 5
    target_fpr: float = 0.01
    max_iter: int = 2000
    seed: int = 13
    #: Families of article-model inputs left out (:func:`mtdetect.evidence.family_of`: "sentences",
    #: "wording", "artifacts", "style"). The style family is out by default: on dev it read
    #: WMT22's English originals as less original than the training years' (docs/model.md,
    #: "Model evidence"), and without it every dev comparison improved (fast model: original vs
    #: MT 0.912 -> 0.933, human translation vs MT 0.682 -> 0.695, DE round trips 0.690 -> 0.715).
    #: The sentence model still reads the style signals of each sentence.
    article_without: tuple[str, ...] = ("style",)
    #: Weight of synthetic training articles (``mtdetect synth`` output, :func:`is_synthetic`) in
    #: the article text model and the article model; each class keeps equal total weight, and
    #: the sentence level always weighs them fully. 1 as shipped. Lower trades the garbled
    #: round trips they teach for fluent MT (docs/model.md, "The synthetic round trips at the
    #: article level"); 0 leaves them out of the article level.
    synthetic_weight: float = 1.0

    def to_dict(self) -> dict:
        d = dict(self.__dict__)
        d["article_without"] = list(self.article_without)
        return d


def article_input_names(without: tuple[str, ...] | list[str] = ()) -> tuple[str, ...]:
    """The article model's inputs without the families ``without`` (in their order)."""
    from .evidence import FAMILIES, family_of

    unknown = set(without) - set(FAMILIES)
    if unknown:
        raise ValueError(f"unknown input families {sorted(unknown)} (choose from {', '.join(FAMILIES)})")
    return tuple(n for n in ARTICLE_MODEL_INPUTS if family_of(n) not in without)


@lru_cache(maxsize=8)
def _columns(names: tuple[str, ...]) -> np.ndarray | None:
    """Column indices of ``names`` in the full article input (None: all of them)."""
    if names == ARTICLE_MODEL_INPUTS:
        return None
    index = {n: i for i, n in enumerate(ARTICLE_MODEL_INPUTS)}
    cols = np.array([index[n] for n in names], dtype=int)
    cols.setflags(write=False)  # shared by every call (cached)
    return cols


def _classifier(C: float, max_iter: int, folds: list) -> "object":
    """Scaler, then a logistic regression calibrated (sigmoid) over grouped folds.

    The scaler sits outside the calibrated classifier so that sample weights reach the
    logistic regression itself, not only the calibration step.
    """
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    calibrated = CalibratedClassifierCV(
        LogisticRegression(C=C, max_iter=max_iter), method="sigmoid", cv=folds, ensemble=False
    )
    return Pipeline([("scale", StandardScaler()), ("clf", calibrated)])


def _fit(clf, X: np.ndarray, y: np.ndarray, weights: np.ndarray | None = None) -> None:
    """Fit a :func:`_classifier` with class-balanced sample weights (or ``weights``)."""
    clf.fit(X, y, clf__sample_weight=balanced_weights(y) if weights is None else weights)


def _text_classifier(C: float, max_iter: int) -> "object":
    """Hashed TF-IDF over 1-3-grams of the topic-robust text view, then a logistic regression.

    Hashing keeps the bundle small and fast to load (no vocabulary to store); its score
    enters the calibrated models as one stacked feature.
    """
    from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    return Pipeline(
        [
            ("hash", HashingVectorizer(ngram_range=(1, 3), lowercase=False, token_pattern=r"\S+",
                                       n_features=TEXT_HASH_FEATURES, norm=None, alternate_sign=False,
                                       dtype=np.float32)),
            ("tfidf", TfidfTransformer(sublinear_tf=True)),
            ("clf", LogisticRegression(C=C, max_iter=max_iter)),
        ]
    )


def _text_oof(texts: list[str], y: np.ndarray, folds: list, C: float, max_iter: int,
              weights: Callable[[np.ndarray], np.ndarray] | None = None) -> tuple[np.ndarray, object]:
    """Out-of-fold text-model scores, and the text model refitted on everything. ``weights``
    gives the sample weights of a set of rows (default: class-balanced)."""
    weigh = weights or (lambda rows: balanced_weights(y[rows]))
    oof = np.zeros(len(texts))
    arr = np.asarray(texts, dtype=object)
    for tr, te in folds:
        clf = _text_classifier(C, max_iter)
        clf.fit(arr[tr], y[tr], clf__sample_weight=weigh(tr))
        oof[te] = clf.predict_proba(arr[te])[:, 1]
    final = _text_classifier(C, max_iter)
    final.fit(arr, y, clf__sample_weight=weigh(np.arange(len(y))))
    return oof, final


def weighted_balanced(y: np.ndarray, synthetic: np.ndarray | None, synthetic_weight: float) -> np.ndarray:
    """Class-balanced sample weights with the ``synthetic`` rows weighing ``synthetic_weight``
    times the others; each class keeps equal total weight (:func:`balanced_weights` when
    nothing is down-weighted)."""
    y = np.asarray(y)
    if synthetic is None or synthetic_weight == 1.0 or not np.any(synthetic):
        return balanced_weights(y)
    if synthetic_weight < 0:
        raise ValueError(f"synthetic_weight must be >= 0, not {synthetic_weight}")
    w = np.where(synthetic, synthetic_weight, 1.0)
    out = np.zeros(len(y), dtype=np.float64)
    for cls in (0, 1):
        sel = (y == cls) & (w > 0)
        if sel.any():
            out[sel] = w[sel] * (len(y) / 2.0) / w[sel].sum()
    return out


def balanced_weights(y: np.ndarray) -> np.ndarray:
    """Sample weights that give both classes equal total weight."""
    y = np.asarray(y)
    w = np.ones(len(y), dtype=np.float64)
    for cls in (0, 1):
        n = int((y == cls).sum())
        if n:
            w[y == cls] = len(y) / (2.0 * n)
    return w


def _group_folds(groups: Sequence[str], n_folds: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Fold index pairs with every source document on one side only (shuffled GroupKFold)."""
    from sklearn.model_selection import GroupKFold

    uniq = np.array(sorted(set(groups)))
    rng = np.random.default_rng(seed)
    perm = {g: i for i, g in enumerate(rng.permutation(uniq))}
    g_idx = np.array([perm[g] for g in groups])
    k = min(n_folds, len(uniq))
    return [(tr, te) for tr, te in GroupKFold(n_splits=k).split(np.zeros(len(g_idx)), groups=g_idx)]


@dataclass
class ArticleMatrices:
    """Everything the models need from a batch of analysed articles."""

    sent_X: np.ndarray            # (n_sentences_total, n_sentence_features)
    sent_doc: np.ndarray          # article index of each sentence row
    art_X: np.ndarray             # (n_articles, n_article_features) without pooled scores
    n_articles: int
    sent_text: list[str] = field(default_factory=list)   # text views, for the text models
    art_text: list[str] = field(default_factory=list)

    def sentence_slices(self) -> list[slice]:
        """Row range of each article's sentences (rows are grouped by article, in order)."""
        return _article_slices(self.sent_doc, self.n_articles)


def _article_slices(sent_doc: np.ndarray, n_articles: int) -> list[slice]:
    bounds = np.searchsorted(sent_doc, np.arange(n_articles + 1))
    return [slice(int(bounds[i]), int(bounds[i + 1])) for i in range(n_articles)]


def embedded_rows(n_sentences: int, cap: int | None) -> np.ndarray:
    """Which of an article's sentences get an embedding: all of them, or ``cap`` spread
    evenly from the first to the last (a sample of the whole article, not its opening)."""
    if cap is None or n_sentences <= cap:
        return np.arange(n_sentences)
    if cap <= 0:
        return np.zeros(0, dtype=np.int64)
    return np.unique(np.linspace(0, n_sentences - 1, cap).round().astype(np.int64))


def build_matrices(analyses: Sequence[Analysis], embedder: Embedder | None,
                   article_embeddings: bool = False, embed_max_sentences: int | None = None,
                   view: str = LEGACY_TEXT_VIEW) -> ArticleMatrices:
    """Feature matrices for a batch; sentence embeddings are encoded in one batched call.

    With ``embed_max_sentences``, at most that many sentences per article are embedded
    (see :func:`embedded_rows`); the embedding columns of the others are NaN, for
    :meth:`TrainedModel.predict_matrices` to fill in.
    """
    return start_matrices(analyses, embedder, article_embeddings, embed_max_sentences, view)()


def start_matrices(analyses: Sequence[Analysis], embedder: Embedder | None, article_embeddings: bool = False,
                   embed_max_sentences: int | None = None, view: str = LEGACY_TEXT_VIEW) -> Callable[[], ArticleMatrices]:
    """:func:`build_matrices` in two steps: the encoding starts in a second thread (torch
    releases the GIL), the other features are computed here meanwhile, and the returned
    function waits for the encoding and assembles the matrices. Whatever the caller does
    before calling it (analysing the next batch, say) also overlaps the encoding.
    """
    texts: list[str] = []
    for a in analyses:
        sents = a.document.sentences
        texts.extend(sents[i].text for i in embedded_rows(len(sents), embed_max_sentences))
    pending = None
    if embedder is not None and texts:
        with stage("embeddings"):
            pending = _start_encoding(embedder, texts)
    sent_blocks, doc_idx, art_rows, sent_text, art_text = [], [], [], [], []
    with stage("features"):
        for i, a in enumerate(analyses):
            sent_block, art_row = features(a)
            sent_blocks.append(sent_block)
            doc_idx.extend([i] * a.n_sentences)
            art_rows.append(art_row[0])
            views = [text_view(s.text, view) for s in a.document.sentences]
            sent_text.extend(views)
            art_text.append(" \n ".join(views))
    n_sf = len(SENTENCE_FEATURE_NAMES)
    sent_X = np.vstack(sent_blocks) if sent_blocks else np.zeros((0, n_sf))
    if sent_X.size == 0:
        sent_X = sent_X.reshape(0, n_sf)
    sent_doc = np.asarray(doc_idx, dtype=np.int64)
    art_X = np.vstack(art_rows) if art_rows else np.zeros((0, len(ARTICLE_FEATURE_NAMES)))

    def finish() -> ArticleMatrices:
        if embedder is None:
            return ArticleMatrices(sent_X, sent_doc, art_X, len(analyses), sent_text, art_text)
        with stage("embeddings"):
            encoded = pending.result() if pending is not None else np.zeros((0, embedder.dim), dtype=np.float32)
        if len(texts) == len(sent_doc):
            emb = encoded.astype(np.float64)
        else:
            emb = np.full((len(sent_doc), embedder.dim), np.nan)
            rows = [sl.start + embedded_rows(sl.stop - sl.start, embed_max_sentences)
                    for sl in _article_slices(sent_doc, len(analyses))]
            emb[np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)] = encoded
        sent_all = np.hstack([sent_X, emb])
        art_all = art_X
        if article_embeddings:
            mean_emb = np.zeros((len(analyses), embedder.dim))
            for i, rows in enumerate(_article_slices(sent_doc, len(analyses))):
                block = emb[rows]
                block = block[~np.isnan(block[:, 0])] if len(block) else block
                if len(block):
                    mean_emb[i] = block.mean(axis=0)
            art_all = np.hstack([art_X, mean_emb])
        return ArticleMatrices(sent_all, sent_doc, art_all, len(analyses), sent_text, art_text)

    return finish


def _start_encoding(embedder: Embedder, texts: list[str]):
    """Start encoding ``texts`` in another thread; returns a future-like ``.result()``."""
    if hasattr(embedder, "encode_async"):
        return embedder.encode_async(texts)
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mtdetect-encode")
    pending = pool.submit(embedder.encode, texts)
    pool.shutdown(wait=False)
    return pending


def _article_input(m: ArticleMatrices, sent_p: np.ndarray, art_text_p: np.ndarray,
                   names: tuple[str, ...] = ARTICLE_MODEL_INPUTS) -> np.ndarray:
    """The article model's input matrix: the columns ``names`` (an ordered subset of
    :data:`ARTICLE_MODEL_INPUTS`), in C order whatever the subset, so that the NumPy engine and
    scikit-learn sum in the same order and agree to the last bit."""
    pooled = np.array([pooled_sentence_scores(sent_p[rows]) for rows in m.sentence_slices()])
    pooled = pooled.reshape(m.n_articles, len(POOLED_FEATURE_NAMES))
    full = np.hstack([pooled, art_text_p.reshape(-1, 1), m.art_X])
    cols = _columns(tuple(names))
    return full if cols is None else np.ascontiguousarray(full[:, cols])


def _sentence_input(m: ArticleMatrices, sent_text_p: np.ndarray) -> np.ndarray:
    return np.hstack([sent_text_p.reshape(-1, 1), m.sent_X])


def choose_thresholds(p_human: np.ndarray, p_mt: np.ndarray, target_fpr: float) -> tuple[Thresholds, dict]:
    """``high``: smallest cut flagging at most ``target_fpr`` of human-written articles;
    ``low``: a cut that lets at most 5% of MT articles be called human (never above high).
    """
    p_human = np.sort(np.asarray(p_human))
    if len(p_human) == 0:
        raise ValueError("no human-written articles to choose thresholds on")
    k = int(np.floor(target_fpr * len(p_human)))  # this many humans may sit at or above high
    high = float(np.nextafter(p_human[len(p_human) - k - 1], 1.0)) if k < len(p_human) else 0.0
    high = min(max(high, 0.5), 0.999)
    low = float(np.quantile(p_mt, 0.05)) if len(p_mt) else 0.5
    low = min(low, high)
    # round outward so the rounded cuts keep the guarantee on human text
    high_r = min(float(np.ceil(high * 1e4) / 1e4), 0.9999)
    low_r = min(float(np.floor(low * 1e4) / 1e4), high_r)
    info = {
        "rule": f"high: at most {target_fpr:.1%} of human-written dev articles at or above; "
                "low: 5% quantile of MT dev articles (capped at high)",
        "n_human": int(len(p_human)),
        "n_mt": int(len(p_mt)),
        "fpr_at_high": float((p_human >= high_r).mean()),
        "tpr_at_high": float((np.asarray(p_mt) >= high_r).mean()) if len(p_mt) else None,
    }
    return Thresholds(low=low_r, high=high_r), info


def _shares_hashing(sentence_text_clf: object, article_text_clf: object) -> bool:
    """Both text models are NumPy predictors with the same hashing (see inference.py)."""
    same = getattr(sentence_text_clf, "same_hashing", None)
    return same is not None and same(article_text_clf)


@dataclass
class TrainedModel:
    """A fitted sentence + article model with its thresholds (implements ScoringModel)."""

    sentence_clf: object
    article_clf: object
    sentence_text_clf: object
    article_text_clf: object
    thresholds: Thresholds
    use_embeddings: bool
    model_id: str = "mtdetect"
    card: dict = field(default_factory=dict)
    article_embeddings: bool = False
    embedder: Embedder | None = None
    #: Embed at most this many sentences per article (None: all); see :func:`embedded_rows`.
    embed_max_sentences: int | None = None
    #: The text view of the n-gram text models (see :data:`mtdetect.features.TEXT_VIEWS`).
    text_view: str = LEGACY_TEXT_VIEW
    #: The article model's inputs (a subset of :data:`ARTICLE_MODEL_INPUTS`, in its order).
    article_inputs: tuple[str, ...] = ARTICLE_MODEL_INPUTS
    #: Out-of-fold article probabilities of the training articles (set by :func:`fit_model`,
    #: not saved in bundles).
    oof_article_p_: np.ndarray | None = None
    #: What :func:`mtdetect.training.train` analysed and scored (for a round-trip stage; not saved).
    train_analyses_: list | None = None
    dev_analyses_: list | None = None
    dev_p_: np.ndarray | None = None

    def ensure_embedder(self) -> None:
        if self.use_embeddings and self.embedder is None:
            from .embeddings import MiniLMEmbedder, precision_of_card

            # torch's default threads (one per core): measured on 2 cores, 2 threads score
            # ~30% more articles/s than 1 thread beside the feature computation.
            self.embedder = MiniLMEmbedder(precision=precision_of_card(self.card))

    def matrices(self, analyses: Sequence[Analysis]) -> ArticleMatrices:
        """Feature matrices for analysed articles, with this model's embedding settings."""
        return self._start_matrices(analyses)()

    def _start_matrices(self, analyses: Sequence[Analysis]) -> Callable[[], ArticleMatrices]:
        self.ensure_embedder()
        return start_matrices(analyses, self.embedder if self.use_embeddings else None, self.article_embeddings,
                              self.embed_max_sentences if self.use_embeddings else None, self.text_view)

    def _sentence_feature_means(self) -> np.ndarray:
        """Training means of the sentence model's inputs (a NaN filled with its mean is
        neutral: it scales to 0)."""
        clf = self.sentence_clf
        scaler = clf if hasattr(clf, "mean_") else clf.steps[0][1]
        return np.asarray(scaler.mean_)

    def predict_matrices(self, m: ArticleMatrices) -> tuple[np.ndarray, np.ndarray]:
        """(sentence p, article p) for prepared matrices."""
        sent_p, _art_in, art_p = self.predict_matrices_with_inputs(m)
        return sent_p, art_p

    def predict_matrices_with_inputs(self, m: ArticleMatrices) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
        """(sentence p, the article model's input matrix, article p) for prepared matrices."""
        sent_text_p = art_text_p = None
        if _shares_hashing(self.sentence_text_clf, self.article_text_clf) and m.n_articles:
            # NumPy engine: hash each n-gram once for both text models (same result)
            from .inference import expit, sentence_and_article_decisions

            sent_dec, art_dec = sentence_and_article_decisions(
                self.sentence_text_clf, self.article_text_clf, m.sent_text, m.sentence_slices())
            sent_text_p, art_text_p = expit(sent_dec), expit(art_dec)
        if len(m.sent_X):
            if sent_text_p is None:
                sent_text_p = self.sentence_text_clf.predict_proba(np.asarray(m.sent_text, dtype=object))[:, 1]
            sent_in = _sentence_input(m, sent_text_p)
            missing = np.isnan(sent_in)
            if missing.any():  # sentences left unembedded: their embedding at the training mean
                sent_in[missing] = np.broadcast_to(self._sentence_feature_means(), sent_in.shape)[missing]
            sent_p = self.sentence_clf.predict_proba(sent_in)[:, 1]
        else:
            sent_p = np.zeros(0)
        if not m.n_articles:
            return sent_p, None, np.zeros(0)
        if art_text_p is None:
            art_text_p = self.article_text_clf.predict_proba(np.asarray(m.art_text, dtype=object))[:, 1]
        art_in = _article_input(m, sent_p, art_text_p, self.article_inputs)
        return sent_p, art_in, self.article_clf.predict_proba(art_in)[:, 1]

    def explainer(self):
        """The :class:`~mtdetect.evidence.ArticleExplainer` of the article model (built once),
        or None when the article model is not a standardised linear one."""
        if not hasattr(self, "_explainer"):
            from .evidence import ArticleExplainer

            try:
                self._explainer = ArticleExplainer(self.article_clf, self.article_inputs,
                                                   reference=self.card.get("article_reference"))
            except ValueError:
                self._explainer = None
        return self._explainer

    def predict(self, analyses: Sequence[Analysis]) -> list[Prediction]:
        return self.predict_async(analyses)()

    def predict_async(self, analyses: Sequence[Analysis]) -> Callable[[], list[Prediction]]:
        """Start scoring a batch; the returned function finishes it.

        The sentence encoding runs in a background thread from now until the function is
        called, so a caller can analyse its next batch meanwhile (on a second core).
        """
        finish = self._start_matrices(analyses)
        return lambda: self._predictions(analyses, finish())

    def _predictions(self, analyses: Sequence[Analysis], m: ArticleMatrices) -> list[Prediction]:
        with stage("classifier"):
            sent_p, art_in, art_p = self.predict_matrices_with_inputs(m)
        explainer = self.explainer()
        out = []
        for i, (a, rows) in enumerate(zip(analyses, m.sentence_slices())):
            lang, conf = source_language_from_findings(a.findings)
            evidence = explainer.explain(art_in[i]) if explainer is not None and art_in is not None else ()
            out.append(Prediction(float(art_p[i]), tuple(float(x) for x in sent_p[rows]), lang, conf,
                                  evidence=evidence))
        return out


def fit_model(
    analyses: Sequence[Analysis],
    y: Sequence[int],
    groups: Sequence[str],
    embedder: Embedder | None,
    config: ModelConfig | None = None,
    progress: Callable[[str], None] = lambda msg: None,
    synthetic: Sequence[bool] | None = None,
) -> TrainedModel:
    """Fit the sentence and article models on labelled, analysed articles.

    ``groups`` are source-document keys: the MT and human versions of one text share a
    key and always fall in the same fold. ``synthetic`` marks the articles that
    ``config.synthetic_weight`` applies to. Thresholds are placeholders (0.5/0.5) until
    :func:`set_thresholds` is called on held-out data.
    """
    cfg = config or ModelConfig()
    y = np.asarray(y, dtype=np.int64)
    syn = None if synthetic is None else np.asarray(synthetic, dtype=bool)

    def article_weights(rows: np.ndarray) -> np.ndarray:
        return weighted_balanced(y[rows], None if syn is None else syn[rows], cfg.synthetic_weight)

    progress("building features")
    m = build_matrices(analyses, embedder if cfg.use_embeddings else None, cfg.article_embeddings,
                       view=cfg.text_view)
    sent_y = y[m.sent_doc]
    art_folds = _group_folds(list(groups), cfg.n_folds, cfg.seed)
    # sentence folds mirror the article folds so out-of-fold scores are truly unseen
    doc_fold = np.empty(len(groups), dtype=np.int64)
    for k, (_, te) in enumerate(art_folds):
        doc_fold[te] = k
    s_fold = doc_fold[m.sent_doc]
    sent_folds = [(np.flatnonzero(s_fold != k), np.flatnonzero(s_fold == k)) for k in range(len(art_folds))]

    progress("text models (n-grams of the topic-robust text view)")
    sent_text_oof, sentence_text_clf = _text_oof(m.sent_text, sent_y, sent_folds, cfg.C_text, cfg.max_iter)
    art_text_oof, article_text_clf = _text_oof(m.art_text, y, art_folds, cfg.C_text, cfg.max_iter,
                                               weights=article_weights)
    sent_in = _sentence_input(m, sent_text_oof)

    progress(f"out-of-fold sentence scores ({len(sent_y)} sentences, {len(art_folds)} folds) and the final "
             "sentence model")
    oof, sentence_clf = oof_and_final(sent_in, sent_y, s_fold, sent_folds, cfg.C_sentence, cfg.max_iter)

    progress("article model")
    article_inputs = article_input_names(cfg.article_without)
    art_in = _article_input(m, oof, art_text_oof, article_inputs)
    # out-of-fold article scores: thresholds and later stages are fitted on unseen scores
    oof_article, article_clf = oof_and_final(art_in, y, doc_fold, art_folds, cfg.C_article, cfg.max_iter,
                                             weights=article_weights)

    model = TrainedModel(
        sentence_clf=sentence_clf,
        article_clf=article_clf,
        sentence_text_clf=sentence_text_clf,
        article_text_clf=article_text_clf,
        thresholds=Thresholds(0.5, 0.5),
        use_embeddings=cfg.use_embeddings,
        embedder=embedder if cfg.use_embeddings else None,
        article_embeddings=cfg.article_embeddings,
        text_view=cfg.text_view,
        article_inputs=article_inputs,
    )
    model.oof_article_p_ = oof_article
    model.card.update(
        {
            "config": cfg.to_dict(),
            "oof_article_auc": auc_or_none(y, oof_article),
            "oof_sentence_auc": auc_or_none(sent_y, oof),
            "oof_sentence_text_auc": auc_or_none(sent_y, sent_text_oof),
            "oof_article_text_auc": auc_or_none(y, art_text_oof),
            "cv_scheme": f"GroupKFold({len(art_folds)}) by source document, shuffled with seed {cfg.seed}; "
                         "article model stacked on out-of-fold sentence scores",
            "train_counts": {"articles": int(len(y)), "sentences": int(len(sent_y)),
                             "articles_mt": int(y.sum()), "articles_human": int((1 - y).sum())},
            # the article inputs halfway between the average human-written and the average
            # machine-translated training article: what mtdetect.evidence measures against
            "article_reference": article_reference(art_in, y),
        }
    )
    return model


def article_reference(art_in: np.ndarray, y: np.ndarray) -> list[float] | None:
    """The midpoint of the two classes' mean article inputs (None without both classes)."""
    y = np.asarray(y)
    if not (y == 1).any() or not (y == 0).any():
        return None
    mid = (art_in[y == 1].mean(axis=0) + art_in[y == 0].mean(axis=0)) / 2
    return [round(float(v), 6) for v in mid]


def oof_and_final(X: np.ndarray, y: np.ndarray, fold_of_rows: np.ndarray, folds: list, C: float, max_iter: int,
                  weights: Callable[[np.ndarray], np.ndarray] | None = None) -> tuple[np.ndarray, object]:
    """Out-of-fold probabilities of a :func:`_classifier` over ``folds`` (each calibrated on the
    other folds, ``fold_of_rows`` giving every row's fold), and the classifier refitted on all
    rows. ``weights`` gives the sample weights of a set of rows (default: class-balanced)."""
    weigh = weights or (lambda rows: balanced_weights(y[rows]))
    oof = np.zeros(len(y))
    for k, (tr, te) in enumerate(folds):
        clf = _classifier(C, max_iter, _inner_folds(fold_of_rows[tr], k))
        _fit(clf, X[tr], y[tr], weigh(tr))
        oof[te] = clf.predict_proba(X[te])[:, 1]
    final = _classifier(C, max_iter, folds)
    _fit(final, X, y, weigh(np.arange(len(y))))
    return oof, final


def _inner_folds(fold_of_rows: np.ndarray, held: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Calibration folds inside a training fold: the remaining outer folds, grouped."""
    ks = [k for k in np.unique(fold_of_rows) if k != held]
    return [(np.flatnonzero(fold_of_rows != k), np.flatnonzero(fold_of_rows == k)) for k in ks]


def auc_or_none(y: np.ndarray, p: np.ndarray) -> float | None:
    """ROC-AUC of ``p`` for labels ``y``; None when ``y`` holds one class only."""
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, p)) if len(set(y.tolist())) == 2 else None


def pair_auc(neg: np.ndarray, pos: np.ndarray) -> float | None:
    """ROC-AUC of scores ``pos`` (the positive class) against ``neg``; None when one is empty."""
    return auc_or_none(np.r_[np.zeros(len(neg)), np.ones(len(pos))], np.r_[neg, pos])


def save_bundle(model: TrainedModel, out_dir: str | Path, card_extra: dict | None = None) -> Path:
    """Write ``model.skops`` and ``card.json`` to ``out_dir``."""
    import sklearn
    import skops
    import skops.io as sio

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    payload = {"sentence": model.sentence_clf, "article": model.article_clf,
               "sentence_text": model.sentence_text_clf, "article_text": model.article_text_clf}
    tmp = out / (BUNDLE_FILE + ".tmp")
    sio.dump(payload, tmp)
    untrusted = set(sio.get_untrusted_types(file=tmp)) - set(TRUSTED_TYPES)
    if untrusted:
        tmp.unlink()
        raise BundleError(f"model contains types outside the allowlist: {sorted(untrusted)}")
    tmp.replace(out / BUNDLE_FILE)
    card = dict(model.card)
    card.update(card_extra or {})
    card.update(
        {
            "bundle_format": BUNDLE_FORMAT,
            "name": model.model_id,
            "mtdetect_version": __version__,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "python": platform.python_version(),
            "sklearn_version": sklearn.__version__,
            "skops_version": skops.__version__,
            "numpy_version": np.__version__,
            "uses_embeddings": model.use_embeddings,
            "embedding_model": (model.embedder.name if model.embedder is not None else None)
            if model.use_embeddings else None,
            "embedding_quantized": bool(model.embedder is not None and "int8" in model.embedder.name),
            "embedding_precision": precision_of_name(model.embedder.name) if model.embedder is not None else None,
            "recognizer_schema": recognizer_schema(),
            "sentence_features": list(SENTENCE_MODEL_INPUTS),
            "article_features": list(model.article_inputs),
            "thresholds": model.thresholds.to_dict(),
            "text_view": model.text_view,
        }
    )
    tmp_card = out / (CARD_FILE + ".tmp")
    tmp_card.write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp_card.replace(out / CARD_FILE)
    return out


def embed_max_sentences_setting() -> int | None:
    """``$MTDETECT_EMBED_MAX_SENTENCES`` ("all" for no cap), else :data:`DEFAULT_EMBED_MAX_SENTENCES`."""
    value = os.environ.get(EMBED_MAX_ENV, "").strip().lower()
    if not value:
        return DEFAULT_EMBED_MAX_SENTENCES
    if value in ("all", "none"):
        return None
    try:
        cap = int(value)
    except ValueError:
        raise BundleError(f"${EMBED_MAX_ENV} must be a positive number or 'all', not {value!r}") from None
    if cap < 1:
        raise BundleError(f"${EMBED_MAX_ENV} must be a positive number or 'all', not {value!r}")
    return cap


def _installed_version(dist: str) -> str:
    """A distribution's version from its metadata (without importing it: importing
    scikit-learn alone costs about a second)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return ""


def load_bundle(path: str | Path, embedder: Embedder | None = None, *, engine: str = "auto") -> TrainedModel:
    """Load a bundle, refusing tampered files and bundles built for other code.

    ``engine="auto"`` reads the fitted arrays with :mod:`mtdetect.inference` and scores
    in NumPy (same probabilities, and neither scikit-learn nor skops is imported, which
    keeps start-up short); a bundle that reader does not support, or ``engine="sklearn"``,
    is loaded with skops into scikit-learn objects. A bundle with embeddings embeds at most
    :func:`embed_max_sentences_setting` sentences per article.
    """
    if engine not in ("auto", "sklearn"):
        raise ValueError(f"engine must be 'auto' or 'sklearn', not {engine!r}")
    path = Path(path)
    card_path, model_path = path / CARD_FILE, path / BUNDLE_FILE
    if not card_path.exists() or not model_path.exists():
        raise BundleError(f"{path}: not a model bundle (expected {CARD_FILE} and {BUNDLE_FILE})")
    try:
        card = json.loads(card_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BundleError(f"{card_path}: unreadable model card ({exc})") from exc
    if not isinstance(card, dict):
        raise BundleError(f"{card_path}: a model card must be a JSON object, not {type(card).__name__}")
    if card.get("bundle_format") != BUNDLE_FORMAT:
        raise BundleError(f"{path}: bundle format {card.get('bundle_format')!r} is not {BUNDLE_FORMAT}; retrain")
    if card.get("recognizer_schema") != recognizer_schema():
        raise BundleError(
            f"{path}: built for other recognizers ({_schema_str(card.get('recognizer_schema'))}) than this "
            f"code has ({_schema_str(recognizer_schema())}); retrain it with `mtdetect train` or scripts/train.py"
        )
    article_inputs = card.get("article_features")
    if card.get("sentence_features") != list(SENTENCE_MODEL_INPUTS) or not _ordered_subset(article_inputs):
        raise BundleError(f"{path}: built for other features than this code computes; retrain it")
    trained_major = str(card.get("sklearn_version", "")).split(".")[:2]
    sklearn_version = _installed_version("scikit-learn")
    if trained_major != sklearn_version.split(".")[:2]:
        raise BundleError(
            f"{path}: trained with scikit-learn {card.get('sklearn_version')}, this is {sklearn_version}; retrain it"
        )
    thresholds = _card_thresholds(card, card_path)
    view = card.get("text_view", LEGACY_TEXT_VIEW)  # cards without the key predate the choice
    if view not in TEXT_VIEWS:
        raise BundleError(f"{card_path}: unknown text view {view!r} (this code has {', '.join(TEXT_VIEWS)}); "
                          "retrain it or update mtdetect")
    payload = _numpy_payload(model_path) if engine == "auto" else None
    if payload is None:
        payload = _skops_payload(model_path)
    return TrainedModel(
        sentence_clf=payload["sentence"],
        article_clf=payload["article"],
        sentence_text_clf=payload["sentence_text"],
        article_text_clf=payload["article_text"],
        thresholds=thresholds,
        use_embeddings=bool(card.get("uses_embeddings")),
        article_embeddings=bool(card.get("config", {}).get("article_embeddings", False)),
        model_id=str(card.get("name", path.name)),
        card=card,
        embedder=embedder,
        embed_max_sentences=embed_max_sentences_setting() if card.get("uses_embeddings") else None,
        text_view=view,
        article_inputs=tuple(article_inputs),
    )


def _ordered_subset(names) -> bool:
    """Whether ``names`` is a non-empty list of article inputs this code computes, in its order."""
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        return False
    index = {n: i for i, n in enumerate(ARTICLE_MODEL_INPUTS)}
    pos = [index.get(n, -1) for n in names]
    return min(pos) >= 0 and pos == sorted(set(pos))


def _card_thresholds(card: dict, card_path: Path) -> Thresholds:
    """The card's thresholds: numbers in [0, 1] with ``low <= high``, else a BundleError."""
    try:
        th = Thresholds.from_dict(card.get("thresholds", {}))
    except (TypeError, KeyError, ValueError, AttributeError) as exc:
        raise BundleError(f"{card_path}: 'thresholds' must be an object with numeric 'low' and 'high', and "
                          "optionally 'short', an object with numeric 'max_words', 'low' and 'high'") from exc
    if not (0.0 <= th.low <= th.high <= 1.0):
        raise BundleError(f"{card_path}: thresholds must satisfy 0 <= low <= high <= 1 (got {th.low}, {th.high})")
    s = th.short
    if s is not None and (s.max_words < 1 or not (0.0 <= s.low <= s.high <= 1.0)):
        raise BundleError(f"{card_path}: thresholds.short must have max_words >= 1 and 0 <= low <= high <= 1 "
                          f"(got {s.max_words}, {s.low}, {s.high})")
    return th


def _numpy_payload(model_path: Path) -> dict | None:
    """NumPy predictors for the bundle, or None when :mod:`mtdetect.inference` cannot
    read it (skops then loads it, with its own checks and error messages)."""
    import zipfile

    from .inference import UnsupportedBundle, load_predictors

    try:
        return load_predictors(model_path, PAYLOAD_KEYS)
    except (UnsupportedBundle, zipfile.BadZipFile, OSError, ValueError, KeyError, TypeError):
        return None


def _skops_payload(model_path: Path) -> dict:
    """The payload as scikit-learn objects, loaded by skops against the type allowlist."""
    import skops.io as sio

    try:
        untrusted = set(sio.get_untrusted_types(file=model_path)) - set(TRUSTED_TYPES)
    except Exception as exc:  # skops raises various errors on corrupt zips
        raise BundleError(f"{model_path}: corrupt model file ({exc})") from exc
    if untrusted:
        raise BundleError(f"{model_path}: refusing to load untrusted types {sorted(untrusted)}")
    try:
        payload = sio.load(model_path, trusted=list(TRUSTED_TYPES))
    except Exception as exc:
        raise BundleError(f"{model_path}: cannot load ({exc})") from exc
    if not isinstance(payload, dict) or set(payload) != set(PAYLOAD_KEYS):
        raise BundleError(f"{model_path}: unexpected bundle content")
    return payload


def _schema_str(schema) -> str:
    if not isinstance(schema, list):
        return "unknown"
    return ", ".join(f"{r.get('name')}@{r.get('version')}" for r in schema if isinstance(r, dict))
