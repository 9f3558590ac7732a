"""Tokens with offsets (words split at hyphens, inner apostrophes kept), content-word sets and shingles: the lexical side of lineage."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

#: Words with inner apostrophes or hyphens kept whole; numbers with their separators.
_TOKEN_RE = re.compile(r"\d[\d.,]*\d|\d|\w+(?:['’]\w+)*", re.UNICODE)
_NUMBER_RE = re.compile(r"\d")

#: Function words: they change freely under translation and carry no story.
STOPWORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further had has
have having he her here hers herself him himself his how i if in into is it its itself just me more
most my myself no nor not now of off on once only or other our ours ourselves out over own same she
should so some such than that the their theirs them themselves then there these they this those
through to too under until up very was we were what when where which while who whom why will with
would you your yours yourself yourselves said says say told tell according one two also mr mrs ms
s t don didn doesn isn wasn weren won wouldn shouldn couldn its it's which whose upon within without
""".split())


@dataclass(frozen=True, slots=True)
class Token:
    """One word or number of a text: its offsets into that text and its forms."""

    start: int
    end: int
    text: str

    @property
    def lower(self) -> str:
        return self.text.lower()

    @property
    def is_number(self) -> bool:
        return bool(_NUMBER_RE.match(self.text))

    @property
    def is_capitalised(self) -> bool:
        return self.text[:1].isupper()


#: Texts up to this long (sentences) are tokenised once and remembered.
_CACHED_CHARS = 1000


def tokens(text: str, base: int = 0) -> list[Token]:
    """The words and numbers of ``text``; offsets are shifted by ``base``."""
    if base == 0 and len(text) <= _CACHED_CHARS:
        return list(_sentence_tokens(text))
    return [Token(m.start() + base, m.end() + base, m.group()) for m in _TOKEN_RE.finditer(text)]


@lru_cache(maxsize=4096)
def _sentence_tokens(text: str) -> tuple[Token, ...]:
    # a sentence is compared with each candidate version of its article: tokenise it once
    # (lineage's record cache holds about this many sentences)
    return tuple(Token(m.start(), m.end(), m.group()) for m in _TOKEN_RE.finditer(text))


def stem(word: str) -> str:
    """A crude, fast stem: lower case, numbers without separators, long words cut to 6 letters."""
    w = word.lower()
    if w[:1].isdigit():
        return w.replace(",", "").rstrip(".")
    return w[:6] if len(w) > 6 else w


def content_stems(text: str) -> frozenset[str]:
    """Stems of the content words (not function words) of ``text``."""
    return frozenset(stem(w) for w in _TOKEN_RE.findall(text) if w.lower() not in STOPWORDS)


def word_stems(text: str) -> frozenset[str]:
    """Stems of all words of ``text``."""
    return frozenset(stem(w) for w in _TOKEN_RE.findall(text))


def numbers(toks: list[Token]) -> list[str]:
    """The numbers among ``toks``, normalised (no thousands separators)."""
    return [stem(t.text) for t in toks if t.is_number]


def name_tokens(toks: list[Token]) -> list[Token]:
    """Capitalised words that are not the first word of their sentence: likely names."""
    return [t for i, t in enumerate(toks) if i > 0 and t.is_capitalised and not t.is_number
            and t.lower not in STOPWORDS]
