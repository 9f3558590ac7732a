#!/usr/bin/env python3
"""Screen changes to the article model on cached features (fast configuration, no embeddings).

Stage 1 (cached in ``.cache/experiments/``): analyse the training split (with the shipped
synthetic round trips), the dev split and held-out round trips of the dev originals (made with
``mtdetect synth`` for evaluation only, ``--heldout-rt``), build the fast feature matrices,
and fit the sentence level once: out-of-fold sentence scores for training and final-model
sentence scores for dev, exactly as ``fit_model`` does.

Stage 2: article-level variants on top, each scored on dev:

* ``lr``: the shipped stacker (pooled sentence scores, article text-model score, article
  features -> calibrated logistic regression);
* ``hgb``: the same inputs into gradient-boosted trees;
* ``synth=w``: synthetic round trips weighted ``w`` (the class weights stay balanced);
* ``no-<system>``: a synthetic system left out of the article level (screening only: the
  sentence level still saw it);
* ``without=FAMILY[+FAMILY]``: the article model without some of its inputs: an evidence
  family of :mod:`mtdetect.evidence` (``sentences``, ``wording``, ``artifacts``, ``style``) or
  ``fw`` (the function-word rates alone);
* ``sentwithout=style|findings``: the sentence model refitted without the 81 style signals
  of each sentence (or without its finding counts), same folds and sentence text scores;
* ``ht=article|sentence|both`` (``htview=SPEC``: the article head over another text view of
  ``text_views.py``, e.g. ``vocab=100000`` for nearly every word as it is): one or two more stacked columns from text models fitted on
  the human translations against the MT of the training split only (no originals, no
  synthetic round trips): the article text view, or sentence text views pooled per article
  (mean logit), out of fold like the other columns. A head for the comparison the shared
  model is weakest on.

Reports ROC-AUC per comparison and the MT share flagged at the shipped rule (at most 1% of
originals - out-of-fold training originals and dev originals - at or above the cut).

  python scripts/experiments/article_model.py --heldout-rt /tmp/devrt/rt_*.jsonl
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
import time
from pathlib import Path

import numpy as np

from mtdetect.datasets import read_labelled, shared_data_dir, shipped_splits
from mtdetect.model import (
    _article_input,
    _classifier,
    _group_folds,
    _inner_folds,
    _sentence_input,
    _text_classifier,
    _text_oof,
    article_input_names,
    balanced_weights,
    build_matrices,
    choose_thresholds,
    oof_and_final,
)
from mtdetect.segment import segment
from mtdetect.training import analyze_docs

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "scripts" / "experiments"))
from train import _synth_files  # noqa: E402

CACHE = ROOT / ".cache" / "experiments"


def say(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def meta(docs) -> dict:
    return {
        "y": np.array([d.y for d in docs]),
        "label": np.array([d.label for d in docs]),
        "group": np.array([d.group for d in docs]),
        "system": np.array([d.system or "" for d in docs]),
        "corpus": np.array([d.corpus for d in docs]),
        "src": np.array([d.src_lang or "" for d in docs]),
        "n_words": np.array([len(d.text.split()) for d in docs]),
        "excerpt": np.array([bool(d.extra.get("excerpt_of")) for d in docs]),
    }


def load(heldout: list[Path], view: str | None = None, excerpts: bool = False) -> dict:
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"fast_matrices{'-' + view if view else ''}{'-excerpts' if excerpts else ''}.pkl"
    if path.exists():
        data = pickle.loads(path.read_bytes())
        for part in data.values():  # caches written before the excerpt flag existed
            part.setdefault("excerpt", np.zeros(len(part["y"]), dtype=bool))
        return data
    splits = shipped_splits(shared_data_dir())
    train = splits["train"] + list(read_labelled(_synth_files(None)))
    if excerpts:  # one random excerpt of 2-6 sentences per document of 8+ sentences (same label and group)
        from mtdetect.datasets import random_excerpts

        train = train + random_excerpts(train, (2, 3, 4, 5, 6), 8, seed=0)
    dev = splits["dev"]
    extra = list(read_labelled(heldout)) if heldout else []
    out = {}
    for name, docs in (("train", train), ("dev", dev), ("heldout", extra)):
        say(f"analysing {len(docs)} {name} articles")
        m = build_matrices(analyze_docs(docs, quiet=True), None)
        if view:  # the text views again, through another view function
            from text_views import make_view

            fn = make_view(view)
            m.sent_text = [fn(s.text) for d in docs for s in segment(d.text).sentences]
            assert len(m.sent_text) == len(m.sent_doc)
            starts = np.searchsorted(m.sent_doc, np.arange(len(docs) + 1))
            m.art_text = [" \n ".join(m.sent_text[starts[i]:starts[i + 1]]) for i in range(len(docs))]
        out[name] = {"m": m, **meta(docs)}
    path.write_bytes(pickle.dumps(out))
    return out


def sentence_level(data: dict, C_sentence=0.5, C_text=10.0, max_iter=2000, seed=13, view: str | None = None,
                   tag: str = "") -> dict:
    """Out-of-fold sentence scores for train, final-model scores for dev/heldout (cached)."""
    path = CACHE / f"fast_sentence_level{'-' + view if view else ''}{tag}.pkl"
    if path.exists():
        return pickle.loads(path.read_bytes())
    tr = data["train"]
    m = tr["m"]
    y = tr["y"]
    folds = _group_folds(list(tr["group"]), 5, seed)
    doc_fold = np.empty(len(y), dtype=np.int64)
    for k, (_, te) in enumerate(folds):
        doc_fold[te] = k
    s_fold = doc_fold[m.sent_doc]
    sent_y = y[m.sent_doc]
    sent_folds = [(np.flatnonzero(s_fold != k), np.flatnonzero(s_fold == k)) for k in range(5)]
    say("sentence text model (out of fold)")
    st_oof, st_final = _text_oof(m.sent_text, sent_y, sent_folds, C_text, max_iter)
    say("sentence model (out of fold)")
    oof, final = oof_and_final(_sentence_input(m, st_oof), sent_y, s_fold, sent_folds, C_sentence, max_iter)
    out = {"train": {"sent_p": oof, "sent_text_p": st_oof}, "folds": folds, "doc_fold": doc_fold}
    for name in ("dev", "heldout"):
        mm = data[name]["m"]
        if mm.n_articles == 0:
            continue
        stp = st_final.predict_proba(np.asarray(mm.sent_text, dtype=object))[:, 1]
        out[name] = {"sent_p": final.predict_proba(_sentence_input(mm, stp))[:, 1], "sent_text_p": stp}
    path.write_bytes(pickle.dumps(out))
    return out


def sentence_level_without(data: dict, base: dict, family: str, C_sentence=0.5, max_iter=2000,
                           tag: str = "") -> dict:
    """:func:`sentence_level` again without one family of the sentence inputs (``style``: the
    81 style signals; ``findings``: the finding counts), on the same folds and the same
    sentence text-model scores (cached)."""
    from mtdetect.features import SENTENCE_FEATURE_NAMES

    path = CACHE / f"fast_sentence_level-without-{family}{tag}.pkl"
    if path.exists():
        return pickle.loads(path.read_bytes())
    if family not in ("style", "findings"):
        raise SystemExit(f"sentwithout={family}: choose style or findings")
    is_style = np.array([n.startswith("sentence.style.") for n in SENTENCE_FEATURE_NAMES])
    keep = ~is_style if family == "style" else is_style

    def sent_in(name: str) -> np.ndarray:
        m = data[name]["m"]
        return np.hstack([base[name]["sent_text_p"].reshape(-1, 1), m.sent_X[:, keep]])

    tr = data["train"]
    s_fold = base["doc_fold"][tr["m"].sent_doc]
    sent_y = tr["y"][tr["m"].sent_doc]
    sent_folds = [(np.flatnonzero(s_fold != k), np.flatnonzero(s_fold == k)) for k in range(len(base["folds"]))]
    say(f"sentence model without {family} (out of fold)")
    oof, final = oof_and_final(sent_in("train"), sent_y, s_fold, sent_folds, C_sentence, max_iter)
    out = {"train": {"sent_p": oof, "sent_text_p": base["train"]["sent_text_p"]},
           "folds": base["folds"], "doc_fold": base["doc_fold"]}
    for name in ("dev", "heldout"):
        if name in base:
            out[name] = {"sent_p": final.predict_proba(sent_in(name))[:, 1],
                         "sent_text_p": base[name]["sent_text_p"]}
    path.write_bytes(pickle.dumps(out))
    return out


def article_text(data: dict, folds, weights: np.ndarray, C_text=10.0, max_iter=2000,
                 texts: dict[str, list[str]] | None = None) -> dict:
    """Out-of-fold article text-model scores for train; final-model scores elsewhere
    (``texts``: other per-article texts than the matrices' views)."""
    tr = data["train"]
    y = tr["y"]
    texts = texts or {name: data[name]["m"].art_text for name in ("train", "dev", "heldout")}
    arr = np.asarray(texts["train"], dtype=object)
    oof = np.zeros(len(y))
    for a, b in folds:
        clf = _text_classifier(C_text, max_iter)
        clf.fit(arr[a], y[a], clf__sample_weight=weights[a])
        oof[b] = clf.predict_proba(arr[b])[:, 1]
    final = _text_classifier(C_text, max_iter)
    final.fit(arr, y, clf__sample_weight=weights)
    out = {"train": oof}
    for name in ("dev", "heldout"):
        if data[name]["m"].n_articles:
            out[name] = final.predict_proba(np.asarray(texts[name], dtype=object))[:, 1]
    return out


#: ``ht=`` option of a variant: the levels of the human translation vs MT heads it stacks.
HT_LEVELS = {"article": ("article",), "sentence": ("sentence",), "both": ("article", "sentence")}


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def ht_head(data: dict, folds, doc_fold: np.ndarray, level: str, C_text=10.0, max_iter=2000,
            texts: dict[str, list[str]] | None = None) -> dict:
    """Per article: the logit of a text model of human translation (0) against MT (1), fitted
    on those training articles only (not synthetic), out of fold on train (``folds``) and by
    the model fitted on all of them elsewhere. ``level``: ``article`` (the article text view)
    or ``sentence`` (each sentence's text view, the article's mean logit); ``texts``: other
    per-article texts for the article level (``second_view_texts``)."""
    tr = data["train"]
    sel = np.isin(tr["label"], ["human_translation", "mt"]) & (np.char.find(tr["system"].astype(str), ":") < 0)
    y = tr["y"]
    if level == "article":
        texts = texts or {name: data[name]["m"].art_text for name in ("train", "dev", "heldout")}
        units = {name: np.asarray(texts[name], dtype=object) for name in ("train", "dev", "heldout")}
        unit_doc = {name: np.arange(data[name]["m"].n_articles) for name in units}
    else:
        units = {name: np.asarray(data[name]["m"].sent_text, dtype=object) for name in ("train", "dev", "heldout")}
        unit_doc = {name: np.asarray(data[name]["m"].sent_doc) for name in units}
    u_doc = unit_doc["train"]
    u_fold, u_sel, u_y = doc_fold[u_doc], sel[u_doc], y[u_doc]

    def pooled(name: str, p: np.ndarray) -> np.ndarray:
        n = data[name]["m"].n_articles
        tot = np.bincount(unit_doc[name], weights=_logit(p), minlength=n)
        cnt = np.bincount(unit_doc[name], minlength=n)
        return tot / np.maximum(cnt, 1)

    oof_u = np.zeros(len(u_doc))
    for k in range(len(folds)):
        a = np.flatnonzero((u_fold != k) & u_sel)
        b = np.flatnonzero(u_fold == k)
        clf = _text_classifier(C_text, max_iter)
        clf.fit(units["train"][a], u_y[a], clf__sample_weight=balanced_weights(u_y[a]))
        oof_u[b] = clf.predict_proba(units["train"][b])[:, 1]
    a = np.flatnonzero(u_sel)
    final = _text_classifier(C_text, max_iter)
    final.fit(units["train"][a], u_y[a], clf__sample_weight=balanced_weights(u_y[a]))
    out = {"train": pooled("train", oof_u)}
    for name in ("dev", "heldout"):
        if data[name]["m"].n_articles:
            out[name] = pooled(name, final.predict_proba(units[name])[:, 1])
    return out


def second_view_texts(heldout: list[Path], spec: str, excerpts: bool = False) -> dict[str, list[str]]:
    """Per-article texts in another view (``text_views.make_view`` spec), in load()'s order."""
    from text_views import make_view

    splits = shipped_splits(shared_data_dir())
    train = splits["train"] + list(read_labelled(_synth_files(None)))
    if excerpts:
        from mtdetect.datasets import random_excerpts

        train = train + random_excerpts(train, (2, 3, 4, 5, 6), 8, seed=0)
    fn = make_view(spec)
    out = {}
    for name, docs in (("train", train), ("dev", splits["dev"]),
                       ("heldout", list(read_labelled(heldout)) if heldout else [])):
        out[name] = [" \n ".join(fn(s.text) for s in segment(d.text).sentences) for d in docs]
    return out


def weights_for(tr: dict, synth_weight: float, keep: np.ndarray) -> np.ndarray:
    """Class-balanced weights with synthetic rows scaled by ``synth_weight`` (0 for dropped rows)."""
    is_synth = np.char.find(tr["system"].astype(str), ":") >= 0  # synth systems are engine specs
    w = np.where(is_synth, synth_weight, 1.0)
    w = w * keep
    y = tr["y"]
    out = np.zeros(len(y))
    for cls in (0, 1):
        sel = (y == cls) & (w > 0)
        out[sel] = w[sel] * (w.sum() / 2.0) / w[sel].sum()
    return out


def stacker(kind: str, folds_for_cal):
    if kind == "lr":
        return _classifier(1.0, 2000, folds_for_cal)
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(max_iter=300, learning_rate=0.05, max_leaf_nodes=15,
                                          min_samples_leaf=40, l2_regularization=1.0, random_state=0)


def fit_article(kind: str, X: np.ndarray, y: np.ndarray, w: np.ndarray, folds, doc_fold) -> tuple[np.ndarray, object]:
    keep = w > 0
    oof = np.full(len(y), np.nan)
    for k, (a, b) in enumerate(folds):
        a = a[keep[a]]
        clf = stacker(kind, _inner_folds(doc_fold[a], k))
        _fit_w(clf, kind, X[a], y[a], w[a])
        oof[b] = clf.predict_proba(X[b])[:, 1]
    idx = np.flatnonzero(keep)
    pos = np.full(len(y), -1)
    pos[idx] = np.arange(len(idx))  # fold indices re-based on the kept rows
    final_folds = [(pos[a[keep[a]]], pos[b[keep[b]]]) for a, b in folds]
    clf = stacker(kind, final_folds)
    _fit_w(clf, kind, X[idx], y[idx], w[idx])
    return oof, clf


def _fit_w(clf, kind, X, y, w):
    if kind == "lr":
        clf.fit(X, y, clf__sample_weight=w)
    else:
        clf.fit(X, y, sample_weight=w)


def auc(y, p):
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, p)) if len(set(y.tolist())) == 2 else float("nan")


def report(name: str, data: dict, p_dev: np.ndarray, p_held: np.ndarray | None, oof_orig: np.ndarray) -> dict:
    dv = data["dev"]
    lab = dv["label"]
    orig = lab == "original"
    res = {"variant": name}
    for cname, neg, pos in (("orig_vs_mt", orig, lab == "mt"), ("ht_vs_mt", lab == "human_translation", lab == "mt"),
                            ("orig_vs_rt_de", orig, lab == "roundtrip_mt")):
        sel = neg | pos
        res[cname] = auc(pos[sel].astype(int), p_dev[sel])
    th, _ = choose_thresholds(np.r_[oof_orig, p_dev[orig]], p_dev[lab == "mt"], 0.01)
    res["high"] = th.high
    res["tpr_mt@1%"] = float((p_dev[lab == "mt"] >= th.high).mean())
    res["fpr_orig"] = float((p_dev[orig] >= th.high).mean())
    if p_held is not None:
        hd = data["heldout"]
        for sysname in sorted(set(hd["system"].tolist())):
            s = hd["system"] == sysname
            short = sysname.split(">")[-1].split(":")[-1]
            p_pos = p_held[s]
            yy = np.r_[np.zeros(orig.sum()), np.ones(s.sum())]
            res[f"rt_{short}"] = auc(yy.astype(int), np.r_[p_dev[orig], p_pos])
            res[f"rt_{short}_tpr@1%"] = float((p_pos >= th.high).mean())
    return res


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--heldout-rt", nargs="*", type=Path, default=[])
    ap.add_argument("--variants", nargs="*", default=["lr", "hgb", "lr:synth=0.3", "hgb:synth=0.3"])
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--view", default=None, help="a text view of text_views.py instead of the shipped one")
    ap.add_argument("--excerpts", action="store_true", help="add one random excerpt per long training document")
    ap.add_argument("--combine", nargs="*", default=[], help="pairs A+B of variants: the higher logit of the two")
    args = ap.parse_args(argv)
    data = load(args.heldout_rt, args.view, args.excerpts)
    sl = sentence_level(data, view=args.view, tag="-excerpts" if args.excerpts else "")
    tr = data["train"]
    folds, doc_fold = sl["folds"], sl["doc_fold"]
    y = tr["y"]
    rows = []
    text_cache: dict = {}
    scores: dict = {}
    for v in args.variants:
        kind, *opts = v.split(":")
        synth_w, drop, text2, ht, htview, without, sent_without = 1.0, None, None, None, None, (), None
        for o in opts:
            if o.startswith("sentwithout="):
                sent_without = o.split("=", 1)[1]
            if o.startswith("without="):
                without = tuple(o.split("=", 1)[1].split("+"))
            if o.startswith("htview="):
                htview = o.split("=", 1)[1]
            if o.startswith("ht="):
                ht = o.split("=", 1)[1]
            if o.startswith("text2="):
                text2 = o.split("=", 1)[1]
            if o.startswith("synth="):
                synth_w = float(o.split("=", 1)[1])
            if o.startswith("no-"):
                drop = o[3:]
        keep = np.ones(len(y)) if drop is None else (tr["system"] != drop).astype(float)
        w = weights_for(tr, synth_w, keep)
        tkey = (synth_w, drop)
        if tkey not in text_cache:
            say(f"article text model for synth={synth_w} drop={drop}")
            text_cache[tkey] = article_text(data, folds, w)
        at = text_cache[tkey]
        extra = {"train": None, "dev": None, "heldout": None}
        if text2:  # a second article text model over another view, one more stacked column
            if ("text2", text2, tkey) not in text_cache:
                say(f"second article text model over {text2}")
                texts = second_view_texts(args.heldout_rt, text2, args.excerpts)
                text_cache[("text2", text2, tkey)] = article_text(data, folds, w, texts=texts)
            extra = text_cache[("text2", text2, tkey)]

        heads = {}  # level -> the head's per-article logits
        for level in HT_LEVELS[ht] if ht else ():
            if ("ht", level, htview) not in text_cache:
                say(f"human translation vs MT head ({level} level, view {htview or 'shipped'})")
                texts = (second_view_texts(args.heldout_rt, htview, args.excerpts)
                         if htview and level == "article" else None)
                text_cache[("ht", level, htview)] = ht_head(data, folds, doc_fold, level, texts=texts)
            heads[level] = text_cache[("ht", level, htview)]

        kept = tuple(n for n in article_input_names(tuple(f for f in without if f != "fw"))
                     if not ("fw" in without and n.startswith("article.style.fw_")))

        sv = sl
        if sent_without:
            if ("sent", sent_without) not in text_cache:
                text_cache[("sent", sent_without)] = sentence_level_without(
                    data, sl, sent_without, tag=("-" + args.view if args.view else "") + ("-excerpts" if args.excerpts else ""))
            sv = text_cache[("sent", sent_without)]

        def inputs(name):
            X = _article_input(data[name]["m"], sv[name]["sent_p"], at[name], kept)
            cols = [np.asarray(extra[name]).reshape(-1, 1)] if extra.get(name) is not None else []
            cols += [np.asarray(h[name]).reshape(-1, 1) for h in heads.values()]
            return np.hstack([X, *cols]) if cols else X

        X = inputs("train")
        say(f"article model {v}")
        oof, clf = fit_article(kind, X, y, w, folds, doc_fold)
        p_dev = clf.predict_proba(inputs("dev"))[:, 1]
        p_held = None
        if "heldout" in sl:
            p_held = clf.predict_proba(inputs("heldout"))[:, 1]
        res = report(v, data, p_dev, p_held, oof[(tr["label"] == "original") & ~tr["excerpt"]])
        res["text_only_orig_vs_mt"] = report("t", data, at["dev"], at.get("heldout"),
                                             at["train"][(tr["label"] == "original") & ~tr["excerpt"]])["orig_vs_mt"]
        for level, h in heads.items():
            alone = report("h", data, h["dev"], None, np.zeros(1))  # only its ROC-AUCs are kept
            res[f"{level}_head_alone"] = {k: alone[k] for k in ("orig_vs_mt", "ht_vs_mt", "orig_vs_rt_de")}
        rows.append(res)
        scores[v] = (p_dev, p_held, oof[(tr["label"] == "original") & ~tr["excerpt"]])
        print(json.dumps(res), flush=True)
    for pair in args.combine:
        a, b = (scores[k] for k in pair.split("+"))
        res = report(pair, data, np.maximum(a[0], b[0]), None if a[1] is None else np.maximum(a[1], b[1]),
                     np.maximum(a[2], b[2]))
        rows.append(res)
        print(json.dumps(res), flush=True)
    if args.out:
        args.out.write_text(json.dumps(rows, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
