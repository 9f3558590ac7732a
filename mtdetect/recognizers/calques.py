"""Literal calques: word-for-word renderings that betray machine translation.

Syndicated English news is often translated into French or German and machine-translated
back; news written in other languages is machine-translated into English. Either way the
English keeps the source language's words: French "sommet du G20" comes back as "the top
of the G20", Chinese "新冠" as "new crown", German "Migrationshintergrund" as "migration
background".

Each row of ``lexicons/calques.tsv`` is one such calque: a regex pattern (with slots for
nationality and organisation lists defined here), an optional *context* regex that must
also match in the same sentence and an optional *anti* regex that vetoes the finding (the
high-recall pattern + validation step of presidio). Patterns are matched sentence by
sentence, so context never leaks across sentences and offsets stay exact.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from typing import Any

from ..lexicons import load_lexicon, source_langs
from ..types import Document, Finding
from .base import Recognizer
from .prefilter import Prefilter, fold, prefilter_for

# --- slots ---------------------------------------------------------------------------------
# Nationality adjectives (and a few country names used attributively). Multi-word and dotted
# forms come first so that the alternation prefers the longer reading.
_NATIONALITIES = (
    "North Korean", "South Korean", "South African", "Saudi Arabian", "New Zealand", "U.S.", "US",
    "American", "Russian", "Chinese", "French", "German", "British", "Iranian", "Turkish", "Israeli",
    "Palestinian", "Ukrainian", "Syrian", "Egyptian", "Algerian", "Moroccan", "Tunisian", "Malian",
    "Japanese", "Korean", "Indian", "Italian", "Spanish", "Portuguese", "Brazilian", "Venezuelan",
    "Belarusian", "Polish", "Hungarian", "Saudi", "Qatari", "Emirati", "Lebanese", "Iraqi",
    "Afghan", "Pakistani", "Libyan", "Nigerian", "Senegalese", "Ivorian", "Congolese",
    "Cameroonian", "Mexican", "Argentine", "Argentinian", "Colombian", "Cuban", "Canadian",
    "European", "Belgian", "Swiss", "Dutch", "Austrian", "Greek", "Serbian", "Georgian",
    "Armenian", "Azerbaijani", "Kazakh", "Vietnamese", "Thai", "Filipino", "Indonesian",
    "Malaysian", "Australian", "Jordanian", "Sudanese", "Ethiopian", "Kenyan", "Chilean",
    "Peruvian", "Bolivian", "Nicaraguan", "Haitian", "Malagasy", "Burkinabe", "Nigerien",
    "Chadian", "Gabonese", "Rwandan", "Swedish", "Norwegian", "Danish", "Finnish", "Irish",
    "Czech", "Slovak", "Romanian", "Bulgarian", "Croatian", "Slovenian", "Estonian", "Latvian",
    "Lithuanian", "Moldovan", "Uzbek", "Kyrgyz", "Tajik", "Turkmen", "Mongolian", "Taiwanese",
)
# Bodies whose meetings French calls "sommet": with "the top of the ..." these leave no
# hierarchical reading ("at the top of the EU" is ordinary English, so EU/UN are not here).
_SUMMIT_BODIES = (
    "Shanghai Cooperation Organi[sz]ation", "SCO", "NATO", "Atlantic Alliance", "G-?7", "G-?8",
    "G-?20", "Group of (?:Seven|Eight|Twenty|20|7)", "BRICS", "APEC", "ASEAN", "African Union",
    "Arab League", "League of Arab States", "Francophonie", "Organi[sz]ation of American States",
    "OAS", "Mercosur", "ECOWAS", "CELAC", "Quad", "Union for the Mediterranean",
    "Eastern Partnership", "Commonwealth", "OSCE", "Organi[sz]ation of Islamic Cooperation",
    "Gulf Cooperation Council", "GCC", "Community of Sahel-Saharan States", "G5 Sahel",
)
# Bodies that may precede "top" as a noun ("the NATO top", "the EU-China top"); the rule's
# right-hand gate keeps "EU top diplomat" and "NATO top brass" out.
_BLOCS = (
    r"(?:EU|UN|NATO|G-?7|G-?8|G-?20|SCO|BRICS|APEC|ASEAN|AU|OSCE|CELAC|ECOWAS|GCC|OPEC|COP ?\d+)"
    r"(?:-[A-Z][A-Za-z]+)?",
)
# Adjective forms that build "Franco-German"-like pairs.
_NAT_ADJ = (
    "German", "French", "Russian", "Chinese", "American", "British", "Italian", "Spanish",
    "Polish", "Indian", "Turkish", "Japanese", "Belgian", "Algerian", "Moroccan", "US",
)


def _alternation(items: tuple[str, ...], *, escape: bool) -> str:
    """A non-capturing alternation of ``items``; spaces match any whitespace run."""
    parts = [re.escape(x).replace(r"\ ", r"\s+") if escape else x.replace(" ", r"\s+") for x in items]
    return "(?:" + "|".join(parts) + ")"


SLOTS: dict[str, str] = {
    "NAT": _alternation(_NATIONALITIES, escape=True),
    "SUMMIT_BODY": _alternation(_SUMMIT_BODIES, escape=False),
    "BLOC": _alternation(_BLOCS, escape=False),
    "NAT_ADJ": _alternation(_NAT_ADJ, escape=True),
}


class _Template(string.Formatter):
    """``str.format`` for messages: unknown or unmatched fields render as empty strings."""

    def get_value(self, key: Any, args: Any, kwargs: Any) -> Any:
        value = kwargs.get(key) if isinstance(key, str) else None
        return "" if value is None else value


_TEMPLATE = _Template()


def expand_slots(pattern: str) -> str:
    """Replace ``{SLOT}`` placeholders in a lexicon pattern by their alternations.

    Only upper-case names are slots, so regex quantifiers such as ``{0,2}`` pass through.
    """
    def repl(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in SLOTS:
            raise ValueError(f"unknown slot {{{name}}} in calque pattern")
        return SLOTS[name]

    return re.sub(r"\{([A-Z_]+)\}", repl, pattern)


@dataclass(frozen=True, slots=True)
class CalqueRule:
    """One compiled lexicon row."""

    rule: str
    pattern: re.Pattern[str]
    context: re.Pattern[str] | None
    anti: re.Pattern[str] | None
    suggestion: str
    source_lang: str
    score: float
    message: str
    example: str
    # Literals that the pattern and the context cannot match without (see prefilter.py).
    needs: tuple[Prefilter, ...] = ()

    def admits(self, folded: str) -> bool:
        """False when the case-folded text cannot contain a finding of this rule."""
        for prefilter in self.needs:
            if not prefilter.admits(folded):
                return False
        return True

    @classmethod
    def from_row(cls, row: dict[str, str]) -> "CalqueRule":
        """Compile a row of ``calques.tsv``."""
        flags = re.IGNORECASE if "i" in row["flags"] else 0

        def compile_(text: str) -> re.Pattern[str] | None:
            # Context and anti gates are word lists: always case-insensitive.
            return re.compile(expand_slots(text), re.IGNORECASE) if text else None

        langs = source_langs(row)
        pattern, context = re.compile(expand_slots(row["pattern"]), flags), compile_(row["context"])
        needs = tuple(p for p in (prefilter_for(pattern), context and prefilter_for(context)) if p)
        return cls(
            rule=row["rule"],
            pattern=pattern,
            context=context,
            needs=needs,
            anti=compile_(row["anti"]),
            suggestion=row["suggestion"],
            source_lang=langs[0] if langs else "",
            score=float(row["score"]),
            message=row["message"],
            example=row["example"],
        )


class CalqueRecognizer(Recognizer):
    """Flags word-for-word renderings of foreign phrases (French "sommet" -> "top", ...)."""

    name = "calques"
    kind = "calque"
    version = "1.0"
    description = "Literal calques of French, German, Russian, Chinese and Japanese phrases (e.g. 'the G20 top')."

    def __init__(self) -> None:
        super().__init__()
        self.rules_: tuple[CalqueRule, ...] = ()

    def _load(self) -> None:
        self.rules_ = tuple(CalqueRule.from_row(row) for row in load_lexicon("calques"))

    def _analyze(self, document: Document) -> list[Finding]:
        # Literal prefilters first: over the article, then per sentence, so that a rule's
        # regexes run only on sentences that contain the words it cannot match without.
        folded_article = fold(document.text)
        rules = [rule for rule in self.rules_ if rule.admits(folded_article)]
        candidates: list[Finding] = []
        if not rules:
            return candidates
        for sentence in document.sentences:
            text = sentence.text
            folded = fold(text)
            for rule in rules:
                if not rule.admits(folded):
                    continue
                if rule.context is not None and rule.context.search(text) is None:
                    continue
                vetoed: bool | None = None  # evaluated lazily, at most once per sentence
                for m in rule.pattern.finditer(text):
                    if vetoed is None:
                        vetoed = rule.anti is not None and rule.anti.search(text) is not None
                    if vetoed:
                        break
                    candidates.append(self._finding(document, sentence.start, rule, m))
        return _drop_overlaps(candidates)

    def _finding(self, document: Document, offset: int, rule: CalqueRule, m: re.Match[str]) -> Finding:
        """Turn a match into a Finding; a ``hit`` group narrows the reported span."""
        groups = {k: v for k, v in m.groupdict().items() if v is not None}
        start, end = m.span("hit") if "hit" in groups else m.span()
        fields = {**groups, "match": m.group(0)}
        return self.finding(
            document,
            offset + start,
            offset + end,
            rule=rule.rule,
            message=_TEMPLATE.format(rule.message, **fields),
            score=rule.score,
            # An unmatched optional group leaves a double or edge space behind: tidy it.
            suggestion=" ".join(_TEMPLATE.format(rule.suggestion, **fields).split()) or None,
            source_lang_hint=rule.source_lang or None,
        )


def _drop_overlaps(findings: list[Finding]) -> list[Finding]:
    """Keep the strongest of overlapping findings (score, then length), so one phrase counts once."""
    kept: list[Finding] = []
    for f in sorted(findings, key=lambda f: (-f.score, -(f.end - f.start), f.start)):
        if not any(f.span.overlaps(k.span) for k in kept):
            kept.append(f)
    return kept
