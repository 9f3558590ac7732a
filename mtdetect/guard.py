"""Per-article guards: size limits checked before any analysis, and stage-tagged failures.

One hostile record must cost one error row, never the batch. Two mechanisms:

* :class:`ArticleLimits` refuses an article that is too large to analyse safely **before**
  any analysis runs: more characters than ``max_chars``, a token (run of non-space
  characters) longer than ``max_token_chars``, or more sentences than ``max_sentences``.
  Over-long tokens refuse the article rather than being cut, so that every offset a report
  gives still indexes the text the user supplied, and nothing is scored on a text other
  than the one named. The defaults are far above any real news article (in all of the
  shared data the longest document has 22,363 characters, the most sentences are 264 and
  the longest token has 85 characters) and far below what exhausts memory in analysis.
* :func:`stage` labels an unexpected exception with the pipeline stage it came from
  (``analysis``, ``features``, ``embeddings``, ``classifier``...) so that the article's error
  record says where it failed; :func:`failure_reason` writes that reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from .budget import ArticleTimeout

__all__ = ["ArticleLimits", "LimitExceeded", "StageError", "failure_reason", "stage"]


class LimitExceeded(Exception):
    """An article is over one of the :class:`ArticleLimits`; ``str(exc)`` says which."""

    def __init__(self, limit: str, value: int, maximum: int, option: str, where: str = "") -> None:
        self.limit, self.value, self.maximum, self.option = limit, value, maximum, option
        super().__init__(
            f"article refused before analysis: {limit} {value:,}{where} is over the limit of "
            f"{maximum:,} (raise it with {option})"
        )


@dataclass(frozen=True, slots=True)
class ArticleLimits:
    """Size limits an article must meet before it is analysed (``0`` = no limit)."""

    #: Characters of text (after decoding).
    max_chars: int = 1_000_000
    #: Characters in one token (a run of non-whitespace); longer tokens refuse the article.
    max_token_chars: int = 10_000
    #: Sentences after segmentation (checked after segmenting, before any recognizer).
    max_sentences: int = 20_000

    def __post_init__(self) -> None:
        for name in ("max_chars", "max_token_chars", "max_sentences"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be 0 (no limit) or positive, got {getattr(self, name)}")

    def check_text(self, text: str) -> None:
        """Raise :class:`LimitExceeded` when ``text`` is too long or holds an over-long token.

        Linear in the text; the token scan stops at the first over-long token.
        """
        if self.max_chars and len(text) > self.max_chars:
            raise LimitExceeded("length in characters", len(text), self.max_chars, "--max-chars")
        if self.max_token_chars and len(text) > self.max_token_chars:
            match = _long_token(self.max_token_chars).search(text)
            if match is not None:
                end = _TOKEN_REST.match(text, match.end()).end()
                raise LimitExceeded(
                    "token length", end - match.start(), self.max_token_chars, "--max-token-chars",
                    where=f" (token at offset {match.start():,})",
                )

    def check_sentences(self, n_sentences: int) -> None:
        """Raise :class:`LimitExceeded` when an article has too many sentences."""
        if self.max_sentences and n_sentences > self.max_sentences:
            raise LimitExceeded("sentence count", n_sentences, self.max_sentences, "--max-sentences")


_TOKEN_REST = re.compile(r"\S*")
_LONG_TOKEN_CACHE: dict[int, re.Pattern[str]] = {}


def _long_token(n: int) -> re.Pattern[str]:
    """A pattern matching the first ``n + 1`` characters of a token longer than ``n``."""
    pattern = _LONG_TOKEN_CACHE.get(n)
    if pattern is None:
        # (?<!\S) anchors at a token start, so the scan is linear: no restart inside a token
        pattern = _LONG_TOKEN_CACHE[n] = re.compile(r"(?<!\S)\S{%d}" % (n + 1))
    return pattern


class StageError(Exception):
    """An unexpected exception raised in one stage of scoring (the original is ``__cause__``)."""

    def __init__(self, stage_name: str, cause: BaseException) -> None:
        self.stage = stage_name
        self.cause = cause
        super().__init__(f"{type(cause).__name__} in stage '{stage_name}': {_short(cause)}")


@contextmanager
def stage(name: str) -> Iterator[None]:
    """Re-raise any exception of the block as :class:`StageError` naming ``name``.

    A :class:`StageError` from an inner stage passes through unchanged (the innermost
    stage is the most precise), and so do :class:`~mtdetect.budget.ArticleTimeout` and
    :class:`LimitExceeded`, which have their own reports. ``KeyboardInterrupt``/``SystemExit`` are never caught.
    """
    try:
        yield
    except (StageError, ArticleTimeout, LimitExceeded):
        raise
    except Exception as exc:  # noqa: BLE001 - labelled and re-raised
        raise StageError(name, exc) from exc


def failure_reason(exc: BaseException, default_stage: str) -> str:
    """The error-record reason for an article whose scoring raised ``exc``."""
    if isinstance(exc, StageError):
        return f"scoring failed: {exc}"
    return f"scoring failed: {type(exc).__name__} in stage '{default_stage}': {_short(exc)}"


def _short(exc: BaseException, limit: int = 300) -> str:
    """The exception message, cut to ``limit`` characters (a message may quote the input)."""
    try:
        text = str(exc)
    except Exception:  # noqa: BLE001 - a broken __str__ must not break error reporting
        text = "(message unavailable)"
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"
