"""Specification of the ingestion layer: mtdetect.io.read_articles and friends."""

from __future__ import annotations

import bz2
import codecs
import gzip
import io
import json
import os
import socket
import time
from pathlib import Path

import pytest

from mtdetect.io import (
    STDIN,
    DecodeError,
    ReadOptions,
    decode_bytes,
    iter_input_files,
    read_articles,
)
from mtdetect.types import Article, InputError

from io_helpers import only_article, only_error, read, write


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading must never touch the network: any attempt fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the reader tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)




# ----------------------------------------------------------------- plain text & markdown


def test_txt_file_is_one_article_with_text_unchanged(tmp_path: Path) -> None:
    content = "The mayor spoke  briefly.\r\nShe thanked the volunteers.\n\n"
    path = write(tmp_path / "desk" / "story.txt", content)

    article = only_article(read(path))

    assert article == Article(
        id=str(path), text=content, title=None, url=None, source="desk", path=str(path), encoding="utf-8"
    )


@pytest.mark.parametrize(
    ("content", "title"),
    [
        ("# Storm hits the coast\n\nWinds reached high speeds.\n", "Storm hits the coast"),
        ("\n#  Storm hits the coast  #\n\nWinds reached high speeds.\n", "Storm hits the coast"),
        ("Storm hits the coast\n=====\n\nWinds reached high speeds.\n", "Storm hits the coast"),
        ("## A subheading\n\nWinds reached high speeds.\n", None),
        ("Winds reached high speeds on Monday.\n", None),
    ],
)
def test_markdown_title_only_from_an_obvious_level_one_heading(tmp_path: Path, content: str, title: str | None) -> None:
    article = only_article(read(write(tmp_path / "a.md", content)))

    assert (article.title, article.text) == (title, content)


# ------------------------------------------------------------------------------ HTML

HTML_PAGE = """<!DOCTYPE html>
<html><head>
<meta charset="utf-8">
<title>Council approves bridge | Riverside Post</title>
<link rel="canonical" href="https://www.riverside-post.example/news/bridge">
<meta property="og:url" content="https://og.riverside-post.example/bridge">
<style>.banner { color: red } STYLENOISE</style>
<script>var tracker = "SCRIPTNOISE";</script>
</head><body>
<nav><a href="/">Home</a> <a href="/sport">NAVNOISE sport</a></nav>
<article>
<h1>Council approves bridge</h1>
<p>The town council voted on Tuesday to fund a footbridge over the river, ending two years of debate.</p>
<p>Supporters said the bridge would shorten the walk to the station for many people on the east bank.</p>
<p>Work is expected to start in the spring and to last about eighteen months, the town engineer said.</p>
</article>
<footer>FOOTERNOISE all rights reserved</footer>
</body></html>
"""


def test_html_main_text_excludes_navigation_scripts_styles_and_footer(tmp_path: Path) -> None:
    article = only_article(read(write(tmp_path / "page.html", HTML_PAGE)))

    assert "fund a footbridge over the river" in article.text
    assert "eighteen months" in article.text
    for noise in ("NAVNOISE", "SCRIPTNOISE", "STYLENOISE", "FOOTERNOISE", "tracker"):
        assert noise not in article.text


def test_html_metadata_title_canonical_url_and_domain_source(tmp_path: Path) -> None:
    path = write(tmp_path / "page.htm", HTML_PAGE)

    article = only_article(read(path))

    assert article.id == str(path)
    assert article.title == "Council approves bridge"
    assert article.url == "https://www.riverside-post.example/news/bridge"
    assert article.source == "riverside-post.example"
    assert article.meta == {"extractor": "trafilatura"}


def test_html_url_falls_back_to_og_url(tmp_path: Path) -> None:
    page = HTML_PAGE.replace('<link rel="canonical" href="https://www.riverside-post.example/news/bridge">', "")

    article = only_article(read(write(tmp_path / "page.html", page)))

    assert (article.url, article.source) == ("https://og.riverside-post.example/bridge", "og.riverside-post.example")


def test_html_without_any_text_is_an_error(tmp_path: Path) -> None:
    error = only_error(read(write(tmp_path / "page.html", "<html><body><script>x()</script></body></html>")))

    assert error.reason == "no readable text found in the HTML"


# ------------------------------------------------------------------------------ JSON


def test_json_object_maps_fields_and_keeps_the_rest_in_meta(tmp_path: Path) -> None:
    record = {
        "id": "a-17",
        "text": "Prices rose again in March.",
        "title": "Prices rise",
        "url": "https://news.example/prices",
        "source": "Example News",
        "published": "2024-03-02",
        "label": "human",
        "section": "economy",
    }
    path = write(tmp_path / "one.json", json.dumps(record))

    article = only_article(read(path))

    assert article == Article(
        id="a-17",
        text="Prices rose again in March.",
        title="Prices rise",
        url="https://news.example/prices",
        source="Example News",
        published="2024-03-02",
        path=str(path),
        encoding="utf-8",
        label="human",
    )
    assert article.meta == {"section": "economy"}


def test_json_list_gives_one_article_per_item_with_positional_ids(tmp_path: Path) -> None:
    path = write(tmp_path / "many.json", json.dumps([{"text": "First story."}, {"text": "Second story.", "id": 7}]))

    items = read(path)

    assert [(a.id, a.text) for a in items if isinstance(a, Article)] == [
        (f"{path}:1", "First story."),
        ("7", "Second story."),
    ]


def test_json_list_item_that_is_not_an_object_is_an_error_naming_the_item(tmp_path: Path) -> None:
    path = write(tmp_path / "many.json", json.dumps([{"text": "Fine."}, "just a string"]))

    good, bad = read(path)

    assert isinstance(good, Article)
    assert bad == InputError(input=str(path), reason="item 2: expected an object, got string", id=f"{path}:2")


def test_malformed_json_names_the_line_and_the_json_error(tmp_path: Path) -> None:
    path = write(tmp_path / "broken.json", '{\n  "text": "A story."\n  "title": "x"\n}')

    error = only_error(read(path))

    assert error.line == 3
    assert error.reason == "invalid JSON: Expecting ',' delimiter (line 3, column 3)"


def test_json_file_holding_json_lines_is_read_as_json_lines(tmp_path: Path) -> None:
    path = write(tmp_path / "lines.json", '{"text": "Line A."}\n{"text": "Line B."}\n')

    assert [a.id for a in read(path)] == [f"{path}:1", f"{path}:2"]  # type: ignore[union-attr]


def test_custom_field_names(tmp_path: Path) -> None:
    path = write(tmp_path / "one.json", json.dumps({"body": "The ferry was late.", "headline": "Ferry late"}))

    article = only_article(read(path, text_field="body", title_field="headline"))

    assert (article.text, article.title, article.meta) == ("The ferry was late.", "Ferry late", {})


# ----------------------------------------------------------------------------- JSONL


def test_jsonl_ids_use_physical_line_numbers(tmp_path: Path) -> None:
    path = write(tmp_path / "feed.jsonl", '{"text": "Line one."}\n\n{"text": "Line three."}\n')

    items = read(path)

    assert [(a.id, a.text) for a in items] == [  # type: ignore[union-attr]
        (f"{path}:1", "Line one."),
        (f"{path}:3", "Line three."),
    ]


def test_jsonl_bad_lines_are_reported_and_good_lines_still_read(tmp_path: Path) -> None:
    path = write(
        tmp_path / "mixed.jsonl",
        '{"text": "Good one."}\n{"text": "unterminated\n[1, 2]\n{"text": "Good two."}\n',
    )

    items = read(path)

    assert [a.text for a in items if isinstance(a, Article)] == ["Good one.", "Good two."]
    errors = [e for e in items if isinstance(e, InputError)]
    assert [(e.line, e.reason) for e in errors] == [
        (2, "invalid JSON: Unterminated string starting at (column 10)"),
        (3, "line is not a JSON object (got array)"),
    ]


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ({"title": "No body"}, "missing 'text' field"),
        ({"text": None}, "missing 'text' field"),
        ({"text": ""}, "empty 'text' field"),
        ({"text": "  \n "}, "empty 'text' field"),
        ({"text": 42}, "'text' must be a string, got number"),
        ({"text": ["a", "b"]}, "'text' must be a string, got array"),
        ({"text": {"p": "a"}}, "'text' must be a string, got object"),
        ({"text": "Fine.", "title": ["x"]}, "'title' must be a string, got array"),
        ({"text": "Fine.", "url": 3}, "'url' must be a string, got number"),
        ({"text": "Fine.", "id": {"n": 1}}, "'id' must be a string or number, got object"),
    ],
)
def test_jsonl_records_with_missing_or_mistyped_fields_are_errors(
    tmp_path: Path, record: dict[str, object], reason: str
) -> None:
    path = write(tmp_path / "x.jsonl", json.dumps(record) + "\n")

    assert only_error(read(path)) == InputError(input=str(path), reason=reason, line=1, id=f"{path}:1")


def test_numeric_id_and_label_keep_their_json_spelling(tmp_path: Path) -> None:
    path = write(tmp_path / "x.jsonl", '{"text": "Fine.", "id": 12, "label": 1}\n')

    article = only_article(read(path))

    assert (article.id, article.label) == ("12", "1")


@pytest.mark.parametrize(
    ("record", "source"),
    [
        ({"source": "Harbour Times", "url": "https://www.other.example/a"}, "Harbour Times"),
        ({"url": "https://www.harbour-times.example/a"}, "harbour-times.example"),
        ({"url": "http://News.Example:8080/a"}, "news.example"),
        ({"url": "not a url"}, "outlet-folder"),
        ({}, "outlet-folder"),
    ],
)
def test_source_precedence_record_then_url_domain_then_folder(
    tmp_path: Path, record: dict[str, str], source: str
) -> None:
    path = write(tmp_path / "outlet-folder" / "x.jsonl", json.dumps({"text": "Fine.", **record}) + "\n")

    assert only_article(read(path)).source == source


# ------------------------------------------------------------------------------- CSV


def test_csv_rows_become_articles_with_data_row_ids(tmp_path: Path) -> None:
    path = write(
        tmp_path / "rows.csv",
        'title,text,label,desk\r\nFirst,"A story, with a comma.",human,metro\r\n'
        'Second,"A story\r\nover two lines.",mt,world\r\n',
    )

    items = read(path)

    assert [(a.id, a.title, a.text, a.label, a.meta) for a in items] == [  # type: ignore[union-attr]
        (f"{path}:1", "First", "A story, with a comma.", "human", {"desk": "metro"}),
        (f"{path}:2", "Second", "A story\r\nover two lines.", "mt", {"desk": "world"}),
    ]


def test_tsv_uses_tabs(tmp_path: Path) -> None:
    path = write(tmp_path / "rows.tsv", "id\ttext\nk1\tA tab separated story.\n")

    article = only_article(read(path))

    assert (article.id, article.text) == ("k1", "A tab separated story.")


def test_csv_row_missing_text_is_an_error_naming_the_row(tmp_path: Path) -> None:
    path = write(tmp_path / "rows.csv", "id,text\na,Good row.\nb,\nc\nd,Another good row.\n")

    items = read(path)

    assert [a.id for a in items if isinstance(a, Article)] == ["a", "d"]
    assert [e for e in items if isinstance(e, InputError)] == [
        InputError(input=str(path), reason="data row 2: empty 'text' value", line=2, id=f"{path}:2"),
        InputError(input=str(path), reason="data row 3: missing 'text' value", line=3, id=f"{path}:3"),
    ]


def test_csv_without_a_text_column_is_one_error(tmp_path: Path) -> None:
    path = write(tmp_path / "rows.csv", "id,body\na,Some words.\n")

    error = only_error(read(path))

    assert error.reason.startswith("no 'text' column in the header (columns: 'id', 'body')")


def test_csv_fields_longer_than_the_stdlib_default_limit_are_read(tmp_path: Path) -> None:
    long_text = "word " * 40_000  # 200 kB, over csv's 128 KiB default field limit
    path = write(tmp_path / "rows.csv", f'text\n"{long_text}"\n')

    assert only_article(read(path)).text == long_text


# ------------------------------------------------------------------------- RSS / Atom

RSS_FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel>
<title>County Wire</title><link>https://county-wire.example/</link>
<item>
  <title>Port reopens after storm</title>
  <link>https://www.harbour-news.example/port</link>
  <guid>urn:wire:1</guid>
  <pubDate>Tue, 02 Jan 2024 10:00:00 GMT</pubDate>
  <description>&lt;p&gt;The port reopened on &lt;b&gt;Tuesday&lt;/b&gt;.&lt;/p&gt;&lt;script&gt;SCRIPTNOISE()&lt;/script&gt;&lt;p&gt;Ships queued &amp;amp; waited.&lt;/p&gt;</description>
  <source url="https://agency.example/rss">Agency Feed</source>
</item>
<item>
  <title>School roof repaired</title>
  <link>https://www.schools.example/roof</link>
  <description>Builders finished the roof on Friday.</description>
</item>
<item>
  <title>Bake sale raises funds</title>
  <description>Volunteers sold cakes at the library.</description>
</item>
</channel></rss>
"""


def test_rss_items_become_articles_with_html_stripped(tmp_path: Path) -> None:
    path = write(tmp_path / "wire.rss", RSS_FEED)

    first, second, third = read(path)

    assert isinstance(first, Article) and isinstance(second, Article) and isinstance(third, Article)
    assert first.text == "The port reopened on Tuesday.\nShips queued & waited."
    assert (first.id, first.title, first.url, first.published) == (
        "urn:wire:1",
        "Port reopens after storm",
        "https://www.harbour-news.example/port",
        "Tue, 02 Jan 2024 10:00:00 GMT",
    )
    assert (second.id, third.id) == (f"{path}:2", f"{path}:3")
    assert first.meta == {"feed_title": "County Wire"}


def test_rss_source_precedence_item_source_then_link_domain_then_feed_title(tmp_path: Path) -> None:
    items = read(write(tmp_path / "wire.xml", RSS_FEED))

    assert [a.source for a in items] == ["Agency Feed", "schools.example", "County Wire"]  # type: ignore[union-attr]


def test_atom_entry_prefers_content_over_summary(tmp_path: Path) -> None:
    feed = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Valley Times</title>
<entry><title>Library extends hours</title><link href="https://valley-times.example/library"/>
<id>tag:valley-times.example,2024:1</id><updated>2024-02-01T09:00:00Z</updated>
<content type="html">&lt;p&gt;The library will stay open until nine.&lt;/p&gt;</content>
<summary>Short summary.</summary></entry></feed>"""
    path = write(tmp_path / "valley.atom", feed)

    article = only_article(read(path))

    assert (article.text, article.id, article.published, article.source, article.encoding) == (
        "The library will stay open until nine.",
        "tag:valley-times.example,2024:1",
        "2024-02-01T09:00:00Z",
        "valley-times.example",
        "utf-8",
    )


def test_feed_item_without_text_is_an_error_naming_the_item(tmp_path: Path) -> None:
    feed = RSS_FEED.replace("<description>Builders finished the roof on Friday.</description>", "")
    path = write(tmp_path / "wire.rss", feed)

    items = read(path)

    assert [type(a).__name__ for a in items] == ["Article", "InputError", "Article"]
    assert items[1] == InputError(
        input=str(path), reason="item 2: feed item has no content or summary", id=f"{path}:2"
    )


def test_feed_with_no_items_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path / "empty.rss", '<rss version="2.0"><channel><title>Quiet</title></channel></rss>')

    assert only_error(read(path)).reason == "feed has no items"


def test_xml_that_is_not_a_feed_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path / "config.xml", '<?xml version="1.0"?><settings><a>1</a></settings>')

    assert only_error(read(path)).reason == "XML file is not an RSS or Atom feed"


BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY lol "lol">\n'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n' for i in range(1, 10)
    )
    + ']>\n<rss version="2.0"><channel><title>T</title><item><title>x</title>'
    "<description>&lol9;</description></item></channel></rss>\n"
)


def test_billion_laughs_feed_is_rejected_quickly(tmp_path: Path) -> None:
    path = write(tmp_path / "bomb.rss", BILLION_LAUGHS)

    started = time.monotonic()
    error = only_error(read(path))

    assert time.monotonic() - started < 2
    assert error.reason == "XML entity declarations are not allowed"


def test_external_entity_feed_is_rejected_without_reading_the_target(tmp_path: Path) -> None:
    secret = write(tmp_path / "secret.txt", "TOPSECRET")
    feed = (
        f'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
        '<rss version="2.0"><channel><title>T</title><item><description>&xxe;</description></item></channel></rss>'
    )

    error = only_error(read(write(tmp_path / "xxe.xml", feed)))

    assert error.reason == "XML entity declarations are not allowed"


def test_entity_check_is_not_fooled_by_a_tag_inside_a_leading_comment(tmp_path: Path) -> None:
    feed = BILLION_LAUGHS.replace('<?xml version="1.0"?>\n', '<?xml version="1.0"?>\n<!-- <rss> -->\n')

    assert only_error(read(write(tmp_path / "bomb.xml", feed))).reason == "XML entity declarations are not allowed"


def test_crafted_doctype_is_handled_in_linear_time(tmp_path: Path) -> None:
    path = write(tmp_path / "odd.xml", "<!DOCTYPE" + " [ ]" * 20_000)

    started = time.monotonic()
    error = only_error(read(path))

    assert time.monotonic() - started < 2
    assert error.reason == "XML file is not an RSS or Atom feed"


def test_feed_root_is_found_after_comments_and_processing_instructions(tmp_path: Path) -> None:
    feed = RSS_FEED.replace(
        '<rss version="2.0">', '<!-- mirrored copy <b>x</b> -->\n<?xml-stylesheet href="s.xsl"?>\n<rss version="2.0">'
    )

    assert len(read(write(tmp_path / "wire.xml", feed))) == 3


# ------------------------------------------------------------------------------ stdin


@pytest.mark.parametrize(
    "stream",
    [
        io.StringIO("A reader sent this letter.\n"),
        io.BytesIO(b"A reader sent this letter.\n"),
        io.TextIOWrapper(io.BytesIO(b"A reader sent this letter.\n"), encoding="utf-8"),
    ],
    ids=["text", "bytes", "text-with-buffer"],
)
def test_stdin_text_is_one_article_with_id_dash(stream: io.IOBase) -> None:
    article = only_article(read("-", stdin=stream))

    assert (article.id, article.text, article.path, article.source) == ("-", "A reader sent this letter.\n", "-", None)


def test_stdin_jsonl_stream_gives_one_article_per_line() -> None:
    stream = io.BytesIO(b'{"text": "From the pipe."}\n{"text": "Also piped.", "url": "https://pipe.example/x"}\n')

    items = read("-", stdin=stream)

    assert [(a.id, a.text, a.source) for a in items] == [  # type: ignore[union-attr]
        ("-:1", "From the pipe.", None),
        ("-:2", "Also piped.", "pipe.example"),
    ]


def test_stdin_that_starts_like_json_but_is_prose_is_text() -> None:
    stream = io.StringIO("[Update] The council met again.\n")

    assert only_article(read("-", stdin=stream)).text == "[Update] The council met again.\n"


def test_empty_stdin_is_an_error() -> None:
    assert only_error(read("-", stdin=io.BytesIO(b""))) == InputError(input="-", reason="empty file")


def test_stdin_over_the_size_limit_is_an_error() -> None:
    error = only_error(read("-", stdin=io.BytesIO(b"x" * 100), max_bytes=10))

    assert error == InputError(
        input="-",
        reason="standard input too large: over the limit of 10 bytes; raise it with --max-bytes (ReadOptions.max_bytes)",
    )


# -------------------------------------------------------------- directories and globs


def test_directory_is_walked_recursively_in_sorted_order(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    for name in ["b.txt", "a/z.md", "a/y/x.txt", "c.json", ".hidden.txt", ".git/d.txt", "image.png", "notes"]:
        write(root / name, '{"text": "x"}' if name.endswith(".json") else "Some words.")

    found = list(iter_input_files([root]))

    assert found == [
        root / "a/y/x.txt",
        root / "a/z.md",
        root / "b.txt",
        root / "c.json",
        root / "image.png",
        root / "notes",
    ]


def test_glob_expands_sorted_and_an_empty_glob_is_an_error(tmp_path: Path) -> None:
    for name in ["b.txt", "a.txt", "c.md"]:
        write(tmp_path / name, "Some words.")

    found = list(iter_input_files([str(tmp_path / "*.txt"), str(tmp_path / "*.csv")]))

    assert found == [
        tmp_path / "a.txt",
        tmp_path / "b.txt",
        InputError(input=str(tmp_path / "*.csv"), reason="no files match this pattern"),
    ]


def test_a_file_named_twice_is_read_once(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "Some words.")

    assert list(iter_input_files([path, tmp_path, str(tmp_path / "*.txt")])) == [path]


def test_dash_means_stdin_but_dot_slash_dash_is_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "-", "A file with an odd name.")

    found = list(iter_input_files(["-", "./-"]))

    assert found == [STDIN, tmp_path / "-"]


def test_unknown_extension_named_explicitly_is_sniffed(tmp_path: Path) -> None:
    inputs = {
        "plain.dat": "Just a sentence.\n",
        "object.dat": '{"text": "From a JSON object."}',
        "lines.dat": '{"text": "Line A."}\n{"text": "Line B."}\n',
        "page.dat": HTML_PAGE,
        "feed.dat": RSS_FEED,
    }
    for name, content in inputs.items():
        write(tmp_path / name, content)

    counts = {name: len(read(tmp_path / name)) for name in inputs}
    texts = {name: read(tmp_path / name)[0].text for name in inputs}  # type: ignore[union-attr]

    assert counts == {"plain.dat": 1, "object.dat": 1, "lines.dat": 2, "page.dat": 1, "feed.dat": 3}
    assert texts["object.dat"] == "From a JSON object."
    assert texts["lines.dat"] == "Line A."
    assert "footbridge" in texts["page.dat"] and "SCRIPTNOISE" not in texts["page.dat"]
    assert texts["feed.dat"].startswith("The port reopened")


# ------------------------------------------------------------------ encodings & binary


def test_cp1252_text_is_decoded_and_the_encoding_reported(tmp_path: Path) -> None:
    text = "The minister\u2019s \u201cbold\u201d plan \u2013 na\u00efve, said Ren\u00e9e.\n"
    path = write(tmp_path / "legacy.txt", text.encode("cp1252"))

    article = only_article(read(path))

    assert (article.text, article.encoding) == (text, "cp1252")


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (codecs.BOM_UTF8 + "Caf\u00e9 news.".encode(), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + "Caf\u00e9 news.".encode("utf-16-le"), "utf-16"),
        (codecs.BOM_UTF16_BE + "Caf\u00e9 news.".encode("utf-16-be"), "utf-16"),
        ("Caf\u00e9 news.".encode("utf-16-le"), "utf-16-le"),
        ("Caf\u00e9 news.".encode(), "utf-8"),
    ],
    ids=["utf8-bom", "utf16le-bom", "utf16be-bom", "utf16le-no-bom", "utf8"],
)
def test_unicode_encodings_decode_without_the_bom(data: bytes, encoding: str) -> None:
    assert decode_bytes(data, "x") == ("Caf\u00e9 news.", encoding)


def test_utf16_file_with_bom_is_read(tmp_path: Path) -> None:
    path = write(tmp_path / "wide.txt", "Caf\u00e9 society.\n".encode("utf-16"))

    article = only_article(read(path))

    assert (article.text, article.encoding) == ("Caf\u00e9 society.\n", "utf-16")


def test_html_declared_charset_is_used_when_not_utf8(tmp_path: Path) -> None:
    page = HTML_PAGE.replace('<meta charset="utf-8">', '<meta charset="iso-8859-15">').replace(
        "ending two years", "ending \u20ac2 years"
    )
    path = write(tmp_path / "page.html", page.encode("iso-8859-15"))

    article = only_article(read(path))

    assert article.encoding == "iso8859-15" and "\u20ac2 years" in article.text


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\x7fELF\x02\x01\x01\x00\x00\x00" + bytes(range(256)), "binary file (contains NUL bytes)"),
        (
            bytes([1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 16, 17, 18, 19, 20]) * 20,
            "binary file (mostly control characters when read as utf-8)",
        ),
        (gzip.compress(b"Some words."), "gzip-compressed file; decompress it first"),
        (bz2.compress(b"Some words."), "bzip2-compressed file; decompress it first"),
        (b"PK\x03\x04rest-of-zip", "zip archive; extract it first"),
        (b"%PDF-1.7\n", "PDF file; convert it to text first"),
    ],
    ids=["nul-bytes", "control-chars", "gzip", "bzip2", "zip", "pdf"],
)
def test_binary_and_compressed_inputs_are_errors(tmp_path: Path, data: bytes, reason: str) -> None:
    path = write(tmp_path / "blob.txt", data)

    assert only_error(read(path)) == InputError(input=str(path), reason=reason)


def test_decode_bytes_raises_decode_error_for_binary() -> None:
    with pytest.raises(DecodeError, match="binary file"):
        decode_bytes(b"abc\x00def\x00\x00\xff", "x")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"  \n\t\r\n ", "empty file (only whitespace)"),
        (codecs.BOM_UTF8, "empty file (only whitespace)"),
    ],
    ids=["zero-bytes", "whitespace", "bom-only"],
)
def test_empty_files_are_errors(tmp_path: Path, data: bytes, reason: str) -> None:
    path = write(tmp_path / "empty.txt", data)

    assert only_error(read(path)) == InputError(input=str(path), reason=reason)


# --------------------------------------------------------------- file system problems


def test_file_over_max_bytes_is_rejected_naming_the_limit(tmp_path: Path) -> None:
    # a file read whole (.txt); streamed .jsonl/.csv files bound each record instead
    path = write(tmp_path / "big.txt", '{"text": "Some words."}\n' * 10)

    error = only_error(read(path, max_bytes=100))

    assert error.reason == (
        "file too large (240 bytes): over the limit of 100 bytes; raise it with --max-bytes (ReadOptions.max_bytes)"
    )


def test_nonexistent_path_is_an_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.txt"

    assert only_error(read(missing)) == InputError(input=str(missing), reason="no such file or directory")


def test_bad_inputs_do_not_stop_the_batch(tmp_path: Path) -> None:
    good = write(tmp_path / "good.txt", "Some words.")
    empty = write(tmp_path / "empty.txt", "")

    items = read(tmp_path / "missing.txt", empty, good)

    assert [type(i).__name__ for i in items] == ["InputError", "InputError", "Article"]


def test_self_referencing_symlink_is_a_loop_error(tmp_path: Path) -> None:
    link = tmp_path / "loop.txt"
    link.symlink_to(link)

    error = only_error(read(link))

    assert error.reason == "symlink loop (too many levels of symbolic links)"


def test_directory_symlink_loop_is_reported_when_following_links(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    write(root / "sub" / "a.txt", "Some words.")
    (root / "sub" / "back").symlink_to(root)

    found = list(iter_input_files([root], ReadOptions(follow_symlinks=True)))

    assert found == [
        root / "sub" / "a.txt",
        InputError(input=str(root / "sub" / "back"), reason="symlink loop: links back to an enclosing directory"),
    ]


def test_symlinks_inside_directories_are_skipped_by_default(tmp_path: Path) -> None:
    outside = write(tmp_path / "outside" / "o.txt", "Some words.")
    root = tmp_path / "corpus"
    write(root / "a.txt", "Some words.")
    (root / "link.txt").symlink_to(outside)
    (root / "linkdir").symlink_to(outside.parent)

    assert list(iter_input_files([root])) == [root / "a.txt"]


def test_non_regular_file_is_an_error_and_is_not_opened(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)  # opening it for reading would block forever

    assert only_error(read(fifo)) == InputError(input=str(fifo), reason="not a regular file")


def test_unreadable_file_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path / "locked.txt", "Some words.")
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("running with privileges that ignore file permissions")
        assert only_error(read(path)) == InputError(input=str(path), reason="permission denied")
    finally:
        path.chmod(0o644)


def test_permission_error_while_opening_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Stands in for test_unreadable_file_is_an_error where root ignores chmod.
    import mtdetect.io

    path = write(tmp_path / "locked.txt", "Some words.")

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(mtdetect.io, "open", refuse, raising=False)

    assert only_error(read(path)) == InputError(input=str(path), reason="permission denied")


def test_unreadable_directory_is_an_error(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    write(locked / "a.txt", "Some words.")
    locked.chmod(0)
    try:
        if os.access(locked, os.R_OK):
            pytest.skip("running with privileges that ignore file permissions")
        assert list(iter_input_files([locked])) == [
            InputError(input=str(locked), reason="cannot read directory: permission denied")
        ]
    finally:
        locked.chmod(0o755)


def test_read_articles_is_lazy(tmp_path: Path) -> None:
    def inputs() -> object:
        yield str(write(tmp_path / "a.txt", "Some words."))
        raise AssertionError("the second input was requested before the first article was used")

    stream = read_articles(inputs())  # type: ignore[arg-type]

    assert isinstance(next(stream), Article)
