"""A wall-clock budget for one piece of work, so that one hostile article cannot hang a batch.

:func:`time_budget` (a context manager) and :func:`run_with_budget` (a function) arm a
POSIX interval timer (``signal.setitimer(ITIMER_REAL)``) whose ``SIGALRM`` handler raises
:class:`ArticleTimeout` inside the running code. Python delivers signals between
bytecodes and the ``re`` engine checks for them while it matches, so a runaway regular
expression is interrupted too; a long call into C code that never checks for signals
(a NumPy kernel, say) is interrupted only when it returns.

In the main thread of a POSIX process the budget is a signal timer. In any other thread
(a Dask worker runs its tasks in threads; so do web servers) a timer thread instead asks
the interpreter to raise :class:`ArticleTimeout` in the working thread
(``PyThreadState_SetAsyncExc``): the same guarantee, delivered at the next bytecode, so a
long call into C code is again interrupted only when it returns. Where neither can be used
(no ``SIGALRM``/``setitimer`` in the main thread, or an interpreter without that C API)
the work runs **without a limit**; :func:`budget_available` says which case applies. A previous ``SIGALRM`` handler and a pending ``ITIMER_REAL`` timer are
restored afterwards (the pending timer with the time it has left); when that earlier
timer is due before the budget would end, it is left alone and no budget of our own is
armed, since it will interrupt the work first anyway.
"""

from __future__ import annotations

import ctypes
import signal
import sys
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


def _signal_timer_usable() -> bool:
    return (
        hasattr(signal, "SIGALRM")
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )


def _async_exc_usable() -> bool:
    return sys.implementation.name == "cpython" and threading.current_thread() is not threading.main_thread()


def budget_available() -> bool:
    """Whether :func:`time_budget` can enforce a limit here (a signal timer in the main
    thread, an asynchronous exception in any other thread of CPython)."""
    return _signal_timer_usable() or _async_exc_usable()


def _set_async_exc(thread_id: int, exc_type: type[BaseException] | None) -> int:
    return ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), ctypes.py_object(exc_type)
                                                      if exc_type is not None else None)


@contextmanager
def _thread_budget(seconds: float) -> Iterator[None]:
    """The budget in a thread other than the main one: a timer thread raises
    :class:`ArticleTimeout` in this thread at its next bytecode."""
    # the interpreter instantiates the class with no arguments
    timeout_type = type("ArticleTimeout", (ArticleTimeout,), {"__init__": lambda self: ArticleTimeout.__init__(self, seconds)})
    target = threading.get_ident()
    lock = threading.Lock()
    state = {"armed": True, "fired": False}

    def fire() -> None:
        with lock:
            if state["armed"]:
                state["fired"] = _set_async_exc(target, timeout_type) == 1

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        with lock:
            state["armed"] = False
            timer.cancel()
            if state["fired"]:
                # raised already (we are unwinding it) or still pending: never let it escape
                # into the caller's code after the block
                _set_async_exc(target, None)


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
    if not _signal_timer_usable():
        with _thread_budget(seconds):
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
