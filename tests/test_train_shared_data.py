"""Integration: a small model trained on a slice of the shared corpora beats chance on
held-out source documents. Skipped when ../shared/data is absent."""

from __future__ import annotations

import pytest

from mtdetect.datasets import read_labelled
from mtdetect.model import ModelConfig
from mtdetect.training import train


@pytest.mark.shared_data
def test_tiny_model_beats_chance_on_held_out_documents(shared_data, tmp_path):
    docs = [d for d in read_labelled([shared_data / "htmt" / "htmt_train_documents.jsonl"])
            if d.label in {"human_translation", "mt"} and d.extra.get("year") in (2014, 2016)]
    dev = [d for d in read_labelled([shared_data / "htmt" / "htmt_dev_documents.jsonl"])][:120]
    assert {d.group for d in docs}.isdisjoint({d.group for d in dev})
    _, result = train(docs, dev, tmp_path / "m", config=ModelConfig(use_embeddings=False, n_folds=3),
                      name="tiny", quiet=True)
    art = result["article"]["comparisons"]["human_translation_vs_mt"]
    assert art["n_human"] > 20 and art["n_mt"] > 40
    assert art["roc_auc"] > 0.55
