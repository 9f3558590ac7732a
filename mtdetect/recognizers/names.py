"""Garbled names: the tell-tale damage machine translation does to people's names.

When English news is translated into a pivot language (French, German, Spanish, ...) and
machine-translated back, a name token that is also a word of the pivot language gets
translated: "Kim Jong Un" becomes "Kim Jong one" (French/Spanish "un"), "Marine Le Pen"
becomes "Marine the Pen", "Ursula von der Leyen" becomes "Ursula of the Leyen". Engines
also mangle the case of names ("President XI") and drop the last syllable of Korean names
("Kim Jong travels").

Rules (the score reflects how unmistakable the artifact is; none fired on ~33,000 sentences
of human-written and human-translated news, see the module's test file for near-misses):

``homograph_name`` (0.93; 0.98 when the article also has the correct form; 0.85 for a
    surname alone such as "of Gaulle"; 0.8 when only a noun was translated, "Sebastian Short")
    A gazetteer name with one or more tokens replaced by the English rendering of a
    pivot-language homograph. Variants are generated from ``names.tsv`` x
    ``homographs.tsv`` at load time and matched with a token trie (linear in text length).
``truncated_name`` (0.6)
    A known multi-part name whose final part is missing, followed by a lower-case word
    ("Kim Jong travels").
``allcaps_surname`` (0.85 gazetteer surname; 0.7 surname seen as "Mr. Novak" in the article)
    A title or honorific followed by an all-caps surname that is written mixed-case in the
    gazetteer or elsewhere in the article ("Mr. XI", "President XI").
``inconsistent_name`` (0.75)
    An all-caps gazetteer surname in running text when the same article writes it
    mixed-case in a name ("Xi Jinping ... XI said").

High-recall candidate generation is followed by validation (case of each token, gaps
between tokens, the article's other mentions), in the spirit of presidio's recognizers.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import ClassVar, Iterator

from ..lexicons import load_lexicon, source_langs
from ..types import Document, Finding
from .base import Recognizer

# Language names for messages.
_LANG_NAMES = {
    "fr": "French",
    "de": "German",
    "es": "Spanish",
    "it": "Italian",
    "pt": "Portuguese",
    "nl": "Dutch",
}

# Letter runs; everything else (spaces, hyphens, apostrophes, periods) is a gap.
_TOKEN = re.compile(r"[^\W\d_]+")
# Gaps allowed *inside* a name: one or two spaces, a hyphen, an apostrophe (d'Estaing).
_NAME_GAP = re.compile(r"(?:[ \u00a0]{1,2}|[-\u2010\u2011]|['\u2019])")
# Gap after an initial ("George W. Bush").
_INITIAL_GAP = re.compile(r"\.[ \u00a0]?")
# Gap between a truncated name and the lower-case word that follows it.
_SPACE_GAP = re.compile(r"[ \u00a0]{1,2}")

# Titles and honorifics that introduce a surname ("Mr. Xi", "President Xi", "leader Xi").
# Deliberately excludes regnal/papal words (King, Queen, Pope, Emperor, Louis, Pius...),
# after which an all-caps token is a roman numeral, not a surname.
_TITLES = frozenset(
    """mr mrs ms mme dr prof sen rep gov gen president premier chairman chairwoman chancellor
    minister secretary leader comrade senator governor general ambassador marshal speaker
    sheikh ayatollah spokesman spokeswoman spokesperson envoy commissioner counterpart""".split()
)
# Abbreviated titles that must be followed by a period or space.
_ABBREVIATED_TITLES = frozenset("mr mrs ms mme dr prof sen rep gov gen".split())

# Lower-case name particles: after "Mohammed bin" they continue a name, not a sentence.
_NAME_PARTICLES = frozenset("al el bin ibn bint abu de da das do dos di du del della van von der den la le zu".split())

# Words after which an all-caps "XI"/"LI" is a numeral or a team, not a surname
# ("the starting XI", "Prime Minister's XI", "chapter XI").
_BEFORE_NUMERAL = frozenset(
    """a an the this that its his her their our my your s starting first best strongest ideal dream
    opening unchanged same side team world chapter title article part section volume act book phase
    level class type stage grade mark super""".split()
)

_ROMAN = re.compile(r"^M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})$")

# Regions whose three-part names are a surname plus a two-syllable given name written as
# two words ("Kim Jong Un"): dropping the last part leaves an unusual, incomplete name.
_TRUNCATABLE_REGIONS = frozenset({"KP", "KR"})

_SPECIAL_FOLD = str.maketrans({"ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "ß": "ss",
                               "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ı": "i"})


@lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Case- and accent-insensitive key of a token ("Mélenchon" -> "melenchon")."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPECIAL_FOLD))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def _tokens(text: str) -> list[tuple[int, int]]:
    """Letter-run token spans of ``text``."""
    return [m.span() for m in _TOKEN.finditer(text)]


def _is_allcaps(token: str) -> bool:
    """An all-capitals word of at least two letters ("XI", not "I")."""
    return len(token) >= 2 and token.isupper()


@dataclass(frozen=True, slots=True)
class _Person:
    """A gazetteer entry."""

    canonical: str
    region: str
    surnames: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Substitution:
    """One name token rendered as the English meaning of a pivot-language homograph."""

    original: str
    rendering: str
    langs: tuple[str, ...]
    content: bool


@dataclass(frozen=True, slots=True)
class _Pattern:
    """A token sequence to find: a usual form, a garbled variant or a truncated prefix."""

    person: _Person
    kind: str  # "usual" | "garbled" | "prefix"
    caps: tuple[bool, ...]  # per token: must the surface token start upper-case?
    substitutions: tuple[_Substitution, ...] = ()
    surname_only: bool = False
    suggestion: str = ""
    needs_support: bool = False  # garbled surname whose anchor is an ordinary English word
    missing: tuple[str, ...] = ()  # folded final tokens dropped by a prefix
    substituted: tuple[bool, ...] = ()  # per token: did it come from a substitution?


@dataclass(slots=True)
class _Node:
    """A token-trie node: children by folded token, patterns ending here."""

    children: dict[str, "_Node"] = field(default_factory=dict)
    patterns: list[_Pattern] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Mention:
    """A validated match of a pattern in the text."""

    start: int
    end: int
    first_token: int
    last_token: int
    pattern: _Pattern
    alternatives: tuple[_Pattern, ...] = ()  # other valid patterns with the same tokens


def _form_tokens(form: str) -> tuple[list[str], list[bool]]:
    """Tokens of a name form and, per token, whether its case must be respected.

    A token is case-checked when the form writes it capitalised and it does not follow a
    hyphen ("Kim Jong-un" allows "un"); lower-case particles ("von", "de") match any case.
    """
    toks, caps = [], []
    prev_end = None
    for s, e in _tokens(form):
        tok = form[s:e]
        after_hyphen = prev_end is not None and "-" in form[prev_end:s]
        toks.append(tok)
        caps.append(tok[:1].isupper() and not after_hyphen)
        prev_end = e
    return toks, caps


class GarbledNameRecognizer(Recognizer):
    """Names of public figures garbled by round-trip machine translation."""

    name: ClassVar[str] = "garbled_names"
    kind: ClassVar[str] = "garbled_name"
    version: ClassVar[str] = "1.0"
    description: ClassVar[str] = (
        "Names mangled by machine translation: translated homographs (Kim Jong one, Marine the Pen), "
        "truncations (Kim Jong travels) and all-caps surnames (President XI)."
    )

    #: Upper bound on generated variants per name form (names have few tokens; this is a guard).
    MAX_VARIANTS_PER_FORM: ClassVar[int] = 256

    def __init__(self) -> None:
        super().__init__()
        self._trie: _Node = _Node()
        self._surname_people: dict[str, list[_Person]] = {}

    # ------------------------------------------------------------------ loading
    def _load(self) -> None:
        homographs = self._load_homographs()
        people: list[tuple[_Person, list[str]]] = []
        for row in load_lexicon("names"):
            surnames = tuple(s for s in row["surname"].split("|") if s)
            person = _Person(row["canonical"], row["region"], surnames)
            forms = [row["canonical"]] + [a for a in row["aliases"].split("|") if a]
            people.append((person, forms))

        usual_keys: set[tuple[str, ...]] = set()
        for person, forms in people:
            for form in list(forms) + list(person.surnames):
                usual_keys.add(tuple(fold(t) for t in _form_tokens(form)[0]))

        english_words = self._common_english_words(people)
        for person, forms in people:
            person_usual = {tuple(fold(t) for t in _form_tokens(f)[0]) for f in forms + list(person.surnames)}
            for surname in person.surnames:
                toks = _form_tokens(surname)[0]
                if len(toks) == 1:
                    self._surname_people.setdefault(fold(toks[0]), []).append(person)
            for form in forms:
                toks, caps = _form_tokens(form)
                if len(toks) >= 2:
                    self._add(toks, _Pattern(person, "usual", tuple(caps), suggestion=person.canonical))
                for variant in self._variants(toks, caps, homographs, person, person.canonical, False):
                    if tuple(fold(t) for t in variant[0]) not in usual_keys:
                        self._add(*variant)
                self._add_prefix(person, toks, caps, usual_keys)
            for surname in person.surnames:
                toks, caps = _form_tokens(surname)
                if len(toks) < 2:
                    continue
                self._add(toks, _Pattern(person, "usual", tuple(caps), suggestion=surname))
                for vtoks, pattern in self._variants(toks, caps, homographs, person, surname, True):
                    key = tuple(fold(t) for t in vtoks)
                    anchors = tuple(fold(t) for t, sub in zip(vtoks, pattern.substituted) if not sub)
                    # "the Sisi" is fine English when "Sisi" alone is a usual form of the name,
                    # and "from Silva" when Silva is anyone's surname.
                    if key in usual_keys or anchors in person_usual or anchors in usual_keys:
                        continue
                    needs_support = any(a in english_words for a in anchors)
                    self._add(vtoks, replace(pattern, needs_support=needs_support))

    @staticmethod
    def _load_homographs() -> dict[str, list[_Substitution]]:
        """Folded foreign token -> its substitutions, from ``homographs.tsv``."""
        table: dict[str, list[_Substitution]] = {}
        for row in load_lexicon("homographs"):
            key = fold(row["foreign"])
            for rendering in row["english"].split("|"):
                table.setdefault(key, []).append(
                    _Substitution(
                        original=row["foreign"],
                        rendering=rendering.strip(),
                        langs=source_langs(row),
                        content=row["class"] == "content",
                    )
                )
        return table

    @staticmethod
    def _common_english_words(people: list[tuple[_Person, list[str]]]) -> frozenset[str]:
        """Surname tokens that are also common English words ("Pen", "Mayor"; not "Drian")."""
        from ..style import word_zipf  # wordfreq's figure, read from its table (fast at load)

        words = set()
        for person, _forms in people:
            for surname in person.surnames:
                for tok in _form_tokens(surname)[0]:
                    if word_zipf(tok.lower()) >= 3.5:
                        words.add(fold(tok))
        return frozenset(words)

    def _variants(
        self,
        toks: list[str],
        caps: list[bool],
        homographs: dict[str, list[_Substitution]],
        person: _Person,
        suggestion: str,
        surname_only: bool,
    ) -> Iterator[tuple[list[str], _Pattern]]:
        """Garbled variants of one name form: every combination of homograph substitutions."""
        options: list[list[_Substitution | None]] = []
        for tok in toks:
            opts: list[_Substitution | None] = [None]
            opts.extend(homographs.get(fold(tok), ()))
            options.append(opts)
        if all(len(o) == 1 for o in options):
            return
        for count, combo in enumerate(itertools.product(*options)):
            if count >= self.MAX_VARIANTS_PER_FORM:
                break
            subs = [s for s in combo if s is not None]
            if not subs:
                continue
            has_function = any(not s.content for s in subs)
            if surname_only and (not has_function or all(s is not None for s in combo)):
                # A surname variant needs an unmistakable function-word garble and an
                # untouched anchor token ("the Pen"), otherwise it is just English.
                continue
            vtoks: list[str] = []
            vcaps: list[bool] = []
            mask: list[bool] = []
            for tok, cap, sub in zip(toks, caps, combo):
                if sub is None:
                    vtoks.append(tok)
                    vcaps.append(cap)
                    mask.append(False)
                    continue
                for rtok in _form_tokens(sub.rendering)[0]:
                    vtoks.append(rtok)
                    # Function words come out in any case; a translated content word only
                    # counts when capitalised like a name, unless a function-word garble
                    # already vouches for the variant ("Bruno the mayor").
                    vcaps.append(sub.content and not has_function)
                    mask.append(True)
            pattern = _Pattern(
                person,
                "garbled",
                tuple(vcaps),
                substitutions=tuple(subs),
                surname_only=surname_only,
                suggestion=suggestion,
                substituted=tuple(mask),
            )
            yield vtoks, pattern

    def _add_prefix(self, person: _Person, toks: list[str], caps: list[bool], usual: set[tuple[str, ...]]) -> None:
        """Register the name minus its last part, for the truncated-name rule."""
        if len(toks) < 3 or any(len(t) == 1 for t in toks):
            return
        prefix = toks[:-1]
        if tuple(fold(t) for t in prefix) in usual:
            return
        ends_in_particle = prefix[-1][:1].islower()
        if person.region not in _TRUNCATABLE_REGIONS and not ends_in_particle:
            return
        self._add(
            prefix,
            _Pattern(person, "prefix", tuple(caps[:-1]), suggestion=person.canonical, missing=(fold(toks[-1]),)),
        )

    def _add(self, toks: list[str], pattern: _Pattern) -> None:
        """Insert ``pattern`` into the trie under the folded ``toks``."""
        node = self._trie
        for tok in toks:
            node = node.children.setdefault(fold(tok), _Node())
        node.patterns.append(pattern)

    # ------------------------------------------------------------------ matching
    def _mentions(self, text: str, spans: list[tuple[int, int]]) -> list[_Mention]:
        """Longest valid, non-overlapping pattern matches, left to right."""
        keys = [fold(text[s:e]) for s, e in spans]
        roots = self._trie.children
        mentions: list[_Mention] = []
        n = len(spans)
        # Only tokens that begin some name can start a mention; visit those alone.
        for i in [i for i, key in enumerate(keys) if key in roots]:
            if mentions and i <= mentions[-1].last_token:
                continue  # inside the previous mention
            node = roots[keys[i]]
            best: _Mention | None = None
            j = i
            while node is not None:
                valid = [p for p in node.patterns if self._case_ok(text, spans, i, p)]
                if valid:
                    valid.sort(key=_rank)
                    best = _Mention(spans[i][0], spans[j][1], i, j, valid[0], tuple(valid[1:]))
                if j + 1 >= n or not self._gap_ok(text, spans[j], spans[j + 1]):
                    break
                j += 1
                node = node.children.get(keys[j])
            if best is not None:
                mentions.append(best)
        return mentions

    @staticmethod
    def _gap_ok(text: str, left: tuple[int, int], right: tuple[int, int]) -> bool:
        """Whether the characters between two tokens can sit inside one name."""
        gap = text[left[1] : right[0]]
        if _NAME_GAP.fullmatch(gap):
            return True
        return left[1] - left[0] == 1 and _INITIAL_GAP.fullmatch(gap) is not None

    @staticmethod
    def _case_ok(text: str, spans: list[tuple[int, int]], first: int, pattern: _Pattern) -> bool:
        """Whether every case-checked token of ``pattern`` starts upper-case in the text."""
        for k, must_cap in enumerate(pattern.caps):
            if must_cap and not text[spans[first + k][0]].isupper():
                return False
        return True

    # ------------------------------------------------------------------ rules
    def _analyze(self, document: Document) -> list[Finding]:
        text = document.text
        spans = _tokens(text)
        mentions = self._mentions(text, spans)
        findings: list[Finding] = []
        usual_people = {m.pattern.person.canonical for m in mentions if m.pattern.kind == "usual"}
        mentioned_tokens = self._mentioned_name_tokens(text, spans, mentions)
        named = {m.pattern.person.canonical for m in mentions if m.pattern.kind != "prefix"}

        for m in mentions:
            if m.pattern.kind == "garbled":
                finding = self._homograph_finding(document, m, usual_people, mentioned_tokens)
                if finding is not None:
                    findings.append(finding)
            elif m.pattern.kind == "prefix":
                finding = self._truncated_finding(document, spans, m, named)
                if finding is not None:
                    findings.append(finding)

        in_mentions = {k for m in mentions for k in range(m.first_token, m.last_token + 1)}
        findings.extend(self._case_findings(document, spans, in_mentions))
        return findings

    @staticmethod
    def _mentioned_name_tokens(text: str, spans: list[tuple[int, int]], mentions: list[_Mention]) -> set[str]:
        """Folded tokens of every name mention (supports a garbled surname like "the Pen")."""
        tokens: set[str] = set()
        for m in mentions:
            if m.pattern.kind == "usual" or (m.pattern.kind == "garbled" and not m.pattern.surname_only):
                for k in range(m.first_token, m.last_token + 1):
                    s, e = spans[k]
                    tokens.add(fold(text[s:e]))
        return tokens

    def _homograph_finding(
        self, document: Document, m: _Mention, usual_people: set[str], mentioned: set[str]
    ) -> Finding | None:
        """A ``homograph_name`` finding for a garbled mention, or None if unsupported."""
        # Several people can share a garbled surname ("the Pen": Marine or Jean-Marie Le Pen);
        # take the first one the article supports.
        candidates = [m.pattern] + [p for p in m.alternatives if p.kind == "garbled"]
        supported = [p for p in candidates if self._supported(p, usual_people, mentioned)]
        if not supported:
            return None
        pattern = supported[0]
        person = pattern.person
        # The same garble can come from several pivot languages ("un" is French, Spanish and
        # Italian): the message names all of them.
        langs: list[str] = []
        for other in supported:
            if other.person == person:
                langs += [x for x in _ordered_langs(other.substitutions) if x not in langs]
        lang_names = _join_or([_LANG_NAMES.get(x, x) for x in langs])
        parts = ", ".join(f"'{s.original}' as '{s.rendering}'" for s in pattern.substitutions)
        message = (
            f"'{document.text[m.start:m.end]}' looks like the name {pattern.suggestion} with "
            f"{parts}: a {lang_names} word inside the name was translated, which happens when "
            "a machine translates the name through that language."
        )
        score = 0.93
        if pattern.surname_only:
            score = 0.85
        elif all(s.content for s in pattern.substitutions):
            # Translated nouns ("Sebastian Short") are rarer and a little more ambiguous.
            score = 0.8
        if person.canonical in usual_people:
            message += f" The same article also writes the name correctly ({person.canonical})."
            score = min(0.98, score + 0.05)
        return self.finding(
            document,
            m.start,
            m.end,
            rule="homograph_name",
            message=message,
            score=score,
            suggestion=pattern.suggestion,
            # One ISO code (the output contract): the first, most likely pivot language, in
            # homographs.tsv row order; the message names all candidates.
            source_lang_hint=langs[0] if langs else None,
        )

    @staticmethod
    def _supported(pattern: _Pattern, usual_people: set[str], mentioned: set[str]) -> bool:
        """Whether a garbled surname needing support has it: the person is named elsewhere."""
        if not pattern.needs_support:
            return True
        person = pattern.person
        surname_tokens = {fold(t) for s in person.surnames for t in _form_tokens(s)[0]}
        given = {fold(t) for t in _form_tokens(person.canonical)[0]} - surname_tokens
        return person.canonical in usual_people or bool(given & mentioned)

    def _truncated_finding(
        self, document: Document, spans: list[tuple[int, int]], m: _Mention, named: set[str]
    ) -> Finding | None:
        """A ``truncated_name`` finding when a prefix is followed by an ordinary word."""
        text = document.text
        nxt = m.last_token + 1
        if nxt >= len(spans) or not _SPACE_GAP.fullmatch(text[spans[m.last_token][1] : spans[nxt][0]]):
            return None
        word = text[spans[nxt][0] : spans[nxt][1]]
        if not word[:1].islower() or fold(word) in m.pattern.missing or fold(word) in _NAME_PARTICLES:
            return None
        if text[spans[nxt][1] : spans[nxt][1] + 1] in ("-", "'", "\u2019", "\u2010", "\u2011"):
            return None  # "bin al-Thani", "Kim Jong un-like": the word belongs to a name or compound
        # Several people share a prefix ("Kim Jong"): prefer one the article names in full.
        candidates = [m.pattern.person.canonical]
        candidates += [p.person.canonical for p in m.alternatives if p.kind == "prefix"]
        suggestion = next((c for c in candidates if c in named), candidates[0])
        return self.finding(
            document,
            m.start,
            m.end,
            rule="truncated_name",
            message=(
                f"'{text[m.start:m.end]}' is an incomplete form of the name {suggestion}: its last "
                "part is missing before an ordinary word, as when a machine translation swallows "
                "a name syllable it took for a word."
            ),
            score=0.6,
            suggestion=suggestion,
        )

    def _case_findings(
        self,
        document: Document,
        spans: list[tuple[int, int]],
        in_mentions: set[int],
    ) -> list[Finding]:
        """All-caps surnames in mixed-case running text ("President XI", "XI said")."""
        text = document.text
        findings: list[Finding] = []
        # All-caps tokens that are a known surname or follow a title; most articles have none.
        candidates = []
        for k, (s, e) in enumerate(spans):
            if not _is_allcaps(text[s:e]):
                continue
            key = fold(text[s:e])
            in_gazetteer = key in self._surname_people
            titled = self._title_before(text, spans, k)
            if in_gazetteer or titled:
                candidates.append((k, key, in_gazetteer, titled))
        if not candidates:
            return findings
        # Mixed-case surnames the article uses in a name: inside a gazetteer name mention, or
        # after a personal honorific ("Mr. Smith"; not "Premier League").
        mixed: set[str] = set()
        for k, (s, e) in enumerate(spans):
            tok = text[s:e]
            if tok[:1].isupper() and not tok.isupper():
                if k in in_mentions or self._title_before(text, spans, k, _ABBREVIATED_TITLES):
                    mixed.add(fold(tok))
        lowercase_share: dict[int | None, float] = {}
        for k, key, in_gazetteer, titled in candidates:
            s, e = spans[k]
            tok = text[s:e]
            if not (in_gazetteer or (titled and key in mixed)):
                continue
            if not self._mixed_case_context(document, spans, k, lowercase_share):
                continue
            proper = tok[0] + tok[1:].lower()
            if titled and (in_gazetteer or key in mixed):
                people = self._surname_people.get(key)
                findings.append(
                    self.finding(
                        document,
                        s,
                        e,
                        rule="allcaps_surname",
                        message=(
                            f"The surname '{tok}' is written in capitals after a title, although it is "
                            f"a mixed-case name ({proper}); machine translation often upper-cases "
                            "surnames that its source wrote in capitals."
                        ),
                        score=0.85 if in_gazetteer else 0.7,
                        suggestion=proper if not people else _surname_form(people[0], key),
                    )
                )
            elif not titled and key in mixed and in_gazetteer:
                prev_tok = text[spans[k - 1][0] : spans[k - 1][1]] if k > 0 else ""
                if _ROMAN.match(tok) and (prev_tok[:1].isupper() or fold(prev_tok) in _BEFORE_NUMERAL):
                    continue  # "Louis XI", "Super Bowl LI", "his starting XI": a roman numeral
                findings.append(
                    self.finding(
                        document,
                        s,
                        e,
                        rule="inconsistent_name",
                        message=(
                            f"The surname '{tok}' is written in capitals here but as '{proper}' elsewhere "
                            "in the same article; inconsistent forms of one name are typical of "
                            "machine-translated text."
                        ),
                        score=0.75,
                        suggestion=_surname_form(self._surname_people[key][0], key),
                    )
                )
        return findings

    @staticmethod
    def _title_before(
        text: str, spans: list[tuple[int, int]], k: int, titles: frozenset[str] = _TITLES
    ) -> bool:
        """Whether token ``k`` directly follows a (mixed- or lower-case) title from ``titles``."""
        if k == 0:
            return False
        ps, pe = spans[k - 1]
        title = text[ps:pe]
        if title.isupper() or fold(title) not in titles:
            return False
        gap = text[pe : spans[k][0]]
        if fold(title) in _ABBREVIATED_TITLES:
            return gap in (". ", " ", ".\u00a0", "\u00a0")
        return gap in (" ", "\u00a0")

    @staticmethod
    def _mixed_case_context(
        document: Document, spans: list[tuple[int, int]], k: int, cache: dict[int | None, float]
    ) -> bool:
        """The all-caps token sits in ordinary running text, not a headline or acronym run."""
        text = document.text
        s, e = spans[k]
        for j in (k - 1, k + 1):
            if 0 <= j < len(spans):
                if _is_allcaps(text[spans[j][0] : spans[j][1]]):
                    return False
        # A speaker label ("XI: We will...") is not running text.
        if text[e : e + 1] == ":":
            return False
        # Share of lower-case letters in the sentence (computed once per sentence): an
        # all-caps headline or dateline is not evidence.
        index = document.sentence_index_at(s)
        if index not in cache:
            chunk = document.sentences[index].text if index is not None else text[max(0, s - 200) : e + 200]
            letters = [c for c in chunk if c.isalpha()]
            cache[index] = sum(c.islower() for c in letters) / len(letters) if letters else 0.0
        return cache[index] >= 0.6


def _rank(pattern: _Pattern) -> int:
    """Preference among patterns of equal length: a usual form beats a garble beats a prefix."""
    return {"usual": 0, "garbled": 1, "prefix": 2}[pattern.kind]


def _ordered_langs(subs: tuple[_Substitution, ...]) -> list[str]:
    """Languages shared by every substitution, else all of them, in first-seen order."""
    common = set(subs[0].langs)
    for s in subs[1:]:
        common &= set(s.langs)
    out: list[str] = []
    for s in subs:
        for lang in s.langs:
            if (not common or lang in common) and lang not in out:
                out.append(lang)
    return out


def _join_or(items: list[str]) -> str:
    """ "French", "French or German", "French, Spanish or Italian"."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]


def _surname_form(person: _Person, key: str) -> str:
    """The gazetteer spelling of a single-token surname of ``person`` matching ``key``."""
    for surname in person.surnames:
        if fold(surname) == key:
            return surname
    return key.capitalize()
