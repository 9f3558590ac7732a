"""The contract every built-in recognizer keeps, checked over all of them."""

from __future__ import annotations

import re

import pytest

from mtdetect.recognizers import BUILTIN_RECOGNIZERS, builtin_recognizers, recognizer_schema
from mtdetect.recognizers.base import Recognizer
from mtdetect.segment import segment

TEXTS = [
    "",
    "Plain sentence without anything odd.",
    "Mr. XI met Kim Jong one at the top of the Shanghai Cooperation Organisation. "
    "A high -level meeting ended (September 2, 2025). ”China wins.",
    "x" * 5000,
    "-" * 3000 + " " + "(" * 500 + " " + "Mr. " * 300,
    "\u202eRTL\u200b zero\u200dwidth \u0301combining \x00 nul",
]
REC_IDS = [cls.name for cls in BUILTIN_RECOGNIZERS]


@pytest.mark.parametrize("cls", BUILTIN_RECOGNIZERS, ids=REC_IDS)
def test_class_metadata(cls):
    assert issubclass(cls, Recognizer)
    assert re.fullmatch(r"[a-z_]+", cls.name)
    assert re.fullmatch(r"[a-z_]+", cls.kind)
    assert re.fullmatch(r"\d+\.\d+", cls.version)
    assert len(cls.description) > 10


def test_names_are_unique():
    names = [cls.name for cls in BUILTIN_RECOGNIZERS]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("cls", BUILTIN_RECOGNIZERS, ids=REC_IDS)
@pytest.mark.parametrize("text", TEXTS, ids=range(len(TEXTS)))
def test_findings_are_well_formed(cls, text):
    rec = cls()
    doc = segment(text)
    findings = rec.analyze(doc)
    assert findings == sorted(findings, key=lambda f: (f.start, f.end))
    for f in findings:
        assert 0 <= f.start < f.end <= len(text)
        assert text[f.start : f.end] == f.text
        assert 0.0 <= f.score <= 1.0
        assert f.kind == rec.kind
        assert f.recognizer == rec.name
        assert f.message and f.rule
        assert f.source_lang_hint is None or re.fullmatch(r"[a-z]{2}", f.source_lang_hint)


@pytest.mark.parametrize("cls", BUILTIN_RECOGNIZERS, ids=REC_IDS)
def test_analyze_is_pure_and_repeatable(cls):
    rec = cls()
    doc = segment(TEXTS[2])
    assert rec.analyze(doc) == rec.analyze(doc)


def test_load_is_lazy_and_idempotent():
    rec = builtin_recognizers()[0]
    assert rec._loaded is False
    assert rec.load() is rec.load()
    assert rec._loaded is True


def test_schema_lists_every_recognizer():
    schema = recognizer_schema()
    assert [s["name"] for s in schema] == REC_IDS
    assert all(set(s) == {"name", "kind", "version"} for s in schema)


@pytest.mark.parametrize("cls", BUILTIN_RECOGNIZERS, ids=REC_IDS)
def test_resources_load_lazily_and_once(cls):
    rec = cls()
    assert rec._loaded is False
    assert rec.load() is rec.load()


@pytest.mark.parametrize("cls", BUILTIN_RECOGNIZERS, ids=REC_IDS)
def test_every_kind_has_model_features(cls):
    from mtdetect.features import FINDING_KINDS

    assert cls.kind in FINDING_KINDS
