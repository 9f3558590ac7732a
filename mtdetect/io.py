"""Ingestion: turn files, directories, globs and stdin into :class:`Article` records.

``read_articles`` is a generator that never raises for bad input: every problem with a
file, line, row or feed item becomes an :class:`InputError` in the stream and the rest
of the batch goes on.

Formats (chosen by extension, else by sniffing the decoded text):

=====================  ==============================================================
``.txt``               whole file = one article; text unchanged; title None
``.md``/``.markdown``  whole file = one article; text unchanged; title from a leading
                       level-1 heading (``# Title`` or ``Title`` over ``=====``)
``.html``/``.htm``     main text by trafilatura (never a URL, so never the network);
                       title from trafilatura metadata, else ``<title>``; url from
                       ``<link rel=canonical>``, else ``og:url``; published from
                       trafilatura's date
``.json``              one article object, or an array of them
``.jsonl``/``.ndjson`` one article object per line
``.csv``/``.tsv``      a header row naming the columns, then one article per row
``.xml``/``.rss``/     RSS or Atom feed via feedparser: one article per item/entry;
``.atom``              text = content, else summary, with HTML turned into text
``.parquet``           Apache Parquet via pyarrow: one article per row (see below)
anything else          sniffed: JSON, JSONL, HTML, RSS/Atom, else plain text
``-``                  standard input, sniffed the same way
=====================  ==============================================================

Sniffing: text that parses whole as JSON is JSON; text whose first non-empty line is a
JSON object is JSONL (later bad lines become per-line errors, so one broken line does
not turn a stream into one "text" article); text whose root element is ``rss``, ``feed``
or ``RDF`` is a feed; text with ``<html>``/``<head>``/``<body>``/``<!doctype html>`` near
the start is HTML; anything else is plain text (stdin: one article with id ``-``). A
``.json`` file that holds JSON Lines is read as JSONL. An ``.xml`` file whose root is
not a feed is an error. When trafilatura finds no main text in an HTML page, a plain
converter that drops scripts, styles, nav, header, footer, aside and forms is used
instead (``Article.meta["extractor"]`` says which).

XML safety: a document with a DOCTYPE and any ``<!ENTITY`` declaration is refused
before parsing (this stops entity-expansion bombs and external-entity reads); feeds
are handed to feedparser as bytes in a file object, never as a string it could take for
a URL or a filename.

Record fields (names configurable through :class:`ReadOptions`): ``text`` is required
and must be a non-empty string; ``id``, ``title``, ``url``, ``source``, ``published`` and
``label`` are optional (``id``, ``published`` and ``label`` may also be numbers, kept as
their JSON spelling); every other field goes to ``Article.meta`` unchanged.

Ids: a record's own id (feed items: their guid/id) wins. Otherwise a single-article file
is identified by its path, and a record of a multi-record file by ``<path>:<n>`` where
``n`` is 1-based: the physical line number for JSONL, the data row number for CSV/TSV
(the first row after the header is 1; blank rows count), the row number over the whole
file for Parquet, the position in the array for a JSON list, the position in the feed
for RSS/Atom. ``InputError.line`` carries the JSONL line, CSV data row or Parquet row;
errors about JSON-array or feed items carry ``id`` instead.

Outlet (``Article.source``), first that applies: the record's own source field (feeds:
the item's ``<source>`` element), else the domain of the record's URL (lower-cased,
leading ``www.`` removed), else the feed's title, else the name of the folder holding
the file. Standard input has no folder, so its articles may have no source.

Encodings: a BOM (UTF-8, UTF-16, UTF-32) wins; then strict UTF-8; then a charset the
HTML/XML declares, if the bytes decode with it; then Windows-1252 when charset-normalizer
guesses a single-byte Latin code page, or anything else while the text read as cp1252
looks like Latin-script text (non-ASCII characters one or two at a time, not whole words
of them): on short English text it guesses cp1250, cp775, cp037 (EBCDIC), cp1251 or even
Shift JIS for plain Latin-1, and cp1252 is by far the likelier for English news; then
charset-normalizer's guess (made on the first 1 MB; the whole file must then decode; if it
does not, a file read whole is guessed again on all of it, a streamed one on its first
1 MB plus 1 MB from where the first guess failed). A file cut short in the middle of a
character (a truncated download) keeps its encoding: the incomplete last character is
dropped, when the rest of the file shows the encoding (UTF-8 with other
non-ASCII characters, or a BOM or BOM-less UTF-16 layout). Line-oriented records (JSONL,
CSV, TSV) in a file that is UTF-8 except for some lines in another encoding are read per
line: each such line is an error naming it, and no line is silently decoded as mojibake.
Binary: NUL bytes (unless the layout is BOM-less UTF-16) or more than 2% control
characters after decoding. Feeds are decoded by feedparser itself, which follows the
XML encoding rules. Compressed files (gzip, bzip2, xz, zstd, zip) and PDFs are rejected
with a message saying what to do: a decompression cap would be one more thing to get
right, and the user can decompress in one command.

Size and streaming: JSONL and CSV/TSV files (chosen by suffix) are streamed, so they may
be of any size and memory stays flat. A first pass reads the file in 1 MB chunks and
settles its encoding by the rules above without keeping it; a second pass decodes the
chunks and yields record by record, up to the size the first pass saw (a file that grows
meanwhile is read as it was). For these files ``ReadOptions.max_bytes`` (``--max-bytes``)
bounds ONE record: a line, or a CSV record (which may span lines), measured in bytes of
UTF-8 without its line break (for a UTF-8 file, its own bytes). A longer record becomes an
error naming its line (JSONL) or data row (CSV) and the limit; it is read past in chunks,
never held whole, and the records after it are still read. Every other file (text,
Markdown, HTML, JSON, feeds, and files whose format is sniffed, including a ``.json`` or
unknown-suffix file holding JSON Lines) is read whole: it is ``os.stat``-ed first and
refused when over ``max_bytes``; otherwise at most ``max_bytes + 1`` bytes are read, so a
growing file cannot exhaust memory. Standard input is read whole the same way (it is
sniffed, so it cannot be streamed). Decoded text is then split into records lazily.

Parquet (``.parquet``, by suffix only; :func:`read_parquet`) is streamed too: one row group
at a time, in batches of rows, through a buffered reader, so memory is bounded by a batch
of the columns read, never the file. Columns are mapped by the same ``ReadOptions`` fields
and the same rules as JSONL objects (``_article_from_record``), with null meaning absent.
Column projection: only the mapped columns and the other columns of scalar types
(strings, numbers, booleans, dates and times, decimals) are read, the latter into
``Article.meta`` (dates and times as ISO 8601 strings, decimals as strings); binary and
nested columns (lists, structs, maps) that are not mapped are never read, because that
is where a wide table keeps its bulk (raw HTML, embeddings) and nothing downstream reads
them from ``meta``. Strings in Parquet are UTF-8, so there is no encoding detection
(``Article.encoding`` is ``utf-8``); a value that is not valid UTF-8 is an error for its
row. ``max_bytes`` bounds one row's text, in bytes of UTF-8: a longer text is an error for
its row and never becomes a Python string (pyarrow still decodes it with its page). A file
that is not Parquet, or has no text column (the error lists the columns it has), or no
rows, is one error; a null, empty or non-string text is an error for its row; a row group
that fails to decode is an error naming the rows not read, and the next group is read.
:func:`parquet_row_groups` and the ``row_groups`` argument of :func:`read_parquet` let a
distributed engine split one file by row groups with the same ids as a whole read.

Directories are walked recursively in sorted name order, skipping hidden entries
(names starting with ``.``). Every other regular file is read, whatever its extension,
so a stray binary shows up as an error instead of being silently ignored; use a glob
to pick files by extension. Symlinks inside a walked directory are skipped unless
``ReadOptions.follow_symlinks``; paths named explicitly are always followed. Each file
is read at most once per call, even when several inputs name it.
"""

from __future__ import annotations

import codecs
import csv
import errno
import glob
import io
import itertools
import json
import operator
import os
import re
import stat
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, BinaryIO, TextIO
from urllib.parse import urlsplit

from mtdetect.types import Article, InputError

__all__ = [
    "DecodeError",
    "ParquetFileError",
    "ReadOptions",
    "STDIN",
    "decode_bytes",
    "iter_input_files",
    "parquet_row_groups",
    "read_articles",
    "read_parquet",
]

#: The input name (and the path ``iter_input_files`` yields) that means standard input.
STDIN = Path("-")
_STDIN_NAME = "-"

# Extension -> format. Keys are lower-case suffixes.
_FORMAT_BY_SUFFIX: dict[str, str] = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".tsv": "tsv",
    ".xml": "xml",
    ".rss": "feed",
    ".atom": "feed",
    ".parquet": "parquet",
}

# Magic numbers of files that are certainly not text, with what the user should do.
_REJECTED_MAGIC: tuple[tuple[re.Pattern[bytes], str], ...] = (
    (re.compile(rb"\x1f\x8b"), "gzip-compressed file; decompress it first"),
    (re.compile(rb"BZh[1-9]1AY&SY"), "bzip2-compressed file; decompress it first"),
    (re.compile(rb"\xfd7zXZ\x00"), "xz-compressed file; decompress it first"),
    (re.compile(rb"\x28\xb5\x2f\xfd"), "zstd-compressed file; decompress it first"),
    (re.compile(rb"PK\x03\x04"), "zip archive; extract it first"),
    (re.compile(rb"%PDF-\d"), "PDF file; convert it to text first"),
)

_BOMS: tuple[tuple[bytes, str], ...] = (
    # UTF-32 first: its little-endian BOM starts with UTF-16's.
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Single-byte Latin code pages that charset-normalizer confuses with each other on
# short English text; when its best guess is one of these we prefer cp1252.
_LATIN_CODEPAGES = frozenset(
    codecs.lookup(name).name
    for name in (
        "cp1250", "cp1252", "cp1254", "cp1257", "latin_1", "iso8859_2", "iso8859_3",
        "iso8859_4", "iso8859_9", "iso8859_10", "iso8859_13", "iso8859_14", "iso8859_15",
        "iso8859_16", "mac_roman", "mac_latin2", "mac_iceland", "mac_turkish", "cp437",
        "cp850", "cp858", "cp775", "cp852", "cp857", "cp860", "cp861", "cp863", "cp865",
        "cp1258", "hp_roman8", "mac_croatian", "mac_romanian",
    )
)
# Three or more non-ASCII characters in a row: whole words of another script (Cyrillic,
# Greek, CJK, ... read through cp1252), not the odd accented letter of Latin-script text.
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]{3}")
# A character that UTF-8 decoding with "surrogateescape" made of an undecodable byte.
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")
# Any other non-ASCII character: proof that the file holds real UTF-8 text somewhere.
_UTF8_NON_ASCII = re.compile("[^\x00-\x7f\udc80-\udcff]")
_LINE_FORMATS = frozenset({"jsonl", "csv", "tsv"})
# How codecs word an incomplete last character (a file cut short).
_CUT_SHORT_REASONS = ("unexpected end of data", "truncated data")

# C0/C1 control characters other than ordinary whitespace; plenty of them means binary.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_MAX_CONTROL_RATIO = 0.02
_DETECTION_SAMPLE_BYTES = 1_000_000
_CONTROL_SAMPLE_CHARS = 1_000_000

_GLOB_MAGIC = re.compile(r"[*?[]")
_FEED_ROOT = re.compile(r"<(?:[A-Za-z_][\w.-]*:)?(rss|feed|RDF)\b", re.IGNORECASE)
_HTML_START = re.compile(r"<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE)
_LEADING_SPACE = re.compile(r"[\s\ufeff]*")
_PROLOG_SCAN_CHARS = 65_536
_MAX_TITLE_CHARS = 300
_END_OF_HEAD = re.compile(r"</head\s*>", re.IGNORECASE)
_HEAD_SCAN_CHARS = 262_144
_DOCTYPE = re.compile(r"<!DOCTYPE", re.IGNORECASE)
_ENTITY_DECLARATION = re.compile(r"<!ENTITY", re.IGNORECASE)
_DECLARED_CHARSET = re.compile(
    rb"""(?:<meta[^>]+charset\s*=\s*["']?|<\?xml[^>]+encoding\s*=\s*["'])([A-Za-z0-9._:-]+)""",
    re.IGNORECASE,
)
_MD_ATX_TITLE = re.compile(r"#[ \t]+(.+?)[ \t]*#*[ \t]*\Z")
_MD_SETEXT_RULE = re.compile(r"=+[ \t]*\Z")

# Never article text, and kept by trafilatura: inert <template> markup (invisible, so a
# place to hide text) and <noscript> "enable JavaScript" notices.
_PRUNED_XPATHS = ["//template", "//noscript"]
# Elements whose content is never article text (the HTML fallback and feed summaries).
_NON_TEXT_TAGS = frozenset({"script", "style", "noscript", "template", "head", "svg", "iframe"})
_BOILERPLATE_TAGS = frozenset({"nav", "header", "footer", "aside", "form", "menu"})
_BLOCK_TAGS = frozenset(
    {
        "p", "div", "br", "hr", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4",
        "h5", "h6", "blockquote", "pre", "table", "tr", "section", "article", "main",
        "figure", "figcaption", "header", "footer", "address", "td", "th",
    }
)


class DecodeError(ValueError):
    """The bytes could not be turned into text; ``str(err)`` says why."""


class ParquetFileError(ValueError):
    """A file that cannot be opened as Parquet; ``str(err)`` is ``"<input>: <reason>"``.

    ``input`` and ``reason`` are those of the :class:`InputError` that :func:`read_parquet`
    yields for the same file (:meth:`to_input_error`).
    """

    def __init__(self, input: str, reason: str) -> None:
        super().__init__(f"{input}: {reason}")
        self.input = input
        self.reason = reason

    def to_input_error(self) -> InputError:
        """The error record a reader yields for this file."""
        return InputError(input=self.input, reason=self.reason)


@dataclass(frozen=True)
class ReadOptions:
    """How to map input records to :class:`Article` fields, and the reader's limits."""

    text_field: str = "text"
    id_field: str = "id"
    title_field: str = "title"
    url_field: str = "url"
    source_field: str = "source"
    published_field: str = "published"
    label_field: str = "label"
    #: The size limit. Files read whole (text, Markdown, HTML, JSON, feeds, sniffed files)
    #: and stdin larger than this are rejected, never read whole. JSONL and CSV/TSV files
    #: are streamed and may be any size: for them this bounds ONE record (a line; a CSV
    #: record, which may span lines), in bytes of UTF-8 without the line break, and a
    #: longer record becomes an error while the lines after it are still read.
    max_bytes: int = 50_000_000
    #: Follow symlinks met while walking a directory (explicit paths are always followed).
    follow_symlinks: bool = False

    def __post_init__(self) -> None:
        if self.max_bytes <= 0:
            raise ValueError(f"max_bytes must be positive, got {self.max_bytes}")

    @property
    def mapped_fields(self) -> frozenset[str]:
        """The record keys that map to Article attributes (the rest go to ``meta``)."""
        return frozenset(
            {
                self.text_field, self.id_field, self.title_field, self.url_field,
                self.source_field, self.published_field, self.label_field,
            }
        )


@dataclass(frozen=True)
class _Origin:
    """Where records come from: the name errors use and the outlet fallbacks."""

    input: str
    encoding: str | None
    folder: str | None
    options: ReadOptions


# --------------------------------------------------------------------------- public API


def read_articles(
    inputs: Iterable[str | os.PathLike[str]],
    options: ReadOptions | None = None,
    *,
    stdin: TextIO | BinaryIO | None = None,
) -> Iterator[Article | InputError]:
    """Yield one Article per input article, or an InputError per bad file/line/row/item.

    ``inputs`` are paths, directories (walked recursively), glob patterns or ``-`` for
    standard input (``stdin`` if given, else ``sys.stdin``). Bad input never raises.

    >>> for item in read_articles(["news/"]):  # doctest: +SKIP
    ...     print(item.describe() if isinstance(item, InputError) else item.id)
    """
    options = options or ReadOptions()
    for item in iter_input_files(inputs, options):
        if isinstance(item, InputError):
            yield item
        elif item == STDIN:
            yield from _guarded(_STDIN_NAME, _read_stdin(stdin, options))
        else:
            yield from _guarded(str(item), _read_file(item, options))


def iter_input_files(
    inputs: Iterable[str | os.PathLike[str]], options: ReadOptions | None = None
) -> Iterator[Path | InputError]:
    """Expand inputs into the files to read, in a deterministic order.

    Directories are walked recursively in sorted order (hidden entries skipped), glob
    patterns are expanded in sorted order, ``-`` yields :data:`STDIN`. Missing paths, empty globs, unreadable directories and symlink loops
    become InputErrors. A file named by several inputs is yielded once.
    """
    options = options or ReadOptions()
    seen: set[tuple[int, int]] = set()
    for raw in inputs:
        name = os.fsdecode(os.fspath(raw))
        if name == _STDIN_NAME:
            yield STDIN
        elif _GLOB_MAGIC.search(name) and not os.path.lexists(name):
            matches = sorted(glob.glob(name, recursive=True))
            if not matches:
                yield InputError(input=name, reason="no files match this pattern")
            for match in matches:
                yield from _expand(_as_path(match), options, seen)
        else:
            yield from _expand(_as_path(name), options, seen)


def parquet_row_groups(path: str | os.PathLike[str]) -> list[int]:
    """The number of rows in each row group of a Parquet file, in file order.

    For a partitioner: give each task some of the indexes and let it call
    :func:`read_parquet` with them. Only the footer is read. Raises
    :class:`ParquetFileError` (a ``ValueError``) when the file is missing, unreadable, not a
    regular file, empty or not valid Parquet; ``read_parquet`` without ``row_groups`` then
    yields the same reason as an error record. A file with no rows may have no row groups
    (``[]``).
    """
    name = _parquet_input_name(path)
    with _open_parquet(Path(name), name) as parquet:
        metadata = parquet.metadata
        return [metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)]


def read_parquet(
    path: str | os.PathLike[str],
    options: ReadOptions | None = None,
    row_groups: Iterable[int] | None = None,
) -> Iterator[Article | InputError]:
    """Yield one Article or InputError per row of a Parquet file, streamed by row group.

    This is what :func:`read_articles` does for a ``.parquet`` file (whatever the suffix of
    ``path``), and it never raises for bad input either. ``row_groups`` (indexes as counted
    by :func:`parquet_row_groups`) restricts the read to those groups, in file order; rows
    keep the numbers they have in the whole file, so ids (``<input>:<row>``) and error
    records are exactly those of a whole-file read, and the reads of any partition of the
    row groups together give exactly the records of one whole read. Errors about the file
    itself (cannot be opened, no text column, no rows) come from the read that includes
    row group 0, or, for a file with no row groups, from every read (with ``[]``): a file
    that cannot be opened at all is reported by every read, since its groups are unknown.
    A group index the file does not have (it changed since it was partitioned) is an
    error record. ``input`` in ids and errors is the name ``read_articles`` uses for the
    same path (``str(Path(path))``).

    Raises ``ValueError`` (before reading anything) for negative or repeated indexes.
    """
    options = options or ReadOptions()
    groups: list[int] | None = None
    if row_groups is not None:
        groups = sorted(operator.index(group) for group in row_groups)
        if groups and groups[0] < 0:
            raise ValueError(f"row group indexes must not be negative, got {groups[0]}")
        if len(set(groups)) != len(groups):
            raise ValueError(f"row group indexes repeat: {groups}")
    name = _parquet_input_name(path)
    return _guarded(name, _read_parquet_file(Path(name), options, groups))


def decode_bytes(data: bytes, name: str, *, declared: str | None = None) -> tuple[str, str]:
    """Decode file bytes to text; return ``(text, codec name used)``.

    ``declared`` is an encoding the document itself claims (HTML meta, XML declaration);
    it is used only if strict UTF-8 fails and the bytes decode with it. Raises
    :class:`DecodeError` for compressed, binary or undecodable data. ``name`` names the
    input for diagnostics; the reason does not repeat it, since InputError carries it.
    """
    for magic, reason in _REJECTED_MAGIC:
        if magic.match(data):
            raise DecodeError(reason)
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _decode_cut_short(data, encoding), encoding
            except UnicodeDecodeError as exc:
                raise DecodeError(
                    f"invalid {encoding.upper()} despite its byte-order mark: "
                    f"{exc.reason} at byte {len(data) - len(exc.object) + exc.start}"
                ) from None

    if b"\x00" in data:
        # Text never contains NUL, except UTF-16 without a BOM, which has one in every
        # other byte for English text.
        encoding = _bomless_utf16(data)
        if encoding is None:
            raise DecodeError("binary file (contains NUL bytes)")
        try:
            text = _decode_cut_short(data, encoding)
        except UnicodeDecodeError:
            raise DecodeError("binary file (contains NUL bytes)") from None
        return _reject_control_heavy(text, encoding)

    try:
        return _reject_control_heavy(_decode_cut_short(data, "utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass

    if declared:
        try:
            encoding = codecs.lookup(declared).name
            return _reject_control_heavy(data.decode(encoding), encoding)
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong declaration is common; fall through to detection

    # Detection cost grows with size; a sample decides, the whole file must then decode.
    sampled = len(data) > _DETECTION_SAMPLE_BYTES
    guess = _detect_encoding(data[:_DETECTION_SAMPLE_BYTES] if sampled else data)
    if guess is not None:
        try:
            return _reject_control_heavy(data.decode(guess), guess)
        except UnicodeDecodeError:
            pass
    if sampled:  # the sample misled us; pay for the whole file
        guess = _detect_encoding(data)
        if guess is not None:
            try:
                return _reject_control_heavy(data.decode(guess), guess)
            except UnicodeDecodeError:
                pass
    raise DecodeError("binary file (not UTF-8 and no text encoding fits)")


def _decode_cut_short(data: bytes, encoding: str) -> str:
    """``data.decode(encoding)``, but a file cut short inside its last character loses that
    character instead of its encoding.

    For UTF-8 the rest must hold other non-ASCII text: an ASCII file ending in one high
    byte is more likely a legacy code page ("caf\xe9") than a truncated UTF-8 file.
    """
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        # Positions are relative to what the codec saw: utf-8-sig leaves its BOM out.
        seen = len(exc.object)
        cut_short = exc.end == seen and seen - exc.start < 4 and exc.reason in _CUT_SHORT_REASONS
        if not cut_short:
            raise
        text = data[: len(data) - seen + exc.start].decode(encoding)
        if encoding == "utf-8" and text.isascii():
            raise
        return text


def _detect_encoding(data: bytes) -> str | None:
    """charset-normalizer's guess, with cp1252 preferred over its Latin look-alikes."""
    import charset_normalizer  # lazy: only non-UTF-8 input pays for the import

    best = charset_normalizer.from_bytes(data).best()
    guess = codecs.lookup(best.encoding).name if best is not None else None
    if guess is None or guess in _LATIN_CODEPAGES or _reads_as_latin(data):
        try:
            data.decode("cp1252")
            return "cp1252"
        except UnicodeDecodeError:
            pass
    return guess


def _reads_as_latin(data: bytes) -> bool:
    """Whether ``data`` read as cp1252 looks like Latin-script text: non-ASCII characters
    only one or two at a time, inside otherwise ASCII words ("caf\u00e9", "\u00a35")."""
    text = data[:_DETECTION_SAMPLE_BYTES].decode("cp1252", "replace")
    return _NON_ASCII_RUN.search(text) is None


# --------------------------------------------------------------------- path expansion


def _as_path(name: str) -> Path:
    """A Path for a real file, never equal to STDIN (``./-`` is the file named ``-``)."""
    path = Path(name)
    return Path(os.path.abspath(name)) if path == STDIN else path


def _os_reason(exc: OSError, path: Path) -> str:
    """A short, user-facing reason for an OS error."""
    if exc.errno == errno.ELOOP:
        return "symlink loop (too many levels of symbolic links)"
    if isinstance(exc, FileNotFoundError):
        return "broken symlink" if os.path.islink(path) else "no such file or directory"
    if isinstance(exc, PermissionError):
        return "permission denied"
    return exc.strerror or str(exc)


def _expand(path: Path, options: ReadOptions, seen: set[tuple[int, int]]) -> Iterator[Path | InputError]:
    """Yield the file itself, or a directory's files; explicit paths follow symlinks."""
    try:
        st = path.stat()
    except OSError as exc:
        yield InputError(input=str(path), reason=_os_reason(exc, path))
        return
    if stat.S_ISDIR(st.st_mode):
        yield from _walk(path, options, seen, frozenset({(st.st_dev, st.st_ino)}))
    elif _first_time(st, seen):
        yield path


def _first_time(st: os.stat_result, seen: set[tuple[int, int]]) -> bool:
    key = (st.st_dev, st.st_ino)
    if key in seen:
        return False
    seen.add(key)
    return True


def _walk(
    directory: Path,
    options: ReadOptions,
    seen: set[tuple[int, int]],
    ancestors: frozenset[tuple[int, int]],
) -> Iterator[Path | InputError]:
    """Depth-first walk in sorted name order; ``ancestors`` detects symlink cycles."""
    try:
        with os.scandir(directory) as scan:
            entries = sorted(scan, key=lambda entry: entry.name)
    except OSError as exc:
        yield InputError(input=str(directory), reason=f"cannot read directory: {_os_reason(exc, directory)}")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = directory / entry.name
        try:
            if entry.is_symlink():
                if not options.follow_symlinks:
                    continue
                st = os.stat(entry.path)
            else:
                st = entry.stat(follow_symlinks=False)
        except OSError as exc:
            yield InputError(input=str(path), reason=_os_reason(exc, path))
            continue
        if stat.S_ISDIR(st.st_mode):
            key = (st.st_dev, st.st_ino)
            if key in ancestors:
                yield InputError(input=str(path), reason="symlink loop: links back to an enclosing directory")
                continue
            yield from _walk(path, options, seen, ancestors | {key})
        elif stat.S_ISREG(st.st_mode) and _first_time(st, seen):
            yield path


# ---------------------------------------------------------------------- reading bytes


def _guarded(name: str, records: Iterator[Article | InputError]) -> Iterator[Article | InputError]:
    """Turn any unexpected exception from one input into an InputError for that input.

    The parsers below handle every bad input they know of; this is the backstop that
    keeps a library choking on a hostile file from ending the whole batch.
    """
    try:
        yield from records
    except Exception as exc:  # noqa: BLE001 - deliberate backstop, reported per input
        yield InputError(input=name, reason=f"unexpected error while reading: {type(exc).__name__}: {exc}")


def _too_large(name: str, options: ReadOptions, size: int | None) -> InputError:
    what = "standard input" if name == _STDIN_NAME else "file"
    amount = f" ({size:,} bytes)" if size is not None else ""
    return InputError(
        input=name,
        reason=(
            f"{what} too large{amount}: over the limit of {options.max_bytes:,} bytes; "
            "raise it with --max-bytes (ReadOptions.max_bytes)"
        ),
    )


def _load_bytes(path: Path, options: ReadOptions) -> bytes | InputError:
    """Read a regular file, refusing anything over ``max_bytes`` without reading it whole."""
    name = str(path)
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            return InputError(input=name, reason="not a regular file")
        if st.st_size > options.max_bytes:
            return _too_large(name, options, st.st_size)
        with open(path, "rb") as handle:
            data = handle.read(options.max_bytes + 1)  # the file may have grown since stat
    except OSError as exc:
        return InputError(input=name, reason=_os_reason(exc, path))
    if len(data) > options.max_bytes:
        return _too_large(name, options, None)
    return data


def _read_file(path: Path, options: ReadOptions) -> Iterator[Article | InputError]:
    """JSONL, CSV/TSV and Parquet files (by suffix) are streamed; every other file is read whole."""
    fmt = _FORMAT_BY_SUFFIX.get(path.suffix.lower())
    if fmt in _LINE_FORMATS:
        return _read_line_file(path, fmt, options)
    if fmt == "parquet":
        return _read_parquet_file(path, options, None)
    return _read_whole_file(path, options)


def _read_whole_file(path: Path, options: ReadOptions) -> Iterator[Article | InputError]:
    """Read the file into memory (at most ``max_bytes``), decode it, then parse it."""
    name = str(path)
    data = _load_bytes(path, options)
    if isinstance(data, InputError):
        yield data
        return
    fmt = _FORMAT_BY_SUFFIX.get(path.suffix.lower())
    decoded = _decode_input(data, name, fmt)
    # feedparser re-reads the bytes (XML has its own encoding rules); nothing else
    # needs them, so do not hold them while records stream out.
    raw = data if fmt in (None, "xml", "feed") else None
    del data
    if isinstance(decoded, InputError):
        yield decoded
        return
    text, encoding = decoded
    folder = path.absolute().parent.name or None
    yield from _parse_text(text, fmt, _Origin(name, encoding, folder, options), raw)


def _read_stdin(stream: TextIO | BinaryIO | None, options: ReadOptions) -> Iterator[Article | InputError]:
    """Read standard input (bytes when possible) and parse it as a sniffed format."""
    stream = stream if stream is not None else sys.stdin
    if stream is None:
        yield InputError(input=_STDIN_NAME, reason="no standard input available")
        return
    source = getattr(stream, "buffer", stream)  # prefer raw bytes so we detect the encoding
    raw = source.read(options.max_bytes + 1)
    if len(raw) > options.max_bytes:
        yield _too_large(_STDIN_NAME, options, None)
        return
    if isinstance(raw, bytes):
        decoded = _decode_input(raw, _STDIN_NAME, None)
    elif not raw.strip():  # already-decoded text (e.g. io.StringIO): nothing to detect
        reason = "empty file" if not raw else "empty file (only whitespace)"
        decoded = InputError(input=_STDIN_NAME, reason=reason)
    else:
        decoded = raw, getattr(stream, "encoding", None)
    if isinstance(decoded, InputError):
        yield decoded
        return
    text, encoding = decoded
    origin = _Origin(_STDIN_NAME, encoding, None, options)
    yield from _parse_text(text, None, origin, raw if isinstance(raw, bytes) else None)


def _decode_input(data: bytes, name: str, fmt: str | None) -> tuple[str, str | None] | InputError:
    """Decode an input's bytes, or say why it is not usable text (empty, binary, ...)."""
    if not data:
        return InputError(input=name, reason="empty file")
    if fmt in _LINE_FORMATS or fmt is None:
        mixed = _mixed_utf8(data)
        if mixed is not None and (fmt is not None or _sniff(mixed) == "jsonl"):
            return mixed, "utf-8"
    declared = None
    if fmt in (None, "html", "xml", "feed"):
        match = _DECLARED_CHARSET.search(data[:4096])
        declared = match.group(1).decode("ascii") if match else None
    try:
        text, encoding = decode_bytes(data, name, declared=declared)
    except DecodeError as exc:
        return InputError(input=name, reason=str(exc))
    if not text.strip():
        return InputError(input=name, reason="empty file (only whitespace)")
    return text, encoding


def _parse_text(
    text: str, fmt: str | None, origin: _Origin, raw: bytes | None
) -> Iterator[Article | InputError]:
    if fmt is None:
        fmt = _sniff(text)
    if fmt == "xml":
        if not _FEED_ROOT.match(text, _prolog_end(text)):
            yield InputError(input=origin.input, reason="XML file is not an RSS or Atom feed")
            return
        fmt = "feed"
    if fmt == "text":
        yield _single_article(text, origin, title=None)
    elif fmt == "markdown":
        yield _single_article(text, origin, title=_markdown_title(text))
    elif fmt == "html":
        yield _parse_html(text, origin)
    elif fmt == "json":
        yield from _parse_json(text, origin)
    elif fmt == "jsonl":
        yield from _parse_jsonl(_iter_lines(text), origin)
    elif fmt in ("csv", "tsv"):
        yield from _parse_csv(_iter_lines(text), origin, delimiter="\t" if fmt == "tsv" else ",")
    elif fmt == "feed":
        yield from _parse_feed(text, raw if raw is not None else text.encode("utf-8"), origin)
    else:  # pragma: no cover - every format above is handled
        raise AssertionError(f"unknown format {fmt!r}")


# ------------------------------------------------------------ streamed line formats
#
# A JSONL/CSV/TSV file is read twice, in chunks, and never held whole: the first pass
# settles the encoding with the same rules as decode_bytes/_decode_input (which need
# the whole file: BOM, NULs, strict UTF-8, mixed UTF-8, legacy guess, control
# characters, blank files), the second decodes the chunks and splits them into lines
# for the same parsers the whole-file path uses. A line over the record limit is read
# past piece by piece and stands in the line stream as a _LongLine.

_STREAM_CHUNK_BYTES = 1 << 20
# CSV quoting state at a point of a record, as far as the line splitter needs it.
_CSV_START, _CSV_FIELD, _CSV_QUOTED, _CSV_QUOTE_IN_QUOTED = range(4)


@dataclass(frozen=True)
class _StreamPlan:
    """How to decode a streamed file: the codec for its bytes ``start:end``."""

    encoding: str  # the name Article.encoding reports (as the whole-file path names it)
    codec: str  # what decodes the bytes after the BOM
    errors: str  # "strict", or "surrogateescape" for mixed UTF-8 (bad lines are reported)
    start: int  # bytes of BOM to skip
    end: int  # bytes to read: the size seen by the first pass, less a cut-short character


class _BadBytes(Exception):
    """Bytes that the codec refuses, at a file offset."""

    def __init__(self, offset: int, reason: str) -> None:
        super().__init__(offset, reason)
        self.offset = offset
        self.reason = reason


class _TextStats:
    """What the checks need from decoded text seen piece by piece: the control
    characters among its first characters, and whether any of it is not blank."""

    def __init__(self) -> None:
        self.chars = 0
        self.controls = 0
        self.content = False

    @property
    def wants_more(self) -> bool:
        return self.chars < _CONTROL_SAMPLE_CHARS or not self.content

    def add(self, text: str) -> None:
        if self.chars < _CONTROL_SAMPLE_CHARS:
            sample = text[: _CONTROL_SAMPLE_CHARS - self.chars]
            self.chars += len(sample)
            self.controls += len(_CONTROL_CHARS.findall(sample))
        if not self.content and text and not text.isspace():
            self.content = True

    def control_heavy(self) -> bool:
        """The test of _reject_control_heavy, on the same first characters."""
        return self.chars > 0 and self.controls > _MAX_CONTROL_RATIO * self.chars


def _pending_bytes(decoder: codecs.IncrementalDecoder) -> bytes:
    """Bytes an incremental decoder holds back (the start of an incomplete character)."""
    state = decoder.getstate()
    return state[0] if isinstance(state, tuple) and isinstance(state[0], bytes) else b""


class _Utf8Scan:
    """One pass of UTF-8 decoding over a file's chunks: whether it is strict UTF-8, where
    its first bad byte is, whether it holds real multi-byte characters (the mark of a
    mixed file), and the text statistics while it is valid."""

    def __init__(self) -> None:
        self._strict = codecs.getincrementaldecoder("utf-8")()
        self._loose: codecs.IncrementalDecoder | None = None
        self._offset = 0
        self.first_bad: int | None = None
        self.real_non_ascii = False
        self.stats = _TextStats()

    @property
    def settled(self) -> bool:
        """Both facts that make a file mixed are known: nothing more to learn."""
        return self.first_bad is not None and self.real_non_ascii

    def feed(self, chunk: bytes, final: bool = False) -> None:
        offset = self._offset
        self._offset += len(chunk)
        if self._loose is not None:
            self._feed_loose(chunk, final)
            return
        pending = _pending_bytes(self._strict)
        if not pending and chunk.isascii():  # the usual case: no decoding needed
            if self.stats.wants_more:
                self.stats.add(chunk.decode("ascii"))
            return
        try:
            text = self._strict.decode(chunk, final)
        except UnicodeDecodeError as exc:
            self.first_bad = offset - len(pending) + exc.start
            self._loose = codecs.getincrementaldecoder("utf-8")("surrogateescape")
            self._loose.setstate((pending, 0))
            self._feed_loose(chunk, final)
            return
        if not text.isascii():
            self.real_non_ascii = True
        if self.stats.wants_more:
            self.stats.add(text)

    def _feed_loose(self, chunk: bytes, final: bool) -> None:
        text = self._loose.decode(chunk, final)  # type: ignore[union-attr]
        if not self.real_non_ascii and _UTF8_NON_ASCII.search(text):
            self.real_non_ascii = True


def _chunks(handle: BinaryIO, start: int, end: int | None) -> Iterator[bytes]:
    """The file's bytes ``start:end`` (``end`` None: to the end) in chunks."""
    handle.seek(start)
    remaining = -1 if end is None else max(0, end - start)  # -1: no end
    while remaining:
        chunk = handle.read(_STREAM_CHUNK_BYTES if remaining < 0 else min(_STREAM_CHUNK_BYTES, remaining))
        if not chunk:
            return
        if remaining > 0:
            remaining -= len(chunk)
        yield chunk


def _check_stream(
    handle: BinaryIO, codec: str, start: int, end: int, *, cut_short: bool
) -> tuple[int, _TextStats]:
    """Decode bytes ``start:end`` strictly without keeping the text; return where the text
    ends and its statistics. With ``cut_short``, an incomplete last character (a file
    cut short) is dropped as _decode_cut_short drops it. Raises _BadBytes."""
    decoder = codecs.getincrementaldecoder(codec)()
    stats = _TextStats()
    offset = start
    chunks = _chunks(handle, start, end)
    while True:
        chunk = next(chunks, None)
        final = chunk is None
        pending = _pending_bytes(decoder)
        try:
            text = decoder.decode(b"" if chunk is None else chunk, final)
        except UnicodeDecodeError as exc:
            at = offset - len(pending) + exc.start
            seen = len(exc.object)
            if final and cut_short and exc.end == seen and seen - exc.start < 4 and exc.reason in _CUT_SHORT_REASONS:
                return at, stats
            raise _BadBytes(at, exc.reason) from None
        if stats.wants_more:
            stats.add(text)
        if chunk is None:
            return offset, stats
        offset += len(chunk)


def _plan_stream(handle: BinaryIO) -> _StreamPlan | str:
    """Settle a streamed file's encoding as _decode_input would for a line format, without
    holding the file; return the plan, or the reason the file is not usable text."""
    head = bytearray()  # the first bytes: magic numbers, BOM, UTF-16 layout, detection sample
    size = 0
    has_nul = False
    scan: _Utf8Scan | None = _Utf8Scan()
    for chunk in _chunks(handle, 0, None):
        if len(head) < _DETECTION_SAMPLE_BYTES:
            head += chunk[: _DETECTION_SAMPLE_BYTES - len(head)]
        size += len(chunk)
        if not has_nul and b"\x00" in chunk:
            has_nul, scan = True, None  # UTF-8 facts no longer matter
        if scan is not None and len(head) >= 4 and any(head.startswith(bom) for bom, _ in _BOMS):
            scan = None  # nor with a BOM
        if scan is not None and not scan.settled:
            scan.feed(chunk)
    if size == 0:
        return "empty file"
    if scan is not None:
        scan.feed(b"", final=True)
    sample = bytes(head)
    bom = next(((mark, encoding) for mark, encoding in _BOMS if sample.startswith(mark)), None)

    # The order of _decode_input, then decode_bytes.
    if scan is not None and bom is None and scan.first_bad is not None and scan.real_non_ascii:
        return _StreamPlan("utf-8", "utf-8", "surrogateescape", 0, size)  # mixed: bad lines reported
    for magic, reason in _REJECTED_MAGIC:
        if magic.match(sample):
            return reason
    if bom is not None:
        mark, encoding = bom
        codec = {
            codecs.BOM_UTF32_LE: "utf-32-le", codecs.BOM_UTF32_BE: "utf-32-be", codecs.BOM_UTF8: "utf-8",
            codecs.BOM_UTF16_LE: "utf-16-le", codecs.BOM_UTF16_BE: "utf-16-be",
        }[mark]
        try:
            end, stats = _check_stream(handle, codec, len(mark), size, cut_short=True)
        except _BadBytes as bad:
            return f"invalid {encoding.upper()} despite its byte-order mark: {bad.reason} at byte {bad.offset}"
        return _StreamPlan(encoding, codec, "strict", len(mark), end) if stats.content else _BLANK
    if has_nul:
        # Text never contains NUL, except UTF-16 without a BOM.
        encoding = _bomless_utf16(sample)
        if encoding is None:
            return "binary file (contains NUL bytes)"
        try:
            end, stats = _check_stream(handle, encoding, 0, size, cut_short=True)
        except _BadBytes:
            return "binary file (contains NUL bytes)"
        return _checked_plan(encoding, end, stats)
    assert scan is not None
    if scan.first_bad is None:
        return _checked_plan("utf-8", size, scan.stats)

    # Legacy code page: guess from the first bytes, as decode_bytes does; the whole file
    # must then decode. When it does not, guess again from the first bytes plus those
    # where decoding failed (decode_bytes would guess from the whole file).
    window_at = scan.first_bad
    tried: set[str] = set()
    for attempt in range(2):
        if attempt:
            if size <= _DETECTION_SAMPLE_BYTES:
                break  # the first guess saw the whole file
            handle.seek(window_at)
            guess = _detect_encoding(sample + handle.read(_DETECTION_SAMPLE_BYTES))
        else:
            guess = _detect_encoding(sample)
        if guess is None or guess in tried:
            continue
        tried.add(guess)
        try:
            end, stats = _check_stream(handle, guess, 0, size, cut_short=False)
        except _BadBytes as bad:
            window_at = bad.offset
            continue
        return _checked_plan(guess, end, stats)
    return "binary file (not UTF-8 and no text encoding fits)"


_BLANK = "empty file (only whitespace)"


def _checked_plan(encoding: str, end: int, stats: _TextStats) -> _StreamPlan | str:
    if stats.control_heavy():
        return f"binary file (mostly control characters when read as {encoding})"
    return _StreamPlan(encoding, encoding, "strict", 0, end) if stats.content else _BLANK


class _LongLine:
    """A line over the record limit, already read past: its size in bytes without the
    line break, the line break's size, and for CSV whether it ends inside a quoted field."""

    __slots__ = ("size", "ending", "quoted_after")

    def __init__(self, size: int, ending: int, quoted_after: bool) -> None:
        self.size = size
        self.ending = ending
        self.quoted_after = quoted_after


def _utf8_len(text: str) -> int:
    """Bytes of ``text`` in UTF-8 (an escaped undecodable byte counts as the one byte)."""
    if text.isascii():
        return len(text)
    try:
        return len(text.encode("utf-8", "surrogateescape"))
    except UnicodeEncodeError:  # a lone surrogate that is not an escaped byte
        return len(text.encode("utf-8", "surrogatepass"))


def _line_end_bytes(line: str) -> int:
    return 2 if line.endswith("\r\n") else 1 if line.endswith("\n") else 0


def _csv_scan(text: str, state: int, delimiter: str) -> int:
    """The quoting state of csv's default dialect after ``text`` (no line breaks outside
    quotes), starting from ``state``. Only "inside a quoted field or not" matters at the
    end of a line: inside, the record goes on over the line break."""
    pos, size = 0, len(text)
    while pos < size:
        if state == _CSV_QUOTED:
            quote = text.find('"', pos)
            if quote < 0:
                return state
            state, pos = _CSV_QUOTE_IN_QUOTED, quote + 1
        elif state == _CSV_FIELD:  # a quote inside an unquoted field is literal
            comma = text.find(delimiter, pos)
            if comma < 0:
                return state
            state, pos = _CSV_START, comma + 1
        else:  # start of a field, or just after a quote inside a quoted one
            char = text[pos]
            pos += 1
            if char == '"':  # opens a field, or is the second of a doubled quote
                state = _CSV_QUOTED
            elif char == delimiter:
                state = _CSV_START
            else:
                state = _CSV_FIELD
    return state


class _LineSkip:
    """Reads past an over-long line piece by piece: counts its bytes, follows CSV quoting."""

    def __init__(self, scan_from: tuple[int, str] | None) -> None:
        self.size = 0
        self._state, self._delimiter = scan_from if scan_from is not None else (None, "")
        self._tail = ""  # the last two characters, for the size without the line break

    def add(self, piece: str) -> None:
        self.size += _utf8_len(piece)
        self._tail = (self._tail + piece[-2:])[-2:]
        if self._state is not None:
            self._state = _csv_scan(piece, self._state, self._delimiter)

    def done(self) -> _LongLine:
        ending = _line_end_bytes(self._tail)
        return _LongLine(self.size - ending, ending, self._state == _CSV_QUOTED)


class _StreamLines:
    """The lines of a streamed file: decoded chunk by chunk and split on "\\n" only, with
    their endings (as _iter_lines splits decoded text). A line over ``limit`` bytes (in
    UTF-8, without its line break) is never held whole: it is read past and yields a
    _LongLine. ``scan_from`` (set by the CSV reader before each line) is the CSV quoting
    state at the start of the next line, so a skipped line can report where it ends."""

    def __init__(self, chunks: Iterator[bytes], codec: str, errors: str, limit: int) -> None:
        self._chunks = chunks
        self._decoder = codecs.getincrementaldecoder(codec)(errors)
        self._limit = limit
        self.scan_from: tuple[int, str] | None = None
        self.lines = 0  # lines yielded so far (for the error when reading fails)

    def _texts(self) -> Iterator[str]:
        for chunk in self._chunks:
            text = self._decoder.decode(chunk)
            if text:
                yield text
        text = self._decoder.decode(b"", True)
        if text:
            yield text

    def _whole(self, line: str) -> str | _LongLine:
        """A line read whole; over the limit, it is reported (its text is dropped)."""
        self.lines += 1
        # Cheap bound first: a character is 1 to 4 bytes of UTF-8.
        if 4 * len(line) <= self._limit or _utf8_len(line) - _line_end_bytes(line) <= self._limit:
            return line
        skip = _LineSkip(self.scan_from)
        skip.add(line)
        return skip.done()

    def __iter__(self) -> Iterator[str | _LongLine]:
        limit = self._limit
        carry: list[str] = []  # the start of a line whose end is not read yet
        carry_bytes = 0
        skip: _LineSkip | None = None  # reading past an over-long line
        for text in self._texts():
            pos = 0
            if skip is not None or carry:
                newline = text.find("\n")
                piece = text if newline < 0 else text[: newline + 1]
                pos = len(piece)
                if skip is not None:
                    skip.add(piece)
                    if newline < 0:
                        continue
                    self.lines += 1
                    yield skip.done()
                    skip = None
                elif newline < 0:
                    carry.append(piece)
                    carry_bytes += _utf8_len(piece)
                    if carry_bytes > limit + 1:  # over, even if it ends "\r\n"
                        skip = _LineSkip(self.scan_from)
                        for part in carry:
                            skip.add(part)
                        carry, carry_bytes = [], 0
                    continue
                else:
                    carry.append(piece)
                    line = "".join(carry)
                    carry, carry_bytes = [], 0
                    yield self._whole(line)
            while True:
                newline = text.find("\n", pos)
                if newline < 0:
                    break
                line = text[pos : newline + 1]
                pos = newline + 1
                if 4 * len(line) <= limit:  # the usual case, inlined
                    self.lines += 1
                    yield line
                else:
                    yield self._whole(line)
            if pos < len(text):
                rest = text[pos:]
                carry_bytes = _utf8_len(rest)
                if carry_bytes > limit + 1:
                    skip = _LineSkip(self.scan_from)
                    skip.add(rest)
                    carry_bytes = 0
                else:
                    carry = [rest]
        if skip is not None:
            self.lines += 1
            yield skip.done()
        elif carry:
            yield self._whole("".join(carry))


class _CsvFeed:
    """The lines csv.reader reads. With a limit, each record's bytes are counted; once a
    record is over, its remaining lines are replaced by a stand-in ("\\n", or '"\\n' to
    open or close quoting) that leaves csv in the quoting state the real line would have,
    so the reader stays in step and the row is reported (``over_limit``) and skipped."""

    def __init__(
        self, lines: Iterator[str | _LongLine], delimiter: str, stream: _StreamLines | None, limit: int | None
    ) -> None:
        self._lines = lines
        self._delimiter = delimiter
        self._stream = stream
        self._limit = limit
        self.next_record()

    def next_record(self) -> None:
        """csv has returned a row: the next line starts a record."""
        self._record_lines = 0
        self._record_bytes = 0  # with every line break
        self._last_ending = 0
        self.over_limit = False

    @property
    def size(self) -> int:
        """The record's bytes so far, without its final line break (for _too_long)."""
        return self._record_bytes - self._last_ending

    def __iter__(self) -> Iterator[str]:
        limit = self._limit
        while True:
            # csv asks for another line of a record only while inside a quoted field.
            quoted = self._record_lines > 0
            if self._stream is not None:
                self._stream.scan_from = (_CSV_QUOTED if quoted else _CSV_START, self._delimiter)
            line = next(self._lines, None)
            if line is None:
                return
            self._record_lines += 1
            if isinstance(line, _LongLine):
                self.over_limit = True
                self._record_bytes += line.size + line.ending
                self._last_ending = line.ending
                yield '"\n' if line.quoted_after != quoted else "\n"
                continue
            if limit is not None:
                self._record_bytes += _utf8_len(line)
                self._last_ending = _line_end_bytes(line)
                if self.size > limit:
                    self.over_limit = True
                if self.over_limit:
                    start = _CSV_QUOTED if quoted else _CSV_START
                    quoted_after = _csv_scan(line, start, self._delimiter) == _CSV_QUOTED
                    yield '"\n' if quoted_after != quoted else "\n"
                    continue
            yield line


def _too_long(item: _LongLine | _CsvFeed, options: ReadOptions) -> str:
    """The end of the reason for a line or record over the limit."""
    return (
        f"too long ({item.size:,} bytes): over the limit of {options.max_bytes:,} bytes for one "
        "record; raise it with --max-bytes (ReadOptions.max_bytes)"
    )


def _read_line_file(path: Path, fmt: str, options: ReadOptions) -> Iterator[Article | InputError]:
    """Stream a JSONL/CSV/TSV file: settle its encoding, then yield record by record."""
    name = str(path)
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            yield InputError(input=name, reason="not a regular file")
            return
        handle = open(path, "rb", buffering=0)
    except OSError as exc:
        yield InputError(input=name, reason=_os_reason(exc, path))
        return
    with handle:
        try:
            plan = _plan_stream(handle)
        except OSError as exc:
            yield InputError(input=name, reason=_os_reason(exc, path))
            return
        if isinstance(plan, str):
            yield InputError(input=name, reason=plan)
            return
        origin = _Origin(name, plan.encoding, path.absolute().parent.name or None, options)
        lines = _StreamLines(_chunks(handle, plan.start, plan.end), plan.codec, plan.errors, options.max_bytes)
        escaped_bytes = plan.errors == "surrogateescape"  # strict decoding leaves none
        if fmt == "jsonl":
            records = _parse_jsonl(lines, origin, escaped_bytes=escaped_bytes)
        else:
            delimiter = "\t" if fmt == "tsv" else ","
            records = _parse_csv(lines, origin, delimiter, stream=lines, escaped_bytes=escaped_bytes)
        try:
            yield from records
        except OSError as exc:
            yield InputError(input=name, reason=f"read failed at line {lines.lines + 1}: {_os_reason(exc, path)}")
        except UnicodeDecodeError:  # the file changed since the first pass
            yield InputError(
                input=name,
                reason=f"read failed at line {lines.lines + 1}: the file changed while it was read "
                f"(no longer valid {plan.encoding})",
            )


# -------------------------------------------------------------------------- decoding


# -------------------------------------------------------------------------- Parquet
#
# pyarrow is imported only here: reading other formats never pays for it.

# Rows per decoded batch: bounds the Python values alive at once (and, with the
# buffered reader, the Arrow memory beyond one page per column).
_PARQUET_BATCH_ROWS = 1024
_PARQUET_BUFFER_BYTES = 1 << 20
_PARQUET_MAGIC = b"PAR1"
_MAX_LISTED_COLUMNS = 40


class _Undecodable:
    """Stands for a string value that is not valid UTF-8."""


_UNDECODABLE = _Undecodable()


def _parquet_input_name(path: str | os.PathLike[str]) -> str:
    """The input name ``read_articles`` gives this path (``iter_input_files`` makes it a Path)."""
    return str(_as_path(os.fsdecode(os.fspath(path))))


def _open_parquet(path: Path, name: str):
    """A ``pyarrow.parquet.ParquetFile`` for ``path``, or raise :class:`ParquetFileError`."""
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):  # a FIFO would block the reader
            raise ParquetFileError(name, "not a regular file")
        if st.st_size == 0:
            raise ParquetFileError(name, "empty file")
        with open(path, "rb") as handle:
            head = handle.read(len(_PARQUET_MAGIC))
    except OSError as exc:
        raise ParquetFileError(name, _os_reason(exc, path)) from None
    if head != _PARQUET_MAGIC:
        known = next((reason for magic, reason in _REJECTED_MAGIC if magic.match(head)), None)
        raise ParquetFileError(name, known or "not a Parquet file (it does not start with PAR1)")
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(path, buffer_size=_PARQUET_BUFFER_BYTES)
    except (pa.ArrowException, OSError, ValueError) as exc:
        if isinstance(exc, OSError) and exc.errno is not None:
            raise ParquetFileError(name, _os_reason(exc, path)) from None
        raise ParquetFileError(name, f"not a valid Parquet file ({exc})") from None


def _read_parquet_file(
    path: Path, options: ReadOptions, row_groups: list[int] | None
) -> Iterator[Article | InputError]:
    """Stream the rows of ``row_groups`` (None: all) as records; see :func:`read_parquet`."""
    name = str(path)
    try:
        parquet = _open_parquet(path, name)
    except ParquetFileError as exc:
        yield exc.to_input_error()
        return
    with parquet:
        metadata = parquet.metadata
        counts = [metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)]
        # The read that covers the file's start reports on the file as a whole, so that the
        # reads of a partition of its row groups report it once, as one whole read does.
        reports_file = row_groups is None or not counts or 0 in row_groups
        schema = parquet.schema_arrow
        if options.text_field not in schema.names:
            if reports_file:
                yield InputError(input=name, reason=_no_text_column(schema.names, options))
            return
        if sum(counts) == 0:
            if reports_file:
                yield InputError(input=name, reason="Parquet file has no rows")
            return
        columns = _parquet_columns(schema, options)
        starts = list(itertools.accumulate(counts, initial=0))
        origin = _Origin(name, "utf-8", path.absolute().parent.name or None, options)
        for group in range(len(counts)) if row_groups is None else row_groups:
            if group >= len(counts):
                yield InputError(
                    input=name,
                    reason=f"no row group {group}: the file has {len(counts)} (did it change since it was split?)",
                )
                continue
            yield from _read_row_group(parquet, group, starts[group], counts[group], columns, origin)


def _no_text_column(names: list[str], options: ReadOptions) -> str:
    listed = ", ".join(repr(name) for name in names[:_MAX_LISTED_COLUMNS]) or "none"
    if len(names) > _MAX_LISTED_COLUMNS:
        listed += f" and {len(names) - _MAX_LISTED_COLUMNS} more"
    return (
        f"no '{options.text_field}' column (columns: {listed}); "
        "name the text column with --text-field (ReadOptions.text_field)"
    )


def _parquet_columns(schema: Any, options: ReadOptions) -> list[str]:
    """The columns to read: every mapped one, plus the other columns of scalar type (meta)."""
    mapped = options.mapped_fields
    columns: list[str] = []
    for column in schema:
        if column.name in columns:
            continue
        if column.name in mapped or _is_scalar_type(column.type):
            columns.append(column.name)
    return columns


def _is_scalar_type(arrow_type: Any) -> bool:
    """Types whose values are small and JSON-like: strings, numbers, booleans, dates, times."""
    import pyarrow.types as types

    if types.is_dictionary(arrow_type):
        arrow_type = arrow_type.value_type
    is_string_view = getattr(types, "is_string_view", lambda _: False)
    return any(
        check(arrow_type)
        for check in (
            types.is_string, types.is_large_string, is_string_view, types.is_integer,
            types.is_floating, types.is_boolean, types.is_temporal, types.is_decimal, types.is_null,
        )
    )


def _read_row_group(
    parquet: Any, group: int, start: int, count: int, columns: list[str], origin: _Origin
) -> Iterator[Article | InputError]:
    """The rows of one row group; ``start`` rows of the file come before it."""
    import pyarrow as pa

    batches = parquet.iter_batches(
        batch_size=_PARQUET_BATCH_ROWS, row_groups=[group], columns=columns, use_threads=False
    )
    next_row = start + 1
    while True:
        try:
            batch = next(batches, None)
        except (pa.ArrowException, OSError) as exc:
            yield InputError(
                input=origin.input,
                reason=(
                    f"row group {group}: read failed at row {next_row} ({type(exc).__name__}: {exc}); "
                    f"rows {next_row} to {start + count} were not read"
                ),
                line=next_row,
            )
            return
        if batch is None:
            return
        yield from _parquet_batch(batch, next_row, origin)
        next_row += batch.num_rows


def _parquet_batch(batch: Any, first_row: int, origin: _Origin) -> Iterator[Article | InputError]:
    """Map a record batch whose first row is row ``first_row`` of the file."""
    options = origin.options
    sizes: list[int | None] | None = None
    values: dict[str, list[Any]] = {}
    for name, array in zip(batch.schema.names, batch.columns):
        if name == options.text_field:
            array, sizes = _drop_long_texts(array, options.max_bytes)
        values[name] = _python_values(array)
    for offset in range(batch.num_rows):
        number = first_row + offset
        row_id = f"{origin.input}:{number}"
        if sizes is not None and sizes[offset] is not None:
            yield InputError(
                input=origin.input,
                reason=(
                    f"row {number}: '{options.text_field}' too long ({sizes[offset]:,} bytes): over the "
                    f"limit of {options.max_bytes:,} bytes for one record; raise it with --max-bytes "
                    "(ReadOptions.max_bytes)"
                ),
                line=number,
                id=row_id,
            )
            continue
        record = {name: column[offset] for name, column in values.items()}
        undecodable = next((name for name, value in record.items() if value is _UNDECODABLE), None)
        if undecodable is not None:
            yield InputError(
                input=origin.input,
                reason=f"row {number}: {undecodable!r} value is not valid UTF-8",
                line=number,
                id=row_id,
            )
            continue
        yield _article_from_record(
            record, origin, default_id=row_id, line=number, where=f"row {number}: ", kind="value"
        )


def _drop_long_texts(array: Any, max_bytes: int) -> tuple[Any, list[int | None] | None]:
    """``array`` with texts over ``max_bytes`` nulled (so they never become Python strings),
    and per row the size of a dropped text (None for the others); no list when none is."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_dictionary(array.type):
        array = array.dictionary_decode()
    try:
        lengths = pc.binary_length(array)
    except (pa.ArrowNotImplementedError, pa.ArrowInvalid, TypeError):
        return array, None  # not a string or binary column: every row is an error anyway
    too_long = pc.fill_null(pc.greater(lengths, max_bytes), False)
    if not pc.any(too_long).as_py():
        return array, None
    sizes = [size if over else None for size, over in zip(lengths.to_pylist(), too_long.to_pylist())]
    return pc.if_else(too_long, pa.scalar(None, type=array.type), array), sizes


def _python_values(array: Any) -> list[Any]:
    """The values of an Arrow array as JSON-like Python values (temporal ones as ISO 8601)."""
    import pyarrow as pa

    if pa.types.is_dictionary(array.type):
        array = array.dictionary_decode()
    try:
        values = array.to_pylist()
    except UnicodeDecodeError:  # Parquet writers do not all check their UTF-8
        values = []
        for scalar in array:
            try:
                values.append(scalar.as_py())
            except UnicodeDecodeError:
                values.append(_UNDECODABLE)
    if pa.types.is_temporal(array.type):
        values = [_iso(value) for value in values]
    elif pa.types.is_decimal(array.type):
        values = [None if value is None else str(value) for value in values]
    return values


def _iso(value: Any) -> Any:
    if value is None or value is _UNDECODABLE:
        return value
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _mixed_utf8(data: bytes) -> str | None:
    """Text of data that is UTF-8 except for some bytes, which become U+DC80..U+DCFF
    (``surrogateescape``) so that the line parsers can report each such line; None when
    the data is plain UTF-8, has a BOM or NULs, or shows no UTF-8 at all (a file in one
    legacy code page is decoded whole, as usual)."""
    if b"\x00" in data or any(data.startswith(bom) for bom, _ in _BOMS):
        return None
    try:
        data.decode("utf-8")
        return None
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", "surrogateescape")
    return text if _UTF8_NON_ASCII.search(text) else None


def _escaped_byte_error(text: str, where: str = "column") -> str | None:
    """Why a line (or field) of a mixed file is unusable, or None when it is clean UTF-8."""
    if text.isascii():  # O(1) for str: the usual case needs no scan
        return None
    bad = _ESCAPED_BYTE.search(text)
    if bad is None:
        return None
    byte = ord(bad.group()) - 0xDC00
    return (
        f"not valid UTF-8 (byte 0x{byte:02X} at {where} {bad.start() + 1}) although the rest of "
        "the file is: mixed encodings; re-save the file as UTF-8"
    )


def _bomless_utf16(data: bytes) -> str | None:
    """'utf-16-le'/'-be' when NULs sit in every other byte as in UTF-16 English text."""
    sample = data[:4096]
    half = len(sample) // 2
    if half == 0:
        return None
    even_nuls, odd_nuls = sample[0::2].count(0), sample[1::2].count(0)
    if even_nuls == 0 and odd_nuls > 0.3 * half:
        return "utf-16-le"
    if odd_nuls == 0 and even_nuls > 0.3 * half:
        return "utf-16-be"
    return None


def _reject_control_heavy(text: str, encoding: str) -> tuple[str, str]:
    sample = text[:_CONTROL_SAMPLE_CHARS]
    if sample and len(_CONTROL_CHARS.findall(sample)) > _MAX_CONTROL_RATIO * len(sample):
        raise DecodeError(f"binary file (mostly control characters when read as {encoding})")
    return text, encoding


# -------------------------------------------------------------------------- sniffing


def _prolog_end(text: str) -> int:
    """Offset just past the XML prolog (declaration, PIs, comments, DOCTYPE), where the
    root element should start. A linear scan: a regex for this backtracks exponentially
    on crafted input."""
    limit = min(len(text), _PROLOG_SCAN_CHARS)
    pos = 0
    while True:
        pos = _LEADING_SPACE.match(text, pos, limit).end()
        if text.startswith("<?", pos):
            end, skip = text.find("?>", pos + 2, limit), 2
        elif text.startswith("<!--", pos):
            end, skip = text.find("-->", pos + 4, limit), 3
        elif text[pos : pos + 9].upper() == "<!DOCTYPE":
            end, skip = text.find(">", pos, limit), 1
            subset = text.find("[", pos, limit)
            if subset != -1 and (end == -1 or subset < end):  # internal subset: [ ... ]>
                close = text.find("]", subset, limit)
                end = -1 if close == -1 else text.find(">", close, limit)
        else:
            return pos
        if end == -1:
            return pos
        pos = end + skip


def _first_line_is_object(text: str) -> bool:
    first_line = text.lstrip("\ufeff \t\r\n").split("\n", 1)[0]
    try:
        return isinstance(json.loads(first_line), dict)
    except (ValueError, RecursionError):
        return False


def _sniff(text: str) -> str:
    """Guess a format from content: json, jsonl, feed, html or text."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped[:1] in ("{", "["):
        try:
            json.loads(text)
            return "json"
        except (ValueError, RecursionError):
            pass
        # A text article never starts with a JSON object line; later bad lines are
        # reported one by one rather than turning the whole stream into one text.
        return "jsonl" if _first_line_is_object(stripped) else "text"
    if stripped.startswith("<"):
        start = _prolog_end(text)
        if _FEED_ROOT.match(text, start):
            return "feed"
        if _HTML_START.search(stripped[:4096]):
            return "html"
    return "text"


# ------------------------------------------------------------------------ formats


def _domain(url: str | None) -> str | None:
    """Lower-cased host of an absolute URL without a leading ``www.``."""
    if not url:
        return None
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    if not host:
        return None
    return host[4:] if host.startswith("www.") else host


def _outlet(source: str | None, url: str | None, feed_title: str | None, origin: _Origin) -> str | None:
    """Source precedence: record source > URL domain > feed title > folder name."""
    return source or _domain(url) or feed_title or origin.folder


def _single_article(text: str, origin: _Origin, title: str | None, **extra: Any) -> Article:
    url = extra.pop("url", None)
    return Article(
        id=origin.input,
        text=text,
        title=title,
        url=url,
        source=_outlet(None, url, None, origin),
        path=origin.input,
        encoding=origin.encoding,
        **extra,
    )


def _markdown_title(text: str) -> str | None:
    """The title when the document obviously opens with a level-1 heading, else None."""
    lines = text.lstrip("\r\n").splitlines()
    if not lines:
        return None
    first = lines[0].strip()
    if len(first) > _MAX_TITLE_CHARS:
        return None
    atx = _MD_ATX_TITLE.fullmatch(first)
    if atx:
        return atx.group(1)
    if first and len(lines) > 1 and _MD_SETEXT_RULE.fullmatch(lines[1].strip()):
        return first
    return None


class _HeadScanner(HTMLParser):
    """Collect <title>, canonical link and og:url from an HTML head."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title: str | None = None
        self.canonical: str | None = None
        self.og_url: str | None = None
        self._in_title = False
        self._title_parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key.lower(): (value or "") for key, value in attrs}
        if tag == "title" and self.title is None:
            self._in_title = True
        elif tag == "link" and "canonical" in values.get("rel", "").lower().split():
            self.canonical = self.canonical or values.get("href", "").strip() or None
        elif tag == "meta" and values.get("property", values.get("name", "")).lower() == "og:url":
            self.og_url = self.og_url or values.get("content", "").strip() or None

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self._in_title:
            self._in_title = False
            self.title = " ".join("".join(self._title_parts).split()) or None

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self._title_parts.append(data)


class _TextMaker(HTMLParser):
    """A small HTML-to-text converter: block elements become line breaks, whitespace in
    text nodes collapses as a browser would, and non-text elements are dropped."""

    def __init__(self, skip: frozenset[str]) -> None:
        super().__init__(convert_charrefs=True)
        self._skip = skip
        self._skip_depth = 0
        self._pre_depth = 0
        self._parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._skip:
            self._skip_depth += 1
        elif tag in _BLOCK_TAGS:
            self._parts.append("\n")
            self._pre_depth += tag == "pre"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self._parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._skip:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in _BLOCK_TAGS:
            self._parts.append("\n")
            self._pre_depth = max(0, self._pre_depth - (tag == "pre"))

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            self._parts.append(data if self._pre_depth else re.sub(r"\s+", " ", data))

    def text(self) -> str:
        lines = (line.strip() for line in "".join(self._parts).split("\n"))
        return "\n".join(line for line in lines if line)


def _html_to_text(html: str, skip: frozenset[str] = _NON_TEXT_TAGS) -> str:
    maker = _TextMaker(skip)
    maker.feed(html)
    maker.close()
    return maker.text()


def _absolute_http_url(url: str | None) -> str | None:
    return url if url and urlsplit(url).scheme in ("http", "https") and _domain(url) else None


def _parse_html(html: str, origin: _Origin) -> Article | InputError:
    """Main text by trafilatura; a plain converter without boilerplate if it finds none."""
    import trafilatura  # lazy: slow to import, and only HTML needs it

    # Only the head holds what the scanner wants; bound it so a hostile page costs little.
    end_of_head = _END_OF_HEAD.search(html, 0, _HEAD_SCAN_CHARS)
    scanner = _HeadScanner()
    scanner.feed(html[: end_of_head.start() if end_of_head else _HEAD_SCAN_CHARS])
    # A string, never a URL, so trafilatura cannot fetch anything.
    document = trafilatura.bare_extraction(
        html, include_comments=False, with_metadata=True, include_tables=True, deduplicate=False,
        prune_xpath=_PRUNED_XPATHS,
    )
    text = (document.text or "") if document is not None else ""
    extractor = "trafilatura"
    if not text.strip():
        text, extractor = _html_to_text(html, _NON_TEXT_TAGS | _BOILERPLATE_TAGS), "fallback"
    if not text.strip():
        return InputError(input=origin.input, reason="no readable text found in the HTML")
    url = (
        _absolute_http_url(scanner.canonical)
        or _absolute_http_url(scanner.og_url)
        or _absolute_http_url(document.url if document is not None else None)
    )
    return _single_article(
        text,
        origin,
        title=(document.title if document is not None else None) or scanner.title,
        url=url,
        published=document.date if document is not None else None,
        meta={"extractor": extractor},
    )


_JSON_TYPE_NAMES = {
    dict: "object", list: "array", str: "string", int: "number", float: "number", bool: "boolean",
}


def _json_type(value: Any) -> str:
    return "null" if value is None else _JSON_TYPE_NAMES.get(type(value), type(value).__name__)


def _article_from_record(
    record: Mapping[str, Any],
    origin: _Origin,
    *,
    default_id: str,
    line: int | None = None,
    where: str = "",
    kind: str = "field",
    feed_title: str | None = None,
) -> Article | InputError:
    """Map a JSON object or CSV row to an Article, or say what is wrong with it."""
    options = origin.options

    def fail(reason: str) -> InputError:
        return InputError(input=origin.input, reason=f"{where}{reason}", line=line, id=default_id)

    text = record.get(options.text_field)
    if text is None:
        return fail(f"missing '{options.text_field}' {kind}")
    if not isinstance(text, str):
        return fail(f"'{options.text_field}' must be a string, got {_json_type(text)}")
    if not text.strip():
        return fail(f"empty '{options.text_field}' {kind}")

    values: dict[str, str | None] = {}
    for attr, key, numbers_ok in (
        ("id", options.id_field, True),
        ("title", options.title_field, False),
        ("url", options.url_field, False),
        ("source", options.source_field, False),
        ("published", options.published_field, True),
        ("label", options.label_field, True),
    ):
        value = record.get(key)
        if isinstance(value, str):
            values[attr] = value.strip() or None
        elif value is None:
            values[attr] = None
        elif numbers_ok and isinstance(value, (int, float)):
            values[attr] = json.dumps(value)  # keep the file's spelling: 1, 0.5, true
        else:
            expected = "a string or number" if numbers_ok else "a string"
            return fail(f"'{key}' must be {expected}, got {_json_type(value)}")

    mapped = options.mapped_fields
    return Article(
        id=values["id"] or default_id,
        text=text,
        title=values["title"],
        url=values["url"],
        source=_outlet(values["source"], values["url"], feed_title, origin),
        published=values["published"],
        path=origin.input,
        encoding=origin.encoding,
        label=values["label"],
        meta={key: value for key, value in record.items() if key not in mapped},
    )


_TOO_DEEP = "invalid JSON: nested too deeply"


def _parse_json(text: str, origin: _Origin) -> Iterator[Article | InputError]:
    """A single article object, or an array of article objects."""
    try:
        value = json.loads(text)
    except RecursionError:
        yield InputError(input=origin.input, reason=_TOO_DEEP)
        return
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data" and _first_line_is_object(text):
            # A .json file holding JSON Lines: read it as such rather than refuse it.
            yield from _parse_jsonl(_iter_lines(text), origin)
            return
        yield InputError(
            input=origin.input,
            reason=f"invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
            line=exc.lineno,
        )
        return
    if isinstance(value, dict):
        yield _article_from_record(value, origin, default_id=origin.input)
    elif isinstance(value, list):
        if not value:
            yield InputError(input=origin.input, reason="JSON array has no articles")
        for number, item in enumerate(value, start=1):
            item_id = f"{origin.input}:{number}"
            if isinstance(item, dict):
                yield _article_from_record(item, origin, default_id=item_id, where=f"item {number}: ")
            else:
                yield InputError(
                    input=origin.input,
                    reason=f"item {number}: expected an object, got {_json_type(item)}",
                    id=item_id,
                )
    else:
        yield InputError(
            input=origin.input,
            reason=f"JSON must be an object or an array of objects, got {_json_type(value)}",
        )


def _iter_lines(text: str) -> Iterator[str]:
    """Lines with their endings, split on '\\n' only, without copying the whole text."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        yield text[start:end]
        start = end


def _parse_jsonl(
    lines: Iterable[str | _LongLine], origin: _Origin, *, escaped_bytes: bool = True
) -> Iterator[Article | InputError]:
    """One object per line; blank lines are skipped; ids use the physical line number.

    ``lines`` keep their endings (split on "\\n" only); a :class:`_LongLine` stands for a
    line the streaming reader read past because it is over the record limit.
    ``escaped_bytes=False`` says the text was decoded strictly, so no line can hold an
    escaped undecodable byte and the check is skipped.
    """
    for number, line in enumerate(lines, start=1):
        if isinstance(line, _LongLine):
            reason = f"line {_too_long(line, origin.options)}"
            yield InputError(input=origin.input, reason=reason, line=number, id=f"{origin.input}:{number}")
            continue
        if not line.strip():
            continue
        line_id = f"{origin.input}:{number}"
        undecodable = _escaped_byte_error(line) if escaped_bytes else None
        if undecodable is not None:
            yield InputError(input=origin.input, reason=f"line {undecodable}", line=number, id=line_id)
            continue
        try:
            value = json.loads(line.rstrip("\r\n"))
        except json.JSONDecodeError as exc:
            yield InputError(
                input=origin.input,
                reason=f"invalid JSON: {exc.msg} (column {exc.colno})",
                line=number,
                id=line_id,
            )
            continue
        except RecursionError:
            yield InputError(input=origin.input, reason=_TOO_DEEP, line=number, id=line_id)
            continue
        if not isinstance(value, dict):
            yield InputError(
                input=origin.input,
                reason=f"line is not a JSON object (got {_json_type(value)})",
                line=number,
                id=line_id,
            )
            continue
        yield _article_from_record(value, origin, default_id=line_id, line=number)


def _parse_csv(
    lines: Iterable[str | _LongLine],
    origin: _Origin,
    delimiter: str,
    *,
    stream: _StreamLines | None = None,
    escaped_bytes: bool = True,
) -> Iterator[Article | InputError]:
    """Header row, then one article per row; ids and errors use the data row number.

    ``lines`` keep their endings. From a ``stream`` (a streamed file), a record over
    ``max_bytes`` becomes an error for its row and the rows after it are still read.
    """
    options = origin.options
    # The default 128 KiB field limit is smaller than a long article; a file read whole
    # is capped by max_bytes, a streamed record too. (This setting is process-wide in csv.)
    limit = min(options.max_bytes, 2**31 - 1)
    if csv.field_size_limit() < limit:
        csv.field_size_limit(limit)
    lines = iter(lines)
    first = next(lines, None)
    if isinstance(first, str) and not first.endswith("\n"):
        # No "\n" in the whole file: old Mac line ends ("\r") or a single line.
        lines = iter(first.splitlines(keepends=True))
    elif first is not None:
        lines = itertools.chain([first], lines)
    feed = _CsvFeed(lines, delimiter, stream, options.max_bytes if stream is not None else None)
    reader = csv.reader(feed, delimiter=delimiter)
    row_number = 0
    try:
        header = [name.strip() for name in next(reader, [])]
        if feed.over_limit:
            yield InputError(input=origin.input, reason=f"CSV header row {_too_long(feed, options)}")
            return
        feed.next_record()
        if options.text_field not in header:
            found = ", ".join(repr(name) for name in header if name) or "none"
            yield InputError(
                input=origin.input,
                reason=(
                    f"no '{options.text_field}' column in the header (columns: {found}); "
                    "name the text column with --text-field (ReadOptions.text_field)"
                ),
            )
            return
        for row in reader:
            row_number += 1
            if feed.over_limit:
                yield InputError(
                    input=origin.input, reason=f"data row {row_number}: record {_too_long(feed, options)}",
                    line=row_number, id=f"{origin.input}:{row_number}",
                )
                feed.next_record()
                continue
            feed.next_record()
            if not any(cell.strip() for cell in row):
                continue  # blank row: still counted, so numbers match a spreadsheet's
            undecodable = escaped_bytes and next(
                (
                    f"{name!r} value {reason}"
                    for name, cell in zip([*header, *["extra"] * len(row)], row)
                    if (reason := _escaped_byte_error(cell, "character")) is not None
                ),
                None,
            )
            if undecodable:
                yield InputError(
                    input=origin.input, reason=f"data row {row_number}: {undecodable}",
                    line=row_number, id=f"{origin.input}:{row_number}",
                )
                continue
            record: dict[str, Any] = {}
            for name, cell in zip(header, row):
                record.setdefault(name, cell)
            if len(row) > len(header):
                record["extra_columns"] = row[len(header):]
            yield _article_from_record(
                record,
                origin,
                default_id=f"{origin.input}:{row_number}",
                line=row_number,
                where=f"data row {row_number}: ",
                kind="value",
            )
    except csv.Error as exc:
        # The reader cannot resynchronise after a structural error; stop this file.
        yield InputError(input=origin.input, reason=f"malformed CSV: {exc}", line=row_number + 1)
        return
    if row_number == 0:
        yield InputError(input=origin.input, reason="CSV file has a header but no rows")


def _has_entity_declarations(text: str) -> bool:
    # Deliberately broader than parsing the DTD: any DOCTYPE plus any '<!ENTITY' in the
    # document. A feed that trips this by accident is far rarer than a hostile one.
    return bool(_DOCTYPE.search(text) and _ENTITY_DECLARATION.search(text))


def _parse_feed(text: str, raw: bytes, origin: _Origin) -> Iterator[Article | InputError]:
    """RSS/Atom via feedparser: one article per item; never fetches anything."""
    # Entity declarations are how XML bombs and external-entity reads work, and news
    # feeds do not need them; refuse rather than trust every parser layer.
    if _has_entity_declarations(text):
        yield InputError(input=origin.input, reason="XML entity declarations are not allowed")
        return
    import feedparser  # lazy: only feeds need it

    # A file-like object: feedparser treats a str as a URL or a filename to open.
    # Our own converter drops scripts, styles and templates with their content; feedparser's
    # sanitizer would drop unknown tags but keep their text (a <template>'s, say).
    parsed = feedparser.parse(io.BytesIO(raw), sanitize_html=False, resolve_relative_uris=False)
    entries = parsed.get("entries") or []
    if not entries:
        if parsed.get("bozo"):
            reason = f"malformed feed: {parsed.get('bozo_exception')}"
        else:
            reason = "feed has no items"
        yield InputError(input=origin.input, reason=reason)
        return
    feed_title = (parsed.get("feed") or {}).get("title") or None
    origin = _Origin(origin.input, parsed.get("encoding") or origin.encoding, origin.folder, origin.options)
    for number, entry in enumerate(entries, start=1):
        yield _article_from_feed_entry(entry, number, feed_title, origin)


def _article_from_feed_entry(
    entry: Mapping[str, Any], number: int, feed_title: str | None, origin: _Origin
) -> Article | InputError:
    """One feed item as an Article: content, else summary, as text; item source wins."""
    item_id = f"{origin.input}:{number}"
    body = ""
    for content in entry.get("content") or []:
        body = content.get("value") or ""
        if body.strip():
            break
    if not body.strip():
        body = entry.get("summary") or ""
    text = _html_to_text(body) if body.strip() else ""
    if not text:
        return InputError(
            input=origin.input, reason=f"item {number}: feed item has no content or summary", id=item_id
        )
    link = entry.get("link") or None
    item_source = (entry.get("source") or {}).get("title") or None
    extras = (("feed_title", feed_title), ("author", entry.get("author")))
    meta = {key: value for key, value in extras if value}
    return Article(
        id=entry.get("id") or item_id,
        text=text,
        title=_clean_title(entry.get("title")),
        url=link,
        source=_outlet(item_source, link, feed_title, origin),
        published=entry.get("published") or entry.get("updated") or None,
        path=origin.input,
        encoding=origin.encoding,
        meta=meta,
    )


def _clean_title(title: str | None) -> str | None:
    if not title:
        return None
    return " ".join(title.split()) or None
