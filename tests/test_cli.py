"""The command line through typer's CliRunner: formats, exit codes, bad inputs."""

from __future__ import annotations

import json

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
