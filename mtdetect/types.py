"""Immutable value types shared by every part of mtdetect.

Offsets (``start``/``end``) always index the ORIGINAL article text, so a span can be
highlighted in the input exactly as the user supplied it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any


class Verdict(str, Enum):
    """Article or sentence verdict. ``unsure`` lies between the model's two thresholds."""

    MACHINE_TRANSLATED = "machine_translated"
    HUMAN = "human"
    UNSURE = "unsure"


@dataclass(frozen=True, slots=True)
class Span:
    """Half-open character range ``[start, end)`` into the original text."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if self.start < 0 or self.end < self.start:
            raise ValueError(f"invalid span [{self.start}, {self.end})")

    def __len__(self) -> int:
        return self.end - self.start

    def overlaps(self, other: "Span") -> bool:
        """True when the two spans share at least one character."""
        return self.start < other.end and other.start < self.end


class _Spanned:
    """``start``/``end`` shortcuts for value types that carry a ``span``."""

    __slots__ = ()
    span: Span

    @property
    def start(self) -> int:
        return self.span.start

    @property
    def end(self) -> int:
        return self.span.end


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a span was flagged; travels with the finding up to the output edge."""

    recognizer: str
    rule: str
    message: str
    suggestion: str | None = None
    source_lang_hint: str | None = None


@dataclass(frozen=True, slots=True)
class Finding(_Spanned):
    """One suspicious span found by a recognizer."""

    kind: str
    span: Span
    text: str
    score: float
    explanation: Explanation

    def __post_init__(self) -> None:
        if not 0.0 <= self.score <= 1.0:
            raise ValueError(f"finding score {self.score} outside [0, 1]")

    @property
    def recognizer(self) -> str:
        return self.explanation.recognizer

    @property
    def rule(self) -> str:
        return self.explanation.rule

    @property
    def message(self) -> str:
        return self.explanation.message

    @property
    def suggestion(self) -> str | None:
        return self.explanation.suggestion

    @property
    def source_lang_hint(self) -> str | None:
        return self.explanation.source_lang_hint

    def to_dict(self) -> dict[str, Any]:
        """The flat JSON shape of the output contract."""
        return {
            "kind": self.kind,
            "recognizer": self.recognizer,
            "rule": self.rule,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "score": round(self.score, 4),
            "message": self.message,
            "suggestion": self.suggestion,
            "source_lang_hint": self.source_lang_hint,
        }


@dataclass(frozen=True, slots=True)
class Sentence(_Spanned):
    """A sentence of a document: its position, span into the original text and text."""

    index: int
    span: Span
    text: str


@dataclass(frozen=True, slots=True)
class Document:
    """An article's text with its sentence segmentation."""

    text: str
    sentences: tuple[Sentence, ...]

    def sentence_index_at(self, offset: int) -> int | None:
        """Index of the sentence containing ``offset`` (None between sentences)."""
        lo, hi = 0, len(self.sentences) - 1
        while lo <= hi:
            mid = (lo + hi) // 2
            s = self.sentences[mid]
            if offset < s.start:
                hi = mid - 1
            elif offset >= s.end:
                lo = mid + 1
            else:
                return mid
        return None


@dataclass(frozen=True, slots=True)
class Article:
    """One input article as read from a file, feed or stdin."""

    id: str
    text: str
    title: str | None = None
    url: str | None = None
    source: str | None = None
    published: str | None = None
    path: str | None = None
    encoding: str | None = None
    label: str | None = None
    meta: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True, slots=True)
class InputError:
    """A bad input (file, line, row or feed item) that could not become an article."""

    input: str
    reason: str
    line: int | None = None
    id: str | None = None

    def describe(self) -> str:
        """A one-line human-readable message naming the input."""
        where = f"{self.input}:{self.line}" if self.line is not None else self.input
        return f"{where}: {self.reason}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class SentenceScore(_Spanned):
    """A sentence with its probability of machine-translated origin and its findings."""

    index: int
    span: Span
    text: str
    p_mt: float
    findings: tuple[Finding, ...] = ()

    def to_dict(self, explain: bool = True) -> dict[str, Any]:
        return {
            "index": self.index,
            "start": self.span.start,
            "end": self.span.end,
            "text": self.text,
            "p_mt": round(self.p_mt, 4),
            "findings": [f.to_dict() for f in self.findings] if explain else [],
        }


@dataclass(frozen=True, slots=True)
class Evidence:
    """One family of the trained article model's inputs and its weight in the article's
    log-odds (see :mod:`mtdetect.evidence`): positive pushes toward machine translation."""

    family: str
    weight: float
    message: str
    inputs: tuple[tuple[str, float], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"family": self.family, "weight": self.weight, "message": self.message,
                "inputs": [{"name": n, "weight": w} for n, w in self.inputs]}


@dataclass(frozen=True, slots=True)
class ArticleReport:
    """The result of scoring one article (or the error that prevented it)."""

    id: str
    p_mt: float | None
    verdict: Verdict | None
    sentences: tuple[SentenceScore, ...] = ()
    findings: tuple[Finding, ...] = ()
    source_lang_hint: str | None = None
    source_lang_confidence: float | None = None
    path: str | None = None
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: str | None = None
    model_id: str | None = None
    error: str | None = None
    #: The trained model's evidence by family (empty for the rule scorer and for errors).
    evidence: tuple[Evidence, ...] = ()

    @classmethod
    def from_error(cls, err: InputError) -> "ArticleReport":
        """A report that carries only an input error."""
        return cls(
            id=err.id or (f"{err.input}:{err.line}" if err.line is not None else err.input),
            p_mt=None,
            verdict=None,
            path=err.input,
            error=err.describe(),
        )

    def to_dict(self, explain: bool = True) -> dict[str, Any]:
        """The JSON contract of ``mtdetect score --format jsonl``."""
        return {
            "id": self.id,
            "path": self.path,
            "title": self.title,
            "source": self.source,
            "url": self.url,
            "published": self.published,
            "p_mt": None if self.p_mt is None else round(self.p_mt, 4),
            "verdict": None if self.verdict is None else self.verdict.value,
            "source_lang_hint": self.source_lang_hint,
            "source_lang_confidence": (
                None if self.source_lang_confidence is None else round(self.source_lang_confidence, 3)
            ),
            "model": self.model_id,
            "error": self.error,
            "findings": [f.to_dict() for f in self.findings] if explain else [],
            "evidence": [e.to_dict() for e in self.evidence] if explain else [],
            "sentences": [s.to_dict(explain) for s in self.sentences],
        }
