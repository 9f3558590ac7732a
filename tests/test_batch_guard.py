"""One article never takes down a batch: size limits, per-article guards, worker deaths.

Specification (issue: "one article must never take down a batch"):
* an article over a limit is refused before analysis, with an error naming the article,
  the limit and its value;
* an exception in any stage of one article's path is that article's error record
  (naming the exception type and the stage); the other articles' reports are identical
  to a run without the fault;
* the time budget covers prediction too;
* a poisoned feed costs one error row per poisoned record, in ``score`` and in ``audit``
  with one process and with ``--jobs 2``, in bounded memory.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from batch_faults import KILL_MARKER, score_or_die
from mtdetect import audit, model as model_module
from mtdetect.detector import Detector, RuleModel
from mtdetect.guard import ArticleLimits, LimitExceeded, StageError, failure_reason, stage
from mtdetect.recognizers import builtin_recognizers
from mtdetect.recognizers.base import Recognizer
from mtdetect.types import Article, Document, Finding, InputError

ROOT = Path(__file__).resolve().parent.parent
FAST_MODEL = ROOT / "models" / "default-fast"

ORDINARY = [
    "The council approved the new budget on Monday after a long debate.",
    "Mr. XI called for a high -level dialogue between the two countries.",
    "The leaders met at the top of the Shanghai Cooperation Organisation.",
    "Schools will close early on Friday because of the heat. Parents were told on Tuesday.",
    "The harbour reopened once the storm had passed, the port authority said.",
    "Shop owners said the works had cut their trade by half (March 3, 2024).",
]
MARKER = "POISONED-RECORD"


def ordinary_articles(n: int = 12) -> list[Article]:
    return [
        Article(id=f"feed.jsonl:{i + 1}", text=f"{ORDINARY[i % len(ORDINARY)]} Story {i}.", path="feed.jsonl")
        for i in range(n)
    ]


def with_culprit(articles: list[Article], at: int) -> list[Article]:
    culprit = Article(id="culprit", text=f"{MARKER} {ORDINARY[0]}", path="feed.jsonl")
    return [*articles[:at], culprit, *articles[at:]]


def as_dicts(reports) -> dict[str, dict]:
    return {r.id: r.to_dict() for r in reports}


# ------------------------------------------------------------------------ limits

LIMITS = ArticleLimits(max_chars=100, max_token_chars=20, max_sentences=3)


@pytest.mark.parametrize(
    "text, message",
    [
        ("a" * 101, "length in characters 101 is over the limit of 100 (raise it with --max-chars)"),
        (
            "Fine words then " + "x" * 25 + " and more",
            "token length 25 (token at offset 16) is over the limit of 20 (raise it with --max-token-chars)",
        ),
        ("x" * 21, "token length 21 (token at offset 0) is over the limit of 20 (raise it with --max-token-chars)"),
    ],
)
def test_text_over_a_limit_is_refused_with_the_limit_named(text: str, message: str) -> None:
    with pytest.raises(LimitExceeded) as info:
        LIMITS.check_text(text)
    assert str(info.value) == f"article refused before analysis: {message}"


@pytest.mark.parametrize("text", ["a " * 50, "x" * 20, ("word " * 19).strip(), ""])
def test_text_at_the_limits_passes(text: str) -> None:
    LIMITS.check_text(text)


def test_zero_means_no_limit() -> None:
    ArticleLimits(max_chars=0, max_token_chars=0, max_sentences=0).check_text("x" * 2_000_000)


def test_negative_limits_are_refused() -> None:
    with pytest.raises(ValueError, match="max_chars"):
        ArticleLimits(max_chars=-1)


@pytest.mark.parametrize(
    "text, expected_error",
    [
        ("a" * 101, "length in characters 101"),
        ("One. Two. Three. Four.", "sentence count 4 is over the limit of 3 (raise it with --max-sentences)"),
        ("word " * 3 + "y" * 30, "token length 30 (token at offset 15)"),
    ],
)
def test_an_article_over_a_limit_is_an_error_and_the_batch_goes_on(text: str, expected_error: str) -> None:
    articles = ordinary_articles(2)
    bad = Article(id="bad", text=text, path="feed.jsonl")

    first, refused, last = Detector(RuleModel(), limits=LIMITS).score_many([articles[0], bad, articles[1]])

    assert refused.error.startswith("feed.jsonl: article bad: article refused before analysis: ")
    assert expected_error in refused.error
    assert (refused.p_mt, refused.verdict) == (None, None)
    assert first.error is None and last.error is None


def test_default_limits_are_far_above_news_articles() -> None:
    limits = ArticleLimits()
    assert (limits.max_chars, limits.max_token_chars, limits.max_sentences) == (1_000_000, 10_000, 20_000)
    long_article = " ".join(ORDINARY * 500)  # ~180,000 characters, 3,500 sentences
    report = Detector(RuleModel()).score(long_article)
    assert report.error is None


# ------------------------------------------------------------------------ stages


def test_stage_labels_an_exception_with_its_stage() -> None:
    with pytest.raises(StageError) as info:
        with stage("features"):
            raise MemoryError("no room")
    assert str(info.value) == "MemoryError in stage 'features': no room"
    assert isinstance(info.value.__cause__, MemoryError)


def test_the_innermost_stage_wins() -> None:
    with pytest.raises(StageError) as info:
        with stage("prediction"):
            with stage("embeddings"):
                raise ValueError("bad shape")
    assert info.value.stage == "embeddings"


def test_failure_reason_names_type_and_stage() -> None:
    assert failure_reason(KeyError("x"), "analysis") == "scoring failed: KeyError in stage 'analysis': 'x'"
    long = failure_reason(ValueError("v" * 1000), "analysis")
    assert len(long) < 400 and long.endswith("\u2026")


# ------------------------------------------------------------------ fault injection


class RaiseOnMarker(Recognizer):
    """A recognizer that fails (as a library bug would) on the marked article only."""

    name = "raise_on_marker"
    kind = "typography"
    version = "0"
    description = "test double"

    def _analyze(self, document: Document) -> list[Finding]:
        if MARKER in document.text:
            raise MemoryError("simulated")
        return []


@pytest.fixture(scope="module")
def fast_model():
    if not (FAST_MODEL / "card.json").exists():
        pytest.skip("shipped fast model not present")
    return model_module.load_bundle(FAST_MODEL)


@pytest.mark.parametrize("at", [0, 5, 12])
def test_a_recognizer_that_raises_for_one_article_fails_only_that_article(fast_model, at: int) -> None:
    clean = ordinary_articles()
    detector = Detector(fast_model, recognizers=[*builtin_recognizers(), RaiseOnMarker()])
    reference = as_dicts(detector.score_many(clean, batch_size=32))

    reports = as_dicts(detector.score_many(with_culprit(clean, at), batch_size=32))

    culprit = reports.pop("culprit")
    assert culprit["error"] == (
        "feed.jsonl: article culprit: scoring failed: MemoryError in stage 'recognizers': simulated"
    )
    assert reports == reference


@pytest.mark.parametrize("at", [0, 7])
def test_a_model_stage_that_raises_for_one_article_fails_only_that_article(fast_model, monkeypatch, at: int) -> None:
    clean = ordinary_articles()
    detector = Detector(fast_model)
    reference = as_dicts(detector.score_many(clean, batch_size=32))
    real_features = model_module.features

    def features_or_fail(analysis):
        if MARKER in analysis.document.text:
            raise ValueError("simulated feature failure")
        return real_features(analysis)

    monkeypatch.setattr(model_module, "features", features_or_fail)
    reports = as_dicts(detector.score_many(with_culprit(clean, at), batch_size=32))

    culprit = reports.pop("culprit")
    assert culprit["error"] == (
        "feed.jsonl: article culprit: scoring failed: ValueError in stage 'features': simulated feature failure"
    )
    assert reports == reference


class SlowOnMarker(RuleModel):
    """A model whose prediction runs away (a Python loop, so the budget can stop it)."""

    def predict(self, analyses):
        if any(MARKER in a.document.text for a in analyses):
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                pass
        return super().predict(analyses)


def test_the_time_budget_covers_prediction() -> None:
    clean = ordinary_articles(4)
    started = time.monotonic()

    reports = as_dicts(Detector(SlowOnMarker(), timeout=0.5).score_many(with_culprit(clean, 2)))

    assert time.monotonic() - started < 10
    assert reports.pop("culprit")["error"] == (
        "feed.jsonl: article culprit: scoring exceeded the 0.5 s time budget (--timeout) in stage 'prediction'"
    )
    assert reports == as_dicts(Detector(RuleModel()).score_many(clean))


class WrongCount(RuleModel):
    """A model that loses an article when the batch holds the marker."""

    def predict(self, analyses):
        out = super().predict(analyses)
        return out[1:] if any(MARKER in a.document.text for a in analyses) else out


def test_a_model_returning_the_wrong_number_of_predictions_fails_only_the_culprit() -> None:
    clean = ordinary_articles(3)
    reports = as_dicts(Detector(WrongCount()).score_many(with_culprit(clean, 1)))
    assert "model returned 0 predictions for 1 articles" in reports.pop("culprit")["error"]
    assert reports == as_dicts(Detector(RuleModel()).score_many(clean))


def test_score_many_passes_input_errors_and_never_raises() -> None:
    items = ["The council met.", InputError(input="x.jsonl", reason="bad line", line=3), "\ud800 lone surrogate."]
    reports = list(Detector(RuleModel(), recognizers=[RaiseOnMarker()]).score_many(items))
    assert [r.error for r in reports] == [None, "x.jsonl:3: bad line", None]


def test_a_worker_killed_by_one_article_costs_only_that_article(tmp_path: Path) -> None:
    if not (FAST_MODEL / "card.json").exists():
        pytest.skip("shipped fast model not present")
    config = audit.AuditConfig(out=tmp_path, jobs=2, batch_size=4, model=str(FAST_MODEL), fast=True)
    clean = ordinary_articles(12)
    killer = Article(id="killer", text=f"{KILL_MARKER} {ORDINARY[1]}", path="feed.jsonl")
    batches = [clean[:4], [*clean[4:6], killer, clean[6]], clean[7:]]
    pool = audit._Pool(config, score=score_or_die)
    try:
        results = [record for finish in [pool.submit(b) for b in batches] for record in finish()]
    finally:
        pool.close()

    errors = [r["error"] for r in results if "error" in r]
    scored = [json.loads(r["article"])["id"] for r in results if "article" in r]
    assert sorted(scored) == sorted(a.id for a in clean)
    assert len(errors) == 1 and errors[0]["id"] == "killer"
    assert "worker process died while scoring this article" in errors[0]["reason"]


# --------------------------------------------------------------- the poisoned feed

POISONED = {
    "one-25-mb-token": "x" * 25_000_000,
    "1.5-million-sentences": "Word. " * 1_500_000,
    "2-million-hyphen-pairs": "a -b " * 2_000_000,
    "3-million-parentheses": "(" * 3_000_000,
}


@pytest.fixture(scope="module")
def poisoned_feed(tmp_path_factory) -> tuple[Path, list[str]]:
    path = tmp_path_factory.mktemp("poison") / "feed.jsonl"
    ordinary_ids = []
    poison = iter(POISONED.items())
    with path.open("w", encoding="utf-8") as fh:
        for i in range(40):
            ordinary_ids.append(f"ok-{i}")
            fh.write(json.dumps({"id": f"ok-{i}", "text": f"{ORDINARY[i % len(ORDINARY)]} Story {i}."}) + "\n")
            if i % 10 == 4:
                pid, text = next(poison)
                fh.write(json.dumps({"id": pid, "text": text}) + "\n")
    return path, ordinary_ids


def run_measured(args: list[str], stderr_path: Path) -> tuple[int, int, str]:
    """Run ``mtdetect ARGS``; return its exit code, its peak RSS in bytes (the largest of
    the process and of the worker processes it waited for) and its stderr."""
    with stderr_path.open("w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "mtdetect.cli", *args], cwd=ROOT, env={**os.environ, "HF_HUB_OFFLINE": "1"},
            stdout=subprocess.DEVNULL, stderr=err,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, usage.ru_maxrss * 1024, stderr_path.read_text()


def check_poison_outcome(ids_ok: list[str], ids_err: list[str], ordinary_ids: list[str]) -> None:
    assert sorted(ids_ok) == sorted(ordinary_ids)
    assert sorted(ids_err) == sorted(POISONED)


def test_score_survives_a_poisoned_feed(poisoned_feed) -> None:
    path, ordinary_ids = poisoned_feed
    proc = subprocess.run(
        [sys.executable, "-m", "mtdetect.cli", "score", str(path), "--fast", "--format", "jsonl"],
        cwd=ROOT, env={**os.environ, "HF_HUB_OFFLINE": "1"}, capture_output=True, text=True, timeout=600,
    )
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    check_poison_outcome(
        [r["id"] for r in rows if r["error"] is None], [r["id"] for r in rows if r["error"]], ordinary_ids
    )
    assert all("over the limit of 1,000,000 (raise it with --max-chars)" in r["error"] for r in rows if r["error"])
    assert proc.returncode == 3
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("jobs", [1, 2])
def test_audit_survives_a_poisoned_feed_in_bounded_memory(poisoned_feed, tmp_path: Path, jobs: int) -> None:
    path, ordinary_ids = poisoned_feed
    out = tmp_path / "out"

    code, peak, stderr = run_measured(
        ["audit", str(path), "--out", str(out), "--fast", "-q", "--jobs", str(jobs)], tmp_path / "stderr.txt"
    )

    articles = [json.loads(line) for line in (out / "articles.jsonl").read_text().splitlines()]
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    check_poison_outcome([a["id"] for a in articles], [e["id"] for e in errors], ordinary_ids)
    assert code == 3
    assert "Traceback" not in stderr
    assert peak < 1024**3, f"peak RSS {peak / 1e6:.0f} MB"


# ------------------------------------------------- random records through the whole path

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

from mtdetect.io import ReadOptions, read_articles  # noqa: E402

_JSON_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
    st.text(max_size=200), st.text(alphabet=st.sampled_from("(-) .,\u00ab\u201d\u2019\ud800\x00\n"), max_size=300),
)
_JSON_VALUES = st.recursive(_JSON_SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=6)
_TEXTS = st.one_of(
    st.text(max_size=400),
    st.lists(st.sampled_from(ORDINARY + ["Kim Jong one", "(", "a -b", "x" * 300, "\u00ab", "Word."]), max_size=30).map(" ".join),
)
_RECORDS = st.lists(
    st.fixed_dictionaries(
        {"text": st.one_of(_TEXTS, _JSON_VALUES)},
        optional={"id": _JSON_VALUES, "title": _JSON_VALUES, "source": _JSON_VALUES, "url": _JSON_VALUES,
                  "published": _JSON_VALUES, "extra": _JSON_VALUES},
    ),
    min_size=1, max_size=6,
)
_SMALL_LIMITS = ArticleLimits(max_chars=3_000, max_token_chars=200, max_sentences=40)


def _write_records(path: Path, records: list[dict], fmt: str, encoding: str) -> None:
    if fmt == "jsonl":
        body = "".join(json.dumps(r, ensure_ascii=encoding != "utf-8") + "\n" for r in records)
    else:
        import csv
        import io

        buf = io.StringIO()
        writer = csv.writer(buf)
        keys = sorted({k for r in records for k in r})
        writer.writerow(keys)
        for r in records:
            writer.writerow([json.dumps(r[k]) if k in r and not isinstance(r[k], str) else r.get(k, "") for k in keys])
        body = buf.getvalue()
    path.write_bytes(body.encode(encoding, "surrogatepass" if encoding.startswith("utf") else "replace"))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(records=_RECORDS, fmt=st.sampled_from(["jsonl", "csv"]), encoding=st.sampled_from(["utf-8", "utf-16", "cp1252"]))
def test_random_records_through_readers_and_the_score_path_never_raise(fast_model, tmp_path: Path, records, fmt, encoding) -> None:
    path = tmp_path / f"records.{fmt}"
    _write_records(path, records, fmt, encoding)
    detector = Detector(fast_model, limits=_SMALL_LIMITS, timeout=20)

    reports = list(detector.score_many(read_articles([path], ReadOptions(max_bytes=100_000)), batch_size=4))

    assert reports, "every input yields at least one report or error"
    for report in reports:
        assert (report.error is None) != (report.p_mt is None)
        json.dumps(report.to_dict())


# ------------------------------------------------------------- a multi-GB export, streamed


def write_export(path: Path, n: int, padding: int = 20_000) -> int:
    """``n`` JSONL records, each a short article plus ``padding`` bytes in an extra field
    (read, parsed and carried to ``meta``, so the reader pays for every byte)."""
    pad = "p" * padding
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            fh.write(f'{{"id": "r{i}", "source": "outlet-{i % 7}", "text": "{ORDINARY[i % len(ORDINARY)]} Story {i}.", "padding": "{pad}"}}\n')
    return path.stat().st_size


@pytest.mark.slow
def test_an_audit_of_a_two_gigabyte_export_runs_in_flat_memory(tmp_path: Path) -> None:
    peaks = {}
    for n in (10_000, 100_000):
        export = tmp_path / f"export-{n}.jsonl"
        size = write_export(export, n)
        out = tmp_path / f"out-{n}"
        try:
            code, peak, stderr = run_measured(
                ["audit", str(export), "--out", str(out), "--model", "rules", "-q", "--no-explain"],
                tmp_path / "stderr.txt",
            )
        finally:
            export.unlink()
        assert code == 0, stderr
        with (out / "articles.jsonl").open("rb") as fh:
            assert sum(1 for _ in fh) == n
        peaks[n] = peak
        print(f"{n:,} records, {size / 1e9:.2f} GB: peak RSS {peak / 1e6:.0f} MB")
    assert peaks[100_000] < peaks[10_000] + 50 * 1024**2, peaks
