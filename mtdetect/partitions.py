"""Partitions: the units in which an audit reads and scores its inputs.

Both audit engines cut the inputs the same way (:func:`plan_partitions`) and start a new
scoring batch at every partition boundary. The Dask engine (:mod:`mtdetect.audit_dask`)
sends each partition to a worker; the one-machine audit (:func:`mtdetect.audit.run_audit`)
reads them in turn. Because the int8 sentence encoder scales its activations per batch (a
sentence's vector moves slightly with the sentences batched beside it), equal batches are
what makes the two engines give byte-identical records for the same inputs.

* a Parquet file is cut into runs of row groups of about ``rows_per_partition`` rows;
* every JSONL/NDJSON/CSV/TSV file is one partition (shard large exports into several files
  to spread them over a cluster);
* small files (text, Markdown, HTML, JSON, feeds) are grouped, at most
  ``files_per_partition`` files and ``bytes_per_partition`` bytes per partition.

A partition's key is a hash of its files (names, sizes, modification times) and row groups:
the Dask engine's resume unit, so a changed input is scored again.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .io import STDIN, ReadOptions, iter_input_files
from .types import Article, InputError

#: Formats read as a stream of records (one partition per file, never grouped).
LINE_FORMATS = frozenset({".jsonl", ".ndjson", ".csv", ".tsv"})
PARQUET = ".parquet"

__all__ = ["Partition", "plan_partitions", "read_partition"]


@dataclass(frozen=True)
class Partition:
    """One unit of work: files read in order, or some row groups of one Parquet file."""

    key: str
    paths: tuple[str, ...]
    row_groups: tuple[int, ...] | None = None
    #: Estimated articles (Parquet rows) or input bytes, for the progress display only.
    size: int = 0

    def describe(self) -> str:
        if self.row_groups is not None:
            groups = self.row_groups
            span = f"row group {groups[0]}" if len(groups) == 1 else f"row groups {groups[0]}-{groups[-1]}"
            return f"{self.paths[0]} ({span})"
        return self.paths[0] if len(self.paths) == 1 else f"{self.paths[0]} and {len(self.paths) - 1} more file(s)"


def _partition_key(paths: list[str], row_groups: list[int] | None) -> str:
    ident: list[Any] = [row_groups]
    for p in paths:
        try:
            st = os.stat(p)
            ident.append([p, st.st_size, st.st_mtime_ns])
        except OSError:
            ident.append([p, None, None])
    return hashlib.sha1(json.dumps(ident).encode()).hexdigest()[:20]


def plan_partitions(
    inputs: list[str],
    options: ReadOptions,
    *,
    rows_per_partition: int = 4000,
    files_per_partition: int = 64,
    bytes_per_partition: int = 16_000_000,
    allow_stdin: bool = False,
) -> Iterator[Partition | InputError]:
    """Partitions of ``inputs`` in reading order, and the errors found while expanding them.

    Standard input (``-``) is a partition of its own with ``allow_stdin`` (one machine), else
    an error: the workers of a cluster cannot read the client's standard input.
    """
    group: list[str] = []
    group_bytes = 0

    def flush() -> Iterator[Partition]:
        nonlocal group, group_bytes
        if group:
            yield Partition(_partition_key(group, None), tuple(group), None, group_bytes)
        group, group_bytes = [], 0

    for item in iter_input_files(inputs, options):
        if isinstance(item, InputError):
            yield from flush()
            yield item
            continue
        if item == STDIN:
            yield from flush()
            if allow_stdin:
                yield Partition("stdin", ("-",), None, 0)
                continue
            yield InputError(input="-", reason="standard input cannot be read by Dask workers; save it to a "
                                                  "file and audit the file (or use the default engine)")
            continue
        name = str(item)
        suffix = Path(name).suffix.lower()
        try:
            size = os.stat(name).st_size
        except OSError:
            size = 0
        if suffix == PARQUET:
            yield from flush()
            yield from _parquet_partitions(name, rows_per_partition)
        elif suffix in LINE_FORMATS:
            yield from flush()
            yield Partition(_partition_key([name], None), (name,), None, size)
        else:
            if group and (len(group) >= files_per_partition or group_bytes + size > bytes_per_partition):
                yield from flush()
            group.append(name)
            group_bytes += size
    yield from flush()


def _parquet_partitions(name: str, rows_per_partition: int) -> Iterator[Partition]:
    from .io import parquet_row_groups

    try:
        rows = parquet_row_groups(name)
    except Exception:  # noqa: BLE001 - the worker's reader reports what is wrong with the file
        yield Partition(_partition_key([name], None), (name,), None, 0)
        return
    run: list[int] = []
    n = 0
    for i, count in enumerate(rows):
        run.append(i)
        n += count
        if n >= rows_per_partition:
            yield Partition(_partition_key([name], run), (name,), tuple(run), n)
            run, n = [], 0
    if run or not rows:
        yield Partition(_partition_key([name], run), (name,), tuple(run), n)


def read_partition(part: Partition, options: ReadOptions) -> Iterator[Article | InputError]:
    """The articles and input errors of one partition, in reading order."""
    from .io import read_articles

    if part.row_groups is not None:
        from .io import read_parquet

        yield from read_parquet(part.paths[0], options, row_groups=list(part.row_groups))
    else:
        yield from read_articles(list(part.paths), options)
