"""Left-over pivot-language words: "the manifestants gathered", "the Government of Sánchez aprobó".

An engine that cannot translate a word copies it through: rule-based engines (Apertium run
with ``-u``) pass every unknown source word unchanged, and neural engines copy rare words,
false friends and words they half-recognise ("manifestants", "syndicats", "ministro"). Such a
word is frequent in a pivot language and rare in English.

``lexicons/pivot_words.tsv`` (built by ``scripts/build_pivot_words.py`` from wordfreq) lists
those words: frequent in French, Spanish, Portuguese, Italian, German or Catalan, rare in
English with or without accents, not a loanword or a known name; and the common words of 16
other European languages written in Latin letters (Dutch, Scandinavian, Slavic, Baltic,
Romanian, Hungarian, Turkish, Finnish, Icelandic: "tokom", "naime" from a Serbo-Croatian
pivot). This module only decides
whether an occurrence is a use of the word in English prose:

* only lower-case tokens of letters count: a capitalised word mid-sentence is a name ("Banco
  Santander", "Le Monde", "Bundesliga"), one at the start of a sentence may be, and tokens
  with digits, hyphens, elisions, dots, "@" or "#" are compounds, URLs, handles or hashtags;
* a word inside quotation marks, italics markers or a short parenthesis is a quoted or
  glossed foreign term, not a left-over; so is a word after "called", "known as" or "the word";
* a word in a run of foreign words that holds a capitalised pivot word or function word is
  part of a foreign proper noun or title ("Assemblée nationale", "Cien años de soledad");
* loan phrases ("de facto", "per se", "joie de vivre") are skipped whole;
* a sentence or clause that the ``untranslated`` recognizer's prefilter finds foreign is an
  untranslated sentence: that recognizer reports it, once, instead of one finding per word.

Rule ``glued_pivot_words``: a rule-based engine that generates a multiword unit on the way
out ("tasa de interés", "ciutat ha") and cannot analyse it on the way back emits it glued
into one token: "tasadeinterés", "quecrecenrápidas", "ciutatha". A lower-case token unknown
to English that reads as pivot words joined by glue words ("de", "que", "ha", ...) in their
usual places is reported (score 0.7): human writers do not produce these.

One left-over word alone is modest evidence (score 0.55); every further distinct pivot word
of the same language in the article raises the score of all of them (up to 0.85). The
language of an ambiguous word ("governo": Portuguese or Italian) is settled by the other
pivot words of the article.

Speed: the table is a sorted list of lines, bisected on demand; an article's distinct
whitespace tokens are first checked against a cache of tokens already known to hold no
candidate (one set difference), so an ordinary English article costs a split and a set
operation once the common vocabulary has been seen.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import ClassVar

from ..types import Document, Finding
from .base import Recognizer

LANG_NAMES = {
    "fr": "French", "es": "Spanish", "pt": "Portuguese", "it": "Italian", "de": "German", "ca": "Catalan",
    # Other European languages in Latin letters: only their common words are in the table.
    "nl": "Dutch", "sv": "Swedish", "da": "Danish", "nb": "Norwegian", "pl": "Polish", "cs": "Czech",
    "sk": "Slovak", "sl": "Slovene", "sh": "Serbo-Croatian", "ro": "Romanian", "hu": "Hungarian",
    "tr": "Turkish", "fi": "Finnish", "lt": "Lithuanian", "lv": "Latvian", "is": "Icelandic",
}
# Tie-break between equally plausible pivots: how often news reaches English through each.
# (wordfreq's Catalan list is small, so its figures run high: it comes last of the six; the
# other languages come after them.)
_LANG_PRIOR = {"fr": 6, "es": 5, "pt": 4, "it": 3, "de": 2, "ca": 1}

# Foreign phrases English uses as such; their words are never reported.
LOAN_PHRASES = (
    "de facto", "de jure", "per se", "ad hoc", "status quo", "bona fide", "vice versa",
    "coup d'état", "coup d'etat", "raison d'être", "fait accompli", "joie de vivre",
    "déjà vu", "deja vu", "a priori", "a posteriori", "en masse", "en route", "carte blanche",
    "tour de force", "avant-garde", "bête noire", "nom de guerre", "cause célèbre",
    "pièce de résistance", "esprit de corps", "savoir faire", "laissez-faire", "laissez faire",
    "la dolce vita", "dolce vita", "mea culpa", "persona non grata", "habeas corpus",
    "in situ", "in vitro", "pro bono", "quid pro quo", "sine qua non", "modus operandi",
    "inter alia", "mutatis mutandis", "ad nauseam", "ad infinitum", "alma mater", "magnum opus",
    "terra incognita", "noblesse oblige", "force majeure", "comme il faut", "c'est la vie",
    "hasta la vista", "que sera sera", "cinco de mayo", "dia de los muertos",
    "día de los muertos", "el niño", "la niña", "sotto voce", "a cappella", "al fresco",
    "al dente", "in memoriam", "rigor mortis", "post mortem", "pro forma", "prima facie",
    "femme fatale", "enfant terrible", "haute couture", "nouveau riche", "art nouveau",
    "belle époque", "film noir", "par excellence", "à la carte", "a la carte", "vis-à-vis",
    "tête-à-tête", "bon appétit", "bon voyage", "crème de la crème", "grand prix", "inter vivos",
    "mortis causa", "ex officio", "ex gratia", "sub judice", "in absentia", "in extremis",
    "ad interim", "ad libitum", "ex ante", "ex post", "a fortiori", "pro rata", "pro tempore",
    "caveat emptor", "carpe diem", "cogito ergo sum", "veni vidi vici", "alter ego",
)

# Short function words that are unmistakably foreign (not English words): they glue the words
# of foreign names and titles together ("Banco de España", "Partido dos Trabalhadores").
FOREIGN_FUNCTION_WORDS = frozenset(
    """de del la las los el le les des du au aux et y da das dos di dei il lo gli und der
    dem vom zum zur im una une un sur sul por para com pelo pela nos nas della delle degli
    dello dalla els amb que qui""".split()
)

# Words a rule-based engine glues to their neighbours when it generates a multiword unit it
# cannot analyse on the way back ("tasadeinterés", "quecrecenrápidas", "ciutatha"), by the
# position they take in the glued token, with the pivots they point to.
_GLUE_START = {"que": ("es", "ca", "pt", "fr", "it"), "els": ("ca",), "los": ("es",), "las": ("es",)}
_GLUE_END = {
    "ha": ("ca",), "han": ("ca", "es"), "de": ("es", "ca", "pt", "fr"), "del": ("es", "it", "ca"),
    "dels": ("ca",), "una": ("es", "ca", "it"), "un": ("es", "ca", "fr", "it"),
}
_GLUE_MID = {
    "de": ("es", "ca", "pt", "fr"), "del": ("es", "it", "ca"), "dels": ("ca",), "no": ("es", "ca", "pt", "it"),
    "amb": ("ca",), "sin": ("es",), "por": ("es", "pt"), "para": ("es", "pt"), "més": ("ca",),
}
_GLUE_MID_RE = re.compile("|".join(sorted(_GLUE_MID, key=len, reverse=True)))
# English words may stand in a glued token (the engine passed them through), when at least
# this frequent in English; then the token must also be unknown to English as a whole.
_GLUE_ENGLISH_ZIPF = 3.5
_SCORE_GLUED = 0.7

_SCORE_ONE = 0.55
_SCORE_STEP = 0.1
_SCORE_MAX = 0.85
# Loan phrases are looked for this many characters either side of a candidate.
_LOAN_WINDOW = 40
# Names and titles are looked for this many tokens either side of a candidate.
_MAX_NAME_RUN = 8
# Pivot prepositions and contracted articles: next to a capitalised word they glue a name
# together ("Frankfurt unter den Linden", "Cassa della Salute", "Ordem pela Paz").
_NAME_GLUE_WORDS = frozenset(
    """della delle degli dello dalla dalle dagli nella nelle negli sulla sulle sugli alla alle
    agli pelo pela pelos pelas para sobre entre contra desde hacia hasta avec pour dans sous
    vers chez auprès unter über ober auf aus bei nach neben zwischen gegen ohne durch beim zum
    zur vom einer eines dels pels amb""".split()
)
# Another pivot counts as a possible language of a word when its Zipf is this close.
_AMBIGUITY_MARGIN = 0.7
# A word of one of the other European languages only (no main pivot) is reported when it
# stands alone among English words and the article has at least this many such words:
# translators keep titles and names of those languages in lower case ("Právo a
# spravedlnost", "česká pošta") and transliterated terms ("okrug"), and a single rare word
# may be a typo ("sain"); an engine's left-overs are scattered ("naime", "tokom").
_MIN_EXTRA_WORDS = 2
_NON_ASCII_LETTER = re.compile(r"[^\x00-\x7f]")

# Word-like tokens, with their connectors: "ministro's", "e-mail", "www.elpais.com",
# "@pedro", "#huelga", "aujourd'hui", "COVID-19" are single tokens.
_TOKEN = re.compile(r"[\w@#]+(?:[-'\u2019./:@&][\w]+)*")
_LETTERS = re.compile(r"[^\W\d_]+")
_LETTER_RUN = re.compile(r"[^\W\d_]{4,}")
_POSSESSIVE = re.compile(r"[^\W\d_]+['\u2019]s")

# Quoted, italicised and parenthesised stretches (one line at most).
_QUOTED = re.compile(
    r"\u201c[^\u201c\u201d\n]*(?:\u201d|$)"  # “...”
    r"|\u00ab[^\u00ab\u00bb\n]*(?:\u00bb|$)"  # «...»
    r"|\u201e[^\u201e\u201c\u201d\n]*(?:[\u201c\u201d]|$)"  # „...“
    r"|\"[^\"\n]*(?:\"|$)"  # "..."
    r"|`[^`\n]*(?:[`']|$)"  # `...` and `...'"
    r"|(?<!\w)\u2018[^\u2018\n]{0,300}?\u2019(?!\w)"  # ‘...’ (bounded: ’ is also an apostrophe)
    r"|(?<!\w)'[^'\n]{0,300}?'(?!\w)"  # '...'
    r"|(?<![\w*])\*[^*\n]{1,120}\*(?![\w*])"  # *italics*
    r"|(?<!\w)_[^_\n]{1,120}_(?!\w)"  # _italics_
    r"|\([^()\n]{0,60}\)",  # a short parenthesis: a gloss
    re.M,
)
_ENGLISH_IN_PARENTHESIS = re.compile(
    r"\b(?:the|a|an|of|to|and|or|in|on|for|with|by|is|was|are|were|said|says|he|she|it|they)\b", re.I)
# A term being mentioned rather than used: "what Spaniards call botellón", "the word ...".
_MENTION_BEFORE = re.compile(
    r"(?:\bcall(?:s|ed|ing)?|\bknown\s+as|\bdubbed|\bnicknamed|\bterm(?:ed)?|\bwords?|\bmeaning|"
    r"\bmeans|\bliterally|\btranslated\s+as|\bslogan|\bchant(?:s|ed|ing)?|\bso-called|"
    r"\bsaying|\b(?:spanish|french|portuguese|italian|german|catalan|latin)"
    r"(?:\s+(?:el|la|los|las|le|les|il|lo|o|a|os|as|der|die|das))?)"
    r"\W{0,3}(?:(?:the|a|an|of|as|for|is|was)\s+)?\W{0,2}$",
    re.I,
)


@dataclass(frozen=True, slots=True)
class PivotWord:
    """One row of ``pivot_words.tsv``."""

    word: str
    lang: str
    foreign_zipf: float
    english_zipf: float
    others: tuple[tuple[str, float], ...]
    suggestion: str

    def plausible_langs(self) -> tuple[str, ...]:
        """The pivots the word may come from (its own, and those almost as frequent), most
        likely first."""
        close = [k for k, z in self.others if z >= self.foreign_zipf - _AMBIGUITY_MARGIN]
        return tuple(sorted([self.lang, *close], key=lambda k: -_LANG_PRIOR.get(k, 0)))


class PivotTable:
    """``lexicons/pivot_words.tsv`` as a sorted list of lines, looked up by bisection.

    Building a dict of ~120k parsed rows takes half a second; keeping the (word-sorted)
    lines and parsing a row only when a token asks for it loads in a few tens of ms. Answers
    are cached, so the words of ordinary English are each bisected once per process.
    """

    _CACHE_LIMIT = 200_000

    def __init__(self, text: str) -> None:
        lines = text.splitlines()
        first = 0
        while first < len(lines) and (not lines[first] or lines[first].startswith("#")):
            first += 1
        self.header = lines[first].split("\t") if first < len(lines) else []
        self._lines = lines[first + 1 :]
        if any(self._lines[i] > self._lines[i + 1] for i in range(0, len(self._lines) - 1, 997)):
            self._lines.sort()  # hand-edited out of order: still correct, only slower to load
        self._cache: dict[str, PivotWord | None] = {}

    def __len__(self) -> int:
        return len(self._lines)

    def get(self, word: str) -> PivotWord | None:
        """The entry of ``word`` (lower case), or None."""
        try:
            return self._cache[word]
        except KeyError:
            pass
        key = word + "\t"
        i = bisect_left(self._lines, key)
        entry = None
        if i < len(self._lines) and self._lines[i].startswith(key):
            entry = _parse_row(self._lines[i])
        if len(self._cache) >= self._CACHE_LIMIT:
            self._cache.clear()
        self._cache[word] = entry
        return entry

    def lookup(self, word: str) -> PivotWord | None:
        """Like :meth:`get`, without caching (for the many substrings of glued tokens)."""
        key = word + "\t"
        i = bisect_left(self._lines, key)
        if i < len(self._lines) and self._lines[i].startswith(key):
            return _parse_row(self._lines[i])
        return None

    def __contains__(self, word: str) -> bool:
        return self.get(word) is not None

    def words(self) -> list[str]:
        """Every word of the table (for tests and scripts)."""
        return [line.split("\t", 1)[0] for line in self._lines]


def _parse_row(line: str) -> PivotWord:
    word, lang, fz, ez, others, suggestion, _example = line.split("\t")
    return PivotWord(word, lang, float(fz), float(ez), _parse_others(others), suggestion)


def load_pivot_words() -> PivotTable:
    """The table of ``lexicons/pivot_words.tsv``."""
    text = resources.files("mtdetect.lexicons").joinpath("pivot_words.tsv").read_text(encoding="utf-8")
    return PivotTable(text)


@lru_cache(maxsize=1)
def load_pivot_words_cached() -> PivotTable:
    """:func:`load_pivot_words`, read once per process (shared by the recognizers using it)."""
    return load_pivot_words()


def quoted_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans of ``text`` (or of its lines ``start:end``) inside quotation marks, italics
    markers or a short parenthetical gloss (a parenthesis without English function words:
    "(sindicatos)", not "(he said)"), sorted and disjoint."""
    return [
        (m.start(), m.end())
        for m in _QUOTED.finditer(text, start, len(text) if end is None else end)
        if not (m.group().startswith("(") and _ENGLISH_IN_PARENTHESIS.search(m.group()))
    ]


def _parse_others(field: str) -> tuple[tuple[str, float], ...]:
    if not field:
        return ()
    out = []
    for item in field.split(","):
        lang, _, z = item.partition(":")
        out.append((lang, float(z)))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class _Candidate:
    """A validated occurrence, before scoring."""

    start: int
    end: int
    rule: str
    langs: tuple[str, ...]
    word: str
    suggestion: str
    pieces: tuple[str, ...]
    extra: bool = False  # a word of the other European languages only


@dataclass(slots=True)
class _Token:
    start: int
    end: int
    text: str
    folded: str
    capitalised: bool
    entry: PivotWord | None


class PivotWordRecognizer(Recognizer):
    """Words of a pivot language left untranslated in English prose."""

    name: ClassVar[str] = "pivot_words"
    kind: ClassVar[str] = "pivot_word"
    version: ClassVar[str] = "1.1"
    description: ClassVar[str] = (
        "Common French, Spanish, Portuguese, Italian, German or Catalan words (and common words of "
        "16 other European languages) left untranslated in English prose (not names, loanwords or "
        "quoted terms), and pivot words a rule-based engine glued together (\"tasadeinterés\")."
    )

    def _load(self) -> None:
        self._table = load_pivot_words_cached()
        self._glued_cache: dict[str, list[tuple[str, tuple[str, ...] | None]] | None] = {}
        # Letter runs already classified (a cache: analysis stays a pure function of the text).
        self._negative: set[str] = set()
        self._runs: dict[str, bool] = {}
        self._loan_phrases = re.compile(
            r"(?<!\w)(?:" + "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in
                                     sorted(LOAN_PHRASES, key=len, reverse=True)) + r")(?!\w)",
            re.I,
        )

    def _analyze(self, document: Document) -> list[Finding]:
        text = document.text
        # Cheap pass over the article's distinct whitespace-separated tokens: tokens already
        # known to hold no candidate (nearly all, once a few articles have been seen) drop out
        # in one C-level set difference; the rest are split into letter runs, looked up once
        # and remembered.
        negative = self._negative
        fresh = set(text.split()) - negative  # iterates over the small side
        if not fresh:
            return []
        candidates: set[str] = set()
        for raw in fresh:
            found = [w for w in _LETTER_RUN.findall(raw) if self._is_candidate(w)]
            if found:
                candidates.update(found)
            else:
                negative.add(raw)
        if len(negative) > 500_000:
            negative.clear()
        if not candidates:
            return []
        # Exact pass, only for articles holding a candidate: whole tokens, with connectors.
        table = self._table
        hits: list[re.Match[str]] = []
        glued: list[tuple[re.Match[str], list[tuple[str, tuple[str, ...] | None]]]] = []
        for m in _TOKEN.finditer(text):
            tok = m.group()
            word = tok
            if tok not in candidates:
                if tok[-2:] not in ("'s", "\u2019s") or tok[:-2] not in candidates:
                    continue
                word = tok[:-2]
            if table.get(word) is not None:
                hits.append(m)
            elif word is tok:
                pieces = self._glued(tok)
                if pieces is not None:
                    glued.append((m, pieces))
        if not hits and not glued:
            return []
        kept = self._confirm(document, hits) if hits else []
        if len({c.word for c in kept if c.extra}) < _MIN_EXTRA_WORDS:
            kept = [c for c in kept if not c.extra]
        kept += self._confirm_glued(glued)
        return self._findings(document, kept) if kept else []

    def _is_candidate(self, word: str) -> bool:
        """Whether a letter run may be a left-over pivot word or glued pivot words (cached)."""
        known = self._runs.get(word)
        if known is None:
            known = word.islower() and (
                self._table.get(word) is not None or len(word) >= 6 and self._glued(word) is not None)
            if len(self._runs) > 500_000:
                self._runs.clear()
            self._runs[word] = known
        return known

    def _confirm(self, document: Document, hits: list[re.Match[str]]) -> list[_Candidate]:
        """Validate the candidate tokens in their sentences."""
        from .untranslated import untranslated_stretches  # (it imports this module)

        text = document.text
        table = self._table
        quoted_by_line: dict[int, list[tuple[int, int]]] = {}  # quotes never span lines
        kept: list[_Candidate] = []
        sentences: dict[int, tuple[list[_Token], dict[int, int], bool]] = {}
        for m in hits:
            idx = document.sentence_index_at(m.start())
            if idx is None:
                continue
            if idx not in sentences:
                tokens = self._tokens(document, idx)
                sent = document.sentences[idx]
                foreign, _rule = untranslated_stretches(text, sent.start, sent.end, table)
                sentences[idx] = (tokens, {t.start: i for i, t in enumerate(tokens)}, foreign)
            tokens, index, foreign_stretches = sentences[idx]
            if any(a <= m.start() < b for a, b in foreign_stretches):
                continue  # an untranslated sentence or clause: the untranslated recognizer's
            pos = index.get(m.start())
            if pos is None:
                continue
            tok = tokens[pos]
            entry = tok.entry
            if entry is None:
                continue
            start, end = tok.start, tok.start + len(entry.word)
            if _MENTION_BEFORE.search(text, max(0, start - 40), start):
                continue
            if self._in_foreign_name(tokens, pos, text):
                continue
            line_start = text.rfind("\n", 0, start) + 1
            if line_start not in quoted_by_line:
                line_end = text.find("\n", end)
                quoted_by_line[line_start] = quoted_spans(text, line_start, len(text) if line_end < 0 else line_end)
            if any(a <= start and end <= b for a, b in quoted_by_line[line_start]):
                continue
            window = max(0, start - _LOAN_WINDOW), min(len(text), end + _LOAN_WINDOW)
            if any(lm.start() <= start and end <= lm.end() for lm in self._loan_phrases.finditer(text, *window)):
                continue
            langs = entry.plausible_langs()
            extra = not any(k in _LANG_PRIOR for k in langs)
            if extra and not self._stands_alone(tokens, pos):
                continue
            kept.append(_Candidate(start, end, "pivot_word", langs, entry.word, entry.suggestion, (), extra))
        return kept

    @staticmethod
    def _stands_alone(tokens: list[_Token], pos: int) -> bool:
        """Whether the tokens either side of ``pos`` read as English: not a table word, not
        capitalised (past the sentence's first), no letter outside ASCII, not a foreign
        function word. A lower-case word of a foreign title or name has foreign neighbours."""

        def foreign(t: _Token) -> bool:
            return (t.entry is not None or t.folded in FOREIGN_FUNCTION_WORDS
                    or _NON_ASCII_LETTER.search(t.text) is not None)

        if pos > 0 and (foreign(tokens[pos - 1]) or pos > 1 and tokens[pos - 1].capitalised):
            return False
        return not (pos + 1 < len(tokens) and (foreign(tokens[pos + 1]) or tokens[pos + 1].capitalised))

    @staticmethod
    def _word_zipf(word: str) -> float:
        """English Zipf frequency (wordfreq's table, read on first need: only tokens shaped
        like glued pivot words ask, so ordinary English never loads it from here)."""
        from ..style import word_zipf

        return word_zipf(word)

    def _glued(self, token: str) -> list[tuple[str, tuple[str, ...] | None]] | None:
        """``token`` read as pivot words glued together, or None.

        The grammar is narrow on purpose: [start glue] piece [mid glue piece] [end glue], with
        at least one glue word and one pivot-table piece (or an English piece before "ha").
        Each piece comes back with its languages (None for an English piece; a glue word's
        own languages). Only a few table look-ups per token, and English frequencies are read
        only for tokens that already have the shape.
        """
        cache = self._glued_cache
        if token in cache:
            return cache[token]
        result = self._glued_uncached(token)
        if len(cache) >= 100_000:
            cache.clear()
        cache[token] = result
        return result

    def _glued_uncached(self, token: str) -> list[tuple[str, tuple[str, ...] | None]] | None:
        head: list[tuple[str, tuple[str, ...] | None]] = []
        tail: list[tuple[str, tuple[str, ...] | None]] = []
        core = token
        for g, langs in _GLUE_START.items():
            if core.startswith(g) and len(core) - len(g) >= 4:
                head, core = [(g, langs)], core[len(g):]
                break
        for _ in range(2):  # "tiendadeuna": two glue words at the end
            for g in sorted(_GLUE_END, key=len, reverse=True):
                if core.endswith(g) and len(core) - len(g) >= 4:
                    tail, core = [(g, _GLUE_END[g]), *tail], core[: -len(g)]
                    break
            else:
                break
        table = self._table

        def pivot(piece: str) -> tuple[str, ...] | None:
            # the glue words are Romance: only the main pivots' words are pieces ("los" +
            # the Finnish "hika" is not a glued token)
            if len(piece) < 4:
                return None
            entry = table.lookup(piece)
            langs = entry.plausible_langs() if entry is not None else ()
            return tuple(k for k in langs if k in _LANG_PRIOR) or None

        def english(piece: str) -> bool:
            return len(piece) >= 4 and self._word_zipf(piece) >= _GLUE_ENGLISH_ZIPF

        found: list[tuple[str, tuple[str, ...] | None]] | None = None
        langs = pivot(core)
        if langs is not None and (head or tail):
            found = [(core, langs)]
        elif (head and tail or tail and tail[-1][0] in ("ha", "han")) and english(core):
            # "homeha", "elscreditorsde": an English word the engine passed through, glued
            found = [(core, None)]
        if found is None:
            for m in _GLUE_MID_RE.finditer(core):
                left, right = core[: m.start()], core[m.end():]
                if len(left) < 4 or len(right) < 4 and not (tail or right in ("un", "una")):
                    continue
                lp, rp = pivot(left), pivot(right)
                if lp is None and rp is None:
                    continue
                if lp is None and not english(left) or rp is None and not english(right):
                    continue
                found = [(left, lp), (m.group(), _GLUE_MID[m.group()]), (right, rp)]
                break
        if found is None and head and not tail:
            for i in range(4, len(core) - 3):  # "quecrecenrápidas": que + two pivot words
                lp, rp = pivot(core[:i]), pivot(core[i:])
                if lp is not None and rp is not None:
                    found = [(core[:i], lp), (core[i:], rp)]
                    break
        if found is None:
            return None
        pieces = head + found + tail
        if not any(langs is not None and piece not in _GLUE_START and piece not in _GLUE_END
                   and piece not in _GLUE_MID for piece, langs in pieces) and not (
                       head and tail or tail and tail[-1][0] in ("ha", "han")):
            return None
        if self._word_zipf(token) > 0:  # an English word after all ("decade", "model")
            return None
        return pieces

    def _confirm_glued(self, glued: list[tuple[re.Match[str], list[tuple[str, tuple[str, ...] | None]]]]) -> list[_Candidate]:
        out = []
        for m, pieces in glued:
            votes: dict[str, float] = {}
            for _piece, langs in pieces:
                for lang in langs or ():
                    votes[lang] = votes.get(lang, 0.0) + 1.0 / len(langs)
            best = max(votes.values())
            langs = tuple(sorted((k for k, v in votes.items() if v >= best - 1e-9), key=lambda k: -_LANG_PRIOR.get(k, 0)))
            out.append(_Candidate(m.start(), m.end(), "glued_pivot_words", langs, m.group(), "", tuple(p for p, _ in pieces)))
        return out

    def _tokens(self, document: Document, idx: int) -> list[_Token]:
        """Word tokens of sentence ``idx`` with their table entries."""
        sent = document.sentences[idx]
        out = []
        for m in _TOKEN.finditer(document.text, sent.start, sent.end):
            tok = m.group()
            word = tok[:-2] if _POSSESSIVE.fullmatch(tok) else tok
            folded = word.lower()
            plain = _LETTERS.fullmatch(word) is not None
            capitalised = plain and word[0].isupper()
            entry = self._table.get(folded) if plain and len(word) >= 4 and (word.islower() or capitalised) else None
            out.append(_Token(m.start(), m.end(), tok, folded, capitalised, entry))
        return out

    @staticmethod
    def _in_foreign_name(tokens: list[_Token], pos: int, text: str) -> bool:
        """Whether token ``pos`` belongs to a run of foreign words holding a capitalised
        pivot word or function word (a foreign name or title)."""

        def foreignish(t: _Token) -> bool:
            return t.entry is not None or t.folded in FOREIGN_FUNCTION_WORDS or t.capitalised

        def joined(a: _Token, b: _Token) -> bool:
            gap = text[a.end : b.start]
            return gap.isspace() and "\n" not in gap

        def marks_name(t: _Token) -> bool:
            return t.capitalised and (t.entry is not None or t.folded in FOREIGN_FUNCTION_WORDS)

        # A pivot preposition next to a capitalised word (not the sentence's first) is part
        # of a place or institution name: "Weilen unter den Rinnen".
        if tokens[pos].folded in _NAME_GLUE_WORDS:
            if pos > 1 and tokens[pos - 1].capitalised and joined(tokens[pos - 1], tokens[pos]):
                return True
            if pos + 1 < len(tokens) and tokens[pos + 1].capitalised and joined(tokens[pos], tokens[pos + 1]):
                return True
        i = pos
        while i > max(0, pos - _MAX_NAME_RUN) and joined(tokens[i - 1], tokens[i]) and foreignish(tokens[i - 1]):
            i -= 1
            if marks_name(tokens[i]):
                return True
        j = pos
        while j + 1 < min(len(tokens), pos + _MAX_NAME_RUN) and joined(tokens[j], tokens[j + 1]) and foreignish(tokens[j + 1]):
            j += 1
            if marks_name(tokens[j]):
                return True
        return False

    def _findings(self, document: Document, kept: list[_Candidate]) -> list[Finding]:
        # The article's language: each candidate votes for its plausible pivots.
        votes: dict[str, float] = {}
        for cand in kept:
            for lang in cand.langs:
                votes[lang] = votes.get(lang, 0.0) + 1.0 / len(cand.langs)
        chosen = [(c, max(c.langs, key=lambda k: (votes.get(k, 0.0), _LANG_PRIOR.get(k, 0)))) for c in kept]
        distinct: dict[str, set[str]] = {}
        for cand, lang in chosen:
            distinct.setdefault(lang, set()).add(cand.word)
        out = []
        for cand, lang in chosen:
            n = len(distinct[lang])
            base = _SCORE_GLUED if cand.rule == "glued_pivot_words" else _SCORE_ONE
            score = round(min(_SCORE_MAX, base + _SCORE_STEP * (n - 1)), 2)
            word = document.text[cand.start : cand.end]
            others = tuple(k for k in cand.langs if k != lang)
            lang_name = "/".join(LANG_NAMES[k] for k in (lang, *others))
            if cand.rule == "glued_pivot_words":
                message = (f"'{word}' is {lang_name} words run together ('{' '.join(cand.pieces)}'): "
                           "a multiword unit a rule-based engine could not translate back")
                suggestion = None
            else:
                gloss = f" ({cand.suggestion})" if cand.suggestion else ""
                article = "an" if lang_name[0] in "AEIOU" else "a"
                message = f"'{word}' is {article} {lang_name} word{gloss} left untranslated"
                suggestion = cand.suggestion or None
            if n > 1:
                message += f"; the article has {n} such {LANG_NAMES[lang]} words"
            out.append(
                self.finding(
                    document, cand.start, cand.end, rule=cand.rule, message=message, score=score,
                    suggestion=suggestion, source_lang_hint=lang,
                )
            )
        return out
