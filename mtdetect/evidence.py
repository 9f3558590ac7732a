"""What moved an article's score: the learned model's evidence, family by family.

Findings explain the spans a recognizer can name. A fluent machine translation often has
none, and then the verdict rests on the trained article model alone. That model is a
logistic regression over standardised inputs (then a monotone sigmoid calibration), so its
log-odds are an exact sum over its inputs. Measured against a reference article (the card's
``article_reference``: halfway between the average human-written and the average
machine-translated training article), the log-odds are the reference's (``base``, near 0)
plus, for each input, its weight times its standardised distance from the reference. This
module groups those terms into four families a reader can check:

* ``sentences``: the sentence model's scores, pooled (mean, maximum, share over one half...);
* ``wording``: the n-gram text model over the article's topic-robust text view;
* ``artifacts``: the recognizers' findings, as densities and best scores;
* ``style``: vocabulary, punctuation, function words and sentence lengths.

A positive weight pushes toward machine translation. The families' weights and ``base`` add
up to the model's log-odds before calibration, so nothing is left out or invented
(``tests/test_evidence.py`` checks it against the shipped model's probability). Bundles
without a reference are measured against the training mean (an MT-heavy average, against
which most articles lean "human").
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .types import Evidence

FAMILIES = ("sentences", "wording", "artifacts", "style")

_WHAT = {
    "sentences": "the sentence model's scores",
    "wording": "the wording (n-grams of the text view)",
    "artifacts": "the findings",
    "style": "style (vocabulary, punctuation, function words, sentence lengths)",
}

# Plain names for the inputs most often on top.
_INPUT_NAMES = {
    "pooled.mean": "mean sentence score",
    "pooled.median": "median sentence score",
    "pooled.max": "highest sentence score",
    "pooled.q25": "lower-quartile sentence score",
    "pooled.mean_logit": "mean sentence log-odds",
    "pooled.share_over_half": "share of sentences over 0.5",
    "pooled.log_n_sentences": "number of sentences",
    "article.text_model": "text model",
    "article.n_sentences": "number of sentences",
    "article.sent_len_mean": "mean sentence length",
    "article.sent_len_std": "spread of sentence lengths",
    "article.sent_len_cv": "variation of sentence lengths",
    "article.sent_len_max": "longest sentence",
    "article.sent_len_min": "shortest sentence",
}


def family_of(name: str) -> str:
    """The family of an article-model input (see the module's docstring)."""
    if name.startswith("pooled."):
        return "sentences"
    if name == "article.text_model":
        return "wording"
    if name.startswith(("article.style.", "article.n_sentences", "article.sent_len_")):
        return "style"
    return "artifacts"


def input_label(name: str) -> str:
    """A short readable name of an input ("'the' rate", "type-token ratio", ...)."""
    if name in _INPUT_NAMES:
        return _INPUT_NAMES[name]
    short = name.removeprefix("article.").removeprefix("style.")
    if short.startswith("fw_"):
        return f"'{short[3:]}' rate"
    return short.replace("_", " ").replace(".", " ")


def linear_parts(clf) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """``(mean, scale, weights, intercept)`` of a standardised, calibrated logistic model:
    the NumPy predictor of :mod:`mtdetect.inference` or the scikit-learn pipeline it mirrors
    (``Pipeline(StandardScaler, CalibratedClassifierCV(LogisticRegression, ensemble=False))``).
    Raises ``ValueError`` for anything else."""
    if hasattr(clf, "mean_") and hasattr(clf, "lr"):  # inference.CalibratedLinearPredictor
        return (np.asarray(clf.mean_, float), np.asarray(clf.scale_, float),
                np.asarray(clf.lr.coef_, float).ravel(), float(np.asarray(clf.lr.intercept_).ravel()[0]))
    steps = getattr(clf, "steps", None)
    if steps and len(steps) == 2:
        scaler, cal = steps[0][1], steps[1][1]
        members = getattr(cal, "calibrated_classifiers_", None)
        if hasattr(scaler, "mean_") and members and len(members) == 1:
            lr = members[0].estimator
            return (np.asarray(scaler.mean_, float), np.asarray(scaler.scale_, float),
                    np.asarray(lr.coef_, float).ravel(), float(np.asarray(lr.intercept_).ravel()[0]))
    raise ValueError(f"not a standardised linear model: {type(clf).__name__}")


class ArticleExplainer:
    """Splits the article model's log-odds into the families' weights."""

    def __init__(self, clf, names: Sequence[str], top: int = 2, reference: Sequence[float] | None = None) -> None:
        self.mean, self.scale, self.coef, self.intercept = linear_parts(clf)
        if len(self.coef) != len(names):
            raise ValueError(f"{len(self.coef)} weights for {len(names)} inputs")
        self.scale = np.where(self.scale == 0, 1.0, self.scale)
        ref = np.asarray(reference, float) if reference is not None else None
        self.reference = ref if ref is not None and ref.shape == self.mean.shape else self.mean
        #: the log-odds of the reference article
        self.base = float(self.intercept + np.sum(self.coef * (self.reference - self.mean) / self.scale))
        self.names = tuple(names)
        self.top = top
        fam = np.array([family_of(n) for n in names])
        self.masks = {f: fam == f for f in FAMILIES}

    def contributions(self, x: np.ndarray) -> np.ndarray:
        """Each input's term of the log-odds against the reference (weight times the
        standardised distance from it)."""
        return self.coef * (np.asarray(x, float) - self.reference) / self.scale

    def explain(self, x: np.ndarray) -> tuple[Evidence, ...]:
        """The families of one article's inputs, largest weight (either sign) first."""
        c = self.contributions(x)
        out = []
        for family in FAMILIES:
            idx = np.flatnonzero(self.masks[family])
            if not len(idx):
                continue
            weight = float(c[idx].sum())
            order = idx[np.argsort(-np.abs(c[idx]), kind="stable")][: self.top]
            inputs = tuple((self.names[i], round(float(c[i]), 3)) for i in order)
            if family == "artifacts" and not np.any(np.asarray(x, float)[idx]):
                message = f"no findings {weight:+.2f} log-odds, {_direction(weight)} (the reference article has some)"
            else:
                message = _message(family, weight, inputs)
            out.append(Evidence(family, round(weight, 3), message, inputs))
        out.sort(key=lambda e: -abs(e.weight))
        return tuple(out)


def _direction(weight: float) -> str:
    return "toward machine translation" if weight > 0 else "toward human writing"


def _message(family: str, weight: float, inputs: tuple[tuple[str, float], ...]) -> str:
    parts = ", ".join(f"{input_label(n)} {v:+.2f}" for n, v in inputs)
    return f"{_WHAT[family]} {weight:+.2f} log-odds, {_direction(weight)} (mostly {parts})"


def evidence_line(evidence: Sequence[Evidence], families: int = 3) -> str:
    """One line for a text report: the largest families' weights with their top input."""
    parts = []
    for e in evidence[:families]:
        top = f" ({input_label(e.inputs[0][0])} {e.inputs[0][1]:+.2f})" if e.inputs else ""
        parts.append(f"{e.family} {e.weight:+.2f}{top}")
    stage = [e for e in evidence[families:] if e.family == "round_trip_stage"]
    parts.extend(f"{e.family} {e.weight:+.2f}" for e in stage)
    return "; ".join(parts)
