#!/usr/bin/env python3
"""Would ONNX Runtime encode sentences faster than the shipped torch int8 MiniLM?

The encoder is 86% of the default mode's time (docs/benchmarks.md). This exports the shipped
encoder (``mtdetect.embeddings._MiniLMRunner``, float weights) to ONNX, quantises a copy to int8
with ONNX Runtime's dynamic quantisation, and encodes the same sentences (the first 8 sentences
of the first dev articles, as the default mode embeds them, in its length-sorted batches of
64) with the shipped ``MiniLMEmbedder(quantize=True)`` and with both ONNX models on 2 threads.
It reports sentences/s and the cosine of each vector to the shipped one (a model trained on
the shipped vectors needs them close, or retraining) and to torch's float32 encoder.

Needs ``pip install onnx onnxruntime`` (not project dependencies).

  python scripts/experiments/onnx_encoder.py --sentences 2000
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sentences", type=int, default=2000)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    import onnxruntime as ort
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from mtdetect.datasets import shipped_splits
    from mtdetect.embeddings import MiniLMEmbedder, _MiniLMRunner, _model_dir
    from mtdetect.segment import segment

    sents: list[str] = []
    for d in shipped_splits()["dev"]:
        sents += [s.text for s in segment(d.text).sentences][:8]
        if len(set(sents)) >= args.sentences:
            break
    sents = list(dict.fromkeys(sents))[: args.sentences]
    shipped = MiniLMEmbedder(quantize=True, threads=2)
    shipped.encode(sents[:64])  # load and warm up
    t = time.perf_counter()
    ref = shipped.encode(sents)
    rows = [{"encoder": "torch int8 (shipped)", "sentences_per_s": len(sents) / (time.perf_counter() - t)}]
    plain = MiniLMEmbedder(quantize=False, threads=2)
    plain.encode(sents[:64])
    t = time.perf_counter()
    f32 = plain.encode(sents)
    cos = (f32 * ref).sum(1)
    rows.append({"encoder": "torch float32", "sentences_per_s": len(sents) / (time.perf_counter() - t),
                 "cosine_to_shipped_mean": float(cos.mean()), "cosine_to_shipped_min": float(cos.min())})

    runner = _MiniLMRunner(_model_dir(), 128)
    ids = torch.ones((2, 16), dtype=torch.long)
    mask = torch.ones((2, 16), dtype=torch.long)
    mask[1, 10:] = 0  # a padded row, so that the export traces the masked attention
    with tempfile.TemporaryDirectory() as tmp:
        fp32, int8 = Path(tmp) / "minilm.onnx", Path(tmp) / "minilm-int8.onnx"
        torch.onnx.export(runner.encoder, (ids, mask), str(fp32), input_names=["ids", "mask"], output_names=["h"],
                          dynamic_axes={"ids": {0: "b", 1: "t"}, "mask": {0: "b", 1: "t"}, "h": {0: "b", 1: "t"}},
                          opset_version=17, dynamo=False)
        quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8)
        for name, path in (("onnxruntime float32", fp32), ("onnxruntime int8", int8)):
            opts = ort.SessionOptions()
            opts.intra_op_num_threads = 2
            sess = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
            out = np.empty((len(sents), ref.shape[1]), dtype=np.float32)
            t = time.perf_counter()
            for idx, i, m in runner.batches(sents, 64):
                h = sess.run(None, {"ids": i.numpy(), "mask": m.numpy()})[0]
                w = m.numpy()[..., None].astype(np.float32)
                pooled = (h * w).sum(1) / np.clip(w.sum(1), 1e-9, None)
                out[idx] = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
            speed = len(sents) / (time.perf_counter() - t)
            cos, cos32 = (out * ref).sum(1), (out * f32).sum(1)
            rows.append({"encoder": name, "sentences_per_s": speed, "cosine_to_shipped_mean": float(cos.mean()),
                         "cosine_to_shipped_min": float(cos.min()), "cosine_to_torch_float32_mean": float(cos32.mean()),
                         "cosine_to_torch_float32_min": float(cos32.min())})
    for r in rows:
        print(json.dumps(r))
    if args.out:
        args.out.write_text(json.dumps({"sentences": len(sents), "rows": rows}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
