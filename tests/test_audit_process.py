"""`mtdetect audit` as a real process: killed and resumed, interrupted, and with worker processes.

These run the CLI in a subprocess, because the guarantees under test (a kill at any point
leaves resumable output; Ctrl-C exits cleanly; ``--jobs`` workers give the same results)
are about processes and signals.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

SENTENCES = [
    "The council approved the new budget on Monday after a long debate.",
    "Mr. XI called for a high -level dialogue between the two countries.",
    "Images broadcast in a common flow showed the leaders shaking hands.",
    "The harbour reopened once the storm had passed.",
    "The North Korean leader Kim Jong one received the delegation.",
    "Schools will close early on Friday because of the heat.",
    "The leaders met at the top of the Shanghai Cooperation Organisation.",
    "Shop owners said the works had cut their trade by half.",
]


def make_feed(path: Path, n: int) -> Path:
    rng = random.Random(7)
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            text = " ".join(rng.sample(SENTENCES, 4)) + f" Story {i} ends here."
            fh.write(json.dumps({"id": f"art-{i:04d}", "source": f"outlet-{i % 5}", "text": text}) + "\n")
    return path


def audit_cmd(data: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "mtdetect.cli", "audit", str(data), "--out", str(out), "-q", *extra]


def env() -> dict[str, str]:
    return {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}


def run_to_end(cmd: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=ROOT, env=env(), capture_output=True, text=True, timeout=600)


def line_count(path: Path) -> int:
    try:
        with path.open("rb") as fh:
            return sum(1 for _ in fh)
    except FileNotFoundError:
        return 0


def records(out: Path) -> dict[str, dict]:
    lines = [json.loads(x) for x in (out / "articles.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    ids = [r["id"] for r in lines]
    assert len(ids) == len(set(ids)), "an article was written twice"
    return {r["id"]: r for r in lines}


def kill_when(proc: subprocess.Popen, articles: Path, at_least: int, extra_delay: float, sig: int) -> bool:
    """Send ``sig`` once ``articles`` has ``at_least`` lines (plus a delay); False if it finished first."""
    deadline = time.monotonic() + 300
    while proc.poll() is None and time.monotonic() < deadline:
        if line_count(articles) >= at_least:
            time.sleep(extra_delay)
            if proc.poll() is None:
                proc.send_signal(sig)
                proc.wait(timeout=120)
                return True
            return False
        time.sleep(0.005)
    proc.wait(timeout=120)
    return False


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.fixture(scope="module")
def feed(tmp_path_factory) -> Path:
    return make_feed(tmp_path_factory.mktemp("feed") / "feed.jsonl", 400)


def reference_records(feed: Path, out: Path) -> dict[str, dict]:
    """The articles of an uninterrupted audit of ``feed`` (rule scorer, batches of 4)."""
    res = run_to_end(audit_cmd(feed, out, "--model", "rules", "--batch-size", "4"))
    assert res.returncode == 0, res.stderr
    return records(out)


@pytest.fixture(scope="module")
def reference(feed, tmp_path_factory) -> dict[str, dict]:
    return reference_records(feed, tmp_path_factory.mktemp("reference"))


# The signal tests need an audit that is still scoring when the signal lands, however fast
# scoring gets and however slowly the test's polling loop is scheduled: a feed of several
# seconds' work, stopped after its first lines.
BIG = 4000


@pytest.fixture(scope="module")
def big_feed(tmp_path_factory) -> Path:
    return make_feed(tmp_path_factory.mktemp("big") / "feed.jsonl", BIG)


@pytest.fixture(scope="module")
def big_reference(big_feed, tmp_path_factory) -> dict[str, dict]:
    return reference_records(big_feed, tmp_path_factory.mktemp("big-reference"))


def test_killed_ten_times_at_random_points_then_resumed(big_feed, big_reference, tmp_path):
    """SIGKILL at 10 random points, resuming each time: every article once, scores identical."""
    out = tmp_path / "out"
    rng = random.Random(2026)
    cmd = audit_cmd(big_feed, out, "--model", "rules", "--batch-size", "4")
    kills = 0
    for round_ in range(10):
        proc = subprocess.Popen(cmd + (["--resume"] if round_ else []), cwd=ROOT, env=env(),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        target = line_count(out / "articles.jsonl") + rng.randint(1, 30)
        kills += kill_when(proc, out / "articles.jsonl", target, rng.uniform(0, 0.02), signal.SIGKILL)
    final = run_to_end(cmd + ["--resume"])
    assert final.returncode == 0, final.stderr
    assert kills >= 5, "the audit finished before most kills: make the feed bigger"
    assert records(out) == big_reference
    summary = json.loads((out / "summary.json").read_text())
    assert summary["articles"] == BIG and summary["errors"] == 0


def test_ctrl_c_exits_130_and_leaves_resumable_output(big_feed, big_reference, tmp_path):
    out = tmp_path / "out"
    cmd = audit_cmd(big_feed, out, "--model", "rules", "--batch-size", "4")
    # A shell starts background jobs with SIGINT ignored, and the child would inherit that
    # (CI may run the suite in the background): give it the default, as a terminal would.
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=_default_sigint)
    assert kill_when(proc, out / "articles.jsonl", 40, 0.0, signal.SIGINT)
    assert proc.returncode == 130
    assert "--resume" in proc.stderr.read()
    # every line already written is complete JSON: no repair needed
    for line in (out / "articles.jsonl").read_text(encoding="utf-8").splitlines():
        json.loads(line)
    assert line_count(out / "articles.jsonl") < BIG  # stopped while scoring
    final = run_to_end(cmd + ["--resume"])
    assert final.returncode == 0, final.stderr
    assert records(out) == big_reference


def test_sigterm_stops_like_ctrl_c(big_feed, tmp_path):
    out = tmp_path / "out"
    proc = subprocess.Popen(audit_cmd(big_feed, out, "--model", "rules", "--batch-size", "4"), cwd=ROOT, env=env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert kill_when(proc, out / "articles.jsonl", 40, 0.0, signal.SIGTERM)
    assert proc.returncode == 130


def test_jobs_give_the_same_articles_as_one_process(feed, reference, tmp_path):
    out = tmp_path / "out"
    res = run_to_end(audit_cmd(feed, out, "--model", "rules", "--batch-size", "16", "--jobs", "2"))
    assert res.returncode == 0, res.stderr
    assert records(out) == reference


@pytest.mark.slow
def test_shipped_fast_model_killed_and_resumed(feed, tmp_path):
    """The same guarantee with a trained model (identical probabilities after resume)."""
    full, out = tmp_path / "full", tmp_path / "out"
    cmd_full = audit_cmd(feed, full, "--fast", "--batch-size", "8")
    assert run_to_end(cmd_full).returncode == 0
    cmd = audit_cmd(feed, out, "--fast", "--batch-size", "8")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    kill_when(proc, out / "articles.jsonl", 100, 0.01, signal.SIGKILL)
    assert run_to_end(cmd + ["--resume"]).returncode == 0
    assert records(out) == records(full)
