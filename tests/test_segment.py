"""Segmentation: sentence texts, and spans that index the original text exactly."""

import pytest

from mtdetect.segment import segment

CASES = [
    ("Mr. Xi met Mrs. May. They spoke.", ["Mr. Xi met Mrs. May.", "They spoke."]),
    ("The U.S. economy grew. It slowed later.", ["The U.S. economy grew.", "It slowed later."]),
    ("He moved to the U.S. The next year he left.", ["He moved to the U.S.", "The next year he left."]),
    ("It happened on Sept. 2 in Paris. Police came.", ["It happened on Sept. 2 in Paris.", "Police came."]),
    ("He was No. 2 in the party. No. He was third.", ["He was No. 2 in the party.", "No.", "He was third."]),
    ('She said: "We agree." Then she left.', ['She said: "We agree."', "Then she left."]),
    ("\u201cWe will win,\u201d he said. \u201cNo doubt.\u201d", ["\u201cWe will win,\u201d he said.", "\u201cNo doubt.\u201d"]),
    ("Headline without a stop\nBERLIN (dpa) - The talks ended.", ["Headline without a stop", "BERLIN (dpa) - The talks ended."]),
    ("J. K. Rowling wrote it. Critics loved it.", ["J. K. Rowling wrote it.", "Critics loved it."]),
    ("Really? Yes! Fine.", ["Really?", "Yes!", "Fine."]),
    ("Prices rose 2.5 percent. Wages did not.", ["Prices rose 2.5 percent.", "Wages did not."]),
    ("Hong Kong.Chinese officials said so.", ["Hong Kong.Chinese officials said so."]),
    ("Dr. Smith arrived at 9 a.m. on Monday.", ["Dr. Smith arrived at 9 a.m. on Monday."]),
    ("", []),
    ("  \n\n \t ", []),
]


@pytest.mark.parametrize("text,expected", CASES)
def test_sentence_texts(text, expected):
    assert [s.text for s in segment(text).sentences] == expected


@pytest.mark.parametrize("text,_", CASES)
def test_spans_index_original_text(text, _):
    doc = segment(text)
    for i, s in enumerate(doc.sentences):
        assert s.index == i
        assert text[s.start : s.end] == s.text
        assert s.text == s.text.strip()


def test_spacing_is_preserved():
    text = "A high -level meeting , he said ."
    (s,) = segment(text).sentences
    assert s.text == text


def test_sentence_index_at():
    doc = segment("One. Two.")
    assert doc.sentence_index_at(0) == 0
    assert doc.sentence_index_at(5) == 1
    assert doc.sentence_index_at(4) is None  # the space between sentences
