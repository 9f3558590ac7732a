"""Specification of the left-over pivot-word recognizer: exact spans, near misses, the table."""

from __future__ import annotations

import re

import pytest

from mtdetect.recognizers.pivot_words import LANG_NAMES, PivotWordRecognizer, load_pivot_words
from mtdetect.segment import segment


@pytest.fixture(scope="module")
def recognizer() -> PivotWordRecognizer:
    return PivotWordRecognizer().load()


def spans(recognizer: PivotWordRecognizer, text: str) -> list[tuple[int, int, str, str, str | None, str | None]]:
    return [(f.start, f.end, f.text, f.rule, f.suggestion, f.source_lang_hint) for f in recognizer.analyze(segment(text))]


# (text, expected (start, end, text, rule, suggestion, source_lang_hint) tuples)
TRUE_POSITIVES = [
    ("Thousands of manifestants gathered in Paris on Saturday.",
     [(13, 25, "manifestants", "pivot_word", "protesters", "fr")]),
    ("The syndicats called a general strike for Thursday.", [(4, 13, "syndicats", "pivot_word", "unions", "fr")]),
    ("The ministro said on Monday that taxes would rise.", [(4, 12, "ministro", "pivot_word", "minister", "es")]),
    ("The meeting was held in the sede of the party.", [(28, 32, "sede", "pivot_word", "headquarters", "es")]),
    ("The Government of Sánchez aprobó the decree on Tuesday.", [(26, 32, "aprobó", "pivot_word", "approved", "es")]),
    ("Pedro Sánchez dijo that the budget was ready.", [(14, 18, "dijo", "pivot_word", "said", "es")]),
    # A Spanish word Apertium's spa-eng does not know passes through unchanged (-u): no gloss.
    ("The casualidad was reported to the police.", [(4, 14, "casualidad", "pivot_word", None, "es")]),
    ("The moradores of the neighbourhood protested.", [(4, 13, "moradores", "pivot_word", "residents", "pt")]),
    ("The sindacati called a strike in Milan.", [(4, 13, "sindacati", "pivot_word", "unions", "it")]),
    ("The government had gestern approved the plan.", [(19, 26, "gestern", "pivot_word", "yesterday", "de")]),
    ("The ministro's spokesman declined to comment.", [(4, 12, "ministro", "pivot_word", "minister", "es")]),
    ("Prices rose (the ministro said) by two percent.", [(17, 25, "ministro", "pivot_word", "minister", "es")]),
    # Apertium's multiword units that its reverse direction cannot analyse come back glued.
    ("The tasadeinterés rose by half a point.", [(4, 17, "tasadeinterés", "glued_pivot_words", None, "es")]),
    ("The quecrecenrápidas companies hired more staff.",
     [(4, 20, "quecrecenrápidas", "glued_pivot_words", None, "es")]),
    ("The ciutatha voted to approve the plan.", [(4, 12, "ciutatha", "glued_pivot_words", None, "ca")]),
    ("The homeha said that he would appeal.", [(4, 10, "homeha", "glued_pivot_words", None, "ca")]),
    # The article's other pivot words settle an ambiguous word's language ("governo": pt or it).
    ("The governo met the sindacati on Friday.",
     [(4, 11, "governo", "pivot_word", "government", "it"), (20, 29, "sindacati", "pivot_word", "unions", "it")]),
    # Common words of the other European languages, scattered among English words, two of them
    # (a Serbo-Croatian pivot's left-overs: "naime" = namely, "tokom" = during).
    ("The group naime put out an alert for travellers tokom the summer.",
     [(10, 15, "naime", "pivot_word", None, "sh"), (48, 53, "tokom", "pivot_word", None, "sh")]),
]

NEAR_MISSES = [
    # loanwords and Latin
    "The fiesta lasted all night and nobody felt any angst.",
    "It was a de facto ban, and the regime called it a coup.",
    "The law is not unconstitutional per se, the judge said.",
    "The estate passed inter vivos, the lawyer said.",
    "The rules apply mutatis mutandis to Wales.",
    "The modus operandi was the same.",
    "He ordered a cappuccino and tiramisu.",
    "The carabinieri arrested two men.",
    # quoted, italicised, glossed or mentioned foreign terms
    'Protesters chanted "no pasarán" outside the ministry.',
    "The slogan «liberté, égalité» was painted on the wall.",
    "The term ‘sindicatos’ covers all unions.",
    "The *manifestants* were a French coinage.",
    "The unions (sindicatos) called a strike.",
    "The Spanish word manifestantes means protesters.",
    "What Madrid calls the movida ended in the 1980s.",
    # names, titles and institutions
    "Pedro Sánchez met the chairman of Banco Santander.",
    "Le Monde reported the story first.",
    "Bayern Munich lead the Bundesliga again.",
    "The Partido Popular won in Madrid.",
    "The Assemblée nationale voted on Tuesday.",
    "She read Cien años de soledad again.",
    "He lives in Frankfurt am Main.",
    "Heinz Koch from Weilen unter den Rinnen will also be there.",
    'Her hit "Despacito" topped the charts.',
    "They sang La Bamba and Bésame Mucho all night.",
    "The Sagrada Família drew record crowds.",
    "Ministro Ábalos resigned on Friday.",
    # the other European languages: one word alone (a typo, a transliterated term), or words
    # of a title or name kept in lower case beside other foreign words
    "The okrug was renamed in 2010.",
    "Minister Benny Gantz sain on Saturday that he ordered more pressure.",
    "The spokesman of česká pošta said so, and the okrug naime agreed.",
    "His party is more radical than Právo a spravedlnost, and than pes, který naučil lidi.",
    # a Spanish glue word before a word of another language is no glued token ("los" + "hika")
    "The loshika at the harbour rose on Tuesday.",
    # URLs, handles, hashtags, digits, compounds
    "Follow @elgobierno and #huelga at www.ministerio.es for updates.",
    "The code abc123def was used.",
    "The post-manifestants era began.",
    # English words that look foreign, and English words containing glue-like pieces
    "He described the evidence as a decade of models.",
    "The nonetheless undeniable counters were shading.",
    # a whole foreign sentence is the untranslated recognizer's business
    "El Gobierno aprobó ayer el decreto que regula los alquileres en toda España.",
]


@pytest.mark.parametrize("text, expected", TRUE_POSITIVES, ids=[t[:40] for t, _ in TRUE_POSITIVES])
def test_true_positives(recognizer, text, expected):
    assert spans(recognizer, text) == expected


@pytest.mark.parametrize("text", NEAR_MISSES, ids=[t[:40] for t in NEAR_MISSES])
def test_near_misses(recognizer, text):
    assert spans(recognizer, text) == []


def test_message_names_language_and_gloss(recognizer):
    [f] = recognizer.analyze(segment("Thousands of manifestants gathered in Paris on Saturday."))
    assert f.message.startswith("'manifestants' is a French")
    assert "(protesters)" in f.message and "left untranslated" in f.message


def test_one_word_is_weak_several_are_stronger(recognizer):
    [one] = recognizer.analyze(segment("The syndicats called a general strike."))
    three = recognizer.analyze(segment("The manifestants and the syndicats marched, but the gouvernement refused to talk."))
    assert 0.5 <= one.score <= 0.6
    assert [f.text for f in three] == ["manifestants", "syndicats", "gouvernement"]
    assert all(f.score > one.score for f in three)
    assert all(f.source_lang_hint == "fr" for f in three)
    assert "3 such French words" in three[0].message


def test_glued_message_spells_the_pieces(recognizer):
    [f] = recognizer.analyze(segment("The tasadeinterés rose by half a point."))
    assert "'tasa de interés'" in f.message and "Spanish" in f.message
    assert f.score > 0.6


def test_offsets_index_original_text_with_odd_spacing(recognizer):
    text = "Line one.\n\n  The   ministro\tsaid   so."
    [f] = recognizer.analyze(segment(text))
    assert text[f.start : f.end] == "ministro" == f.text


def test_analysis_is_repeatable_with_warm_caches(recognizer):
    text = "The ministro said that the sindacati would strike."
    first = recognizer.analyze(segment(text))
    assert recognizer.analyze(segment(text)) == first
    assert PivotWordRecognizer().analyze(segment(text)) == first


# --- the table -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def table():
    return load_pivot_words()


def test_table_is_sorted_and_well_formed(table):
    words = table.words()
    assert len(words) > 20_000
    assert words == sorted(words, key=lambda w: w + "\t")
    assert len(set(words)) == len(words)
    assert all(re.fullmatch(r"[^\W\d_]{4,}", w) and w == w.lower() for w in words)


def test_table_rows_name_their_language(table):
    for word in ("manifestants", "syndicats", "ministro", "aprobó", "sindacati", "gestern", "moradores"):
        entry = table.get(word)
        assert entry is not None, word
        assert entry.lang in LANG_NAMES
        assert entry.foreign_zipf >= 3.0 and entry.english_zipf <= 2.5
        assert all(lang in LANG_NAMES for lang, _z in entry.others)


def test_other_languages_only_add_words(table):
    # a main pivot's word keeps its main-pivot row; the other languages add their own words
    assert table.get("governo").lang in ("pt", "it")
    assert all(lang in ("fr", "es", "pt", "it", "de", "ca") for lang in table.get("governo").plausible_langs())
    assert table.get("tokom").lang == "sh" and LANG_NAMES["sh"] == "Serbo-Croatian"
    assert table.get("tokom").foreign_zipf >= 4.0


@pytest.mark.parametrize("word", ["fiesta", "angst", "coup", "régime", "regime", "facto", "plaza", "siesta",
                                  "the", "government", "minister", "sánchez", "méxico", "kirchnerismo",
                                  "rend", "respecter", "précis"])
def test_table_excludes_english_loanwords_and_names(table, word):
    assert table.get(word) is None


def test_table_loads_quickly():
    import time

    start = time.perf_counter()
    load_pivot_words()
    assert time.perf_counter() - start < 1.0  # ~0.05 s on an idle machine; generous for CI


