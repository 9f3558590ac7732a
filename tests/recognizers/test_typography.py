"""TypographyRecognizer: exact spans for true positives, silence on near misses."""

from __future__ import annotations

import re

import pytest

from mtdetect.recognizers.typography import TypographyRecognizer
from mtdetect.segment import segment


@pytest.fixture(scope="module")
def recognizer() -> TypographyRecognizer:
    return TypographyRecognizer().load()


def _hits(recognizer: TypographyRecognizer, text: str, rule: str | None = None) -> list[tuple]:
    """(start, end, text, rule, suggestion) of every finding (of ``rule``) in ``text``."""
    return [
        (f.start, f.end, f.text, f.rule, f.suggestion)
        for f in recognizer.analyze(segment(text))
        if rule is None or f.rule == rule
    ]


# -- true positives: (text, expected findings) ------------------------------------------
POSITIVES = [
    # space_before_hyphen
    ("They held high -level talks.", [(10, 21, "high -level", "space_before_hyphen", "high-level")]),
    ("A large -scale test and an in -depth review.",
     [(2, 14, "large -scale", "space_before_hyphen", "large-scale"),
      (27, 36, "in -depth", "space_before_hyphen", "in-depth")]),
    ("Long -term plans for cross -border trade.",
     [(0, 10, "Long -term", "space_before_hyphen", "Long-term"),
      (21, 34, "cross -border", "space_before_hyphen", "cross-border")]),
    # unbalanced_parenthesis
    ("The deal was signed on Monday (September 2, 2025) in Paris.\nIt ends on Friday, May 9, 2026) at noon.",
     [(86, 91, "2026)", "unbalanced_parenthesis", "2026")]),
    ("Officials met the mayor of the town 17) on Monday.",
     [(36, 39, "17)", "unbalanced_parenthesis", "17")]),
    # closing_quote_as_opening
    ("He called it \u201dthe best deal\u201d yesterday.",
     [(13, 14, "\u201d", "closing_quote_as_opening", "\u201c")]),
    ("\u201dWe are ready,\u201d she said.", [(0, 1, "\u201d", "closing_quote_as_opening", "\u201c")]),
    ("The plan is \u00abrealistic\u00bb, he said.",
     [(12, 13, "\u00ab", "closing_quote_as_opening", "\u201c"),
      (22, 23, "\u00bb", "closing_quote_as_opening", "\u201d")]),
    ("The party called it \u201ea victory\u201d.", [(20, 21, "\u201e", "closing_quote_as_opening", "\u201c")]),
    # space_before_punctuation
    ("Is this the end ? Nobody knows ; the talks go on.",
     [(15, 17, " ?", "space_before_punctuation", "?"), (30, 32, " ;", "space_before_punctuation", ";")]),
    ("The minister , who spoke first , left early.",
     [(12, 14, " ,", "space_before_punctuation", ","), (30, 32, " ,", "space_before_punctuation", ",")]),
    ("The rain stopped . Then the sun came out.", [(16, 18, " .", "space_before_punctuation", ".")]),
    ("He said it was over\u00a0! Then he left.", [(19, 21, "\u00a0!", "space_before_punctuation", "!")]),
    # mixed_quote_styles: three straight quotes, two curly ones -> the curly ones are flagged
    ('He said "yes" and "no" and \u201cmaybe\u201d.',
     [(27, 28, "\u201c", "mixed_quote_styles", '"'), (33, 34, "\u201d", "mixed_quote_styles", '"')]),
    # glued_sentences
    ("He flew to Hong Kong.Chinese officials refused him entry.",
     [(16, 28, "Kong.Chinese", "glued_sentences", "Kong. Chinese")]),
    ("What a surprise!Nobody expected it.", [(7, 22, "surprise!Nobody", "glued_sentences", "surprise! Nobody")]),
]


@pytest.mark.parametrize(("text", "expected"), POSITIVES)
def test_true_positives(recognizer: TypographyRecognizer, text: str, expected: list[tuple]) -> None:
    assert _hits(recognizer, text) == expected


# -- near misses: none of these may produce any finding ---------------------------------
NEGATIVES = [
    # hyphens and dashes that are not split compounds
    "The high-level talks ended - nobody was surprised.",
    "The vote -- held on Sunday -- was close.",
    "Prices rose in 2010 -2012 and fell later.",
    "It was -5 degrees in the city.",
    "- first item\n- second item",
    "Run the tool as ls -la or rm -rf to see it.",
    "He left -and never came back.",
    "Use the -v flag.",
    # parentheses
    "The summit (held in Geneva) ended on Friday.",
    "The options are a) to wait, b) to act or iv) to leave.",
    "1) Register online.\n2) Pay the fee.",
    "Great news :) and more :-) tomorrow.",
    "The company (which was founded in 1990\nand grew quickly) was sold.",
    # quotes
    "\u201cWe are ready,\u201d she said. \u201cSo are we.\u201d",
    'He said "yes" and left.',
    # spaces before punctuation that are not artifacts
    "He paused ... and then went on.",
    "Microsoft's .NET platform grew by .5 per cent.",
    "The final score was 2 : 1 for the hosts.",
    "Tiger : a crunchy wafer shaped like a tiger.",
    "The results were published in the report .",
    "Then he said: well, that is it.",
    # dotted words that are not glued sentences
    "Visit example.com or Node.js for details.",
    "The U.S.A. and the U.K. signed it, i.e. the deal.",
    "Growth was 3.5 per cent, J.K. Rowling said.",
    "She read it on Yahoo!News and on Amazon.Com today.",
    "Mrs.Smith and Dr.Jones arrived.",
]


@pytest.mark.parametrize("text", NEGATIVES)
def test_near_misses_do_not_fire(recognizer: TypographyRecognizer, text: str) -> None:
    assert _hits(recognizer, text) == []


def test_offsets_index_original_text(recognizer: TypographyRecognizer) -> None:
    text = "Intro line.\r\n\r\n  Second   paragraph has high -level  talks ?"
    for f in recognizer.analyze(segment(text)):
        assert text[f.start : f.end] == f.text


def test_messages_explain_every_finding(recognizer: TypographyRecognizer) -> None:
    text = "High -level talks (on trade) ended.Then \u201dwe\u201d left ; \u00abok\u00bb 2025)."
    findings = recognizer.analyze(segment(text))
    assert {f.rule for f in findings} == {
        "space_before_hyphen", "glued_sentences", "closing_quote_as_opening",
        "space_before_punctuation", "unbalanced_parenthesis",
    }
    for f in findings:
        assert f.recognizer == "typography" and f.kind == "typography"
        assert len(f.message) > 40 and 0.0 < f.score <= 1.0


def test_weak_punctuation_scores_lower_than_strong(recognizer: TypographyRecognizer) -> None:
    findings = recognizer.analyze(segment("First , then ; done."))
    by_mark = {f.suggestion: f for f in findings}
    assert by_mark[","].score < by_mark[";"].score
    assert by_mark[";"].source_lang_hint == "fr" and by_mark[","].source_lang_hint is None


def test_patterns_are_linear_on_pathological_input(recognizer: TypographyRecognizer) -> None:
    import time

    text = ("a" * 5000 + " " * 5000 + "-" * 5000 + "." * 5000 + "A" * 5000 + ")" * 2000) * 4
    started = time.perf_counter()
    recognizer.analyze(segment(text))
    assert time.perf_counter() - started < 2.0


def test_metadata() -> None:
    rec = TypographyRecognizer()
    assert (rec.name, rec.kind, rec.version) == ("typography", "typography", "1.0")
    assert re.search(r"\w", rec.description)
