"""Training-data helpers: which records `mtdetect synth` made, and label-stratified samples."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from mtdetect.datasets import LabelledDoc, is_synthetic, stratified_sample


def doc(i: int, label: str, system: str | None = None) -> LabelledDoc:
    return LabelledDoc(id=f"d{i}", text="Text.", label=label, group=f"g{i}", corpus="c", system=system)


def test_is_synthetic_knows_engine_chains_and_their_families():
    rt = doc(1, "roundtrip_mt", "bergamot:en-pt>bergamot:pt-en")
    ap = doc(2, "roundtrip_mt", "apertium:eng-spa>apertium:spa-eng")
    wmt = doc(3, "mt", "Online-B")
    human = doc(4, "original")
    assert [is_synthetic(d) for d in (rt, ap, wmt, human)] == [True, True, False, False]
    assert [is_synthetic(d, {"bergamot"}) for d in (rt, ap, wmt, human)] == [True, False, False, False]
    assert is_synthetic(doc(5, "roundtrip_mt", "cmd:my-engine>apertium:spa-eng"), ["apertium", "nope"])


def test_stratified_sample_keeps_label_shares_and_respects_allowed():
    docs = [doc(i, "original") for i in range(100)] + [doc(100 + i, "mt", "bergamot:x" if i % 2 else "W") for i in range(300)]
    idx = stratified_sample(docs, 40, np.random.default_rng(0), lambda d: not is_synthetic(d))
    assert list(idx) == sorted(idx) and len(set(idx.tolist())) == len(idx)
    assert all(not is_synthetic(docs[i]) for i in idx)
    # 100 originals and 150 allowed MT articles: 40 keeps the 2:3 split
    assert Counter(docs[i].label for i in idx) == {"original": 16, "mt": 24}
    again = stratified_sample(docs, 40, np.random.default_rng(0), lambda d: not is_synthetic(d))
    assert list(again) == list(idx)


def test_stratified_sample_keeps_a_rare_label_and_returns_everything_when_small():
    docs = [doc(i, "original") for i in range(999)] + [doc(999, "human_translation")]
    idx = stratified_sample(docs, 10, np.random.default_rng(1))
    assert "human_translation" in {docs[i].label for i in idx}
    assert list(stratified_sample(docs[:5], 10, np.random.default_rng(1))) == [0, 1, 2, 3, 4]
    assert len(stratified_sample(docs, None, np.random.default_rng(1))) == 1000


def test_spread_over_systems_keeps_k_pivots_per_source_and_everything_else():
    from mtdetect.datasets import spread_over_systems

    pool = ["apertium:a>apertium:b", "apertium:c>apertium:d", "apertium:e>apertium:f", "apertium:g>apertium:h"]
    docs = []
    for g in range(400):
        docs.append(LabelledDoc(id=f"o{g}", text="T.", label="original", group=f"g{g}", corpus="c"))
        docs.append(LabelledDoc(id=f"b{g}", text="T.", label="roundtrip_mt", group=f"g{g}", corpus="c",
                                system="bergamot:en-pt>bergamot:pt-en"))
        docs += [LabelledDoc(id=f"{s}{g}", text="T.", label="roundtrip_mt", group=f"g{g}", corpus="c", system=s)
                 for s in pool]
    kept = spread_over_systems(docs, pool, 2)
    per_group = Counter(d.group for d in kept if d.system in pool)
    assert set(per_group.values()) == {2} and len(per_group) == 400
    # human-written documents and systems outside the pool are all kept
    assert sum(d.label == "original" for d in kept) == 400
    assert sum((d.system or "").startswith("bergamot") for d in kept) == 400
    # every pivot is used about equally often (each by half of the sources, +-15%)
    per_system = Counter(d.system for d in kept if d.system in pool)
    assert all(170 <= n <= 230 for n in per_system.values()), per_system
    # the same choice on every run, whatever the order of the input
    assert {d.id for d in spread_over_systems(list(reversed(docs)), pool, 2)} == {d.id for d in kept}
    with pytest.raises(ValueError):
        spread_over_systems(docs, pool, 5)
