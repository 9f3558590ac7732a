#!/usr/bin/env python3
"""Compare text views for the article n-gram text model (the strongest single input).

Each view turns a sentence into tokens; an article is its sentences' views joined as the
shipped model does. The article text model (hashed TF-IDF 1-3-grams + logistic regression)
is fitted on the training split with the shipped synthetic round trips and scored on dev
and on held-out round trips of the dev originals. Views:

* ``vocab=N``: the N most frequent English words kept, other words as shapes (shipped: 2000);
* ``vocab=N+suffix``: the same, with lower-case rare words as their last three letters
  (``w~ion``), a cheap part-of-speech cue (``+suffixK``: K letters; ``+caps``: capitalised
  rare words too, ``C~ion``);

  python scripts/experiments/text_views.py --heldout-rt /tmp/devrt/rt_*.jsonl
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import numpy as np

from mtdetect.datasets import read_labelled, shared_data_dir, shipped_splits
from mtdetect.features import view_with
from mtdetect.model import _group_folds, _text_classifier, balanced_weights
from mtdetect.segment import segment

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "scripts" / "experiments"))
from article_model import auc, say  # noqa: E402
from train import _synth_files  # noqa: E402


def make_view(spec: str):
    from wordfreq import top_n_list

    size = int(re.match(r"vocab=(\d+)", spec).group(1))
    suffix = "+suffix" in spec
    m = re.search(r"\+suffix(\d)", spec)
    n = int(m.group(1)) if m else 3
    caps = "+caps" in spec
    keep = frozenset(top_n_list("en", size))

    def view(text: str) -> str:
        return view_with(text, keep, suffix, n, caps)

    return view


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--heldout-rt", nargs="*", type=Path, default=[])
    ap.add_argument("--views", nargs="*", default=["vocab=2000", "vocab=5000", "vocab=2000+suffix", "vocab=1000"])
    ap.add_argument("--C", type=float, default=10.0)
    args = ap.parse_args(argv)
    splits = shipped_splits(shared_data_dir())
    train = splits["train"] + list(read_labelled(_synth_files(None)))
    dev = splits["dev"]
    held = list(read_labelled(args.heldout_rt)) if args.heldout_rt else []
    sents = {name: [[s.text for s in segment(d.text).sentences] for d in docs]
             for name, docs in (("train", train), ("dev", dev), ("held", held))}
    y = np.array([d.y for d in train])
    folds = _group_folds([d.group for d in train], 5, 13)
    w = balanced_weights(y)
    lab = np.array([d.label for d in dev])
    orig = lab == "original"
    for spec in args.views:
        view = make_view(spec)
        arts = {k: np.asarray([" \n ".join(view(s) for s in ss) for ss in v], dtype=object) for k, v in sents.items()}
        oof = np.zeros(len(y))
        for a, b in folds:
            clf = _text_classifier(args.C, 2000)
            clf.fit(arts["train"][a], y[a], clf__sample_weight=w[a])
            oof[b] = clf.predict_proba(arts["train"][b])[:, 1]
        clf = _text_classifier(args.C, 2000)
        clf.fit(arts["train"], y, clf__sample_weight=w)
        p = clf.predict_proba(arts["dev"])[:, 1]
        res = {"view": spec, "C": args.C, "oof_auc": auc(y, oof)}
        for cname, neg, pos in (("orig_vs_mt", orig, lab == "mt"), ("ht_vs_mt", lab == "human_translation", lab == "mt"),
                                ("orig_vs_rt_de", orig, lab == "roundtrip_mt")):
            sel = neg | pos
            res[cname] = auc(pos[sel].astype(int), p[sel])
        if held:
            ph = clf.predict_proba(arts["held"])[:, 1]
            systems = np.array([d.system for d in held])
            for s in sorted(set(systems)):
                res["rt_" + s.split(":")[-1]] = auc(np.r_[np.zeros(orig.sum()), np.ones((systems == s).sum())].astype(int),
                                                    np.r_[p[orig], ph[systems == s]])
        print(json.dumps(res), flush=True)
        say(spec)
    return 0


if __name__ == "__main__":
    sys.exit(main())
