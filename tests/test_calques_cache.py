"""The calque recognizer's derived-prefilter cache (package data) is current and sound."""

from __future__ import annotations

from mtdetect.lexicons import load_lexicon
from mtdetect.recognizers import calques
from mtdetect.recognizers.calques import CalqueRecognizer, CalqueRule


def test_the_shipped_cache_matches_the_lexicon_and_code() -> None:
    # fails after an edit of calques.tsv, calques.py or prefilter.py until the cache is
    # regenerated with: python -m mtdetect.recognizers.calques
    assert calques._cached_derivations() is not None


def test_cached_prefilters_equal_fresh_derivations() -> None:
    cached = CalqueRecognizer().load().rules_
    fresh = tuple(CalqueRule.from_row(row) for row in load_lexicon("calques"))
    assert [r.rule for r in cached] == [r.rule for r in fresh]
    for a, b in zip(cached, fresh):
        assert a.needs == b.needs, a.rule
        # the quick key of a literal is any one of its keys (ties are broken by set order)
        assert [g[1] for g in a.word_groups] == [g[1] for g in b.word_groups], a.rule
        for quick, literals in a.word_groups:
            assert all(not quick.isdisjoint(lit) for lit in literals), a.rule


def test_a_stale_cache_is_ignored(monkeypatch) -> None:
    calques._cached_derivations.cache_clear()
    monkeypatch.setattr(calques, "derivation_key", lambda: "something else")
    try:
        assert calques._cached_derivations() is None
        assert len(CalqueRecognizer().load().rules_) == len(load_lexicon("calques"))
    finally:
        calques._cached_derivations.cache_clear()
