"""Garbled names: the tell-tale damage machine translation does to people's names.

When English news is translated into a pivot language (French, German, Spanish, ...) and
machine-translated back, a name token that is also a word of the pivot language gets
translated: "Kim Jong Un" becomes "Kim Jong one" (French/Spanish "un"), "Marine Le Pen"
becomes "Marine the Pen", "Ursula von der Leyen" becomes "Ursula of the Leyen". Engines
also mangle the case of names ("President XI") and drop the last syllable of Korean names
("Kim Jong travels").

Rules (the score reflects how unmistakable the artifact is; together they fire about 0.1
times per 1,000 sentences of human-written and human-translated news, see the module's test
file for near-misses):

``homograph_name`` (0.93; 0.98 when the article also has the correct form; 0.85 for a
    surname alone such as "of Gaulle"; 0.8 when only a noun was translated, "Sebastian Short";
    0.9 for a garble an engine was seen producing, "Donald Triumph")
    A gazetteer name with one or more tokens replaced by the English rendering of a
    pivot-language homograph. Variants are generated from ``names.tsv`` x
    ``homographs.tsv`` at load time and matched with a token trie (linear in text length).
    A variant whose final part also lost a letter counts too, at 0.85 ("Choe his Hu" for
    Choe Son Hui), when a function word was translated and another part is intact.
``truncated_name`` (0.6)
    A known multi-part name whose final part is missing, followed by a lower-case word
    ("Kim Jong travels").
``allcaps_surname`` (0.85 gazetteer surname; 0.7 surname seen as "Mr. Novak" in the article)
    A title or honorific followed by an all-caps surname that is written mixed-case in the
    gazetteer or elsewhere in the article ("Mr. XI", "President XI").
``inconsistent_name`` (0.75)
    An all-caps gazetteer surname in running text when the same article writes it
    mixed-case in a name ("Xi Jinping ... XI said").

Gazetteer and generated tables (scripts/build_name_gazetteer.py): the hand-compiled
``names.tsv`` plus ~2,900 people from WordNet (``public_figures.tsv``); surnames that are words
of a pivot language with their English renderings (``name_renderings.tsv``: Apertium spa-eng
and cat-eng, Bergamot pt-en, FreeDict; "Iglesias" -> "Churches", "Meloni" -> "Melons"), which
add garbled variants of gazetteer names; and the garbles the engines here were seen producing
on the gazetteer's names (``name_garbles.tsv``: "Donald Triumph", "Lula gives Silva"). They load
from ``names_compiled.json``, the precompiled form of those TSVs.

Generic rules (no gazetteer entry needed; a given name from ``given_names.tsv`` that is not
also a word or a place, followed by a capitalised common English word, ``name_words.tsv``,
that is not an English-speaking surname):

``translated_surname`` (0.65; 0.72 with a title before, a verb of saying after or the real
    name elsewhere) The word is the English rendering of a common pivot-language surname
    ("Marta Churches" <- Iglesias, "Chris Today" <- Hoy).
``word_as_surname`` (0.5; 0.55 with two cues) Any other common word, only when the context
    confirms a person: a title before, a verb of saying after, or the same given name with a
    real surname elsewhere in the article ("Senator Karen Shadows").
``particle_as_word`` (0.7)
    A capitalised "Of"/"From" between a given name and a capitalised surname in running text
    ("Kevin Of Bruyne"): a name particle translated as a word.

High-recall candidate generation is followed by validation (case of each token, gaps
between tokens, the article's other mentions), in the spirit of presidio's recognizers.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from typing import ClassVar, Iterator

from ..lexicons import load_lexicon, source_langs
from ..types import Document, Finding
from .base import Recognizer

# Language names for messages.
_LANG_NAMES = {
    "ca": "Catalan",
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

# Words after which a capitalised pair is not a person's name ("the Christian Democrats",
# "a Grace Church", "of Santa Maria"), unless a sentence starts between them.
_BEFORE_NAME_STOP = frozenset(
    """the a an this that these those its his her their our my your st saint san santa""".split()
)
# Words that head the name of a place, team, firm or event rather than stand for a surname
# ("Travis County", "Stanley Cups", "Emmy Awards", "Wagner Group", "Sydney Trains").
_NOT_SURNAMES = frozenset(
    """academy airport airlines airways alliance arena association avenue awards bank banks bars
    bay beach boulevard bridge brothers buses cathedral centre center chapel church city club
    clubs college commission committee company corporation council county court cup cups
    district express festival forest foundation fund gallery games garden gardens group hall
    harbour harbor highway hill hills hospital hotel house institute island islands lake lane
    league line lines market medal memorial mission motors mountain mountains museum network
    park parks partners party place plaza police port prize project quartet railway railways
    ranch range records region reserve river road school schools show society square stadium
    station street studios summit team theatre theater tower town trains trophy trust university
    valley village way works""".split()
)
# Titles and descriptors written capitalised before a full name ("Inspector Glenn ...",
# "Gentleman Chris ..." for Sir): for the generic rules they are context, not a name part.
_TITLES_BEFORE_NAME = _TITLES | frozenset(
    """sir dame lord lady gentleman captain capt coach judge justice detective det officer sergeant
    sgt constable professor doctor bishop father rev reverend mayor deputy councillor chief director
    inspector agent manager colonel col lieutenant lt major sheriff attorney dean rector""".split()
)
# Royal and religious words that look like given names in names lists ("Prince Consort").
_NOT_GIVEN = frozenset("prince princess king queen duke duchess pope saint santa san sister brother".split())
# Verbs of saying; right after the name they confirm that a person is meant
# ("Donald Triumph said", ", told reporters").
_SAYING_VERBS = frozenset(
    """said says told added explained stated declared announced insisted argued warned stressed
    noted affirmed asserted replied answered claimed admitted acknowledged wrote tweeted
    confirmed denied recalled indicated underlined highlighted""".split()
)
_SAYING_AFTER = re.compile(
    r",? (?:has |had |was |also |then |later )?(?:" + "|".join(sorted(_SAYING_VERBS)) + r"|pointed out)\b"
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
    if text.isascii():
        return text.lower()  # the common case, and the same result
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
    english_name: bool = False  # the rendering is itself a common English name ("Brown")
    provenance: str = ""  # generated rows: the engine or dictionary that gave the rendering


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
    needs_usual: bool = False  # only counts when the article also writes the name correctly
    engine: str = ""  # an engine seen producing this exact garble (name_garbles.tsv)
    altered: tuple[str, str] = ()  # the final token as the name has it, and as the variant has it


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
    version: ClassVar[str] = "1.1"
    description: ClassVar[str] = (
        "Names mangled by machine translation: translated homographs (Kim Jong one, Marine the Pen, "
        "Pablo Churches), garbles real engines make (Donald Triumph), a given name followed by a "
        "translated surname or particle (Marta Churches, Kevin Of Bruyne), truncations (Kim Jong "
        "travels) and all-caps surnames (President XI)."
    )

    #: Whether ``word_as_surname`` needs a title, a verb of saying or the real name nearby.
    WORD_SURNAME_NEEDS_CONTEXT: ClassVar[bool] = True

    #: Upper bound on generated variants per name form (names have few tokens; this is a guard).
    MAX_VARIANTS_PER_FORM: ClassVar[int] = 256

    def __init__(self) -> None:
        super().__init__()
        self._trie: _Node = _Node()
        self._surname_people: dict[str, list[_Person]] = {}
        self._surname_keys: frozenset[str] = frozenset()
        self._given_names: dict[str, bool] = {}  # folded given name -> is it also an English word?
        self._name_words: frozenset[str] = frozenset()
        self._generic_renderings: dict[str, list[tuple[str, str, str]]] = {}  # English -> (surname, lang, source)
        self._known_pairs: frozenset[str] = frozenset()  # folded "given surname" of gazetteer people

    # ------------------------------------------------------------------ loading
    def _load(self) -> None:
        homographs = self._load_homographs()
        tables = load_compiled_tables()
        renderings: dict[str, list[list]] = tables["renderings"]
        garble_rows = tables["garbles"]
        people: list[tuple[_Person, list[str]]] = []
        for row in load_lexicon("names"):
            surnames = tuple(s for s in row["surname"].split("|") if s)
            person = _Person(row["canonical"], row["region"], surnames)
            forms = [row["canonical"]] + [a for a in row["aliases"].split("|") if a]
            people.append((person, forms))
        hand_count = len(people)
        # The generated gazetteer is large: only people whose surname can be garbled (or whose
        # garble an engine was seen producing) get trie patterns; the others are known names
        # (variants must not collide with them; the generic rules leave them alone).
        for canonical, aliases, surname, region in tables["public_people"]:
            # Forms that start with a particle ("La Fontaine") are surnames, not full names.
            forms = [f for f in [canonical] + aliases.split("|") if f and fold(f.split()[0]) not in _NAME_PARTICLES]
            people.append((_Person(canonical, region, (surname,)), forms))
        usual_keys: set[tuple[str, ...]] = {tuple(k.split()) for k in tables["public_keys"]}
        known_pairs = set(tables["public_pairs"])
        self._given_names = {key: bool(word) for key, word in tables["given"].items()}
        self._name_words = frozenset(tables["words"])
        self._generic_renderings = {k: [tuple(r) for r in rows] for k, rows in tables["generic"].items()}

        for person, forms in people[:hand_count]:
            for form in list(forms) + list(person.surnames):
                usual_keys.add(_quick_key(form))
        for person, forms in people[:hand_count]:
            for key in (_quick_key(f) for f in forms):
                known_pairs.update(f"{a} {b}" for a, b in zip(key, key[1:]))
        self._known_pairs = frozenset(known_pairs)

        english_words = self._common_english_words(people)
        by_canonical = {person.canonical: person for person, _forms in people}
        for index, (person, forms) in enumerate(people):
            person_usual = {_quick_key(f) for f in forms + list(person.surnames)}
            if index < hand_count:
                # All-caps rules use the hand-compiled gazetteer only (frequently reported people).
                for surname in person.surnames:
                    toks = _form_tokens(surname)[0]
                    if len(toks) == 1:
                        self._surname_people.setdefault(fold(toks[0]), []).append(person)
            # Generated surname renderings apply to surname tokens only ("Iglesias", not "Pablo").
            surname_keys = {t for s in person.surnames for t in _quick_key(s)}
            table = homographs
            if any(k in renderings for k in surname_keys):
                table = dict(homographs)
                for k in surname_keys:
                    if k in renderings:
                        table[k] = homographs.get(k, []) + [
                            _Substitution(foreign, english, (lang,), True, bool(english_name), provenance)
                            for foreign, english, lang, english_name, provenance in renderings[k]
                        ]
            for form in forms:
                toks, caps = _form_tokens(form)
                if len(toks) >= 2:
                    self._add(toks, _Pattern(person, "usual", tuple(caps), suggestion=person.canonical))
                for vtoks, pattern in self._variants(toks, caps, table, person, person.canonical, False):
                    if tuple(fold(t) for t in vtoks) not in usual_keys:
                        # A generated person garbled into an English name ("Fischer" ->
                        # "Fisher") may be a real English speaker: only with the real one.
                        if index >= hand_count and any(sub.english_name for sub in pattern.substitutions):
                            pattern = replace(pattern, needs_usual=True)
                        self._add(vtoks, pattern)
                if index < hand_count:
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
                    # Generated gazetteer rows are unvetted: "of Allen" (Van Allen) must be
                    # backed by the person's name elsewhere in the article.
                    needs_support = index >= hand_count or any(a in english_words for a in anchors)
                    self._add(vtoks, replace(pattern, needs_support=needs_support))
        self._load_engine_garbles(garble_rows, by_canonical, usual_keys)

    def _load_engine_garbles(
        self, rows: list[tuple[str, ...]], people: dict[str, _Person], usual_keys: set[tuple[str, ...]]
    ) -> None:
        """Register the garbles the engines here were seen producing (``name_garbles.tsv``)."""
        for canonical, garbled, source_lang, engine in rows:
            person = people.get(canonical)
            if person is None:
                continue
            vtoks, _caps = _form_tokens(garbled)
            key = tuple(fold(t) for t in vtoks)
            if key in usual_keys or len(vtoks) < 2:
                continue
            otoks = _form_tokens(canonical)[0]
            okeys = {fold(t) for t in otoks}
            changed = [t for t in vtoks if fold(t) not in okeys]
            lost = [t for t in otoks if fold(t) not in set(key)]
            if not changed:
                continue  # a reordering only ("Straw Jack"): too weak
            if not all(t[:1].islower() or t.lower() in self._name_words for t in changed):
                continue  # "John Hopkins" (Johns): still reads as a name, and people write it
            langs = tuple(x for x in source_lang.split(",") if x)
            sub = _Substitution(
                original=" ".join(lost) or canonical,
                rendering=" ".join(changed),
                langs=langs,
                content=True,
                provenance=engine,
            )
            # Translated words must keep the capital a name has; an all-lower garble of a
            # function word ("Lula gives Silva") keeps its anchors capitalised instead.
            caps = tuple(t[:1].isupper() for t in vtoks)
            if not any(c for t, c in zip(vtoks, caps) if fold(t) not in okeys):
                if sum(caps) < 2:
                    continue
            pattern = _Pattern(
                person,
                "garbled",
                caps,
                substitutions=(sub,),
                suggestion=person.canonical,
                substituted=tuple(fold(t) not in okeys for t in vtoks),
                engine=engine,
            )
            self._add(vtoks, pattern)

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
            if not surname_only and has_function and combo[-1] is None and any(s is None for s in combo[:-1]):
                yield from _altered_tails(vtoks, pattern)

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
        findings.extend(self._word_surname_findings(document, spans, in_mentions))
        return findings

    # ------------------------------------------------------------------ generic rules
    def _word_surname_findings(
        self, document: Document, spans: list[tuple[int, int]], in_mentions: set[int]
    ) -> list[Finding]:
        """Given name + capitalised English word where the surname belongs ("Pablo Churches")."""
        text = document.text
        given = self._given_names
        candidates: list[int] = []
        particles: list[int] = []
        for k in range(len(spans) - 1):
            s, e = spans[k]
            tok = text[s:e]
            if not tok[:1].isupper() or tok.isupper() or k in in_mentions:
                continue
            if given.get(fold(tok), True) or fold(tok) in _NOT_GIVEN:
                continue  # not a given name, or one that is also a word or a place ("Mark", "Sydney")
            ns, ne = spans[k + 1]
            word = text[ns:ne]
            if text[e:ns] != " ":
                continue
            if word in ("Of", "From"):
                if self._particle_pair(text, spans, k):
                    particles.append(k)
                continue
            if not word[:1].isupper() or word[1:] != word[1:].lower() or len(word) < 3:
                continue
            key = word.lower()
            if key in _NOT_SURNAMES or key in _SAYING_VERBS or f"{fold(tok)} {key}" in self._known_pairs:
                continue  # "Travis County"; "Wang Said" (a name, or a verb); "Pearl Buck"
            if key in self._name_words:
                candidates.append(k)
        findings = [self._particle_finding(document, spans, k) for k in particles]
        if not candidates:
            return findings
        # Context, computed once per article: given names seen with a real surname.
        real_surname: dict[str, str] = {}
        for k in range(len(spans) - 1):
            s, e = spans[k]
            key = fold(text[s:e])
            if key in given and text[s:e][:1].isupper() and text[e : spans[k + 1][0]] == " ":
                nxt = text[spans[k + 1][0] : spans[k + 1][1]]
                if nxt[:1].isupper() and not nxt.isupper() and not self._is_word(nxt) and fold(nxt) not in given:
                    real_surname.setdefault(key, text[s : spans[k + 1][1]])
        for k in candidates:
            finding = self._word_surname_finding(document, spans, k, real_surname)
            if finding is not None:
                findings.append(finding)
        return findings

    @staticmethod
    def _particle_pair(text: str, spans: list[tuple[int, int]], k: int) -> bool:
        """Given name, capitalised "Of"/"From", capitalised surname, mid-sentence in running
        text ("Kevin Of Bruyne"): a name particle (de, van, von, di) translated as a word."""
        if k + 2 >= len(spans) or text[spans[k + 1][1] : spans[k + 2][0]] != " ":
            return False
        surname = text[spans[k + 2][0] : spans[k + 2][1]]
        if not surname[:1].isupper() or surname.isupper() or surname in ("The", "A", "An"):
            return False
        if k > 0 and text[spans[k - 1][1] : spans[k][0]] == " " and text[spans[k - 1][0]].isupper():
            return False  # inside a capitalised run: a title-case heading ("Jesus Of Nazareth")
        # Title-case headings: most words of the surrounding text must be lower-case.
        window = text[max(0, spans[k][0] - 120) : spans[k + 2][1] + 120]
        words = re.findall(r"[^\W\d_]+", window)
        return sum(w[0].islower() for w in words) >= 0.5 * len(words)

    def _particle_finding(self, document: Document, spans: list[tuple[int, int]], k: int) -> Finding:
        text = document.text
        start, end = spans[k][0], spans[k + 2][1]
        particle = text[spans[k + 1][0] : spans[k + 1][1]]
        return self.finding(
            document,
            start,
            end,
            rule="particle_as_word",
            message=(
                f"'{text[start:end]}' reads like a name whose particle (de, di, da, van, von) was "
                f"translated as the English word '{particle}', as machine translation does through "
                "Spanish, French, Portuguese, Italian, Dutch or German."
            ),
            score=0.7,
        )

    def _is_word(self, token: str) -> bool:
        """A common lower-case English word (that is not an English name) or a known rendering."""
        key = token.lower()
        return key in self._name_words or bool(self._generic_renderings.get(key))

    def _word_surname_finding(
        self, document: Document, spans: list[tuple[int, int]], k: int, real_surname: dict[str, str]
    ) -> Finding | None:
        text = document.text
        gs, ge = spans[k]
        ws, we = spans[k + 1]
        name, word = text[gs:ge], text[ws:we]
        # The pair must stand alone: not inside a longer capitalised run ("New Hope Church",
        # "Santa Maria Hospital"), not after an article ("the Christian Democrats").
        if k > 0:
            ps, pe = spans[k - 1]
            prev = text[ps:pe]
            sentence_start = re.search(r"[.!?:;\n\"\u201c(]\s*$", text[max(0, pe - 1) : gs]) is not None
            if text[pe:gs] in (" ", "\u00a0") and prev[:1].isupper() and fold(prev) not in _TITLES_BEFORE_NAME:
                return None
            if fold(prev) in _BEFORE_NAME_STOP and not sentence_start and text[pe:gs] == " ":
                return None
        if k + 2 < len(spans):
            ns, ne = spans[k + 2]
            gap = text[we:ns]
            nxt = text[ns:ne]
            if gap in (" ", "-") and nxt[:1].isupper():
                return None  # "Pablo Churches Foundation", "Maria Rock-Smith"
        renderings = self._generic_renderings.get(word.lower(), [])
        key = fold(name)
        titled = self._title_before(text, spans, k, _TITLES_BEFORE_NAME)
        after = text[we : we + 40]
        saying = _SAYING_AFTER.match(after) is not None
        elsewhere = real_surname.get(key)
        if elsewhere and fold(elsewhere) == fold(f"{name} {word}"):
            elsewhere = None
        if renderings:
            langs: list[str] = []
            foreign: list[str] = []
            for original, lang, _provenance in renderings:
                if lang not in langs:
                    langs.append(lang)
                if original.capitalize() not in foreign:
                    foreign.append(original.capitalize())
            lang_names = _join_or([_LANG_NAMES.get(x, x) for x in langs])
            message = (
                f"'{name} {word}' reads like a given name followed by a translated surname: "
                f"'{word}' is the English for {_join_or([repr(f) for f in foreign[:3]])}, "
                f"a common {lang_names} surname ({renderings[0][2]}); machine translation renders "
                "such surnames as words."
            )
            score = 0.65
            if titled or saying or elsewhere:
                score = 0.72
            return self.finding(
                document,
                gs,
                we,
                rule="translated_surname",
                message=message,
                score=score,
                suggestion=f"{name} {foreign[0]}",
                source_lang_hint=langs[0] if langs else None,
            )
        evidence = []
        if titled:
            evidence.append("a title comes before it")
        if saying:
            evidence.append("a verb of saying follows it")
        if elsewhere:
            evidence.append(f"the article also writes '{elsewhere}'")
        if not evidence and self.WORD_SURNAME_NEEDS_CONTEXT:
            return None
        message = (
            f"'{name} {word}' reads like a given name followed by an ordinary English word where the "
            f"surname belongs ({_join_and(evidence)}): machine translation renders surnames that are "
            "words in the pivot language as their English meaning."
        )
        return self.finding(
            document,
            gs,
            we,
            rule="word_as_surname",
            message=message,
            score=0.5 if len(evidence) == 1 else 0.55,
            suggestion=elsewhere,
        )

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
        if pattern.altered:
            parts += f" (and '{pattern.altered[0]}' cut to '{pattern.altered[1]}')"
        message = (
            f"'{document.text[m.start:m.end]}' looks like the name {pattern.suggestion} with "
            f"{parts}: a {lang_names} word inside the name was translated, which happens when "
            "a machine translates the name through that language."
        )
        if pattern.engine:
            message = (
                f"'{document.text[m.start:m.end]}' looks like the name {pattern.suggestion} with {parts}: "
                f"a machine translation through {lang_names} was seen doing exactly this ({pattern.engine})."
            )
        generated = [s.provenance for s in pattern.substitutions if s.provenance and not pattern.engine]
        if generated:
            message += f" Source of the rendering: {generated[0]}."
        score = 0.93
        if pattern.engine:
            score = 0.9
        elif pattern.surname_only:
            score = 0.85
        elif pattern.altered:
            # Two parts damaged: as telling as one, but a cut name part is a little less certain.
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
        if pattern.needs_usual:
            return pattern.person.canonical in usual_people
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


#: The generated tables in the form the recognizer loads (see ``compile_generated_tables``).
COMPILED_TABLES = "names_compiled.json"
#: Renderings kept per pivot surname: a few senses are enough, and variants stay few.
MAX_RENDERINGS_PER_SURNAME = 4


def load_compiled_tables() -> dict:
    """``names_compiled.json``: one C-speed parse instead of ~40,000 TSV rows at load."""
    import json

    return json.loads(resources.files("mtdetect.lexicons").joinpath(COMPILED_TABLES).read_text(encoding="utf-8"))


def compile_generated_tables() -> dict:
    """Compile the generated TSV lexicons into what ``_load`` needs (no folding, no filtering).

    Written to ``names_compiled.json`` by scripts/build_name_gazetteer.py; a test checks that
    the shipped file equals this function's output, so the TSVs stay the reviewable source.
    """
    homograph_keys = {fold(row["foreign"]) for row in load_lexicon("homographs")}
    public_rows = _read_rows("public_figures", ("canonical", "aliases", "surname", "region", "keys", "surname_key"))
    # Renderings are needed at load for the gazetteer's surname tokens only (the generic rule
    # has its own English-keyed index below).
    gazetteer_surnames = {t for row in load_lexicon("names") for x in row["surname"].split("|") for t in _quick_key(x)}
    gazetteer_surnames.update(t for row in public_rows for t in row[5].split())
    renderings: dict[str, list[list]] = {}
    generic: dict[str, list[list[str]]] = {}
    for foreign, key, english, lang, english_name, provenance in _read_rows(
        "name_renderings", ("foreign", "key", "english", "source_lang", "english_name", "provenance")
    ):
        if key in gazetteer_surnames:
            rows = renderings.setdefault(key, [])
            if len(rows) < MAX_RENDERINGS_PER_SURNAME:
                rows.append([foreign, english, lang, int(english_name == "yes"), provenance])
        if english_name != "yes" and " " not in english:
            entries = generic.setdefault(english, [])
            if [foreign, lang] not in [e[:2] for e in entries]:
                entries.append([foreign, lang, provenance])
    garbles = [list(r) for r in _read_rows("name_garbles", ("canonical", "garbled", "source_lang", "engine"))]
    garbled_people = {r[0] for r in garbles}
    public_people, public_keys, public_pairs = [], set(), set()
    for canonical, aliases, surname, region, keys, surname_key in public_rows:
        surname_keys = surname_key.split()
        if canonical in garbled_people or any(k in homograph_keys or k in renderings for k in surname_keys):
            public_people.append([canonical, aliases, surname, region])
        public_keys.add(surname_key)
        for key in keys.split("|"):
            public_keys.add(key)
            toks = key.split()
            public_pairs.update(f"{a} {b}" for a, b in zip(toks, toks[1:]))
    given: dict[str, int] = {}
    for key, word in _read_rows("given_names", ("key", "word")):
        # "Virginia" is a place even when "Virgínia" is not: any spelling that is a word counts.
        given[key] = max(given.get(key, 0), int(word == "yes"))
    return {
        "renderings": renderings,
        "generic": generic,
        "garbles": garbles,
        "public_people": public_people,
        "public_keys": sorted(public_keys),
        "public_pairs": sorted(public_pairs),
        "given": given,
        "words": _read_column("name_words"),
    }


def _read_rows(name: str, columns: tuple[str, ...]) -> list[tuple[str, ...]]:
    """``columns`` of a generated lexicon, row by row (a plain tab split: these tables are
    large and machine-written, so the csv module's generality only costs load time)."""
    text = resources.files("mtdetect.lexicons").joinpath(f"{name}.tsv").read_text(encoding="utf-8")
    lines = [ln for ln in text.split("\n") if ln and ln[0] != "#"]
    header = lines[0].split("\t")
    picks = [header.index(c) for c in columns]
    out = []
    for line in lines[1:]:
        cells = line.split("\t")
        out.append(tuple(cells[i] for i in picks))
    return out


def _read_column(name: str) -> list[str]:
    """The first column of a generated lexicon."""
    text = resources.files("mtdetect.lexicons").joinpath(f"{name}.tsv").read_text(encoding="utf-8")
    lines = [ln for ln in text.split("\n") if ln and ln[0] != "#"]
    return [ln.partition("\t")[0] for ln in lines[1:]]


def _quick_key(form: str) -> tuple[str, ...]:
    """Folded tokens of a name form."""
    return tuple(fold(t) for t in _TOKEN.findall(form))


def _altered_tails(vtoks: list[str], pattern: _Pattern) -> Iterator[tuple[list[str], _Pattern]]:
    """The variant with its final name part also losing a letter ("Choe his Hu" for Choe Son Hui).

    An engine that translated one part of a name often mangles the rare syllable after it as
    well. Only for variants that already carry a function-word garble and keep another part
    of the name intact (the caller checks), and only when the final part is capitalised, at
    least three letters long, and keeps its initial: the garble vouches for the name, the
    intact part anchors it.
    """
    last = vtoks[-1]
    if len(last) < 3 or not pattern.caps[-1]:
        return
    seen = {fold(last)}
    for i in range(1, len(last)):
        cut = last[:i] + last[i + 1 :]
        if fold(cut) in seen:
            continue
        seen.add(fold(cut))
        yield vtoks[:-1] + [cut], replace(pattern, altered=(last, cut))


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


def _join_and(items: list[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


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
