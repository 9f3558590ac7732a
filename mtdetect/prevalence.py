"""MT share per outlet: quantification from calibrated scores, with 95% intervals.

Counting the articles flagged at the ``high`` threshold ("classify and count", CC) answers
"how many articles would we accuse?", not "what share of this outlet is machine-translated?".
The ``high`` cut is chosen so that about 1% of original English articles reach it, so it
catches only a minority of MT articles too: an outlet that is 100% machine-translated shows
a share flagged near the model's true-positive rate at that cut (20-32% for the shipped
models on dev). Quantification corrects for both error rates, using what the model does on
labelled held-out (dev) articles, the :class:`Reference`:

* **ACC**, adjusted classify and count (Forman 2008; in epidemiology the Rogan-Gladen
  estimator, Rogan & Gladen 1978): with ``c`` the outlet's share at or above the cut,
  ``share = (c - FPR) / (TPR - FPR)``, clipped to [0, 1].
* **PACC**, probabilistic ACC (Bella et al. 2010): the same correction applied to the
  outlet's mean ``p_mt``: ``share = (mean_p - mean_p_human) / (mean_p_mt - mean_p_human)``
  with the class means measured on dev. It uses every article's score rather than one bit
  of it, so it varies less than ACC.
* **EM**, re-estimation of the prior (Saerens, Latinne & Decaestecker 2002): ``p_mt`` is
  calibrated under equal class priors (see :mod:`mtdetect.model`), so the posterior for a
  prior ``pi`` is ``pi * p / (pi * p + (1 - pi) * (1 - p))``; iterating
  ``pi <- mean posterior`` converges to the maximum-likelihood prior (:func:`em_prior`
  finds that maximum directly). It trusts the calibration, so it is biased wherever the
  scores are not calibrated for the audited articles; a :class:`Reference` may carry a
  Platt recalibration fitted on dev for it.

The default is PACC (:data:`DEFAULT_METHOD`): in the simulation of
``scripts/experiments/prevalence_simulation.py`` (docs/model.md, "MT share per outlet") it
had the lowest error of the methods whose interval kept its coverage (EM on recalibrated
scores erred slightly less, but its interval covered only 85-88% of outlets), and it needs
only running sums of an outlet's scores (``n``, ``sum p``, ``sum p^2``), so an audit keeps
flat memory. EM on the model's own ``p_mt`` was far off (the dev human translations score
much higher than the training data's calibration expects).

**Interval** (ACC and PACC; analytic, delta method): the outlet's mean statistic ``x``
(``p_mt`` or the 0/1 flag) has variance ``s2 / n``, with ``s2`` the outlet's sample variance
shrunk toward the variance the reference predicts at the estimate (:data:`PRIOR_ITEMS`
pseudo-articles, so a tiny outlet still gets a sensible width); the dev class means have
their own variance, computed clustered by source document (the dev set holds many MT
versions of one source text, so its articles are not independent). The audited articles come
from a population whose class means differ from dev's as well: at least as much as another
sample of dev would (:data:`POPULATION_FACTOR` counts the class means' variance once more for
that). Then, with ``k = 1 + POPULATION_FACTOR``::

    var(share) = (s2 / n + k share^2 var(mean_mt) + k (1 - share)^2 var(mean_human)) / (mean_mt - mean_human)^2

and the interval is the estimate (clipped to [0, 1]) +- 1.96 sd, cut to [0, 1]; cf. Lang &
Reiczigel (2014) for prevalence with an estimated sensitivity and specificity. EM's interval
is the likelihood-ratio interval of the mixture likelihood (outlet sampling only).

**What it assumes**: the outlet's human-written articles score like the reference's
human-written articles, and its MT articles like the dev MT. Original English articles score
much lower than human translations (dev mean ``p_mt`` about 0.19 and 0.46 for the shipped
models), and the reference mixes them as the dev data does (about one original to three human
translations): an outlet whose human part is all original English gets an estimate that is
too low, one that publishes human translations one that is too high. A reference built with
the articles' ``labels`` also keeps the human class of each label (``human_by_label``), and
:meth:`Reference.matched` corrects against one of them instead (``mtdetect audit
--human-reference original|translation``, :data:`HUMAN_REFERENCES`): right for an outlet
whose human-written articles are all of that kind, wrong the other way for one that is not.
docs/model.md gives the size of the bias with and without matching.

References:
  Forman, G. (2008). Quantifying counts and costs via classification. Data Mining and
    Knowledge Discovery 17(2), 164-206.
  Rogan, W. J., Gladen, B. (1978). Estimating prevalence from the results of a screening
    test. American Journal of Epidemiology 107(1), 71-76.
  Bella, A., Ferri, C., Hernandez-Orallo, J., Ramirez-Quintana, M. J. (2010). Quantification
    via probability estimators. IEEE ICDM 2010, 737-742.
  Saerens, M., Latinne, P., Decaestecker, C. (2002). Adjusting the outputs of a classifier
    to new a priori probabilities: a simple procedure. Neural Computation 14(1), 21-41.
  Lang, Z., Reiczigel, J. (2014). Confidence limits for prevalence of disease adjusted for
    estimated sensitivity and specificity. Preventive Veterinary Medicine 113(1), 13-22.
  Esuli, A., Fabris, A., Moreo, A., Sebastiani, F. (2023). Learning to Quantify. Springer.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

#: z for a two-sided 95% interval.
Z95 = 1.959963984540054
METHODS = ("pacc", "acc", "em", "cc")
DEFAULT_METHOD = "pacc"
#: Pseudo-articles at the reference's predicted variance added to an outlet's sample variance.
PRIOR_ITEMS = 2.0
#: How much more than the reference's own sampling variance the audited population's class
#: means are allowed to differ from dev's (1: as much again as another sample of dev). Without
#: it the interval covered only 85-86% of simulated 200-article outlets at 50% MT (drawn from
#: the other half of dev than the reference), 75-76% at 500 articles.
POPULATION_FACTOR = 1.0
#: A reference whose two classes differ by less than this (in the statistic's mean) cannot
#: correct anything: the estimate would be noise divided by almost nothing.
MIN_SEPARATION = 0.05
#: An older card's TPR/FPR come without clustered variances. The dev split holds about ten
#: MT versions of each source text, which makes a dev mean about 5.5 times as variable as
#: independent articles would (measured for the MT class of the shipped models; about 1.2 for
#: the human class): the fallback multiplies binomial variances by this.
FALLBACK_DESIGN_EFFECT = 6.0
CARD_KEY = "prevalence"
CARD_VERSION = 1
#: The human classes an estimate can be corrected against (``--human-reference``): ``mixed``,
#: the dev human-written articles as dev mixes them, or the dev articles of one label only.
HUMAN_REFERENCES: Mapping[str, str | None] = {"mixed": None, "original": "original",
                                              "translation": "human_translation"}
#: What each human class is, for notes and messages.
HUMAN_REFERENCE_NAMES = {
    "mixed": "dev's original English articles and human translations, mixed as dev has them",
    "original": "dev's original English articles only",
    "translation": "dev's human translations only",
}
#: Which outlets each human class is right for, and how it errs on the others.
HUMAN_REFERENCE_MEANING = {
    "mixed": "right for outlets whose human-written articles are about one original English to three "
             "human translations; it underestimates outlets of original English and overestimates "
             "outlets of human translations",
    "original": "right for outlets that write in English and publish no human translations; it "
                "overestimates outlets whose human-written articles include translations by people",
    "translation": "right for outlets whose human-written articles are translations by people; it "
                   "underestimates outlets that write in English",
}
_EPS = 1e-6


# --------------------------------------------------------------------------- the reference


@dataclass(frozen=True)
class ClassStats:
    """A statistic (``p_mt``, or 1 when ``p_mt`` reaches the cut) over one class of dev articles.

    ``var_mean`` is the variance of ``mean`` as an estimate (clustered by source document when
    groups are known); ``var_item`` is the statistic's variance across single articles.
    """

    n: int
    mean: float
    var_mean: float
    var_item: float

    @classmethod
    def of(cls, values: np.ndarray, groups: np.ndarray | None = None) -> "ClassStats":
        values = np.asarray(values, dtype=float)
        n = len(values)
        if n == 0:
            raise ValueError("a reference class needs at least one article")
        var_item = float(values.var(ddof=1)) if n > 1 else 0.0
        var_mean = clustered_variance_of_mean(values, groups) if groups is not None else var_item / n
        return cls(n=n, mean=float(values.mean()), var_mean=var_mean, var_item=var_item)

    def to_dict(self) -> dict[str, float]:
        return {"n": self.n, "mean": self.mean, "var_mean": self.var_mean, "var_item": self.var_item}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "ClassStats":
        return cls(n=int(d["n"]), mean=float(d["mean"]), var_mean=float(d["var_mean"]), var_item=float(d["var_item"]))


def clustered_variance_of_mean(values: np.ndarray, groups: np.ndarray) -> float:
    """Variance of ``values.mean()`` when articles of one group are not independent.

    The cluster-robust (sandwich) estimate ``G/(G-1) * sum_g (sum_{i in g} (v_i - mean))^2 / n^2``;
    with one article per group it is the usual ``s^2 / n`` (up to ``ddof``). It is never
    smaller than the independent-articles estimate, so a few large groups cannot make the
    reference look more precise than it is.
    """
    values = np.asarray(values, dtype=float)
    n = len(values)
    if n < 2:
        return 0.0
    _, inverse = np.unique(np.asarray(groups), return_inverse=True)
    n_groups = int(inverse.max()) + 1
    iid = float(values.var(ddof=1)) / n
    if n_groups < 2:
        return iid
    sums = np.bincount(inverse, weights=values - values.mean(), minlength=n_groups)
    clustered = n_groups / (n_groups - 1) * float((sums**2).sum()) / n**2
    return max(clustered, iid)


@dataclass(frozen=True)
class HumanClass:
    """The human-written dev articles of one label: ``p_mt`` (PACC) and, with a cut, the flag (ACC)."""

    p: ClassStats
    flag: ClassStats | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"p_human": self.p.to_dict()}
        if self.flag is not None:
            out["flag_human"] = self.flag.to_dict()
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "HumanClass":
        flag = d.get("flag_human")
        return cls(p=ClassStats.from_dict(d["p_human"]), flag=None if flag is None else ClassStats.from_dict(flag))


@dataclass(frozen=True)
class Reference:
    """What the model does on labelled held-out articles: the numbers every correction uses.

    ``p_mt``/``p_human``: ``p_mt`` over dev MT and dev human-written articles (PACC);
    ``flag_mt``/``flag_human``: the share at or above ``cut`` (TPR and FPR, for ACC);
    ``recalibration``: optional Platt parameters ``(a, b)`` mapping ``logit p`` to a
    recalibrated logit (for EM); ``source``: where the numbers come from, for the report.
    ``human_by_label``: the human class of each dev label alone (from ``labels``), which
    :meth:`matched` swaps in; ``human_reference``: which human class ``p_human`` and
    ``flag_human`` describe (a key of :data:`HUMAN_REFERENCES`).
    """

    p_mt: ClassStats | None = None
    p_human: ClassStats | None = None
    cut: float | None = None
    flag_mt: ClassStats | None = None
    flag_human: ClassStats | None = None
    recalibration: tuple[float, float] | None = None
    source: str = ""
    #: How many dev articles of each label make up the human class (documentation).
    human_labels: Mapping[str, int] | None = field(default=None, compare=False, hash=False)
    human_by_label: Mapping[str, HumanClass] | None = field(default=None, hash=False)
    human_reference: str = "mixed"

    def flagged_shares(self) -> dict[str, float] | None:
        """The share of dev articles at or above ``cut``, per label: MT (``mt``, every machine
        translation), and each human label the reference keeps (``original``,
        ``human_translation``); None without a cut or per-label flags."""
        if self.cut is None or self.flag_mt is None or not self.human_by_label:
            return None
        out = {label: h.flag.mean for label, h in self.human_by_label.items() if h.flag is not None}
        if not out:
            return None
        return {**out, "mt": self.flag_mt.mean}

    @property
    def methods(self) -> tuple[str, ...]:
        """The methods this reference supports (``em`` and ``cc`` need nothing from it)."""
        out = []
        if _separates(self.p_mt, self.p_human):
            out.append("pacc")
        if self.cut is not None and _separates(self.flag_mt, self.flag_human):
            out.append("acc")
        return (*out, "em", "cc")

    @property
    def default_method(self) -> str:
        """PACC when the reference has class means of ``p_mt``, else ACC, else nothing usable."""
        for m in (DEFAULT_METHOD, "acc"):
            if m in self.methods:
                return m
        raise ValueError(f"reference {self.source!r} supports neither PACC nor ACC")

    @classmethod
    def from_scores(
        cls,
        p: Sequence[float] | np.ndarray,
        y: Sequence[int] | np.ndarray,
        *,
        groups: Sequence[str] | np.ndarray | None = None,
        labels: Sequence[str] | np.ndarray | None = None,
        cut: float | None = None,
        recalibrate: bool = True,
        source: str = "dev scores",
    ) -> "Reference":
        """The reference of labelled articles' scores ``p`` (``y``: 1 = MT).

        ``groups``: source-document keys (variances clustered by them); ``cut``: the model's
        ``high`` threshold (for ACC); ``recalibrate``: fit a Platt recalibration for EM.
        ``labels``: the articles' labels, to record the mix of the human class and keep the
        statistics of each label's human-written articles alone (for :meth:`matched`).
        """
        p = np.asarray(p, dtype=float)
        y = np.asarray(y).astype(bool)
        g = None if groups is None else np.asarray(groups)
        if not y.any() or y.all():
            raise ValueError("a reference needs both MT and human-written articles")
        g1, g0 = (None, None) if g is None else (g[y], g[~y])
        flags = None if cut is None else (p >= cut).astype(float)
        mix, by_label = None, None
        if labels is not None:
            lab = np.asarray(labels)[~y]
            mix = {str(k): int((lab == k).sum()) for k in sorted(set(lab.tolist()))}
            by_label = {}
            for k in mix:
                one = lab == k
                g = None if g0 is None else g0[one]
                by_label[k] = HumanClass(p=ClassStats.of(p[~y][one], g),
                                         flag=None if flags is None else ClassStats.of(flags[~y][one], g))
        return cls(
            p_mt=ClassStats.of(p[y], g1),
            p_human=ClassStats.of(p[~y], g0),
            cut=cut,
            flag_mt=None if flags is None else ClassStats.of(flags[y], g1),
            flag_human=None if flags is None else ClassStats.of(flags[~y], g0),
            recalibration=platt_recalibration(p, y) if recalibrate else None,
            source=source,
            human_labels=mix,
            human_by_label=by_label,
        )

    def matched(self, kind: str) -> "Reference":
        """This reference with the human class ``kind`` (a key of :data:`HUMAN_REFERENCES`).

        ``"mixed"`` is the reference as built (dev's human-written articles as dev mixes
        them); ``"original"`` and ``"translation"`` correct against dev's original English
        articles or its human translations alone, for outlets whose human-written articles are
        all of that kind. The MT class, the cut and the recalibration stay. Raises ValueError
        when the reference has no statistics for that label (a card written before they were
        kept, or a reference built without ``labels``).
        """
        if kind not in HUMAN_REFERENCES:
            raise ValueError(f"unknown human reference {kind!r}; one of {', '.join(HUMAN_REFERENCES)}")
        if kind == self.human_reference:
            return self
        if self.human_reference != "mixed":
            raise ValueError(f"the reference is already matched to {self.human_reference!r}; match the mixed one")
        label = HUMAN_REFERENCES[kind]
        human = (self.human_by_label or {}).get(label)
        if human is None:
            why = ("it has no statistics per kind of human-written article (a model card written before "
                   "mtdetect kept them: retrain the model)") if not self.human_by_label else (
                f"its dev data has no human-written articles labelled {label!r}")
            raise ValueError(f"cannot correct against {HUMAN_REFERENCE_NAMES[kind]} with the reference "
                             f"{self.source!r}: {why}; the mixed reference works")
        return replace(
            self,
            p_human=human.p,
            flag_human=human.flag if self.flag_mt is not None else None,
            source=f"{self.source}; human class: {HUMAN_REFERENCE_NAMES[kind]} ({human.p.n} articles)",
            human_labels={label: human.p.n},
            human_reference=kind,
        )

    def to_card(self) -> dict[str, Any]:
        """The card entry (``card["prevalence"]``): plain numbers."""
        out: dict[str, Any] = {"version": CARD_VERSION, "source": self.source}
        for name in ("p_mt", "p_human", "flag_mt", "flag_human"):
            stats = getattr(self, name)
            if stats is not None:
                out[name] = stats.to_dict()
        if self.cut is not None:
            out["cut"] = self.cut
        if self.recalibration is not None:
            out["recalibration"] = list(self.recalibration)
        if self.human_labels:
            out["human_labels"] = dict(self.human_labels)
        if self.human_by_label:
            out["human_by_label"] = {k: v.to_dict() for k, v in self.human_by_label.items()}
        return out

    @classmethod
    def from_card(cls, card: Mapping[str, Any] | None, high: float | None = None) -> "Reference | None":
        """The reference stored in a model card, else one rebuilt from its dev metrics, else None.

        The card's ``prevalence`` entry (:meth:`to_card`) has everything. An older card has only
        ``dev_metrics.article.all``: TPR and FPR at the ``high`` threshold and the class counts,
        enough for ACC (binomial variances times :data:`FALLBACK_DESIGN_EFFECT`). ``high``: the
        thresholds the model uses now; a cut that differs drops the ACC numbers.
        """
        if not card:
            return None
        entry = card.get(CARD_KEY)
        if isinstance(entry, Mapping) and entry.get("version") == CARD_VERSION:
            try:
                ref = cls._from_entry(entry)
            except (KeyError, TypeError, ValueError):
                ref = None
            if ref is not None:
                return _check_cut(ref, high)
        return _check_cut(cls._from_dev_metrics(card), high)

    @classmethod
    def _from_entry(cls, entry: Mapping[str, Any]) -> "Reference":
        def stats(name: str) -> ClassStats | None:
            return ClassStats.from_dict(entry[name]) if name in entry else None

        recal = entry.get("recalibration")
        return cls(
            p_mt=stats("p_mt"),
            p_human=stats("p_human"),
            cut=None if entry.get("cut") is None else float(entry["cut"]),
            flag_mt=stats("flag_mt"),
            flag_human=stats("flag_human"),
            recalibration=None if recal is None else (float(recal[0]), float(recal[1])),
            source=f"model card: {entry.get('source', 'dev')}",
            human_labels=entry.get("human_labels"),
            human_by_label=_human_by_label(entry.get("human_by_label")),
        )

    @classmethod
    def _from_dev_metrics(cls, card: Mapping[str, Any]) -> "Reference | None":
        try:
            m = card["dev_metrics"]["article"]["all"]
            tpr, fpr = float(m["tpr@high"]), float(m["fpr@high"])
            n1, n0 = int(m["n_mt"]), int(m["n_human"])
            cut = float(card["thresholds"]["high"])
        except (KeyError, TypeError, ValueError):
            return None
        if n1 < 1 or n0 < 1:
            return None
        deff = FALLBACK_DESIGN_EFFECT
        return cls(
            cut=cut,
            flag_mt=ClassStats(n=n1, mean=tpr, var_mean=deff * tpr * (1 - tpr) / n1, var_item=tpr * (1 - tpr)),
            flag_human=ClassStats(n=n0, mean=fpr, var_mean=deff * fpr * (1 - fpr) / n0, var_item=fpr * (1 - fpr)),
            source=f"model card: dev TPR/FPR at the high threshold ({n1} MT, {n0} human-written articles)",
        )


def _human_by_label(entry: Any) -> dict[str, HumanClass] | None:
    """The card's ``human_by_label``; None when absent or malformed (the mixed reference still works)."""
    if not isinstance(entry, Mapping):
        return None
    try:
        return {str(k): HumanClass.from_dict(v) for k, v in entry.items()}
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def _separates(a: ClassStats | None, b: ClassStats | None) -> bool:
    return a is not None and b is not None and a.mean - b.mean >= MIN_SEPARATION


def _check_cut(ref: "Reference | None", high: float | None) -> "Reference | None":
    """Drop ACC numbers measured at another cut than the model's ``high`` threshold."""
    if ref is None or high is None or ref.cut is None or abs(ref.cut - high) < 1e-9:
        return ref
    by_label = None if ref.human_by_label is None else {k: HumanClass(p=v.p) for k, v in ref.human_by_label.items()}
    return replace(ref, cut=None, flag_mt=None, flag_human=None, human_by_label=by_label)


def reference_for_model(model: Any) -> Reference | None:
    """The reference describing the ``p_mt`` that ``model`` emits, or None.

    A model with a second stage (``--deep``: ``base`` + ``stage``) emits probabilities that its
    first stage's card does not describe; its stage's own card is used, if it has an entry
    (``train --deep`` writes one; ``scripts/card_deep_prevalence.py`` adds it to an older
    stage). The cascade (``policy="uncertain"``) has none: its scores mix the two stages', and
    neither reference describes that mix.
    """
    thresholds = getattr(model, "thresholds", None)
    high = getattr(thresholds, "high", None)
    stage = getattr(model, "stage", None)
    if stage is not None and getattr(model, "base", None) is not None:
        if getattr(model, "policy", "all") != "all":
            return None
        card = getattr(stage, "card", None)
        return Reference.from_card({CARD_KEY: card.get(CARD_KEY)} if isinstance(card, Mapping) else None, high)
    card = getattr(model, "card", None)
    return Reference.from_card(card if isinstance(card, Mapping) else None, high)


METHOD_NAMES = {
    "pacc": "probabilistic adjusted classify and count (PACC)",
    "acc": "adjusted classify and count (ACC) at the high threshold",
    "em": "EM re-estimation of the prior",
    "cc": "share flagged (classify and count)",
}


def describe(reference: Reference | None) -> dict[str, Any]:
    """What ``est_mt_share`` is, for ``summary.json``: the method and where its reference comes from."""
    if reference is None:
        return {"method": None, "note": "no estimated MT share: the model has no dev reference "
                "(the rule scorer, a second stage without one, or the cascade)"}
    method = reference.default_method
    parts = ["est_mt_share estimates the share of machine-translated articles, corrected for the model's error "
             "rates on dev articles, with a 95% interval",
             "share_flagged is the share at or above the high threshold, which about 1% of original English "
             "articles reach and only a minority of MT articles do, so it undercounts"]
    kind = reference.human_reference
    if kind != "mixed":  # the mixed reference's note stays as it was before the choice existed
        parts.insert(1, f"its human-written class is {HUMAN_REFERENCE_NAMES[kind]} (--human-reference {kind}): "
                        f"{HUMAN_REFERENCE_MEANING[kind]}")
    out = {"method": method, "method_name": METHOD_NAMES[method], "reference": reference.source,
           "note": "; ".join(parts)}
    shares = reference.flagged_shares()
    if shares is not None:  # what share_flagged means in errors: measured, per kind of article
        out["flagged_on_dev"] = {label: round(v, 4) for label, v in shares.items()}
    if kind != "mixed":
        out["human_reference"] = kind
    return out


def platt_recalibration(p: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """``(a, b)`` such that ``sigmoid(a * logit(p) + b)`` is calibrated on ``(p, y)`` for equal priors.

    A one-feature logistic regression with the classes weighted equally (as the model
    itself is calibrated), fitted by Newton's method (a few iterations; no dependencies).
    """
    x = _logit(p)
    y = np.asarray(y, dtype=float)
    w = np.where(y > 0, 0.5 / max(y.mean(), _EPS), 0.5 / max(1 - y.mean(), _EPS))
    X = np.column_stack([x, np.ones_like(x)])
    beta = np.array([1.0, 0.0])
    for _ in range(100):
        q = 1 / (1 + np.exp(-(X @ beta)))
        grad = X.T @ (w * (y - q))
        hess = (X * (w * q * (1 - q))[:, None]).T @ X + 1e-9 * np.eye(2)
        step = np.linalg.solve(hess, grad)
        beta = beta + step
        if np.max(np.abs(step)) < 1e-10:
            break
    return float(beta[0]), float(beta[1])


# --------------------------------------------------------------------------- estimates


@dataclass(frozen=True)
class ShareEstimate:
    """An outlet's estimated MT share with its 95% interval."""

    share: float
    low: float
    high: float
    method: str
    n: int

    def to_dict(self, digits: int = 4) -> dict[str, Any]:
        return {"est_mt_share": round(self.share, digits), "est_mt_share_low": round(self.low, digits),
                "est_mt_share_high": round(self.high, digits), "method": self.method, "n": self.n}


@dataclass(frozen=True)
class ScoreSums:
    """An outlet's scores as running sums: all that CC, ACC and PACC need."""

    n: int
    sum_p: float
    sum_p2: float
    n_flagged: int = 0

    @classmethod
    def of(cls, p: Sequence[float] | np.ndarray, cut: float | None = None) -> "ScoreSums":
        p = np.asarray(p, dtype=float)
        return cls(n=len(p), sum_p=float(p.sum()), sum_p2=float((p * p).sum()),
                   n_flagged=0 if cut is None else int((p >= cut).sum()))


def classify_and_count(n_flagged: int, n: int) -> float:
    """CC: the share of articles flagged."""
    return n_flagged / n if n else 0.0


def adjusted_classify_and_count(share_flagged: float, tpr: float, fpr: float) -> float:
    """ACC (Forman 2008; Rogan & Gladen 1978): ``(share_flagged - FPR) / (TPR - FPR)`` in [0, 1]."""
    if tpr - fpr <= 0:
        raise ValueError(f"ACC needs TPR > FPR (got TPR {tpr}, FPR {fpr})")
    return _clip((share_flagged - fpr) / (tpr - fpr))


def probabilistic_adjusted_classify_and_count(mean_p: float, mean_p_mt: float, mean_p_human: float) -> float:
    """PACC (Bella et al. 2010): ``(mean_p - mean_p_human) / (mean_p_mt - mean_p_human)`` in [0, 1]."""
    if mean_p_mt - mean_p_human <= 0:
        raise ValueError(f"PACC needs mean p of MT > of human-written (got {mean_p_mt}, {mean_p_human})")
    return _clip((mean_p - mean_p_human) / (mean_p_mt - mean_p_human))


def adjusted_mean_interval(
    n: int, mean: float, sample_var: float, pos: ClassStats, neg: ClassStats, z: float = Z95
) -> tuple[float, float, float]:
    """``(share, low, high)`` for the adjusted mean ``(mean - neg.mean) / (pos.mean - neg.mean)``.

    ``mean``/``sample_var``: the outlet's statistic (``p_mt`` or the flag) over its ``n``
    articles. Delta method over the outlet's sampling and the reference's (see the module
    docstring); the estimate is clipped to [0, 1] and the interval is centred on it.
    """
    d = pos.mean - neg.mean
    if d <= 0:
        raise ValueError("the reference's MT class must score higher than its human class")
    if n <= 0:
        return 0.0, 0.0, 1.0
    raw = (mean - neg.mean) / d
    share = _clip(raw)
    predicted = share * pos.var_item + (1 - share) * neg.var_item + share * (1 - share) * d * d
    item_var = ((n - 1) * max(sample_var, 0.0) + PRIOR_ITEMS * predicted) / (n - 1 + PRIOR_ITEMS)
    k = 1.0 + POPULATION_FACTOR
    var = (item_var / n + k * (share**2 * pos.var_mean + (1 - share) ** 2 * neg.var_mean)) / (d * d)
    half = z * math.sqrt(max(var, 0.0))
    # Centred on the clipped estimate: a raw estimate far below 0 (the outlet's articles score
    # lower than the reference's human class) must not give the certain-looking interval [0, 0].
    return share, _clip(share - half), _clip(share + half)


def estimate(sums: ScoreSums, reference: Reference | None, method: str | None = None, z: float = Z95) -> ShareEstimate:
    """The MT share of one outlet from its :class:`ScoreSums` (methods ``pacc``, ``acc``, ``cc``).

    ``method`` None: the reference's default. ``n_flagged`` must count articles at or above
    ``reference.cut`` (the model's ``high`` threshold) for ``acc`` and ``cc``.
    """
    n = sums.n
    if method is None:
        if reference is None:
            raise ValueError("no reference: pass method='cc' or a Reference")
        method = reference.default_method
    if method == "cc":
        share = classify_and_count(sums.n_flagged, n)
        lo, hi = wilson_interval(sums.n_flagged, n, z)
        return ShareEstimate(share, lo, hi, "cc", n)
    if method == "em":
        raise ValueError("EM needs every score: use estimate_from_scores")
    if reference is None or method not in reference.methods:
        raise ValueError(f"method {method!r} is not available with reference {getattr(reference, 'source', None)!r}")
    if method == "pacc":
        mean = sums.sum_p / n if n else 0.0
        s2 = (sums.sum_p2 - n * mean * mean) / (n - 1) if n > 1 else 0.0
        share, lo, hi = adjusted_mean_interval(n, mean, s2, reference.p_mt, reference.p_human, z)
    elif method == "acc":
        c = sums.n_flagged / n if n else 0.0
        s2 = c * (1 - c) * n / (n - 1) if n > 1 else 0.0
        share, lo, hi = adjusted_mean_interval(n, c, s2, reference.flag_mt, reference.flag_human, z)
    else:
        raise ValueError(f"unknown method {method!r}; one of {METHODS}")
    return ShareEstimate(share, lo, hi, method, n)


def estimate_from_scores(
    p: Sequence[float] | np.ndarray, reference: Reference | None, method: str | None = None, z: float = Z95
) -> ShareEstimate:
    """The MT share of the articles scored ``p`` (any method, EM included)."""
    p = np.asarray(p, dtype=float)
    if method == "em":
        recal = None if reference is None else reference.recalibration
        return em_estimate(p, recalibration=recal, z=z)
    cut = None if reference is None else reference.cut
    return estimate(ScoreSums.of(p, cut), reference, method, z)


# --------------------------------------------------------------------------- EM (Saerens et al. 2002)


def recalibrated(p: np.ndarray, recalibration: tuple[float, float] | None) -> np.ndarray:
    """``p`` through a Platt recalibration ``(a, b)`` (unchanged when None), kept inside (0, 1)."""
    p = np.clip(np.asarray(p, dtype=float), _EPS, 1 - _EPS)
    if recalibration is None:
        return p
    a, b = recalibration
    return np.clip(1 / (1 + np.exp(-(a * _logit(p) + b))), _EPS, 1 - _EPS)


def em_prior(
    p: Sequence[float] | np.ndarray,
    *,
    model_prior: float = 0.5,
    tol: float = 1e-10,
) -> float:
    """The MT prior of a set of articles: the fixed point of the EM of Saerens et al. (2002).

    ``p``: posteriors calibrated under ``model_prior``. EM re-weights them to the current
    prior and averages (:func:`em_step`) until nothing changes; the fixed point maximises the
    mixture likelihood of :func:`em_log_likelihood`. EM itself crawls when the classes overlap
    (each step gains the share of information that is not missing), so the maximum is found
    directly: the likelihood is concave in the prior, so its derivative
    ``sum (a_i - b_i) / (pi a_i + (1 - pi) b_i)`` (``a = p/pi0``, ``b = (1-p)/(1-pi0)``) falls
    monotonically and its root is bracketed by bisection. At the result, one more EM step
    returns the same prior (tested).
    """
    q = np.clip(np.asarray(p, dtype=float), _EPS, 1 - _EPS)
    if len(q) == 0:
        return 0.0
    a, b = q / model_prior, (1 - q) / (1 - model_prior)

    def slope(pi: float) -> float:
        return float(np.sum((a - b) / (pi * a + (1 - pi) * b)))

    if slope(0.0) <= 0:
        return 0.0
    if slope(1.0) >= 0:
        return 1.0
    lo, hi = 0.0, 1.0
    while hi - lo > tol:
        mid = (lo + hi) / 2
        if slope(mid) > 0:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def em_step(pi: float, p: Sequence[float] | np.ndarray, model_prior: float = 0.5) -> float:
    """One EM step of Saerens et al. (2002): the mean posterior after re-weighting to prior ``pi``."""
    q = np.clip(np.asarray(p, dtype=float), _EPS, 1 - _EPS)
    a, b = pi / model_prior, (1 - pi) / (1 - model_prior)
    return float(np.mean(a * q / (a * q + b * (1 - q))))


def em_log_likelihood(pi: float, p: np.ndarray, model_prior: float = 0.5) -> float:
    """Log-likelihood (up to a constant) of prior ``pi`` for posteriors ``p`` calibrated at ``model_prior``."""
    q = np.clip(np.asarray(p, dtype=float), _EPS, 1 - _EPS)
    return float(np.sum(np.log(pi * q / model_prior + (1 - pi) * (1 - q) / (1 - model_prior))))


def em_estimate(
    p: Sequence[float] | np.ndarray,
    *,
    recalibration: tuple[float, float] | None = None,
    model_prior: float = 0.5,
    z: float = Z95,
) -> ShareEstimate:
    """EM prior with its likelihood-ratio interval (outlet sampling only; the calibration is trusted)."""
    q = recalibrated(np.asarray(p, dtype=float), recalibration)
    n = len(q)
    if n == 0:
        return ShareEstimate(0.0, 0.0, 1.0, "em", 0)
    pi = em_prior(q, model_prior=model_prior)
    best = em_log_likelihood(pi, q, model_prior)
    drop = z * z / 2

    def inside(x: float) -> bool:
        return em_log_likelihood(x, q, model_prior) >= best - drop

    # the log-likelihood is concave in pi, so the interval is {pi: ll >= max - z^2/2}
    lo = 0.0 if inside(0.0) else _bisect(inside, 0.0, pi)
    hi = 1.0 if inside(1.0) else _bisect(lambda x: not inside(x), pi, 1.0)
    return ShareEstimate(pi, lo, hi, "em", n)


# --------------------------------------------------------------------------- helpers


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval for a binomial proportion (``(0, 1)`` when ``n == 0``)."""
    if n <= 0:
        return 0.0, 1.0
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def _bisect(is_right: Callable[[float], bool], a: float, b: float, iters: int = 50) -> float:
    """The boundary in [a, b] where ``is_right`` turns true (false at ``a``, true at ``b``)."""
    for _ in range(iters):
        mid = (a + b) / 2
        if is_right(mid):
            b = mid
        else:
            a = mid
    return (a + b) / 2


def _clip(x: float) -> float:
    return min(1.0, max(0.0, float(x)))


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=float), _EPS, 1 - _EPS)
    return np.log(p / (1 - p))
