"""Parquet in (``read_articles``, ``read_parquet``, ``parquet_row_groups``) and out
(``write_articles_parquet``).

Reading: columns map like JSONL fields, other scalar columns go to ``meta``, ids default
to ``<input>:<row>`` over the whole file, a read by row groups gives exactly the records of
a whole read, and every bad file or row is an error record while the other rows are read.
Writing: an audit's ``articles.jsonl`` becomes one row per article with a fixed schema.
"""

from __future__ import annotations

import datetime
import json
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from mtdetect.cli import app
from mtdetect.io import ParquetFileError, ReadOptions, parquet_row_groups, read_articles, read_parquet
from mtdetect.parquet_out import ARTICLES_SCHEMA, write_articles_parquet
from mtdetect.types import Article, InputError

from io_helpers import only_error, read, write

TEXTS = [f"The council met on day {n} and approved the plan." for n in range(1, 11)]


def write_parquet(path: Path, columns: dict[str, object], **kwargs: object) -> Path:
    """A Parquet file of these columns (lists or Arrow arrays)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(columns), path, **kwargs)
    return path


def summary(items: list[Article | InputError]) -> list[tuple[str, ...]]:
    """What identifies each record: (kind, id, text or reason)."""
    return [
        ("article", item.id, item.text) if isinstance(item, Article) else ("error", str(item.id), item.reason)
        for item in items
    ]


# ----------------------------------------------------------------------------- mapping


def test_custom_field_names_map_to_article_fields(tmp_path):
    path = write_parquet(
        tmp_path / "wire" / "export.parquet",
        {
            "body": ["The minister arrived on Monday."],
            "key": ["a-1"],
            "headline": ["  Minister arrives  "],
            "link": ["https://www.example-news.test/a-1"],
            "outlet": ["Example News"],
            "date": pa.array([datetime.datetime(2024, 5, 6, 7, 8, 9)]),
            "gold": [1],
        },
    )
    options = dict(
        text_field="body", id_field="key", title_field="headline", url_field="link",
        source_field="outlet", published_field="date", label_field="gold",
    )
    [article] = read(path, **options)
    assert article == Article(
        id="a-1", text="The minister arrived on Monday.", title="Minister arrives",
        url="https://www.example-news.test/a-1", source="Example News", published="2024-05-06T07:08:09",
        path=str(path), encoding="utf-8", label="1",
    )
    assert article.meta == {}


def test_outlet_falls_back_to_url_domain_then_folder(tmp_path):
    path = write_parquet(
        tmp_path / "gazette" / "a.parquet",
        {"text": ["One sentence here.", "Another one here."], "url": ["https://www.paper.test/x", None]},
    )
    assert [a.source for a in read(path)] == ["paper.test", "gazette"]


def test_other_scalar_columns_go_to_meta_nested_and_binary_are_not_read(tmp_path):
    path = write_parquet(
        tmp_path / "a.parquet",
        {
            "text": ["The bridge reopened."],
            "group": ["g7"],
            "words": [3],
            "weight": [0.5],
            "checked": [True],
            "day": pa.array([datetime.date(2024, 1, 31)]),
            "embedding": [[0.1, 0.2]],
            "raw_html": [b"<p>The bridge reopened.</p>"],
            "extra": [{"a": 1}],
        },
    )
    [article] = read(path)
    assert article.meta == {"group": "g7", "words": 3, "weight": 0.5, "checked": True, "day": "2024-01-31"}


def test_only_needed_columns_are_read(tmp_path, monkeypatch):
    path = write_parquet(
        tmp_path / "a.parquet",
        {"text": ["The bridge reopened."], "group": ["g"], "embedding": [[0.1]], "raw": [b"x"]},
    )
    asked: list[list[str]] = []
    original = pq.ParquetFile.iter_batches

    def spy(self, *args, **kwargs):
        asked.append(list(kwargs["columns"]))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(pq.ParquetFile, "iter_batches", spy)
    assert len(read(path)) == 1
    assert asked == [["text", "group"]]


def test_default_ids_are_input_and_row_number(tmp_path):
    path = write_parquet(tmp_path / "a.parquet", {"text": TEXTS[:3], "id": ["own", None, " "]})
    assert [a.id for a in read(path)] == ["own", f"{path}:2", f"{path}:3"]
    numbered = write_parquet(tmp_path / "n.parquet", {"text": TEXTS[:2], "id": [7, None]})
    assert [a.id for a in read(numbered)] == ["7", f"{numbered}:2"]
    no_ids = write_parquet(tmp_path / "b.parquet", {"text": TEXTS[:2]})
    assert [a.id for a in read(no_ids)] == [f"{no_ids}:1", f"{no_ids}:2"]


def test_input_name_is_the_one_read_articles_uses(tmp_path, monkeypatch):
    write_parquet(tmp_path / "sub" / "a.parquet", {"text": TEXTS[:2]})
    monkeypatch.chdir(tmp_path)
    via_read_articles = list(read_articles(["./sub//a.parquet"]))
    via_read_parquet = list(read_parquet("./sub//a.parquet"))
    assert [a.id for a in via_read_articles] == ["sub/a.parquet:1", "sub/a.parquet:2"]
    assert via_read_parquet == via_read_articles
    assert {a.path for a in via_read_parquet} == {"sub/a.parquet"}


# ------------------------------------------------------------------------- row groups


@pytest.fixture
def grouped(tmp_path) -> Path:
    """10 rows in row groups of 3, with an own id, a null text and an over-long text."""
    texts: list[str | None] = list(TEXTS)
    texts[4] = None
    texts[7] = "x" * 500
    ids = [None] * 10
    ids[2] = "own-3"
    return write_parquet(tmp_path / "g.parquet", {"text": texts, "id": ids}, row_group_size=3)


def test_parquet_row_groups_counts_rows_per_group(grouped):
    assert parquet_row_groups(grouped) == [3, 3, 3, 1]


def test_read_by_row_groups_gives_the_records_of_a_whole_read(grouped):
    options = ReadOptions(max_bytes=200)
    whole = list(read_articles([str(grouped)], options))
    assert summary(whole)[2] == ("article", "own-3", TEXTS[2])
    assert summary(whole)[4][:2] == ("error", f"{grouped}:5")
    assert summary(whole)[7][:2] == ("error", f"{grouped}:8")
    assert [item.id for item in whole][8:] == [f"{grouped}:9", f"{grouped}:10"]
    per_group = [item for group in range(4) for item in read_parquet(grouped, options, row_groups=[group])]
    assert per_group == whole
    assert list(read_parquet(grouped, options)) == whole
    # any partition of the groups, in any order, covers the whole read exactly
    parts = [list(read_parquet(grouped, options, row_groups=[3, 1])), list(read_parquet(grouped, options, [2, 0]))]
    assert sorted(summary(parts[0] + parts[1])) == sorted(summary(whole))
    assert [item.id for item in parts[0]] == [f"{grouped}:{n}" for n in (4, 5, 6, 10)]


def test_row_group_arguments_are_checked(grouped):
    with pytest.raises(ValueError, match="negative"):
        read_parquet(grouped, row_groups=[-1])
    with pytest.raises(ValueError, match="repeat"):
        read_parquet(grouped, row_groups=[1, 1])
    error = only_error(list(read_parquet(grouped, row_groups=[9])))
    assert error.reason.startswith("no row group 9: the file has 4")


def test_file_level_errors_come_from_the_read_that_covers_group_zero(tmp_path):
    path = write_parquet(tmp_path / "a.parquet", {"body": TEXTS}, row_group_size=4)
    assert list(read_parquet(path, row_groups=[1, 2])) == []
    assert "no 'text' column" in only_error(list(read_parquet(path, row_groups=[0]))).reason


def test_file_without_rows_is_one_error(tmp_path):
    path = write_parquet(tmp_path / "a.parquet", {"text": pa.array([], pa.string())})
    error = only_error(read(path))
    assert error.reason == "Parquet file has no rows"
    groups = parquet_row_groups(path)
    assert list(read_parquet(path, row_groups=list(range(len(groups))))) == [error]


# ----------------------------------------------------------------------------- errors


def test_not_parquet_is_one_error_and_other_files_are_read(tmp_path):
    write(tmp_path / "in" / "a.parquet", "just some text, not Parquet\n")
    write(tmp_path / "in" / "b.jsonl", json.dumps({"text": "The mayor spoke."}) + "\n")
    items = read(tmp_path / "in")
    assert summary(items) == [
        ("error", "None", "not a Parquet file (it does not start with PAR1)"),
        ("article", f"{tmp_path / 'in' / 'b.jsonl'}:1", "The mayor spoke."),
    ]
    assert items[0].input == str(tmp_path / "in" / "a.parquet")
    with pytest.raises(ParquetFileError, match="not a Parquet file"):
        parquet_row_groups(tmp_path / "in" / "a.parquet")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty file"),
        (b"PAR1 cut short", "not a valid Parquet file ("),
        (b"\x1f\x8b\x08\x00rest", "gzip-compressed file; decompress it first"),
    ],
)
def test_broken_parquet_files_are_errors(tmp_path, content, reason):
    path = write(tmp_path / "a.parquet", content)
    assert only_error(read(path)).reason.startswith(reason)
    with pytest.raises(ParquetFileError) as raised:
        parquet_row_groups(path)
    assert raised.value.input == str(path) and raised.value.reason.startswith(reason)


def test_truncated_parquet_is_an_error(tmp_path):
    path = write_parquet(tmp_path / "a.parquet", {"text": TEXTS})
    path.write_bytes(path.read_bytes()[:-40])
    error = only_error(read(path))
    assert error.input == str(path) and error.reason.startswith("not a valid Parquet file (")


def test_missing_text_column_is_one_error_listing_the_columns(tmp_path):
    path = write_parquet(tmp_path / "a.parquet", {"body": TEXTS[:3], "id": ["1", "2", "3"]})
    error = only_error(read(path))
    assert error.input == str(path)
    assert error.reason == (
        "no 'text' column (columns: 'body', 'id'); name the text column with --text-field "
        "(ReadOptions.text_field)"
    )


def test_bad_text_rows_are_errors_and_other_rows_are_read(tmp_path):
    path = write_parquet(tmp_path / "a.parquet", {"text": [TEXTS[0], None, "   ", TEXTS[3]]})
    assert summary(read(path)) == [
        ("article", f"{path}:1", TEXTS[0]),
        ("error", f"{path}:2", "row 2: missing 'text' value"),
        ("error", f"{path}:3", "row 3: empty 'text' value"),
        ("article", f"{path}:4", TEXTS[3]),
    ]
    assert [item.line for item in read(path) if isinstance(item, InputError)] == [2, 3]


def test_non_string_text_is_an_error_per_row(tmp_path):
    path = write_parquet(tmp_path / "a.parquet", {"text": [1, 2]})
    assert summary(read(path)) == [
        ("error", f"{path}:1", "row 1: 'text' must be a string, got number"),
        ("error", f"{path}:2", "row 2: 'text' must be a string, got number"),
    ]


def test_text_over_max_bytes_is_an_error_and_other_rows_are_read(tmp_path):
    long_text = "é" * 60  # 120 bytes of UTF-8, 60 characters
    path = write_parquet(tmp_path / "a.parquet", {"text": [TEXTS[0], long_text, TEXTS[2]]})
    items = read(path, max_bytes=100)
    assert summary(items) == [
        ("article", f"{path}:1", TEXTS[0]),
        (
            "error", f"{path}:2",
            "row 2: 'text' too long (120 bytes): over the limit of 100 bytes for one record; "
            "raise it with --max-bytes (ReadOptions.max_bytes)",
        ),
        ("article", f"{path}:3", TEXTS[2]),
    ]
    assert items[1].line == 2


def test_invalid_utf8_value_is_an_error_for_its_row(tmp_path):
    text = pa.array([TEXTS[0].encode(), b"caf\xe9 au lait"], pa.binary()).view(pa.string())
    path = write_parquet(tmp_path / "a.parquet", {"text": text})
    assert summary(read(path)) == [
        ("article", f"{path}:1", TEXTS[0]),
        ("error", f"{path}:2", "row 2: 'text' value is not valid UTF-8"),
    ]


def test_directory_walk_picks_up_parquet(tmp_path):
    write_parquet(tmp_path / "in" / "deep" / "z.parquet", {"text": TEXTS[:2]})
    write(tmp_path / "in" / "a.txt", "A plain text article.")
    items = read(tmp_path / "in")
    assert [item.id for item in items] == [
        str(tmp_path / "in" / "a.txt"),
        f"{tmp_path / 'in' / 'deep' / 'z.parquet'}:1",
        f"{tmp_path / 'in' / 'deep' / 'z.parquet'}:2",
    ]


# ----------------------------------------------------------------------------- writing


def finding(start: int, end: int, text: str, rule: str, lang: str | None = "fr") -> dict[str, object]:
    return {
        "kind": "calque", "recognizer": "calques", "rule": rule, "start": start, "end": end, "text": text,
        "score": 0.85, "message": "word for word", "suggestion": "summit", "source_lang_hint": lang,
    }


def audit_record(id: str, findings: list[dict[str, object]], sentence_of: list[int]) -> dict[str, object]:
    """An articles.jsonl record as the audit writes it (two sentences)."""
    sentences = [
        {"index": i, "start": 40 * i, "end": 40 * i + 30, "text": f"Sentence {i}.", "p_mt": 0.25 + i / 2,
         "findings": [f for f, s in zip(findings, sentence_of) if s == i]}
        for i in range(2)
    ]
    return {
        "id": id, "path": "in/a.jsonl", "title": "Summit", "source": "paper.test", "url": None,
        "published": None, "p_mt": 1, "verdict": "machine_translated", "source_lang_hint": "fr",
        "source_lang_confidence": 0.9, "model": "default-fast", "error": None, "findings": findings,
        "sentences": sentences,
    }


def write_jsonl(path: Path, records: list[object], tail: str = "") -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records) + tail, encoding="utf-8")
    return path


def test_write_articles_parquet_round_trip(tmp_path):
    top = finding(45, 52, "the top", "fr_sommet_top_of")
    chief = finding(5, 10, "chief", "fr_chef", lang=None)
    source = write_jsonl(
        tmp_path / "articles.jsonl",
        [
            audit_record("a", [chief, top], [0, 1]),
            {"input": "x", "error": "article b: timed out"},
            "not an object",
            audit_record("c", [], []),
        ],
        tail='{"id": "torn", "p_m',
    )
    out = tmp_path / "articles.parquet"
    assert write_articles_parquet(source, out) == 2
    table = pq.read_table(out)
    assert table.schema.equals(ARTICLES_SCHEMA, check_metadata=True)
    rows = table.to_pylist()
    assert [r["id"] for r in rows] == ["a", "c"]
    first = rows[0]
    assert (first["p_mt"], first["verdict"], first["n_findings"], first["n_sentences"]) == (1.0, "machine_translated", 2, 2)
    assert first["source_lang_confidence"] == 0.9 and first["url"] is None and first["model"] == "default-fast"
    assert first["findings"] == [
        {"sentence": 0, **{k: chief[k] for k in ("start", "end", "text", "kind", "recognizer", "rule", "score",
                                                   "message", "suggestion", "source_lang_hint")}},
        {"sentence": 1, **{k: top[k] for k in ("start", "end", "text", "kind", "recognizer", "rule", "score",
                                                 "message", "suggestion", "source_lang_hint")}},
    ]
    assert first["sentences"] == [
        {"index": 0, "start": 0, "end": 30, "text": "Sentence 0.", "p_mt": 0.25, "n_findings": 1},
        {"index": 1, "start": 40, "end": 70, "text": "Sentence 1.", "p_mt": 0.75, "n_findings": 1},
    ]
    assert rows[1]["findings"] == [] and rows[1]["n_findings"] == 0
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary file left


def test_written_schema_is_the_same_without_findings_or_records(tmp_path):
    with_findings = write_jsonl(tmp_path / "f.jsonl", [audit_record("a", [finding(0, 3, "top", "r")], [0])])
    without = write_jsonl(tmp_path / "n.jsonl", [audit_record("b", [], [])])
    empty = write_jsonl(tmp_path / "e.jsonl", [])
    schemas = []
    for source in (with_findings, without, empty):
        out = tmp_path / f"{source.stem}.parquet"
        write_articles_parquet(source, out)
        schemas.append(pq.read_schema(out))
    assert all(schema.equals(ARTICLES_SCHEMA, check_metadata=True) for schema in schemas)
    assert pq.read_table(tmp_path / "e.parquet").num_rows == 0
    assert ARTICLES_SCHEMA.field("findings").type.value_type.names == [
        "sentence", "start", "end", "text", "kind", "recognizer", "rule", "score", "message", "suggestion",
        "source_lang_hint",
    ]


def test_write_articles_parquet_batches_are_row_groups(tmp_path):
    source = write_jsonl(tmp_path / "articles.jsonl", [audit_record(f"id{n}", [], []) for n in range(5)])
    out = tmp_path / "articles.parquet"
    assert write_articles_parquet(source, out, batch_rows=2) == 5
    assert parquet_row_groups(out) == [2, 2, 1]
    assert pq.read_table(out, columns=["id"]).column("id").to_pylist() == [f"id{n}" for n in range(5)]


def test_write_articles_parquet_failure_keeps_the_old_file(tmp_path):
    out = tmp_path / "articles.parquet"
    out.write_bytes(b"old")
    with pytest.raises(FileNotFoundError):
        write_articles_parquet(tmp_path / "missing.jsonl", out)
    assert out.read_bytes() == b"old"
    assert sorted(os.listdir(tmp_path)) == ["articles.parquet"]


# --------------------------------------------------------------------------------- CLI


def test_cli_score_reads_parquet(tmp_path):
    path = write_parquet(
        tmp_path / "news.parquet",
        {
            "id": ["w1", "w2", None],
            "text": [
                "Mr. XI did not attend, but sent a message calling for a large -scale effort.",
                "The central library will stay open until 9 p.m. on weekdays from next month.",
                None,
            ],
        },
    )
    result = CliRunner().invoke(app, ["score", str(path), "--model", "rules", "--format", "jsonl"])
    assert result.exit_code == 3, result.output
    objs = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in objs] == ["w1", "w2", f"{path}:3"]
    assert objs[0]["verdict"] == "machine_translated" and objs[0]["findings"]
    assert objs[1]["error"] is None and objs[1]["path"] == str(path)
    assert objs[2]["error"] == f"{path}:3: row 3: missing 'text' value"


def test_text_only_score_and_lineage_link_columns(tmp_path):
    src = tmp_path / "articles.jsonl"
    plain = {"id": "a", "p_mt": 0.2, "verdict": "human", "findings": [], "sentences": []}
    raised = {"id": "b", "p_mt": 0.97, "verdict": "machine_translated", "p_mt_text": 0.4, "verdict_text": "unsure",
              "lineage": {"cluster": "c3", "source": "a", "relation": "machine_translated_copy", "confidence": 0.95},
              "findings": [], "sentences": []}
    src.write_text("".join(json.dumps(r) + "\n" for r in (plain, raised)), encoding="utf-8")
    write_articles_parquet(src, tmp_path / "out.parquet")
    rows = pq.read_table(tmp_path / "out.parquet").to_pylist()
    assert [(r["p_mt"], r["p_mt_text"], r["verdict_text"]) for r in rows] == [(0.2, 0.2, "human"), (0.97, 0.4, "unsure")]
    assert [(r["lineage_cluster"], r["lineage_source"], r["lineage_confidence"]) for r in rows] == [
        (None, None, None), ("c3", "a", 0.95)]


def test_every_audit_writes_articles_parquet_beside_articles_jsonl(tmp_path):
    from mtdetect.audit import AuditConfig, run_audit

    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps({"id": f"n{i}", "source": "s", "text": f"Mr. XI met Kim Jong one on day {i}. "
                                        "The talks were held at a high -level."}) + "\n" for i in range(3))
                    + "{broken\n", encoding="utf-8")
    out = tmp_path / "out"
    run_audit([str(feed)], AuditConfig(out=out, fast=True))
    records = [json.loads(x) for x in (out / "articles.jsonl").read_text().splitlines()]
    table = pq.read_table(out / "articles.parquet")
    assert table.schema.equals(ARTICLES_SCHEMA)
    assert table.column("id").to_pylist() == [r["id"] for r in records] == ["n0", "n1", "n2"]
    assert table.column("p_mt").to_pylist() == [r["p_mt"] for r in records]
    assert table.column("n_findings").to_pylist() == [len(r["findings"]) for r in records]
    assert all(n > 0 for n in table.column("n_findings").to_pylist())
