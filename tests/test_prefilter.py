"""Literal prefilters (mtdetect/recognizers/prefilter.py): sound, and invisible in the findings."""

from __future__ import annotations

import dataclasses
import json
import re
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mtdetect.lexicons import load_lexicon
from mtdetect.recognizers.calques import CalqueRecognizer
from mtdetect.recognizers.prefilter import Prefilter, fold, prefilter_for
from mtdetect.segment import segment


def groups(pattern: str, flags: int = 0) -> set[frozenset[str]] | None:
    pf = prefilter_for(re.compile(pattern, flags))
    return None if pf is None else {frozenset(g) for g in pf.groups}


# --- derivation --------------------------------------------------------------------------------
def test_literal_words_of_a_sequence_are_required():
    assert groups(r"\bmigration\s+background\b", re.I) == {frozenset({"background"}), frozenset({"migration"})}


def test_alternation_becomes_one_group_of_its_branches():
    assert groups(r"\bcorona\s+(?:crisis|rules)\b") == {frozenset({"corona"}), frozenset({"crisis", "rules"})}


def test_optional_parts_require_nothing():
    assert groups(r"(?:the\s+)?quasi-?totality") == {frozenset({"totality"}), frozenset({"quasi"})}
    assert groups(r"(?:foo)?\w+") is None
    assert groups(r"\w+") is None


def test_small_character_classes_multiply_out():
    assert groups(r"[Tt]he\s+top\s+of") == {frozenset({"top"}), frozenset({"the"}), frozenset({"of"})}


def test_repeats_of_at_least_one_keep_what_one_requires():
    assert groups(r"(?:abc){2,}") == {frozenset({"abc"})}
    assert groups(r"(?:abc){0,3}") is None


def test_case_sensitive_patterns_are_folded_too():
    pf = prefilter_for(re.compile(r"\bHexagon\b"))
    assert pf.admits(fold("in the Hexagon")) and pf.admits(fold("HEXAGON"))
    assert not pf.admits(fold("a hex a gone"))


def test_an_alternative_with_nothing_required_drops_the_whole_group():
    # "(?:top|\w+)" can match any word: no group can stand for it.
    assert groups(r"summit\s+(?:top|\w+)") == {frozenset({"summit"})}


def test_prefilter_groups_are_a_conjunction():
    pf = Prefilter((("top",), ("nato", "g20")))
    assert pf.admits("the top of the g20") and pf.admits("nato ... top")
    assert not pf.admits("the top of the eu") and not pf.admits("nato summit")


# --- soundness ---------------------------------------------------------------------------------
def _lexicon_literals() -> set[str]:
    rec = CalqueRecognizer().load()
    chars: set[str] = set()
    for rule in rec.rules_:
        for pf in rule.needs:
            for group in pf.groups:
                for literal in group:
                    chars.update(literal)
    return chars


def test_fold_keeps_every_case_insensitive_match_of_a_lexicon_letter():
    """Over all of Unicode: whatever re.IGNORECASE lets a literal character match, the folded
    text still contains that character's fold (else a prefilter could hide a real match)."""
    everything = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    chars = _lexicon_literals() | set("abcdefghijklmnopqrstuvwxyz")
    assert len(chars) > 26
    for ch in sorted(chars):
        for m in re.finditer(re.escape(ch), everything, re.IGNORECASE):
            assert fold(ch) in fold(m.group()), (ch, m.group(), hex(ord(m.group())))


def _lexicon_patterns() -> list[tuple[str, re.Pattern[str]]]:
    rec = CalqueRecognizer().load()
    out = []
    for rule in rec.rules_:
        out.append((rule.rule, rule.pattern))
        if rule.context is not None:
            out.append((rule.rule + ":context", rule.context))
    return out


@pytest.mark.parametrize("name,pattern", _lexicon_patterns(), ids=lambda x: x if isinstance(x, str) else "")
def test_every_generated_match_passes_the_prefilter(name, pattern):
    """Strings generated from each calque regex (hypothesis' from_regex) always pass its prefilter."""
    pf = prefilter_for(pattern)
    if pf is None:
        pytest.skip(f"{name}: no literal required")

    @settings(max_examples=40, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.from_regex(pattern))
    def check(text: str) -> None:
        assert pattern.search(text)
        assert pf.admits(fold(text)), (text, pf)

    check()


def test_most_calque_rules_have_a_prefilter():
    rec = CalqueRecognizer().load()
    assert sum(bool(rule.needs) for rule in rec.rules_) == len(rec.rules_)


# --- invisible in the findings -----------------------------------------------------------------
def _without_prefilters() -> CalqueRecognizer:
    rec = CalqueRecognizer().load()
    rec.rules_ = tuple(dataclasses.replace(rule, needs=()) for rule in rec.rules_)
    return rec


def test_lexicon_examples_give_the_same_findings_with_and_without_prefilters():
    fast, slow = CalqueRecognizer().load(), _without_prefilters()
    rows = list(load_lexicon("calques"))
    text = "\n".join(row["example"] for row in rows)
    doc = segment(text)
    found = slow.analyze(doc)
    assert len(found) >= len(rows) * 0.9  # the examples do fire
    assert fast.analyze(doc) == found
    for row in rows:  # one example at a time too: article-level filtering sees less text
        doc = segment(row["example"])
        assert fast.analyze(doc) == slow.analyze(doc), row["rule"]


def _shared_texts(root, per_file: int):
    for rel in ("wmt/wmt22.jsonl", "htmt/htmt_dev_documents.jsonl", "wmt/wmt21.jsonl"):
        with (root / rel).open(encoding="utf-8") as fh:
            for i, line in enumerate(fh):
                if i == per_file:
                    break
                yield json.loads(line)["text"]


def test_shared_corpus_gives_the_same_findings_with_and_without_prefilters(shared_data):
    """(Checked once over all 78,756 shared documents and their 902 calque findings: equal.)"""
    fast, slow = CalqueRecognizer().load(), _without_prefilters()
    seen = 0
    for text in _shared_texts(shared_data, per_file=600):
        doc = segment(text)
        expected = slow.analyze(doc)
        seen += len(expected)
        assert fast.analyze(doc) == expected
    assert seen > 0
