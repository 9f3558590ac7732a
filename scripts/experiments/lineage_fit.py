"""Fit and measure lineage's relation model on clusters built from real engines.

Train clusters: train-split English originals (first 12 sentences) with their round trips
through Apertium eng-spa/spa-eng, Apertium eng-cat/cat-eng and Bergamot en-pt/pt-en (files
of the form ``{"id", "doc_id", "system", "text"}``), a simulated copy and a simulated
rewrite (scripts/experiments/lineage_sim.py).
Test clusters: DEV-split originals (first 10 sentences) with their round trips through
Apertium eng-spa>spa-eng and Bergamot en-pt>pt-en made by ``mtdetect synth``, a copy and a
rewrite; other dev documents as decoys. No test source article is used in fitting.

    python scripts/experiments/lineage_fit.py --train-dir /work/scratch/recall \
        --dev-originals dev_originals.jsonl --dev-roundtrips dev_roundtrips.jsonl --write

``--write`` stores the fitted numbers in mtdetect/lineage/_fitted.py.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lineage_sim import near_copy, rewrite  # noqa: E402

from mtdetect.detector import Detector  # noqa: E402
from mtdetect.lineage import _fitted  # noqa: E402
from mtdetect.lineage.compare import Version, compare_versions  # noqa: E402
from mtdetect.lineage.relation import FEATURES  # noqa: E402
from mtdetect.types import Article  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def read_jsonl(path):
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def build_clusters(originals, roundtrips, seed):
    """{source id: [(article id, text, true relation or 'original')]}"""
    rng = random.Random(seed)
    by_src = defaultdict(list)
    for r in roundtrips:
        by_src[r["source_id"]].append(r)
    clusters = {}
    for o in originals:
        members = [(o["id"], o["text"], "original")]
        for r in sorted(by_src.get(o["id"], ()), key=lambda r: r["system"]):
            members.append((r["id"], r["text"], "machine_translated_copy"))
        members.append((o["id"] + "/copy", near_copy(o["text"], rng), "copy"))
        members.append((o["id"] + "/rewrite", rewrite(o["text"], rng), "rewrite"))
        clusters[o["id"]] = members
    return clusters


def score_all(detector, items):
    arts = [Article(id=i, text=t) for i, t in items]
    return {r.id: r.to_dict() for r in detector.score_many(arts)}


def direction_rows(clusters, records):
    """Oriented features of (original, member) labelled 1 and (member, original) labelled 0."""
    from mtdetect.lineage.relation import DIRECTION_FEATURES

    X, y = [], []
    for members in clusters.values():
        orig = Version.from_record(records[members[0][0]])
        for mid, _, _ in members[1:]:
            other = Version.from_record(records[mid])
            for a, b, label in ((orig, other, 1), (other, orig, 0)):
                f = compare_versions(a, b, with_differences=False).features
                X.append([f[k] for k in DIRECTION_FEATURES])
                y.append(label)
    return np.array(X), np.array(y)


def cluster_margins(clusters, records, coef):
    """Per cluster: (gap between the two best summed log-odds, whether the best is the original)."""
    from mtdetect.lineage.relation import DIRECTION_FEATURES

    out = []
    for members in clusters.values():
        vs = [Version.from_record(records[m[0]]) for m in members]
        score = [0.0] * len(vs)
        for i in range(len(vs)):
            for j in range(i + 1, len(vs)):
                comp = compare_versions(vs[i], vs[j], with_differences=False)
                if comp.is_link():
                    logit = float(np.dot(coef, [comp.features[k] for k in DIRECTION_FEATURES]))
                    score[i] += logit
                    score[j] -= logit
        order = sorted(range(len(vs)), key=lambda k: -score[k])
        out.append((score[order[0]] - score[order[1]], order[0] == 0))
    return out


def pair_rows(clusters, records):
    X, y, groups = [], [], []
    for src, members in clusters.items():
        orig = Version.from_record(records[members[0][0]])
        for mid, _, rel in members[1:]:
            comp = compare_versions(orig, Version.from_record(records[mid]), with_differences=False)
            X.append([comp.features[f] for f in FEATURES])
            y.append(rel)
            groups.append(src)
    return np.array(X), np.array(y), np.array(groups)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--train-dir", type=Path, default=Path("/work/scratch/recall"))
    ap.add_argument("--dev-originals", type=Path, required=True)
    ap.add_argument("--dev-roundtrips", type=Path, required=True)
    ap.add_argument("--model", default="rules")
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--stale-model-ok", action="store_true", help="load --model even if built for older recognizers")
    ap.add_argument("--embeddings", action="store_true", help="also cluster the test feed with MiniLM")
    args = ap.parse_args()
    if args.stale_model_ok:
        # experiment only: score with a bundle built for older recognizer versions
        import mtdetect.model as model_mod

        card = json.loads((Path(args.model) / "card.json").read_text())
        model_mod.recognizer_schema = lambda: card["recognizer_schema"]
    det = Detector.load(args.model)
    t0 = time.time()

    # ---- train material (train split)
    originals = read_jsonl(args.train_dir / "originals.jsonl")
    rts = []
    for f in sorted(args.train_dir.glob("roundtrip_*.jsonl")):
        for r in read_jsonl(f):
            r["source_id"] = r["id"].rsplit("/", 1)[0]
            rts.append(r)
    train = build_clusters(originals, rts, seed=1)
    # ---- test material (dev split)
    dev_orig = read_jsonl(args.dev_originals)
    test = build_clusters(dev_orig, read_jsonl(args.dev_roundtrips), seed=2)
    assert not set(train) & set(test), "a test source article is in the training clusters"

    items = [(m[0], m[1]) for c in (train, test) for ms in c.values() for m in ms]
    records = score_all(det, items)
    print(f"scored {len(records)} articles in {time.time() - t0:.1f}s", file=sys.stderr)

    Xtr, ytr, gtr = pair_rows(train, records)
    Xte, yte, _ = pair_rows(test, records)
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    model = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=2000))
    cv_pred = cross_val_predict(model, Xtr, ytr, groups=gtr, cv=GroupKFold(5))
    model.fit(Xtr, ytr)
    te_pred = model.predict(Xte)
    report = {
        "train_pairs": len(ytr), "test_pairs": len(yte),
        "train_cv_accuracy": round(float((cv_pred == ytr).mean()), 4),
        "test_accuracy": round(float((te_pred == yte).mean()), 4),
        "test_accuracy_by_relation": {c: round(float((te_pred[yte == c] == c).mean()), 4) for c in sorted(set(yte))},
        "test_confusion": {c: dict(Counter(te_pred[yte == c])) for c in sorted(set(yte))},
    }
    sc, lr = model[0], model[1]
    # ---- direction: pairwise logistic model without intercept (antisymmetric), margin for
    # naming the original chosen on the train clusters (precision >= 0.9 where named)
    Xd, yd = direction_rows(train, records)
    dlr = LogisticRegression(C=1.0, fit_intercept=False, max_iter=2000).fit(Xd, yd)
    dcoef = dlr.coef_[0]
    margins = cluster_margins(train, records, dcoef)
    margin = 0.0
    for cand in sorted({round(m, 3) for m, _ in margins}):
        named = [ok for m, ok in margins if m >= cand]
        if named and sum(named) / len(named) >= 0.9:
            margin = max(cand, 0.05)
            break
    Xdt, ydt = direction_rows(test, records)
    report["direction_pair_accuracy_test"] = round(float((dlr.predict(Xdt) == ydt).mean()), 4)
    report["direction_coef"] = dict(zip(["dir_p_mt", "dir_findings", "dir_names", "dir_unaligned", "dir_length"],
                                        np.round(dcoef, 3).tolist()))
    report["direction_margin"] = margin
    named = [ok for m, ok in margins if m >= margin]
    report["direction_train_clusters"] = {"named": len(named), "of": len(margins),
                                          "correct_when_named": round(sum(named) / max(1, len(named)), 4)}
    if args.write:
        write_fitted(sc.mean_, sc.scale_, lr.coef_, lr.intercept_, list(lr.classes_), dcoef, margin)
        import importlib

        importlib.reload(_fitted)
        import mtdetect.lineage.relation as relation

        importlib.reload(relation)
    # ---- clustering, relation of links and direction on the test feed (with decoys)
    report["feed"] = measure_feed(test, records, det, dev_orig, embedder=None)
    if args.embeddings:
        from mtdetect.embeddings import MiniLMEmbedder

        report["feed_embeddings"] = measure_feed(test, records, det, dev_orig, embedder=MiniLMEmbedder(threads=1))
    report["seconds"] = round(time.time() - t0, 1)
    print(json.dumps(report, indent=2))


def measure_feed(test, records, det, dev_orig, embedder):
    from mtdetect.datasets import shipped_splits
    from mtdetect.lineage.build import write_lineage
    from mtdetect.segment import segment

    used = {o["doc_id"] for o in dev_orig}
    decoys = []
    for d in shipped_splits()["dev"]:
        if d.group in used or d.label not in ("original", "human_translation"):
            continue
        sents = segment(d.text).sentences[:10]
        if len(sents) >= 3:
            decoys.append((f"decoy:{d.id}", d.text[sents[0].start:sents[-1].end]))
    decoy_recs = score_all(det, decoys)
    truth = {}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        with open(out / "articles.jsonl", "w", encoding="utf-8") as fh:
            for src, members in test.items():
                for mid, _, rel in members:
                    truth[mid] = (src, rel)
                    fh.write(json.dumps(records[mid]) + "\n")
            for rec in decoy_recs.values():
                fh.write(json.dumps(rec) + "\n")
        t = time.time()
        res = write_lineage(out, embedder=embedder)
        seconds = time.time() - t
        clusters = read_jsonl(out / "lineage.jsonl")
    members_total = sum(len(m) for m in test.values())
    purity_num = pairs_found = 0
    decoys_joined = 0
    link_ok = link_n = 0
    per_rel = defaultdict(lambda: [0, 0])
    dir_named = dir_ok = 0
    wrong_picks = Counter()
    decoy_only = [c for c in clusters if not any(a in truth for a in c["articles"])]
    clusters = [c for c in clusters if any(a in truth for a in c["articles"])]
    for c in clusters:
        srcs = Counter(truth[a][0] if a in truth else a for a in c["articles"])
        top, k = srcs.most_common(1)[0]
        purity_num += k
        decoys_joined += sum(1 for a in c["articles"] if a not in truth)
        pairs_found += sum(n * (n - 1) // 2 for s, n in srcs.items() if not s.startswith("decoy:"))
        if c["likely_original"] is not None:
            dir_named += 1
            dir_ok += truth.get(c["likely_original"], ("", ""))[1] == "original"
            wrong_picks[truth.get(c["likely_original"], ("", "decoy"))[1]] += 1
        for link in c["links"]:
            src_rel = truth.get(link["source"], ("", ""))[1]
            copy_rel = truth.get(link["copy"], ("", ""))[1]
            if src_rel == "original":
                link_n += 1
                per_rel[copy_rel][1] += 1
                ok = link["relation"] == copy_rel
                link_ok += ok
                per_rel[copy_rel][0] += ok
    true_pairs = sum(len(m) * (len(m) - 1) // 2 for m in test.values())
    in_clusters = sum(len(c["articles"]) for c in clusters)
    return {
        "articles": members_total + len(decoy_recs), "decoys": len(decoy_recs), "true_clusters": len(test),
        "clusters_with_test_articles": len(clusters), "decoys_joined_test_clusters": decoys_joined,
        "decoy_only_clusters": len(decoy_only), "decoy_only_examples": [c["articles"] for c in decoy_only[:5]],
        "purity": round(purity_num / max(1, in_clusters), 4),
        "pair_recall": round(pairs_found / max(1, true_pairs), 4),
        "members_clustered": round(sum(1 for c in clusters for a in c["articles"] if a in truth) / members_total, 4),
        "links_from_original": link_n, "links_total": sum(len(c["links"]) for c in clusters),
        "link_relation_accuracy": round(link_ok / max(1, link_n), 4),
        "link_relation_accuracy_by_relation": {k: round(v[0] / max(1, v[1]), 4) for k, v in per_rel.items()},
        "likely_original_named": dir_named,
        "direction_accuracy_when_named": round(dir_ok / max(1, dir_named), 4),
        "direction_accuracy_all_clusters": round(dir_ok / max(1, len(clusters)), 4),
        "likely_original_picks_by_true_role": dict(wrong_picks),
        "summary": res.summary, "seconds": round(seconds, 2),
    }


def write_fitted(mean, scale, coef, intercept, classes, dcoef, margin) -> None:
    def arr(a):
        return "np.array(" + json.dumps(np.round(np.asarray(a, dtype=float), 6).tolist()) + ")"

    text = f'''"""Fitted by scripts/experiments/lineage_fit.py (do not edit by hand).

Multinomial logistic regression (StandardScaler + LogisticRegression, C=1) over the
alignment features of a linked pair, fitted on clusters built from train-split originals
(Apertium spa/cat and Bergamot pt round trips, simulated copies and rewrites).
"""

import numpy as np

FEATURES = {tuple(FEATURES)!r}
CLASSES = {tuple(str(c) for c in classes)!r}
MEAN = {arr(mean)}
SCALE = {arr(scale)}
COEF = {arr(coef)}
INTERCEPT = {arr(intercept)}
#: Pairwise direction model: log-odds that a comparison's source side is the original.
DIRECTION_FEATURES = ("dir_p_mt", "dir_findings", "dir_names", "dir_unaligned", "dir_length")
DIRECTION_COEF = {arr(dcoef)}
#: Gap between the two best summed log-odds below which the likely original is not named.
DIRECTION_MARGIN = {float(margin)!r}
'''
    (ROOT / "mtdetect" / "lineage" / "_fitted.py").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
