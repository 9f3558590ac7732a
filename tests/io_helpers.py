"""Small helpers shared by the ingestion tests."""

from __future__ import annotations

import io
from pathlib import Path

from mtdetect.io import ReadOptions, read_articles
from mtdetect.types import Article, InputError


def read(*paths: Path | str, stdin: io.IOBase | None = None, **options: object) -> list[Article | InputError]:
    """Everything ``read_articles`` yields for ``paths`` with these ReadOptions."""
    return list(read_articles([str(p) for p in paths], ReadOptions(**options), stdin=stdin))  # type: ignore[arg-type]


def only_article(items: list[Article | InputError]) -> Article:
    assert len(items) == 1 and isinstance(items[0], Article), items
    return items[0]


def only_error(items: list[Article | InputError]) -> InputError:
    assert len(items) == 1 and isinstance(items[0], InputError), items
    return items[0]


def write(path: Path, content: str | bytes) -> Path:
    """Write text (as UTF-8) or bytes, creating folders; return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path
