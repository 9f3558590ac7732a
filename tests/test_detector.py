"""The Detector facade with the transparent rule scorer, and report rendering."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

from mtdetect.detector import Detector, RuleModel, ShortCuts, Thresholds, source_language_from_findings
from mtdetect.features import rule_score
from mtdetect.report import CSV_COLUMNS, write_reports
from mtdetect.types import Article, Explanation, Finding, InputError, Span, Verdict

MT_TEXT = (
    "Xi and Putin meet at the top of the Shanghai Cooperation Organisation.\n"
    "Mr. XI called for high -level cooperation.\n"
    "The weather was fine."
)
HUMAN_TEXT = "The council approved the budget on Tuesday. Buses will run more often."


def _finding(score: float, lang: str | None = None) -> Finding:
    return Finding("calque", Span(0, 1), "x", score, Explanation("r", "rule", "msg", None, lang))


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector.load("rules")


def test_rule_score_is_noisy_or():
    assert rule_score([]) == 0.0
    assert rule_score([_finding(0.5), _finding(0.5)]) == pytest.approx(0.75)


@pytest.mark.parametrize(
    "p,verdict",
    [(0.95, Verdict.MACHINE_TRANSLATED), (0.8, Verdict.MACHINE_TRANSLATED), (0.6, Verdict.UNSURE), (0.1, Verdict.HUMAN)],
)
def test_thresholds(p, verdict):
    assert Thresholds(0.5, 0.8).verdict(p) is verdict


def test_short_texts_are_judged_by_their_own_cuts():
    th = Thresholds(0.5, 0.8, ShortCuts(max_words=150, low=0.4, high=0.9))
    assert th.verdict(0.85, n_words=149) is Verdict.UNSURE  # below the short high cut
    assert th.verdict(0.85, n_words=150) is Verdict.MACHINE_TRANSLATED
    assert th.verdict(0.85) is Verdict.MACHINE_TRANSLATED  # length unknown: the article cuts
    assert th.verdict(0.45, n_words=20) is Verdict.UNSURE
    assert th.verdict(0.45, n_words=200) is Verdict.HUMAN
    assert th.highs(np.array([10, 149, 150, 1000])).tolist() == [0.9, 0.9, 0.8, 0.8]
    assert th.lows(np.array([10, 150])).tolist() == [0.4, 0.5]
    assert th.to_dict() == {"low": 0.5, "high": 0.8, "short": {"max_words": 150, "low": 0.4, "high": 0.9}}
    assert Thresholds(0.5, 0.8).to_dict() == {"low": 0.5, "high": 0.8}
    assert Thresholds.from_dict(th.to_dict()) == th
    assert Thresholds.from_dict({"low": 0.5, "high": 0.8}) == Thresholds(0.5, 0.8)


def test_source_language_from_findings():
    assert source_language_from_findings([]) == (None, None)
    lang, conf = source_language_from_findings([_finding(0.9, "fr"), _finding(0.3, "de"), _finding(0.5)])
    assert lang == "fr"
    assert conf == pytest.approx(0.75)


def test_mt_text_is_flagged_with_explained_findings(detector):
    rep = detector.score(MT_TEXT)
    assert rep.verdict is Verdict.MACHINE_TRANSLATED
    assert rep.model_id == "rules"
    kinds = {f.kind for f in rep.findings}
    assert {"calque", "garbled_name", "typography"} <= kinds
    for f in rep.findings:
        assert MT_TEXT[f.start : f.end] == f.text and f.message
    # each sentence's findings lie inside it
    for s in rep.sentences:
        assert all(s.start <= f.start and f.end <= s.end for f in s.findings)
    assert rep.sentences[2].findings == () and rep.sentences[2].p_mt == 0.0


def test_human_text_is_not_flagged(detector):
    rep = detector.score(HUMAN_TEXT)
    assert rep.findings == ()
    assert rep.verdict is Verdict.HUMAN
    assert len(rep.sentences) == 2


def test_score_many_keeps_order_and_passes_errors(detector):
    items = [Article("a", HUMAN_TEXT), InputError("bad.bin", "binary file"), Article("b", MT_TEXT)]
    reps = list(detector.score_many(items, batch_size=2))
    assert [r.id for r in reps] == ["a", "bad.bin", "b"]
    assert reps[1].error == "bad.bin: binary file" and reps[1].p_mt is None


def test_jsonl_contract(detector):
    out = io.StringIO()
    list(write_reports([detector.score(MT_TEXT)], "jsonl", out))
    obj = json.loads(out.getvalue())
    for key in ("id", "path", "title", "p_mt", "verdict", "source_lang_hint", "error", "findings", "sentences"):
        assert key in obj
    f = obj["findings"][0]
    assert set(f) >= {"kind", "recognizer", "start", "end", "text", "score", "message", "suggestion", "source_lang_hint"}
    s = obj["sentences"][0]
    assert set(s) == {"index", "start", "end", "text", "p_mt", "findings"}


def test_no_explain_drops_findings(detector):
    obj = detector.score(MT_TEXT).to_dict(explain=False)
    assert obj["findings"] == [] and all(s["findings"] == [] for s in obj["sentences"])


def test_csv_has_fixed_columns(detector):
    out = io.StringIO()
    list(write_reports([detector.score(MT_TEXT), detector.score(HUMAN_TEXT)], "csv", out))
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert rows[0]["verdict"] == "machine_translated" and int(rows[0]["n_findings"]) >= 3
    assert rows[1]["verdict"] == "human" and rows[1]["top_finding"] == ""


def test_json_is_a_list(detector):
    out = io.StringIO()
    list(write_reports([detector.score(HUMAN_TEXT)] * 2, "json", out))
    assert len(json.loads(out.getvalue())) == 2


def test_text_marks_spans_and_explains(detector):
    out = io.StringIO()
    list(write_reports([detector.score(MT_TEXT)], "text", out))
    txt = out.getvalue()
    assert txt.startswith("MACHINE-TRANSLATED")
    assert "[[the top of the Shanghai Cooperation Organisation]]" in txt or "[[top of the" in txt
    assert "[[high -level]]" in txt
    assert "The weather was fine." not in txt  # unflagged sentences are not listed


def test_rule_model_is_default_without_bundle(tmp_path, monkeypatch):
    monkeypatch.setattr("mtdetect.detector.default_model_dir", lambda: tmp_path / "none")
    monkeypatch.delenv("MTDETECT_MODEL", raising=False)
    assert isinstance(Detector.load().model, RuleModel)


def test_findings_are_capped_per_rule_and_article():
    from mtdetect.features import MAX_FINDINGS_PER_RULE

    report = Detector.load("rules").score("The talks (on trade" + ")" * 5000 + " ended. Mr. XI came.")
    by_rule = {}
    for f in report.findings:
        by_rule[f.rule] = by_rule.get(f.rule, 0) + 1
    assert by_rule["unbalanced_parenthesis"] == MAX_FINDINGS_PER_RULE
    assert by_rule["allcaps_surname"] == 1  # other rules are untouched
    kept = [f.start for f in report.findings if f.rule == "unbalanced_parenthesis"]
    assert kept == sorted(kept) and kept[0] == report.findings[0].start  # the first ones are kept
