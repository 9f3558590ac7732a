"""Metrics on labelled data, at article and sentence level, with breakdowns and plots.

Human-written text has two kinds: ``original`` English (what feed audits mostly meet)
and ``human_translation`` (the hard case). Every comparison is reported separately.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .datasets import LabelledDoc
from .detector import Thresholds, count_words

# (name, negative labels, positive labels): the comparisons the targets talk about
COMPARISONS: tuple[tuple[str, frozenset[str], frozenset[str]], ...] = (
    ("all", frozenset({"original", "human_translation", "human"}), frozenset({"mt", "roundtrip_mt", "machine_translated"})),
    ("original_vs_mt", frozenset({"original"}), frozenset({"mt"})),
    ("human_translation_vs_mt", frozenset({"human_translation"}), frozenset({"mt"})),
    ("original_vs_roundtrip", frozenset({"original"}), frozenset({"roundtrip_mt"})),
)
LENGTH_BUCKETS = ((0, 150, "<150 words"), (150, 300, "150-300 words"), (300, 600, "300-600 words"), (600, 10**9, ">=600 words"))


@dataclass
class Scored:
    """Labelled items with their scores (articles or sentences)."""

    y: np.ndarray
    p: np.ndarray
    label: np.ndarray
    system: np.ndarray
    src_lang: np.ndarray
    corpus: np.ndarray
    n_words: np.ndarray
    #: Each text's own ``(high, low)`` cuts, when the texts were not all scored by one model
    #: (a cascade judges each article by the stage that scored it); ``None``: the model's cuts.
    cuts: tuple[np.ndarray, np.ndarray] | None = None


def scored_articles(docs: Sequence[LabelledDoc], p: Sequence[float]) -> Scored:
    return Scored(
        y=np.array([d.y for d in docs]),
        p=np.asarray(p, dtype=float),
        label=np.array([d.label for d in docs]),
        system=np.array([d.system or "" for d in docs]),
        src_lang=np.array([d.src_lang or "" for d in docs]),
        corpus=np.array([d.corpus for d in docs]),
        n_words=np.array([count_words(d.text) for d in docs]),  # the short-text cuts' measure
    )


#: False-positive rates at which the share of MT caught is reported (on the human side of
#: each comparison): the operating points a feed audit cares about.
FPR_POINTS: tuple[tuple[str, float], ...] = (("tpr@1%fpr", 0.01), ("tpr@0.1%fpr", 0.001))


def tpr_at_fpr(y: np.ndarray, p: np.ndarray, fpr: float) -> float | None:
    """Share of positives caught by the strictest-needed threshold that flags at most
    ``fpr`` of the negatives: positives scoring strictly above the ``k + 1``-th highest
    negative, ``k = floor(fpr * n_negatives)``. Ties count against the detector.

    With fewer than ``1 / fpr`` negatives this is the share above the highest negative
    (an FPR of 0 on that sample); ``None`` without both classes.
    """
    y = np.asarray(y)
    p = np.asarray(p, dtype=float)
    neg = np.sort(p[y == 0])[::-1]
    pos = p[y == 1]
    if len(neg) == 0 or len(pos) == 0:
        return None
    k = int(np.floor(fpr * len(neg) + 1e-9))
    if k >= len(neg):
        return 1.0
    return float((pos > neg[k]).mean())


def binary_metrics(y: np.ndarray, p: np.ndarray, high, low) -> dict:
    """AUC, accuracy/F1 at 0.5, the share of MT caught at 1% and 0.1% FPR, and flag rates at
    the ``high`` cut. ``high`` and ``low`` are each text's own cuts (arrays, see
    :func:`text_cuts`) or one cut for every text."""
    from sklearn.metrics import f1_score, roc_auc_score

    out: dict = {"n": int(len(y)), "n_mt": int(y.sum()), "n_human": int((1 - y).sum())}
    if len(y) == 0:
        return out
    pred = p >= 0.5
    out["accuracy@0.5"] = float((pred == y).mean())
    if 0 < y.sum() < len(y):
        out["roc_auc"] = float(roc_auc_score(y, p))
        out["balanced_accuracy@0.5"] = float(0.5 * (pred[y == 1].mean() + (~pred[y == 0]).mean()))
        out["f1@0.5"] = float(f1_score(y, pred))
        for key, rate in FPR_POINTS:
            out[key] = tpr_at_fpr(y, p, rate)
    high = np.broadcast_to(np.asarray(high, dtype=float), p.shape)
    low = np.broadcast_to(np.asarray(low, dtype=float), p.shape)
    flagged = p >= high
    if (y == 1).any():
        out["tpr@high"] = float(flagged[y == 1].mean())
        out["mt_called_human"] = float((p[y == 1] < low[y == 1]).mean())
    if (y == 0).any():
        out["fpr@high"] = float(flagged[y == 0].mean())
        out["human_unsure"] = float(((p[y == 0] >= low[y == 0]) & ~flagged[y == 0]).mean())
    if 0 < y.sum() < len(y):
        out["accuracy@high"] = float((flagged == y).mean())
    return out


def text_cuts(s: Scored, th: Thresholds, by_length: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Each text's ``(high, low)``: the cuts it was given (``s.cuts``: a cascade's articles,
    each judged by its own stage), else the model's cuts for its length (``by_length``; the
    short-text cuts below their word count), else the model's article cuts."""
    if s.cuts is not None:
        return s.cuts
    if by_length:
        return th.highs(s.n_words), th.lows(s.n_words)
    return np.full(len(s.p), th.high), np.full(len(s.p), th.low)


def breakdown(s: Scored, th: Thresholds, by_length: bool = True) -> dict:
    """Metrics overall, per comparison, per MT system, per source language, per length.

    ``by_length``: flag each text at the cut for its length (articles); sentences are not
    judged by the short-text cuts."""
    high, low = text_cuts(s, th, by_length)

    def metrics(m: np.ndarray) -> dict:
        return binary_metrics(s.y[m], s.p[m], high[m], low[m])

    res: dict = {"comparisons": {}, "per_system": {}, "per_src_lang": {}, "per_length": {}, "per_corpus": {}}
    for name, neg, pos in COMPARISONS:
        m = np.isin(s.label, list(neg | pos))
        if m.any() and len(set(s.y[m].tolist())) > 0:
            res["comparisons"][name] = metrics(m)
    human = s.y == 0
    for sys_name in sorted(set(s.system[s.y == 1].tolist())):
        m = human | (s.system == sys_name)
        res["per_system"][sys_name] = metrics(m)
    for lang in sorted(set(s.src_lang.tolist())):
        m = s.src_lang == lang
        res["per_src_lang"][lang or "?"] = metrics(m)
    for lo, hi, name in LENGTH_BUCKETS:
        m = (s.n_words >= lo) & (s.n_words < hi)
        if m.any():
            res["per_length"][name] = metrics(m)
    for corpus in sorted(set(s.corpus.tolist())):
        m = s.corpus == corpus
        res["per_corpus"][corpus] = metrics(m)
    return res


def render_text(result: dict) -> str:
    """A readable summary of :func:`evaluate_model` output."""
    lines = [f"model: {result.get('model')}  thresholds: {result.get('thresholds')}  data: {result.get('data')}"]
    for level in ("article", "sentence"):
        if level not in result:
            continue
        lines.append(f"\n== {level} level ==")
        r = result[level]
        lines.append(_table("comparison", r["comparisons"]))
        for key in ("per_corpus", "per_src_lang", "per_length", "per_system"):
            if r.get(key):
                lines.append(_table(key.replace("per_", "per "), r[key]))
    return "\n".join(lines)


_COLS = ("n", "n_mt", "n_human", "roc_auc", "accuracy@0.5", "balanced_accuracy@0.5", "f1@0.5",
         "tpr@1%fpr", "tpr@0.1%fpr", "tpr@high", "fpr@high")


def _table(title: str, rows: dict) -> str:
    head = f"{title:<28}" + "".join(f"{c:>13}" for c in _COLS)
    out = [head]
    for name, m in rows.items():
        cells = []
        for c in _COLS:
            v = m.get(c)
            cells.append(f"{'-':>13}" if v is None else (f"{v:>13d}" if isinstance(v, int) else f"{v:>13.3f}"))
        out.append(f"{name[:28]:<28}" + "".join(cells))
    return "\n".join(out)


def save_plots(article: Scored, sentence: Scored | None, out_dir: str | Path) -> list[Path]:
    """ROC and calibration curves (PNG) per comparison."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.calibration import calibration_curve
    from sklearn.metrics import roc_curve

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for level, s in (("article", article), ("sentence", sentence)):
        if s is None:
            continue
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.5))
        for name, neg, pos in COMPARISONS:
            m = np.isin(s.label, list(neg | pos))
            if m.sum() == 0 or len(set(s.y[m].tolist())) < 2:
                continue
            fpr, tpr, _ = roc_curve(s.y[m], s.p[m])
            ax1.plot(fpr, tpr, label=name)
            frac, mean_p = calibration_curve(s.y[m], s.p[m], n_bins=10, strategy="quantile")
            ax2.plot(mean_p, frac, marker="o", label=name)
        # the chance line is straight only on linear axes: sample it densely for the symlog x axis
        chance = np.concatenate([np.linspace(0, 0.01, 50), np.geomspace(0.01, 1, 100)])
        ax1.plot(chance, chance, "k:", lw=0.8)
        ax1.set(xlabel="false-positive rate", ylabel="true-positive rate", title=f"ROC ({level})")
        ax1.set_xscale("symlog", linthresh=0.01)
        ax2.plot([0, 1], [0, 1], "k:", lw=0.8)
        ax2.set(xlabel="mean predicted p_mt", ylabel="fraction MT", title=f"calibration ({level})")
        ax1.legend(fontsize=8)
        ax2.legend(fontsize=8)
        fig.tight_layout()
        p = out / f"{level}_roc_calibration.png"
        fig.savefig(p, dpi=110)
        plt.close(fig)
        paths.append(p)
    return paths


def to_json(result: dict) -> str:
    return json.dumps(result, indent=2, default=lambda o: o.item() if hasattr(o, "item") else str(o))

