"""The facade: ``Detector.load().score(text)`` -> :class:`ArticleReport`.

A Detector owns the recognizers and a scoring model. Each article is analysed once
(segmentation + recognizers); the analysis feeds the model and the report alike. An
article over a size limit (:mod:`mtdetect.guard`), past its ``timeout`` (see
:mod:`mtdetect.budget` for where the limit can be enforced) or whose scoring raises becomes
an error report, and the rest of the batch goes on.
"""

from __future__ import annotations

import os
import re
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from .budget import ArticleTimeout, time_budget
from .features import Analysis, analyze_document, rule_score
from .guard import ArticleLimits, LimitExceeded, failure_reason, stage
from .recognizers import builtin_recognizers
from .recognizers.base import Recognizer
from .segment import segment
from .types import Article, ArticleReport, Finding, InputError, SentenceScore, Verdict

if TYPE_CHECKING:
    import numpy as np

MODEL_ENV = "MTDETECT_MODEL"
RULES_MODEL = "rules"

# A surrogate code point on its own is not a character: UTF-8 cannot encode it, so the
# tokenizer, the text hasher and the text report would fail on it. JSON's "\ud800" escape
# and Python callers can still hand one in.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def replace_lone_surrogates(text: str) -> str:
    """``text`` with every lone surrogate replaced by U+FFFD (one for one: offsets are kept)."""
    return _LONE_SURROGATE.sub("\ufffd", text) if _LONE_SURROGATE.search(text) else text


@dataclass(frozen=True, slots=True)
class ShortCuts:
    """Cuts for texts of fewer than ``max_words`` words (see :class:`Thresholds`)."""

    max_words: int
    low: float
    high: float


@dataclass(frozen=True, slots=True)
class Thresholds:
    """``p >= high`` -> machine_translated; ``p < low`` -> human; between -> unsure.

    A model may carry separate cuts for short texts (``short``): with few sentences an
    original English text reaches high scores more often, so the cut that flags at most 1%
    of whole original articles flags 2-3% of short ones. Callers that know the text's length
    pass ``n_words``; without it the article cuts apply.
    """

    low: float
    high: float
    short: ShortCuts | None = None

    def for_length(self, n_words: int | None) -> Thresholds:
        """The cuts that apply to a text of ``n_words`` words (without any short cuts)."""
        if self.short is not None and n_words is not None and n_words < self.short.max_words:
            return Thresholds(self.short.low, self.short.high)
        return self if self.short is None else Thresholds(self.low, self.high)

    def highs(self, n_words) -> np.ndarray:
        """The ``high`` cut of each text, from an array of word counts."""
        return self._per_text(n_words, self.high, None if self.short is None else self.short.high)

    def lows(self, n_words) -> np.ndarray:
        """The ``low`` cut of each text, from an array of word counts."""
        return self._per_text(n_words, self.low, None if self.short is None else self.short.low)

    def _per_text(self, n_words, article_cut: float, short_cut: float | None) -> np.ndarray:
        import numpy as np

        n = np.asarray(n_words)
        if short_cut is None:
            return np.full(n.shape, article_cut, dtype=float)
        return np.where(n < self.short.max_words, short_cut, article_cut)

    def to_dict(self) -> dict:
        out: dict = {"low": self.low, "high": self.high}
        if self.short is not None:
            out["short"] = {"max_words": self.short.max_words, "low": self.short.low, "high": self.short.high}
        return out

    @classmethod
    def from_dict(cls, d: dict) -> Thresholds:
        """The inverse of :meth:`to_dict` (KeyError, TypeError, ValueError or AttributeError
        on a malformed dict; values are not range-checked)."""
        low, high = float(d["low"]), float(d["high"])
        short = d.get("short")
        if short is None:
            return cls(low, high)
        return cls(low, high, ShortCuts(int(short["max_words"]), float(short["low"]), float(short["high"])))

    def verdict(self, p: float, n_words: int | None = None) -> Verdict:
        th = self.for_length(n_words)
        if p >= th.high:
            return Verdict.MACHINE_TRANSLATED
        if p < th.low:
            return Verdict.HUMAN
        return Verdict.UNSURE


def count_words(text: str) -> int:
    """Whitespace-separated words: the length measure of the short-text cuts."""
    return len(text.split())


@dataclass(frozen=True, slots=True)
class Prediction:
    """A model's output for one article."""

    article_p: float
    sentence_p: tuple[float, ...]
    source_lang: str | None = None
    source_lang_confidence: float | None = None
    #: The cuts this probability is judged by, when not the model's own (a cascade's stages
    #: each have theirs).
    thresholds: Thresholds | None = None
    #: What moved the trained article model, by family (:mod:`mtdetect.evidence`).
    evidence: tuple = ()


class ScoringModel(Protocol):
    """What the Detector needs from a model (the rule scorer or a trained bundle)."""

    model_id: str
    thresholds: Thresholds

    def predict(self, analyses: Sequence[Analysis]) -> list[Prediction]:
        """One prediction per analysed article."""
        ...


def source_language_from_findings(findings: Sequence[Finding]) -> tuple[str | None, float | None]:
    """The source language the findings point to, with the share of evidence behind it."""
    weight: dict[str, float] = defaultdict(float)
    for f in findings:
        if f.source_lang_hint:
            weight[f.source_lang_hint] += f.score
    if not weight:
        return None, None
    lang, w = max(weight.items(), key=lambda kv: kv[1])
    return lang, w / sum(weight.values())


class RuleModel:
    """Transparent scorer over the findings alone (no training, no embeddings).

    Sentence ``p_mt`` is the noisy-OR of its findings' scores; article ``p_mt`` the
    noisy-OR of all findings. With no finding, ``p_mt`` is 0: the rules can only accuse,
    never clear, so use the trained model for a calibrated probability.
    """

    model_id = RULES_MODEL
    thresholds = Thresholds(low=0.5, high=0.8)

    def predict(self, analyses: Sequence[Analysis]) -> list[Prediction]:
        out = []
        for a in analyses:
            lang, conf = source_language_from_findings(a.findings)
            out.append(
                Prediction(
                    article_p=rule_score(a.findings),
                    sentence_p=tuple(rule_score(fs) for fs in a.by_sentence),
                    source_lang=lang,
                    source_lang_confidence=conf,
                )
            )
        return out


def default_model_dir() -> Path:
    """The shipped bundle: ``models/default`` beside the package."""
    return Path(__file__).resolve().parent.parent / "models" / "default"


def resolve_model(model: str | os.PathLike | None, *, fast: bool = False) -> str | Path:
    """``--model`` value, else ``$MTDETECT_MODEL``, else the shipped bundle (fast variant with ``fast``)."""
    chosen = model if model is not None else os.environ.get(MODEL_ENV)
    if chosen is None:
        base = default_model_dir()
        return base.with_name(base.name + "-fast") if fast else base
    return chosen if str(chosen) == RULES_MODEL else Path(chosen)


class Detector:
    """Scores articles and sentences for machine-translated origin, with explanations.

    ``timeout``: seconds allowed for one article's whole path (limits, segmentation,
    recognizers, features, embeddings, classifiers); an article over it becomes an error
    report. ``None`` or ``0``: no limit. ``limits``: the :class:`ArticleLimits` an article
    must meet before it is analysed (default: :class:`ArticleLimits` ()).

    Whatever one article contains, it costs at most its own error report: an article over
    a limit, out of time, or whose scoring raises is reported as an error (naming the
    stage) and the other articles of its batch are scored as if it were not there.
    """

    def __init__(
        self,
        model: ScoringModel | None = None,
        recognizers: Sequence[Recognizer] | None = None,
        timeout: float | None = None,
        limits: ArticleLimits | None = None,
    ) -> None:
        self.model: ScoringModel = model if model is not None else RuleModel()
        self.recognizers: list[Recognizer] = (
            list(recognizers) if recognizers is not None else builtin_recognizers()
        )
        self.timeout = timeout if timeout and timeout > 0 else None
        self.limits = limits if limits is not None else ArticleLimits()
        for rec in self.recognizers:
            rec.load()

    @classmethod
    def load(
        cls, model: str | os.PathLike | None = None, *, fast: bool = False, embedder=None,
        timeout: float | None = None, limits: ArticleLimits | None = None, deep: str | None = None,
    ) -> "Detector":
        """A detector with the given bundle, ``rules``, or the shipped default model.

        Falls back to the rule scorer only when no bundle is given and none is shipped.
        ``deep``: ``"all"`` adds the bundle's round-trip stage for every article,
        ``"uncertain"`` only for articles the first stage leaves unsure (see :mod:`mtdetect.deep`).
        """
        if deep is not None:
            if fast:
                raise ValueError("--deep and --fast exclude each other: the round-trip stage sits on the full model")
            from .deep import load_deep
            from .model import load_bundle

            where = Path(resolve_model(model))
            base = load_bundle(where, embedder=embedder)
            return cls(load_deep(where, base, deep), timeout=timeout, limits=limits)
        where = resolve_model(model, fast=fast)
        if where == RULES_MODEL:
            return cls(RuleModel(), timeout=timeout, limits=limits)
        where = Path(where)
        if model is None and os.environ.get(MODEL_ENV) is None and not (where / "card.json").exists():
            return cls(RuleModel(), timeout=timeout, limits=limits)
        from .model import load_bundle

        return cls(load_bundle(where, embedder=embedder), timeout=timeout, limits=limits)

    def analyze(self, text: str) -> Analysis:
        """Segmentation and findings for ``text`` (no scoring), within :attr:`limits`.

        Lone surrogates are replaced by U+FFFD first (see :func:`replace_lone_surrogates`).
        Raises :class:`LimitExceeded` for an article over a limit.
        """
        self.limits.check_text(text)
        text = replace_lone_surrogates(text)
        with stage("segmentation"):
            doc = segment(text)
        self.limits.check_sentences(len(doc.sentences))
        with stage("recognizers"):
            return analyze_document(doc, self.recognizers)

    def score(self, item: str | Article) -> ArticleReport:
        """Score one text or Article."""
        return next(self.score_many([item]))

    def score_many(
        self, items: Iterable[str | Article | InputError], batch_size: int = 32
    ) -> Iterator[ArticleReport]:
        """Score many items lazily, in batches (embeddings are batched across articles).

        An :class:`InputError` passes through as an error report, in order. Never raises
        for what an item contains: an article that cannot be scored becomes an error report.
        """
        batch: list[Article | InputError] = []
        for n, item in enumerate(items):
            if isinstance(item, str):
                item = Article(id=f"text-{n + 1}", text=item)
            batch.append(item)
            if len(batch) >= batch_size:
                yield from self._score_batch(batch)
                batch = []
        if batch:
            yield from self._score_batch(batch)

    def _score_batch(self, batch: list[Article | InputError]) -> list[ArticleReport]:
        # Each slot is a finished (error) report or an analysed article awaiting its score.
        slots: list[ArticleReport | _Pending] = []
        for item in batch:
            if isinstance(item, InputError):
                slots.append(ArticleReport.from_error(item))
                continue
            started = time.monotonic()
            try:
                with time_budget(self.timeout):
                    analysis = self.analyze(item.text)
            except ArticleTimeout:
                if self.timeout is None:
                    raise  # a caller's own budget (run_with_budget around score): theirs to handle
                slots.append(self._error_report(item, self._timeout_reason("analysis")))
                continue
            except LimitExceeded as exc:
                slots.append(self._error_report(item, str(exc)))
                continue
            except Exception as exc:  # noqa: BLE001 - one article's failure stays its own
                slots.append(self._error_report(item, failure_reason(exc, "analysis")))
                continue
            slots.append(_Pending(item, analysis, time.monotonic() - started))
        pending = [slot for slot in slots if isinstance(slot, _Pending)]
        scored = self._predict_guarded(pending)
        return [scored[id(slot)] if isinstance(slot, _Pending) else slot for slot in slots]

    def _predict_guarded(self, pending: list["_Pending"]) -> dict[int, ArticleReport]:
        """Reports for analysed articles: one batched prediction, and when that fails
        (an exception or the time budget), one prediction per article so that only the
        article at fault becomes an error."""
        if not pending:
            return {}
        if len(pending) > 1:
            try:
                return {id(p): report for p, report in zip(pending, self._predict(pending))}
            except ArticleTimeout:
                if self.timeout is None:
                    raise
            except Exception:  # noqa: BLE001 - retried article by article below
                pass
        return {id(p): self._predict_one(p) for p in pending}

    def _predict(self, pending: list["_Pending"]) -> list[ArticleReport]:
        """Reports for ``pending`` from one model call, under their time budget."""
        with time_budget(self._remaining(pending)):
            predictions = self.model.predict([p.analysis for p in pending])
        if len(predictions) != len(pending):
            raise RuntimeError(f"model returned {len(predictions)} predictions for {len(pending)} articles")
        return [self._report(p.article, p.analysis, pred) for p, pred in zip(pending, predictions)]

    def _predict_one(self, p: "_Pending") -> ArticleReport:
        try:
            return self._predict([p])[0]
        except ArticleTimeout:
            if self.timeout is None:
                raise
            return self._error_report(p.article, self._timeout_reason("prediction"))
        except Exception as exc:  # noqa: BLE001 - this article's own error record
            return self._error_report(p.article, failure_reason(exc, "prediction"))

    def _remaining(self, pending: list["_Pending"]) -> float | None:
        """Prediction time allowed for ``pending`` articles: the sum of what each one's
        analysis left of its budget (at least a millisecond each, so an article that used
        up its budget in analysis times out in prediction instead of running unbounded).

        Counted per article, not by the wall clock: when a batch prediction fails, the
        time the batch took is not charged to the articles then predicted one by one.
        """
        if self.timeout is None:
            return None
        return sum(max(self.timeout - p.analysis_seconds, 1e-3) for p in pending)

    def _timeout_reason(self, where: str) -> str:
        return f"scoring exceeded the {self.timeout:g} s time budget (--timeout) in stage '{where}'"

    def _error_report(self, article: Article, reason: str) -> ArticleReport:
        """The error report of an article that could not be scored, naming the article."""
        where = article.path or article.id
        # Name the article when its input holds several (a JSONL line, a feed item).
        which = f"article {article.id}: " if article.id != where else ""
        error = InputError(input=where, id=article.id, reason=f"{which}{reason}")
        return replace(
            ArticleReport.from_error(error),
            title=article.title, source=article.source, url=article.url, published=article.published,
        )

    def _report(self, article: Article, analysis: Analysis, pred: Prediction) -> ArticleReport:
        sentences = tuple(
            SentenceScore(s.index, s.span, s.text, p, fs)
            for s, p, fs in zip(analysis.document.sentences, pred.sentence_p, analysis.by_sentence)
        )
        th = pred.thresholds or self.model.thresholds
        return ArticleReport(
            id=article.id,
            p_mt=pred.article_p,
            # the text's length matters only to a model with short-text cuts
            verdict=th.verdict(pred.article_p, count_words(analysis.document.text) if th.short else None),
            sentences=sentences,
            findings=analysis.findings,
            source_lang_hint=pred.source_lang,
            source_lang_confidence=pred.source_lang_confidence,
            path=article.path,
            title=article.title,
            source=article.source,
            url=article.url,
            published=article.published,
            model_id=self.model.model_id,
            evidence=pred.evidence,
        )


@dataclass(frozen=True, slots=True, eq=False)
class _Pending:
    """An analysed article awaiting its prediction, with the seconds its analysis took."""

    article: Article
    analysis: Analysis
    analysis_seconds: float
