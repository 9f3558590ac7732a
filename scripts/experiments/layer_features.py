#!/usr/bin/env python3
"""Do MiniLM's intermediate layers carry MT signal that its sentence embedding does not?

The shipped default model uses MiniLM's sentence embedding: the last layer, mean-pooled and
normalised, trained for meaning (contrastive), which is what a topic shortcut needs and what
a style signal does not. Lower layers keep more of the surface and syntax. The encoder pass
is already paid for in default mode, so a lower layer's pooled states would cost nothing.

For every sentence of the shipped train split (without the synthetic round trips) and of the
dev split, this pools the token states of each layer (mean over tokens), averages the sentences
of an article, and fits a logistic regression per layer on train (standardised; C chosen by
grouped cross-validation on train). Reported: dev ROC-AUC per comparison for each layer alone,
and for the fast first stage (``deep_stage.py``'s out-of-fold article model) stacked with the
best layer's out-of-fold score.

``--harness`` instead puts the layer score where it would go in the product: one more column
of the shipped article stacker (calibrated logistic regression, synthetic round trips
included and weighted as in training), through ``article_model.py``'s cached fast features,
and reports what that script reports.

``--demean`` also fits on vectors minus their source document's mean (training only): the
human translations and MT of one source share a topic, so the within-document differences
carry style, not topic.

  python scripts/experiments/layer_features.py [--limit-train N] [--out results.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache" / "experiments"

from mtdetect.datasets import read_labelled, shipped_splits  # noqa: E402
from mtdetect.deep import _logit  # noqa: E402
from mtdetect.segment import segment  # noqa: E402


def say(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def layer_vectors(texts: list[str], batch_size: int = 64) -> np.ndarray:
    """(n_texts, n_layers + 1, dim): token-mean of the embedding output and of every layer."""
    import torch

    from mtdetect.embeddings import MiniLMEmbedder

    runner = MiniLMEmbedder(quantize=True)._load()
    enc_model = runner.encoder
    n_layers = len(enc_model.layers)
    out = np.empty((len(texts), n_layers + 1, 384), dtype=np.float32)
    with torch.inference_mode():
        for idx, ids, am in runner.batches(texts, batch_size):
            w = am.unsqueeze(-1).to(torch.float32)
            denom = w.sum(1).clamp(min=1e-9)
            pooled = [(x * w).sum(1) / denom for x in enc_model(ids, am, all_layers=True)]
            out[idx] = torch.stack(pooled, 1).numpy()
    return out


def article_vectors(docs, name: str) -> np.ndarray:
    path = CACHE / f"layers_{name}.npy"
    if path.exists():
        return np.load(path)
    sents = [[s.text for s in segment(d.text).sentences] or [d.text] for d in docs]
    flat = [s for ss in sents for s in ss]
    say(f"{name}: encoding {len(flat)} sentences of {len(docs)} articles")
    t0 = time.time()
    vecs = layer_vectors(flat)
    say(f"{name}: {len(flat) / (time.time() - t0):.0f} sentences/s")
    out = np.empty((len(docs), vecs.shape[1], vecs.shape[2]), dtype=np.float32)
    i = 0
    for k, ss in enumerate(sents):
        out[k] = vecs[i:i + len(ss)].mean(0)
        i += len(ss)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, out)
    return out


def demean(X: np.ndarray, groups: np.ndarray) -> np.ndarray:
    out = X.copy()
    for g in np.unique(groups):
        m = groups == g
        if m.sum() > 1:
            out[m] -= X[m].mean(0)
    return out


def aucs(p: np.ndarray, labels: np.ndarray) -> dict:
    res = {}
    for name, neg, pos in (("orig_vs_mt", "original", "mt"), ("ht_vs_mt", "human_translation", "mt"),
                           ("orig_vs_rt_de", "original", "roundtrip_mt")):
        sel = np.isin(labels, [neg, pos])
        res[name] = float(roc_auc_score(labels[sel] == pos, p[sel]))
    return res


def harness(args) -> int:
    sys.path.insert(0, str(ROOT / "scripts"))
    sys.path.insert(0, str(ROOT / "scripts" / "experiments"))
    from article_model import article_text, fit_article, load, report, sentence_level, weights_for
    from train import _synth_files

    from mtdetect.model import _article_input

    view = "vocab=2000+suffix"
    data = load(args.heldout_rt, view)
    sl = sentence_level(data, view=view)
    splits = shipped_splits()
    synth = list(read_labelled(_synth_files(None)))
    L = {"train": np.concatenate([article_vectors(splits["train"], "train"), article_vectors(synth, "synth")]),
         "dev": article_vectors(splits["dev"], "dev"),
         "heldout": article_vectors(list(read_labelled(args.heldout_rt)), "heldout")}
    tr = data["train"]
    y = tr["y"]
    assert len(L["train"]) == len(y)
    w = weights_for(tr, 1.0, np.ones(len(y)))
    at = article_text(data, sl["folds"], w)
    rows = []

    for spec in ["none"] + args.combos:
        extra = {}
        if spec != "none":
            ks = [int(k) for k in spec.split("+")]
            A = {k: v[:, ks].reshape(len(v), -1) for k, v in L.items()}
            oof = np.zeros(len(y))
            for a, b in sl["folds"]:
                clf = make_pipeline(StandardScaler(), LogisticRegression(C=0.01, max_iter=3000))
                clf.fit(A["train"][a], y[a], logisticregression__sample_weight=w[a])
                oof[b] = clf.predict_proba(A["train"][b])[:, 1]
            clf = make_pipeline(StandardScaler(), LogisticRegression(C=0.01, max_iter=3000))
            clf.fit(A["train"], y, logisticregression__sample_weight=w)
            extra = {"train": _logit(oof), "dev": _logit(clf.predict_proba(A["dev"])[:, 1]),
                     "heldout": _logit(clf.predict_proba(A["heldout"])[:, 1])}

        def inputs(name):
            X = _article_input(data[name]["m"], sl[name]["sent_p"], at[name])
            return np.hstack([X, extra[name].reshape(-1, 1)]) if extra else X

        oof_a, clf_a = fit_article("lr", inputs("train"), y, w, sl["folds"], sl["doc_fold"])
        res = report(f"layers {spec}", data, clf_a.predict_proba(inputs("dev"))[:, 1],
                     clf_a.predict_proba(inputs("heldout"))[:, 1], oof_a[tr["label"] == "original"])
        rows.append(res)
        print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in res.items()}), flush=True)
    if args.out:
        args.out.write_text(json.dumps(rows, indent=1) + "\n")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--demean", action="store_true")
    ap.add_argument("--heldout-rt", nargs="*", type=Path, default=[],
                    help="round trips of the dev originals (the order deep_stage.py cached them in)")
    ap.add_argument("--combos", nargs="*", default=["1+2+3", "0+1+2+3+4"],
                    help="layer sets to concatenate, besides each layer alone")
    ap.add_argument("--harness", action="store_true", help="the layer score as a column of the shipped stacker")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    if args.harness:
        return harness(args)
    splits = shipped_splits()
    train, dev = splits["train"], splits["dev"]
    Xtr, Xdv = article_vectors(train, "train"), article_vectors(dev, "dev")
    held = list(read_labelled(args.heldout_rt)) if args.heldout_rt else []
    Xho = article_vectors(held, "heldout") if held else None
    sys_ho = np.array([d.system or "" for d in held])
    y = np.array([d.y for d in train])
    groups = np.array([d.group for d in train])
    lab_dv = np.array([d.label for d in dev])
    folds = list(GroupKFold(n_splits=5).split(Xtr[:, 0], y, groups))
    rows = []
    best = None
    results = {}
    candidates = [(str(k), [k]) for k in range(Xtr.shape[1])]
    candidates += [(c, [int(k) for k in c.split("+")]) for c in args.combos]
    for layer, ks in candidates:
        Ltr, Ldv = Xtr[:, ks].reshape(len(Xtr), -1), Xdv[:, ks].reshape(len(Xdv), -1)
        for dm in ((False, True) if args.demean else (False,)):
            A = demean(Ltr, groups) if dm else Ltr
            scores = {}
            for C in (0.001, 0.003, 0.01, 0.1):
                oof = np.zeros(len(y))
                for a, b in folds:
                    clf = make_pipeline(StandardScaler(), LogisticRegression(C=C, class_weight="balanced", max_iter=3000))
                    clf.fit(A[a], y[a])
                    oof[b] = clf.predict_proba(Ltr[b])[:, 1]
                scores[C] = (float(roc_auc_score(y, oof)), oof)
            C = max(scores, key=lambda c: scores[c][0])
            clf = make_pipeline(StandardScaler(), LogisticRegression(C=C, class_weight="balanced", max_iter=3000))
            clf.fit(A, y)
            p = clf.predict_proba(Ldv)[:, 1]
            p_ho = clf.predict_proba(Xho[:, ks].reshape(len(Xho), -1))[:, 1] if held else None
            row = {"layer": layer, "demeaned": dm, "C": C, "oof_auc": scores[C][0], **aucs(p, lab_dv)}
            rows.append(row)
            print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in row.items()}), flush=True)
            if best is None or row["ht_vs_mt"] > best[0]["ht_vs_mt"]:
                best = (row, scores[C][1], p, p_ho)
            if not dm:
                results[layer] = (row, scores[C][1], p, p_ho)
    stacked = []
    fs = CACHE / "deep_first_stage.npz"
    if fs.exists():  # the fast first stage (deep_stage.py), out of fold on train
        z = np.load(fs)
        p1_tr, p1_dv, p1_ho = z["train"][:len(train)], z["dev"], z["heldout"]

        orig = lab_dv == "original"

        def summary(p_dv, p_ho, p_tr_orig):
            from mtdetect.model import choose_thresholds

            res = aucs(p_dv, lab_dv)
            th, _ = choose_thresholds(np.r_[p_tr_orig, p_dv[orig]], p_dv[lab_dv == "mt"], 0.01)
            res["mt_flagged@1%"] = float((p_dv[lab_dv == "mt"] >= th.high).mean())
            res["ht_flagged@1%"] = float((p_dv[lab_dv == "human_translation"] >= th.high).mean())
            if held and len(p1_ho) == len(held):
                for s_ in sorted(set(sys_ho.tolist())):
                    m = sys_ho == s_
                    res["rt_" + s_.split(":")[-1]] = float(roc_auc_score(np.r_[np.zeros(orig.sum()), np.ones(m.sum())],
                                                                       np.r_[p_dv[orig], p_ho[m]]))
                    res["rt_" + s_.split(":")[-1] + "_flagged@1%"] = float((p_ho[m] >= th.high).mean())
            return res

        tr_orig = np.array([d.label == "original" for d in train])
        base = summary(p1_dv, p1_ho, p1_tr[tr_orig])
        print(json.dumps({"first_stage": base}), flush=True)
        stacked.append({"layers": None, **base})
        for layer, (row, oof_l, p_l, p_lho) in results.items():
            S_tr = np.c_[_logit(p1_tr), _logit(oof_l)]
            oof_s = np.zeros(len(y))
            for a, b in folds:
                oof_s[b] = LogisticRegression(class_weight="balanced", max_iter=2000).fit(S_tr[a], y[a]).predict_proba(S_tr[b])[:, 1]
            st = LogisticRegression(class_weight="balanced", max_iter=2000).fit(S_tr, y)
            p_dv = st.predict_proba(np.c_[_logit(p1_dv), _logit(p_l)])[:, 1]
            p_ho = st.predict_proba(np.c_[_logit(p1_ho), _logit(p_lho)])[:, 1] if held else None
            res = {"layers": layer, **summary(p_dv, p_ho, oof_s[tr_orig]), "coef": st.coef_[0].tolist()}
            stacked.append(res)
            print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in res.items()}), flush=True)
    if args.out:
        args.out.write_text(json.dumps({"rows": rows, "stacked": stacked}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
