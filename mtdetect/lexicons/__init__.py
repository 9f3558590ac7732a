"""Package data: hand-written TSV lexicons, one loader.

Every lexicon is a UTF-8 TSV file with a header row. Lines starting with ``#`` are
comments. Each row carries a ``source_lang`` column (comma-separated ISO 639-1 codes, or
``*``) and an ``example`` column, so that every entry explains itself.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from importlib import resources

REQUIRED_COLUMNS = ("source_lang", "example")


class LexiconError(ValueError):
    """A lexicon file is malformed."""


@lru_cache(maxsize=None)
def load_lexicon(name: str) -> tuple[dict[str, str], ...]:
    """Rows of ``mtdetect/lexicons/<name>.tsv`` as dicts (cached; read once per process)."""
    path = resources.files(__name__).joinpath(f"{name}.tsv")
    text = path.read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    reader = csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    header = reader.fieldnames or []
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise LexiconError(f"lexicon {name!r} lacks columns {missing}")
    rows = []
    for i, row in enumerate(reader, start=2):
        if None in row or any(v is None for v in row.values()):
            raise LexiconError(f"lexicon {name!r} row {i}: wrong number of columns")
        rows.append({k: v.strip() for k, v in row.items()})
    return tuple(rows)


def source_langs(row: dict[str, str]) -> tuple[str, ...]:
    """The source languages of a lexicon row (``*`` means any)."""
    return tuple(x.strip() for x in row["source_lang"].split(",") if x.strip())
