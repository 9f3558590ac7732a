"""The facade: ``Detector.load().score(text)`` -> :class:`ArticleReport`.

A Detector owns the recognizers and a scoring model. Each article is analysed once
(segmentation + recognizers); the analysis feeds the model and the report alike. With a
``timeout``, an article whose analysis runs past it becomes an error report and the batch
goes on (see :mod:`mtdetect.budget` for where the limit can be enforced).
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from .budget import ArticleTimeout, time_budget
from .features import Analysis, analyze, rule_score
from .recognizers import builtin_recognizers
from .recognizers.base import Recognizer
from .types import Article, ArticleReport, Finding, InputError, SentenceScore, Verdict

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
class Thresholds:
    """``p >= high`` -> machine_translated; ``p < low`` -> human; between -> unsure."""

    low: float
    high: float

    def verdict(self, p: float) -> Verdict:
        if p >= self.high:
            return Verdict.MACHINE_TRANSLATED
        if p < self.low:
            return Verdict.HUMAN
        return Verdict.UNSURE


@dataclass(frozen=True, slots=True)
class Prediction:
    """A model's output for one article."""

    article_p: float
    sentence_p: tuple[float, ...]
    source_lang: str | None = None
    source_lang_confidence: float | None = None


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

    ``timeout``: seconds allowed for one article's analysis (segmentation and
    recognizers); an article over it becomes an error report. ``None`` or ``0``: no limit.
    """

    def __init__(
        self,
        model: ScoringModel | None = None,
        recognizers: Sequence[Recognizer] | None = None,
        timeout: float | None = None,
    ) -> None:
        self.model: ScoringModel = model if model is not None else RuleModel()
        self.recognizers: list[Recognizer] = (
            list(recognizers) if recognizers is not None else builtin_recognizers()
        )
        self.timeout = timeout if timeout and timeout > 0 else None
        for rec in self.recognizers:
            rec.load()

    @classmethod
    def load(
        cls, model: str | os.PathLike | None = None, *, fast: bool = False, embedder=None,
        timeout: float | None = None,
    ) -> "Detector":
        """A detector with the given bundle, ``rules``, or the shipped default model.

        Falls back to the rule scorer only when no bundle is given and none is shipped.
        """
        where = resolve_model(model, fast=fast)
        if where == RULES_MODEL:
            return cls(RuleModel(), timeout=timeout)
        where = Path(where)
        if model is None and os.environ.get(MODEL_ENV) is None and not (where / "card.json").exists():
            return cls(RuleModel(), timeout=timeout)
        from .model import load_bundle

        return cls(load_bundle(where, embedder=embedder), timeout=timeout)

    def analyze(self, text: str) -> Analysis:
        """Segmentation and findings for ``text`` (no scoring).

        Lone surrogates are replaced by U+FFFD first (see :func:`replace_lone_surrogates`).
        """
        return analyze(replace_lone_surrogates(text), self.recognizers)

    def score(self, item: str | Article) -> ArticleReport:
        """Score one text or Article."""
        return next(self.score_many([item]))

    def score_many(
        self, items: Iterable[str | Article | InputError], batch_size: int = 32
    ) -> Iterator[ArticleReport]:
        """Score many items lazily, in batches (embeddings are batched across articles).

        An :class:`InputError` passes through as an error report, in order.
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
        slots: list[ArticleReport | tuple[Article, Analysis]] = []
        for item in batch:
            if isinstance(item, InputError):
                slots.append(ArticleReport.from_error(item))
                continue
            try:
                with time_budget(self.timeout):
                    analysis = self.analyze(item.text)
            except ArticleTimeout:
                slots.append(self._timeout_report(item))
                continue
            slots.append((item, analysis))
        analyses = [slot[1] for slot in slots if isinstance(slot, tuple)]
        predictions = iter(self.model.predict(analyses)) if analyses else iter(())
        return [
            slot if isinstance(slot, ArticleReport) else self._report(*slot, next(predictions))
            for slot in slots
        ]

    def _timeout_report(self, article: Article) -> ArticleReport:
        """The error report of an article whose analysis ran out of time."""
        where = article.path or article.id
        # Name the article when its input holds several (a JSONL line, a feed item).
        which = f"article {article.id}: " if article.id != where else ""
        error = InputError(
            input=where,
            id=article.id,
            reason=f"{which}analysis exceeded the {self.timeout:g} s time budget (--timeout)",
        )
        return replace(
            ArticleReport.from_error(error),
            title=article.title, source=article.source, url=article.url, published=article.published,
        )

    def _report(self, article: Article, analysis: Analysis, pred: Prediction) -> ArticleReport:
        sentences = tuple(
            SentenceScore(s.index, s.span, s.text, p, fs)
            for s, p, fs in zip(analysis.document.sentences, pred.sentence_p, analysis.by_sentence)
        )
        return ArticleReport(
            id=article.id,
            p_mt=pred.article_p,
            verdict=self.model.thresholds.verdict(pred.article_p),
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
        )
