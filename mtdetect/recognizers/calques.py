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

import json
import re
import string
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
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


_WORD_RUN = re.compile(r"\w+")
# A character no text contains: stands for \b when word-level literals are derived.
_BOUNDARY = "\x01"
# \b, and whitespace that cannot be empty (\s, \s+), all mark where a word starts or ends.
_WORD_BOUNDARY = re.compile(r"(?<!\\)((?:\\\\)*)(?:\\b|\\s\+|\\s(?![*?+{]))")
_KEY = 4  # length of the word prefixes and suffixes an article index keeps


# Optional parts written as alternatives with an empty branch ("s?" -> "(?:s|)", "(...)?" ->
# "(...|)"): the same strings, but the prefilter can then join them with their neighbours.
_OPTIONAL_LETTER = re.compile(r"(?<![\\\[])([A-Za-z' -])\?(?![?+])")
_OPTIONAL_GROUP = re.compile(r"(?<!\\)\)\?(?![?+])")


def _without_optionals(text: str) -> str:
    return _OPTIONAL_GROUP.sub("|)", _OPTIONAL_LETTER.sub(r"(?:\1|)", text))


def _bounded_pattern(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    r"""``pattern`` with every ``\b`` and ``\s+`` replaced by a literal sentinel, for deriving
    word-level literals only (the sentinel is never matched against text)."""
    try:
        text = _WORD_BOUNDARY.sub(lambda m: m.group(1) + _BOUNDARY, pattern.pattern)
        text = _without_optionals(text)
        return re.compile(text, pattern.flags)
    except re.error:  # pragma: no cover - a \b inside a class would not survive; then no word checks
        return None


def _word_keys(literal: str) -> frozenset[str] | None:
    """Keys that any text containing ``literal`` has among its :class:`ArticleIndex` keys.

    A word run of the literal next to a non-word character (a space, a hyphen, or the sentinel
    for ``\b``) starts or ends a word of the text: whole on both sides it is a word of the text;
    open on the right it begins one (key: its first four letters + "\x02"); open on the left it
    ends one (its last four letters + "\x03"). None when the literal gives no such key.
    """
    keys = set()
    for m in _WORD_RUN.finditer(literal):
        run, left, right = m.group(), m.start() > 0, m.end() < len(literal)
        if left and right:
            keys.add(run)
        elif left and len(run) >= _KEY:
            keys.add(run[:_KEY] + "\x02")
        elif right and len(run) >= _KEY:
            keys.add(run[-_KEY:] + "\x03")
    return frozenset(keys) or None


# Words nearly every article has: a poor quick test.
_COMMON = frozenset(
    "a an and are as at be by for from had has have he her his in is it its of on or she that the their "
    "they this to was were who with".split()
)


def _rarest(keys: frozenset[str]) -> str:
    """The key least likely to be in an article: not a common word, then the longest."""
    return max(keys, key=lambda k: (k not in _COMMON, min(len(k), _KEY + 1), len(k)))


# A group: the keys one of which the article must have (one per literal: a quick test), and per
# literal all its keys (the exact test when the quick one passes).
WordGroup = tuple[frozenset[str], tuple[frozenset[str], ...]]


def _derive(pattern: re.Pattern[str]) -> tuple[Prefilter | None, tuple[WordGroup, ...]]:
    """Both prefilters of ``pattern`` from one derivation over its bounded form.

    The literal prefilter keeps, of each derived literal, its longest stretch between sentinels
    (text that every match contains verbatim); the word groups keep the word keys of each
    literal. A group with a literal that gives nothing usable is dropped: it admits everything.
    """
    bounded = _bounded_pattern(pattern)
    pf = bounded is not None and prefilter_for(bounded)
    if not pf:
        return prefilter_for(pattern), ()
    literal_groups: list[tuple[str, ...]] = []
    word_groups: list[WordGroup] = []
    for group in pf.groups:
        pieces = [max(literal.split(_BOUNDARY), key=len) for literal in group]
        if all(len(piece) >= 2 for piece in pieces):
            literal_groups.append(tuple(sorted(set(pieces))))
        keys = [_word_keys(literal) for literal in group]
        if keys and all(k is not None for k in keys):
            keyed = tuple(dict.fromkeys(keys))  # type: ignore[arg-type]
            word_groups.append((frozenset(_rarest(k) for k in keyed), keyed))
    return (Prefilter(tuple(literal_groups)) if literal_groups else None), tuple(word_groups)


class ArticleIndex:
    """The words of a folded article, with their first and last four letters: enough to rule
    out, by set look-ups alone, the rules whose words the article lacks."""

    __slots__ = ("folded", "keys")

    def __init__(self, folded: str) -> None:
        self.folded = folded
        words = set(_WORD_RUN.findall(folded))
        long_words = [w for w in words if len(w) >= _KEY]
        words.update([w[:_KEY] + "\x02" for w in long_words])
        words.update([w[-_KEY:] + "\x03" for w in long_words])
        self.keys = words

    def passes(self, group: WordGroup) -> bool:
        """True when the article has all the word keys of one of the group's literals."""
        keys = self.keys
        if group[0].isdisjoint(keys):
            return False
        for literal in group[1]:
            if literal <= keys:
                return True
        return False


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
    # Word-level groups for the article-level test (see ArticleIndex); derived in __post_init__
    # from the same patterns, and dropped with ``needs`` (``dataclasses.replace(rule, needs=())``).
    word_groups: tuple["WordGroup", ...] = field(default=(), repr=False, compare=False)
    article_groups: tuple[tuple[str, ...], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.needs:  # no prefilter (``dataclasses.replace(rule, needs=())``): no word test either
            object.__setattr__(self, "word_groups", ())
        # For the article-level scan: the groups with the fewest literals first (a group that
        # fails stops the scan; the cheap ones are tried before the long alternations).
        groups = sorted((g for pf in self.needs for g in pf.groups), key=len)
        object.__setattr__(self, "article_groups", tuple(groups))

    def admits(self, folded: str) -> bool:
        """False when the case-folded text cannot contain a finding of this rule."""
        for prefilter in self.needs:
            if not prefilter.admits(folded):
                return False
        return True

    def admits_article(self, index: ArticleIndex) -> bool:
        """:meth:`admits` over a whole article: first the word look-ups, which rule out most
        rules at the cost of a few set tests, then the literal scans for the rules left."""
        for group in self.word_groups:
            if not index.passes(group):
                return False
        folded = index.folded
        for literals in self.article_groups:
            for literal in literals:
                if literal in folded:
                    break
            else:
                return False
        return True

    @classmethod
    def from_row(cls, row: dict[str, str], derived: list | None = None) -> "CalqueRule":
        """Compile a row of ``calques.tsv``; ``derived``: its prefilters from the cache
        (:func:`derived_prefilters`), else derived here from the patterns."""
        flags = re.IGNORECASE if "i" in row["flags"] else 0

        def compile_(text: str) -> re.Pattern[str] | None:
            # Context and anti gates are word lists: always case-insensitive.
            return re.compile(expand_slots(text), re.IGNORECASE) if text else None

        langs = source_langs(row)
        pattern, context = re.compile(expand_slots(row["pattern"]), flags), compile_(row["context"])
        if derived is None:
            derived = [_derive(p) for p in (pattern, context) if p is not None]
        return cls(
            rule=row["rule"],
            pattern=pattern,
            context=context,
            needs=tuple(pf for pf, _ in derived if pf),
            word_groups=tuple(g for _, groups in derived for g in groups),
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
    version = "2.0"
    description = (
        "Literal calques of Spanish, Catalan, Portuguese, Italian, French, German, Russian, Turkish, Chinese and "
        "Japanese phrases (e.g. 'the G20 top', 'the holder of Treasury', 'a net benefit of')."
    )

    def __init__(self) -> None:
        super().__init__()
        self.rules_: tuple[CalqueRule, ...] = ()
        # rules_, then the first-group key -> rule positions index built from it (lazily).
        self._by_key: tuple[Any, ...] | None = None

    def _load(self) -> None:
        rows = load_lexicon("calques")
        cached = _cached_derivations()
        self.rules_ = tuple(CalqueRule.from_row(row, cached.get(row["rule"]) if cached else None) for row in rows)

    def _candidates(self, index: ArticleIndex) -> list[CalqueRule]:
        """The rules whose first word group the article passes (found through the keys the
        article has, not rule by rule), then those that pass :meth:`CalqueRule.admits_article`."""
        rules = self.rules_
        if self._by_key is None or self._by_key[0] is not rules:  # (re)built when rules_ changes
            by_key: dict[str, list[int]] = {}
            always = []
            for i, rule in enumerate(rules):
                if rule.word_groups:
                    for key in rule.word_groups[0][0]:
                        by_key.setdefault(key, []).append(i)
                else:
                    always.append(i)
            self._by_key = (rules, by_key, frozenset(by_key), tuple(always))
        _, by_key, keys, always = self._by_key
        hit = set(always)
        for key in keys & index.keys:
            hit.update(by_key[key])
        return [rules[i] for i in sorted(hit) if rules[i].admits_article(index)]

    def _analyze(self, document: Document) -> list[Finding]:
        # Literal prefilters first: over the article, then per sentence, so that a rule's
        # regexes run only on sentences that contain the words it cannot match without.
        rules = self._candidates(ArticleIndex(fold(document.text)))
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


# ----------------------------------------------------------------- derived prefilter cache
#
# Deriving the prefilters parses every pattern with the regex parser: about three quarters of
# the recognizer's load time with 300 rules. The derivations are stored in package data,
# keyed by a hash of the lexicon and of the code that derives them; a stale or missing file
# is ignored (the prefilters are derived at load, correct but slower), and a test fails until
# the file is regenerated: python -m mtdetect.recognizers.calques

DERIVATIONS_FILE = "calques_prefilters.json"


def derivation_key() -> str:
    """What the cached derivations depend on: the lexicon, the slots and this code."""
    import hashlib
    from importlib import resources

    from . import prefilter

    h = hashlib.sha256()
    h.update(resources.files("mtdetect.lexicons").joinpath("calques.tsv").read_bytes())
    h.update(repr(sorted(SLOTS.items())).encode())
    for module in (prefilter, sys.modules[__name__]):
        h.update(Path(module.__file__).read_bytes())
    return h.hexdigest()


def derived_prefilters() -> dict[str, list]:
    """Per rule: [(prefilter groups or None, word groups)] for its pattern and context."""
    out = {}
    for row in load_lexicon("calques"):
        flags = re.IGNORECASE if "i" in row["flags"] else 0
        patterns = [re.compile(expand_slots(row["pattern"]), flags)]
        if row["context"]:
            patterns.append(re.compile(expand_slots(row["context"]), re.IGNORECASE))
        out[row["rule"]] = [
            [None if pf is None else [list(g) for g in pf.groups],
             [[sorted(first), [sorted(lit) for lit in lits]] for first, lits in groups]]
            for pf, groups in (_derive(p) for p in patterns)
        ]
    return out


def _from_json(entries: list) -> list:
    return [
        (None if pf is None else Prefilter(tuple(tuple(g) for g in pf)),
         tuple((frozenset(first), tuple(frozenset(lit) for lit in lits)) for first, lits in groups))
        for pf, groups in entries
    ]


@lru_cache(maxsize=1)
def _cached_derivations() -> dict[str, list] | None:
    from importlib import resources

    try:
        data = json.loads(resources.files("mtdetect.lexicons").joinpath(DERIVATIONS_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if data.get("key") != derivation_key():
        return None
    return {rule: _from_json(entries) for rule, entries in data["rules"].items()}


def write_derivations() -> Path:
    """Regenerate the cache file beside the lexicon."""
    from importlib import resources

    path = Path(str(resources.files("mtdetect.lexicons").joinpath(DERIVATIONS_FILE)))
    path.write_text(json.dumps({"key": derivation_key(), "rules": derived_prefilters()}, sort_keys=True) + "\n",
                    encoding="utf-8")
    return path


if __name__ == "__main__":
    print(write_derivations())
