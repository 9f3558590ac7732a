"""The recognizer contract: pure functions from a Document to explained Findings."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

from ..types import Document, Explanation, Finding, Span


class Recognizer(ABC):
    """Finds one family of machine-translation artifacts.

    Subclasses set the class attributes and implement :meth:`analyze`. Heavy resources
    (lexicons, compiled pattern tables) are built in :meth:`_load`, which runs once, on
    first use, so that importing mtdetect stays cheap.
    """

    name: ClassVar[str]
    kind: ClassVar[str]
    version: ClassVar[str]
    description: ClassVar[str]

    def __init__(self) -> None:
        self._loaded = False

    def load(self) -> "Recognizer":
        """Build lazy resources once; safe to call repeatedly."""
        if not self._loaded:
            self._load()
            self._loaded = True
        return self

    def _load(self) -> None:  # pragma: no cover - default: nothing to load
        """Override to build lexicons and patterns."""

    def analyze(self, document: Document) -> list[Finding]:
        """All findings in ``document``, sorted by start offset."""
        self.load()
        findings = self._analyze(document)
        return sorted(findings, key=lambda f: (f.start, f.end))

    @abstractmethod
    def _analyze(self, document: Document) -> list[Finding]:
        """Implementation of :meth:`analyze` (resources are loaded)."""

    def finding(
        self,
        document: Document,
        start: int,
        end: int,
        *,
        rule: str,
        message: str,
        score: float,
        suggestion: str | None = None,
        source_lang_hint: str | None = None,
    ) -> Finding:
        """Build a Finding for ``document.text[start:end]`` attributed to this recognizer."""
        return Finding(
            kind=self.kind,
            span=Span(start, end),
            text=document.text[start:end],
            score=score,
            explanation=Explanation(
                recognizer=self.name,
                rule=rule,
                message=message,
                suggestion=suggestion,
                source_lang_hint=source_lang_hint,
            ),
        )

    def describe(self) -> dict[str, str]:
        """Name, kind, version and description, for `mtdetect recognizers`."""
        return {"name": self.name, "kind": self.kind, "version": self.version, "description": self.description}
