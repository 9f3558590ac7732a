"""`mtdetect synth`: systems and modes, layout kept exactly, records ready for `train`,
cache, resume after a torn write, per-article errors, worker processes, and the CLI.
Fake engines only (in-process ones, and `cmd:` engines running small Python scripts)."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mtdetect.cli import app
from mtdetect.datasets import read_labelled
from mtdetect.synth import (
    LABEL_ONEWAY,
    LABEL_ROUNDTRIP,
    SynthConfig,
    SynthUsageError,
    as_systems,
    parse_systems,
    reassemble,
    run_synth,
    synthesize,
)
from mtdetect.translate import Engine, EngineError, EngineUnavailable, TranslationCache
from mtdetect.types import Article, InputError

PY = sys.executable


class FakeEngine(Engine):
    """en-xx upper-cases, xx-en wraps in brackets, other pairs tag with the pair; a sentence
    containing BOOM fails. Counts what it is asked to translate (class-wide)."""

    name = "fake"
    translated: list[str] = []

    def __init__(self, pair: str) -> None:
        src, _, tgt = pair.partition("-")
        super().__init__(src, tgt)

    @property
    def spec(self) -> str:
        return f"fake:{self.source}-{self.target}"

    def _translate(self, sentences):
        FakeEngine.translated.extend(sentences)
        if any("BOOM" in s.upper() for s in sentences):
            raise EngineError(f"{self.spec} fails on BOOM")
        if (self.source, self.target) == ("en", "xx"):
            return [s.upper() for s in sentences]
        if (self.source, self.target) == ("xx", "en"):
            return [f"[{s}]" for s in sentences]
        return [f"{self.source}>{self.target}:{s}" for s in sentences]


@pytest.fixture(autouse=True)
def fake_kind():
    from mtdetect.translate import register_engine

    register_engine("fake", FakeEngine, "test fake")
    FakeEngine.translated = []
    yield


ROUND_TRIP = "fake:en-xx>fake:xx-en"


def art(id: str, text: str, **meta) -> Article:
    return Article(id=id, text=text, label=meta.pop("label", "original"), meta=meta)


def write_script(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def cmd_round_trip(tmp_path: Path) -> str:
    """A round trip through two `cmd:` engines (processes): upper-case there, brackets back;
    a line containing BOOM makes the program fail."""
    there = write_script(tmp_path, "there.py", """
        import sys
        for line in sys.stdin:
            if "BOOM" in line.upper():
                sys.exit("boom")
            print(line.rstrip("\\n").upper())
    """)
    back = write_script(tmp_path, "back.py", """
        import sys
        for line in sys.stdin:
            print("[" + line.rstrip("\\n") + "]")
    """)
    return f'cmd:en-xx:"{PY} {there}",cmd:xx-en:"{PY} {back}"'


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


# --------------------------------------------------------------------------- layout


def test_reassemble_keeps_everything_between_spans():
    text = "  A b.  C d!\n\nE"
    assert reassemble(text, [(2, 6), (8, 12), (14, 15)], ["1", "2", "3"]) == "  1  2\n\n3"


def test_layout_is_preserved_exactly():
    text = "Headline here\n\n  First sentence. Second one!\nThird line\n\n\n(Reporting by A. N. Other)  \n"
    [rec] = synthesize([art("a1", text)], ROUND_TRIP, cache=False)
    assert rec["text"] == (
        "[HEADLINE HERE]\n\n  [FIRST SENTENCE.] [SECOND ONE!]\n[THIRD LINE]\n\n\n[(REPORTING BY A. N. OTHER)]  \n"
    )
    assert rec["sentences"] == ["[HEADLINE HERE]", "[FIRST SENTENCE.]", "[SECOND ONE!]", "[THIRD LINE]",
                                "[(REPORTING BY A. N. OTHER)]"]


def test_each_sentence_is_translated_on_its_own():
    synthesize_list = list(synthesize([art("a1", "One. Two.\nThree")], ROUND_TRIP, cache=False))
    assert synthesize_list
    assert FakeEngine.translated == ["One.", "Two.", "Three", "ONE.", "TWO.", "THREE"]


# --------------------------------------------------------------------------- records


def test_round_trip_record_is_ready_for_training(tmp_path):
    [rec] = synthesize([art("wmt-1", "It rained.", doc_id="doc-9", label="human_translation")], ROUND_TRIP, cache=False)
    assert rec == {
        "id": "wmt-1/fake:en-xx>fake:xx-en",
        "text": "[IT RAINED.]",
        "label": LABEL_ROUNDTRIP,
        "system": "fake:en-xx>fake:xx-en",
        "pivot": "xx",
        "mode": "roundtrip",
        "doc_id": "doc-9",
        "source_id": "wmt-1",
        "source_label": "human_translation",
        "src_lang": "en",
        "engines": [{"spec": "fake:en-xx", "version": ""}, {"spec": "fake:xx-en", "version": ""}],
        "sentences": ["[IT RAINED.]"],
    }
    path = tmp_path / "rt.jsonl"
    path.write_text(json.dumps(rec) + "\n", encoding="utf-8")
    [doc] = read_labelled([path])
    assert doc.y == 1 and doc.system == "fake:en-xx>fake:xx-en"


@pytest.mark.parametrize("item, doc_id, group", [
    (art("a", "x.", doc_id="d1", group="g1"), "d1", "g1"),
    (art("a", "x.", group="g1"), "g1", "g1"),
    (art("a", "x."), "a", None),
    ({"id": "b", "text": "x.", "doc_id": 7}, "7", None),
])
def test_doc_id_is_the_sources(item, doc_id, group):
    [rec] = synthesize([item], ROUND_TRIP, cache=False)
    assert rec["doc_id"] == doc_id and rec.get("group") == group


def test_group_matches_what_read_labelled_gives_the_original(tmp_path):
    src = tmp_path / "htmt_train_documents.jsonl"
    src.write_text(json.dumps({"id": "o1", "doc_id": "wmt09-en-doc3", "year": 2009, "src_lang": "en",
                               "label": "original", "text": "It rained."}) + "\n", encoding="utf-8")
    from mtdetect.io import read_articles

    [rec] = synthesize(read_articles([src]), ROUND_TRIP, cache=False)
    [orig] = read_labelled([src])
    assert rec["group"] == orig.group == "htmt_train_documents:2009:en:wmt09-en-doc3"
    assert rec["doc_id"] == "wmt09-en-doc3"


def test_labelled_docs_are_accepted():
    from mtdetect.datasets import LabelledDoc

    d = LabelledDoc(id="h1", text="Hi there.", label="original", group="wmt21:en:x", corpus="wmt21")
    [rec] = synthesize([d], ROUND_TRIP, cache=False)
    assert (rec["doc_id"], rec["group"], rec["source_label"]) == ("wmt21:en:x", "wmt21:en:x", "original")


# --------------------------------------------------------------------------- systems and modes


def test_one_way_is_labelled_mt_with_the_source_as_pivot():
    [rec] = synthesize([art("es1", "Hola.")], "fake:es-en", cache=False)
    assert (rec["label"], rec["mode"], rec["pivot"], rec["src_lang"]) == (LABEL_ONEWAY, "oneway", "es", "es")
    assert rec["text"] == "es>en:Hola."


def test_chain_of_engines_names_every_pivot():
    [system] = as_systems("fake:en-es,fake:es-en>fake:en-pt>fake:pt-en")
    assert system.mode == "roundtrip" and system.pivot == "es+pt"
    assert system.name == "fake:en-es>fake:es-en>fake:en-pt>fake:pt-en"


@pytest.mark.parametrize("specs, pivots, mode, names", [
    (["bergamot"], ["pt"], "auto", ["bergamot:en-pt>bergamot:pt-en"]),
    (["apertium"], ["es", "ca"], "auto", ["apertium:eng-spa>apertium:spa-eng", "apertium:eng-cat>apertium:cat-eng"]),
    (["apertium"], ["es"], "oneway", ["apertium:spa-eng"]),
    (['cmd:"mt {src} {tgt}"'], ["de"], "auto", ['cmd:en-de:"mt {src} {tgt}">cmd:de-en:"mt {src} {tgt}"']),
    (["apertium:eng-cat,apertium:cat-eng", "fake"], ["xx"], "auto",
     ["apertium:eng-cat>apertium:cat-eng", "fake:en-xx>fake:xx-en"]),
])
def test_pivot_shorthand(specs, pivots, mode, names):
    assert [s.name for s in parse_systems(specs, pivots, mode)] == names


@pytest.mark.parametrize("specs, pivots, mode, message", [
    (["bergamot"], [], "auto", "needs --pivot"),
    (["bergamot:en-pt,bergamot:pt-en"], ["pt"], "auto", "--pivot applies to bare engine names"),
    (["fake:en-xx"], [], "roundtrip", "needs at least two engines"),
    (["fake:en-xx,fake:xx-de"], [], "roundtrip", "not a round trip"),
    (["fake:en-xx,fake:xx-en"], [], "oneway", "not one-way"),
    (["fake:en-xx,fake:de-en"], [], "auto", "chain breaks between fake:en-xx"),
    (["fake:en-xx,fake:xx-en", "fake:en-xx>fake:xx-en"], [], "auto", "system given twice"),
    (["fake:en-xx"], [], "sideways", "mode must be one of"),
    ([], [], "auto", "no engine given"),
])
def test_bad_systems_are_usage_errors(specs, pivots, mode, message):
    with pytest.raises(SynthUsageError, match=message):
        parse_systems(specs, pivots, mode)


def test_several_systems_one_record_each_in_order():
    recs = list(synthesize([art("a", "Hi."), art("b", "Yo.")], ["fake:en-xx>fake:xx-en", "fake:en-es>fake:es-en"],
                           cache=False))
    assert [r["id"] for r in recs] == ["a/fake:en-xx>fake:xx-en", "a/fake:en-es>fake:es-en",
                                      "b/fake:en-xx>fake:xx-en", "b/fake:en-es>fake:es-en"]


# --------------------------------------------------------------------------- errors


def test_failing_article_is_reported_and_the_batch_goes_on():
    errors = []
    items = [art("a", "Fine."), art("b", "This goes BOOM."), art("c", "Also fine.")]
    recs = list(synthesize(items, ROUND_TRIP, cache=False, on_error=errors.append))
    assert [r["source_id"] for r in recs] == ["a", "c"]
    assert [(e.source_id, e.system) for e in errors] == [("b", "fake:en-xx>fake:xx-en")]
    assert "fails on BOOM" in errors[0].reason


def test_without_on_error_a_failure_raises():
    with pytest.raises(EngineError, match="b \\[fake:en-xx>fake:xx-en\\]"):
        list(synthesize([art("b", "BOOM.")], ROUND_TRIP, cache=False))


def test_input_errors_go_to_on_error():
    errors = []
    recs = list(synthesize([InputError("x.jsonl", "invalid JSON", line=3), art("a", "Hi.")], ROUND_TRIP,
                           cache=False, on_error=errors.append))
    assert len(recs) == 1 and errors[0].line == 3 and errors[0].reason == "invalid JSON"


def test_missing_engine_fails_before_any_work(tmp_path):
    with pytest.raises(EngineUnavailable, match="program not found: no-such-mt"):
        list(synthesize([art("a", "Hi.")], 'cmd:en-xx:"no-such-mt",cmd:xx-en:"no-such-mt"', cache=False))


# --------------------------------------------------------------------------- cache


def test_cache_serves_a_second_run_and_shared_chain_prefixes(tmp_path):
    cache = TranslationCache(tmp_path / "t.sqlite")
    items = [art("a", "One. Two."), art("b", "Two.")]
    first = list(synthesize(items, ROUND_TRIP, cache=cache))
    assert FakeEngine.translated == ["One.", "Two.", "ONE.", "TWO."]  # "Two." once for both articles
    FakeEngine.translated = []
    again = list(synthesize(items, ROUND_TRIP, cache=TranslationCache(tmp_path / "t.sqlite")))
    assert again == first and FakeEngine.translated == []
    list(synthesize(items, "fake:en-xx>fake:xx-en>fake:en-pt>fake:pt-en", cache=cache))
    assert FakeEngine.translated == ["[ONE.]", "[TWO.]", "en>pt:[ONE.]", "en>pt:[TWO.]"]


# --------------------------------------------------------------------------- batch runs and resume


def test_run_synth_resumes_after_a_torn_write(tmp_path):
    out = tmp_path / "rt.jsonl"
    items = [art(f"a{i}", f"Sentence {i}. Another {i}.") for i in range(6)]
    systems = parse_systems([ROUND_TRIP])
    config = SynthConfig(out=out, batch_size=2, cache=False)
    run_synth(items[:4], systems, config)
    full = out.read_bytes()
    out.write_bytes(full[: full.rindex(b"\n", 0, len(full) - 1) + 25])  # the 4th record cut mid-line
    FakeEngine.translated = []
    warnings = []
    summary = run_synth(items, systems, config, on_warning=warnings.append)
    assert summary.dropped_lines == 1 and "dropped 1 incomplete line" in warnings[0]
    assert summary.skipped_done == 3 and summary.written == 3
    assert sorted(FakeEngine.translated) == sorted(["Sentence 3.", "Another 3.", "SENTENCE 3.", "ANOTHER 3.",
                                                   "Sentence 4.", "Another 4.", "SENTENCE 4.", "ANOTHER 4.",
                                                   "Sentence 5.", "Another 5.", "SENTENCE 5.", "ANOTHER 5."])
    recs = read_jsonl(out)
    assert sorted(r["source_id"] for r in recs) == [f"a{i}" for i in range(6)]
    clean = read_jsonl(out)
    fresh = tmp_path / "fresh.jsonl"
    run_synth(items, systems, SynthConfig(out=fresh, cache=False))
    assert sorted(map(json.dumps, clean)) == sorted(map(json.dumps, read_jsonl(fresh)))


def test_run_synth_adds_a_new_system_to_an_existing_file(tmp_path):
    out = tmp_path / "rt.jsonl"
    items = [art("a", "Hi.")]
    run_synth(items, parse_systems([ROUND_TRIP]), SynthConfig(out=out, cache=False))
    s = run_synth(items, parse_systems([ROUND_TRIP, "fake:en-pt>fake:pt-en"]), SynthConfig(out=out, cache=False))
    assert (s.skipped_done, s.written) == (1, 1)
    assert len(read_jsonl(out)) == 2


def test_run_synth_errors_file_and_duplicates(tmp_path):
    out = tmp_path / "rt.jsonl"
    items = [art("a", "Hi."), art("b", "BOOM now."), art("a", "Again."),
             InputError("in.jsonl", "invalid JSON", line=4)]
    warnings = []
    s = run_synth(items, parse_systems([ROUND_TRIP]), SynthConfig(out=out, cache=False), on_warning=warnings.append)
    assert (s.written, s.failed, s.input_errors, s.duplicates) == (1, 1, 1, 1)
    errs = read_jsonl(tmp_path / "rt.errors.jsonl")
    assert sorted((e["source_id"], e["line"] or 0) for e in errs) == [("b", 0), ("in.jsonl", 4)]
    assert "duplicate article id 'a'" in warnings[0]


def test_overwrite_starts_afresh(tmp_path):
    out = tmp_path / "rt.jsonl"
    out.write_text('{"id": "old"}\n', encoding="utf-8")
    run_synth([art("a", "Hi.")], parse_systems([ROUND_TRIP]), SynthConfig(out=out, overwrite=True, cache=False))
    assert [r["id"] for r in read_jsonl(out)] == ["a/fake:en-xx>fake:xx-en"]


@pytest.mark.slow
def test_worker_processes_give_the_same_output(tmp_path):
    systems = parse_systems([cmd_round_trip(tmp_path)])
    items = [art(f"a{i}", f"Line {i}.\n\nNext {i}.") for i in range(7)] + [art("bad", "BOOM here.")]
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    s1 = run_synth(items, systems, SynthConfig(out=one, batch_size=2, cache=False))
    s2 = run_synth(items, systems, SynthConfig(out=two, batch_size=2, jobs=2, cache=False))
    assert read_jsonl(one) == read_jsonl(two)
    assert (s1.written, s1.failed) == (s2.written, s2.failed) == (7, 1)
    assert read_jsonl(one)[0]["text"] == "[LINE 0.]\n\n[NEXT 0.]"
    assert sum(d["sentences"] for d in s2.engines.values()) > 0


# --------------------------------------------------------------------------- CLI


runner = CliRunner()


def write_input(tmp_path: Path, records: list[dict]) -> Path:
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_cli_synth_writes_training_records(tmp_path):
    src = write_input(tmp_path, [{"id": "o1", "doc_id": "d1", "label": "original", "text": "Hello there.\nBye."}])
    out = tmp_path / "rt.jsonl"
    res = runner.invoke(app, ["synth", str(src), "--out", str(out), "--engine", cmd_round_trip(tmp_path), "--no-cache"])
    assert res.exit_code == 0, res.output
    [rec] = read_jsonl(out)
    assert rec["text"] == "[HELLO THERE.]\n[BYE.]" and rec["label"] == "roundtrip_mt" and rec["doc_id"] == "d1"
    assert "wrote 1 records" in res.stderr
    again = runner.invoke(app, ["synth", str(src), "--out", str(out), "--engine", cmd_round_trip(tmp_path), "--no-cache"])
    assert again.exit_code == 0 and "1 already there" in again.stderr
    assert len(read_jsonl(out)) == 1


def test_cli_synth_some_articles_failed_exit_3(tmp_path):
    src = write_input(tmp_path, [{"id": "o1", "text": "Fine."}, {"id": "o2", "text": "BOOM."}])
    out = tmp_path / "rt.jsonl"
    res = runner.invoke(app, ["synth", str(src), "--out", str(out), "--engine", cmd_round_trip(tmp_path), "--no-cache"])
    assert res.exit_code == 3, res.output
    assert "error: o2 [cmd:en-xx:" in res.stderr
    assert [e["source_id"] for e in read_jsonl(tmp_path / "rt.errors.jsonl")] == ["o2"]
    assert len(read_jsonl(out)) == 1


@pytest.mark.parametrize("args, message", [
    (["--engine", "apertium:zzz-yyy,apertium:yyy-zzz"], "apt-get install"),
    (["--engine", "nosuch:en-es"], "unknown engine spec"),
    (["--engine", "bergamot"], "needs --pivot"),
    (["--engine", "bergamot:en-pt,apertium:spa-eng"], "chain breaks"),
])
def test_cli_synth_usage_errors_exit_2(tmp_path, args, message):
    src = write_input(tmp_path, [{"id": "o1", "text": "Fine."}])
    res = runner.invoke(app, ["synth", str(src), "--out", str(tmp_path / "o.jsonl"), *args])
    assert res.exit_code == 2, res.output
    assert message in res.stderr
    assert not (tmp_path / "o.jsonl").exists()


def test_cli_synth_timeout_fails_the_article(tmp_path):
    slow = write_script(tmp_path, "slow.py", """
        import sys, time
        data = sys.stdin.read()
        if "slow" in data:
            time.sleep(5)
        sys.stdout.write(data)
    """)
    src = write_input(tmp_path, [{"id": "o1", "text": "Quick."}, {"id": "o2", "text": "A slow one."}])
    out = tmp_path / "rt.jsonl"
    spec = f'cmd:en-xx:"{PY} {slow}",cmd:xx-en:"{PY} {slow}"'
    res = runner.invoke(app, ["synth", str(src), "--out", str(out), "--engine", spec, "--no-cache", "--timeout", "0.5",
                              "--batch-size", "1"])
    assert res.exit_code == 3, res.output
    assert "timed out after 0.5 s" in res.stderr
    assert [r["source_id"] for r in read_jsonl(out)] == ["o1"]


@pytest.mark.slow
def test_killed_run_resumes_to_every_record_once(tmp_path):
    import os
    import signal
    import subprocess
    import time

    crawl = write_script(tmp_path, "crawl.py", """
        import sys, time
        for line in sys.stdin:
            time.sleep(0.05)
            print(line.rstrip("\\n").upper(), flush=True)
    """)
    src = write_input(tmp_path, [{"id": f"o{i}", "text": f"Sentence {i}. Another {i}."} for i in range(16)])
    out = tmp_path / "rt.jsonl"
    spec = f'cmd:en-xx:"{PY} {crawl}",cmd:xx-en:"{PY} {crawl}"'
    argv = [PY, "-m", "mtdetect.cli", "synth", str(src), "--out", str(out), "--engine", spec, "--no-cache",
            "--batch-size", "1", "--quiet"]
    for _ in range(2):
        proc = subprocess.Popen(argv, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 60
        start_lines = len(out.read_bytes().splitlines()) if out.exists() else 0
        while time.monotonic() < deadline and (not out.exists() or len(out.read_bytes().splitlines()) < start_lines + 2):
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    ids = [r["id"] for r in read_jsonl(out)]
    assert len(ids) == len(set(ids)) == 16
