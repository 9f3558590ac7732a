"""A wall-clock budget for one piece of work, so that one hostile article cannot hang a batch.

:func:`time_budget` (a context manager) and :func:`run_with_budget` (a function) arm a
POSIX interval timer (``signal.setitimer(ITIMER_REAL)``) whose ``SIGALRM`` handler raises
:class:`ArticleTimeout` inside the running code. Python delivers signals between
bytecodes and the ``re`` engine checks for them while it matches, so a runaway regular
expression is interrupted too; a long call into C code that never checks for signals
(a NumPy kernel, say) is interrupted only when it returns.

The budget is enforced only where a signal timer can be used: on a platform with
``SIGALRM`` and ``setitimer`` (not Windows), in the main thread of the main interpreter.
Anywhere else the work runs **without a limit**; :func:`budget_available` says which
case applies. A previous ``SIGALRM`` handler and a pending ``ITIMER_REAL`` timer are
restored afterwards (the pending timer with the time it has left); when that earlier
timer is due before the budget would end, it is left alone and no budget of our own is
armed, since it will interrupt the work first anyway.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

__all__ = [
    "ArticleTimeout", "budget_available", "install_term_handler", "restore_term_handler", "run_with_budget",
    "time_budget",
]

T = TypeVar("T")


class ArticleTimeout(Exception):
    """The work did not finish within its wall-clock budget (``seconds``)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"exceeded the time budget of {seconds:g} s")
        self.seconds = seconds


def budget_available() -> bool:
    """Whether :func:`time_budget` can enforce a limit here (POSIX timer, main thread)."""
    return (
        hasattr(signal, "SIGALRM")
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )


@contextmanager
def time_budget(seconds: float | None) -> Iterator[None]:
    """Raise :class:`ArticleTimeout` in the ``with`` block once ``seconds`` have passed.

    ``None`` or a value ``<= 0`` means no limit. Where no signal timer can be used (see
    :func:`budget_available`) the block runs without a limit.

    >>> with time_budget(5.0):  # doctest: +SKIP
    ...     analyse(article)
    """
    if seconds is None or seconds <= 0 or not budget_available():
        yield
        return
    previous_delay, previous_interval = signal.getitimer(signal.ITIMER_REAL)
    if 0 < previous_delay <= seconds:
        yield  # an earlier timer fires first; arming ours would only delay it
        return
    armed = True

    def on_alarm(signum: int, frame: object) -> None:
        # A signal that arrives after the block ended (between the last bytecode of the
        # block and cancelling the timer) must not escape into the caller's code.
        if armed:
            raise ArticleTimeout(seconds)

    previous_handler = signal.signal(signal.SIGALRM, on_alarm)
    started = time.monotonic()
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        armed = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous_handler if previous_handler is not None else signal.SIG_DFL)
        if previous_delay > 0:
            left = previous_delay - (time.monotonic() - started)
            # Already overdue: fire it at once rather than lose it.
            signal.setitimer(signal.ITIMER_REAL, max(left, 1e-6), previous_interval)


def run_with_budget(seconds: float | None, func: Callable[..., T], /, *args: object, **kwargs: object) -> T:
    """``func(*args, **kwargs)`` under :func:`time_budget`; raises :class:`ArticleTimeout`."""
    with time_budget(seconds):
        return func(*args, **kwargs)


def install_term_handler():
    """Turn SIGTERM into KeyboardInterrupt, so that a terminated batch job (audit, synth)
    stops as cleanly as on Ctrl-C. Returns the previous handler (None outside the main thread)."""

    def handler(signum, frame):
        raise KeyboardInterrupt

    try:
        return signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread
        return None


def restore_term_handler(previous) -> None:
    """Put back what :func:`install_term_handler` replaced."""
    if previous is not None:
        try:
            signal.signal(signal.SIGTERM, previous)
        except ValueError:  # pragma: no cover
            pass
