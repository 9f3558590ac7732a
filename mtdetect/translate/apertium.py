"""Apertium (rule-based MT from Debian packages) behind the engine interface.

``apertium:eng-spa`` runs ``apertium -u eng-spa`` (``-u``: no ``*``/``#``/``@`` marks on
unknown words, so the output reads like what a content farm would publish) on many
sentences per call: starting the dozen programs of an Apertium pipeline costs about 0.3 s.

Sentences are separated by a blank line, not a line break: Apertium's text format treats a
single line break as a space, so its transfer rules move words across it ("Confederate
monument\\nVIRGINIA BEACH" comes out as "... Confederate PLAYA\\nde VIRGINIA del
monumento"), while a blank line ends a sentence. The output must hold as many blocks as
went in; a pipeline stage that crashes (``apertium-postchunk`` of eng-cat segfaults on
some sentences, and the wrapper script still exits 0) loses the batch's output, so a
batch whose count is wrong is split in halves until the bad sentence is alone; that
sentence is then translated in two parts cut at a clause boundary (counted in
``stats.fallbacks``), and only a sentence no part of which translates is an error.

Marks that ``-u`` leaves are removed from the output, as a content farm's editor would: the
``#`` some pairs glue to a word they failed to generate ("want# that", "darse# cuenta"; a
hashtag, "#MeToo", is kept) and the ``parquote`` that apertium-hbs-eng writes for a quotation
mark. The engine's ``version`` names this clean-up, so cached output from before it is not
reused.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess

from .base import (
    Engine,
    EngineError,
    EngineUnavailable,
    register_engine,
    run_process,
    tail,
    translate_bisecting,
)

_MODE = re.compile(r"[a-z]{2,3}(?:_[A-Za-z0-9_]+)?-[a-z]{2,3}(?:_[A-Za-z0-9_]+)?")
# Debian packages of the pairs this project uses (a package holds both directions).
_PACKAGES = {
    frozenset({"eng", "spa"}): "apertium-eng-spa",
    frozenset({"eng", "cat"}): "apertium-eng-cat",
    frozenset({"spa", "cat"}): "apertium-spa-cat",
    frozenset({"spa", "por"}): "apertium-spa-por",
    frozenset({"eng", "glg"}): "apertium-eng-glg",
    frozenset({"fra", "cat"}): "apertium-fra-cat",
    frozenset({"oci", "cat"}): "apertium-oci-cat",
    frozenset({"eus", "spa"}): "apertium-eus-spa",
    frozenset({"eng", "ita"}): "apertium-eng-ita",
    frozenset({"eng", "deu"}): "apertium-eng-deu",
    frozenset({"en", "gl"}): "apertium-en-gl",
    frozenset({"en", "eo"}): "apertium-eo-en",
    frozenset({"eng", "hbs"}): "apertium-hbs-eng",
}
# Marks left in the output: "#" after a word it could not generate, and hbs-eng's quotation mark.
_GENERATION_MARK = re.compile(r"(?<=\w)#(?!\w)")
_QUOTE_WORD = re.compile(r"parquote")
#: Bump when the clean-up changes: it is part of the engine version, hence of the cache key.
_CLEANUP = "clean1"
# Where a clause ends inside a sentence: the fallback cuts an untranslatable sentence there.
_CLAUSE_BREAK = re.compile(r"[,;:](?=\s)|\s(?:--|\u2013|\u2014)(?=\s)")
_MAX_SPLIT_DEPTH = 6
_MODES_CACHE: dict[str, frozenset[str]] = {}


def installed_modes(program: str = "apertium") -> frozenset[str]:
    """The translation modes ``apertium -l`` lists (empty when Apertium is not installed)."""
    if program in _MODES_CACHE:
        return _MODES_CACHE[program]
    modes: frozenset[str] = frozenset()
    if shutil.which(program):
        try:
            res = subprocess.run([program, "-l"], capture_output=True, text=True, timeout=30)
            modes = frozenset(line.strip() for line in res.stdout.splitlines() if line.strip())
        except (OSError, subprocess.SubprocessError):
            pass
    _MODES_CACHE[program] = modes
    return modes


def package_for(mode: str) -> str:
    """The Debian package that provides ``mode`` (a best guess for pairs not in the table)."""
    a, _, b = mode.partition("-")
    a, b = a.split("_")[0], b.split("_")[0]
    known = _PACKAGES.get(frozenset({a, b}))
    return known or f"apertium-{a}-{b} (or apertium-{b}-{a}; `apt-cache search apertium-` lists the pairs)"


class ApertiumEngine(Engine):
    """An Apertium mode, e.g. ``eng-spa`` (English -> Spanish), run as ``apertium -u MODE``."""

    name = "apertium"
    batch_size = 400

    def __init__(self, mode: str, *, timeout: float | None = 600.0, program: str = "apertium") -> None:
        if not _MODE.fullmatch(mode):
            raise EngineUnavailable(
                f"apertium: bad mode {mode!r}; use a mode like eng-spa or spa-eng (`apertium -l` lists them)"
            )
        src, _, tgt = mode.partition("-")
        super().__init__(src, tgt)
        self.mode = mode
        self.timeout = timeout
        self.program = program

    @property
    def spec(self) -> str:
        return f"apertium:{self.mode}"

    def check(self) -> None:
        if not shutil.which(self.program):
            raise EngineUnavailable(
                f"{self.spec}: Apertium is not installed. Install it with: "
                f"apt-get install apertium {package_for(self.mode).split(' ')[0]}"
            )
        if self.mode not in installed_modes(self.program):
            raise EngineUnavailable(
                f"{self.spec}: Apertium has no mode {self.mode!r}. Install the pair with: "
                f"apt-get install {package_for(self.mode)}"
            )

    @property
    def version(self) -> str:
        cached = getattr(self, "_rt_version", None)
        if cached is None:
            cached = self._rt_version = f"{_mode_version(self.mode, self.program)} {_CLEANUP}"
        return cached

    def _translate(self, sentences: list[str]) -> list[str]:
        if not getattr(self, "_rt_checked", False):
            self.check()
            self._rt_checked = True
        out, n_single = translate_bisecting(self._run, self._single, sentences)
        self.stats.fallbacks += n_single
        return out

    def _run(self, lines: list[str]) -> list[str] | None:
        """One ``apertium`` call; None when its output does not hold one block per line."""
        payload = "".join(line + "\n\n" for line in lines)
        res = run_process([self.program, "-u", self.mode], payload, self.timeout, self.spec)
        self._rt_last_error = res.stderr
        blocks = res.stdout.split("\n\n")
        if blocks and not blocks[-1].strip():
            blocks.pop()
        if res.returncode != 0 or len(blocks) != len(lines):
            return None
        return [clean_output(b.strip()) for b in blocks]

    def _single(self, sentence: str, depth: int = 0) -> str:
        """A sentence that breaks the pipeline on its own: translate it in two parts."""
        halves = _halves(sentence) if depth < _MAX_SPLIT_DEPTH else None
        if halves is None:
            raise EngineError(
                f"{self.spec} fails on {sentence[:120]!r}: {tail(getattr(self, '_rt_last_error', ''))}"
            )
        parts, _ = translate_bisecting(self._run, lambda s: self._single(s, depth + 1), list(halves))
        return " ".join(p for p in parts if p)


def clean_output(text: str) -> str:
    """Apertium's output without the marks ``-u`` leaves (see the module docstring)."""
    if "#" in text:
        text = _GENERATION_MARK.sub("", text)
    if "parquote" in text:
        text = _QUOTE_WORD.sub('"', text)
    return text


def _halves(sentence: str) -> tuple[str, str] | None:
    """Cut at the clause break nearest the middle, else at the space nearest the middle."""
    mid = len(sentence) / 2
    cuts = [m.end() for m in _CLAUSE_BREAK.finditer(sentence)]
    if not cuts:
        cuts = [m.start() for m in re.finditer(r"\s+", sentence)]
    for cut in sorted(cuts, key=lambda c: abs(c - mid)):
        left, right = sentence[:cut].strip(), sentence[cut:].strip()
        if left and right:
            return left, right
    return None


def _mode_version(mode: str, program: str) -> str:
    """``apertium-eng-spa 0.8.1-2`` from dpkg, else a hash of the mode's pipeline files."""
    modes_dirs = [os.environ.get("APERTIUM_DATADIR", ""), "/usr/share/apertium", "/usr/local/share/apertium"]
    mode_file = next((os.path.join(d, "modes", f"{mode}.mode") for d in modes_dirs
                      if d and os.path.exists(os.path.join(d, "modes", f"{mode}.mode"))), None)
    if mode_file and shutil.which("dpkg-query"):
        try:
            owner = subprocess.run(["dpkg-query", "-S", os.path.realpath(mode_file)], capture_output=True,
                                   text=True, timeout=30).stdout.split(":", 1)[0].strip()
            if owner:
                ver = subprocess.run(["dpkg-query", "-W", "-f=${Version}", owner], capture_output=True,
                                     text=True, timeout=30).stdout.strip()
                if ver:
                    return f"{owner} {ver}"
        except (OSError, subprocess.SubprocessError):
            pass
    if mode_file is None:
        return f"{program} {mode}"
    h = hashlib.sha1()
    with open(mode_file, "rb") as fh:
        text = fh.read()
    h.update(text)
    for path in sorted(set(re.findall(rb"'([^']+\.bin)'", text))):
        try:
            st = os.stat(path)
            h.update(f"{path!r}:{st.st_size}:{int(st.st_mtime)}".encode())
        except OSError:
            pass
    return f"{mode} sha1:{h.hexdigest()[:12]}"


register_engine("apertium", ApertiumEngine, "apertium:MODE (e.g. eng-spa, spa-eng, eng-cat, cat-eng): Debian's apertium")
