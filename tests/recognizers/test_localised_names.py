"""LocalisedNameRecognizer: exact spans for names left in a pivot language's form, silence on near misses."""

from __future__ import annotations

import unicodedata

import pytest

from mtdetect.lexicons import load_lexicon, source_langs
from mtdetect.recognizers.localised_names import LocalisedNameRecognizer
from mtdetect.segment import segment



@pytest.fixture(scope="module")
def recognizer() -> LocalisedNameRecognizer:
    return LocalisedNameRecognizer().load()


def _hits(recognizer: LocalisedNameRecognizer, text: str) -> list[tuple]:
    """(start, end, text, rule, suggestion, source_lang_hint) of every finding in ``text``."""
    return [
        (f.start, f.end, f.text, f.rule, f.suggestion, f.source_lang_hint)
        for f in recognizer.analyze(segment(text))
    ]


# -- true positives: (text, expected findings) ------------------------------------------
POSITIVES = [
    # royal / pope / historical
    ("Prince Guillermo visited the hospital on Monday.", [(7, 16, "Guillermo", "royal", "William", "es")]),
    ("Prince Guillermo V of the Netherlands.", [(7, 18, "Guillermo V", "royal", "William V", "es")]),
    ("Queen Elisabetta II received the prime minister.",
     [(6, 19, "Elisabetta II", "royal", "Elizabeth II", "it")]),
    ("The king Carlos III was crowned.", [(9, 19, "Carlos III", "royal", "Charles III", "es")]),
    ("Benedicto XVI resigned in 2013.", [(0, 13, "Benedicto XVI", "pope", "Benedict XVI", "es")]),
    ("Pope Francesco celebrated Mass.", [(5, 14, "Francesco", "pope", "Francis", "it")]),
    ("The king Felip VI got the pope Francesc.",
     [(9, 17, "Felip VI", "royal", "Felipe VI", "ca"), (31, 39, "Francesc", "pope", "Francis", "ca")]),
    ("Cristóbal Colón reached the Americas in 1492.",
     [(0, 15, "Cristóbal Colón", "historical", "Christopher Columbus", "es")]),
    # foreign_title (Apertium leaves the title of a name it does not know)
    ("Reina Elizabeth II opened the session.",
     [(0, 18, "Reina Elizabeth II", "foreign_title", "Queen Elizabeth II", "es")]),
    ("Príncep William visited the school.", [(0, 15, "Príncep William", "foreign_title", "Prince William", "ca")]),
    ("Papa Francisco celebrated Mass.", [(0, 14, "Papa Francisco", "foreign_title", "Pope Francis", "es")]),
    ("Papa Juan Pablo II visited Poland.",
     [(0, 18, "Papa Juan Pablo II", "foreign_title", "Pope John Paul II", "es")]),
    ("Rei Charles III and Rainha Camilla arrived.",
     [(0, 15, "Rei Charles III", "foreign_title", "King Charles III", "pt"),
      (20, 34, "Rainha Camilla", "foreign_title", "Queen Camilla", "pt")]),
    # translated_numeral: Spanish "vi" (I saw) for the numeral VI
    ("The king Felipe SAW received the pope.", [(9, 19, "Felipe SAW", "translated_numeral", "Felipe VI", "es")]),
    # exonym / organisation
    ("The minister flew to Pekín on Monday.", [(21, 26, "Pekín", "exonym", "Beijing", "es")]),
    ("Talks were held in Londres last week.", [(19, 26, "Londres", "exonym", "London", "es")]),
    ("The government of Alemania approved the plan.", [(18, 26, "Alemania", "exonym", "Germany", "es")]),
    ("The Estados Unidos imposed new sanctions.", [(4, 18, "Estados Unidos", "exonym", "United States", "es")]),
    ("Judges at the Haia tribunal ruled on Tuesday.", [(14, 18, "Haia", "exonym", "The Hague", "pt")]),
    ("The Government of United States and the one of Germany signed an agreement in Ginebra.",
     [(78, 85, "Ginebra", "exonym", "Geneva", "es")]),
    ("The OTAN summit ended on Friday.", [(4, 8, "OTAN", "organisation", "NATO", "es")]),
    ("The OTAN's secretary general spoke.", [(4, 8, "OTAN", "organisation", "NATO", "es")]),
    ("The Casa Blanca said on Tuesday that talks would resume.",
     [(4, 15, "Casa Blanca", "organisation", "White House", "es")]),
]


@pytest.mark.parametrize(("text", "expected"), POSITIVES, ids=[t[:40] for t, _ in POSITIVES])
def test_true_positives_have_exact_spans(recognizer, text, expected):
    assert _hits(recognizer, text) == expected


# -- near misses that must not fire -------------------------------------------------------
NEAR_MISSES = [
    "Lana Del Rey sang in London.",  # "Rey" after "Del"
    "Guillermo del Toro won an Oscar.",  # a given name without a royal title
    "Carlos Alcaraz won the final.",
    "Francisco Franco died in 1975.",
    "Mauricio Pochettino was sacked.",  # a given name that is also a country's name elsewhere
    "Enrique Peña Nieto met Felipe Calderón.",
    "The Reina Sofía Museum reopened.",  # a museum
    "Rey Juan Carlos University hosted the event.",  # a university
    "He ordered from Papa John's on Friday.",  # a pizza chain
    "Regina George is a film character.",  # "Regina" before a male name
    "São Tomé and Príncipe held elections.",  # "Príncipe" without a royal name
    "Barangay Ginebra won the title.",  # a basketball team: "Ginebra" needs a preposition
    "He studied at the Universidad de Londres.",  # named in the original language
    "The Piazza Martin Lutero was renamed.",  # part of a longer name
    "Carlos III University of Madrid.",
    "Canal de Isabel II supplies Madrid.",
    "King Felipe VI of Spain opened the session.",  # the English form
    "Pope Francis met Prince William in London.",
    "Queen Isabella of Castile funded the voyage.",
    "Prince Henrik of Denmark died.",
    "Pope Pius XII was pope during the war.",
    "The San Francisco Bay area.",
]


@pytest.mark.parametrize("text", NEAR_MISSES, ids=[t[:40] for t in NEAR_MISSES])
def test_near_misses_are_silent(recognizer, text):
    assert _hits(recognizer, text) == []


# -- messages and scores -------------------------------------------------------------------
def test_messages_name_the_language_and_the_english_form(recognizer):
    (f,) = recognizer.analyze(segment("The minister flew to Pekín on Monday."))
    assert "Spanish" in f.message and "Beijing" in f.message
    assert f.kind == "localised_name" and f.recognizer == "localised_names"
    (g,) = recognizer.analyze(segment("Reina Elizabeth II opened the session."))
    assert "Queen" in g.message and "untranslated" in g.message


def test_gated_forms_score_lower(recognizer):
    (gated,) = recognizer.analyze(segment("Talks were held in Londres last week."))
    (free,) = recognizer.analyze(segment("The minister flew to Pekín on Monday."))
    assert gated.score < free.score


# -- the lexicon -----------------------------------------------------------------------------
CATEGORIES = {"exonym", "royal", "pope", "historical", "organisation", "title"}
GATES = {"none", "prep", "title", "name:m", "name:f", "name:p"}


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()


def test_lexicon_is_substantial_and_well_formed():
    rows = load_lexicon("localised_names")
    assert len(rows) >= 500
    seen = set()
    for row in rows:
        assert row["category"] in CATEGORIES, row
        assert row["gate"] in GATES, row
        langs = source_langs(row)
        assert langs and set(langs) <= {"es", "pt", "it", "fr", "ca", "de"}, row
        assert row["example"], row
        assert _fold(row["foreign"]) != _fold(row["english"]), row
        assert row["foreign"] not in seen, row
        seen.add(row["foreign"])
    counts = {c: sum(r["category"] == c for r in rows) for c in CATEGORIES}
    assert counts["exonym"] >= 300 and counts["royal"] >= 20 and counts["pope"] >= 20


def test_german_forms_are_only_titles():
    # Human translations from German keep German names ("Kopenhagen", "Benedikt XVI"): see the
    # build script. Only the German titles, which need a royal name after them, are kept.
    for row in load_lexicon("localised_names"):
        if source_langs(row) == ("de",):
            assert row["category"] == "title", row


def test_every_example_fires_with_its_own_row(recognizer):
    failures = []
    for row in load_lexicon("localised_names"):
        findings = recognizer.analyze(segment(row["example"]))
        if row["category"] == "title":
            ok = any(f.rule == "foreign_title" and f.text.startswith(row["foreign"]) for f in findings)
        else:
            ok = any(f.text.startswith(row["foreign"]) and f.suggestion.startswith(row["english"]) for f in findings)
        if not ok:
            failures.append((row["foreign"], row["example"], [(f.text, f.suggestion) for f in findings]))
    assert failures == []


def test_injected_rows_replace_the_lexicon():
    rows = ({"foreign": "Zurigo", "english": "Zurich", "category": "exonym", "gate": "none",
             "source_lang": "it", "example": "He flew to Zurigo."},)
    rec = LocalisedNameRecognizer(rows=rows)
    assert [(f.text, f.suggestion) for f in rec.analyze(segment("He flew to Zurigo and Pekín."))] == [
        ("Zurigo", "Zurich")
    ]


# -- beyond the shared contract (tests/recognizers/test_contract.py) --------------------------
def test_analysis_is_pure_on_text_that_fires(recognizer):
    doc = segment("Prince Guillermo flew to Londres. Reina Elizabeth II met Papa Francisco.")
    assert recognizer.analyze(doc) == recognizer.analyze(doc)
    fresh = LocalisedNameRecognizer()
    assert fresh._loaded is False and fresh.load() is fresh.load()


def test_long_hostile_input_is_fast(recognizer):
    import time

    text = "Reina " * 3000 + "Papa Papa " * 2000 + "Estados " * 3000 + "A" * 5000
    t0 = time.perf_counter()
    recognizer.analyze(segment(text))
    assert time.perf_counter() - t0 < 2.0
