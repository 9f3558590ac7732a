"""Specification of mtdetect.budget: a wall-clock limit that interrupts runaway work."""

from __future__ import annotations

import re
import signal
import threading
import time

import pytest

from mtdetect.budget import ArticleTimeout, budget_available, run_with_budget, time_budget

pytestmark = pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs POSIX interval timers")

# Exponential backtracking: (a+)+ tries every way to split the run of a's before failing.
RUNAWAY_PATTERN = re.compile(r"(a+)+$")
RUNAWAY_INPUT = "a" * 40 + "b"


def test_a_runaway_regex_is_interrupted() -> None:
    started = time.monotonic()

    with pytest.raises(ArticleTimeout) as info:
        run_with_budget(0.2, RUNAWAY_PATTERN.match, RUNAWAY_INPUT)

    assert time.monotonic() - started < 2
    assert info.value.seconds == 0.2
    assert str(info.value) == "exceeded the time budget of 0.2 s"


def test_a_busy_python_loop_is_interrupted() -> None:
    def spin() -> None:
        while True:
            pass

    with pytest.raises(ArticleTimeout):
        run_with_budget(0.1, spin)


def test_a_fast_call_returns_its_value_and_leaves_no_timer() -> None:
    assert run_with_budget(5.0, sum, [1, 2, 3]) == 6
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


@pytest.mark.parametrize("seconds", [None, 0, -1])
def test_no_limit_runs_the_call_without_a_timer(seconds: float | None) -> None:
    seen = []

    def record() -> str:
        seen.append(signal.getitimer(signal.ITIMER_REAL))
        return "done"

    assert run_with_budget(seconds, record) == "done"
    assert seen == [(0.0, 0.0)]


def test_the_previous_handler_is_restored() -> None:
    def previous(signum: int, frame: object) -> None:  # pragma: no cover - never fires
        pass

    old = signal.signal(signal.SIGALRM, previous)
    try:
        run_with_budget(5.0, lambda: None)
        assert signal.getsignal(signal.SIGALRM) is previous
        with pytest.raises(ArticleTimeout):
            run_with_budget(0.05, time.sleep, 5)
        assert signal.getsignal(signal.SIGALRM) is previous
    finally:
        signal.signal(signal.SIGALRM, old)


def test_a_pending_later_timer_is_restored_with_its_remaining_time() -> None:
    fired = []
    old = signal.signal(signal.SIGALRM, lambda signum, frame: fired.append(signum))
    try:
        signal.setitimer(signal.ITIMER_REAL, 30.0)
        run_with_budget(5.0, time.sleep, 0.05)
        remaining, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 29.0 < remaining < 30.0
        assert fired == []
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def test_an_earlier_pending_timer_is_left_to_fire_itself() -> None:
    fired = []
    old = signal.signal(signal.SIGALRM, lambda signum, frame: fired.append(signum))
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.05)
        run_with_budget(5.0, time.sleep, 0.2)  # the earlier timer interrupts the sleep, not us
        assert fired == [signal.SIGALRM]
        assert signal.getsignal(signal.SIGALRM) is not None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def test_an_exception_from_the_call_propagates_and_cancels_the_timer() -> None:
    with pytest.raises(ZeroDivisionError):
        run_with_budget(5.0, lambda: 1 / 0)
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_the_context_manager_form() -> None:
    with pytest.raises(ArticleTimeout):
        with time_budget(0.05):
            time.sleep(5)
    with time_budget(5.0):
        value = 1 + 1
    assert value == 2


def _in_thread(func):
    result: dict[str, object] = {}

    def run() -> None:
        try:
            result["value"] = func()
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            result["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(30)
    assert not thread.is_alive()
    return result


def _spin(seconds: float) -> str:
    end = time.monotonic() + seconds
    while time.monotonic() < end:  # pure Python: interruptible between bytecodes
        pass
    return "finished"


def test_outside_the_main_thread_a_timer_thread_interrupts_python_code() -> None:
    # as in a Dask worker, which runs tasks in threads
    started = time.monotonic()
    result = _in_thread(lambda: (budget_available(), run_with_budget(0.05, _spin, 10.0)))
    assert isinstance(result.get("error"), ArticleTimeout)
    assert result["error"].seconds == 0.05
    assert "0.05 s" in str(result["error"])
    assert time.monotonic() - started < 5
    assert budget_available()


def test_outside_the_main_thread_work_within_budget_is_untouched_and_nothing_fires_later() -> None:
    def work():
        value = run_with_budget(0.2, _spin, 0.01)
        _spin(0.5)  # past the budget: a late timer must not raise here
        return value

    assert _in_thread(work) == {"value": "finished"}


# ------------------------------------------------------------- the Detector's per-article budget

from mtdetect.detector import Detector, RuleModel  # noqa: E402
from mtdetect.recognizers import builtin_recognizers  # noqa: E402
from mtdetect.recognizers.base import Recognizer  # noqa: E402
from mtdetect.types import Article, Document, Finding  # noqa: E402


class HangOnMarker(Recognizer):
    """A recognizer that never returns on a text containing HANG, as a runaway regex would."""

    name = "hang_on_marker"
    kind = "typography"
    version = "0"
    description = "test double"

    def _analyze(self, document: Document) -> list[Finding]:
        if "HANG" in document.text:
            RUNAWAY_PATTERN.match("a" * 60 + "b")  # years of backtracking
        return []


def hanging_detector(timeout: float | None) -> Detector:
    return Detector(RuleModel(), recognizers=[*builtin_recognizers(), HangOnMarker()], timeout=timeout)


MT_TEXT = "Mr. XI called for a high -level dialogue."


def test_a_runaway_article_becomes_an_error_and_the_next_is_still_scored() -> None:
    articles = [
        Article(id="feed.jsonl:1", text="HANG " + MT_TEXT, path="feed.jsonl", source="example.test"),
        Article(id="feed.jsonl:2", text=MT_TEXT, path="feed.jsonl"),
    ]
    started = time.monotonic()

    timed_out, scored = hanging_detector(0.3).score_many(articles)

    assert time.monotonic() - started < 5
    assert timed_out.id == "feed.jsonl:1" and timed_out.path == "feed.jsonl"
    assert timed_out.error == (
        "feed.jsonl: article feed.jsonl:1: scoring exceeded the 0.3 s time budget (--timeout) in stage 'analysis'"
    )
    assert (timed_out.p_mt, timed_out.verdict, timed_out.source) == (None, None, "example.test")
    assert scored.error is None and scored.p_mt is not None and scored.findings


def test_a_text_without_a_path_is_named_by_its_id() -> None:
    report = hanging_detector(0.2).score("HANG")

    assert report.error == "text-1: scoring exceeded the 0.2 s time budget (--timeout) in stage 'analysis'"


def test_a_timeout_in_the_middle_of_a_batch_keeps_the_order() -> None:
    texts = [MT_TEXT, "HANG", "The council met.", "HANG again", MT_TEXT]

    reports = list(hanging_detector(0.1).score_many(texts, batch_size=2))

    assert [r.id for r in reports] == [f"text-{i}" for i in range(1, 6)]
    assert [r.error is not None for r in reports] == [False, True, False, True, False]


@pytest.mark.parametrize("timeout", [None, 0])
def test_without_a_timeout_the_detector_arms_no_timer(timeout: float | None) -> None:
    seen = []

    class Probe(HangOnMarker):
        def _analyze(self, document: Document) -> list[Finding]:
            seen.append(signal.getitimer(signal.ITIMER_REAL)[0])
            return []

    detector = Detector(RuleModel(), recognizers=[Probe()], timeout=timeout)

    assert detector.timeout is None
    assert detector.score("Some text.").error is None and seen == [0.0]


def test_a_generous_budget_leaves_scores_unchanged() -> None:
    text = "Xi and Putin met at the top of the Shanghai Cooperation Organisation. Mr. XI spoke."

    limited, unlimited = Detector(RuleModel(), timeout=30).score(text), Detector(RuleModel()).score(text)

    assert limited == unlimited


def test_detector_load_passes_the_timeout_on() -> None:
    assert Detector.load("rules", timeout=7.5).timeout == 7.5


def test_score_command_reports_a_timed_out_article_and_exits_3(tmp_path, monkeypatch) -> None:
    import json

    from typer.testing import CliRunner

    from mtdetect import cli

    monkeypatch.setattr(
        Detector, "load", classmethod(lambda cls, model=None, *, fast=False, embedder=None, timeout=None, limits=None, deep=None:
                                      hanging_detector(timeout)),
    )
    path = tmp_path / "feed.jsonl"
    path.write_text(json.dumps({"text": "HANG"}) + "\n" + json.dumps({"text": MT_TEXT}) + "\n")

    result = CliRunner().invoke(cli.app, ["score", str(path), "--format", "jsonl", "--timeout", "0.2"])

    assert result.exit_code == 3
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["error"].endswith("scoring exceeded the 0.2 s time budget (--timeout) in stage 'analysis'")
    assert second["error"] is None and second["verdict"] is not None
