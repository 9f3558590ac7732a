"""The command line through typer's CliRunner: formats, exit codes, bad inputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mtdetect.cli import app

runner = CliRunner()


def run(*args: str, input: str | None = None):
    return runner.invoke(app, list(args), input=input)


def test_score_samples_text(samples_dir):
    res = run("score", str(samples_dir), "--model", "rules")
    assert res.exit_code == 0, res.output
    assert "MACHINE-TRANSLATED" in res.output
    assert "mt_sco_summit_roundtrip.txt" in res.output


def test_score_jsonl_one_object_per_article(samples_dir):
    res = run("score", str(samples_dir / "articles.jsonl"), "--model", "rules", "--format", "jsonl")
    assert res.exit_code == 0, res.output
    objs = [json.loads(line) for line in res.stdout.splitlines()]
    assert [o["id"] for o in objs] == ["wire-001", "wire-002"]
    assert objs[0]["verdict"] == "human" and objs[1]["verdict"] == "machine_translated"
    assert objs[1]["source"] == "syndicated-news.test"


def test_score_stdin():
    res = run("score", "-", "--model", "rules", "--format", "jsonl", input="Mr. XI arrived in a high -level visit.\n")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout.splitlines()[0])["findings"]


def test_bad_input_exit_3_and_others_scored(tmp_path, samples_dir):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blob.bin").write_bytes(bytes(range(256)) * 10)
    (tmp_path / "good.txt").write_text("The bridge reopened on Friday after repairs.", encoding="utf-8")
    res = run("score", str(tmp_path), "--model", "rules", "--format", "jsonl")
    assert res.exit_code == 3
    objs = [json.loads(line) for line in res.stdout.splitlines()]
    assert len(objs) == 3
    errors = [o for o in objs if o["error"]]
    assert len(errors) == 2
    assert all(o["path"] and ("empty" in o["error"] or "binary" in o["error"]) for o in errors)
    assert "2 of 3 inputs failed" in res.stderr


def test_missing_file_is_an_input_error(tmp_path):
    res = run("score", str(tmp_path / "nope.txt"), "--model", "rules")
    assert res.exit_code == 3
    assert "nope.txt" in res.output


@pytest.mark.parametrize("args", [["score"], ["score", "x.txt", "--format", "yaml"], ["frobnicate"]])
def test_usage_errors_exit_2(args):
    assert run(*args).exit_code == 2


def test_fail_on_flagged(samples_dir):
    res = run("score", str(samples_dir / "mt_trade_talks.txt"), "--model", "rules", "--fail-on", "machine_translated")
    assert res.exit_code == 1


def test_bad_model_dir_is_usage_error(tmp_path):
    res = run("score", "-", "--model", str(tmp_path), input="text")
    assert res.exit_code == 2
    assert "not a model bundle" in res.output


def test_recognizers_lists_all():
    res = run("recognizers")
    assert res.exit_code == 0
    for name in ("garbled_names", "calques", "typography"):
        assert name in res.output


def test_help_shows_examples():
    res = run("score", "--help")
    assert res.exit_code == 0 and "Examples" in res.output


# --------------------------------------------------------------------------- audit --human-reference

FAST_MODEL = Path(__file__).resolve().parent.parent / "models" / "default-fast"


def tiny_feed(tmp_path: Path, samples_dir: Path) -> Path:
    """Two human-written articles (fast model p_mt about 0.43 and 0.30) from one outlet, an MT one from another."""
    names = {"human_city_budget.md": "one.test", "human_harbour_ferry.txt": "one.test", "mt_trade_talks.txt": "two.test"}
    rows = [{"id": f"a{i}", "source": source, "text": (samples_dir / name).read_text(encoding="utf-8")}
            for i, (name, source) in enumerate(names.items())]
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return feed


def audit_fast(feed: Path, out: Path, model: Path, *extra: str):
    return run("audit", str(feed), "--out", str(out), "--model", str(model), "-q", "--no-lineage", *extra)


@pytest.mark.skipif(not (FAST_MODEL / "card.json").exists(), reason="the shipped fast model is missing")
@pytest.mark.parametrize("kind", ["original", "translation"])
def test_audit_human_reference_end_to_end(tmp_path, samples_dir, kind):
    from mtdetect.prevalence import Reference, estimate_from_scores

    feed = tiny_feed(tmp_path, samples_dir)
    res = audit_fast(feed, tmp_path / "out", FAST_MODEL, "--human-reference", kind)
    assert res.exit_code == 0, res.output
    card = json.loads((FAST_MODEL / "card.json").read_text(encoding="utf-8"))
    ref = Reference.from_card(card, high=card["thresholds"]["high"]).matched(kind)
    records = [json.loads(line) for line in (tmp_path / "out" / "articles.jsonl").read_text().splitlines()]
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["prevalence"]["human_reference"] == kind
    by_source = {r["source"]: r for r in summary["by_source"]}
    for source in ("one.test", "two.test"):
        want = estimate_from_scores([r["p_mt"] for r in records if r["source"] == source], ref, "pacc")
        assert by_source[source]["est_mt_share"] == pytest.approx(want.share, abs=1e-4)
        assert by_source[source]["est_mt_share_low"] == pytest.approx(want.low, abs=1e-4)
    mixed = audit_fast(feed, tmp_path / "mixed", FAST_MODEL)
    assert mixed.exit_code == 0, mixed.output
    mixed_summary = json.loads((tmp_path / "mixed" / "summary.json").read_text(encoding="utf-8"))
    assert "human_reference" not in mixed_summary["prevalence"]
    assert summary["mean_p_mt"] == mixed_summary["mean_p_mt"]  # the same scores, another correction
    assert summary["est_mt_share"] != mixed_summary["est_mt_share"]


@pytest.mark.skipif(not (FAST_MODEL / "card.json").exists(), reason="the shipped fast model is missing")
def test_audit_human_reference_refused_with_a_card_that_predates_it(tmp_path, samples_dir):
    import shutil

    old = tmp_path / "old-model"
    shutil.copytree(FAST_MODEL, old)
    card = json.loads((old / "card.json").read_text(encoding="utf-8"))
    del card["prevalence"]["human_by_label"]
    (old / "card.json").write_text(json.dumps(card), encoding="utf-8")
    feed = tiny_feed(tmp_path, samples_dir)
    res = audit_fast(feed, tmp_path / "out", old, "--human-reference", "original")
    assert res.exit_code == 2
    assert "--human-reference original" in res.output and "retrain" in res.output
    assert not (tmp_path / "out").exists()  # refused before any work
    assert audit_fast(feed, tmp_path / "out", old).exit_code == 0  # the mixed reference still works


def test_audit_human_reference_unknown_value_is_a_usage_error(tmp_path):
    res = run("audit", str(tmp_path), "--out", str(tmp_path / "out"), "--model", "rules", "--human-reference", "english")
    assert res.exit_code == 2
