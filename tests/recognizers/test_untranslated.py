"""Specification of the untranslated-sentence recognizer: exact spans, near misses, laziness."""

from __future__ import annotations


import pytest

from mtdetect.recognizers import untranslated
from mtdetect.recognizers.untranslated import UntranslatedSentenceRecognizer
from mtdetect.segment import segment


@pytest.fixture(scope="module")
def recognizer() -> UntranslatedSentenceRecognizer:
    return UntranslatedSentenceRecognizer().load()


def spans(recognizer: UntranslatedSentenceRecognizer, text: str) -> list[tuple[int, int, str, str | None]]:
    return [(f.start, f.end, f.rule, f.source_lang_hint) for f in recognizer.analyze(segment(text))]


# (text, expected (start, end, rule, source_lang_hint) tuples)
TRUE_POSITIVES = [
    ("The minister spoke on Tuesday. El Gobierno aprobó ayer el decreto que regula los alquileres en toda "
     "España. Critics disagreed.", [(31, 107, "untranslated_sentence", "es")]),
    ("He said: le gouvernement a adopté hier le décret sur les loyers dans toute la France.",
     [(9, 85, "untranslated_clause", "fr")]),
    ("O governo aprovou ontem o decreto que regula os aluguéis em todo o país.", [(0, 72, "untranslated_sentence", "pt")]),
    ("El Govern va aprovar ahir el decret que regula els lloguers a tot Catalunya.",
     [(0, 76, "untranslated_sentence", "ca")]),
    ("Il governo ha approvato ieri il decreto che regola gli affitti in tutto il paese.",
     [(0, 81, "untranslated_sentence", "it")]),
    ("Die Regierung hat gestern das Gesetz über die Mieten im ganzen Land beschlossen.",
     [(0, 80, "untranslated_sentence", "de")]),
    ("De regering heeft gisteren het besluit over de huurprijzen in het hele land goedgekeurd.",
     [(0, 88, "untranslated_sentence", "nl")]),
    ("Правительство вчера одобрило указ о регулировании арендной платы по всей стране.",
     [(0, 80, "untranslated_sentence", "ru")]),
    ("Rents will fall. Hükümet dün kira artışlarını sınırlayan kararnameyi onayladı ve yasa yürürlüğe girdi.",
     [(17, 102, "untranslated_sentence", "tr")]),
    ("Rząd przyjął wczoraj dekret, który reguluje czynsze w całym kraju i jest już w mocy.",
     [(0, 84, "untranslated_sentence", "pl")]),
    # A quote whose attribution is foreign too: the whole sentence was left untranslated.
    ('"Não podemos pedir desculpas por fazê-lo", acrescentou o ministro.', [(0, 66, "untranslated_sentence", "pt")]),
]

NEAR_MISSES = [
    # quoted foreign speech in English prose
    'Protesters chanted "El pueblo unido jamás será vencido" outside the palace.',
    "He said «Nous sommes tous des enfants de la République» before leaving.",
    "just like his breakout album “Für Frauen ist das kein Problem” (2013).",
    # too short
    "¡Viva la revolución!",
    # names, institutions and titles in English sentences
    "Pedro Sánchez, Santiago Abascal, Yolanda Díaz and Alberto Núñez Feijóo attended the debate.",
    "Pedro Sánchez met Emmanuel Macron in Barcelona on Tuesday.",
    "Recep Tayyip Erdoğan met Kemal Kılıçdaroğlu and Lech Wałęsa in Łódź on Monday.",
    "The Banco de España and the Comisión Nacional del Mercado de Valores said.",
    "Real Madrid beat Atlético de Madrid at the Estadio Santiago Bernabéu on Sunday.",
    "Her album Para los de la calle y los del barrio sold well.",
    # English with a few foreign words, Latin, URLs
    "The ministro and the sede of the party were mentioned in the report.",
    "Habeas corpus and mutatis mutandis are terms of art in the law.",
    "Visit www.gobierno.es/la-moncloa/de-la-semana/los-presupuestos for details.",
    "The cafe on the Rue de la Paix served croissants et café au lait to all guests.",
]


@pytest.mark.parametrize("text, expected", TRUE_POSITIVES, ids=[t[:40] for t, _ in TRUE_POSITIVES])
def test_true_positives(recognizer, text, expected):
    assert spans(recognizer, text) == expected


@pytest.mark.parametrize("text", NEAR_MISSES, ids=[t[:40] for t in NEAR_MISSES])
def test_near_misses(recognizer, text):
    assert spans(recognizer, text) == []


def test_message_names_the_language(recognizer):
    [f] = recognizer.analyze(segment("El Govern va aprovar ahir el decret que regula els lloguers a tot Catalunya."))
    assert f.kind == "untranslated" and "Catalan" in f.message
    assert 0.5 < f.score <= 1.0


def test_lingua_is_not_consulted_for_english(monkeypatch):
    """The prefilter keeps the language identifier (and its models) out of ordinary English."""

    def boom():
        raise AssertionError("lingua consulted for English text")

    monkeypatch.setattr(untranslated, "_detector", boom)
    rec = UntranslatedSentenceRecognizer()
    text = ("The government approved the decree on rents yesterday, officials said. Pedro Sánchez met "
            "Emmanuel Macron in Barcelona. The ministro and the sede of the party were named in the report. "
            "Protesters chanted \"El pueblo unido jamás será vencido\" outside the palace.")
    assert rec.analyze(segment(text)) == []


def test_offsets_index_original_text(recognizer):
    text = "Intro.\n\n   El Gobierno aprobó ayer el decreto que regula los alquileres en toda España.  \nEnd."
    [f] = recognizer.analyze(segment(text))
    assert text[f.start : f.end] == f.text
    assert f.text.startswith("El Gobierno") and f.text.endswith("España.")


