"""No regular expression in mtdetect backtracks catastrophically on hostile text.

The patterns are found by introspection, not listed by hand, so a new pattern is checked
the day it is added: every compiled ``re.Pattern`` reachable from the analysis modules
(module constants, the loaded recognizers' attributes and rule tables, a few levels
deep), plus every string literal passed straight to an ``re`` function in their source.

Each pattern is run the way the code uses it (found in the source too): with ``finditer``
over the whole input when it scans, or with ``match``/``fullmatch`` at the start when every
use is anchored at a position the caller chose; a pattern whose use cannot be told (it is
passed around, as the calque rules are) is scanned. The inputs are long runs:

* of what the pattern itself loops on: for every repeated sub-pattern, a string it
  matches, repeated to ~20,000 characters, bare and with a suffix that makes the match
  fail at the very end (the classic trigger of exponential backtracking);
* of a match of the whole pattern, repeated (quadratic rescanning between matches);
* of a fixed set of characters news text loops on: letters, capitals, spaces, hyphens,
  dots, digits, quotes, brackets, line breaks, and mixtures ("A.", "a -", "Kim Jong ").

A SIGALRM watchdog (mtdetect.budget) fails any single search that takes longer than
``SEARCH_BOUND`` seconds: this detects hangs, it does not measure speed. Whole-analysis
tests on pathological documents (a 1 MB line without punctuation, 100,000 tiny
sentences, a 200,000-character token) follow.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
import signal
import time
from collections.abc import Iterator
from dataclasses import fields, is_dataclass
from pathlib import Path

import pytest

import mtdetect.recognizers
from mtdetect.budget import ArticleTimeout, run_with_budget
from mtdetect.detector import Detector, RuleModel
from mtdetect.guard import ArticleLimits
from mtdetect.recognizers import builtin_recognizers

try:  # Python 3.11+: the parser lives in re._parser (sre_parse is its deprecated alias)
    from re import _constants as sre_constants, _parser as sre_parse
except ImportError:  # pragma: no cover
    import sre_constants  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

pytestmark = pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="the watchdog needs SIGALRM")

SEARCH_BOUND = 2.0  # seconds per pattern x input: a hang detector, not a speed assertion
RUN_LENGTH = 20_000

ANALYSIS_MODULES = (
    "mtdetect.segment",
    "mtdetect.style",
    "mtdetect.features",  # the text view of the n-gram models
    "mtdetect.io",
    *(f"mtdetect.recognizers.{m.name}" for m in pkgutil.iter_modules(mtdetect.recognizers.__path__)),
)

# --------------------------------------------------------------------------- collection


def _walk(obj: object, where: str, depth: int = 0) -> Iterator[tuple[str, re.Pattern]]:
    """Compiled patterns inside ``obj`` (containers, dataclasses, plain attributes)."""
    if isinstance(obj, re.Pattern):
        yield where, obj
        return
    if depth >= 4 or isinstance(obj, (str, bytes, int, float, type)) or obj is None:
        return
    if isinstance(obj, dict):
        items = list(obj.items())[:500]
        for key, value in items:
            yield from _walk(value, f"{where}[{key!r}]", depth + 1)
    elif isinstance(obj, (list, tuple, set, frozenset)):
        for i, value in enumerate(list(obj)[:500]):
            yield from _walk(value, f"{where}[{i}]", depth + 1)
    elif is_dataclass(obj):
        for f in fields(obj):
            yield from _walk(getattr(obj, f.name, None), f"{where}.{f.name}", depth + 1)
    elif hasattr(obj, "__dict__") and not inspect.ismodule(obj) and not callable(obj):
        for key, value in vars(obj).items():
            yield from _walk(value, f"{where}.{key}", depth + 1)


_RE_FUNCTIONS = {"compile", "match", "fullmatch", "search", "finditer", "findall", "sub", "subn", "split"}


def _literal_patterns(module_name: str) -> Iterator[tuple[str, re.Pattern]]:
    """``re.<function>("literal", ...)`` calls in a module's source, compiled."""
    module = importlib.import_module(module_name)
    tree = ast.parse(Path(inspect.getfile(module)).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _RE_FUNCTIONS
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "re"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, (str, bytes))
        ):
            flags = 0
            for arg in [*node.args[1:], *(k.value for k in node.keywords if k.arg == "flags")]:
                if isinstance(arg, ast.Attribute) and isinstance(arg.value, ast.Name) and arg.value.id == "re":
                    flags |= int(getattr(re, arg.attr, 0))
            # The call says how the literal is used: re.match anchors, re.finditer scans.
            yield f"{module_name}:{node.lineno} re.{node.func.attr}", re.compile(node.args[0].value, flags)


_PATTERN_METHODS = _RE_FUNCTIONS - {"compile"}
_ANCHORED_METHODS = frozenset({"match", "fullmatch"})


def _method_uses() -> dict[str, set[str]]:
    """Name -> pattern methods called on it anywhere in the analysis sources.

    ``_NEXT_START.match(...)`` and ``self._line_end.match(...)`` give ``{"match"}`` under
    ``_NEXT_START`` and ``_line_end``; ``rule.pattern.finditer(...)`` gives ``{"finditer"}``
    under ``pattern``.
    """
    uses: dict[str, set[str]] = {}
    for name in ANALYSIS_MODULES:
        tree = ast.parse(Path(inspect.getfile(importlib.import_module(name))).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in _PATTERN_METHODS:
                target = node.value
                ident = target.id if isinstance(target, ast.Name) else getattr(target, "attr", None)
                if ident and ident != "re":
                    uses.setdefault(ident, set()).add(node.attr)
    return uses


def collect_patterns() -> dict[tuple[object, int], tuple[str, re.Pattern]]:
    """Every distinct (pattern, flags) used by the analysis and ingestion code."""
    found: dict[tuple[object, int], tuple[str, re.Pattern]] = {}

    def add(where: str, pattern: re.Pattern) -> None:
        found.setdefault((pattern.pattern, pattern.flags), (where, pattern))

    # Named objects first: their names lead to their uses (see is_anchored).
    for name in ANALYSIS_MODULES:
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            if not attr.startswith("__"):
                for where, pattern in _walk(value, f"{name}.{attr}"):
                    add(where, pattern)
    for rec in builtin_recognizers():
        rec.load()
        for where, pattern in _walk(rec, f"recognizer {rec.name}"):
            add(where, pattern)
    for name in ANALYSIS_MODULES:
        for where, pattern in _literal_patterns(name):
            add(where, pattern)
    return found


PATTERNS = collect_patterns()
METHOD_USES = _method_uses()


def is_anchored(where: str) -> bool:
    """Whether every use of the pattern found at ``where`` is a match/fullmatch at a given position."""
    if " re." in where:  # an inline literal: the re function it was passed to
        return where.rsplit(" re.", 1)[1] in _ANCHORED_METHODS
    ident = re.sub(r"\[[^\]]*\]", "", where).rsplit(".", 1)[-1]
    uses = METHOD_USES.get(ident)
    return bool(uses) and uses <= _ANCHORED_METHODS

# --------------------------------------------------------------------------- inputs

_CANDIDATES = "aA0 .-'\"\u201d\u201c()_\u00e9z\n,:;!?/@#<>=\t\u00a0x"


def _category_has(category: object, ch: str) -> bool:
    c = sre_constants
    table = {
        c.CATEGORY_DIGIT: ch.isdigit(),
        c.CATEGORY_NOT_DIGIT: not ch.isdigit(),
        c.CATEGORY_SPACE: ch.isspace(),
        c.CATEGORY_NOT_SPACE: not ch.isspace(),
        c.CATEGORY_WORD: ch.isalnum() or ch == "_",
        c.CATEGORY_NOT_WORD: not (ch.isalnum() or ch == "_"),
    }
    return table.get(category, False)


def _in_set(items: list, ch: str) -> bool:
    negate = False
    hit = False
    for op, av in items:
        if op == sre_constants.NEGATE:
            negate = True
        elif op == sre_constants.LITERAL:
            hit |= ord(ch) == av
        elif op == sre_constants.RANGE:
            hit |= av[0] <= ord(ch) <= av[1]
        elif op == sre_constants.CATEGORY:
            hit |= _category_has(av, ch)
    return hit != negate


def _witness(subpattern, *, is_bytes: bool) -> str:
    """A (best-effort) string that ``subpattern`` matches; assertions contribute nothing."""
    out: list[str] = []
    for op, av in subpattern:
        if op == sre_constants.LITERAL:
            out.append(chr(av))
        elif op == sre_constants.NOT_LITERAL:
            out.append("a" if av != ord("a") else "b")
        elif op == sre_constants.ANY:
            out.append("a")
        elif op == sre_constants.IN:
            out.append(next((ch for ch in _CANDIDATES if _in_set(av, ch)), "a"))
        elif op == sre_constants.BRANCH:
            out.append(_witness(av[1][0], is_bytes=is_bytes))
        elif op == sre_constants.SUBPATTERN:
            out.append(_witness(av[-1], is_bytes=is_bytes))
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, getattr(sre_constants, "POSSESSIVE_REPEAT", None)):
            low, _high, item = av
            out.append(_witness(item, is_bytes=is_bytes) * max(low, 1))
        elif op == getattr(sre_constants, "ATOMIC_GROUP", None):
            out.append(_witness(av, is_bytes=is_bytes))
    return "".join(out)


def _loop_witnesses(subpattern, *, is_bytes: bool) -> Iterator[str]:
    """For every repeated sub-pattern (``x*``, ``x+``, ``x{2,}``), a string it matches once."""
    for op, av in subpattern:
        if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, getattr(sre_constants, "POSSESSIVE_REPEAT", None)):
            low, high, item = av
            if high == sre_constants.MAXREPEAT or high > 2:
                w = _witness(item, is_bytes=is_bytes)
                if w:
                    yield w
            yield from _loop_witnesses(item, is_bytes=is_bytes)
        elif op == sre_constants.BRANCH:
            for alternative in av[1][:50]:
                yield from _loop_witnesses(alternative, is_bytes=is_bytes)
        elif op == sre_constants.SUBPATTERN:
            yield from _loop_witnesses(av[-1], is_bytes=is_bytes)
        elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            yield from _loop_witnesses(av[1], is_bytes=is_bytes)


#: Runs of what news text (and hostile text) loops on, whatever the pattern.
GENERIC_UNITS = (
    "a", "A", " ", "-", ".", "9", '"', "'", "\u201d", "(", ")", "\n", "\u00e9", "\u0301",
    "a ", "A.", "a.", "Ab", "a -", "aa-", "a-", "Aa.", "A a ", "the ", "The ", "Kim Jong ",
    "12.", "1,", "\u201d ", " .", "<", "<!-- ", "#", "=", "aA.-'\" 9",
)


def _fit(unit: str, suffix: str = "") -> str:
    return unit * max(1, RUN_LENGTH // len(unit)) + suffix


def adversarial_inputs(pattern: re.Pattern) -> list[str]:
    """Long runs of what ``pattern`` loops on, of its own match, and of generic news characters."""
    is_bytes = isinstance(pattern.pattern, bytes)
    tree = sre_parse.parse(pattern.pattern, pattern.flags & ~re.UNICODE & ~re.ASCII if is_bytes else pattern.flags)
    units = list(dict.fromkeys([*_loop_witnesses(tree, is_bytes=is_bytes)]))[:12]
    whole = _witness(tree, is_bytes=is_bytes)
    inputs = []
    for unit in units:
        inputs += [_fit(unit), _fit(unit, "\x00!")]
    if whole:
        inputs.append(_fit(whole + " "))
    inputs += [_fit(unit) for unit in GENERIC_UNITS]
    return list(dict.fromkeys(inputs))


def _exhaust(pattern: re.Pattern, subject) -> int:
    """Every match, as a scanning caller would take them."""
    n = 0
    for _ in pattern.finditer(subject):
        n += 1
    return n


def _anchored(pattern: re.Pattern, subject) -> int:
    """A match and a full match at the start, as an anchored caller would try."""
    return (pattern.match(subject) is not None) + (pattern.fullmatch(subject) is not None)


@pytest.mark.parametrize("key", sorted(PATTERNS, key=lambda k: PATTERNS[k][0]), ids=lambda k: PATTERNS[k][0])
def test_pattern_survives_long_runs_of_what_it_loops_on(key) -> None:
    where, pattern = PATTERNS[key]
    is_bytes = isinstance(pattern.pattern, bytes)
    run = _anchored if is_anchored(where) else _exhaust
    for subject in adversarial_inputs(pattern):
        data = subject.encode("utf-8", "surrogatepass") if is_bytes else subject
        try:
            run_with_budget(SEARCH_BOUND, run, pattern, data)
        except ArticleTimeout:
            pytest.fail(
                f"{where}: /{pattern.pattern!r}/ did not finish within {SEARCH_BOUND} s on "
                f"{len(subject):,} characters of {subject[:12]!r}... (catastrophic backtracking)"
            )


@pytest.mark.parametrize(
    "bad",
    [r"(a+)+$", r"(\w+\s?)+$", r"^(\d+)*x", r"(\S+?)\.+$", r"(?:[A-Za-z]+-?)*!"],
    ids=["nested-plus", "words-and-spaces", "nested-star", "lazy-then-dots", "optional-separator"],
)
def test_the_check_catches_known_catastrophic_patterns(bad: str) -> None:
    """The inputs and watchdog above do find the classic blow-ups (so a pass means something)."""
    pattern = re.compile(bad)
    with pytest.raises(ArticleTimeout):
        for subject in adversarial_inputs(pattern):
            run_with_budget(0.5, _exhaust, pattern, subject)


def test_the_collection_finds_the_patterns_of_every_module() -> None:
    modules = {where.split(":")[0].rsplit(".", 1)[0] if ":" in where else where for where, _ in PATTERNS.values()}
    text = "\n".join(where for where, _ in PATTERNS.values())

    for expected in ("mtdetect.segment._END", "mtdetect.style._TOKEN", "mtdetect.features._WORD_OR_MARK",
                     "mtdetect.io._FEED_ROOT", "recognizer typography._glued", "recognizer calques.rules_",
                     "mtdetect.recognizers.names._TOKEN"):
        assert expected in text, (expected, sorted(modules))
    # Inline literals (re.match(r"...") inside a function) are found, with their use.
    assert any(where.startswith("mtdetect.segment:") and where.endswith("re.finditer") for where, _ in PATTERNS.values())
    assert is_anchored("mtdetect.segment._NEXT_START") and not is_anchored("mtdetect.segment._END")
    assert not is_anchored("recognizer calques.rules_[0].pattern")


def test_pattern_x_input_pairs(capsys) -> None:
    """How much the check above covers (reported in docs/reliability.md)."""
    pairs = sum(len(adversarial_inputs(p)) for _, p in PATTERNS.values())
    anchored = sum(is_anchored(where) for where, _ in PATTERNS.values())
    with capsys.disabled():
        print(f"\nregex safety: {len(PATTERNS)} patterns ({anchored} anchored), {pairs} pattern x input pairs")
    assert len(PATTERNS) > 50 and pairs > 20 * len(PATTERNS)


# --------------------------------------------------------------------------- whole analysis

DOCUMENT_BOUND = 60.0  # seconds for a whole pathological document (a hang, not slowness)


def _score_within_bound(text: str):
    # no size limits: these documents are over them on purpose, to time the analysis itself
    detector = Detector(RuleModel(), limits=ArticleLimits(max_chars=0, max_token_chars=0, max_sentences=0))
    started = time.monotonic()
    try:
        report = run_with_budget(DOCUMENT_BOUND, detector.score, text)
    except ArticleTimeout:
        pytest.fail(f"analysis of a {len(text):,}-character document did not finish in {DOCUMENT_BOUND} s")
    return report, time.monotonic() - started


@pytest.mark.parametrize("hostile", ["a@" * 10_000, "\u0301" * 20_000, "x@" + "y." * 10_000 + "@"],
                         ids=["at-signs", "combining-accents", "dots-after-an-at"])
def test_the_conventions_exclusions_are_linear_on_long_tokens(hostile: str) -> None:
    """The e-mail part of the conventions recognizer's exclusions once took every start and
    every "@" of a long token: about 1.4 s on 20,000 combining accents, and longer than any
    budget on "a@a@a@..." (cubic). It now starts only at a token's start."""
    (rec,) = [r for r in builtin_recognizers() if r.name == "conventions"]
    rec.load()
    spans = run_with_budget(SEARCH_BOUND, rec._excluded_spans, hostile)
    assert all(hostile[a:b].count("@") == 1 for a, b in spans)


def test_one_megabyte_line_without_punctuation() -> None:
    words = ("lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor "
             "Kim Jong the top of ").split()
    text = " ".join(words[i % len(words)] for i in range(200_000))[:1_000_000]

    report, _ = _score_within_bound(text)

    assert len(report.sentences) == 1 and report.sentences[0].end == len(text.rstrip())


def test_a_hundred_thousand_tiny_sentences() -> None:
    text = "Go. " * 100_000

    report, _ = _score_within_bound(text)

    assert len(report.sentences) == 100_000


def test_a_token_of_two_hundred_thousand_characters() -> None:
    for unit in ("a", "A.", "-", "a-", ")", "\u201d"):
        text = "Mr. XI said " + unit * (200_000 // len(unit)) + " today."
        report, _ = _score_within_bound(text)
        assert report.error is None
