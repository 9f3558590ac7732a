"""scripts/train.py: the shipped recipe's synthetic data is made when missing, never silently
left out (training without it gives models that differ from the shipped ones)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"


@pytest.fixture
def train_script(monkeypatch, tmp_path):
    monkeypatch.syspath_prepend(str(SCRIPTS))
    monkeypatch.setenv("MTDETECT_CACHE", str(tmp_path))
    module = importlib.import_module("train")
    yield module
    sys.modules.pop("train", None)


def _write(folder: Path, names) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / f"{name}.jsonl").write_text("", encoding="utf-8")


def test_missing_systems_are_refused_without_synthesize(train_script, tmp_path, capsys, monkeypatch):
    calls = []
    monkeypatch.setattr(train_script.synth_training, "main", lambda argv: calls.append(argv) or 0)
    _write(tmp_path / "synth", train_script.SHIPPED_SYSTEMS[:-1])
    assert train_script._shipped_synthetic(None, synthesize=False, jobs=2) == 2
    err = capsys.readouterr().err
    assert train_script.SHIPPED_SYSTEMS[-1] in err and "--synth-dir none" in err
    assert calls == []


def test_missing_systems_are_made_first(train_script, tmp_path, monkeypatch):
    folder = tmp_path / "synth"
    calls = []

    def fake_main(argv):
        calls.append(argv)
        _write(folder, train_script.SHIPPED_SYSTEMS)  # what the real script leaves behind
        return 0

    monkeypatch.setattr(train_script.synth_training, "main", fake_main)
    files = train_script._shipped_synthetic(None, synthesize=True, jobs=3)
    [argv] = calls
    assert argv[argv.index("--out-dir") + 1] == str(folder)
    assert argv[argv.index("--jobs") + 1] == "3"
    assert set(train_script.SHIPPED_SYSTEMS) <= set(argv)
    assert sorted(p.stem for p in files) == sorted(train_script.SHIPPED_SYSTEMS)


def test_a_failed_synthesis_stops_training(train_script, monkeypatch):
    monkeypatch.setattr(train_script.synth_training, "main", lambda argv: 3)
    assert train_script._shipped_synthetic(None, synthesize=True, jobs=1) == 3


def test_a_complete_cache_is_used_as_it_is(train_script, tmp_path, monkeypatch):
    monkeypatch.setattr(train_script.synth_training, "main", lambda argv: pytest.fail("nothing to make"))
    _write(tmp_path / "synth", [*train_script.SHIPPED_SYSTEMS, "bergamot-pt+apertium-cat"])
    files = train_script._shipped_synthetic(None, synthesize=False, jobs=2)
    assert sorted(p.stem for p in files) == sorted(train_script.SHIPPED_SYSTEMS)  # extra systems not taken


def test_a_named_folder_or_none_is_taken_as_it_is(train_script, tmp_path, monkeypatch):
    monkeypatch.setattr(train_script.synth_training, "main", lambda argv: pytest.fail("nothing to make"))
    assert train_script._shipped_synthetic(Path("none"), synthesize=True, jobs=2) == []
    mine = tmp_path / "mine"
    _write(mine, ["apertium-spa", "my-engine"])
    files = train_script._shipped_synthetic(mine, synthesize=True, jobs=2)
    assert sorted(p.stem for p in files) == ["apertium-spa", "my-engine"]


def test_a_negative_synthetic_weight_is_a_usage_error(train_script, capsys):
    with pytest.raises(SystemExit) as exc:
        train_script.main(["--synthetic-weight", "-0.5", "--fast"])
    assert exc.value.code == 2
    assert "--synthetic-weight must be 0 or more" in capsys.readouterr().err


def test_cli_train_records_the_synthetic_weight_and_refuses_a_negative_one(tmp_path):
    import json

    from typer.testing import CliRunner

    from mtdetect.cli import app

    data = tmp_path / "train.jsonl"
    with data.open("w", encoding="utf-8") as fh:
        for i in range(40):
            label = ("mt", "original", "roundtrip_mt", "original")[i % 4]
            text = ("The leaders met at the top of the summit. Mr. XI called for a high -level dialogue."
                    if label != "original" else "The council met on Tuesday to discuss the harbour. Fares stay the same.")
            system = "fake:en-xx>fake:xx-en" if label == "roundtrip_mt" else None
            fh.write(json.dumps({"id": f"d{i}", "doc_id": f"g{i // 4}", "text": f"{text} Item {i}.", "label": label,
                                 "system": system}) + "\n")
    res = CliRunner().invoke(app, ["train", "--data", str(data), "--out", str(tmp_path / "m"), "--fast",
                                   "--synthetic-weight", "0.25", "--dev-fraction", "0.3"])
    assert res.exit_code == 0, res.output
    assert json.loads((tmp_path / "m" / "card.json").read_text())["config"]["synthetic_weight"] == 0.25
    res = CliRunner().invoke(app, ["train", "--data", str(data), "--out", str(tmp_path / "n"), "--fast",
                                   "--synthetic-weight", "-1"])
    assert res.exit_code == 2
    assert not (tmp_path / "n").exists()
