"""Operating-point metrics of `mtdetect evaluate`, checked on hand-made scores."""

from __future__ import annotations

import numpy as np
import pytest

from mtdetect.detector import Thresholds
from mtdetect.evaluate import Scored, binary_metrics, breakdown, text_cuts, tpr_at_fpr

# 1,000 negatives scoring 0.000, 0.001, ..., 0.999 and positives at chosen scores
NEG = np.arange(1000) / 1000
POS = np.array([0.9995, 0.9985, 0.995, 0.9895, 0.5, 0.2])


def labelled(neg: np.ndarray, pos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.r_[np.zeros(len(neg)), np.ones(len(pos))], np.r_[neg, pos]


@pytest.mark.parametrize(
    "fpr, expected",
    [
        # 1%: k = 10, the 11th highest negative is 0.989 -> 0.9995, 0.9985, 0.995, 0.9895 pass
        (0.01, 4 / 6),
        # 0.1%: k = 1, the 2nd highest negative is 0.998 -> 0.9995, 0.9985 pass
        (0.001, 2 / 6),
        (0.0, 1 / 6),  # above the highest negative (0.999) only 0.9995
        (1.0, 1.0),
    ],
)
def test_tpr_at_fpr_on_a_hand_made_case(fpr: float, expected: float) -> None:
    y, p = labelled(NEG, POS)
    assert tpr_at_fpr(y, p, fpr) == pytest.approx(expected)


def test_flag_rates_use_each_texts_own_cut() -> None:
    from mtdetect.detector import ShortCuts

    th = Thresholds(0.3, 0.8, ShortCuts(max_words=150, low=0.2, high=0.9))
    y = np.array([0, 0, 1, 1])
    p = np.array([0.85, 0.85, 0.85, 0.85])
    words = np.array([100, 500, 100, 500])  # short and long of each class
    s = Scored(y=y, p=p, label=np.array(["original", "original", "mt", "mt"]), system=np.array([""] * 4),
               src_lang=np.array([""] * 4), corpus=np.array([""] * 4), n_words=words)
    high, low = text_cuts(s, th)
    assert high.tolist() == [0.9, 0.8, 0.9, 0.8] and low.tolist() == [0.2, 0.3, 0.2, 0.3]
    m = binary_metrics(y, p, high, low)
    assert m["fpr@high"] == 0.5 and m["tpr@high"] == 0.5  # 0.85 passes only the article cut
    assert m["human_unsure"] == 0.5
    assert binary_metrics(y, p, *text_cuts(s, th, by_length=False))["tpr@high"] == 1.0  # the article cut
    assert breakdown(s, th)["comparisons"]["original_vs_mt"]["tpr@high"] == 0.5


def test_given_cuts_replace_the_models() -> None:
    """Per-text ``(high, low)`` cuts (a cascade's articles, each judged by its own stage)."""
    th = Thresholds(0.3, 0.8)
    y = np.array([0, 0, 1, 1])
    p = np.array([0.5, 0.5, 0.5, 0.5])
    cuts = (np.array([0.45, 0.9, 0.45, 0.9]), np.array([0.1, 0.3, 0.1, 0.3]))
    s = Scored(y=y, p=p, label=np.array(["original", "original", "mt", "mt"]), system=np.array([""] * 4),
               src_lang=np.array([""] * 4), corpus=np.array([""] * 4), n_words=np.array([500] * 4), cuts=cuts)
    assert text_cuts(s, th) is cuts
    m = binary_metrics(y, p, *cuts)
    assert m["fpr@high"] == 0.5 and m["tpr@high"] == 0.5  # only the texts with the 0.45 cut
    assert m["human_unsure"] == 0.5 and m["mt_called_human"] == 0.0
    assert breakdown(s, th)["comparisons"]["original_vs_mt"]["tpr@high"] == 0.5
    assert binary_metrics(y, p, th.high, th.low)["tpr@high"] == 0.0  # the model's own cut: 0.8


def test_ties_with_a_negative_count_against_the_detector() -> None:
    y, p = labelled(np.array([0.1, 0.9]), np.array([0.9, 0.95]))
    assert tpr_at_fpr(y, p, 0.01) == 0.5


def test_one_class_only_gives_none() -> None:
    assert tpr_at_fpr(np.zeros(3), np.array([0.1, 0.2, 0.3]), 0.01) is None
    assert tpr_at_fpr(np.ones(3), np.array([0.1, 0.2, 0.3]), 0.01) is None


def test_binary_metrics_report_both_operating_points() -> None:
    y, p = labelled(NEG, POS)
    m = binary_metrics(y, p, 0.9, 0.5)
    assert m["tpr@1%fpr"] == pytest.approx(4 / 6)
    assert m["tpr@0.1%fpr"] == pytest.approx(2 / 6)


def test_pair_auc_ranks_the_positive_scores_above_the_negative_ones() -> None:
    from mtdetect.model import pair_auc

    assert pair_auc(np.array([0.1, 0.2]), np.array([0.3, 0.4])) == 1.0
    assert pair_auc(np.array([0.1, 0.4]), np.array([0.3, 0.2])) == 0.5  # 2 of 4 pairs in order
    assert pair_auc(np.array([0.1]), np.array([])) is None
