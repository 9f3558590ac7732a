"""Specification of the literal-calque recognizer: exact spans, near misses, lexicon rules."""

from __future__ import annotations

import re
import time

import pytest

from mtdetect.lexicons import load_lexicon, source_langs
from mtdetect.recognizers.calques import SLOTS, CalqueRecognizer, expand_slots
from mtdetect.segment import segment


@pytest.fixture(scope="module")
def recognizer() -> CalqueRecognizer:
    return CalqueRecognizer().load()


def spans(recognizer: CalqueRecognizer, text: str) -> list[tuple[int, int, str, str | None, str | None]]:
    return [(f.start, f.end, f.text, f.suggestion, f.source_lang_hint) for f in recognizer.analyze(segment(text))]


# (text, expected (start, end, text, suggestion, source_lang_hint) tuples)
TRUE_POSITIVES = [
    (
        "Leaders met in Astana for the top of the Shanghai Cooperation Organisation.",
        [(26, 74, "the top of the Shanghai Cooperation Organisation", "the Shanghai Cooperation Organisation summit", "fr")],
    ),
    (
        # a body the list does not name: the meeting is read from the sentence
        "Leaders gathered in Yerevan for the top of the Collective Security Treaty Organisation.",
        [(32, 86, "the top of the Collective Security Treaty Organisation",
          "the Collective Security Treaty Organisation summit", "fr")],
    ),
    ("Biden will attend the NATO top in Vilnius.", [(27, 30, "top", "summit", "fr")]),
    ("The G20 top ended without a joint statement.", [(8, 11, "top", "summit", "fr")]),
    ("Ministers prepared the EU-China top, which opens on Friday.", [(32, 35, "top", "summit", "fr")]),
    ("Images were supplied by a common flow to all broadcasters.", [(24, 37, "a common flow", "a pool feed", "fr")]),
    ("The Russian chief of State spoke for two hours.", [(0, 26, "The Russian chief of State", "the Russian head of state", "fr")]),
    (
        "The Chinese chief of government visited Berlin.",
        [(0, 31, "The Chinese chief of government", "the Chinese prime minister", "fr")],
    ),
    (
        "He later met the chief of the Russian diplomacy.",
        [(17, 47, "chief of the Russian diplomacy", "Russian foreign minister", "fr")],
    ),
    ("He later met the chief of the diplomacy.", [(17, 39, "chief of the diplomacy", "foreign minister", "fr")]),
    ("The Russian chief said the talks had been frank.", [(12, 17, "chief", "leader", "fr")]),
    (
        "The video surveillance state reported heavy floods in Henan.",
        [(0, 28, "The video surveillance state", "CCTV (China Central Television)", "fr")],
    ),
    (
        "According to Chinese state video surveillance, the launch succeeded.",
        [(13, 45, "Chinese state video surveillance", "CCTV (China Central Television)", "fr")],
    ),
    ("Washington raised customs prices on steel.", [(18, 32, "customs prices", "customs tariffs", "fr")]),
    ("Trump threatened to impose new prices on European cars.", [(31, 37, "prices", "tariffs", "fr")]),
    ("China replied with prices of 25% on American imports.", [(19, 25, "prices", "tariffs", "fr")]),
    ("The Franco-German couple has pushed for a joint debt plan.", [(18, 24, "couple", "partnership", "fr")]),
    ("Relations within the Sino-Russian couple are warming, diplomats say.", [(34, 40, "couple", "partnership", "fr")]),
    (
        "The mayor was put under examination for favouritism.",
        [(14, 35, "put under examination", "charged (placed under formal investigation)", "fr")],
    ),
    ("The sanitary crisis weighs on tourism.", [(4, 19, "sanitary crisis", "health crisis", "fr")]),
    ("Tens of thousands of manifestants gathered in Paris.", [(21, 33, "manifestants", "protesters", "fr")]),
    ("A third of the pupils have a migration background.", [(29, 49, "migration background", "immigrant background", "de")]),
    ("In the frame of the programme, schools get new computers.", [(0, 15, "In the frame of", "as part of", "de")]),
    ("The Greens-politician spoke against the plan.", [(4, 21, "Greens-politician", "Greens politician", "de")]),
    ("The event was cancelled due to the new corona.", [(31, 45, "the new corona", "Covid-19 / the novel coronavirus", "ja")]),
    ("Three new crown cases were reported in Shanghai.", [(6, 15, "new crown", "Covid-19", "zh")]),
    (
        "The relevant person in charge of the bureau said prices will stay stable.",
        [(0, 29, "The relevant person in charge", "an official", "zh")],
    ),
    ("It is noted that the road will reopen in May.", [(0, 11, "It is noted", "(source) said", "ru")]),
    ("The doctor told about the first symptoms.", [(11, 21, "told about", "spoke about / described", "ru")]),
    # institutions and titles
    ("The President of the Government met the unions on Monday.", [(4, 31, "President of the Government", "prime minister", "es")]),
    ("The holder of Treasury presented the budget to Congress.", [(4, 22, "holder of Treasury", "the Treasury minister", "es")]),
    ("The Venezuelan mandatary blamed the opposition for the blackout.", [(15, 24, "mandatary", "leader / president", "es")]),
    ("The fiscal asked for six years in prison for the mayor.", [(4, 10, "fiscal", "prosecutor", "es")]),
    ("The Board of Andalusia approved the new tax cuts.", [(4, 22, "Board of Andalusia", "the Andalusia regional government", "es")]),
    (
        "The Public Ministry opened an inquiry into the contracts.",
        [(4, 19, "Public Ministry", "the prosecution service / public prosecutors", "pt")],
    ),
    ("The law enforcement organs detained two suspects.", [(20, 26, "organs", "agencies / authorities", "ru")]),
    ("The Istanbul Governorship banned the march.", [(13, 25, "Governorship", "governor's office", "tr")]),
    ("The Federal Agency for Work counted 2.5 million unemployed.", [(4, 27, "Federal Agency for Work", "Federal Employment Agency", "de")]),
    # economy
    ("The bank obtained a net benefit of 1,200 million euros in the first half.", [(24, 31, "benefit", "profit", "es")]),
    ("Exports grew 3% compared with the previous exercise, the company said.", [(43, 51, "exercise", "financial year", "es")]),
    ("Prices rose 4.2% in interannual terms.", [(20, 31, "interannual", "year-on-year", "es")]),
    ("The PIB contracted by 0.3% in the third quarter.", [(4, 7, "PIB", "GDP", "es")]),
    ("Hotel occupation exceeded 85% in August.", [(6, 16, "occupation", "occupancy", "es")]),
    ("The actions of Repsol fell 4% on the stock exchange.", [(4, 11, "actions", "shares", "es")]),
    # sport epithets and vocabulary
    ("The white team beat Atlético with a goal from Benzema.", [(4, 14, "white team", "Real Madrid", "es")]),
    ("The Italian technician changed three players at half-time in the match.", [(12, 22, "technician", "coach / manager", "es")]),
    ("Barcelona won the League of Champions in 2015.", [(18, 37, "League of Champions", "Champions League", "es")]),
    ("The Brazilian selection beat Chile 3-0 in the qualifiers.", [(14, 23, "selection", "national team", "es")]),
    # verbs of saying, reporting formulas, connectives, dates
    ("The minister assured that pensions will rise in January.", [(13, 20, "assured", "said / insisted", "es")]),
    ("The union denounced that the company had not paid wages.", [(10, 19, "denounced", "complained / alleged that", "es")]),
    ("It fits to remember that the treaty expires in 2025.", [(3, 7, "fits", "it is worth (noting/recalling)", "es")]),
    ("The factory has been closed since two years.", [(28, 33, "since", "for (N years)", "es")]),
    ("The agreement was signed the past Tuesday in Lisbon.", [(29, 41, "past Tuesday", "last Tuesday", "es")]),
    (
        "The vote is scheduled for the day 12 of June.",
        [(26, 44, "the day 12 of June", 'the date in English order (e.g. "May 28")', "es")],
    ),
    ("In the continuation of his speech, Erdoğan thanked the volunteers.", [(7, 19, "continuation", "later in his speech", "tr")]),
    ("The forces of order used tear gas against the crowd.", [(4, 19, "forces of order", "police / security forces", "fr")]),
    ("The sanctions were at the origin of the crisis.", [(19, 35, "at the origin of", "be behind / cause", "fr")]),
    ("The police realized several raids in the city.", [(11, 19, "realized", "carry out / conduct / hold", "es")]),
    ("The country will celebrate general elections in May.", [(17, 26, "celebrate", "hold", "es")]),
    # word-for-word renderings seen in Apertium Spanish/Catalan round trips
    ("Gentleman Chen admitted the charges on television.", [(0, 9, "Gentleman", "Mr Chen", "es")]),
    ("The anterior president had promised the same reform.", [(4, 12, "anterior", "former / previous", "es")]),
    ("The president of USA arrived in Madrid on Sunday.", [(17, 20, "USA", "the US", "es")]),
    ("Twenty agents of police were wounded in the clashes.", [(7, 13, "agents", "police officers", "es")]),
    ("Boeing announced the order at Monday, a day before the show.", [(27, 36, "at Monday", "on/in Monday", "ca")]),
    ("Unemployment reached 12 for cent last year.", [(24, 32, "for cent", "per cent", "ca")]),
    ("This could being his last season at the club.", [(11, 16, "being", "be", "ca")]),
]

NEAR_MISSES = [
    "They climbed to the top of the hill.",
    "The song reached the top of the charts.",
    "Climate change is at the top of the G20 agenda.",
    "Officials at the top of the European Union disagreed.",
    # summit bodies not in the list: only a meeting's reading counts
    "She rose to the top of the European Union's civil service before the ministers met.",
    "Candidates for the top of the United Nations Security Council rotation met the ministers.",
    "After the top of the Gulf Cooperation Council hierarchy was reshuffled, ministers met in Riyadh.",
    "Leaders met to talk about the reshuffle at the top of the Collective Security Treaty Organisation.",
    "She is the NATO top commander in Europe.",
    "The couple married in June.",
    "The Franco-German couple who ran the bakery retired last year.",
    "Prices rose by 3% in May.",
    "Retailers raised prices on imported goods.",
    "Prices of 5% on average were expected.",
    "CCTV footage showed the suspect leaving.",
    "China has built a vast video surveillance state to monitor citizens.",
    "The chief executive resigned.",
    "The Russian chief of staff arrived.",
    "There is a common flow of ideas between the two labs.",
    "He was placed in solitary confinement.",
    "In the frame of mind he was in, anything seemed possible.",
    "He was told about the decision on Monday.",
    "Relatives were not even told about the burial.",
    "The novel coronavirus spread quickly.",
    "It became known as the Ginza district.",
    "Sanitary pads were handed out.",
    "The winter service at the cathedral starts at six.",
    "Republicans said the new crown jewel of the program was the tax credit.",
    "The crime syndicates smuggled cocaine through the port.",
    "Police said the perpetrators fled.",
    "The SPD politician spoke against the plan.",
    # near misses of the issue-11 families
    "The President of the European Commission met the unions.",
    "The government is the largest holder of Treasury bonds.",
    "Fiscal policy will tighten next year, the fiscal council said.",
    "Patients received a net benefit of two years of life from the drug.",
    "Troops took part in the military exercise last year, costing 2 million dollars.",
    "Interannual variability in rainfall is linked to El Niño.",
    "The white team won the scrimmage, the coach said.",
    "The lab technician repaired the machine.",
    "The selection process for the jury took three weeks.",
    "She assured voters that taxes would not rise.",
    "Rest assured that the tickets will be refunded.",
    "He has lived there since 2009.",
    "It happened two years ago, and since then nothing has changed.",
    "Mr Chen said he was innocent.",
    "The gentleman who found the wallet returned it.",
    "The surgeon repaired the anterior cruciate ligament.",
    "The USA Today columnist wrote about it.",
    "He realised the scale of the problem.",
    "Supporters celebrated the election victory in the streets.",
    "The forces of law and order were praised.",
    "At Wednesday's meeting, ministers agreed a plan.",
    "He will attend the meeting this Friday.",
    "The Istanbul governorship race is tight.",
    "Law enforcement agencies and organ donors met in Boston.",
]


@pytest.mark.parametrize(("text", "expected"), TRUE_POSITIVES)
def test_true_positives_have_exact_spans(recognizer: CalqueRecognizer, text: str, expected: list) -> None:
    assert spans(recognizer, text) == expected


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_near_misses_do_not_fire(recognizer: CalqueRecognizer, text: str) -> None:
    assert spans(recognizer, text) == []


def test_offsets_index_the_original_text_across_sentences(recognizer: CalqueRecognizer) -> None:
    text = "Headline here\n\nMarkets  fell.   Then the  G20 top opened."
    findings = recognizer.analyze(segment(text))
    assert [(f.start, f.end, text[f.start : f.end]) for f in findings] == [(46, 49, "top")]


def test_context_does_not_leak_across_sentences(recognizer: CalqueRecognizer) -> None:
    # "common flow" needs a broadcasting word in its own sentence, not in the next one.
    assert spans(recognizer, "They shared a common flow. The pictures were broadcast live.") == []


def test_finding_explains_itself(recognizer: CalqueRecognizer) -> None:
    (finding,) = recognizer.analyze(segment("Leaders met for the top of the Shanghai Cooperation Organisation."))
    assert finding.kind == "calque"
    assert finding.recognizer == "calques"
    assert finding.rule == "fr_sommet_top_of"
    assert "sommet" in finding.message
    assert '"the top of the Shanghai Cooperation Organisation"' in finding.message
    assert 0.0 < finding.score <= 1.0


def test_overlapping_rules_report_one_finding(recognizer: CalqueRecognizer) -> None:
    # fr_chef_nat_of_state and fr_chef_of_state_bare both match; the stronger, longer one wins.
    assert [f.rule for f in recognizer.analyze(segment("The French chief of State arrived."))] == ["fr_chef_nat_of_state"]


def test_class_attributes() -> None:
    assert (CalqueRecognizer.name, CalqueRecognizer.kind, CalqueRecognizer.version) == ("calques", "calque", "2.0")
    assert CalqueRecognizer.description


LEXICON = load_lexicon("calques")


def test_lexicon_loads_with_unique_rule_ids() -> None:
    rules = [row["rule"] for row in LEXICON]
    assert len(rules) >= 300
    assert len(rules) == len(set(rules))


def test_lexicon_covers_the_source_languages_of_issue_11() -> None:
    langs = {lang for row in LEXICON for lang in source_langs(row)}
    assert {"fr", "es", "pt", "it", "de", "ru", "tr", "zh"} <= langs


def test_word_level_article_filter_never_hides_a_match(recognizer: CalqueRecognizer) -> None:
    # The article-level word look-ups may only rule out a rule whose pattern (and context)
    # cannot match: checked for every rule against every lexicon example and near miss.
    from mtdetect.recognizers.calques import ArticleIndex
    from mtdetect.recognizers.prefilter import fold

    texts = [row["example"] for row in LEXICON] + [t for t, _ in TRUE_POSITIVES] + NEAR_MISSES
    for text in texts:
        index = ArticleIndex(fold(text))
        for rule in recognizer.rules_:
            if rule.pattern.search(text) and (rule.context is None or rule.context.search(text)):
                assert rule.admits_article(index), (rule.rule, text)


@pytest.mark.parametrize("row", LEXICON, ids=[row["rule"] for row in LEXICON])
def test_lexicon_row_is_complete(row: dict[str, str]) -> None:
    assert row["example"] and row["message"] and row["suggestion"]
    langs = source_langs(row)
    assert langs and all(re.fullmatch(r"[a-z]{2}", lang) for lang in langs)
    assert 0.0 < float(row["score"]) <= 1.0
    assert row["flags"] in ("", "i")
    assert row["mined"] in ("yes", "no", "partly")


@pytest.mark.parametrize("row", LEXICON, ids=[row["rule"] for row in LEXICON])
def test_lexicon_example_fires_its_own_rule(recognizer: CalqueRecognizer, row: dict[str, str]) -> None:
    findings = recognizer.analyze(segment(row["example"]))
    assert row["rule"] in {f.rule for f in findings}
    assert all("{" not in f.message and "{" not in (f.suggestion or "") for f in findings)


def test_unknown_slot_is_rejected() -> None:
    with pytest.raises(ValueError):
        expand_slots(r"\bthe {NO_SUCH_SLOT}\b")
    assert expand_slots(r"a{0,2}") == r"a{0,2}"  # quantifiers are not slots
    assert set(SLOTS) == {"NAT", "SUMMIT_BODY", "BLOC", "NAT_ADJ"}


def test_patterns_run_in_linear_time_on_adversarial_input(recognizer: CalqueRecognizer) -> None:
    # Long runs of near-matches would expose catastrophic backtracking.
    chunks = [
        "the top of the " * 2000,
        "Franco-" * 3000 + "German",
        "the Russian " * 2000 + "chief",
        "impose new new new new prices " * 1000,
        "a" * 20000,
        "A-" * 10000 + "B top",
    ]
    started = time.perf_counter()
    for chunk in chunks:
        recognizer.analyze(segment(chunk))
    assert time.perf_counter() - started < 2.0
