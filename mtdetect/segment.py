"""Sentence segmentation with offsets into the original text.

News text mixes headlines, date lines, quotations and abbreviations ("Mr. Xi", "U.S.",
"Sept. 2", "No. 2"). The segmenter works line by line (a line break always ends a
sentence: headlines and paragraphs rarely share a line) and splits a line after
sentence-final punctuation when the next token can start a sentence and the token before
the period is not an abbreviation. It never normalises the text: spacing is evidence.
"""

from __future__ import annotations

import re

from .types import Document, Sentence, Span

# Abbreviations that are (almost) never sentence-final in news prose.
TITLE_ABBREVIATIONS = frozenset(
    """Mr Mrs Ms Mx Dr Prof Sr Jr St Mt Ft Rev Fr Sen Rep Gov Gen Lt Col Maj Capt Cmdr Adm Sgt
    Cpl Pvt Pres Supt Insp Det Hon Amb Atty Messrs Mme Mlle Msgr""".split()
)
GENERAL_ABBREVIATIONS = frozenset(
    """vs etc approx dept est fig figs inc corp ltd co bros assn univ ave blvd rd hwy
    e.g i.e a.m p.m cf al ca viz""".split()
)
# Only abbreviations before a number ("No. 2", "Sept. 2", "p. 14", "Art. 5").
NUMERIC_ABBREVIATIONS = frozenset(
    """No Nos no nos Nr Vol vol p pp Art art Sec sec Ch ch Jan Feb Mar Apr Jun Jul Aug Sep Sept
    Oct Nov Dec Fig fig Op op""".split()
)
# Words that very commonly open a sentence: after "U.S." they mark a real boundary.
SENTENCE_STARTERS = frozenset(
    """The A An He She It They We I This That These Those But And In On At As For If When
    While After Before Its Their His Her Our There Then However Meanwhile Yet So""".split()
)

_END = re.compile(r"""[.!?\u2026]+["'\u201d\u2019)\]]*|["'\u201d\u2019][.!?]""")
_NEXT_START = re.compile(r"""\s+(?=["'\u201c\u2018(\[]?[A-Z0-9\u00c0-\u00de])""")
_DOTTED_ACRONYM = re.compile(r"^(?:[A-Za-z]\.)+[A-Za-z]$")


def _is_abbreviation(text: str, dot: int, next_word: str) -> bool:
    """Whether the period at ``dot`` closes an abbreviation rather than a sentence."""
    if text[dot] != ".":
        return False
    start = dot
    while start > 0 and not text[start - 1].isspace() and text[start - 1] not in "\"'(\u201c\u2018[":
        start -= 1
    token = text[start:dot]
    if not token:
        return False
    if token in TITLE_ABBREVIATIONS:
        return True
    if token.lower() in GENERAL_ABBREVIATIONS:
        return True
    if token in NUMERIC_ABBREVIATIONS and next_word[:1].isdigit():
        return True
    if len(token) == 1 and token.isupper():
        # An initial ("J. K. Rowling") - unless it ends a sentence like "... Plan B. The ..."
        return next_word not in SENTENCE_STARTERS
    if _DOTTED_ACRONYM.match(token):
        # "U.S." ends a sentence only when a typical sentence opener follows.
        return next_word not in SENTENCE_STARTERS
    return False


def _split_line(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """Sentence spans inside ``text[lo:hi]`` (a stripped, non-empty line)."""
    spans: list[tuple[int, int]] = []
    start = lo
    for m in _END.finditer(text, lo, hi):
        gap = _NEXT_START.match(text, m.end(), hi)
        if gap is None:
            continue
        next_word_m = re.match(r"[\"'\u201c\u2018(\[]?([\w.'-]+)", text[gap.end() : min(hi, gap.end() + 40)])
        next_word = next_word_m.group(1) if next_word_m else ""
        last_dot = m.start() + m.group(0).find(".") if "." in m.group(0) else -1
        if last_dot >= 0 and m.group(0).startswith(".") and _is_abbreviation(text, last_dot, next_word):
            continue
        end = m.end()
        if end > start:
            spans.append((start, end))
        start = gap.end()
    if start < hi:
        spans.append((start, hi))
    return spans


def segment(text: str) -> Document:
    """Split ``text`` into sentences whose spans index ``text`` itself."""
    sentences: list[Sentence] = []
    for line in re.finditer(r"[^\n\r\u2028\u2029]+", text):
        lo, hi = line.start(), line.end()
        while lo < hi and text[lo].isspace():
            lo += 1
        while hi > lo and text[hi - 1].isspace():
            hi -= 1
        if lo >= hi:
            continue
        for s, e in _split_line(text, lo, hi):
            sentences.append(Sentence(len(sentences), Span(s, e), text[s:e]))
    return Document(text=text, sentences=tuple(sentences))
