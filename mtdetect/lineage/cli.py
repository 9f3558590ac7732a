"""``mtdetect compare A B``: the body of the command (cli.py keeps only its signature)."""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

EXIT_OK, EXIT_USAGE, EXIT_INPUT_FAILED = 0, 2, 3


def _first_article(path: str, options):
    from .. import io as mtio
    from ..types import InputError

    for item in mtio.read_articles([path], options):
        if isinstance(item, InputError):
            return None, item.describe()
        return item, None
    return None, f"{path}: no article found"


def load_compare_detector(model: str | None, fast: bool, say):
    """The detector for ``compare``; falls back to the rules model when a bundle will not load."""
    from ..detector import Detector
    from ..model import BundleError

    try:
        return Detector.load(model, fast=fast)
    except (BundleError, FileNotFoundError) as exc:
        if model:
            raise
        say(f"warning: {exc}; comparing with the rules model")
        return Detector.load("rules")


def compare_main(a: str, b: str, *, fmt: str = "text", model: str | None = None, fast: bool = True,
                 read_options=None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Score two files, compare them, print the result; return the exit code."""
    from ..model import BundleError
    from . import compare_records, render_text

    out, err = stdout or sys.stdout, stderr or sys.stderr

    def say(msg: str) -> None:
        print(msg, file=err)

    if fmt not in ("text", "json"):
        say("error: --format must be text or json")
        return EXIT_USAGE
    try:
        detector = load_compare_detector(model, fast, say)
    except (BundleError, FileNotFoundError, ValueError) as exc:
        say(f"error: {exc}")
        return EXIT_USAGE
    records: list[dict[str, Any]] = []
    for path in (a, b):
        art, problem = _first_article(path, read_options)
        if art is None:
            say(f"error: {problem}")
            return EXIT_INPUT_FAILED
        rep = detector.score(art)
        if rep.error:
            say(f"error: {path}: {rep.error}")
            return EXIT_INPUT_FAILED
        rec = rep.to_dict()
        if rec.get("id") == (records[0]["id"] if records else None):
            rec["id"] = f"{rec['id']} ({path})"
        records.append(rec)
    result = compare_records(records[0], records[1])
    if fmt == "json":
        result.pop("_comparison")
        out.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    else:
        out.write(render_text(result))
    return EXIT_OK
