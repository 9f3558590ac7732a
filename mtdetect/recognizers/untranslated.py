"""Whole sentences (or long clauses) left in another language inside an English article.

A translation pipeline that drops a segment, hits a length limit or fails on one sentence
passes the source text through: an English article then carries a sentence in Spanish,
French or Portuguese. The offline identifier ``lingua`` (lingua-language-detector) names
the language; it is built lazily with a handful of languages in low-accuracy mode (trigram
models: ~0.2 s and ~30 MB on first use instead of seconds and hundreds of MB).

lingua never runs on ordinary English. An article-level gate (one set intersection) lets
through only articles with two distinct foreign function words ("los", "une", "und", "het",
"não"), Cyrillic letters, or three lower-case words with Turkish or Polish letters; about two
English articles in a hundred pass it. Then a per-sentence prefilter counts the words that
are pivot-language words (the ``pivot_words`` table and the foreign function words) against
English function words, and only a sentence that looks foreign by that count, or is mostly
Cyrillic, reaches the identifier. In low-accuracy mode lingua is confident about anything
(it calls a list of Turkish and Polish names Turkish), so the prefilter, not lingua's
confidence, is what keeps precision; lingua names the language and vetoes English.

Not reported: sentences shorter than five words or thirty letters, sentences mostly inside
quotation marks (a quoted foreign statement, a slogan, a song title), sentences made mostly
of capitalised words and numbers (lists of names, credits, addresses), and anything lingua
does not give to one non-English language with a clear margin over English.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import lru_cache
from typing import Any, ClassVar

from ..types import Document, Finding
from .base import Recognizer
from .pivot_words import FOREIGN_FUNCTION_WORDS, PivotTable, load_pivot_words_cached, quoted_spans

# Languages lingua chooses among (ISO 639-1). English must be one of them.
DETECTOR_LANGUAGES = ("en", "fr", "es", "pt", "it", "de", "ca", "nl", "ru", "uk", "tr", "pl")
LANG_NAMES = {
    "fr": "French", "es": "Spanish", "pt": "Portuguese", "it": "Italian", "de": "German",
    "ca": "Catalan", "nl": "Dutch", "ru": "Russian", "uk": "Ukrainian", "tr": "Turkish", "pl": "Polish",
}

MIN_WORDS = 5
MIN_LETTERS = 30
# Prefilter: at least this many foreign words, this share of the words, and more foreign
# words than English function words.
_MIN_FOREIGN = 3
_MIN_FOREIGN_SHARE = 0.35
# ... or two foreign words and not one English function word in this many words.
_MIN_WORDS_NO_ENGLISH = 6
# lingua's verdict: the top language's confidence and English's ceiling.
_MIN_CONFIDENCE = 0.7
_MAX_ENGLISH = 0.1
# Skips: share of letters inside quotes; share of tokens that are capitalised or numbers.
_MAX_QUOTED_SHARE = 0.5
_MAX_NAME_SHARE = 0.5
_SCORE = 0.8
# lingua reads at most this much of a stretch (a pathological 1 MB "sentence" stays cheap).
_MAX_IDENTIFIED_CHARS = 1000

# Short function words of the other languages lingua knows (none is an English word).
_OTHER_FUNCTION_WORDS = frozenset(
    """het een niet voor ook maar wordt werd naar deze bij uit nog zou hebben heeft zijn wij
    zij jullie worden geen omdat tegen
    nie się jest że już przez dla jego jak oraz został została może być tym które który
    bir bu için ile olarak çok daha olan gibi ama sonra kadar ancak değil veya göre
    est les une pas sont dans pour avec sur qui aux ces ont été cette ses
    los las una por para con del como más pero sus fue está han muy sobre entre también
    não uma com pelo pela são foi mais ele ela seu sua nos nas dos das tem ser isso os em ao aos às ou num numa
    che non della delle degli nel nella sono gli anche alla sul
    und nicht ist ein eine mit dem des auf für sich wird auch sind wurde oder bei
    els amb pel pels més però aquest aquesta""".split()
) | FOREIGN_FUNCTION_WORDS

_ENGLISH_FUNCTION_WORDS = frozenset(
    """the an of to and or but is are was were be been being has have had does did not
    it its he she they we you i his her their our my your him them us this that these
    those which who whom whose what when where while if then than for at by from with
    into about after before over under between through during without against up down out
    will would can could should may might must shall said says also just only more most very
    there here all any some such other each both many much""".split()
)

_GATE_WORDS = _OTHER_FUNCTION_WORDS
_GATE_MIN = 2
# ... or this many lower-case words with Turkish or Polish letters ("onayladı", "przyjął").
_GATE_MIN_DIACRITIC_WORDS = 3
_DIACRITIC_LETTER = re.compile(r"[\u0131\u011f\u015f\u0142\u0105\u0119\u015b\u017a\u017c\u0144\u0107\u0151\u0171]")
_DIACRITIC_WORD = re.compile(r"(?<![\w'\u2019])[a-z\u00e0-\u00ff]*[\u0131\u011f\u015f\u0142\u0105\u0119\u015b\u017a\u017c\u0144\u0107\u0151\u0171][^\W\d_]*")
_GATE_PUNCTUATION = (",", ".", ";", ":", '"', "\u201c", "\u201d", "(", ")", "?", "!")
# URLs, e-mail addresses and handles (tested per whitespace token): not words of a sentence.
_URLISH = re.compile(r"https?://|www\.|\w@\w|\w\.(?:com|org|net|de|fr|es|it|pt|nl|pl|ru|tr|eu|cat)\b", re.I)
_WORD = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*")
_NUMBER = re.compile(r"\d+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]")
# Clause boundaries inside a long sentence: ";", ":" and spaced dashes.
_CLAUSE_BREAK = re.compile(r"[;:]|\s[-\u2013\u2014]\s")


def clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Clauses of ``text[start:end]`` split at ";", ":" and spaced dashes ([] if none)."""
    cuts = [(m.start(), m.end()) for m in _CLAUSE_BREAK.finditer(text, start, end)]
    if not cuts:
        return []
    out, pos = [], start
    for a, b in cuts:
        out.append((pos, a))
        pos = b
    out.append((pos, end))
    return [(a, b) for a, b in out if _WORD.search(text, a, b)]


def word_counts(chunk: str, table: PivotTable) -> tuple[int, int, int, bool]:
    """(foreign words, English function words, words, mostly Cyrillic) of a stretch of text.

    Foreign words: foreign function words, lower-case words with Turkish or Polish letters,
    and ``pivot_words`` table words (lower case, or the stretch's first word).
    """
    chunk = " ".join(tok for tok in chunk.split() if not _URLISH.search(tok))
    words = _WORD.findall(chunk)
    if _CYRILLIC.search(chunk):
        cyr = len(_CYRILLIC.findall(chunk))
        if cyr >= MIN_LETTERS and cyr > 2 * len(_LATIN_LETTER.findall(chunk)):
            return (len(words), 0, len(words), True)
    foreign = english = 0
    get = table.get
    for i, w in enumerate(words):
        lw = w.lower()
        if lw in _ENGLISH_FUNCTION_WORDS:
            english += 1
        elif lw in _OTHER_FUNCTION_WORDS or w.islower() and _DIACRITIC_WORD.fullmatch(w):
            foreign += 1
        elif len(w) >= 4 and (w.islower() or i == 0) and get(lw) is not None:
            foreign += 1
    return (foreign, english, len(words), False)


def looks_foreign(counts: tuple[int, int, int, bool]) -> bool:
    """The prefilter: foreign by word counts (or Cyrillic script), long enough for lingua."""
    foreign, english, n_words, cyrillic = counts
    if n_words < MIN_WORDS:
        return False
    if cyrillic:
        return True
    if english == 0 and foreign >= 2 and n_words >= _MIN_WORDS_NO_ENGLISH:
        return True  # no English function word at all in a sentence this long
    return foreign >= _MIN_FOREIGN and foreign > english and foreign >= _MIN_FOREIGN_SHARE * n_words


def is_english_clause(counts: tuple[int, int, int, bool]) -> bool:
    """A clause with English function words, at least as many as foreign words."""
    return counts[1] >= 1 and counts[1] >= counts[0]


def untranslated_stretches(text: str, start: int, end: int, table: PivotTable) -> tuple[list[tuple[int, int]], str]:
    """The stretches of the sentence ``text[start:end]`` that the prefilter finds foreign, and
    the rule: the whole sentence ("untranslated_sentence"), or, when some clause is English
    ("He said: <foreign clause>"), the foreign clauses ("untranslated_clause")."""
    parts = [(c, word_counts(text[c[0]:c[1]], table)) for c in clauses(text, start, end)]
    if any(is_english_clause(counts) for _c, counts in parts):
        return [c for c, counts in parts if looks_foreign(counts)], "untranslated_clause"
    if looks_foreign(word_counts(text[start:end], table)):
        return [(start, end)], "untranslated_sentence"
    return [], ""


@lru_cache(maxsize=1)
def _detector() -> Any:
    """The lingua detector (built on first use only; it is never built for English text)."""
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    codes = [getattr(IsoCode639_1, code.upper()) for code in DETECTOR_LANGUAGES]
    return LanguageDetectorBuilder.from_iso_codes_639_1(*codes).with_low_accuracy_mode().build()


class UntranslatedSentenceRecognizer(Recognizer):
    """Sentences or long clauses left in another language (lingua confirms the language)."""

    name: ClassVar[str] = "untranslated"
    kind: ClassVar[str] = "untranslated"
    version: ClassVar[str] = "1.0"
    description: ClassVar[str] = (
        "Whole sentences or long clauses left untranslated (French, Spanish, Portuguese, Italian, "
        "German, Catalan, Dutch, Russian, Ukrainian, Turkish, Polish) inside English text."
    )

    def _load(self) -> None:
        self._table = load_pivot_words_cached()

    def _analyze(self, document: Document) -> list[Finding]:
        text = document.text
        # Gate: two distinct foreign function words anywhere, or Cyrillic letters (a set
        # intersection over whitespace tokens; lets through ~2% of English articles).
        spaced = text.lower()
        for mark in _GATE_PUNCTUATION:
            spaced = spaced.replace(mark, " ")
        if (len(_GATE_WORDS.intersection(spaced.split())) < _GATE_MIN and not _CYRILLIC.search(text)
                and not (_DIACRITIC_LETTER.search(text)
                         and len(_DIACRITIC_WORD.findall(text)) >= _GATE_MIN_DIACRITIC_WORDS)):
            return []
        quoted: list[tuple[int, int]] | None = None
        out: list[Finding] = []
        for sent in document.sentences:
            if sent.end - sent.start < MIN_LETTERS:
                continue
            spans, rule = untranslated_stretches(text, sent.start, sent.end, self._table)
            for start, end in spans:
                if quoted is None:
                    quoted = quoted_spans(text)
                finding = self._confirm(document, start, end, quoted, rule)
                if finding is not None:
                    out.append(finding)
        return out

    def _confirm(self, document: Document, start: int, end: int, quoted: list[tuple[int, int]], rule: str) -> Finding | None:
        text = document.text
        # Trim surrounding whitespace from the span.
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        chunk = text[start:end]
        letters = sum(1 for c in chunk if c.isalpha())
        if letters < MIN_LETTERS:
            return None
        inside = 0
        outside = list(chunk)
        # The quoted spans are sorted and disjoint: those overlapping the chunk sit just
        # before the first span that starts at or after its end.
        j = bisect_left(quoted, (end, -1))
        overlapping = []
        while j > 0 and quoted[j - 1][1] > start:
            j -= 1
            overlapping.append(quoted[j])
        for a, b in overlapping:
            lo, hi = max(a, start), min(b, end)
            if lo < hi:
                inside += sum(1 for c in text[lo:hi] if c.isalpha())
                outside[lo - start : hi - start] = " " * (hi - lo)
        if inside > _MAX_QUOTED_SHARE * letters:
            # Mostly a quotation: a foreign quote in English prose ("..., he said") is the
            # writer's choice; only when the words around the quote are foreign too ("...,
            # disse o regulador") was the sentence left untranslated.
            foreign, english, n_words, _cyr = word_counts("".join(outside), self._table)
            if n_words < 2 or english >= 1 and english >= foreign or foreign < 1:
                return None
        tokens = _WORD.findall(chunk)
        names = sum(1 for i, w in enumerate(tokens) if i > 0 and w[0].isupper()) + len(_NUMBER.findall(chunk))
        if names > _MAX_NAME_SHARE * (len(tokens) + len(_NUMBER.findall(chunk))):
            return None
        values = _detector().compute_language_confidence_values(chunk[:_MAX_IDENTIFIED_CHARS])
        if not values:
            return None
        top = values[0]
        code = top.language.iso_code_639_1.name.lower()
        english = next((v.value for v in values if v.language.iso_code_639_1.name == "EN"), 0.0)
        if code == "en" or top.value < _MIN_CONFIDENCE or english > _MAX_ENGLISH:
            return None
        lang = LANG_NAMES.get(code, code)
        what = "sentence" if rule == "untranslated_sentence" else "clause"
        return self.finding(
            document, start, end, rule=rule, score=_SCORE,
            message=f"{what} left in {lang} (language identifier: {top.value:.0%} {lang}), not translated into English",
            source_lang_hint=code,
        )
