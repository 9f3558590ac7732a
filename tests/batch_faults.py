"""Test doubles that fail inside audit worker processes (importable by spawned workers)."""

from __future__ import annotations

import os

from mtdetect import audit

#: An article whose text holds this marker kills the worker process scoring it.
KILL_MARKER = "KILL-THE-WORKER"


def score_or_die(articles, explain):
    """The audit's worker task, except that a marked article kills the process outright
    (as the kernel's out-of-memory killer would): no exception, no cleanup."""
    if any(KILL_MARKER in a.text for a in articles):
        os._exit(137)
    return audit._worker_score(articles, explain)
