"""Properties that hold for ANY input text: the segmenter, every recognizer, the score path.

Hostile text from the web must never crash mtdetect or produce a span that does not
index the text. The strategies mix news-like tokens (names, calque triggers, quotes,
abbreviations) with the characters that break naive code: combining marks, right-to-left
text and controls, zero-width characters, lone surrogates (as ``surrogateescape``
produces), C0/C1 controls and NUL, every kind of line separator; and shapes that break
naive algorithms: very long tokens and lines, thousands of sentences, no punctuation.

Invariants:

* no exception;
* every sentence and finding span lies inside the text and equals its slice;
* sentences are in order, non-overlapping, non-empty, trimmed, and cover every
  non-whitespace character;
* finding scores, sentence and article ``p_mt`` lie in [0, 1];
* the score path replaces lone surrogates by U+FFFD (same offsets) rather than crash in
  the tokenizer or the text hasher, which cannot encode them.

Cost: the default profile runs ``max_examples=60`` per property (a few seconds each);
``HYPOTHESIS_PROFILE=thorough`` runs 1,000 and ``HYPOTHESIS_PROFILE=ci`` 200. The number of
cases each property actually ran is printed when the module finishes (visible with
``-s``) and, with ``MTDETECT_CASES_OUT=FILE``, written there as JSON; docs/reliability.md
records the measured counts.
"""

from __future__ import annotations

import json
import math
import os
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mtdetect.detector import Detector, RuleModel, replace_lone_surrogates
from mtdetect.guard import ArticleLimits
from mtdetect.recognizers import builtin_recognizers
from mtdetect.segment import segment
from mtdetect.types import Document, Verdict

_COMMON = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("default", max_examples=60, **_COMMON)
settings.register_profile("ci", max_examples=200, **_COMMON)
settings.register_profile("thorough", max_examples=1000, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

#: Generated cases per property in this module run (reported by :func:`report_case_counts`).
CASES: Counter[str] = Counter()


@pytest.fixture(scope="module", autouse=True)
def report_case_counts():
    """After the module: print the generated cases per property, and save them if asked."""
    yield
    counts = dict(sorted(CASES.items()))
    print(f"\nhypothesis cases per property ({os.environ.get('HYPOTHESIS_PROFILE', 'default')}): {counts}")
    out = os.environ.get("MTDETECT_CASES_OUT")
    if out:
        with open(out, "w", encoding="utf-8") as handle:
            json.dump(counts, handle, indent=2)

# --------------------------------------------------------------------------- strategies

COMBINING = "\u0300\u0301\u0308\u0327\u0338\u20dd\u0489\u1dc0\ufe20"
RTL = "\u05d0\u05e9\u05dc\u05d5\u05dd\u0627\u0644\u0633\u0644\u0627\u0645\u200f\u202b\u202e\u2067\u061f\u06d4"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"
CONTROLS = "".join(map(chr, range(0x00, 0x20))) + "\x7f\x85\x9f"
SEPARATORS = "\n\r\u2028\u2029\u000b\u000c\u001c\u001d\u001e\u0085 \t\u00a0\u2009\u202f\u3000"
SURROGATES = "\ud800\udbff\udc00\udc80\udcff\udfff"
PUNCTUATION = ".!?\u2026,;:()[]\"'\u201c\u201d\u2018\u2019\u00ab\u00bb\u201e-\u2010\u2011\u2013\u2014/@#%&*"
ODD_LETTERS = "\u0130\u0131\u00df\u1e9e\ufb01\u01c5\u2160\u2163\u216a\u00b2\u0663\uff21\uff41\U0001d400\U0001f600\u00e9\u00c9"
SPECIALS = COMBINING + RTL + ZERO_WIDTH + CONTROLS + SEPARATORS + SURROGATES + PUNCTUATION + ODD_LETTERS

# Tokens that steer text into the recognizers' interesting paths.
NEWS_TOKENS = (
    "The", "the", "a", "of", "top", "summit", "SCO", "G20", "NATO", "Shanghai", "Cooperation",
    "Organisation", "Mr.", "Mrs", "Dr.", "President", "XI", "Xi", "Jinping", "Kim", "Jong", "Un",
    "one", "un", "travels", "Marine", "Le", "Pen", "Ursula", "von", "der", "Leyen", "of the",
    "high", "-level", "high -level", "large -scale", "U.S.", "e.g.", "No.", "Sept.", "J.", "K.",
    "2025)", "(see", "a)", "iv)", ":-)", "Kong.Chinese", "Amazon.Com", "Yahoo!News", "new crown",
    "customs prices", "the Russian chief", "said", "in the framework of", "corona crisis",
    "Franco-German couple", "reporters learned", "it is said that", "\u201dChina\u201d",
    "\u00ab quoted \u00bb", "\u201eZitat\u201c", "really ?", "the end ;", "2 : 1", "Tiger :",
    "\"straight\"", "\u201ccurly\u201d", "Louis XI", "starting XI", "M\u00e9lenchon", "d'Estaing",
    "bin", "al-Thani", "...", "?!", ".\u201d", "\u2019.", "Hexagon", "sanitary crisis", "CDU-politician",
)

special_char = st.sampled_from(SPECIALS)
any_char = st.characters(codec=None, exclude_categories=())  # every code point, surrogates too
word = st.text(alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"), min_size=1, max_size=12)
space = st.sampled_from([" ", " ", " ", "  ", "\n", "\n\n", "\t", "\u00a0", "\r\n"])
piece = st.one_of(
    st.sampled_from(NEWS_TOKENS),
    word,
    space,
    special_char,
    any_char,
    st.sampled_from(PUNCTUATION),
)

#: Mixed news-like and hostile text, up to a few hundred pieces.
hostile_text = st.lists(piece, max_size=300).map("".join)


@st.composite
def long_token(draw: st.DrawFn) -> str:
    """One token of 2,000 - 60,000 characters, optionally inside a sentence."""
    unit = draw(st.sampled_from(["a", "A", "aB", "-", ".", "a.", "A.", "\u0301", "\u200b", "9", "'", "\"", ")", "é"]))
    n = draw(st.integers(min_value=2_000, max_value=60_000)) // len(unit)
    before, after = draw(st.sampled_from(NEWS_TOKENS)), draw(st.sampled_from(NEWS_TOKENS))
    return f"{before} {unit * n} {after}"


@st.composite
def many_sentences(draw: st.DrawFn) -> str:
    """1,000 - 5,000 short sentences, with line breaks or in one paragraph."""
    n = draw(st.integers(min_value=1_000, max_value=5_000))
    sentence = draw(st.sampled_from(["Mr. XI spoke.", "It rained!", "The top of the SCO.", "A b c?", "Go.", "\u201dYes.\u201d"]))
    joiner = draw(st.sampled_from([" ", "\n", "", "  "]))
    return joiner.join([sentence] * n)


#: Letters and spaces only: no punctuation at all, long lines.
no_punctuation = st.text(alphabet=st.sampled_from("abcdefghij KLMNOP\u00e9\u05d0 "), min_size=0, max_size=20_000)

any_text = st.one_of(hostile_text, hostile_text, hostile_text, long_token(), many_sentences(), no_punctuation)


# --------------------------------------------------------------------------- invariants


def check_document(doc: Document, text: str) -> None:
    """Sentence invariants: inside, equal to the slice, ordered, disjoint, trimmed, covering."""
    assert doc.text is text or doc.text == text
    previous_end = 0
    covered = 0
    for i, s in enumerate(doc.sentences):
        assert s.index == i
        assert previous_end <= s.start < s.end <= len(text)
        assert s.text == text[s.start : s.end]
        assert not s.text[0].isspace() and not s.text[-1].isspace()
        assert not any(c in s.text for c in "\n\r\u2028\u2029")
        # Between two sentences there is only whitespace.
        assert text[previous_end : s.start].isspace() or previous_end == s.start or i == 0
        previous_end = s.end
        covered += s.end - s.start
    assert all(c.isspace() for c in text[previous_end:])
    if doc.sentences:
        assert all(c.isspace() for c in text[: doc.sentences[0].start])
    else:
        assert text.isspace() or text == ""


def check_findings(findings, text: str, *, kind: str | None = None, recognizer: str | None = None) -> None:
    for f in findings:
        assert 0 <= f.start < f.end <= len(text), f
        assert f.text == text[f.start : f.end]
        assert 0.0 <= f.score <= 1.0 and math.isfinite(f.score)
        assert f.message
        if kind is not None:
            assert (f.kind, f.recognizer) == (kind, recognizer)
    assert [(f.start, f.end) for f in findings] == sorted((f.start, f.end) for f in findings)


def check_report(report, text: str) -> None:
    # The detector replaces lone surrogates by U+FFFD, one for one, before analysis.
    text = replace_lone_surrogates(text)
    assert report.error is None
    assert report.p_mt is not None and 0.0 <= report.p_mt <= 1.0 and math.isfinite(report.p_mt)
    assert report.verdict in set(Verdict)
    doc = segment(text)
    assert [(s.start, s.end) for s in report.sentences] == [(s.start, s.end) for s in doc.sentences]
    for s in report.sentences:
        assert s.text == text[s.start : s.end]
        assert 0.0 <= s.p_mt <= 1.0 and math.isfinite(s.p_mt)
        check_findings(s.findings, text)
        assert all(s.start <= f.start < s.end for f in s.findings)
    check_findings(report.findings, text)
    if report.source_lang_confidence is not None:
        assert 0.0 <= report.source_lang_confidence <= 1.0
    json.dumps(report.to_dict())  # the output edge can serialise whatever came in


# --------------------------------------------------------------------------- properties

RECOGNIZERS = {rec.name: rec.load() for rec in builtin_recognizers()}
NO_LIMITS = ArticleLimits(max_chars=0, max_token_chars=0, max_sentences=0)


@pytest.fixture(scope="session")
def fast_detector() -> Detector:
    """The shipped fast model (no embeddings): the trained score path, loaded once.

    Without size limits: these properties are about analysing any text; refusing an article
    over a limit is specified in test_batch_guard.py."""
    return Detector.load(fast=True, limits=NO_LIMITS)


@given(any_text)
def test_segmenter_spans_index_the_original_text(text: str) -> None:
    CASES["segment"] += 1
    check_document(segment(text), text)


@pytest.mark.parametrize("name", sorted(RECOGNIZERS))
@given(text=any_text)
def test_every_recognizer_returns_findings_that_index_the_text(name: str, text: str) -> None:
    CASES[f"recognizer:{name}"] += 1
    rec = RECOGNIZERS[name]
    findings = rec.analyze(segment(text))
    check_findings(findings, text, kind=rec.kind, recognizer=rec.name)


@given(any_text)
def test_rule_model_scores_any_text(text: str) -> None:
    CASES["score:rules"] += 1
    check_report(RULES_DETECTOR.score(text), text)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(text=any_text)
def test_trained_fast_model_scores_any_text(fast_detector: Detector, text: str) -> None:
    CASES["score:default-fast"] += 1
    check_report(fast_detector.score(text), text)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(texts=st.lists(hostile_text, min_size=2, max_size=6))
def test_a_batch_scores_each_text_as_it_would_alone(fast_detector: Detector, texts: list[str]) -> None:
    CASES["score:batch"] += 1
    together = list(fast_detector.score_many(texts))
    for text, report in zip(texts, together, strict=True):
        check_report(report, text)
        alone = fast_detector.score(text)
        assert report.p_mt == pytest.approx(alone.p_mt, abs=1e-9)


RULES_DETECTOR = Detector(RuleModel(), limits=NO_LIMITS)
