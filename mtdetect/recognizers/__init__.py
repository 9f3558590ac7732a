"""Built-in recognizers, in the order they run (explicit, no plugin discovery)."""

from __future__ import annotations

from .base import Recognizer
from .calques import CalqueRecognizer
from .conventions import ConventionsRecognizer
from .localised_names import LocalisedNameRecognizer
from .names import GarbledNameRecognizer
from .pivot_words import PivotWordRecognizer
from .typography import TypographyRecognizer
from .untranslated import UntranslatedSentenceRecognizer

BUILTIN_RECOGNIZERS: tuple[type[Recognizer], ...] = (
    GarbledNameRecognizer,
    LocalisedNameRecognizer,
    CalqueRecognizer,
    PivotWordRecognizer,
    UntranslatedSentenceRecognizer,
    ConventionsRecognizer,
    TypographyRecognizer,
)


def builtin_recognizers() -> list[Recognizer]:
    """Fresh instances of every built-in recognizer."""
    return [cls() for cls in BUILTIN_RECOGNIZERS]


def recognizer_schema(recognizers: list[Recognizer] | None = None) -> list[dict[str, str]]:
    """(name, kind, version) of each recognizer: a model bundle is only valid for this schema."""
    recs = recognizers if recognizers is not None else builtin_recognizers()
    return [{"name": r.name, "kind": r.kind, "version": r.version} for r in recs]


__all__ = ["Recognizer", "BUILTIN_RECOGNIZERS", "builtin_recognizers", "recognizer_schema"]
