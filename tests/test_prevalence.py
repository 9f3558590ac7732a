"""MT share per outlet (mtdetect.prevalence): estimators, intervals, simulation, audit columns."""

from __future__ import annotations

import csv
import importlib.util
import json
import math
from argparse import Namespace
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from mtdetect.audit import AuditConfig, run_audit
from mtdetect.detector import Detector, Prediction, Thresholds
from mtdetect.features import Analysis
from mtdetect.prevalence import (
    FALLBACK_DESIGN_EFFECT,
    ClassStats,
    Reference,
    ScoreSums,
    adjusted_classify_and_count,
    adjusted_mean_interval,
    clustered_variance_of_mean,
    describe,
    em_estimate,
    em_log_likelihood,
    em_prior,
    em_step,
    estimate,
    estimate_from_scores,
    platt_recalibration,
    probabilistic_adjusted_classify_and_count,
    reference_for_model,
    wilson_interval,
)

ROOT = Path(__file__).resolve().parent.parent


# --------------------------------------------------------------------------- estimators


@pytest.mark.parametrize(
    "share_flagged, tpr, fpr, expected",
    [
        (0.3, 0.5, 0.1, 0.5),
        (0.1, 0.5, 0.1, 0.0),    # as many flags as false alarms alone give
        (0.05, 0.5, 0.1, 0.0),   # fewer: clipped
        (0.5, 0.5, 0.1, 1.0),
        (0.9, 0.5, 0.1, 1.0),    # more than the TPR: clipped
        (0.2, 0.3, 0.01, (0.2 - 0.01) / 0.29),
    ],
)
def test_adjusted_classify_and_count(share_flagged, tpr, fpr, expected):
    assert adjusted_classify_and_count(share_flagged, tpr, fpr) == pytest.approx(expected, abs=1e-12)


def test_adjusted_classify_and_count_needs_tpr_above_fpr():
    with pytest.raises(ValueError):
        adjusted_classify_and_count(0.2, 0.1, 0.1)


@pytest.mark.parametrize(
    "mean_p, mean_mt, mean_human, expected",
    [(0.45, 0.7, 0.2, 0.5), (0.2, 0.7, 0.2, 0.0), (0.1, 0.7, 0.2, 0.0), (0.7, 0.7, 0.2, 1.0), (0.95, 0.7, 0.2, 1.0),
     (0.3, 0.7, 0.2, 0.2)],
)
def test_probabilistic_adjusted_classify_and_count(mean_p, mean_mt, mean_human, expected):
    assert probabilistic_adjusted_classify_and_count(mean_p, mean_mt, mean_human) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(
    "p, expected",
    [
        ([0.9, 0.9, 0.1, 0.1], 0.5),          # 1.6/(0.2+1.6pi) = 1.6/(1.8-1.6pi)
        ([0.9, 0.9, 0.9, 0.1], 0.8125),       # 3(1.8-1.6pi) = 0.2+1.6pi
        ([0.9, 0.8, 0.95], 1.0),              # every article leans MT: the likelihood rises to pi = 1
        ([0.1, 0.2, 0.05], 0.0),
        ([0.5, 0.5], 0.0),                    # uninformative scores: flat likelihood, the smallest prior
    ],
)
def test_em_prior_hand_made(p, expected):
    assert em_prior(p) == pytest.approx(expected, abs=1e-8)


def test_em_prior_is_the_fixed_point_of_the_saerens_iteration():
    rng = np.random.default_rng(3)
    p = np.r_[rng.beta(5, 2, 90), rng.beta(2, 5, 210)]
    pi = em_prior(p)
    assert 0.1 < pi < 0.9
    assert em_step(pi, p) == pytest.approx(pi, abs=1e-7)
    x = 0.5
    for _ in range(20_000):  # the literal EM of Saerens et al. (slow when the classes overlap)
        x = em_step(x, p)
    assert x == pytest.approx(pi, abs=1e-5)
    # and it is the maximum of the mixture likelihood
    assert em_log_likelihood(pi, p) >= max(em_log_likelihood(pi + d, p) for d in (-0.01, 0.01))


def test_em_prior_with_another_training_prior():
    # posteriors calibrated under prior 0.2 carry the same evidence as their equal-prior versions
    p = np.array([0.1, 0.2, 0.5, 0.7, 0.9, 0.3])
    equal_prior = p * 0.8 / (p * 0.8 + (1 - p) * 0.2)
    assert em_prior(p, model_prior=0.2) == pytest.approx(em_prior(equal_prior), abs=1e-8)


def test_clustered_variance_of_mean_hand_made():
    v = np.array([1.0, 1.0, 0.0, 0.0])
    # one article per group: s^2 / n
    assert clustered_variance_of_mean(v, np.array(["a", "b", "c", "d"])) == pytest.approx((1 / 3) / 4)
    # two groups of identical articles: G/(G-1) * (1^2 + (-1)^2) / 16 = 0.25
    assert clustered_variance_of_mean(v, np.array(["g", "g", "h", "h"])) == pytest.approx(0.25)
    # never below the independent-articles variance
    assert clustered_variance_of_mean(np.array([1.0, 0.0, 1.0, 0.0]), np.array(["g", "g", "h", "h"])) == pytest.approx(
        (1 / 3) / 4)


def test_platt_recalibration_leaves_calibrated_scores_alone():
    rng = np.random.default_rng(7)
    p = rng.uniform(0.02, 0.98, 20_000)
    y = rng.uniform(size=p.size) < p  # calibrated at prior 0.5 (balanced by construction)
    a, b = platt_recalibration(p, y)
    assert a == pytest.approx(1.0, abs=0.08) and b == pytest.approx(0.0, abs=0.08)


# --------------------------------------------------------------------------- the reference


def small_reference() -> Reference:
    p = np.array([0.9, 0.8, 0.7, 0.6, 0.3, 0.2, 0.1, 0.4])
    y = np.array([1, 1, 1, 1, 0, 0, 0, 0])
    return Reference.from_scores(p, y, groups=list("aabbcdef"), labels=["mt"] * 4 + ["original"] * 3 + ["human_translation"],
                                 cut=0.65)


def test_reference_from_scores_exact():
    ref = small_reference()
    assert ref.p_mt.mean == pytest.approx(0.75) and ref.p_human.mean == pytest.approx(0.25)
    assert ref.p_mt.var_item == pytest.approx(np.var([0.9, 0.8, 0.7, 0.6], ddof=1))
    # clustered: groups a (0.9, 0.8) and b (0.7, 0.6): sums 0.2 and -0.2 -> 2 * 0.08 / 16
    assert ref.p_mt.var_mean == pytest.approx(0.01)
    assert ref.flag_mt.mean == pytest.approx(0.75) and ref.flag_human.mean == 0.0  # TPR, FPR at 0.65
    assert ref.methods == ("pacc", "acc", "em", "cc") and ref.default_method == "pacc"
    assert dict(ref.human_labels) == {"human_translation": 1, "original": 3}


def test_reference_card_round_trip():
    ref = small_reference()
    back = Reference.from_card({"prevalence": json.loads(json.dumps(ref.to_card()))}, high=0.65)
    assert back.p_mt == ref.p_mt and back.flag_human == ref.flag_human and back.cut == ref.cut
    assert back.recalibration == pytest.approx(ref.recalibration)
    assert back.source.startswith("model card")


def test_reference_from_an_older_card_uses_dev_tpr_fpr():
    card = {"thresholds": {"low": 0.2, "high": 0.8},
            "dev_metrics": {"article": {"all": {"n_mt": 400, "n_human": 100, "tpr@high": 0.3, "fpr@high": 0.02}}}}
    ref = Reference.from_card(card, high=0.8)
    assert ref.methods == ("acc", "em", "cc") and ref.default_method == "acc"
    assert ref.flag_mt.mean == 0.3 and ref.flag_human.mean == 0.02
    assert ref.flag_mt.var_mean == pytest.approx(FALLBACK_DESIGN_EFFECT * 0.3 * 0.7 / 400)


@pytest.mark.parametrize("card", [None, {}, {"thresholds": {"high": 0.8}}, {"prevalence": {"version": 99}}])
def test_no_reference_without_numbers(card):
    assert Reference.from_card(card) is None


def test_a_cut_that_is_not_the_model_threshold_drops_acc():
    ref = Reference.from_card({"prevalence": small_reference().to_card()}, high=0.9)
    assert ref.methods == ("pacc", "em", "cc")


def test_reference_for_model():
    class Plain:
        thresholds = Thresholds(0.3, 0.65)
        card = {"prevalence": small_reference().to_card()}

    class Deep:  # a second stage: its p_mt is not what the first stage's card describes
        base = Plain()
        stage = Namespace(card={})
        thresholds = Thresholds(0.4, 0.7)

    class DeepWithItsOwn(Deep):
        stage = Namespace(card={"prevalence": small_reference().to_card()})
        thresholds = Thresholds(0.3, 0.65)

    class Rules:
        thresholds = Thresholds(0.5, 0.5)

    assert reference_for_model(Plain()).default_method == "pacc"
    assert reference_for_model(Deep()) is None
    assert reference_for_model(DeepWithItsOwn()).default_method == "pacc"
    assert reference_for_model(Rules()) is None
    assert reference_for_model(None) is None


def test_describe_says_what_the_estimate_is():
    assert describe(small_reference())["method"] == "pacc"
    assert describe(None)["method"] is None


# --------------------------------------------------------------------------- a reference matched to the outlet

# MT scores 0.8 on average, original English 0.2, human translations 0.5; the mixed human class
# (3 originals, 2 translations) has mean 0.32.
MATCH_P = np.array([0.7, 0.9, 0.8, 0.8, 0.1, 0.2, 0.3, 0.45, 0.55])
MATCH_LABELS = ["mt", "mt", "roundtrip_mt", "mt", "original", "original", "original",
                "human_translation", "human_translation"]
MATCH_Y = np.array([label in ("mt", "roundtrip_mt") for label in MATCH_LABELS], dtype=int)
MATCH_GROUPS = list("abcdeefgg")


def matching_reference(cut: float | None = 0.75) -> Reference:
    return Reference.from_scores(MATCH_P, MATCH_Y, groups=MATCH_GROUPS, labels=MATCH_LABELS, cut=cut)


@pytest.mark.parametrize(
    "outlet_mean, kind, mixed_share, matched_share",
    [
        # English original, half MT: 0.5*0.8 + 0.5*0.2 = 0.5; mixed (0.5-0.32)/0.48 = 0.375
        (0.5, "original", 0.375, 0.5),
        # human translations, no MT: 0.5; mixed 0.375 instead of 0
        (0.5, "translation", 0.375, 0.0),
        # human translations, half MT: 0.65; mixed (0.65-0.32)/0.48 = 0.6875
        (0.65, "translation", 0.6875, 0.5),
        # English original, no MT: 0.2 is below the mixed human mean, so 0 either way
        (0.2, "original", 0.0, 0.0),
    ],
)
def test_a_matched_reference_removes_the_bias_of_a_one_sided_outlet(outlet_mean, kind, mixed_share, matched_share):
    ref = matching_reference()
    sums = ScoreSums(n=100, sum_p=100 * outlet_mean, sum_p2=100 * outlet_mean**2 + 1.0)
    assert ref.p_human.mean == pytest.approx(0.32)
    assert estimate(sums, ref, "pacc").share == pytest.approx(mixed_share)
    matched = ref.matched(kind)
    assert estimate(sums, matched, "pacc").share == pytest.approx(matched_share, abs=1e-12)


def test_matched_statistics_are_those_of_the_label_alone_clustered_by_group():
    ref = matching_reference()
    human = MATCH_Y == 0
    for kind, label in (("original", "original"), ("translation", "human_translation")):
        one = human & (np.array(MATCH_LABELS) == label)
        matched = ref.matched(kind)
        assert matched.p_human == ClassStats.of(MATCH_P[one], np.array(MATCH_GROUPS)[one])
        assert matched.flag_human == ClassStats.of((MATCH_P[one] >= 0.75).astype(float), np.array(MATCH_GROUPS)[one])
        assert matched.p_mt == ref.p_mt and matched.flag_mt == ref.flag_mt and matched.cut == ref.cut
        assert matched.recalibration == ref.recalibration
        assert matched.human_reference == kind and dict(matched.human_labels) == {label: int(one.sum())}
    # originals 0.1, 0.2 (group e) and 0.3 (f), mean 0.2: group sums -0.1 and 0.1 -> 2 * 0.02 / 9
    assert ref.matched("original").p_human.var_mean == pytest.approx(2 * 0.02 / 9)
    assert ref.matched("translation").p_human.var_mean == pytest.approx(0.0025)  # one group: the iid variance


def test_matched_mixed_is_the_reference_itself_and_unknown_kinds_are_refused():
    ref = matching_reference()
    assert ref.matched("mixed") is ref
    assert ref.matched("original").matched("original") == ref.matched("original")
    with pytest.raises(ValueError, match="unknown human reference"):
        ref.matched("english")
    with pytest.raises(ValueError, match="already matched"):
        ref.matched("original").matched("translation")


def test_a_reference_without_labels_cannot_be_matched():
    ref = Reference.from_scores(MATCH_P, MATCH_Y, cut=0.75)
    assert ref.human_by_label is None
    with pytest.raises(ValueError, match="retrain"):
        ref.matched("original")


def test_a_reference_whose_dev_data_lacks_the_label_says_so():
    only_originals = [label if label != "human_translation" else "original" for label in MATCH_LABELS]
    ref = Reference.from_scores(MATCH_P, MATCH_Y, labels=only_originals)
    with pytest.raises(ValueError, match="'human_translation'"):
        ref.matched("translation")


def test_card_round_trip_keeps_the_human_class_of_each_label():
    ref = matching_reference()
    entry = json.loads(json.dumps(ref.to_card()))
    assert set(entry["human_by_label"]) == {"original", "human_translation"}
    assert set(entry["human_by_label"]["original"]) == {"p_human", "flag_human"}
    back = Reference.from_card({"prevalence": entry}, high=0.75)
    assert back.human_by_label == ref.human_by_label
    for kind in ("original", "translation"):
        assert back.matched(kind).p_human == ref.matched(kind).p_human
        assert back.matched(kind).flag_human == ref.matched(kind).flag_human
    assert back.matched("original").source.startswith("model card: dev scores; human class: dev's original English")


def test_an_older_card_without_the_labels_loads_as_before_and_refuses_to_match():
    entry = matching_reference().to_card()
    del entry["human_by_label"]
    old = Reference.from_card({"prevalence": entry}, high=0.75)
    new = Reference.from_card({"prevalence": matching_reference().to_card()}, high=0.75)
    assert (old.p_mt, old.p_human, old.flag_mt, old.flag_human, old.cut) == (
        new.p_mt, new.p_human, new.flag_mt, new.flag_human, new.cut)
    assert old.human_by_label is None and old.matched("mixed") is old
    with pytest.raises(ValueError, match="no statistics per kind of human-written article"):
        old.matched("original")


def test_a_malformed_label_entry_leaves_the_mixed_reference_usable():
    entry = matching_reference().to_card()
    entry["human_by_label"] = {"original": {"p_human": {"n": 3}}}
    ref = Reference.from_card({"prevalence": entry}, high=0.75)
    assert ref.default_method == "pacc" and ref.p_human.mean == pytest.approx(0.32)
    with pytest.raises(ValueError):
        ref.matched("original")


def test_a_cut_that_is_not_the_model_threshold_drops_acc_from_the_matched_reference_too():
    ref = Reference.from_card({"prevalence": matching_reference().to_card()}, high=0.9)
    matched = ref.matched("original")
    assert matched.methods == ("pacc", "em", "cc") and matched.flag_human is None


MIXED_NOTE = ("est_mt_share estimates the share of machine-translated articles, corrected for the model's error "
              "rates on dev articles, with a 95% interval; share_flagged is the share at or above the high "
              "threshold, which about 1% of original English articles reach and only a minority of MT articles "
              "do, so it undercounts")


def test_describe_gives_the_shares_the_cut_flagged_on_dev_per_kind_of_article():
    from mtdetect.html_report import estimate_note

    ref = matching_reference(cut=0.5)  # MT 0.7 0.9 0.8 0.8; originals 0.1 0.2 0.3; translations 0.45 0.55
    assert ref.flagged_shares() == {"original": 0.0, "human_translation": 0.5, "mt": 1.0}
    note = describe(ref)
    assert note["flagged_on_dev"] == {"original": 0.0, "human_translation": 0.5, "mt": 1.0}
    assert describe(ref.matched("translation"))["flagged_on_dev"] == note["flagged_on_dev"]  # the same cut
    assert "flagged_on_dev" not in describe(matching_reference(cut=None))
    summary = {"share_flagged": 0.2, "share_flagged_95ci": [0.1, 0.3], "est_mt_share": None, "prevalence": note}
    html = estimate_note(summary)
    assert "whose article cut flagged 0.0% of the original English articles" in html
    assert "50.0% of its human translations" in html
    assert "100.0% of its machine translations" in html
    assert "about 1% of original English" in estimate_note({**summary, "prevalence": {}})  # no dev figures


def test_describe_names_the_human_class_only_when_it_is_not_the_mixed_one():
    ref = matching_reference()
    mixed = describe(ref)
    assert mixed["note"] == MIXED_NOTE and "human_reference" not in mixed  # as before the option existed
    orig = describe(ref.matched("original"))
    assert orig["human_reference"] == "original" and orig["method"] == "pacc"
    assert "original English articles only" in orig["note"] and "overestimates" in orig["note"]
    assert "human class: dev's original English articles only (3 articles)" in orig["reference"]
    trans = describe(ref.matched("translation"))
    assert trans["human_reference"] == "translation" and "human translations only" in trans["note"]


# --------------------------------------------------------------------------- intervals


POS = ClassStats(n=1000, mean=0.7, var_mean=0.0001, var_item=0.05)
NEG = ClassStats(n=1000, mean=0.2, var_mean=0.0001, var_item=0.04)


def test_adjusted_mean_interval_hand_computed():
    # share 0.5; predicted item variance 0.5*0.05 + 0.5*0.04 + 0.25*0.25 = 0.1075;
    # shrunk (99*0.04 + 2*0.1075)/101; var = (that/100 + 2 * (0.25e-4 + 0.25e-4)) / 0.25,
    # the class means' variance counted twice (POPULATION_FACTOR 1)
    share, lo, hi = adjusted_mean_interval(100, 0.45, 0.04, POS, NEG)
    var = ((99 * 0.04 + 2 * 0.1075) / 101 / 100 + 2 * 0.25 * 0.0001 * 2) / 0.25
    half = 1.959963984540054 * math.sqrt(var)
    assert share == pytest.approx(0.5)
    assert (lo, hi) == pytest.approx((0.5 - half, 0.5 + half))
    assert half == pytest.approx(0.08882, abs=1e-4)


@pytest.mark.parametrize("n", [1, 2, 5, 20, 200, 5000])
@pytest.mark.parametrize("mean", [0.0, 0.2, 0.33, 0.6, 0.7, 1.0])
def test_interval_contains_the_estimate_inside_0_1(n, mean):
    share, lo, hi = adjusted_mean_interval(n, mean, 0.03, POS, NEG)
    assert 0.0 <= lo <= share <= hi <= 1.0
    assert hi - lo > 0  # never a certain-looking point


def test_interval_narrows_with_more_articles_and_widens_with_a_vaguer_reference():
    def width(n: int) -> float:
        _, lo, hi = adjusted_mean_interval(n, 0.45, 0.05, POS, NEG)
        return hi - lo

    widths = [width(n) for n in (20, 50, 200, 1000)]
    assert widths == sorted(widths, reverse=True)
    vague = ClassStats(n=50, mean=0.7, var_mean=0.002, var_item=0.05)
    _, lo1, hi1 = adjusted_mean_interval(200, 0.45, 0.05, POS, NEG)
    _, lo2, hi2 = adjusted_mean_interval(200, 0.45, 0.05, vague, NEG)
    assert hi2 - lo2 > hi1 - lo1


def test_an_outlet_scoring_below_the_human_class_is_zero_with_some_width():
    share, lo, hi = adjusted_mean_interval(200, 0.05, 0.001, POS, NEG)
    assert share == 0.0 and lo == 0.0 and hi > 0.0


def test_estimate_from_sums_equals_estimate_from_scores():
    ref = small_reference()
    p = np.array([0.2, 0.9, 0.4, 0.8, 0.7, 0.1])
    sums = ScoreSums.of(p, cut=ref.cut)
    assert sums.n_flagged == 3
    for method in ("pacc", "acc", "cc"):
        assert estimate(sums, ref, method) == estimate_from_scores(p, ref, method)
    cc = estimate(sums, ref, "cc")
    assert (cc.share, (cc.low, cc.high)) == (0.5, wilson_interval(3, 6))


def test_em_estimate_interval():
    e = em_estimate([0.9, 0.9, 0.9, 0.1])
    assert e.share == pytest.approx(0.8125, abs=1e-6)
    assert 0.0 <= e.low < e.share < e.high <= 1.0
    big = em_estimate([0.9, 0.9, 0.9, 0.1] * 50)
    assert big.share == pytest.approx(0.8125, abs=1e-6)
    assert big.high - big.low < e.high - e.low


def test_unknown_or_unavailable_method():
    ref = Reference.from_card({"thresholds": {"high": 0.8}, "dev_metrics": {"article": {"all": {
        "n_mt": 10, "n_human": 10, "tpr@high": 0.5, "fpr@high": 0.1}}}}, high=0.8)
    with pytest.raises(ValueError):
        estimate(ScoreSums.of([0.5, 0.9], 0.8), ref, "pacc")
    with pytest.raises(ValueError):
        estimate(ScoreSums.of([0.5, 0.9], 0.8), ref, "median-sweep")
    with pytest.raises(ValueError):
        estimate(ScoreSums.of([0.5, 0.9], 0.8), None)


# --------------------------------------------------------------------------- simulation (synthetic)


def simulate_synthetic(method: str, n: int, share: float, replicates: int, seed: int) -> tuple[float, float]:
    """Coverage and mean absolute error of ``method`` on outlets drawn from two Beta score laws.

    The reference is fitted on its own draw, never on the outlets' articles."""
    rng = np.random.default_rng(seed)
    ref_p = np.r_[rng.beta(4, 2, 1500), rng.beta(2, 4, 1500)]
    ref_y = np.r_[np.ones(1500), np.zeros(1500)]
    ref = Reference.from_scores(ref_p, ref_y, cut=0.8)
    k = round(share * n)
    covered, errors = 0, []
    for _ in range(replicates):
        x = np.r_[rng.beta(4, 2, k), rng.beta(2, 4, n - k)]
        e = estimate_from_scores(x, ref, method)
        covered += e.low <= k / n <= e.high
        errors.append(abs(e.share - k / n))
    return covered / replicates, float(np.mean(errors))


@pytest.mark.parametrize("n", [20, 200])
@pytest.mark.parametrize("share", [0.0, 0.05, 0.2, 0.5, 0.8, 1.0])
def test_pacc_covers_and_is_accurate_on_synthetic_outlets(n, share):
    coverage, mae = simulate_synthetic("pacc", n, share, replicates=300, seed=11 + n + int(100 * share))
    assert coverage >= 0.90
    if n == 200:
        assert mae <= 0.05


def test_share_flagged_undercounts_a_fully_machine_translated_outlet():
    _, mae_cc = simulate_synthetic("cc", 200, 1.0, replicates=50, seed=5)
    _, mae_pacc = simulate_synthetic("pacc", 200, 1.0, replicates=50, seed=5)
    assert mae_cc > 0.6 and mae_pacc < 0.05


# --------------------------------------------------------------------------- simulation (shared data)


def load_simulation_script():
    path = ROOT / "scripts" / "experiments" / "prevalence_simulation.py"
    spec = importlib.util.spec_from_file_location("prevalence_simulation", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
@pytest.mark.shared_data
def test_simulation_on_dev_data_with_the_fast_model(shared_data):
    from mtdetect.model import BundleError

    sim = load_simulation_script()
    model = ROOT / "models" / "default-fast"
    try:
        scores = sim.dev_scores([model], ROOT / ".cache" / "prevalence", quiet=True)[str(model)]
    except BundleError as exc:
        pytest.skip(f"the shipped fast model does not load with this code: {exc}")
    args = Namespace(splits=1, replicates=30, seed=1)
    run = sim.simulate(scores, args, None, (200,), (0.0, 0.5, 1.0), ("pacc", "cc"))
    cells = {(c["method"], c["share"]): c for c in run["cells"]}
    for share in (0.0, 0.5, 1.0):
        assert cells[("pacc", share)]["coverage"] >= 0.8
        assert cells[("pacc", share)]["mae"] <= 0.15
    assert cells[("pacc", 1.0)]["mae"] < cells[("cc", 1.0)]["mae"] - 0.3  # CC undercounts


# --------------------------------------------------------------------------- audit columns


class CardModel:
    """Reads ``P=0.90`` from the text, with a model card holding a prevalence reference."""

    model_id = "card-marker"
    thresholds = Thresholds(low=0.3, high=0.65)
    card = {"prevalence": small_reference().to_card()}

    def predict(self, analyses: Sequence[Analysis]) -> list[Prediction]:
        out = []
        for a in analyses:
            text = a.document.text
            i = text.find("P=")
            p = float(text[i + 2 : i + 6])
            out.append(Prediction(article_p=p, sentence_p=tuple(p for _ in a.document.sentences)))
        return out


class NoCardModel(CardModel):
    card = None


OUTLET_P = {"wire.test": [0.90, 0.80, 0.75, 0.60], "local.test": [0.20, 0.30, 0.10]}


def audit(tmp_path: Path, model, out_name: str = "out", **config) -> Path:
    rows = [{"id": f"{src}-{i}", "source": src, "text": f"The ferry ran late on Monday. P={p:.2f} was logged."}
            for src, ps in OUTLET_P.items() for i, p in enumerate(ps)]
    data = tmp_path / "in.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / out_name
    # the roll-ups are under test, not syndication lineage (when the audit has it)
    no_lineage = {"lineage": False} if "lineage" in AuditConfig.__dataclass_fields__ else {}
    run_audit([str(data)], AuditConfig(out=out, **no_lineage, **config), detector=Detector(model))
    return out


def test_sources_csv_and_summary_carry_the_estimate(tmp_path):
    out = audit(tmp_path, CardModel())
    with (out / "sources.csv").open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames
        rows = {r["source"]: r for r in reader}
    i = header.index("share_flagged_high")
    assert header[i + 1 : i + 4] == ["est_mt_share", "est_mt_share_low", "est_mt_share_high"]
    ref = small_reference()
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    by_source = {r["source"]: r for r in summary["by_source"]}
    for src, ps in OUTLET_P.items():
        want = estimate_from_scores(ps, ref, "pacc")
        for key, value in (("est_mt_share", want.share), ("est_mt_share_low", want.low),
                           ("est_mt_share_high", want.high)):
            assert float(rows[src][key]) == pytest.approx(value, abs=1e-4)
            assert by_source[src][key] == pytest.approx(value, abs=1e-4)
    assert float(rows["wire.test"]["est_mt_share"]) == 1.0          # mean 0.7625 > the MT class mean 0.75
    assert float(rows["wire.test"]["share_flagged"]) == 0.75         # 3 of 4 at or above 0.65
    everything = estimate_from_scores([p for ps in OUTLET_P.values() for p in ps], ref, "pacc")
    assert summary["est_mt_share"] == pytest.approx(everything.share, abs=1e-4)
    assert summary["est_mt_share_95ci"] == pytest.approx([everything.low, everything.high], abs=1e-4)
    assert summary["prevalence"]["method"] == "pacc"
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "estimated MT share" in html and "Estimated MT share overall" in html


def test_without_a_reference_the_estimate_columns_are_empty(tmp_path):
    out = audit(tmp_path, NoCardModel())
    with (out / "sources.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert all(r["est_mt_share"] == "" and r["est_mt_share_low"] == "" for r in rows)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["est_mt_share"] is None and summary["prevalence"]["method"] is None
    assert "share flagged" in (out / "report.html").read_text(encoding="utf-8")


def test_the_estimated_share_reads_text_only_scores_when_lineage_raised_a_copy():
    """Lineage raises a copy's p_mt (and verdict) by its link; the estimate's reference error
    rates were measured on text-only scores, so it must read p_mt_text / verdict_text."""
    from mtdetect.audit import OutletStats

    ref = small_reference()
    plain, raised = OutletStats(), OutletStats()
    for i, p in enumerate([0.9, 0.3, 0.2, 0.7, 0.1, 0.4]):
        verdict = "machine_translated" if p >= 0.65 else "human"
        plain.add({"p_mt": p, "verdict": verdict})
        if i in (1, 2):  # two copies raised by their lineage links
            raised.add({"p_mt": 0.99, "verdict": "machine_translated", "p_mt_text": p, "verdict_text": verdict})
        else:
            raised.add({"p_mt": p, "verdict": verdict})
    assert raised.estimated_share(ref) == plain.estimated_share(ref)
    assert raised.flagged == plain.flagged + 2  # the share flagged shows the combined verdicts
    assert raised.row("x", ref)["mean_p_mt"] > plain.row("x", ref)["mean_p_mt"]


# --------------------------------------------------------------------------- audit: the human reference


class OldCardModel(CardModel):
    """A card written before the human class of each label was kept."""

    card = {"prevalence": {k: v for k, v in small_reference().to_card().items() if k != "human_by_label"}}


def read_sources(out: Path) -> dict[str, dict[str, str]]:
    with (out / "sources.csv").open(encoding="utf-8", newline="") as fh:
        return {r["source"]: r for r in csv.DictReader(fh)}


def summary_of(out: Path) -> dict:
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("kind", ["original", "translation"])
def test_the_audit_corrects_against_the_human_reference_it_is_given(tmp_path, kind):
    out = audit(tmp_path, CardModel(), human_reference=kind)
    ref = Reference.from_card(CardModel.card, high=CardModel.thresholds.high).matched(kind)
    rows, summary = read_sources(out), summary_of(out)
    for src, ps in OUTLET_P.items():
        want = estimate_from_scores(ps, ref, "pacc")
        assert [float(rows[src][k]) for k in ("est_mt_share", "est_mt_share_low", "est_mt_share_high")] == \
            pytest.approx([want.share, want.low, want.high], abs=1e-4)
    everything = [p for ps in OUTLET_P.values() for p in ps]
    want = estimate_from_scores(everything, ref, "pacc")
    mixed = estimate_from_scores(everything, small_reference(), "pacc")
    assert summary["est_mt_share"] == pytest.approx(want.share, abs=1e-4)
    assert abs(want.share - mixed.share) > 0.04  # the choice matters for these scores
    assert summary["prevalence"]["human_reference"] == kind
    assert summary["prevalence"] == describe(ref)
    html = (out / "report.html").read_text(encoding="utf-8")
    assert f"--human-reference {kind}" in html and "dev mix of original English" not in html


def test_the_mixed_human_reference_is_the_audit_as_before(tmp_path):
    default = audit(tmp_path, CardModel(), "default")
    mixed = audit(tmp_path, CardModel(), "mixed", human_reference="mixed")
    for name in ("sources.csv", "articles.csv", "report.html"):
        assert (default / name).read_bytes() == (mixed / name).read_bytes()
    a, b = summary_of(default), summary_of(mixed)
    a.pop("seconds_this_run"), b.pop("seconds_this_run")
    assert a == b and "human_reference" not in a["prevalence"]
    assert "dev mix of original English and human translations" in (mixed / "report.html").read_text(encoding="utf-8")


def test_a_resumed_audit_estimates_everything_with_the_reference_it_is_given(tmp_path):
    out = audit(tmp_path, CardModel(), "resumed", human_reference="original")
    audit(tmp_path, CardModel(), "resumed", human_reference="translation", resume=True)
    fresh = audit(tmp_path, CardModel(), "fresh", human_reference="translation")
    assert (out / "sources.csv").read_bytes() == (fresh / "sources.csv").read_bytes()
    assert summary_of(out)["prevalence"]["human_reference"] == "translation"
    assert summary_of(out)["est_mt_share"] == summary_of(fresh)["est_mt_share"]


@pytest.mark.parametrize("model, message", [(OldCardModel(), "retrain"), (NoCardModel(), "no dev reference")])
def test_an_impossible_human_reference_is_refused_before_the_folder_is_touched(tmp_path, model, message):
    out = audit(tmp_path, CardModel())
    before = (out / "articles.jsonl").read_bytes()
    with pytest.raises(ValueError, match=message):
        audit(tmp_path, model, human_reference="original")
    assert (out / "articles.jsonl").read_bytes() == before and (out / "summary.json").exists()
    audit(tmp_path, model)  # the mixed reference (or none) still works with that model


def test_an_unknown_human_reference_is_a_config_error(tmp_path):
    with pytest.raises(ValueError, match="human_reference"):
        AuditConfig(out=tmp_path, human_reference="english")
