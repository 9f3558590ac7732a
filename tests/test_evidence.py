"""The trained model's evidence by family: exact sums, readable labels, and the report."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mtdetect.deep import _stage_evidence
from mtdetect.detector import Detector
from mtdetect.evidence import FAMILIES, ArticleExplainer, family_of, input_label, linear_parts
from mtdetect.model import ARTICLE_MODEL_INPUTS
from mtdetect.report import render_text

NAMES = ("pooled.mean", "article.text_model", "article.calque.density", "article.style.fw_the", "article.sent_len_mean")


def test_every_article_input_has_one_of_the_four_families():
    fams = {family_of(n) for n in ARTICLE_MODEL_INPUTS}
    assert fams == set(FAMILIES)
    assert family_of("pooled.max") == "sentences"
    assert family_of("article.text_model") == "wording"
    assert family_of("article.pivot_word.density") == "artifacts"
    assert family_of("article.findings.rule_score") == "artifacts"
    assert family_of("article.style.fw_the") == "style" == family_of("article.sent_len_cv")


def test_labels_are_readable():
    assert input_label("article.style.fw_the") == "'the' rate"
    assert input_label("pooled.share_over_half") == "share of sentences over 0.5"
    assert input_label("article.style.type_token_ratio") == "type token ratio"


@pytest.fixture(scope="module")
def fitted():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, len(NAMES))) * [1, 2, 0.5, 3, 10] + [0, 1, 0, 5, 20]
    y = (X[:, 0] + 0.5 * X[:, 1] - X[:, 3] / 3 + rng.normal(size=400) > 0).astype(int)
    clf = make_pipeline(StandardScaler(), CalibratedClassifierCV(LogisticRegression(), method="sigmoid", cv=3,
                                                                 ensemble=False)).fit(X, y)
    return clf, X


def test_families_add_up_to_the_log_odds_before_calibration(fitted):
    clf, X = fitted
    explainer = ArticleExplainer(clf, NAMES)
    lr = clf.steps[1][1].calibrated_classifiers_[0].estimator
    decision = lr.decision_function(clf.steps[0][1].transform(X[:5]))
    for x, d in zip(X[:5], decision):
        evidence = explainer.explain(x)
        assert [abs(e.weight) for e in evidence] == sorted((abs(e.weight) for e in evidence), reverse=True)
        assert {e.family for e in evidence} == set(FAMILIES)
        assert explainer.base + sum(explainer.contributions(x)) == pytest.approx(d, abs=1e-9)
        assert explainer.base + sum(e.weight for e in evidence) == pytest.approx(d, abs=5e-3)  # rounded


def test_a_reference_article_moves_the_weights_not_the_sum(fitted):
    clf, X = fitted
    plain = ArticleExplainer(clf, NAMES)
    reference = X[:50].mean(axis=0) + 0.3
    shifted = ArticleExplainer(clf, NAMES, reference=reference)
    assert plain.base == pytest.approx(plain.intercept)
    for x in X[:5]:
        total = shifted.base + sum(shifted.contributions(x))
        assert total == pytest.approx(plain.base + sum(plain.contributions(x)), abs=1e-9)
    assert sum(shifted.contributions(reference)) == pytest.approx(0.0, abs=1e-12)
    # a reference of the wrong length (another model's) is ignored: the training mean
    assert np.array_equal(ArticleExplainer(clf, NAMES, reference=[1.0]).reference, plain.mean)


def test_inputs_are_named_largest_first_and_the_message_says_the_direction(fitted):
    clf, X = fitted
    explainer = ArticleExplainer(clf, NAMES)
    x = X[0].copy()
    x[3] = 40.0  # far above the mean 'the' rate, whose weight is negative
    style = next(e for e in explainer.explain(x) if e.family == "style")
    assert style.inputs[0][0] == "article.style.fw_the" and style.inputs[0][1] < 0
    assert "toward human writing" in style.message and "'the' rate" in style.message


def test_an_article_without_findings_says_so(fitted):
    clf, X = fitted
    x = X[0].copy()
    x[2] = 0.0  # the only artifact input of this model: no calque
    artifacts = next(e for e in ArticleExplainer(clf, NAMES).explain(x) if e.family == "artifacts")
    assert artifacts.message.startswith("no findings")


def test_other_models_are_refused():
    with pytest.raises(ValueError):
        linear_parts(LogisticRegression())
    with pytest.raises(ValueError):
        ArticleExplainer(object(), NAMES)


@pytest.fixture(scope="module")
def fast_detector() -> Detector:
    return Detector.load(fast=True)


ARTICLE = ("The government approved on Tuesday the new budget of the city.\n"
           "The mayor declared that the measures will enter in vigour in January.\n"
           "The opposition criticised the plan, which it considers insufficient.")


def test_the_shipped_model_explains_its_own_probability(fast_detector):
    model = fast_detector.model
    report = fast_detector.score(ARTICLE)
    assert report.evidence and {e.family for e in report.evidence} == {family_of(n) for n in model.article_inputs}
    assert len(model.card["article_reference"]) == len(model.article_inputs)
    log_odds = model.explainer().base + sum(e.weight for e in report.evidence)
    clf = model.article_clf
    a, b = (clf.a_, clf.b_) if hasattr(clf, "a_") else (
        clf.steps[1][1].calibrated_classifiers_[0].calibrators[0].a_,
        clf.steps[1][1].calibrated_classifiers_[0].calibrators[0].b_)
    assert 1 / (1 + math.exp(a * log_odds + b)) == pytest.approx(report.p_mt, abs=2e-3)


def test_evidence_is_in_the_json_and_the_text_report(fast_detector):
    report = fast_detector.score(ARTICLE)
    d = json.loads(json.dumps(report.to_dict()))
    assert [e["family"] for e in d["evidence"]] == [e.family for e in report.evidence]
    assert all(e["inputs"] and "log-odds" in e["message"] for e in d["evidence"])
    assert report.to_dict(explain=False)["evidence"] == []
    text = render_text(report)
    assert "model evidence (log-odds, + toward MT): " + report.evidence[0].family in text
    assert "model evidence" not in render_text(report, explain=False)


def test_the_rule_scorer_has_no_evidence():
    report = Detector.load("rules").score(ARTICLE)
    assert report.evidence == () and "model evidence" not in render_text(report)


def test_the_round_trip_stage_reports_its_move():
    e = _stage_evidence(0.5, 0.9)
    assert e.family == "round_trip_stage"
    assert e.weight == pytest.approx(math.log(9), abs=1e-3)
    assert "from 0.50 to 0.90" in e.message
