"""``articles.parquet``: an audit's ``articles.jsonl`` as one Parquet table, one row per article.

:func:`write_articles_parquet` streams ``articles.jsonl`` in batches of ``batch_rows``
records (one Parquet row group each), so memory is bounded by a batch whatever the size of
the audit, and writes under a temporary name renamed into place, so the file is either
complete or absent. Every file has exactly :data:`ARTICLES_SCHEMA`, whatever its records
hold (a batch without findings included): tables from many audits or partitions can be
concatenated or read as one dataset.

Columns (strings are nullable; floats are float64; counts and offsets are int32):

=========================  ================================================================
``id``, ``path``,          as in ``articles.jsonl``
``title``, ``source``,
``url``, ``published``
``p_mt``                   article probability of machine-translated origin (float64)
``verdict``                ``machine_translated``, ``human`` or ``unsure``
``source_lang_hint``,      likely source language and its confidence (float64)
``source_lang_confidence``
``model``                  model id
``n_sentences``,           counts (int32), so a reader need not open the nested columns
``n_findings``
``findings``               list<struct<sentence, start, end, text, kind, recognizer, rule,
                           score, message, suggestion, source_lang_hint>>; ``sentence`` is
                           the index of the sentence that lists the finding (null when none
                           does); offsets index the article text
``sentences``              list<struct<index, start, end, text, p_mt, n_findings>>; a
                           sentence's findings are not repeated here (they are the
                           article's ``findings`` with that ``sentence`` index)
=========================  ================================================================

Lines that are not article records are skipped: blank or unparseable lines (a torn last
line), non-objects, and records with an ``error`` (input errors live in ``errors.jsonl``).
Values of an unexpected type are coerced (a number where a string belongs becomes its
string, anything else not a number where a float belongs becomes null) rather than
failing the whole file.

Cost (measured on the 2-core machine shared with other jobs): 5,000 records replicated
from ``mtdetect audit data/samples --fast`` (3.6 kB of JSON each on average, with findings
and sentences) were written in 0.31 to 0.49 s over three runs, 10,000 to 16,000 rows/s,
with zstd compression (206 kB out of 18 MB). Python's peak memory was 10 MB with
``batch_rows=500``: it grows with the batch, not the file. Next to scoring (about 150
articles/s with ``--fast``), it is noise.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

__all__ = ["ARTICLES_SCHEMA", "FINDING_TYPE", "SENTENCE_TYPE", "write_articles_parquet"]

#: One finding of an article (``Finding.to_dict`` plus the index of its sentence).
FINDING_TYPE = pa.struct(
    [
        pa.field("sentence", pa.int32()),
        pa.field("start", pa.int32()),
        pa.field("end", pa.int32()),
        pa.field("text", pa.string()),
        pa.field("kind", pa.string()),
        pa.field("recognizer", pa.string()),
        pa.field("rule", pa.string()),
        pa.field("score", pa.float64()),
        pa.field("message", pa.string()),
        pa.field("suggestion", pa.string()),
        pa.field("source_lang_hint", pa.string()),
    ]
)

#: One sentence of an article, without its findings (they are in the article's ``findings``).
SENTENCE_TYPE = pa.struct(
    [
        pa.field("index", pa.int32()),
        pa.field("start", pa.int32()),
        pa.field("end", pa.int32()),
        pa.field("text", pa.string()),
        pa.field("p_mt", pa.float64()),
        pa.field("n_findings", pa.int32()),
    ]
)

_STRING_COLUMNS = ("id", "path", "title", "source", "url", "published")

#: The schema of every ``articles.parquet``. List items are named ``element``, as Parquet
#: names them, so the schema read back equals this one.
ARTICLES_SCHEMA = pa.schema(
    [
        *(pa.field(name, pa.string()) for name in _STRING_COLUMNS),
        pa.field("p_mt", pa.float64()),
        pa.field("verdict", pa.string()),
        # the detector's own score and verdict, before a lineage link raised them (else equal)
        pa.field("p_mt_text", pa.float64()),
        pa.field("verdict_text", pa.string()),
        # the machine-translated-copy link behind a raised score (null when there is none)
        pa.field("lineage_cluster", pa.string()),
        pa.field("lineage_source", pa.string()),
        pa.field("lineage_confidence", pa.float64()),
        pa.field("source_lang_hint", pa.string()),
        pa.field("source_lang_confidence", pa.float64()),
        pa.field("model", pa.string()),
        pa.field("n_sentences", pa.int32()),
        pa.field("n_findings", pa.int32()),
        pa.field("findings", pa.list_(pa.field("element", FINDING_TYPE))),
        pa.field("sentences", pa.list_(pa.field("element", SENTENCE_TYPE))),
    ],
    metadata={"mtdetect.table": "articles", "mtdetect.schema_version": "2"},
)

_FINDING_STRINGS = ("text", "kind", "recognizer", "rule", "message", "suggestion", "source_lang_hint")


def write_articles_parquet(articles_jsonl: Path, out_path: Path, batch_rows: int = 2000) -> int:
    """Write the article records of ``articles_jsonl`` to ``out_path`` as Parquet; return the rows written.

    Streams the input ``batch_rows`` records at a time (one row group each) and replaces
    ``out_path`` atomically. Raises ``OSError`` when the input cannot be read or the output
    written (the output is then left as it was).
    """
    if batch_rows <= 0:
        raise ValueError(f"batch_rows must be positive, got {batch_rows}")
    articles_jsonl, out_path = Path(articles_jsonl), Path(out_path)
    from .audit import _AtomicFile

    rows = 0
    records = _article_records(articles_jsonl)  # a missing input fails here, before any output
    with _AtomicFile(out_path, binary=True) as fh, pq.ParquetWriter(fh, ARTICLES_SCHEMA, compression="zstd") as writer:
        for batch in _batches(records, batch_rows):
            writer.write_table(_table(batch), row_group_size=len(batch))
            rows += len(batch)
    return rows


def _article_records(path: Path) -> Iterator[dict[str, Any]]:
    """The article records of a JSON Lines file, skipping everything else."""
    from .audit import iter_jsonl

    if not path.exists():
        raise FileNotFoundError(f"no such file: {path}")
    return (record for record in iter_jsonl(path) if not record.get("error"))


def _batches(records: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for record in records:
        batch.append(record)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _table(records: list[dict[str, Any]]) -> pa.Table:
    """One batch of records as a table of ARTICLES_SCHEMA (columns built directly)."""
    columns: dict[str, list[Any]] = {field.name: [] for field in ARTICLES_SCHEMA}
    for record in records:
        for name in _STRING_COLUMNS:
            columns[name].append(_string(record.get(name)))
        columns["p_mt"].append(_float(record.get("p_mt")))
        columns["verdict"].append(_string(record.get("verdict")))
        columns["p_mt_text"].append(_float(record.get("p_mt_text", record.get("p_mt"))))
        columns["verdict_text"].append(_string(record.get("verdict_text", record.get("verdict"))))
        link = record.get("lineage") if isinstance(record.get("lineage"), dict) else {}
        columns["lineage_cluster"].append(_string(link.get("cluster")))
        columns["lineage_source"].append(_string(link.get("source")))
        columns["lineage_confidence"].append(_float(link.get("confidence")))
        columns["source_lang_hint"].append(_string(record.get("source_lang_hint")))
        columns["source_lang_confidence"].append(_float(record.get("source_lang_confidence")))
        columns["model"].append(_string(record.get("model")))
        sentences = [s for s in _list(record.get("sentences")) if isinstance(s, dict)]
        findings = [f for f in _list(record.get("findings")) if isinstance(f, dict)]
        sentence_of = _sentence_index(sentences)
        columns["n_sentences"].append(len(sentences))
        columns["n_findings"].append(len(findings))
        columns["findings"].append([_finding(f, sentence_of) for f in findings])
        columns["sentences"].append([_sentence(s) for s in sentences])
    return pa.Table.from_pydict(columns, schema=ARTICLES_SCHEMA)


def _finding_key(finding: dict[str, Any]) -> tuple[Any, ...]:
    return (finding.get("start"), finding.get("end"), finding.get("recognizer"), finding.get("rule"))


def _sentence_index(sentences: list[dict[str, Any]]) -> dict[tuple[Any, ...], int | None]:
    """Which sentence lists each finding, by (start, end, recognizer, rule)."""
    index: dict[tuple[Any, ...], int | None] = {}
    for sentence in sentences:
        number = _int(sentence.get("index"))
        for finding in _list(sentence.get("findings")):
            if isinstance(finding, dict):
                index.setdefault(_finding_key(finding), number)
    return index


def _finding(finding: dict[str, Any], sentence_of: dict[tuple[Any, ...], int | None]) -> dict[str, Any]:
    row: dict[str, Any] = {name: _string(finding.get(name)) for name in _FINDING_STRINGS}
    row["sentence"] = sentence_of.get(_finding_key(finding))
    row["start"] = _int(finding.get("start"))
    row["end"] = _int(finding.get("end"))
    row["score"] = _float(finding.get("score"))
    return row


def _sentence(sentence: dict[str, Any]) -> dict[str, Any]:
    return {
        "index": _int(sentence.get("index")),
        "start": _int(sentence.get("start")),
        "end": _int(sentence.get("end")),
        "text": _string(sentence.get("text")),
        "p_mt": _float(sentence.get("p_mt")),
        "n_findings": len(_list(sentence.get("findings"))),
    }


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _string(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):  # bool included: its JSON spelling
        return json.dumps(value)
    return None


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if value != value or not -(2**31) <= value < 2**31:  # NaN or out of int32
        return None
    return int(value)
