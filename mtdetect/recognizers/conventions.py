"""Number, date and time conventions of a pivot language left in English prose.

Continental European languages write "3,5 %" where English writes "3.5%", "1.500 personas"
where English writes "1,500 people", "a las 17.30 horas" or "à 14h30" where English writes
"at 5:30 p.m.", "el 3 de mayo de 2023" where English writes "May 3, 2023", "1.º" where
English writes "1st" and "el siglo XXI" where English writes "the 21st century". Machine
translation (one way from such a source, or a round trip through such a pivot) copies the
figures verbatim and translates the words around them, leaving the foreign convention in
English prose: "growth of 2,4 percent", "the 17.30 hours", "the 3 of May", "the XXI century".

Rules (each one a rare literal pattern, validated by the words around it):

``decimal_comma`` (0.7)
    "3,5%", "2,4 percent", "1,5 million", "€2,75", "1.234,56": a comma before one or two
    digits, confirmed by a unit, a magnitude or a currency (lists "1,2,3", scores and
    table-tennis game scores "(12,5,4,4)" have none). English thousands ("1,500") have three
    digits after the comma and never match.
``thousands_dot`` (0.65)
    "12.000.000", "1.500 people", "2.000 euros": dots grouping thousands. One group alone
    ("1.500") is a decimal in English, so it needs a counted noun or a currency after it;
    two or more groups need no confirmation, except IP addresses.
``time_h`` (0.6)  "14h30", "at 14h": the French/Portuguese way of writing the time of day.
``time_hours`` (0.6)  "at the 17.30 hours", "17:30 horas": Spanish/Portuguese "a las 17.30 horas".
``ordinal_indicator`` (0.7)  "1º", "2.ª": the masculine/feminine ordinal indicators of
    Spanish, Portuguese, Italian and Galician. (The degree sign "°" is not one of them.)
``french_ordinal`` (0.6)  "1er January", "2e mai": French ordinal suffixes in a date ("the XXe
    century" is a ``roman_century`` with a French hint).
``roman_century`` (0.7)  "the XXI century", "the 21 century": Romance, Slavic and other
    languages number centuries with Roman numerals and no ordinal suffix.
``day_of_month`` (0.7)  "the 3 of May", "14 of October of 2023", "May 3 of 2023": Spanish,
    Portuguese, Italian and Catalan "el 3 de mayo de 2023" translated word for word.
``foreign_age`` (0.85)  "personade23años", "24añosOlympian": an English "N-year-old" that came
    back from Spanish/Catalan as an untranslated age glued to its neighbours.
``plural_magnitude`` (0.55)  "$75 millions", "1.82 millions": Spanish "75 millones".
``by_cent`` (0.75)  "5,9 by the cent": Spanish "por ciento" word for word.
``weekday_article`` (0.55)  "it rained the Wednesday": Spanish "el miércoles" (on Wednesday).
    ("at Tuesday", "at the Monday", the Catalan round trip's preposition, belong to the calques
    recognizer's ``ca_at_day_month`` and are left to it.)
``foreign_date`` (0.75)  "3 de mayo", "14 juillet 2023", "May 3 de 2023": a date whose
    month name or "de" was left untranslated (after English words only, so quoted foreign
    text and street names such as "Avenida 9 de Julio" are left alone).

Not reported, on the measurements (human translations of the shared WMT data use it as often
as MT output does, and some English publications print it): a space before "%" on its own.
It is part of the span of a decimal comma ("3,2 %") when both occur.

Human-written text carries some of these conventions too: professional translators from
Czech left decimal commas in a few WMT references. So each rule reports its first span per
article and says how many more there are; the count of distinct conventions, not of
repetitions, is the evidence. Offsets index the original text; nothing is normalised. All
patterns are linear-time (no nested quantifiers; fixed-width look-behinds), and all but two
are tried only at the runs of digits that one scan of the text finds.

Measured on the shared data's 1,745 human-written documents (30,853 sentences): 5 findings
(0.16 per 1,000 sentences), all decimal commas in WMT human translations from Czech; none in
the 555 English originals. Round trips of English originals through Apertium Spanish and
Catalan leave at least one of these conventions in a third (Spanish) and an eighth (Catalan) of
the articles (mostly "the Wednesday" and glued ages); Bergamot's Portuguese round trip almost none.
"""

from __future__ import annotations

import bisect
import re
from typing import ClassVar

from ..types import Document, Finding
from .base import Recognizer

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_ENGLISH_MONTHS = (
    "January February March April May June July August September October November December".split()
)
_MONTH_NUMBER = {m.lower(): i + 1 for i, m in enumerate(_ENGLISH_MONTHS)}
_MONTH_ALT = "|".join(_ENGLISH_MONTHS)

# Lower-case month names of the pivot languages that differ from English, January first.
_MONTH_WORDS = {
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    "pt": "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre",
    "ca": "gener febrer març abril maig juny juliol agost setembre octubre novembre desembre",
}
_UNACCENT = str.maketrans("éûçè", "euce")


def _month_tables() -> tuple[dict[str, int], dict[str, list[str]]]:
    """Foreign month word -> month number, and -> the languages that use it.

    Unaccented spellings ("fevrier", "aout", "marco") are included: careless text has them.
    """
    numbers: dict[str, int] = {"setiembre": 9}
    langs: dict[str, list[str]] = {"setiembre": ["es"]}
    for lang, names in _MONTH_WORDS.items():
        for i, name in enumerate(names.split()):
            for form in {name, name.translate(_UNACCENT)}:
                numbers[form] = i + 1
                if lang not in langs.setdefault(form, []):
                    langs[form].append(lang)
    return numbers, langs


_FOREIGN_MONTHS, _MONTH_LANGS = _month_tables()
_FOREIGN_MONTH_ALT = "|".join(sorted(_FOREIGN_MONTHS, key=len, reverse=True))

# "years" in the pivot languages, as left in an age ("de 23 años"); the language it points to.
_AGE_LANGS = {"años": "es", "anys": "ca", "anos": "pt", "ans": "fr"}
_AGE_WORDS = tuple(_AGE_LANGS)

_LANG_NAMES = {"es": "Spanish", "pt": "Portuguese", "fr": "French", "it": "Italian", "ca": "Catalan",
               "de": "German"}

# Nouns that count whole things: "1.500 people" cannot be 1.5 people, so the dot groups thousands.
_COUNTED_NOUNS = frozenset(
    """people persons inhabitants residents citizens voters workers employees jobs soldiers troops
    police officers agents neighbours neighbors migrants refugees immigrants asylum seekers students pupils children
    families households homes houses dwellings buildings flats apartments vehicles cars trucks
    lorries buses cases deaths dead victims patients infections fatalities injured wounded
    fans spectators visitors tourists participants protesters demonstrators members signatures
    votes seats units copies companies firms businesses jobs beds doctors nurses teachers
    euros dollars pesos reais reals soles bolivars bolívares pounds francs yuan rubles roubles
    lire liras dirhams rand rupees yen
    kilometres kilometers km metres meters tonnes tons hectares acres litres liters barrels
    animals trees years""".split()
)
_CURRENCY_WORDS = frozenset(
    "euro euros dollar dollars peso pesos real reais reals pound pounds franc francs yuan ruble rubles "
    "rouble roubles lira lire liras sol soles dirham dirhams rand rupee rupees yen".split()
)
# After a decimal comma, what makes it a quantity rather than a list or a score.
_DECIMAL_UNITS = frozenset(
    """per percent percentage points point million millions billion billions trillion trillions
    thousand thousands times years months hours minutes degrees kilos kilograms kg km kilometres
    kilometers metres meters m cm mm tonnes tons hectares litres liters grams g lakh crore pm am""".split()
) | _CURRENCY_WORDS

# Words after "the 17 hours" / "at 14h" that make it a duration, not a time of day.
_DURATION_FOLLOWERS = frozenset("of a an mark later before after ago earlier following since per".split())

# "the Monday" is English after these ("on the Monday", "until the Friday") ...
_WEEKDAY_BEFORE_OK = frozenset("on for by until till since from before after during about over at".split())
# ... and, as a Spanish-style date adverbial, it is followed by punctuation or by one of these
# (an attributive noun, "the Sunday ruling", is English and is not reported).
_WEEKDAY_FOLLOWERS = frozenset(
    """to that the a an in and because even among with like against at tomorrow late said announced
    confirmed when while but as he she they it we his her their its was were is are had has will""".split()
)

# An English word or mark just before a date: the date is part of English prose, not quoted
# foreign text ("el 3 de mayo") or a street name ("Avenida 9 de Julio").
_ENGLISH_DATE_LEAD = frozenset(
    """on of the from until till since by before after between and to in at as for last next
    this that since dated born died""".split()
)

_SCORE = {
    "decimal_comma": 0.7,
    "thousands_dot": 0.65,
    "time_h": 0.6,
    "time_hours": 0.6,
    "ordinal_indicator": 0.7,
    "french_ordinal": 0.6,
    "roman_century": 0.7,
    "day_of_month": 0.7,
    "foreign_age": 0.85,
    "plural_magnitude": 0.55,
    "by_cent": 0.75,
    "weekday_article": 0.55,
    "foreign_date": 0.75,
}

_MESSAGES = {
    "decimal_comma": (
        "A decimal comma ('3,5%') is the convention of Spanish, French, German, Portuguese, "
        "Italian and most other continental European languages; English writes a decimal "
        "point ('3.5%'). Machine translation copies figures verbatim, so the source's "
        "convention survives in the English text."
    ),
    "thousands_dot": (
        "Dots grouping thousands ('1.500 people') are the convention of Spanish, German, "
        "Portuguese, Italian and other languages; English groups thousands with commas "
        "('1,500'). Machine translation copies figures verbatim."
    ),
    "time_h": (
        "'14h30' is how French and Portuguese write the time of day; English writes '14:30' "
        "or '2:30 p.m.'. Machine translation often leaves the figure as it was."
    ),
    "time_hours": (
        "'the 17.30 hours' renders Spanish/Portuguese 'a las 17.30 horas' word for word; "
        "English writes 'at 5:30 p.m.' (or '17:30')."
    ),
    "ordinal_indicator": (
        "The ordinal indicators º and ª ('1º', '2ª') belong to Spanish, Portuguese, Italian and "
        "Galician; English writes '1st', '2nd'."
    ),
    "french_ordinal": (
        "'1er' and '20e' are French ordinal abbreviations; English writes '1st' and '20th'."
    ),
    "roman_century": (
        "Centuries written with a Roman numeral or a bare number ('the XXI century') follow "
        "Spanish, French, Italian, Portuguese, Russian and other languages ('siglo XXI'); "
        "English writes 'the 21st century'."
    ),
    "day_of_month": (
        "'the 3 of May' renders Spanish, Portuguese, Italian or Catalan 'el 3 de mayo' word "
        "for word; English writes '3 May' or 'May 3'."
    ),
    "foreign_age": (
        "An age written the Spanish, Portuguese, Catalan or French way ('de 23 años', '23 anys') "
        "and glued to the words around it: an untranslated fragment that machine translation "
        "leaves from an English 'N-year-old'."
    ),
    "plural_magnitude": (
        "A plural magnitude after a figure ('$75 millions') follows Spanish, Portuguese, French "
        "or Italian ('75 millones de dólares'); English keeps 'million' singular after a number."
    ),
    "by_cent": (
        "'by cent' renders Spanish 'por ciento' word for word ('5,9 por ciento' -> '5.9 by cent'); "
        "English writes 'per cent' or 'percent'."
    ),
    "weekday_article": (
        "'the Wednesday' as a date ('it rained the Wednesday') renders Spanish, Catalan, "
        "Portuguese or Italian 'el miércoles' word for word; English writes 'on Wednesday'."
    ),
    "foreign_date": (
        "A date whose month name or 'de' was left in the source language. Machine translation "
        "leaves such fragments when it fails to recognise the date."
    ),
}

_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10}
_ROMAN = re.compile(r"X{0,3}(?:IX|IV|V?I{0,3})")


def _roman_to_int(numeral: str) -> int | None:
    """Value of a Roman numeral of I, V and X (1..30), or None when it is not well formed."""
    if not numeral or not _ROMAN.fullmatch(numeral):
        return None
    total = 0
    for i, ch in enumerate(numeral):
        v = _ROMAN_VALUES[ch]
        if i + 1 < len(numeral) and _ROMAN_VALUES[numeral[i + 1]] > v:
            total -= v
        else:
            total += v
    return total or None


def _ordinal(n: int) -> str:
    """English ordinal of ``n`` ("1st", "22nd", "13th")."""
    if 10 <= n % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _hour_12(hour: int, minute: int) -> str:
    """'5:30 p.m.' for (17, 30)."""
    h = hour % 12 or 12
    ampm = "a.m." if hour < 12 else "p.m."
    return f"{h}:{minute:02d} {ampm}" if minute else f"{h} {ampm}"


def _langs_phrase(langs: list[str]) -> str:
    names = [_LANG_NAMES[x] for x in langs]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


_LETTER_OR_DIGIT = re.compile(r"\w")


def _word_before(text: str, start: int) -> str:
    """The lower-cased word just before ``start`` (spaces, commas, brackets skipped)."""
    i = start
    floor = max(0, start - 40)
    while i > floor and text[i - 1] in " \u00a0,(\t":
        i -= 1
    j = i
    while j > floor and text[j - 1].isalpha():
        j -= 1
    return text[j:i].lower()


class ConventionsRecognizer(Recognizer):
    """Decimal commas, dotted thousands, '14h30', 'the 3 of May', '1º', 'the XXI century'."""

    name: ClassVar[str] = "conventions"
    kind: ClassVar[str] = "number_convention"
    version: ClassVar[str] = "1.0"
    description: ClassVar[str] = (
        "Number, date and time conventions of a pivot language left in English: decimal "
        "commas ('3,5%'), dotted thousands ('1.500 people'), '14h30', 'the 17.30 hours', "
        "'the 3 of May', 'it rained the Wednesday', '1º', 'the XXI century', '$75 millions', "
        "glued ages ('personade23años'), untranslated month names."
    )

    # Reported spans per rule and article: the first one carries the evidence; repeats of one
    # convention in one article add little (and one careless human translator repeats it too).
    max_per_rule: ClassVar[int] = 1

    def _load(self) -> None:
        day = r"(?P<d>[1-9]|[12][0-9]|3[01])"
        year = r"(?P<y>(?:1[89]|20)[0-9][0-9])\b"
        months = rf"(?P<mon>{_MONTH_ALT})\b"
        foreign = rf"(?P<mon>{_FOREIGN_MONTH_ALT})\b"
        # Every pattern below is matched AT the start of a run of digits (re.match with a
        # position), never scanned over the text: one pass over the digit runs feeds them all.
        self._digits = re.compile(r"[0-9]+")
        self._decimal = re.compile(
            r"(?P<int>[0-9]{1,3}(?P<dots>(?:\.[0-9]{3})+)?),(?P<frac>[0-9]{1,2})(?![0-9_]|[.,][0-9])"
            r"(?P<pct>[ \u00a0\u202f]?%)?"
        )
        self._dotted = re.compile(r"(?P<num>[1-9][0-9]{0,2}(?:\.[0-9]{3})+)(?![\w]|[.,][0-9])")
        self._time_h = re.compile(r"(?P<h>[01]?[0-9]|2[0-3])h(?P<m>[0-5][0-9])?(?!\w)")
        self._time_hours = re.compile(
            r"(?P<h>[01]?[0-9]|2[0-3])(?:[.:,h](?P<m>[0-5][0-9]))? (?P<w>hours|horas|hs)\b"
        )
        self._ordinal_ind = re.compile(r"(?P<n>[0-9]{1,3})\.?[\u00ba\u00aa](?!\w)")
        self._french_ord = re.compile(
            rf"(?P<n>[0-9]{{1,2}})(?P<suf>er|re|ère|e|ème|eme) (?P<mon>{_MONTH_ALT}|{_FOREIGN_MONTH_ALT})\b"
        )
        self._day_of = re.compile(
            rf"{day}[\u00ba\u00b0.]? of {months}(?![\u2019']s\b)(?:,? of {year})?"
        )
        self._day_month_year = re.compile(rf"{day} {months},? (?P<w>of|de) {year}")
        self._day_year = re.compile(rf"{day}(?:st|nd|rd|th)?,? (?P<w>of|de) {year}")
        self._month_before = re.compile(rf"(?P<mon>{_MONTH_ALT}) $")
        self._foreign_date = re.compile(
            rf"{day}(?:\.|\u00ba)? (?P<de>de )?{foreign}(?: (?:de |del )?{year})?"
        )
        self._plural_magnitude = re.compile(
            r"(?P<num>[0-9]{1,3}(?:[.,][0-9]{1,3})*) (?P<w>millions|billions|trillions)\b(?! of\b)"
        )
        self._by_cent = re.compile(r"(?P<num>[0-9]{1,3}(?:[.,][0-9]{1,3})?) by (?:the )?cent\b")
        self._currency_before = re.compile(r"(?:US\$|R\$|[€$£¥])[ \u00a0]?$")
        self._time_lead = re.compile(
            r"(?:(?P<lead>[Aa]t|[Tt]o|[Ff]rom|[Uu]ntil|[Ss]ince|[Bb]efore|[Aa]fter|[Aa]round) )?(?P<the>[Tt]he )?$"
        )
        self._century_before = re.compile(
            r"(?:(?P<the>[Tt]he) )?(?P<n>[XVI]{1,5}|[0-9]{1,2})(?P<suf>st|nd|rd|th|\u00ba|e|ème|eme)? $"
        )
        # Units glued to a figure ("1,5m", "6,6mm", "15,8C", "2,15pm").
        self._magnitude_glued = re.compile(r"(?:m|bn|k|M|mm|cm|km|kg|mg|ml|C|F|pm|am|GW|MW|kW|kWh)\b")
        self._next_word = re.compile(r"[ \u00a0]+([^\W\d_]+)")
        self._score_context = re.compile(
            r"\b(?:won|beat|lost|drew|defeated|scored?|led|leads?|trail(?:s|ed)?) $", re.I
        )
        # Regions where foreign conventions are legitimate: code, URLs, e-mail addresses, «quotations».
        # An address starts a token and has no "@" before its own: "\S+@\S+" tried every start and
        # every "@" of a long token (quadratic on 20,000 non-space characters, cubic on "a@a@a@...").
        self._excluded = re.compile(
            r"`[^`\n]{0,400}`|https?://\S+|www\.\S+|(?<!\S)[^\s@]+@\S+\.\w+|\u00ab[^\u00bb\n]{0,600}\u00bb"
        )
        # The next character after a run of digits decides which rules can apply.
        self._dispatch: dict[str, tuple] = {}
        for chars, handler in (
            (",.", self._decimal_comma),
            (".", self._dotted_thousands),
            ("h", self._time_h_rule),
            (".:,h ", self._time_hours_rule),
            ("\u00ba\u00aa.", self._ordinal_rule),
            ("eè", self._french_ordinal_rule),
            (" \u00ba\u00b0.", self._day_of_rule),
            (" ,snrt", self._month_day_year_rule),
            (" .\u00ba", self._foreign_date_rule),
            (" .,", self._plural_magnitude_rule),
            (" .,", self._by_cent_rule),
        ):
            for ch in chars:
                self._dispatch[ch] = self._dispatch.get(ch, ()) + (handler,)

    # -- driver -------------------------------------------------------------------------
    def _analyze(self, document: Document) -> list[Finding]:
        text = document.text
        candidates: list[tuple] = []
        dispatch = self._dispatch
        n = len(text)
        for m in self._digits.finditer(text):
            s, e = m.span()
            if e >= n:
                break
            if text[e] == "a":
                if text.startswith(_AGE_WORDS, e):
                    age = self._foreign_age(text, s, e)
                    if age is not None:
                        candidates.append(age)
                continue
            handlers = dispatch.get(text[e])
            if not handlers:
                continue
            if s and (text[s - 1] in ".,_" or text[s - 1].isalnum()):
                continue  # inside a token: "v1.2", "A4,5", "3.500" after a dot
            for handler in handlers:
                cand = handler(text, s, e)
                if cand is not None:
                    candidates.append(cand)
        if "centur" in text:
            candidates += self._centuries(text)
        candidates += self._weekday_articles(text)
        if not candidates:
            return []
        return self._select(document, candidates, self._excluded_spans(text))

    def _excluded_spans(self, text: str) -> list[tuple[int, int]]:
        if "`" not in text and "://" not in text and "www." not in text and "@" not in text and "\u00ab" not in text:
            return []
        return [m.span() for m in self._excluded.finditer(text)]

    def _select(self, document: Document, candidates: list[tuple], excluded: list[tuple[int, int]]) -> list[Finding]:
        """Drop excluded and nested candidates; keep the first ``max_per_rule`` of each rule."""
        starts = [s for s, _ in excluded]
        kept: list[tuple] = []
        # Longest first at equal start, so that "1º of July" wins over "1º".
        for cand in sorted(candidates, key=lambda c: (c[0], -c[1])):
            start = cand[0]
            i = bisect.bisect_right(starts, start) - 1
            if i >= 0 and excluded[i][1] > start:
                continue
            if kept and start < kept[-1][1]:
                continue  # inside (or overlapping) a span already reported
            kept.append(cand)
        by_rule: dict[str, list[tuple]] = {}
        for cand in kept:
            by_rule.setdefault(cand[2], []).append(cand)
        out = []
        for rule, cands in by_rule.items():
            extra = len(cands) - self.max_per_rule
            for start, end, _, suggestion, hint, message in cands[: self.max_per_rule]:
                msg = message or _MESSAGES[rule]
                if extra > 0:
                    msg += f" (The article has {extra} more.)"
                out.append(self.finding(document, start, end, rule=rule, message=msg, score=_SCORE[rule],
                                        suggestion=suggestion, source_lang_hint=hint))
        return out

    def _word_after(self, text: str, end: int) -> str:
        m = self._next_word.match(text, end)
        return m.group(1).lower() if m else ""

    def _currency_start(self, text: str, s: int) -> int | None:
        """Start of a currency sign just before ``s`` ("€", "US$ "), if any."""
        m = self._currency_before.search(text, max(0, s - 4), s)
        if m is None:
            return None
        if m.start() and _LETTER_OR_DIGIT.match(text, m.start() - 1):
            return None
        return m.start()

    # -- rules: each takes the text and a run of digits [s, e), returns a candidate or None --
    def _decimal_comma(self, text: str, s: int, e: int):
        m = self._decimal.match(text, s)
        if m is None:
            return None
        glued = m.end() < len(text) and text[m.end()].isalpha()
        if glued and self._magnitude_glued.match(text, m.end()) is None:
            return None  # "3,5a": part of a code or a name
        cur = self._currency_start(text, s)
        pct, dots = m.group("pct"), m.group("dots")
        if not (pct or dots or cur is not None or glued or self._word_after(text, m.end()) in _DECIMAL_UNITS):
            return None
        if self._score_context.search(text, max(0, s - 12), s):
            return None
        start = s if cur is None else cur
        integer = m.group("int").replace(".", ",")
        sign = text[cur:s].strip() if cur is not None else ""
        suggestion = f"{sign}{integer}.{m.group('frac')}{'%' if pct else ''}"
        return (start, m.end(), "decimal_comma", suggestion, None, None)

    def _dotted_thousands(self, text: str, s: int, e: int):
        m = self._dotted.match(text, s)
        if m is None:
            return None
        if s and text[s - 1] in ":/-":
            return None  # "3:51.943" lap times, paths, ranges
        num = m.group("num")
        parts = num.split(".")
        if len(parts) == 4 and all(int(p) <= 255 for p in parts):
            return None  # an IP address
        if text[m.end():m.end() + 1] == "%":
            return None
        cur = self._currency_start(text, s)
        if len(parts) == 2:
            word = self._word_after(text, m.end())
            if cur is not None:
                # "€1.500" is not one and a half euros, but "$3.459 a gallon" is a price.
                if word in ("per", "a", "an", "million", "billion", "trillion", "bn", "m") or text[m.end():m.end() + 1] == "/":
                    return None
            elif word in ("million", "millions", "billion", "billions") and parts[1].endswith("00"):
                pass  # "8.000 million": English would write "8,000 million" (or "8 billion")
            elif parts[1] == "000" and int(parts[0]) >= 2:
                pass  # "25.000": English prints no decimal zeros in prose ("1.000" is a batting average)
            elif word not in _COUNTED_NOUNS:
                return None
        start = s if cur is None else cur
        sign = text[cur:s].strip() if cur is not None else ""
        return (start, m.end(), "thousands_dot", f"{sign}{num.replace('.', ',')}", None, None)

    def _time_h_rule(self, text: str, s: int, e: int):
        if e - s > 2 or (s and text[s - 1] in ":/-"):
            return None
        m = self._time_h.match(text, s)
        if m is None:
            return None
        hour, minute = int(m.group("h")), m.group("m")
        if minute is None:
            # "14h" alone: only after a preposition of time, and not as a duration ("48h").
            if _word_before(text, s) not in ("at", "until", "till", "around"):
                return None
            if self._word_after(text, m.end()) in _DURATION_FOLLOWERS:
                return None
            suggestion = f"{hour:02d}:00"
        else:
            suggestion = f"{hour:02d}:{minute}"
        return (s, m.end(), "time_h", suggestion, "fr", None)

    def _time_hours_rule(self, text: str, s: int, e: int):
        m = self._time_hours.match(text, s)
        if m is None:
            return None
        hour, minute, word = int(m.group("h")), m.group("m"), m.group("w")
        lead = self._time_lead.search(text, max(0, s - 12), s)
        the = lead is not None and lead.group("the")
        has_lead = lead is not None and lead.group("lead")
        if word in ("horas", "hs"):
            if minute is None and not has_lead and not the:
                return None
        elif not the or not (minute or has_lead):
            return None  # "17.30 hours" alone is British usage; "the 17 hours" may be a duration
        elif minute is None and self._word_after(text, m.end()) in _DURATION_FOLLOWERS:
            return None
        start = lead.start("the") if the else s
        return (start, m.end(), "time_hours", _hour_12(hour, int(minute or 0)), "es", None)

    def _ordinal_rule(self, text: str, s: int, e: int):
        m = self._ordinal_ind.match(text, s)
        if m is None:
            return None
        return (s, m.end(), "ordinal_indicator", _ordinal(int(m.group("n"))), "es", None)

    def _french_ordinal_rule(self, text: str, s: int, e: int):
        m = self._french_ord.match(text, s)
        if m is None:
            return None
        n, suf, mon = int(m.group("n")), m.group("suf"), m.group("mon")
        if n == 0 or n > 31 or (suf in ("er", "re", "ère")) != (n == 1):
            return None  # "21er Haus" is German; French writes "1er" but "2e"
        month = mon if mon in _MONTH_NUMBER or mon[0].isupper() else _ENGLISH_MONTHS[_FOREIGN_MONTHS[mon] - 1]
        return (s, m.end(), "french_ordinal", f"{month} {n}", "fr", None)

    def _day_of_rule(self, text: str, s: int, e: int):
        m = self._day_of.match(text, s)
        if m is None:
            return None
        d, mon, y = int(m.group("d")), m.group("mon"), m.group("y")
        suggestion = f"{d} {mon} {y}" if y else f"{d} {mon}"
        return (s, m.end(), "day_of_month", suggestion, "es", None)

    def _month_day_year_rule(self, text: str, s: int, e: int):
        """'May 3 of 2023', '3 May of 2023', 'May 3 de 2023'."""
        m = self._day_month_year.match(text, s)
        start = s
        if m is not None:
            suggestion = f"{int(m.group('d'))} {m.group('mon')} {m.group('y')}"
        else:
            m = self._day_year.match(text, s)
            if m is None:
                return None
            before = self._month_before.search(text, max(0, s - 10), s)
            if before is None:
                return None
            start = before.start()
            suggestion = f"{before.group('mon')} {int(m.group('d'))}, {m.group('y')}"
        if m.group("w") == "de":
            msg = ("'de' before the year ('May 3 de 2023') was left from a Spanish, Portuguese or "
                   "Catalan date ('3 de mayo de 2023'); English writes 'May 3, 2023'.")
            return (start, m.end(), "foreign_date", suggestion, "es", msg)
        return (start, m.end(), "day_of_month", suggestion, "es", None)

    def _plural_magnitude_rule(self, text: str, s: int, e: int):
        """'$75 millions', '1.82 millions': a plural magnitude after a figure."""
        m = self._plural_magnitude.match(text, s)
        if m is None:
            return None
        cur = self._currency_start(text, s)
        num = m.group("num")
        if cur is None and "." not in num and "," not in num:
            return None  # "16 millions litres" in a human translation: too weak alone
        start = s if cur is None else cur
        sign = text[cur:s].strip() if cur is not None else ""
        return (start, m.end(), "plural_magnitude", f"{sign}{num} {m.group('w')[:-1]}", None, None)

    def _by_cent_rule(self, text: str, s: int, e: int):
        """'5,9 by the cent': Spanish 'por ciento' translated word for word."""
        m = self._by_cent.match(text, s)
        if m is None:
            return None
        return (s, m.end(), "by_cent", f"{m.group('num').replace(',', '.')} per cent", "es", None)

    def _foreign_age(self, text: str, s: int, e: int):
        """'personade23años', '24añosOlympian': an untranslated age glued to its neighbours."""
        if e - s > 3:
            return None
        word = next(w for w in _AGE_WORDS if text.startswith(w, e))
        end = e + len(word)
        glued_after = end < len(text) and text[end].isalpha()
        start = s
        while start > 0 and text[start - 1].isalpha() and s - start < 40:
            start -= 1
        glued_before = start < s
        if not glued_before and (not glued_after or word == "ans"):
            return None  # only glued fragments: a spaced "30 anos" may be quoted foreign text
        while end < len(text) and text[end].isalpha() and end - e < 40:
            end += 1
        lang = _AGE_LANGS[word]
        age = int(text[s:e])
        message = (f"An age left in {_LANG_NAMES[lang]} ('{text[start:end]}': 'de {age} {word}' means "
                   f"'{age} years old') and glued to the words around it: machine translation leaves "
                   f"such fragments from an English '{age}-year-old'.")
        return (start, end, "foreign_age", f"{age}-year-old", lang, message)

    def _foreign_date_rule(self, text: str, s: int, e: int):
        m = self._foreign_date.match(text, s)
        if m is None:
            return None
        mon, de, y = m.group("mon"), m.group("de"), m.group("y")
        if de is None and y is None and mon in ("mai", "mars", "marco"):
            return None  # "3 mai" alone is too little to go on
        if _word_before(text, s) not in _ENGLISH_DATE_LEAD and text[max(0, s - 2):s].strip() not in ("", "(", ","):
            return None  # "el 3 de mayo": quoted foreign text; "Avenida 9 de Julio": a name
        langs = _MONTH_LANGS[mon]
        if de:
            langs = [x for x in langs if x in ("es", "pt", "ca")] or langs
        else:
            langs = [x for x in langs if x in ("fr", "it")] or langs
        english = _ENGLISH_MONTHS[_FOREIGN_MONTHS[mon] - 1]
        d = int(m.group("d"))
        suggestion = f"{d} {english} {y}" if y else f"{d} {english}"
        msg = (f"A date with the {_langs_phrase(langs)} month name '{mon}' left untranslated; English "
               f"writes '{suggestion}'. Machine translation leaves such fragments when it fails to "
               "recognise the date.")
        return (s, m.end(), "foreign_date", suggestion, langs[0], msg)

    def _weekday_articles(self, text: str) -> list[tuple]:
        """'the Wednesday' used as a date adverbial (Spanish 'el miércoles')."""
        out = []
        for day in _WEEKDAYS:
            i = text.find(day)
            while i != -1:
                cand = self._weekday_candidate(text, day, i)
                if cand is not None:
                    out.append(cand)
                i = text.find(day, i + len(day))
        return out

    def _weekday_candidate(self, text: str, day: str, i: int):
        end = i + len(day)
        if end < len(text) and text[end].isalnum():
            return None  # "Sundays", "Mondayitis"
        if text[max(0, i - 4):i] != "the " or (i >= 5 and text[i - 5].isalnum()):
            return None
        start = i - 4
        if _word_before(text, start) in _WEEKDAY_BEFORE_OK:
            return None  # "on the Monday", "until the Friday before": English ("at the": a calque rule's)
        after = text[end:end + 2]
        if after[:1] in ",.;:!?)":
            pass
        elif after[:1] == " " and self._word_after(text, end) in _WEEKDAY_FOLLOWERS:
            if text[end + 1:end + 2].isupper():
                return None  # "the Sunday Times"
        else:
            return None  # "the Sunday ruling": attributive, English
        return (start, end, "weekday_article", f"on {day}", "es", None)

    def _centuries(self, text: str) -> list[tuple]:
        out = []
        i = text.find("centur")
        while i != -1:
            word_end = i + (7 if text.startswith("century", i) else 9 if text.startswith("centuries", i) else 0)
            if word_end > i and not _LETTER_OR_DIGIT.match(text, word_end):
                m = self._century_before.search(text, max(0, i - 12), i)
                if m is not None and not (m.start("n") and _LETTER_OR_DIGIT.match(text, m.start("n") - 1)):
                    cand = self._century_candidate(m, text[i:word_end], word_end)
                    if cand is not None:
                        out.append(cand)
            i = text.find("centur", i + 6)
        return out

    @staticmethod
    def _century_candidate(m: re.Match[str], word: str, end: int):
        n_txt, suf, the = m.group("n"), m.group("suf"), m.group("the")
        if n_txt.isdigit():
            if suf in ("st", "nd", "rd", "th"):
                return None  # "21st century": English
            if not the and suf is None:
                return None  # "the 21 century" needs the article ("a 20 century-old...")
            n = int(n_txt)
        else:
            n = _roman_to_int(n_txt)
        if n is None or not 1 <= n <= 21:
            return None
        hint = "fr" if suf in ("e", "ème", "eme") else None
        return (m.start("n"), end, "roman_century", f"{_ordinal(n)} {word}", hint, None)
