"""Style features: stable names, finite values, exact values on tiny handmade inputs."""

from __future__ import annotations

import math

import pytest

from mtdetect.style import (
    ARTICLE_LENGTH_FEATURE_NAMES,
    FUNCTION_WORDS,
    STYLE_FEATURE_NAMES,
    sentence_length_stats,
    style_features,
    style_row,
    style_rows,
    style_vector,
    tokenize,
)

# -- names ------------------------------------------------------------------------------


def test_names_are_unique_and_start_with_the_stable_core() -> None:
    assert len(set(STYLE_FEATURE_NAMES)) == len(STYLE_FEATURE_NAMES)
    # A trained model depends on this order: append new features, never reorder.
    assert STYLE_FEATURE_NAMES[:7] == (
        "n_tokens", "log_n_tokens", "mean_word_length", "long_word_share",
        "type_token_ratio", "mattr_50", "herdan_c",
    )
    assert STYLE_FEATURE_NAMES[-len(FUNCTION_WORDS):] == tuple(f"fw_{w}" for w in FUNCTION_WORDS)
    assert ARTICLE_LENGTH_FEATURE_NAMES == (
        "n_sentences", "sent_len_mean", "sent_len_std", "sent_len_cv", "sent_len_max", "sent_len_min",
    )


ODD_INPUTS = ["", " ", "\n\n", "...", "42", "!!!???", "\u00ab\u00bb\u201c\u201d", "a", "x" * 10_000,
              "\u0416\u0443\u043a \u03b1\u03b2\u03b3", "the the the the", "\u2014 \u2013 -- - \t"]


@pytest.mark.parametrize("text", ODD_INPUTS)
def test_every_name_present_and_finite(text: str) -> None:
    feats = style_features(text)
    assert tuple(feats) == STYLE_FEATURE_NAMES
    assert all(isinstance(v, float) and math.isfinite(v) for v in feats.values())


@pytest.mark.parametrize("sentences", [[], [""], ["One."], ["One two three.", "Four five six seven eight nine."]])
def test_length_stats_present_and_finite(sentences: list[str]) -> None:
    feats = sentence_length_stats(sentences)
    assert tuple(feats) == ARTICLE_LENGTH_FEATURE_NAMES
    assert all(isinstance(v, float) and math.isfinite(v) for v in feats.values())


def test_empty_text_is_all_zero() -> None:
    assert set(style_features("").values()) == {0.0}


def test_vector_follows_name_order() -> None:
    text = "The cat sat on the mat."
    feats = style_features(text)
    assert list(style_vector(text)) == [feats[k] for k in STYLE_FEATURE_NAMES]


# -- exact values -----------------------------------------------------------------------
EXACT = [
    # (text, feature, value)
    ("The cat sat down.", "fw_the", 0.25),
    ("The cat sat down.", "n_tokens", 4.0),
    ("The cat sat down.", "mean_word_length", 3.25),
    ("The cat sat down.", "function_word_share", 0.25),
    ("the the cat cat", "type_token_ratio", 0.5),
    ("the the cat cat", "mattr_50", 0.5),
    ("the the cat cat", "herdan_c", 0.5),
    ("Of course, it is, of course.", "fw_of", 2 / 6),
    ("Of course, it is, of course.", "punct_comma", 2 / 6),
    ("Wait; see: now!", "punct_semicolon", 1 / 3),
    ("Wait; see: now!", "punct_colon", 1 / 3),
    ("Wait; see: now!", "punct_exclamation", 1 / 3),
    ("Is it? Yes.", "punct_question", 1 / 3),
    ('He said "no" (twice).', "punct_quote", 2 / 4),
    ('He said "no" (twice).', "punct_paren", 2 / 4),
    ("Rain \u2014 then sun - then snow.", "punct_dash", 2 / 5),
    ("NATO and Russia met Putin", "capitalised_share", 3 / 5),
    ("NATO and Russia met Putin", "allcaps_share", 1 / 5),
    ("In 2024 it cost 3.5 euros", "number_share", 2 / 6),
    ("I think we know you saw him", "pron_first", 2 / 7),
    ("I think we know you saw him", "pron_second", 1 / 7),
    ("I think we know you saw him", "pron_third", 1 / 7),
    ("It was approved and they were quickly arrested.", "passive_rate", 2 / 8),
    ("The house was built in a year.", "passive_rate", 1 / 7),
    ("It was green.", "passive_rate", 0.0),
    ("internationalisation is hard", "long_word_share", 1 / 3),
]


@pytest.mark.parametrize(("text", "name", "value"), EXACT)
def test_exact_values(text: str, name: str, value: float) -> None:
    assert style_features(text)[name] == pytest.approx(value)


CONTRACTIONS = [
    ("I don't know.", 1 / 3),
    ("It\u2019s late and we're tired.", 2 / 5),
    ("They'll say it's fine, won't they?", 3 / 6),
    ("China's economy grew.", 0.0),  # possessive, not a contraction
    ("The minister's aide left.", 0.0),
    ("Let's go.", 1 / 2),
    ("It is not done.", 0.0),
]


@pytest.mark.parametrize(("text", "rate"), CONTRACTIONS)
def test_contraction_rate(text: str, rate: float) -> None:
    assert style_features(text)["contraction_rate"] == pytest.approx(rate)


def test_word_frequency_profile() -> None:
    common = style_features("the and of to")
    assert common["zipf_mean"] > 6.5 and common["rare_word_share"] == 0.0 and common["oov_share"] == 0.0
    rare = style_features("qzxwv blorptangle the")
    assert rare["oov_share"] == pytest.approx(2 / 3)
    assert rare["rare_word_share"] == pytest.approx(2 / 3)
    assert rare["zipf_p10"] == 0.0


def test_mattr_is_robust_to_length() -> None:
    base = "the quick brown fox jumps over a lazy dog while birds sing "
    short, long = style_features(base * 5), style_features(base * 40)
    # Plain TTR collapses as the text grows; MATTR over 50-token windows does not.
    assert long["type_token_ratio"] < short["type_token_ratio"] / 4
    assert long["mattr_50"] == pytest.approx(short["mattr_50"], abs=0.01)


def test_tokenize_keeps_inner_apostrophes_and_hyphens() -> None:
    assert tokenize("Don\u2019t use high-level U.S. data, 3.5% of 1,000!") == [
        "Don\u2019t", "use", "high-level", "U", "S", "data", "3.5", "of", "1,000",
    ]


def test_sentence_length_stats_exact() -> None:
    feats = sentence_length_stats(["One two.", "One two three four five six."])
    assert feats == {
        "n_sentences": 2.0,
        "sent_len_mean": 4.0,
        "sent_len_std": 2.0,
        "sent_len_cv": 0.5,
        "sent_len_max": 6.0,
        "sent_len_min": 2.0,
    }


def test_direct_frequency_lookup_equals_wordfreq() -> None:
    """The fast path of _zipf (plain words looked up in wordfreq's table) gives exactly
    wordfreq.zipf_frequency. Checked once over all 294,365 plain words of the list and the
    WMT22 vocabulary; here every 97th word of the list, plus words that take the slow path."""
    import re

    import wordfreq

    from mtdetect.style import _frequencies, _zipf

    plain = sorted(w for w in _frequencies() if re.fullmatch("[a-z]+", w))
    assert len(plain) > 100_000
    sample = plain[::97] + ["the", "zzqxw", "don't", "high-level", "café", "u.s", "x1", "\u0131"]
    for word in sample:
        assert _zipf(word) == wordfreq.zipf_frequency(word, "en"), word


def test_sentence_feature_rows_carry_the_style_features() -> None:
    from mtdetect.features import SENTENCE_FEATURE_NAMES, analyze, sentence_features

    text = "The ministry said 25 drones were shot down. It didn't say where -- or when."
    analysis = analyze(text, [])
    X = sentence_features(analysis)
    for row, sent in zip(X, analysis.document.sentences):
        feats = style_features(sent.text)
        got = dict(zip(SENTENCE_FEATURE_NAMES, row))
        assert [got[f"sentence.style.{n}"] for n in STYLE_FEATURE_NAMES] == [feats[n] for n in STYLE_FEATURE_NAMES]
        assert feats["n_tokens"] > 0


STYLE_ROWS_CASES = [
    [],
    [""],
    ["a"],
    ["was"],
    ["He was", "quickly taken."],
    ["It was not known. It wasn't.", "The U.S. said 3.5% -- or 2,000 -- of them were seized at 12:30."],
    ["\u201cWe\u2019ll see,\u201d she said (again); \u00abNon!\u00bb", "", "   ", "Jean-Luc was badly hurt - again?"],
    ["x " * 120, "the the the the", "\u0416\u0443\u043a \u03b1\u03b2\u03b3 \u0130stanbul \u03a3\u0391\u03a3"],
]


@pytest.mark.parametrize("texts", STYLE_ROWS_CASES)
def test_style_rows_equal_style_row_to_the_last_bit(texts: list[str]) -> None:
    """The batched computation gives style_row's values exactly, with the whole text
    reusing the parts' tokens (joined by spaces) or tokenised apart (joined oddly)."""
    expected = [style_row(t) for t in texts]
    assert style_rows(texts).tolist() == expected
    for whole in (" ".join(texts), "|".join(texts) + " extra words", ""):
        assert style_rows(texts, whole).tolist() == expected + [style_row(whole)]


def test_style_rows_equal_style_row_on_news(shared_data) -> None:
    """Sentences and whole documents of WMT22 (checked once on 27,000 texts of three corpora)."""
    import json

    from mtdetect.segment import segment

    with (shared_data / "wmt" / "wmt22.jsonl").open(encoding="utf-8") as fh:
        for i, line in zip(range(150), fh):
            text = json.loads(line)["text"]
            sentences = [s.text for s in segment(text).sentences]
            got = style_rows(sentences, text)
            assert got.tolist() == [style_row(t) for t in sentences + [text]]
