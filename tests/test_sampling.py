"""Training-data helpers: which records `mtdetect synth` made, and label-stratified samples."""

from __future__ import annotations

from collections import Counter

import numpy as np

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
