"""ConventionsRecognizer: exact spans for pivot-language number/date/time conventions, silence on near misses."""

from __future__ import annotations


import pytest

from mtdetect.recognizers.conventions import ConventionsRecognizer
from mtdetect.segment import segment



@pytest.fixture(scope="module")
def recognizer() -> ConventionsRecognizer:
    return ConventionsRecognizer().load()


def _hits(recognizer: ConventionsRecognizer, text: str) -> list[tuple]:
    """(start, end, text, rule, suggestion, source_lang_hint) of every finding in ``text``."""
    return [
        (f.start, f.end, f.text, f.rule, f.suggestion, f.source_lang_hint)
        for f in recognizer.analyze(segment(text))
    ]


# -- true positives: (text, expected findings) ------------------------------------------
POSITIVES = [
    # decimal_comma: confirmed by %, a unit, a magnitude, a currency or dotted thousands
    ("The economy grew 2,4% in the third quarter.", [(17, 21, "2,4%", "decimal_comma", "2.4%", None)]),
    ("Inflation stood at 3,5 % in March.", [(19, 24, "3,5 %", "decimal_comma", "3.5%", None)]),
    ("Growth of 2,4 percent is expected next year.", [(10, 13, "2,4", "decimal_comma", "2.4", None)]),
    ("Unemployment fell to 2,9 million people.", [(21, 24, "2,9", "decimal_comma", "2.9", None)]),
    ("The bill came to \u20ac2,75 per litre.", [(17, 22, "\u20ac2,75", "decimal_comma", "\u20ac2.75", None)]),
    ("Revenue reached 1.234,56 euros.", [(16, 24, "1.234,56", "decimal_comma", "1,234.56", None)]),
    ("The deficit was 1,5m euros lower.", [(16, 19, "1,5", "decimal_comma", "1.5", None)]),
    # thousands_dot
    ("More than 12.000.000 voters were registered.",
     [(10, 20, "12.000.000", "thousands_dot", "12,000,000", None)]),
    ("Unemployment fell by 12.500 people in October.", [(21, 27, "12.500", "thousands_dot", "12,500", None)]),
    ("The fine was \u20ac1.500 in total.", [(13, 19, "\u20ac1.500", "thousands_dot", "\u20ac1,500", None)]),
    ("The world population passed 8.000 million inhabitants.",
     [(28, 33, "8.000", "thousands_dot", "8,000", None)]),
    # time_h / time_hours
    ("The fire broke out at 14h30 on Tuesday.", [(22, 27, "14h30", "time_h", "14:30", "fr")]),
    ("The polls close at 20h on Sunday.", [(19, 22, "20h", "time_h", "20:00", "fr")]),
    ("The meeting will begin at the 17.30 hours in the palace.",
     [(26, 41, "the 17.30 hours", "time_hours", "5:30 p.m.", "es")]),
    ("The match starts at 21.00 horas local time.", [(20, 31, "21.00 horas", "time_hours", "9 p.m.", "es")]),
    # ordinal_indicator / french_ordinal
    ("He finished 1\u00ba in the standings.", [(12, 14, "1\u00ba", "ordinal_indicator", "1st", "es")]),
    ("The 2.\u00aa edition opens today.", [(4, 7, "2.\u00aa", "ordinal_indicator", "2nd", "es")]),
    ("Elections are due on 1er January.", [(21, 32, "1er January", "french_ordinal", "January 1", "fr")]),
    # roman_century
    ("The church dates from the XVI century.", [(26, 37, "XVI century", "roman_century", "16th century", None)]),
    ("Challenges of the 21 century were discussed.",
     [(18, 28, "21 century", "roman_century", "21st century", None)]),
    ("They met in the XXe century, he said.", [(16, 27, "XXe century", "roman_century", "20th century", "fr")]),
    # day_of_month
    ("The strike began on the 3 of May.", [(24, 32, "3 of May", "day_of_month", "3 May", "es")]),
    ("The summit was held on 14 of October of 2023.",
     [(23, 44, "14 of October of 2023", "day_of_month", "14 October 2023", "es")]),
    ("The law was passed on May 3 of 2023.", [(22, 35, "May 3 of 2023", "day_of_month", "May 3, 2023", "es")]),
    ("The Real Madrid won by 3-1 to the Barcelona the 1\u00ba of April.",
     [(48, 59, "1\u00ba of April", "day_of_month", "1 April", "es")]),
    # foreign_date
    ("The vote took place on 3 de mayo de 2023.",
     [(23, 40, "3 de mayo de 2023", "foreign_date", "3 May 2023", "es")]),
    ("It opened on 14 juillet 2023 in Lyon.", [(13, 28, "14 juillet 2023", "foreign_date", "14 July 2023", "fr")]),
    ("The deal was signed on May 3 de 2023.", [(23, 36, "May 3 de 2023", "foreign_date", "May 3, 2023", "es")]),
    # foreign_age: an English "N-year-old" back from Spanish/Catalan (Apertium round trips)
    ("The personade23años was at the function.",
     [(4, 19, "personade23años", "foreign_age", "23-year-old", "es")]),
    ("A noide6anys has been shot.", [(2, 12, "noide6anys", "foreign_age", "6-year-old", "ca")]),
    ("The 24añosOlympian won.", [(4, 18, "24añosOlympian", "foreign_age", "24-year-old", "es")]),
    # plural_magnitude / by_cent
    ("Clinton won $10.75 millions in 2015.",
     [(12, 27, "$10.75 millions", "plural_magnitude", "$10.75 million", None)]),
    ("Unemployment was 5,9 by the cent in Scotland.",
     [(17, 32, "5,9 by the cent", "by_cent", "5.9 per cent", "es")]),
    # weekday_article: Spanish "el miércoles", Catalan round trip "at Tuesday"
    ("He met them the Wednesday, police said.",
     [(12, 25, "the Wednesday", "weekday_article", "on Wednesday", "es")]),
    # glued units and bare "000" groups
    ("At around 2,15pm on Wednesday a dog ran.", [(10, 14, "2,15", "decimal_comma", "2.15", None)]),
    ("The estimate was nearer to 25.000.", [(27, 33, "25.000", "thousands_dot", "25,000", None)]),
    # Apertium spa-eng output of a Spanish news sentence: several conventions at once
    ("The unemployment went down in 12.500 people in October, until the 2,9 million unemployed.",
     [(30, 36, "12.500", "thousands_dot", "12,500", None), (66, 69, "2,9", "decimal_comma", "2.9", None)]),
]


@pytest.mark.parametrize(("text", "expected"), POSITIVES, ids=[t[:40] for t, _ in POSITIVES])
def test_true_positives_have_exact_spans(recognizer, text, expected):
    assert _hits(recognizer, text) == expected


# -- near misses that must not fire -------------------------------------------------------
NEAR_MISSES = [
    "About 1,500 people attended the rally.",  # English thousands
    "Choose options 1,2,3 or 4 on the form.",  # a list
    "In 2019, 3,4 and 5 were the winning numbers.",
    "The team won 3,1 on aggregate.",  # no unit: a score or a list
    "Scores: 12,5, 11,4 and 10,3.",
    "They won 3-1 at home.",
    "Growth was 1.5 percent.",  # an English decimal
    "Version 3.10.2 was released.",
    "The server at 192.168.100.200 was down.",  # an IP address
    "The meeting is on 12.05.2023 in Berlin.",  # a date with dots
    "The total was 1.219 million viewers.",  # an English decimal with three digits
    "She scored 62.198 overall.",
    "They finished in 3:51.943 to win.",  # a lap time
    "Fuel cost $3.459 a gallon.",  # a price with three decimals
    "It was separated by 0.001 seconds.",
    "A rate of 99.999% was recorded.",
    "The test lasted 48h in total.",  # a duration
    "A negative test within 48h is needed.",
    "The talks lasted 2 hours.",
    "He arrived at 17.30 hours, police said.",  # British 24-hour usage
    "Within the 48 hours before the vote.",
    "Temperatures reached 22\u00b0C.",  # a degree sign is not an ordinal indicator
    "The 21st century began in 2001.",
    "XX Century Fox was renamed.",
    "A 20 century-old tradition.",
    "She won 2 of May's 3 races.",
    "He lives on Avenida 9 de Julio in Buenos Aires.",  # a street name
    "The song \u00abel 3 de mayo\u00bb was played.",  # quoted foreign text
    "Theresa May said on 3 May that talks would go on.",
    "In May of 2023, prices rose.",
    "The 21er Haus in Vienna reopened.",  # German, not French
    "See `x = 3,5%` in the code.",  # code
    "Visit http://example.com/a/1.500.000 for details.",  # a URL
    "It cost 25 % more than last year.",  # a space before % alone is not reported
    "The Sunday Times said it on the Sunday before.",  # a newspaper; "on the Sunday"
    "The Sunday ruling was presented as a breakthrough.",  # attributive
    "We met at Sunday's game and at Sunday lunch.",
    "Russia and Turkey met at Tuesday to talk.",  # left to the calques recognizer (ca_at_day_month)
    "The fire started at the Wednesday, police said.",
    "Um homem de 30 anos morreu.",  # quoted Portuguese, not glued
    "They lost 16 millions litres a day.",  # a plural magnitude without currency or decimals
    "Tens of millions of people voted.",
    "He was batting 1.000 for the season.",
]


@pytest.mark.parametrize("text", NEAR_MISSES, ids=[t[:40] for t in NEAR_MISSES])
def test_near_misses_are_silent(recognizer, text):
    assert _hits(recognizer, text) == []


# -- behaviour -----------------------------------------------------------------------------
def test_repeats_of_one_convention_are_reported_once_with_a_count(recognizer):
    text = "Party A got 27,76 per cent. Party B got 24,84 per cent. Turnout was 75,48 per cent."
    findings = recognizer.analyze(segment(text))
    assert [(f.start, f.end, f.text) for f in findings] == [(12, 17, "27,76")]
    assert "2 more" in findings[0].message


def test_distinct_conventions_are_each_reported(recognizer):
    text = "Prices rose 3,5% and 1.500 people met at 14h30 on the 3 of May."
    rules = [f.rule for f in recognizer.analyze(segment(text))]
    assert rules == ["decimal_comma", "thousands_dot", "time_h", "day_of_month"]


def test_messages_explain_and_scores_are_moderate(recognizer):
    text = "Prices rose 3,5% and 1.500 people met at 14h30 on the 3 of May in the XXI century, 1\u00ba."
    findings = recognizer.analyze(segment(text))
    assert len(findings) == 6
    for f in findings:
        assert f.kind == "number_convention" and f.recognizer == "conventions"
        assert len(f.message) > 40 and f.suggestion
        assert 0.5 <= f.score <= 0.8


def test_foreign_month_names_the_language(recognizer):
    (f,) = recognizer.analyze(segment("The law came into force on 1 de janeiro de 2024."))
    assert (f.text, f.source_lang_hint, f.suggestion) == ("1 de janeiro de 2024", "pt", "1 January 2024")
    assert "Portuguese" in f.message


# -- beyond the shared contract (tests/recognizers/test_contract.py) --------------------------
def test_analysis_is_pure_on_text_that_fires(recognizer):
    doc = segment("Prices rose 3,5% and 1.500 people met at 14h30 on the 3 of May.")
    assert recognizer.analyze(doc) == recognizer.analyze(doc)
    fresh = ConventionsRecognizer()
    assert fresh._loaded is False and fresh.load() is fresh.load()


def test_long_hostile_input_is_fast(recognizer):
    import time

    text = ("1," * 20000) + ("3 of " * 5000) + ("1.000." * 5000) + " centur" * 3000
    t0 = time.perf_counter()
    recognizer.analyze(segment(text))
    assert time.perf_counter() - t0 < 2.0
