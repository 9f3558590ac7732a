"""Localised names: places, royals, popes and institutions left in the pivot language's form.

Every language has its own names for foreign places and famous people: Spanish writes
"Londres", "Pekín" and "el papa Francisco", Portuguese "Pequim" and "o príncipe Guilherme",
Italian "Varsavia" and "la regina Elisabetta II", Catalan "Brussel·les" and "el rei Carles III".
When a machine translation system (one way from such a source, or on the way back from a
pivot) does not recognise the name, it copies it, and the English text says "Prince
Guillermo visited Londres". Engines also leave the foreign title in front of an English name
("Reina Elizabeth II", "Príncep William") or translate a regnal numeral as a word ("Felipe
SAW": Spanish "vi" is "I saw").

Rules (lexicon ``localised_names.tsv``, built by ``scripts/build_localised_names.py`` from
CLDR (Babel) and Debian iso-codes country and city names plus hand-written lists of royals,
popes, historical figures and organisations):

``exonym`` (0.75; 0.6 when the row needs a preposition)  "Londres", "Pekín", "Estados Unidos".
``royal`` (0.8)  "Prince Guillermo", "the king Carlos III", "Elisabetta II".
``pope`` (0.85)  "Pope Francisco", "Benedicto XVI", "Juan Pablo II".
``historical`` (0.8)  "Cristóbal Colón", "Enrique VIII".
``organisation`` (0.7)  "OTAN", "Naciones Unidas".
``foreign_title`` (0.8; 0.6 for a title before a non-royal name)  "Reina Elizabeth II", "Papa
    Francisco", "Rey Felipe", "Príncep Manuel Valls".
``translated_numeral`` (0.75)  "Felipe SAW" (VI).

Each row has a gate, decided by the build script on English word frequencies and on the
human-written news of the shared data: ``none`` (the form is never English), ``prep`` (only
after a place preposition: "in Lisboa", not "the Grand Lisboa"), ``title`` (a given name only
after a royal or papal title: "Prince Guillermo", not "Guillermo del Toro"), ``name:m``,
``name:f``, ``name:p`` (a foreign title only before a male royal, female royal or papal name).
Whatever the gate, a form is skipped when it is part of a longer capitalised name ("Sporting
Lisboa", "Lisboa Hotel") or follows a word of the pivot language ("Universidad de Londres":
quoted or named in the original language).

German forms are not in the lexicon (German titles aside): the human translations from German
in the shared data keep them ("Kopenhagen", "Benedikt XVI") while no German MT output there does.

Measured (shared data, all 1,745 human-written documents, 30,853 sentences): no finding; with
the lexicon pruned on the train split only, none on the dev split either. Matching is one regex
pass over capitalised words and a dictionary look-up per word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from ..lexicons import load_lexicon, source_langs
from ..types import Document, Finding
from .base import Recognizer

# Language names for messages.
LANG_NAMES = {
    "es": "Spanish", "pt": "Portuguese", "it": "Italian", "fr": "French", "de": "German", "ca": "Catalan",
}

# A capitalised word (letters, digits, inner apostrophes, hyphens and the Catalan middle dot).
CAPITALISED_WORD = re.compile(r"[A-ZÀ-ÖØ-ÞĀ-Ž][\w'’·\-]*")
# Any word, for the word before or after a candidate.
# What may separate a word from the name after it, and what a word may contain besides
# letters and digits (see _word_before).
_SEPARATORS_BEFORE = frozenset(',;:("\u201c')
_WORD_EXTRA = frozenset("_'\u2019\u00b7-")
_WORD_AFTER = re.compile(r"[ \u00a0]+([\w'’·\-]+)")

# Words after which a place name is used as a place: "in Lisboa", "from Pekín".
PLACE_PREPOSITIONS = frozenset(
    """in to from at of near via into towards toward outside inside across around through throughout
    across between visit visited visiting visits reach reached leave left arrive arrived""".split()
)
# English titles that introduce a royal or papal given name ("Prince Guillermo").
ENGLISH_TITLES = frozenset(
    """king queen prince princess pope duke duchess emperor empress archduke archduchess saint st
    tsar czar tsarina infante infanta monarch""".split()
)
# Capitalised English words that may stand before a place name without making it part of a
# longer name ("The Haia", "In Londres").
_CAPITALISED_FUNCTION_WORDS = frozenset(
    """the in from to at of and for on by with via near after before between during outside inside
    across around through into like both unlike while when as since until but so also then now
    yesterday today tomorrow meanwhile later if""".split()
)
# Words of the pivot languages after which a name is quoted or part of a name in that language.
FOREIGN_FUNCTION_WORDS = frozenset(
    """de del da do dos das di della delle dei degli du des le la el los las les en em na nos nas
    nel nella al à au aux von vom zu zum zur der das und y et""".split()
)
# Words that close a longer name after a title + given name ("Rey Juan Carlos University").
_INSTITUTION_WORDS = frozenset(
    """university universidad hospital museum museo institute foundation college school park
    street avenue square station airport cup prize award bridge theatre theater palace""".split()
)

# English royal and papal given names, by gender, that may follow a foreign title
# ("Reina Elizabeth II"); the foreign forms of the lexicon are added at load time.
_ROYAL_MALE = frozenset(
    """Charles William Harry Henry Andrew Edward George Louis Philip Archie Felipe Juan Carlos Philippe
    Willem-Alexander Frederik Haakon Harald Carl Gustaf Albert Naruhito Abdullah Salman Mohammed
    Hussein Constantine Pavlos Leopold Baudouin Umberto Vittorio Emanuele Alfonso Fernando""".split()
)
_ROYAL_FEMALE = frozenset(
    """Elizabeth Catherine Kate Camilla Anne Charlotte Diana Meghan Eugenie Beatrice Victoria Letizia
    Leonor Sofía Sofia Máxima Mathilde Margrethe Mary Silvia Sonja Mette-Marit Masako Rania Astrid
    Madeleine Estelle Amalia Isabella Ingrid""".split()
)
_POPE_NAMES = frozenset(
    """Francis Benedict John Paul Leo Pius Gregory Clement Innocent Urban Juan Pablo Giovanni Paolo
    Jean-Paul João Paulo Joan Pau León Leone Léon Leão Lleó Pío Pio Pie""".split()
)
# Papal names that are ordinary given names need a numeral after a foreign title ("Papa John's").
_POPE_NEEDS_NUMERAL = frozenset("John Paul Leo Pius Gregory Clement Innocent Urban Juan Pablo Giovanni Paolo "
                                "Jean João Paulo Joan Pau León Leone Léon Leão Lleó Pío Pio Pie".split())
# Foreign titles that are neither English words nor names, so any capitalised name after them
# will do (the others, "Reina", "Rey", "Papa", "Pape", "Rei", also name people and businesses).
_UNAMBIGUOUS_TITLES = frozenset({"Príncep", "Rainha", "Principessa", "Prinzessin", "Königin", "Princesse", "Papst"})
# Sofía names a museum and a hospital in Madrid ("Reina Sofía"), Juan Carlos a university.
_TITLE_NAME_EXCEPTIONS = frozenset({("Reina", "Sofía"), ("Reina", "Sofia"), ("Rainha", "Sofia")})

_ROMAN_NUMERAL = re.compile(r"[ \u00a0](?=[IVXL])(L?X{0,3}(?:IX|IV|V?I{0,3}))\b(?![’'.-]\w)")
# Spanish "vi" (I saw) translated as a word where the regnal numeral VI stood.
_TRANSLATED_NUMERALS = {"SAW": ("VI", "es")}

_SCORES = {
    "exonym": 0.75,
    "royal": 0.8,
    "pope": 0.85,
    "historical": 0.8,
    "organisation": 0.7,
    "foreign_title": 0.8,
    "translated_numeral": 0.75,
}
_GATED_SCORE = 0.6


@dataclass(frozen=True, slots=True)
class LocalisedName:
    """One lexicon row."""

    foreign: str
    english: str
    category: str
    gate: str
    langs: tuple[str, ...]
    parts: tuple[str, ...]  # the form split at spaces

    def match_end(self, text: str, start: int) -> int | None:
        """End of this form when it occurs at ``start`` (spaces may vary), else None."""
        pos = start
        for i, part in enumerate(self.parts):
            if i:
                gap = pos
                while gap < len(text) and text[gap] in " \u00a0":
                    gap += 1
                if gap == pos:
                    return None
                pos = gap
            if not text.startswith(part, pos):
                return None
            pos += len(part)
        if pos < len(text):
            nxt = text[pos]
            if nxt.isalnum() or nxt in "_·-":
                return None
            if nxt in "'’" and text[pos + 1:pos + 2].isalpha():
                # "OTAN's" is the form with a possessive; "Londres'x" is another word.
                if text[pos + 1] != "s" or text[pos + 2:pos + 3].isalnum():
                    return None
        return pos


def langs_phrase(langs: tuple[str, ...] | list[str]) -> str:
    """'Spanish, French or Catalan'."""
    names = [LANG_NAMES.get(x, x) for x in langs]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def first_word(form: str) -> str:
    """The capitalised word a form starts with (its look-up key)."""
    m = CAPITALISED_WORD.match(form)
    return m.group() if m else form.split()[0]


class LocalisedNameRecognizer(Recognizer):
    """Exonyms, royals, popes and titles in the pivot language's form ("Londres", "Pope Francisco")."""

    name: ClassVar[str] = "localised_names"
    kind: ClassVar[str] = "localised_name"
    version: ClassVar[str] = "1.0"
    description: ClassVar[str] = (
        "Names left in the pivot language's form: places ('Londres', 'Pekín', 'Estados Unidos'), "
        "royals and popes ('Prince Guillermo', 'Pope Francisco', 'Benedicto XVI'), foreign "
        "titles ('Reina Elizabeth II'), organisations ('OTAN')."
    )

    def __init__(self, rows: tuple[dict[str, str], ...] | None = None) -> None:
        """``rows`` replaces the shipped lexicon (for the build script and tests)."""
        super().__init__()
        self.rows = rows

    def _load(self) -> None:
        by_word: dict[str, list[LocalisedName]] = {}
        male, female, pope = set(_ROYAL_MALE), set(_ROYAL_FEMALE), set(_POPE_NAMES)
        self._given: dict[str, LocalisedName] = {}
        self._people: dict[str, LocalisedName] = {}
        for row in self.rows if self.rows is not None else load_lexicon("localised_names"):
            entry = LocalisedName(
                foreign=row["foreign"], english=row["english"], category=row["category"],
                gate=row["gate"], langs=source_langs(row), parts=tuple(row["foreign"].split()),
            )
            by_word.setdefault(first_word(entry.foreign), []).append(entry)
            if entry.category in ("royal", "pope"):
                self._people[entry.foreign] = entry
            if entry.category in ("royal", "pope") and " " not in entry.foreign:
                self._given[entry.foreign] = entry
                english = entry.english.split()[0]
                if entry.category == "pope":
                    pope.add(entry.foreign)
                elif english in _ROYAL_FEMALE:
                    female.add(entry.foreign)
                else:
                    male.add(entry.foreign)
        # Longest form first, so that "Estados Unidos de América" wins over "Estados Unidos".
        self._by_word = {w: sorted(es, key=lambda e: -len(e.foreign)) for w, es in by_word.items()}
        self._names = {"name:m": frozenset(male), "name:f": frozenset(female), "name:p": frozenset(pope)}
        self._royal_any = frozenset(male | female | pope)

    # -- context ------------------------------------------------------------------------
    @staticmethod
    def _word_before(text: str, start: int) -> tuple[str, int]:
        """The word before ``start`` and its start offset ("" and -1 at the start of the text)."""
        # a backward scan, not a "$"-anchored regex search (quadratic on long runs)
        lo, i = max(0, start - 40), start
        while i > lo and (text[i - 1].isspace() or text[i - 1] in _SEPARATORS_BEFORE):
            i -= 1
        end = i
        while i > lo and (text[i - 1].isalnum() or text[i - 1] in _WORD_EXTRA):
            i -= 1
        return (text[i:end], i) if i < end else ("", -1)

    @staticmethod
    def _word_after(text: str, end: int) -> str:
        m = _WORD_AFTER.match(text, end)
        return m.group(1) if m else ""

    def _inside_longer_name(self, text: str, start: int, end: int) -> bool:
        """'Sporting Lisboa', 'Lisboa Hotel': the form is part of a longer capitalised name."""
        prev, prev_start = self._word_before(text, start)
        # A capitalised word right before, even at the start of a sentence or quotation
        # ("Piazza Martin Lutero"), unless it is a function word ("In Londres", "The Haia").
        if prev and prev[0].isupper() and text[prev_start + len(prev):start].strip() == "" \
                and prev.lower() not in _CAPITALISED_FUNCTION_WORDS:
            return True
        after = text[end:end + 2]
        return len(after) == 2 and after[0] == " " and after[1].isupper()

    # -- driver -------------------------------------------------------------------------
    def _analyze(self, document: Document) -> list[Finding]:
        text = document.text
        by_word = self._by_word
        out: list[Finding] = []
        last_end = 0
        for m in CAPITALISED_WORD.finditer(text):
            s = m.start()
            if s < last_end or (s and (text[s - 1].isalnum() or text[s - 1] in "_'’·-")):
                continue
            word = m.group().rstrip("'’-·")
            if word in self._royal_any:
                numeral = self._translated_numeral(document, word, s, s + len(word))
                if numeral is not None:
                    out.append(numeral)
                    last_end = numeral.end
                    continue
            entries = by_word.get(word)
            if entries is None and (word.endswith("'s") or word.endswith("’s")):
                entries = by_word.get(word[:-2])
            if entries is None:
                continue
            for entry in entries:
                end = entry.match_end(text, s)
                if end is None:
                    continue
                finding = self._validate(document, entry, s, end)
                if finding is not None:
                    out.append(finding)
                    last_end = finding.end
                    break
        return out

    def _validate(self, document: Document, entry: LocalisedName, start: int, end: int) -> Finding | None:
        text = document.text
        prev, _ = self._word_before(text, start)
        if prev.lower() in FOREIGN_FUNCTION_WORDS:
            return None  # "Universidad de Londres", "Lana Del Rey": named in the original language
        gate = entry.gate
        if gate.startswith("name:"):
            return self._foreign_title(document, entry, start, end)
        if prev.lower() not in ENGLISH_TITLES and self._inside_longer_name(text, start, end):
            return None  # "Piazza Martin Lutero", "Sporting Lisboa", "Carlos III University"
        if gate == "prep" and prev.lower() not in PLACE_PREPOSITIONS:
            return None
        if gate == "title" and prev.lower() not in ENGLISH_TITLES:
            return None
        suggestion = entry.english
        rule = entry.category
        if entry.category in ("royal", "pope") and " " not in entry.foreign:
            end, suggestion = self._numeral(text, end, suggestion)
        score = _GATED_SCORE if gate == "prep" else _SCORES[rule]
        return self.finding(
            document, start, end, rule=rule, message=self._message(entry), score=score,
            suggestion=suggestion, source_lang_hint=entry.langs[0] if entry.langs else None,
        )

    def _translated_numeral(self, document: Document, word: str, start: int, end: int) -> Finding | None:
        """'Felipe SAW': a regnal numeral translated as a word of the pivot language."""
        text = document.text
        m = _WORD_AFTER.match(text, end)
        if m is None or m.group(1) not in _TRANSLATED_NUMERALS:
            return None
        numeral, lang = _TRANSLATED_NUMERALS[m.group(1)]
        english = self._given[word].english if word in self._given else word
        return self.finding(
            document, start, m.end(1), rule="translated_numeral",
            message=(f"The regnal numeral {numeral} was read as a {LANG_NAMES[lang]} word and translated "
                     f"('{m.group(1)}'): a round trip through {LANG_NAMES[lang]} machine translation."),
            score=_SCORES["translated_numeral"], suggestion=f"{english} {numeral}", source_lang_hint=lang,
        )

    @staticmethod
    def _numeral(text: str, end: int, suggestion: str) -> tuple[int, str]:
        """Extend a given name over a following regnal numeral ("Guillermo V")."""
        m = _ROMAN_NUMERAL.match(text, end)
        if m is not None and m.group(1):
            return m.end(), f"{suggestion} {m.group(1)}"
        return end, suggestion

    def _foreign_title(self, document: Document, entry: LocalisedName, start: int, end: int) -> Finding | None:
        """A foreign title before a royal or papal name: "Reina Elizabeth II", "Papa Francisco"."""
        text = document.text
        names = self._names[entry.gate]
        m = _WORD_AFTER.match(text, end)
        if m is None:
            return None
        name = m.group(1).rstrip("'’-")
        name_end = m.start(1) + len(name)
        if name not in names and entry.foreign in _UNAMBIGUOUS_TITLES and name[:1].isupper():
            # "Príncep Manuel Valls": a title that is no English word or name, before any name.
            return self.finding(
                document, start, end, rule="foreign_title",
                message=(f"'{entry.foreign}' is the {langs_phrase(entry.langs)} word for "
                         f"'{entry.english}', left untranslated before a name."),
                score=_GATED_SCORE, suggestion=entry.english,
                source_lang_hint=entry.langs[0] if entry.langs else None,
            )
        if name not in names or (entry.foreign, name) in _TITLE_NAME_EXCEPTIONS:
            return None
        # Two-word names ("Juan Carlos", "Juan Pablo", "John Paul").
        m2 = _WORD_AFTER.match(text, name_end)
        if m2 is not None and m2.group(1) in names and m2.group(1)[0].isupper():
            name_end = m2.start(1) + len(m2.group(1))
        numeral = _ROMAN_NUMERAL.match(text, name_end)
        has_numeral = numeral is not None and bool(numeral.group(1))
        translated = _WORD_AFTER.match(text, name_end)
        if not has_numeral and translated is not None and translated.group(1) in _TRANSLATED_NUMERALS:
            numeral, has_numeral = translated, True
        if entry.gate == "name:p" and name in _POPE_NEEDS_NUMERAL and not has_numeral:
            return None
        if has_numeral:
            name_end = numeral.end(1)
        after = self._word_after(text, name_end)
        if text[name_end:name_end + 2] in ("'s", "’s") or after.lower() in _INSTITUTION_WORDS:
            return None
        person = text[m.start(1):name_end]
        english_person = self._english_person(person)
        return self.finding(
            document, start, name_end, rule="foreign_title",
            message=(f"'{entry.foreign}' is the {langs_phrase(entry.langs)} word for '{entry.english}': "
                     "the title was left untranslated, as machine translation does when it takes the "
                     "title for part of the name."),
            score=_SCORES["foreign_title"], suggestion=f"{entry.english} {english_person}",
            source_lang_hint=entry.langs[0] if entry.langs else None,
        )

    def _english_person(self, person: str) -> str:
        """English form of a royal/papal name as written after a title ("Guillermo V" -> "William V")."""
        words = person.split()
        if words and words[-1] in _TRANSLATED_NUMERALS:
            words[-1] = _TRANSLATED_NUMERALS[words[-1]][0]
        whole = self._people.get(" ".join(words))
        if whole is not None:
            return whole.english  # "Juan Pablo II" -> "John Paul II"
        first = self._given.get(words[0]) if words else None
        if first is not None:
            words[0] = first.english
        return " ".join(words)

    @staticmethod
    def _message(entry: LocalisedName) -> str:
        langs = langs_phrase(entry.langs)
        if entry.category == "exonym":
            return (f"'{entry.foreign}' is the {langs} name of {entry.english}. English news writes "
                    f"'{entry.english}'; a place name left in another language's form is typical of "
                    "machine translation from (or through) that language.")
        if entry.category == "organisation":
            return (f"'{entry.foreign}' is the {langs} name of the {entry.english}; English writes "
                    f"'{entry.english}'. Machine translation leaves such names as they were.")
        what = {"royal": "royal", "pope": "pope", "historical": "historical figure"}.get(entry.category, "person")
        return (f"'{entry.foreign}' is the {langs} form of the {what} known in English as "
                f"'{entry.english}'. Machine translation copies such names instead of using the "
                "English form.")
