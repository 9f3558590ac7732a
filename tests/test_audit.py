"""`mtdetect audit`: mixed inputs, per-outlet roll-ups, duplicates, resume and the output folder."""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Sequence
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mtdetect.audit import (
    ARTICLES_FILE,
    ERRORS_FILE,
    AuditConfig,
    repair_jsonl,
    run_audit,
    wilson_interval,
)
from mtdetect.cli import app
from mtdetect.detector import Detector, Prediction, Thresholds
from mtdetect.features import Analysis
from mtdetect.io import ReadOptions, read_articles

runner = CliRunner()


class MarkerModel:
    """Reads the article probability from a marker in the text, e.g. ``P=0.90``."""

    model_id = "marker"
    thresholds = Thresholds(low=0.3, high=0.8)

    def predict(self, analyses: Sequence[Analysis]) -> list[Prediction]:
        out = []
        for a in analyses:
            text = a.document.text
            i = text.find("P=")
            p = float(text[i + 2 : i + 6]) if i >= 0 else 0.0
            out.append(Prediction(article_p=p, sentence_p=tuple(p for _ in a.document.sentences)))
        return out


def marker_detector() -> Detector:
    return Detector(MarkerModel())


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Wire Feed</title><link>https://wire.test/</link>
<item><title>One</title><link>https://www.alpha-news.test/a/1</link><guid>rss-1</guid>
<description>&lt;p&gt;Rain closed the coastal road on Monday. P=0.95 was the reading.&lt;/p&gt;</description></item>
<item><title>Two</title><link>https://beta.test/b/2</link><guid>rss-2</guid>
<description>The ferry was late again on Tuesday morning. P=0.10 here.</description></item>
</channel></rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Wire</title><id>urn:atom-wire</id>
<entry><title>Three</title><id>atom-1</id><link href="https://gamma.test/c/3"/>
<content type="html">&lt;p&gt;The market reopened after the storm passed. P=0.85 said the gauge.&lt;/p&gt;</content></entry>
</feed>
"""

HTML = """<!DOCTYPE html><html><head><title>Library page</title>
<link rel="canonical" href="https://delta.test/library"></head><body><article>
<p>The library extended its opening hours after a survey of residents. P=0.20 in the test.</p>
<p>Extra staff will be paid for from the culture budget, the council said on Friday.</p>
</article><script>var tracking = "never in the text";</script></body></html>
"""


def mixed_inputs(root: Path) -> Path:
    """A folder with every supported kind of input plus the bad files an audit must survive."""
    d = root / "inputs"
    (d / "local-paper").mkdir(parents=True)
    (d / "local-paper" / "story.txt").write_text("A short local story about a bridge. P=0.50 it said.\n", encoding="utf-8")
    (d / "notes.md").write_text("# Notes\n\nThe harbour reopened on Sunday. P=0.05 at most.\n", encoding="utf-8")
    (d / "page.html").write_text(HTML, encoding="utf-8")
    (d / "feed.rss").write_text(RSS, encoding="utf-8")
    (d / "feed.atom").write_text(ATOM, encoding="utf-8")
    write_jsonl(d / "export.jsonl", [
        {"id": "j1", "text": "The council met on Monday evening. P=0.90 was noted.", "source": "Epsilon Times"},
        {"id": "j2", "text": "Schools will close early on Friday. P=0.40 was noted.", "source": "Epsilon Times"},
    ])
    with (d / "export.jsonl").open("a", encoding="utf-8") as fh:
        fh.write('{"id": "j3", "text": "unterminated\n')
    (d / "export.csv").write_text(
        "id,text,url\nc1,The bakery on the square reopened after a fire. P=0.99 then.,https://zeta.test/x\n",
        encoding="utf-8",
    )
    (d / "latin1.txt").write_bytes("Caf\u00e9 owners on the square complained about the works. P=0.30 said.".encode("latin-1"))
    (d / "binary.bin").write_bytes(b"\x00\x01\x02\x03" * 64)
    (d / "empty.txt").write_bytes(b"")
    (d / "huge.txt").write_bytes(b"word " * 5000)
    (d / "zipped.gz").write_bytes(b"\x1f\x8b\x08\x00" + b"\x00" * 32)
    return d


def audit(inputs: list[str], out: Path, **kw) -> tuple:
    opts = kw.pop("read_options", ReadOptions(max_bytes=20_000))
    warnings: list[str] = []
    res = run_audit(inputs, AuditConfig(out=out, read_options=opts, **kw), detector=marker_detector(),
                    on_warning=warnings.append)
    return res, warnings


# ----------------------------------------------------------------------------- mixed inputs


def test_mixed_inputs_every_article_once_and_every_bad_input_named(tmp_path):
    src = mixed_inputs(tmp_path)
    out = tmp_path / "out"
    res, _ = audit([str(src)], out)
    arts = read_jsonl(out / ARTICLES_FILE)
    ids = sorted(a["id"] for a in arts)
    assert ids == sorted([
        "rss-1", "rss-2", "atom-1", "j1", "j2", "c1",
        str(src / "local-paper" / "story.txt"), str(src / "notes.md"), str(src / "page.html"),
        str(src / "latin1.txt"),  # not UTF-8, but decodable: scored, not lost
    ])
    errors = read_jsonl(out / ERRORS_FILE)
    failed = {Path(e["input"]).name for e in errors}
    assert failed == {"binary.bin", "empty.txt", "huge.txt", "zipped.gz", "export.jsonl"}
    bad_line = next(e for e in errors if e["input"].endswith("export.jsonl"))
    assert bad_line["line"] == 3
    assert all(e["reason"] for e in errors)
    assert res.summary["articles"] == 10 and res.summary["errors"] == 5
    latin = next(a for a in arts if a["id"].endswith("latin1.txt"))
    assert latin["sentences"][0]["text"].startswith("Caf\u00e9 owners")


def test_outlet_comes_from_record_then_domain_then_feed_then_folder(tmp_path):
    src = mixed_inputs(tmp_path)
    out = tmp_path / "out"
    audit([str(src)], out)
    by_id = {a["id"]: a["source"] for a in read_jsonl(out / ARTICLES_FILE)}
    assert by_id["j1"] == "Epsilon Times"  # the record's own field
    assert by_id["rss-1"] == "alpha-news.test"  # the item's link, www. removed
    assert by_id["atom-1"] == "gamma.test"
    assert by_id["c1"] == "zeta.test"
    assert by_id[str(src / "page.html")] == "delta.test"  # canonical link
    assert by_id[str(src / "local-paper" / "story.txt")] == "local-paper"  # folder name


def test_articles_jsonl_is_the_score_jsonl_object(tmp_path):
    src = mixed_inputs(tmp_path)
    out = tmp_path / "out"
    audit([str(src)], out)
    rec = next(a for a in read_jsonl(out / ARTICLES_FILE) if a["id"] == "rss-1")
    article = next(a for a in read_articles([src / "feed.rss"]) if a.id == "rss-1")
    expected = marker_detector().score(article).to_dict()
    assert rec == expected


def test_html_page_scripts_never_reach_the_text(tmp_path):
    src = mixed_inputs(tmp_path)
    out = tmp_path / "out"
    audit([str(src)], out)
    page = next(a for a in read_jsonl(out / ARTICLES_FILE) if a["id"].endswith("page.html"))
    assert "tracking" not in " ".join(s["text"] for s in page["sentences"])


# ----------------------------------------------------------------------------- roll-ups by hand


def test_per_outlet_numbers_match_a_hand_count(tmp_path):
    # outlet a: p = 0.9, 0.85, 0.1 -> 2 of 3 flagged (high = 0.8), 0 unsure, mean 0.6167
    # outlet b: p = 0.5, 0.2       -> 0 of 2 flagged, 1 unsure (0.3 <= p < 0.8), mean 0.35
    data = write_jsonl(tmp_path / "in.jsonl", [
        {"id": "1", "source": "a", "text": "First story. P=0.90 here."},
        {"id": "2", "source": "a", "text": "Second story. P=0.85 here."},
        {"id": "3", "source": "a", "text": "Third story. P=0.10 here."},
        {"id": "4", "source": "b", "text": "Fourth story. P=0.50 here."},
        {"id": "5", "source": "b", "text": "Fifth story. P=0.20 here."},
    ])
    out = tmp_path / "out"
    res, _ = audit([str(data)], out)
    rows = {r["source"]: r for r in read_csv(out / "sources.csv")}
    a, b = rows["a"], rows["b"]
    assert (a["articles"], a["flagged"], a["unsure"]) == ("3", "2", "0")
    assert float(a["share_flagged"]) == pytest.approx(2 / 3, abs=1e-4)
    assert float(a["mean_p_mt"]) == pytest.approx((0.9 + 0.85 + 0.1) / 3, abs=1e-4)
    # Wilson 95% for 2/3: centre (2/3 + z²/6)/(1 + z²/3), half-width z·sqrt(2/27 + z²/36)/(1 + z²/3)
    assert float(a["share_flagged_low"]) == pytest.approx(0.2077, abs=1e-4)
    assert float(a["share_flagged_high"]) == pytest.approx(0.9385, abs=1e-4)
    assert (b["articles"], b["flagged"], b["unsure"]) == ("2", "0", "1")
    assert float(b["mean_p_mt"]) == pytest.approx(0.35, abs=1e-4)
    assert float(b["share_flagged_low"]) == 0.0
    s = res.summary
    assert s["articles"] == 5 and s["verdicts"] == {"machine_translated": 2, "unsure": 1, "human": 2}
    assert s["sources"] == 2 and s["model"] == "marker"
    assert s["thresholds"] == {"low": 0.3, "high": 0.8}
    assert [r["source"] for r in s["by_source"]] == ["a", "b"]  # highest share flagged first


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [(0, 10, 0.0, 0.2775), (5, 10, 0.2366, 0.7634), (10, 10, 0.7225, 1.0), (1, 1, 0.2065, 1.0)],
)
def test_wilson_interval_known_values(k, n, low, high):
    lo, hi = wilson_interval(k, n)
    assert (lo, hi) == (pytest.approx(low, abs=1e-4), pytest.approx(high, abs=1e-4))


def test_wilson_interval_of_nothing_is_uninformative():
    assert wilson_interval(0, 0) == (0.0, 1.0)


def test_articles_csv_columns_and_rows(tmp_path):
    data = write_jsonl(tmp_path / "in.jsonl", [
        {"id": "x", "source": "a", "title": "T", "url": "https://a.test/x", "text": "Mr. XI came. P=0.90 here."},
    ])
    out = tmp_path / "out"
    audit([str(data)], out)
    rows = read_csv(out / "articles.csv")
    assert list(rows[0])[:10] == ["id", "source", "url", "title", "p_mt", "verdict", "source_lang_hint",
                                  "n_sentences", "n_findings", "top_finding"]
    assert rows[0]["id"] == "x" and rows[0]["verdict"] == "machine_translated" and rows[0]["p_mt"] == "0.9000"
    assert rows[0]["top_finding"] == 'garbled_name: "XI"'


# ----------------------------------------------------------------------------- duplicates


def test_duplicate_id_reported_once_with_a_warning(tmp_path):
    data = write_jsonl(tmp_path / "in.jsonl", [
        {"id": "same", "text": "First version. P=0.90 here."},
        {"id": "other", "text": "Another story. P=0.10 here."},
        {"id": "same", "text": "Second version. P=0.10 here."},
    ])
    out = tmp_path / "out"
    res, warnings = audit([str(data)], out)
    arts = read_jsonl(out / ARTICLES_FILE)
    assert [a["id"] for a in arts] == ["same", "other"]
    assert arts[0]["p_mt"] == 0.9  # the first one is kept
    assert res.duplicates == 1 and res.summary["duplicates"] == 1
    assert any("same" in w and "duplicate" in w for w in warnings)


# ----------------------------------------------------------------------------- resume


def _records(path: Path) -> dict[str, dict]:
    recs = read_jsonl(path)
    assert len(recs) == len({r["id"] for r in recs}), "an article appears twice"
    return {r["id"]: r for r in recs}


def test_resume_after_a_torn_line_ends_with_every_article_once(tmp_path):
    data = write_jsonl(tmp_path / "in.jsonl", [
        {"id": str(i), "source": "s", "text": f"Story number {i}. P=0.{i % 10}0 here."} for i in range(40)
    ])
    full = tmp_path / "full"
    audit([str(data)], full, batch_size=4)
    partial = tmp_path / "partial"
    partial.mkdir()
    lines = (full / ARTICLES_FILE).read_text(encoding="utf-8").splitlines(keepends=True)
    # as if killed in the middle of writing line 13
    (partial / ARTICLES_FILE).write_text("".join(lines[:12]) + lines[12][: len(lines[12]) // 2], encoding="utf-8")
    res, warnings = audit([str(data)], partial, batch_size=4, resume=True)
    assert any("dropped 1 incomplete line" in w for w in warnings)
    assert res.skipped_resumed == 12 and res.scored == 28
    assert _records(partial / ARTICLES_FILE) == _records(full / ARTICLES_FILE)
    assert json.loads((partial / "summary.json").read_text())["articles"] == 40


def test_resume_does_not_repeat_errors(tmp_path):
    src = mixed_inputs(tmp_path)
    out = tmp_path / "out"
    audit([str(src)], out)
    first = read_jsonl(out / ERRORS_FILE)
    res, _ = audit([str(src)], out, resume=True)
    assert read_jsonl(out / ERRORS_FILE) == first
    assert res.scored == 0 and res.new_errors == 0


class OtherMarkerModel(MarkerModel):
    model_id = "other-marker"


def test_resume_with_another_model_is_refused_before_scoring(tmp_path):
    data = write_jsonl(tmp_path / "in.jsonl", [
        {"id": str(i), "source": "s", "text": f"Story number {i}. P=0.{i % 10}0 here."} for i in range(6)
    ])
    out = tmp_path / "out"
    audit([str(data)], out)
    lines = (out / ARTICLES_FILE).read_text(encoding="utf-8").splitlines(keepends=True)
    (out / ARTICLES_FILE).write_text("".join(lines[:4]), encoding="utf-8")  # as if interrupted
    with pytest.raises(ValueError, match=r"cannot resume .*4 by 'marker'.*this run's 'other-marker'"):
        run_audit([str(data)], AuditConfig(out=out, resume=True), detector=Detector(OtherMarkerModel()))
    assert (out / ARTICLES_FILE).read_text(encoding="utf-8") == "".join(lines[:4])  # nothing added
    res, _ = audit([str(data)], out, resume=True)  # the same model resumes
    assert res.skipped_resumed == 4 and res.scored == 2
    res = run_audit([str(data)], AuditConfig(out=out), detector=Detector(OtherMarkerModel()))  # no resume: afresh
    assert {r["model"] for r in read_jsonl(out / ARTICLES_FILE)} == {"other-marker"} and res.scored == 6


def test_cli_resume_with_another_model_exits_2_naming_both(tmp_path):
    data = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": "One story. It rained on Monday."}])
    out = tmp_path / "out"
    first = runner.invoke(app, ["audit", str(data), "--out", str(out), "--fast", "--no-lineage"])
    assert first.exit_code == 0, first.output
    (out / ARTICLES_FILE).write_text((out / ARTICLES_FILE).read_text().replace('"default-fast"', '"earlier-model"'))
    res = runner.invoke(app, ["audit", str(data), "--out", str(out), "--fast", "--resume", "--no-lineage"])
    assert res.exit_code == 2
    assert "cannot resume" in res.output and "'earlier-model'" in res.output and "'default-fast'" in res.output


def test_without_resume_the_folder_starts_afresh(tmp_path):
    data = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": "One. P=0.90 here."}])
    out = tmp_path / "out"
    audit([str(data)], out)
    audit([str(data)], out)
    assert len(read_jsonl(out / ARTICLES_FILE)) == 1


@pytest.mark.parametrize(
    ("content", "kept", "dropped"),
    [
        (b'{"id": 1}\n{"id": 2}\n', 2, 0),
        (b'{"id": 1}\n{"id": 2', 1, 1),  # torn last line
        (b'{"id": 1}\n{"id"\n{"id": 3}\n', 2, 1),  # a broken line in the middle
        (b'{"id": 1}\n[1, 2]\n', 1, 1),  # valid JSON but not an object
        (b"", 0, 0),
    ],
)
def test_repair_jsonl(tmp_path, content, kept, dropped):
    p = tmp_path / "a.jsonl"
    p.write_bytes(content)
    assert repair_jsonl(p) == dropped
    lines = p.read_text().splitlines()
    assert len(lines) == kept
    assert all(isinstance(json.loads(x), dict) for x in lines)


# ----------------------------------------------------------------------------- HTML report


def test_report_is_self_contained_and_escapes_article_text(tmp_path):
    data = write_jsonl(tmp_path / "in.jsonl", [
        {"id": "evil", "source": "<b>outlet</b>", "title": "<script>alert(1)</script>",
         "text": "Mr. XI said <img src=x onerror=alert(2)> nothing. P=0.95 here."},
    ])
    out = tmp_path / "out"
    audit([str(data)], out)
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<script" not in html and "<img" not in html and "<b>outlet" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert not re.search(r"<[a-z]+[^>]*\s(?:src|href)\s*=", html)  # nothing loaded from anywhere
    assert "default-src 'none'" in html
    assert '<mark class="k-garbled_name"' in html and "allcaps_surname" in html


def test_report_lists_at_most_report_limit_flagged_articles(tmp_path):
    data = write_jsonl(tmp_path / "in.jsonl", [
        {"id": f"a{i}", "text": f"Story {i}. P=0.9{i} here."} for i in range(5)
    ])
    out = tmp_path / "out"
    audit([str(data)], out, report_limit=2)
    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.count('<section class="article"') == 2
    assert 'id="a-a4"' in html and 'id="a-a3"' in html  # the highest p_mt first
    assert "Showing the 2 highest-scoring of 5 flagged articles" in html


# ----------------------------------------------------------------------------- CLI


def test_cli_audit_exit_3_when_an_input_failed(tmp_path):
    src = mixed_inputs(tmp_path)
    out = tmp_path / "out"
    res = runner.invoke(app, ["audit", str(src), "--out", str(out), "--model", "rules", "--max-bytes", "20000", "-q"])
    assert res.exit_code == 3, res.output
    assert "10 articles" in res.output and "5 input errors" in res.output
    assert (out / "report.html").exists() and (out / "sources.csv").exists() and (out / "articles.csv").exists()


def test_cli_audit_exit_0_on_clean_input_and_field_mapping(tmp_path):
    data = write_jsonl(tmp_path / "in.jsonl", [
        {"key": "k1", "body": "The ferry ran on time today.", "outlet": "Harbour News", "link": "https://h.test/1",
         "headline": "Ferry"},
    ])
    out = tmp_path / "out"
    res = runner.invoke(app, ["audit", str(data), "--out", str(out), "--model", "rules", "-q",
                              "--text-field", "body", "--id-field", "key", "--source-field", "outlet",
                              "--url-field", "link", "--title-field", "headline"])
    assert res.exit_code == 0, res.output
    rec = read_jsonl(out / ARTICLES_FILE)[0]
    assert (rec["id"], rec["source"], rec["url"], rec["title"]) == ("k1", "Harbour News", "https://h.test/1", "Ferry")


def test_cli_audit_help_has_examples():
    res = runner.invoke(app, ["audit", "--help"])
    assert res.exit_code == 0
    assert "Examples" in res.output and "--resume" in res.output and "--jobs" in res.output


def test_cli_audit_needs_out():
    res = runner.invoke(app, ["audit", "x.txt"])
    assert res.exit_code == 2


def test_score_html_format_is_one_self_contained_page(samples_dir):
    res = runner.invoke(app, ["score", str(samples_dir / "mt_sco_summit_roundtrip.txt"), "--model", "rules",
                              "--format", "html"])
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith("<!DOCTYPE html>") and res.stdout.rstrip().endswith("</html>")
    assert "<mark" in res.stdout and "fr_sommet_top_of" in res.stdout


def test_sample_feed_audits_cleanly(samples_dir, tmp_path):
    out = tmp_path / "out"
    res = runner.invoke(app, ["audit", str(samples_dir / "wire_feed.rss"), "--out", str(out), "--model", "rules", "-q"])
    assert res.exit_code == 0, res.output
    rows = {r["source"]: r for r in read_csv(out / "sources.csv")}
    assert set(rows) == {"riverside-post.test", "wirewatch-daily.test", "coastline-news.test"}
    assert rows["wirewatch-daily.test"]["flagged"] == "2" and rows["riverside-post.test"]["flagged"] == "0"


def test_wilson_matches_the_formula_spelled_out():
    z = 1.959963984540054
    k, n = 7, 20
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    assert wilson_interval(k, n) == (pytest.approx(centre - half), pytest.approx(centre + half))


def test_progress_bar_counts_files_and_articles(tmp_path):
    import io

    from mtdetect.audit import AuditProgress

    src = mixed_inputs(tmp_path)
    stream = io.StringIO()
    with AuditProgress(enabled=True, stream=stream) as progress:
        run_audit([str(src)], AuditConfig(out=tmp_path / "out", read_options=ReadOptions(max_bytes=20_000)),
                  detector=marker_detector(), progress=progress)
    shown = stream.getvalue()
    assert "12/12" in shown and "10 articles" in shown and "articles/s" in shown


def test_progress_is_silent_when_not_a_terminal():
    import io

    from mtdetect.audit import AuditProgress

    stream = io.StringIO()
    with AuditProgress(stream=stream) as progress:
        progress.set_total_files(3)
        progress.file_done()
        progress.articles_done(5)
    assert stream.getvalue() == ""
