#!/usr/bin/env python3
"""Robustness: leave one MT system, or one source language, out of training and test on it.

For every held-out unit the model is retrained on the shipped train split without that
unit and scored on the dev documents of that unit plus the human-written dev documents
they are compared with. The model trained on everything is scored on the same subset;
the difference is the cost of never having seen the system or language.

Held-out units (chosen from the data, not by hand):
* systems with at least ``--min-docs`` MT documents in train and in dev (with 100: the
  online engines Online-A/B/G/W/Y, DeepL, Google and HuaweiTSC);
* source languages of MT documents present in both splits (ja, ru, de, and en: the
  English->German->English round trips). Leaving out a language removes its MT documents
  and its human translations; leaving out en removes the round trips (originals stay).
Languages only in dev (cs, zh) are never seen in training anyway; the all-data model's
figures on them are reported as they are.

``--synth`` adds the shipped synthetic round trips (``scripts/train.py``'s default set, each
source through two of the rule-based pivots) to training, as the shipped models have them. A synthetic article goes with its source document:
leaving out ja also removes the round trips of Japanese->English human translations. Leaving
out en removes the round trips through German only, so the table shows whether the synthetic
pivots (es, ca, pt) stand in for a pivot never seen.

Test subset of a unit: its dev MT documents; the human translations of the same corpus
and source languages; the original-English dev documents of the same corpus.

  python scripts/experiments/robustness.py --jobs 2 --out out/robustness_fast.json
  python scripts/experiments/robustness.py --embeddings --only google lang:ja \\
      --shipped-baseline --jobs 2 --out out/robustness_embeddings.json
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score

from mtdetect.datasets import LabelledDoc, has_shared_data, is_synthetic, manifest_hash, shared_data_dir, shipped_splits
from mtdetect.evaluate import COMPARISONS
from mtdetect.model import ModelConfig, fit_model, load_bundle
from mtdetect.training import analyze_docs, default_embedder, score_analyses

ROOT = Path(__file__).resolve().parents[2]
ALL_DATA = "all data"


@dataclass(frozen=True)
class Holdout:
    """One held-out unit: an MT system or a source language."""

    kind: str   # "system" | "language"
    value: str

    @property
    def key(self) -> str:
        return self.value if self.kind == "system" else f"lang:{self.value}"

    @classmethod
    def from_key(cls, key: str) -> "Holdout":
        """The unit a :attr:`key` names (``deepl``, ``lang:ja``)."""
        return cls("language", key[5:]) if key.startswith("lang:") else cls("system", key)

    def removes(self, doc: LabelledDoc) -> bool:
        """Whether a training document belongs to the held-out unit."""
        if self.kind == "system":
            return doc.y == 1 and doc.system == self.value
        if self.value == "en":  # English "source": the round trips; originals are not translations
            # through German (HTMT); synthetic round trips (engine specs with ':') stay
            return doc.label == "roundtrip_mt" and ":" not in (doc.system or "")
        return doc.src_lang == self.value and doc.label != "original"

    def is_test_mt(self, doc: LabelledDoc) -> bool:
        return doc.y == 1 and self.removes(doc)


def choose_holdouts(train: list[LabelledDoc], dev: list[LabelledDoc], min_docs: int) -> list[Holdout]:
    """Systems with enough MT documents on both sides, then languages present on both sides."""
    tr_sys = Counter(d.system for d in train if d.y == 1)
    dv_sys = Counter(d.system for d in dev if d.y == 1)
    systems = sorted(s for s in tr_sys if tr_sys[s] >= min_docs and dv_sys.get(s, 0) >= min_docs)
    tr_lang = {d.src_lang for d in train if d.y == 1}
    dv_lang = {d.src_lang for d in dev if d.y == 1}
    langs = sorted(tr_lang & dv_lang)
    return [Holdout("system", s) for s in systems] + [Holdout("language", lang) for lang in langs]


def test_subset(dev: list[LabelledDoc], is_mt) -> np.ndarray:
    """Indices: the unit's MT dev documents and the human dev documents they are compared with."""
    mt = [i for i, d in enumerate(dev) if is_mt(d)]
    corpora = {dev[i].corpus for i in mt}
    langs = {dev[i].src_lang for i in mt}
    human = [
        i for i, d in enumerate(dev)
        if d.y == 0 and d.corpus in corpora
        and (d.label == "original" or (d.label == "human_translation" and d.src_lang in langs))
    ]
    return np.array(sorted(mt + human), dtype=np.int64)


def metrics(docs: list[LabelledDoc], p: np.ndarray) -> dict:
    """Per comparison: counts, ROC-AUC, accuracy at p >= 0.5, MT recall and human flag rate at 0.5."""
    labels = np.array([d.label for d in docs])
    y = np.array([d.y for d in docs])
    out = {}
    for name, neg, pos in COMPARISONS:
        m = np.isin(labels, list(neg | pos))
        yy, pp = y[m], p[m]
        if yy.sum() == 0 or yy.sum() == len(yy):
            continue
        pred = pp >= 0.5
        out[name] = {
            "n_mt": int(yy.sum()), "n_human": int((1 - yy).sum()),
            "roc_auc": float(roc_auc_score(yy, pp)),
            "accuracy@0.5": float((pred == yy).mean()),
            "balanced_accuracy@0.5": float(0.5 * (pred[yy == 1].mean() + (~pred[yy == 0]).mean())),
            "mt_recall@0.5": float(pred[yy == 1].mean()),
            "human_flagged@0.5": float(pred[yy == 0].mean()),
        }
    return out


def _removed(train: list[LabelledDoc], holdout: Holdout | None) -> set[int]:
    """Indices of the training documents a held-out unit removes. A synthetic round trip
    (system an engine spec, with ':') goes with its source document: when a language's human
    translations are removed, their round trips are too (their records say src_lang 'en',
    the language of the text that was round-tripped)."""
    if holdout is None:
        return set()
    gone = {i for i, d in enumerate(train) if holdout.removes(d)}
    if holdout.kind == "language" and holdout.value != "en":
        groups = {train[i].group for i in gone if train[i].y == 0}
        gone |= {i for i, d in enumerate(train) if is_synthetic(d) and d.group in groups}
    return gone


# Filled in the parent before the worker pool forks, so workers share them without pickling.
_STATE: dict = {}


def _fit_and_score(key: str) -> tuple[str, np.ndarray, np.ndarray, dict]:
    """Train without the unit ``key`` (or on everything) and score its test subset."""
    from threadpoolctl import threadpool_limits

    train = _STATE["train"]
    tr_an, dv_an = _STATE["train_analyses"], _STATE["dev_analyses"]
    cfg: ModelConfig = _STATE["config"]
    idx = _STATE["test_idx"][key]
    holdout = _STATE["holdouts"].get(key)
    gone = _removed(train, holdout)
    keep = [i for i in range(len(train)) if i not in gone]
    removed = [train[i].label for i in sorted(gone)]
    t0 = time.time()
    with threadpool_limits(1 if _STATE["jobs"] > 1 else None):
        model = fit_model([tr_an[i] for i in keep], [train[i].y for i in keep], [train[i].group for i in keep],
                          _STATE["embedder"], cfg)
        p, _ = score_analyses(model, [dv_an[i] for i in idx])
    info = {"train_articles": len(keep), "removed_from_train": len(train) - len(keep),
            "removed_labels": dict(Counter(removed)),
            "fit_and_score_seconds": round(time.time() - t0, 1)}
    return key, idx, p, info


def _say(msg: str) -> None:
    print(f"[robustness] {msg}", file=sys.stderr, flush=True)


def _code_version() -> dict:
    """Where the imported package lives, and the project's commit (with uncommitted package changes, if any)."""
    import mtdetect

    out: dict = {"mtdetect": str(Path(mtdetect.__file__).resolve().parent)}
    try:
        git = ["git", "-C", str(ROOT)]
        out["commit"] = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True,
                                       check=True).stdout.strip()
        out["uncommitted"] = subprocess.run([*git, "status", "--porcelain", "--", "mtdetect", "models"],
                                            capture_output=True, text=True, check=True).stdout.split("\n")[:-1]
    except (OSError, subprocess.CalledProcessError):
        pass
    return out


def render(results: dict) -> str:
    """A markdown table: all-data vs held-out model on each unit's test subset."""
    head = ("| held out | comparison | n (MT / human) | ROC-AUC all data | ROC-AUC held out | drop "
            "| accuracy all data | accuracy held out | drop | MT recall all / held out |")
    lines = [head, "|" + "---|" * 10]
    for key, r in results["units"].items():
        for comp, base in r["all_data"].items():
            if comp == "all" and len(r["all_data"]) > 1:
                continue  # the separate comparisons say more than their union
            held = r.get("held_out", {}).get(comp)
            n = f"{base['n_mt']} / {base['n_human']}"
            if held is None:
                lines.append(f"| {key} | {comp} | {n} | {base['roc_auc']:.3f} | (never in train) | - "
                             f"| {base['accuracy@0.5']:.3f} | - | - | {base['mt_recall@0.5']:.2f} / - |")
                continue
            lines.append(
                f"| {key} | {comp} | {n} | {base['roc_auc']:.3f} | {held['roc_auc']:.3f} "
                f"| {base['roc_auc'] - held['roc_auc']:+.3f} | {base['accuracy@0.5']:.3f} "
                f"| {held['accuracy@0.5']:.3f} | {base['accuracy@0.5'] - held['accuracy@0.5']:+.3f} "
                f"| {base['mt_recall@0.5']:.2f} / {held['mt_recall@0.5']:.2f} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--embeddings", action="store_true", help="the full model (MiniLM) instead of the fast one")
    ap.add_argument("--only", nargs="+", metavar="UNIT", help="held-out units to run (e.g. deepl lang:ru)")
    ap.add_argument("--min-docs", type=int, default=100, help="MT documents a system needs in train and in dev")
    ap.add_argument("--jobs", type=int, default=1, help="models fitted in parallel (one core each)")
    ap.add_argument("--shipped-baseline", action="store_true",
                    help="use models/default(-fast) as the all-data model instead of retraining it "
                         "(only valid when the bundle was trained on the shipped split with the same config)")
    ap.add_argument("--synth", action="store_true", help="add the shipped synthetic round trips to training")
    ap.add_argument("--out", type=Path, default=ROOT / "out" / "robustness.json")
    args = ap.parse_args(argv)

    root = shared_data_dir()
    if not has_shared_data(root):
        print(f"shared data not found at {root}", file=sys.stderr)
        return 2
    t_start = time.time()
    code = _code_version()
    splits = shipped_splits(root)
    train, dev = splits["train"], splits["dev"]
    if args.synth:
        sys.path.insert(0, str(ROOT / "scripts"))
        from train import _synth_files, read_synthetic

        files = _synth_files(None)
        if not files:
            print("no synthetic data found: run scripts/synth_training.py first", file=sys.stderr)
            return 2
        train = train + read_synthetic(files)  # the rule-based pivots spread over the sources as shipped
        _say(f"with {len(train) - len(splits['train'])} synthetic articles from {[p.stem for p in files]}")
    holdouts = choose_holdouts(train, dev, args.min_docs)
    if args.only:
        unknown = set(args.only) - {h.key for h in holdouts}
        if unknown:
            print(f"unknown units {sorted(unknown)}; choose from {[h.key for h in holdouts]}", file=sys.stderr)
            return 2
        holdouts = [h for h in holdouts if h.key in args.only]
    cfg = ModelConfig(use_embeddings=args.embeddings)
    _say(f"held-out units: {[h.key for h in holdouts]}; config: {'with' if args.embeddings else 'without'} embeddings")

    test_idx = {h.key: test_subset(dev, h.is_test_mt) for h in holdouts}
    # languages never in training: the all-data model's figures on them are already out-of-language
    unseen = sorted({d.src_lang for d in dev if d.y == 1} - {d.src_lang for d in train if d.y == 1})
    if not args.only:
        for lang in unseen:
            test_idx[f"lang:{lang} (only in dev)"] = test_subset(dev, lambda d, lang=lang: d.y == 1 and d.src_lang == lang)

    _say(f"analysing {len(train)} train and {len(dev)} dev articles")
    embedder = default_embedder() if args.embeddings else None
    _STATE.update(train=train, dev=dev, train_analyses=analyze_docs(train, quiet=True),
                  dev_analyses=analyze_docs(dev, quiet=True), config=cfg, embedder=embedder,
                  holdouts={h.key: h for h in holdouts}, jobs=args.jobs,
                  test_idx={**test_idx, ALL_DATA: np.arange(len(dev))})

    scores: dict[str, tuple[np.ndarray, np.ndarray, dict]] = {}
    keys = [h.key for h in holdouts]
    if args.shipped_baseline:
        bundle = ROOT / "models" / ("default" if args.embeddings else "default-fast")
        model = load_bundle(bundle, embedder=embedder)
        if getattr(model, "embed_max_sentences", None) is not None:
            model.embed_max_sentences = None  # embed every sentence, as the held-out models do
        problems = _baseline_problems(model.card, cfg, root)
        if problems:
            print(f"{bundle} cannot serve as the all-data model: {problems}", file=sys.stderr)
            return 2
        p, _ = score_analyses(model, _STATE["dev_analyses"])
        scores[ALL_DATA] = (np.arange(len(dev)), p, {"source": str(bundle.relative_to(ROOT))})
        _say(f"all-data model: {bundle.relative_to(ROOT)}")
    else:
        keys = [ALL_DATA, *keys]

    if args.jobs > 1:
        import multiprocessing as mp

        with ProcessPoolExecutor(args.jobs, mp_context=mp.get_context("fork")) as pool:
            for key, idx, p, info in pool.map(_fit_and_score, keys):
                scores[key] = (idx, p, info)
                _say(f"{key}: done in {info['fit_and_score_seconds']} s")
    else:
        for key in keys:
            _, idx, p, info = _fit_and_score(key)
            scores[key] = (idx, p, info)
            _say(f"{key}: done in {info['fit_and_score_seconds']} s")

    base_idx, base_p, base_info = scores[ALL_DATA]
    base_by_doc = dict(zip(base_idx.tolist(), base_p.tolist()))
    units = {}
    for key, idx in test_idx.items():
        docs = [dev[i] for i in idx]
        entry = {
            "test_counts": dict(Counter(d.label for d in docs)),
            "all_data": metrics(docs, np.array([base_by_doc[i] for i in idx.tolist()])),
        }
        if key in scores:
            _, p, info = scores[key]
            entry["held_out"] = metrics(docs, p)
            entry["training"] = info
        units[key] = entry

    results = {
        "config": cfg.to_dict(),
        "synthetic_training_data": bool(args.synth),
        "code": code,
        "data_sha256": manifest_hash(_data_files(root)),
        "selection": f"systems with >= {args.min_docs} MT documents in train and in dev; "
                     "source languages of MT documents in both splits",
        "test_subset": "the unit's dev MT documents + human translations of the same corpus and source "
                       "languages + original-English dev documents of the same corpus",
        "all_data_model": base_info,
        "wall_seconds": round(time.time() - t_start, 1),
        "units": units,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(render(results))
    _say(f"wrote {args.out} ({results['wall_seconds']} s)")
    return 0


def _data_files(root: Path) -> list[Path]:
    """The shipped split's files, in the order scripts/train.py hashes them."""
    return [root / "wmt" / "wmt21.jsonl", root / "wmt" / "wmt22.jsonl",
            root / "htmt" / "htmt_train_documents.jsonl", root / "htmt" / "htmt_dev_documents.jsonl"]


def _baseline_problems(card: dict, cfg: ModelConfig, root: Path) -> list[str]:
    """Why a shipped bundle is not the model this script would train on all data (empty if it is)."""
    problems = []
    if card.get("data", {}).get("sha256") != manifest_hash(_data_files(root)):
        problems.append("trained on other data")
    trained_cfg = card.get("config", {})
    for k, v in cfg.to_dict().items():
        if trained_cfg.get(k) != v:
            problems.append(f"config {k}={trained_cfg.get(k)!r}, here {v!r}")
    return problems


if __name__ == "__main__":
    sys.exit(main())
