#!/usr/bin/env python3
"""Where the int8 encoder's error comes from, and what removing it would cost.

The shipped default model encodes with torch's dynamic int8 quantisation: each Linear
layer's input is scaled by the range of the whole batch, so a sentence's vector is 0.94 from
float32's on average and moves with the sentences beside it (scripts/experiments/
batch_dependence.py). This script measures, on the sentences the default mode embeds of
``--articles`` dev articles (fixed seed, drawn as batch_dependence.py draws its sample):

1. **which Linear layers carry the error**: each group (query/key/value, attention output,
   FFN up-projection, FFN down-projection) quantised alone, the rest in float32: cosine of
   the vectors to float32's;
2. **encoders that would remove it**, timed alternately on the default mode's batches (the
   sentences of 32 articles per call, in batches of 64): int8 as shipped; int8 with only the FFN
   down-projection in bfloat16, or with it quantised per token (int8 GEMM, one scale per
   token, ``torch._int_mm``); every Linear per token; bfloat16 throughout. Each reports
   cosine to float32 and cosine between the article-batch vectors and one article per call
   (batch dependence);
3. **the int8 encoder called once per article** (the article's own sentences as the batch),
   which makes an article's vectors its own, at the cost of smaller batches;
4. **SmoothQuant-style smoothing** of the FFN down-projection's input (per channel, alpha),
   the usual remedy for outlier channels.

    python scripts/experiments/int8_error.py [--articles 150] [--rounds 3] [--json out.json]
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

GROUPS = {"query/key/value": ("query", "key", "value"), "attention output": ("attention_out",),
          "FFN up-projection": ("intermediate",), "FFN down-projection": ("output",)}
LINEARS = ("query", "key", "value", "attention_out", "intermediate", "output")


def _dynamic_int8(linear):
    import warnings

    import torch

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return torch.ao.quantization.quantize_dynamic(torch.nn.Sequential(linear), {torch.nn.Linear},
                                                      dtype=torch.qint8)[0]


def _module_classes():
    import torch

    class Bf16Linear(torch.nn.Module):
        def __init__(self, linear) -> None:
            super().__init__()
            self.weight = linear.weight.detach().bfloat16()
            self.bias = linear.bias.detach().bfloat16()

        def forward(self, x):
            return torch.nn.functional.linear(x.bfloat16(), self.weight, self.bias).float()

    class PerTokenInt8Linear(torch.nn.Module):
        """int8 weights (one scale per output channel), int8 inputs (one scale per token)."""

        def __init__(self, linear) -> None:
            super().__init__()
            w = linear.weight.detach()
            self.w_scale = (w.abs().amax(1) / 127).clamp_min(1e-12)
            self.w_q = torch.round(w / self.w_scale[:, None]).to(torch.int8).t().contiguous()
            self.bias = linear.bias.detach()

        def forward(self, x):
            shape = x.shape
            x2 = x.reshape(-1, shape[-1])
            scale = x2.abs().amax(1, keepdim=True).clamp_min_(1e-8)
            q = (x2 * (127.0 / scale)).round_().to(torch.int8)
            y = torch._int_mm(q, self.w_q).to(torch.float32).mul_(scale / 127.0).mul_(self.w_scale).add_(self.bias)
            return y.view(*shape[:-1], -1)

    class Smoothed(torch.nn.Module):
        def __init__(self, linear, inverse) -> None:
            super().__init__()
            self.linear = linear
            self.register_buffer("inverse", inverse)

        def forward(self, x):
            return self.linear(x * self.inverse)

    return Bf16Linear, PerTokenInt8Linear, Smoothed


def _runner_with(base, replace_linear):
    """A copy of the float32 runner whose Linear layers are replaced by ``replace_linear(name, linear)``."""
    runner = copy.copy(base)
    runner.encoder = copy.deepcopy(base.encoder)
    for layer in runner.encoder.layers:
        for name in LINEARS:
            new = replace_linear(name, getattr(layer, name))
            if new is not None:
                setattr(layer, name, new)
    return runner


def _cosines(a: np.ndarray, b: np.ndarray) -> dict:
    c = (a * b).sum(1)
    return {"mean": round(float(c.mean()), 5), "min": round(float(c.min()), 5)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=150)
    ap.add_argument("--rounds", type=int, default=3, help="alternating timing rounds")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch

    from batch_dependence import dev_sample  # the same dev sample (this script's folder)
    from mtdetect.datasets import shipped_splits
    from mtdetect.embeddings import _MiniLMRunner, _model_dir
    from mtdetect.segment import segment

    sample = dev_sample(args.articles)
    if sample is None:
        print("needs ../shared/data", file=sys.stderr)
        return 2
    torch.set_num_threads(args.threads)
    articles = sample[1]
    flat = [s for a in articles for s in a]

    def in_article_batches(runner) -> np.ndarray:  # the default mode's calls: 32 articles each
        return np.vstack([runner.encode([s for a in articles[i:i + 32] for s in a], 64)
                          for i in range(0, len(articles), 32)])

    def per_article(runner) -> np.ndarray:
        return np.vstack([runner.encode(a, 64) for a in articles])

    base = _MiniLMRunner(_model_dir(), 128)
    reference = in_article_batches(base)
    result: dict = {"articles": len(articles), "sentences": len(flat), "threads": args.threads}

    # 1. which Linear layers carry the error
    result["one_group_int8"] = {
        group: _cosines(in_article_batches(_runner_with(base, lambda n, lin, g=names: _dynamic_int8(lin) if n in g else None)),
                        reference)
        for group, names in GROUPS.items()}

    # 2. encoders that would remove it, and 3. int8 per article
    Bf16Linear, PerTokenInt8Linear, Smoothed = _module_classes()
    encoders = {
        "int8 (shipped)": _runner_with(base, lambda n, lin: _dynamic_int8(lin)),
        "int8, FFN down-projection bfloat16": _runner_with(
            base, lambda n, lin: Bf16Linear(lin) if n == "output" else _dynamic_int8(lin)),
        "int8, FFN down-projection per token": _runner_with(
            base, lambda n, lin: PerTokenInt8Linear(lin) if n == "output" else _dynamic_int8(lin)),
        "int8 per token, every Linear": _runner_with(base, lambda n, lin: PerTokenInt8Linear(lin)),
        "bfloat16, every Linear": _runner_with(base, lambda n, lin: Bf16Linear(lin)),
    }
    calls = {name: in_article_batches for name in encoders}
    encoders["int8, one call per article"] = encoders["int8 (shipped)"]
    calls["int8, one call per article"] = per_article
    for name, runner in encoders.items():  # warm up
        runner.encode(flat[:64], 64)
    speed: dict[str, list[float]] = {name: [] for name in encoders}
    vectors: dict[str, np.ndarray] = {}
    for _ in range(args.rounds):
        for name, runner in encoders.items():
            start = time.perf_counter()
            vectors[name] = calls[name](runner)
            speed[name].append(round(len(articles) / (time.perf_counter() - start), 1))
    result["encoders"] = {}
    for name, runner in encoders.items():
        alone = per_article(runner)
        result["encoders"][name] = {"articles_per_s": speed[name], "cosine_to_float32": _cosines(vectors[name], reference),
                                    "article_batches_vs_one_article_per_call": _cosines(in_article_batches(runner), alone)}

    # 4. smoothing the FFN down-projection's input, then int8 as shipped
    maxima: dict[int, torch.Tensor] = {}

    def hook(index):
        def record(_module, inputs):
            m = inputs[0].detach().reshape(-1, inputs[0].shape[-1]).abs().amax(0)
            maxima[index] = torch.maximum(maxima.get(index, m), m)
        return record

    handles = [layer.output.register_forward_pre_hook(hook(i)) for i, layer in enumerate(base.encoder.layers)]
    train = shipped_splits()["train"]
    calibration = [s.text for d in train[:200] for s in segment(d.text).sentences[:6]][:800]
    base.encode(calibration, 64)
    for h in handles:
        h.remove()
    result["smoothquant_ffn_down"] = {}
    for alpha in (0.3, 0.5, 0.7, 0.85):
        runner = copy.copy(base)
        runner.encoder = copy.deepcopy(base.encoder)
        for i, layer in enumerate(runner.encoder.layers):
            s = maxima[i].clamp_min(1e-5).pow(alpha) / layer.output.weight.abs().amax(0).clamp_min(1e-5).pow(1 - alpha)
            layer.output.weight.data *= s[None, :]
            for name in LINEARS:
                setattr(layer, name, _dynamic_int8(getattr(layer, name)))
            layer.output = Smoothed(layer.output, 1.0 / s)
        result["smoothquant_ffn_down"][str(alpha)] = {
            "cosine_to_float32": _cosines(in_article_batches(runner), reference),
            "article_batches_vs_one_article_per_call": _cosines(in_article_batches(runner), per_article(runner))}
    print(json.dumps(result, indent=1))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
