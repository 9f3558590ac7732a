"""Streamed JSONL/CSV/TSV reading: the same records as reading the file whole, in flat memory.

JSONL and CSV/TSV files are read in chunks (mtdetect.io._read_line_file): a first pass
settles the encoding, a second yields record by record. For them ``max_bytes`` bounds one
record, not the file. These tests pin down:

* equivalence: on a table of files (encodings, BOMs, line ends, quoting, broken bytes,
  refused files) and at several chunk sizes, the streamed records equal those of the
  whole-file path (``_read_whole_file``, the reader before streaming);
* the record limit: an over-long line or CSV record is one error naming it and the limit,
  the records around it are read, and it is never held whole;
* flat memory on a 200 MB file, and file-system failures as errors, never exceptions;
* a hypothesis property over random records, encodings and corruptions.
"""

from __future__ import annotations

import codecs
import csv
import errno
import gzip
import io
import json
import os
import subprocess
import sys
import textwrap
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mtdetect.io
from mtdetect.io import ReadOptions, _guarded, _read_whole_file, read_articles
from mtdetect.types import Article, InputError

from io_helpers import only_article, only_error, read, write

MB = 1024 * 1024
LIMIT_HINT = "raise it with --max-bytes (ReadOptions.max_bytes)"


def whole(path: Path, **options: object) -> list[Article | InputError]:
    """What the whole-file path (read, decode, split) gives for ``path``."""
    return list(_guarded(str(path), _read_whole_file(path, ReadOptions(**options))))  # type: ignore[arg-type]


@pytest.fixture
def chunk_bytes(monkeypatch: pytest.MonkeyPatch):
    """Set the streaming chunk size (small sizes put every boundary mid-character/mid-line)."""

    def set_size(size: int) -> None:
        monkeypatch.setattr(mtdetect.io, "_STREAM_CHUNK_BYTES", size)

    return set_size


# ------------------------------------------------------------------ equivalence table

STORIES = [
    {"id": "a", "text": "Caf\u00e9 owners complained \u2014 \u201cenough\u201d, said Ren\u00e9e.", "source": "Desk"},
    {"text": "Plain ASCII story about the harbour."},
    {"text": "Na\u00efve r\u00e9sum\u00e9 of the Z\u00fcrich talks, \u00a35 a head.", "label": 1},
]
EMOJI = {"text": "Emoji \U0001f600 and \u20ac5 in one line."}
CYRILLIC = {  # "The president met the delegation."
    "text": "\u041f\u0440\u0435\u0437\u0438\u0434\u0435\u043d\u0442 \u0432\u0441\u0442\u0440\u0435\u0442\u0438\u043b\u0441\u044f "
    "\u0441 \u0434\u0435\u043b\u0435\u0433\u0430\u0446\u0438\u0435\u0439."
}


def jsonl(records: list[dict], newline: str = "\n") -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + newline for r in records)


UTF8_JSONL = jsonl([*STORIES, EMOJI])
CSV_TEXT = (
    'id,text,desk\r\n1,"A story, with a comma.",metro\r\n'
    '2,"Two\nlines\r\nand a lone CR\r inside",world\r\n\r\n'
    '3,Caf\u00e9 \u2014 \u201cquoted\u201d,"desk ""x"""\r\n'
)
BOM16 = {"le": codecs.BOM_UTF16_LE, "be": codecs.BOM_UTF16_BE}

# (case, file name, bytes, encoding every article reports)
DECODED = [
    ("jsonl-utf8", "a.jsonl", UTF8_JSONL.encode(), "utf-8"),
    ("jsonl-utf8-bom", "a.jsonl", codecs.BOM_UTF8 + UTF8_JSONL.encode(), "utf-8-sig"),
    ("jsonl-utf16le-bom", "a.jsonl", BOM16["le"] + UTF8_JSONL.encode("utf-16-le"), "utf-16"),
    ("jsonl-utf16be-bom", "a.jsonl", BOM16["be"] + UTF8_JSONL.encode("utf-16-be"), "utf-16"),
    # Without a BOM, no emoji: its surrogate pair puts a NUL where the UTF-16 layout test
    # wants none, so the whole-file path calls such a file binary too.
    ("jsonl-utf16le", "a.jsonl", jsonl(STORIES).encode("utf-16-le"), "utf-16-le"),
    ("jsonl-utf16be", "a.jsonl", jsonl(STORIES).encode("utf-16-be"), "utf-16-be"),
    ("jsonl-utf32-bom", "a.jsonl", UTF8_JSONL.encode("utf-32"), "utf-32"),
    ("jsonl-cp1252", "a.jsonl", jsonl(STORIES).encode("cp1252"), "cp1252"),
    ("jsonl-cp1251", "a.jsonl", jsonl([CYRILLIC, CYRILLIC, STORIES[1]]).encode("cp1251"), "cp1251"),
    (
        "jsonl-mixed-latin1-line",
        "a.jsonl",
        jsonl(STORIES[:1]).encode() + jsonl(STORIES[2:]).encode("latin-1") + jsonl([EMOJI]).encode(),
        "utf-8",
    ),
    ("jsonl-crlf", "a.jsonl", jsonl(STORIES, "\r\n").encode(), "utf-8"),
    ("jsonl-lone-cr-between-records", "a.jsonl", b'{"text": "one"}\r{"text": "two"}\n{"text": "three"}\n', "utf-8"),
    ("jsonl-blank-lines", "a.jsonl",
     ("\n \n" + jsonl(STORIES[:2]) + "\n\t\r\n" + jsonl([EMOJI]) + "\n").encode(), "utf-8"),
    ("jsonl-no-final-newline", "a.jsonl", UTF8_JSONL.rstrip("\n").encode(), "utf-8"),
    ("jsonl-bad-lines", "a.jsonl",
     (jsonl(STORIES[:1]) + '{"text": 42}\n[1]\n{broken\n' + "[" * 5000 + "]" * 5000 + "\n" + jsonl([EMOJI])).encode(),
     "utf-8"),
    ("jsonl-utf8-cut-in-last-character", "a.jsonl", UTF8_JSONL.encode()[:-4], "utf-8"),
    ("jsonl-ascii-ending-in-a-high-byte", "a.jsonl", b'{"text": "one"}\n{"text": "caf\xe9"}', "cp1252"),
    ("jsonl-utf16-cut-to-odd-length", "a.jsonl", UTF8_JSONL.encode("utf-16")[:-1], "utf-16"),
    ("jsonl-utf16le-no-bom-cut", "a.jsonl", jsonl(STORIES).encode("utf-16-le")[:-1], "utf-16-le"),
    ("jsonl-utf8-bom-cut-in-last-character", "a.jsonl",
     codecs.BOM_UTF8 + UTF8_JSONL.rstrip("\n").encode()[:-4], "utf-8-sig"),
    (
        "jsonl-nel-and-line-separator-do-not-split",
        "a.jsonl",
        ('{"text": "Para one.\u0085Para two.\u2028Para three.\u2029' + "More words. " * 10 + '"}\n{"text": "d"}\n').encode(),
        "utf-8",
    ),
    ("csv-utf8", "a.csv", CSV_TEXT.encode(), "utf-8"),
    ("csv-utf8-bom", "a.csv", codecs.BOM_UTF8 + CSV_TEXT.encode(), "utf-8-sig"),
    ("csv-utf16-bom", "a.csv", CSV_TEXT.encode("utf-16"), "utf-16"),
    ("csv-utf16be-no-bom", "a.csv", CSV_TEXT.encode("utf-16-be"), "utf-16-be"),
    ("csv-cp1252", "a.csv", CSV_TEXT.encode("cp1252"), "cp1252"),
    ("csv-mixed-latin1-row", "a.csv",
     "id,text\n1,Caf\u00e9 open\n".encode() + "2,Z\u00fcrich\n".encode("latin-1") + b"3,Plain\n", "utf-8"),
    ("csv-cr-only-line-ends", "a.csv", b"id,text\r1,First.\r2,Second.\r", "utf-8"),
    ("csv-lf-line-ends", "a.csv", CSV_TEXT.replace("\r\n", "\n").encode(), "utf-8"),
    ("csv-rows-short-and-long", "a.csv", b"id,title,text\n1,Short\n2,Long,Body.,x1,x2\n\n3,,\n", "utf-8"),
    ("csv-malformed-stops-the-file", "a.csv", b"id,text\n1,Fine.\n2,bad\rfield\n3,Never.\n", "utf-8"),
    ("tsv-utf8", "a.tsv", "id\ttext\nk1\tA tab story, with commas.\nk2\t\"Quoted\ttab\"\n".encode(), "utf-8"),
]

# (case, file name, bytes, the one error's reason)
REFUSED = [
    ("empty", "a.jsonl", b"", "empty file"),
    ("whitespace-only", "a.jsonl", b"  \n\t\r\n ", "empty file (only whitespace)"),
    ("utf8-bom-only", "a.csv", codecs.BOM_UTF8, "empty file (only whitespace)"),
    ("utf16-blank", "a.jsonl", " \n \n".encode("utf-16"), "empty file (only whitespace)"),
    ("nul-bytes", "a.jsonl", b'{"text": "x"}\n\x00\x01\x02\xff' * 3, "binary file (contains NUL bytes)"),
    ("control-characters", "a.jsonl", bytes([1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 16, 17, 18, 19, 20]) * 20,
     "binary file (mostly control characters when read as utf-8)"),
    ("gzip", "a.jsonl", gzip.compress(UTF8_JSONL.encode()), "gzip-compressed file; decompress it first"),
    ("zip", "a.csv", b"PK\x03\x04rest-of-zip", "zip archive; extract it first"),
    ("utf16-bom-with-a-lone-surrogate", "a.jsonl",
     BOM16["le"] + '{"text": "x"}\n'.encode("utf-16-le") + b"\x00\xdcx\x00",
     "invalid UTF-16 despite its byte-order mark: illegal encoding at byte 30"),
    ("utf8-bom-with-a-bad-byte", "a.jsonl", codecs.BOM_UTF8 + b'{"text": "caf\xe9"}\n',
     "invalid UTF-8-SIG despite its byte-order mark: invalid continuation byte at byte 16"),
    ("csv-without-a-text-column", "a.csv", b"id,body\n1,Words.\n",
     "no 'text' column in the header (columns: 'id', 'body'); "
     "name the text column with --text-field (ReadOptions.text_field)"),
    ("csv-header-only", "a.csv", b"id,text\n", "CSV file has a header but no rows"),
]

CHUNK_SIZES = [1, 3, 64, 1 << 20]


@pytest.mark.parametrize("size", CHUNK_SIZES, ids=[f"chunk-{s}" for s in CHUNK_SIZES])
@pytest.mark.parametrize(("name", "data", "encoding"), [c[1:] for c in DECODED], ids=[c[0] for c in DECODED])
def test_streamed_records_equal_the_whole_file_records(
    tmp_path: Path, chunk_bytes, size: int, name: str, data: bytes, encoding: str
) -> None:
    path = write(tmp_path / name, data)
    chunk_bytes(size)

    streamed = read(path)

    assert streamed == whole(path)
    articles = [item for item in streamed if isinstance(item, Article)]
    assert articles and {a.encoding for a in articles} == {encoding}
    assert not any(isinstance(item, InputError) and "unexpected error" in item.reason for item in streamed)


@pytest.mark.parametrize("size", CHUNK_SIZES, ids=[f"chunk-{s}" for s in CHUNK_SIZES])
@pytest.mark.parametrize(("name", "data", "reason"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_refused_files_give_the_whole_file_error(
    tmp_path: Path, chunk_bytes, size: int, name: str, data: bytes, reason: str
) -> None:
    path = write(tmp_path / name, data)
    chunk_bytes(size)

    assert only_error(read(path)) == InputError(input=str(path), reason=reason) == only_error(whole(path))


def test_the_table_covers_what_it_claims(tmp_path: Path) -> None:
    """Spot checks, so the equivalence above is not between two equally wrong readers."""
    data = {case: content for case, _name, content, _encoding in DECODED}
    mixed = read(write(tmp_path / "m.jsonl", data["jsonl-mixed-latin1-line"]))
    assert [type(i).__name__ for i in mixed] == ["Article", "InputError", "Article"]
    assert mixed[1].reason.startswith("line not valid UTF-8 (byte 0xEF at column 13)")  # type: ignore[union-attr]

    cut = read(write(tmp_path / "c.jsonl", codecs.BOM_UTF8 + b'{"text": "one"}\n{"text": "caf\xc3\xa9"}\xe2\x82'))
    assert [a.text for a in cut] == ["one", "caf\u00e9"]  # type: ignore[union-attr]

    rows = read(write(tmp_path / "r.csv", CSV_TEXT.encode("utf-16")))
    assert [(a.id, a.text, a.meta) for a in rows] == [  # type: ignore[union-attr]
        ("1", "A story, with a comma.", {"desk": "metro"}),
        ("2", "Two\nlines\r\nand a lone CR\r inside", {"desk": "world"}),
        ("3", "Caf\u00e9 \u2014 \u201cquoted\u201d", {"desk": 'desk "x"'}),
    ]
    malformed = read(write(tmp_path / "bad.csv", data["csv-malformed-stops-the-file"]))
    assert [type(i).__name__ for i in malformed] == ["Article", "InputError"]
    assert malformed[1].reason.startswith("malformed CSV: new-line character seen in unquoted field")  # type: ignore[union-attr]


# -------------------------------------------------------------------- the record limit


def test_a_jsonl_file_larger_than_max_bytes_is_read_record_by_record(tmp_path: Path) -> None:
    path = write(tmp_path / "big.jsonl", jsonl([{"text": f"Story {n}."} for n in range(200)]))
    assert path.stat().st_size > 3000

    items = read(path, max_bytes=100)

    assert [a.text for a in items] == [f"Story {n}." for n in range(200)]  # type: ignore[union-attr]


@pytest.mark.parametrize("size", [7, 100, 1 << 20], ids=["chunk-7", "chunk-100", "chunk-1MiB"])
def test_an_over_long_jsonl_line_is_one_error_and_its_neighbours_are_read(
    tmp_path: Path, chunk_bytes, size: int
) -> None:
    long_line = json.dumps({"text": "x" * 4988}) + "\n"  # 5,000 bytes before its line break
    path = write(tmp_path / "a.jsonl", '{"text": "Before."}\n' + long_line + '{"text": "After."}\n')
    chunk_bytes(size)

    before, error, after = read(path, max_bytes=1000)

    assert (before.text, after.text, after.id) == ("Before.", "After.", f"{path}:3")  # type: ignore[union-attr]
    assert error == InputError(
        input=str(path),
        reason=f"line too long (5,000 bytes): over the limit of 1,000 bytes for one record; {LIMIT_HINT}",
        line=2,
        id=f"{path}:2",
    )


@pytest.mark.parametrize(
    ("content", "kept"),
    [
        ('{"text": "' + "x" * 988 + '"}\n', True),  # 1,000 bytes before the line break
        ('{"text": "' + "x" * 988 + '"}\r\n', True),  # "\r\n" is not counted either
        ('{"text": "' + "x" * 988 + '"}', True),  # the last line, no line break
        ('{"text": "' + "x" * 989 + '"}\n', False),
        ('{"text": "' + "\u00e9" * 494 + '"}\n', True),  # 988 bytes of UTF-8
        ('{"text": "' + "\u00e9" * 495 + '"}\n', False),
    ],
    ids=["at-limit", "at-limit-crlf", "at-limit-no-newline", "one-over", "utf8-at-limit", "utf8-one-over"],
)
@pytest.mark.parametrize("size", [5, 1 << 20], ids=["chunk-5", "chunk-1MiB"])
def test_the_limit_counts_utf8_bytes_without_the_line_break(
    tmp_path: Path, chunk_bytes, size: int, content: str, kept: bool
) -> None:
    path = write(tmp_path / "a.jsonl", content)
    chunk_bytes(size)

    item = read(path, max_bytes=1000)[0]

    assert isinstance(item, Article) is kept, item


def test_in_utf16_files_the_limit_counts_the_text_in_utf8(tmp_path: Path) -> None:
    # 1,000 bytes of UTF-8 text, 2,000 bytes as stored: the limit is about the record.
    path = write(tmp_path / "a.jsonl", ('{"text": "' + "x" * 988 + '"}\n').encode("utf-16"))

    assert only_article(read(path, max_bytes=1000)).encoding == "utf-16"


LONG = "x" * 5000
# (case, the second record as it appears in the file): every record is over a
# 1,000-byte limit in a different way, and the record after it must still be read.
OVER_LONG_CSV = [
    ("unquoted-long-line", f"2,{LONG}\n"),
    ("quoted-long-line", f'2,"{LONG}"\n'),
    ("long-line-inside-a-quoted-field", f'2,"starts here\n{LONG}\nends here"\n'),
    ("long-line-opens-a-quoted-field", f'2,"{LONG}\nends here"\n'),
    ("long-line-closes-a-quoted-field", f'2,"starts here\n{LONG}"\n'),
    ("long-line-with-doubled-quotes-and-commas", f'2,"{LONG}, ""said"" \n{LONG}, ""x"""\n'),
    ("long-unquoted-field-with-a-literal-quote", f'2,5" pipe {LONG}\n'),
    ("long-line-with-quoted-line-break-after-it", f'2,{LONG},"a\nb"\n'),
    ("every-line-short-but-the-record-long", "2,\"" + ("y" * 400 + "\n") * 5 + '"\n'),
    ("crlf-long-line", f"2,{LONG}\r\n"),
]


@pytest.mark.parametrize("size", [7, 1 << 20], ids=["chunk-7", "chunk-1MiB"])
@pytest.mark.parametrize("record", [c[1] for c in OVER_LONG_CSV], ids=[c[0] for c in OVER_LONG_CSV])
def test_an_over_long_csv_record_is_one_error_and_the_rows_around_it_are_read(
    tmp_path: Path, chunk_bytes, size: int, record: str
) -> None:
    path = write(tmp_path / "a.csv", 'id,text,extra\n1,"Before,\nover two lines."\n' + record + "3,After.\n4,Last.\n")
    chunk_bytes(size)

    items = read(path, max_bytes=1000)
    unlimited = whole(path)

    assert [type(i).__name__ for i in unlimited] == ["Article"] * 4  # the file is fine
    assert [items[0], items[2], items[3]] == [unlimited[0], unlimited[2], unlimited[3]]
    error = items[1]
    assert isinstance(error, InputError) and (error.line, error.id) == (2, f"{path}:2")
    record_bytes = len(record.encode()) - (2 if record.endswith("\r\n") else 1)
    assert error.reason == (
        f"data row 2: record too long ({record_bytes:,} bytes): over the limit of 1,000 bytes for one record; "
        f"{LIMIT_HINT}"
    )


def test_an_over_long_csv_header_is_one_error(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", "id,text," + "c" * 2000 + "\n1,Fine.\n")

    assert only_error(read(path, max_bytes=1000)) == InputError(
        input=str(path),
        reason=f"CSV header row too long (2,008 bytes): over the limit of 1,000 bytes for one record; {LIMIT_HINT}",
    )


def test_an_over_long_tsv_record(tmp_path: Path) -> None:
    path = write(tmp_path / "a.tsv", f"id\ttext\n1\t{LONG}\n2\tFine, with a comma.\n")

    error, article = read(path, max_bytes=1000)

    assert isinstance(error, InputError) and error.reason.startswith("data row 1: record too long (5,002 bytes)")
    assert isinstance(article, Article) and article.text == "Fine, with a comma."


@pytest.mark.parametrize("kind", ["jsonl", "csv"])
def test_a_50_mb_line_over_the_limit_is_never_held_whole(tmp_path: Path, kind: str) -> None:
    line_bytes = 50 * MB
    path = tmp_path / f"huge.{kind}"
    with open(path, "w", encoding="ascii") as handle:
        handle.write('{"text": "Before."}\n{"text": "' if kind == "jsonl" else 'id,text\n0,Before.\n1,"')
        for _ in range(line_bytes // MB):
            handle.write("word " * (MB // 5))
        handle.write('"}\n{"text": "After."}\n' if kind == "jsonl" else '"\n2,After.\n')
    tracemalloc.start()
    try:
        items = list(read_articles([str(path)], ReadOptions(max_bytes=1000)))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert [type(i).__name__ for i in items] == ["Article", "InputError", "Article"]
    assert "too long (5" in items[1].reason  # type: ignore[union-attr]
    assert peak < 8 * MB, f"peak Python allocation {peak:,} bytes for a {line_bytes:,}-byte line"


def test_a_long_line_under_a_raised_limit_is_read_across_many_chunks(tmp_path: Path, chunk_bytes) -> None:
    text = "caf\u00e9 " * 3000
    path = write(tmp_path / "a.jsonl", json.dumps({"text": text}, ensure_ascii=False) + "\n" + '{"text": "Next."}\n')
    chunk_bytes(10)

    first, second = read(path, max_bytes=20_000)

    assert (first.text, second.text) == (text, "Next.")  # type: ignore[union-attr]


# --------------------------------------------------------------------------- memory


@pytest.mark.slow  # 3-8 s: writes and reads 200 MB
def test_a_200_mb_jsonl_file_is_read_in_flat_memory(tmp_path: Path) -> None:
    """Peak RSS of a fresh process reading 200 MB grows by far less than the file."""
    path = tmp_path / "big.jsonl"
    line = json.dumps({"text": "The council met on Tuesday to discuss the caf\u00e9. " * 20, "source": "Desk"},
                      ensure_ascii=False)
    with open(path, "w", encoding="utf-8") as handle:
        written = 0
        while written < 200 * MB:
            handle.write(line + "\n")
            written += len(line.encode()) + 1
    script = textwrap.dedent(
        """
        import sys
        from mtdetect.io import read_articles
        from mtdetect.types import Article

        def status(key):
            with open("/proc/self/status") as fh:
                return next(int(l.split()[1]) * 1024 for l in fh if l.startswith(key))

        before = status("VmRSS:")
        count = sum(isinstance(item, Article) for item in read_articles([sys.argv[1]]))
        print(count, status("VmHWM:") - before)
        """
    )

    result = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, check=True)
    count, growth = map(int, result.stdout.split())

    assert count == written // (len(line.encode()) + 1)
    assert growth < 50 * MB, f"peak RSS grew by {growth:,} bytes reading a {written:,}-byte file"


# ----------------------------------------------------------------- file-system failures


def test_a_file_that_vanishes_after_it_is_listed_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gone = write(tmp_path / "gone.jsonl", '{"text": "x"}\n')
    kept = write(tmp_path / "kept.csv", "text\nStill read.\n")

    def listed_then_deleted(inputs, options=None):
        yield gone
        gone.unlink()
        yield gone
        yield kept

    monkeypatch.setattr(mtdetect.io, "iter_input_files", listed_then_deleted)

    items = read(tmp_path)

    assert [type(i).__name__ for i in items] == ["Article", "InputError", "Article"]
    assert items[1] == InputError(input=str(gone), reason="no such file or directory")


def test_a_fifo_named_like_jsonl_is_not_opened(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)

    assert only_error(read(fifo)) == InputError(input=str(fifo), reason="not a regular file")


class FailingFile(io.RawIOBase):
    """A file whose reads fail with EIO after ``good_reads`` successful ones."""

    def __init__(self, data: bytes, good_reads: int) -> None:
        self._inner = io.BytesIO(data)
        self._left = good_reads

    def readable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._inner.seek(offset, whence)

    def read(self, size: int = -1) -> bytes:
        if self._left <= 0:
            raise OSError(errno.EIO, "Input/output error")
        self._left -= 1
        return self._inner.read(size)


@pytest.mark.parametrize(
    ("good_reads", "expected"),
    [
        (0, ["InputError"]),  # fails in the first pass: nothing is yielded
        (5, ["InputError"]),
        (19, ["Article", "Article", "InputError"]),  # 12 reads in the first pass, 7 (35 bytes) in the second
    ],
    ids=["first-read", "first-pass", "second-pass"],
)
def test_a_read_error_mid_file_is_an_error_after_the_records_read(
    tmp_path: Path, chunk_bytes, monkeypatch: pytest.MonkeyPatch, good_reads: int, expected: list[str]
) -> None:
    data = b'{"text": "One."}\n{"text": "Two."}\n{"text": "Three."}\n'  # 17 + 17 + 19 bytes
    path = write(tmp_path / "a.jsonl", data)
    chunk_bytes(5)  # first pass: 11 reads and one at the end; second pass: 11 reads
    monkeypatch.setattr(mtdetect.io, "open", lambda *a, **k: FailingFile(data, good_reads), raising=False)

    items = read(path)

    assert [type(i).__name__ for i in items] == expected
    expected_reason = "Input/output error" if len(items) == 1 else "read failed at line 3: Input/output error"
    assert items[-1] == InputError(input=str(path), reason=expected_reason)


@pytest.mark.parametrize(
    ("new_content", "expected"),
    [
        # Now Latin-1: the second pass cannot decode what the first pass settled.
        (b'{"text": "Caf\xe9."}\n{"text": "Two."}\n',
         ["read failed at line 1: the file changed while it was read (no longer valid utf-8)"]),
        # Cut short: the lines still there are read, the cut one is a bad line.
        (b'{"text": "Caf\xc3\xa9."}\n{"text": "Tw', ["Caf\u00e9.", "invalid JSON: Unterminated string starting at (column 10)"]),
    ],
    ids=["re-encoded", "truncated"],
)
def test_a_file_changed_between_the_passes_gives_errors_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, new_content: bytes, expected: list[str]
) -> None:
    path = write(tmp_path / "a.jsonl", '{"text": "Caf\u00e9."}\n{"text": "Two."}\n')
    original = mtdetect.io._plan_stream

    def plan_then_rewrite(handle):
        plan = original(handle)
        with open(path, "r+b") as same_inode:
            same_inode.write(new_content)
            same_inode.truncate()
        return plan

    monkeypatch.setattr(mtdetect.io, "_plan_stream", plan_then_rewrite)

    assert [i.text if isinstance(i, Article) else i.reason for i in read(path)] == expected


def test_stdin_and_json_files_are_still_read_whole_under_the_file_limit(tmp_path: Path) -> None:
    data = jsonl([{"text": f"Story {n}."} for n in range(10)])
    json_file = write(tmp_path / "lines.json", data)

    assert only_error(read(json_file, max_bytes=100)).reason.startswith("file too large")
    assert only_error(read("-", stdin=io.BytesIO(data.encode()), max_bytes=100)).reason.startswith(
        "standard input too large"
    )
    assert len(read(json_file)) == len(read("-", stdin=io.BytesIO(data.encode()))) == 10


def test_a_legacy_file_whose_first_megabyte_misleads_is_guessed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first bytes read well as cp1252; a later line holds a byte cp1252 lacks (0x81),
    # so the whole file does not decode with the first guess.
    monkeypatch.setattr(mtdetect.io, "_DETECTION_SAMPLE_BYTES", 200)
    lines = [json.dumps({"text": f"Caf\u00e9 number {n} on the square."}, ensure_ascii=False) for n in range(20)]
    data = "\n".join(lines).encode("latin-1") + b'\n{"text": "Odd \x81 byte."}\n'
    path = write(tmp_path / "legacy.jsonl", data)

    assert mtdetect.io._detect_encoding(data[:200]) == "cp1252"  # the first guess, which fails

    items = read(path)

    assert len(items) == 21 and all(isinstance(i, Article) for i in items)
    # The same code page as the whole-file path, which guesses on all of the file (the
    # cp1252 preference cannot apply: cp1252 has no 0x81, so charset-normalizer decides).
    assert items == whole(path) and items[0].encoding != "cp1252"


# ------------------------------------------------------------------------- property

# Any code point, lone surrogates included, and often what matters to CSV and line splitting.
CHARACTERS = st.characters(exclude_categories=[]) | st.sampled_from(['"', ",", "\t", "\n", "\r", "\u00e9", "x", " "])
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(CHARACTERS),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=6,
)
FIELD_NAMES = st.sampled_from(["id", "title", "url", "source", "published", "label", "desk"]) | st.text(max_size=4)
RECORDS = st.lists(
    st.fixed_dictionaries(
        {"text": st.text(CHARACTERS, max_size=80) | JSON_VALUES},
        optional={"id": JSON_VALUES},
    ).flatmap(lambda fixed: st.dictionaries(FIELD_NAMES, JSON_VALUES, max_size=3).map(lambda extra: {**extra, **fixed})),
    max_size=6,
)


def _encode(text: str, encoding: str) -> bytes:
    if encoding == "cp1252":
        return text.encode("cp1252", "replace")
    return text.encode(encoding, "surrogatepass")  # lone surrogates make invalid bytes: good


def _csv_text(records: list[dict], delimiter: str, newline: str) -> str:
    names = list(dict.fromkeys(name for record in records for name in record))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)
    writer.writerow(names)
    for record in records:
        writer.writerow([record.get(name, "") for name in names])
    return out.getvalue()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    records=RECORDS,
    fmt=st.sampled_from(["jsonl", "csv", "tsv"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1252"]),
    ascii_only=st.booleans(),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
    cut=st.none() | st.integers(min_value=0, max_value=400),
    noise=st.none() | st.tuples(st.integers(min_value=0, max_value=400), st.binary(min_size=1, max_size=4)),
    chunk=st.sampled_from([1, 2, 5, 64, 1 << 20]),
    max_bytes=st.sampled_from([20, 40, 80, 200, 50_000_000]),
)
def test_random_files_give_articles_or_errors_never_exceptions(
    tmp_path: Path, records, fmt, encoding, ascii_only, newline, cut, noise, chunk, max_bytes
) -> None:
    if fmt == "jsonl":
        text = "".join(json.dumps(r, ensure_ascii=ascii_only) + newline for r in records)
    else:
        text = _csv_text(records, "\t" if fmt == "tsv" else ",", newline)
    data = _encode(text, encoding)
    if noise is not None:
        at, junk = noise
        data = data[:at] + junk + data[at:]
    if cut is not None:
        data = data[:cut]
    path = write(tmp_path / f"random.{fmt}", data)
    saved = mtdetect.io._STREAM_CHUNK_BYTES
    mtdetect.io._STREAM_CHUNK_BYTES = chunk
    try:
        items = read(path, max_bytes=max_bytes)
    finally:
        mtdetect.io._STREAM_CHUNK_BYTES = saved

    assert all(isinstance(item, (Article, InputError)) for item in items)
    assert not any(isinstance(item, InputError) and "unexpected error" in item.reason for item in items), items
    unlimited = whole(path, max_bytes=max(len(data), 1))
    if not any(isinstance(item, InputError) and " too long (" in item.reason for item in items):
        assert items == unlimited  # no record over the limit: exactly the whole-file records
    elif not any(isinstance(item, InputError) and item.reason.startswith("malformed CSV") for item in unlimited):
        # Records over the limit are left out, and nothing else changes: the reader kept in
        # step with the quoting, so every article read is one of the whole file's, in order.
        expected = iter([item for item in unlimited if isinstance(item, Article)])
        assert all(item in expected for item in items if isinstance(item, Article))


CSV_CHARACTERS = st.characters(exclude_categories=["Cs", "Cc"]) | st.sampled_from(['"', ",", "\t", "\n", "\r", "x", " "])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    texts=st.lists(st.text(CSV_CHARACTERS, max_size=150), min_size=1, max_size=8),
    delimiter=st.sampled_from([",", "\t"]),
    newline=st.sampled_from(["\n", "\r\n"]),
    quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
    max_bytes=st.integers(min_value=12, max_value=160),  # the header "text","id" fits
    chunk=st.sampled_from([1, 7, 1 << 20]),
)
def test_random_csv_records_over_the_limit_leave_every_other_row_intact(
    tmp_path: Path, texts: list[str], delimiter: str, newline: str, quoting: int, max_bytes: int, chunk: int
) -> None:
    if newline == "\n":  # csv.writer then leaves a field with "\r" unquoted: not valid CSV
        texts = [text.replace("\r", "") for text in texts]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline, quoting=quoting)
    writer.writerow(["text", "id"])
    sizes = {}  # data row -> bytes of its record without the final line break
    for number, text in enumerate(texts, start=1):
        start = out.tell()
        writer.writerow([text, f"r{number}"])
        sizes[number] = len(out.getvalue()[start:].encode()) - len(newline)
    path = write(tmp_path / ("random.tsv" if delimiter == "\t" else "random.csv"), out.getvalue())
    saved = mtdetect.io._STREAM_CHUNK_BYTES
    mtdetect.io._STREAM_CHUNK_BYTES = chunk
    try:
        items = read(path, max_bytes=max_bytes)
    finally:
        mtdetect.io._STREAM_CHUNK_BYTES = saved

    def by_row(results: list[Article | InputError]) -> dict[int, Article | InputError]:
        return {int(i.id[1:]) if isinstance(i, Article) else i.line: i for i in results}  # type: ignore[misc]

    streamed, unlimited = by_row(items), by_row(whole(path))
    assert all(isinstance(i, Article) or i.reason.startswith("data row") for i in unlimited.values()), unlimited
    for number, size in sizes.items():
        if size > max_bytes:
            assert streamed[number] == InputError(
                input=str(path),
                reason=f"data row {number}: record too long ({size:,} bytes): over the limit of {max_bytes:,} "
                f"bytes for one record; {LIMIT_HINT}",
                line=number,
                id=f"{path}:{number}",
            )
        else:
            assert streamed.get(number) == unlimited.get(number), number
