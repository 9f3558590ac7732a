"""Shared fixtures: a fake embedder (no model load) and the shared-data location."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from mtdetect.datasets import has_shared_data, shared_data_dir

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"


class FakeEmbedder:
    """Deterministic pseudo-embeddings from a hash of the text, plus one informative
    dimension (a crude 'translationese' cue) so tiny models can learn something."""

    name = "fake-embedder"
    dim = 8

    def __init__(self) -> None:
        self.calls = 0
        self.encoded = 0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        self.encoded += len(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            h = hashlib.sha256(t.encode("utf-8", "surrogatepass")).digest()
            out[i, :-1] = np.frombuffer(h[: self.dim - 1], dtype=np.uint8) / 255.0
            out[i, -1] = len(t) / 200.0
        return out


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    root = shared_data_dir()
    if not has_shared_data(root):
        pytest.skip(f"shared data not found at {root}")
    return root


@pytest.fixture
def samples_dir() -> Path:
    return SAMPLES
