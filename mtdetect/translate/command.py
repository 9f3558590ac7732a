"""Any program that translates lines: ``cmd:"PROGRAM ARGS"``.

The protocol is one sentence per line: the program reads UTF-8 lines on stdin and writes one
translated line per input line on stdout, then exits. A batch of sentences is one run of
the program (``/bin/sh -c COMMAND``, so pipes work). So users can plug in the engine they
suspect a content farm of using, e.g.::

    --engine 'cmd:en-es:"trans -b -s {src} -t {tgt}",cmd:es-en:"trans -b -s {src} -t {tgt}"'
    --pivot es --engine 'cmd:"my-mt --from {src} --to {tgt}"'   # the same round trip

``{src}`` and ``{tgt}`` in the command are replaced by the languages named in the spec
(``cmd:en-es:...``) or given by ``--pivot``. A run that exits non-zero or outlives
``timeout`` seconds is an error (its process group is killed). A run that answers with the
wrong number of lines is retried on halves of the batch down to single sentences; a single
sentence answered on several lines gets them joined with spaces. The cache key is the
command string: change it (or use ``--no-cache``) after changing the program.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil

from .base import Engine, EngineError, EngineUnavailable, register_engine, run_process, tail, translate_bisecting

_LANGS = re.compile(r"([a-z]{2,3}(?:_[A-Za-z0-9_]+)?)-([a-z]{2,3}(?:_[A-Za-z0-9_]+)?):(.*)", re.S)
_PLACEHOLDER = re.compile(r"\{(src|tgt)\}")


class CommandEngine(Engine):
    """A line-in, line-out program run once per batch of sentences."""

    name = "cmd"
    batch_size = 200

    def __init__(self, command: str, source: str | None = None, target: str | None = None,
                 *, timeout: float | None = 300.0, shell: str = "/bin/sh") -> None:
        command = command.strip()
        if not command:
            raise EngineUnavailable('cmd: empty command; use cmd:"PROGRAM ARGS" (one sentence per line in and out)')
        super().__init__(source, target)
        self.command = command
        self.timeout = timeout
        self.shell = shell
        needed = set(_PLACEHOLDER.findall(command))
        if ("src" in needed and not source) or ("tgt" in needed and not target):
            raise EngineUnavailable(
                f"cmd: {command!r} uses {{src}}/{{tgt}}; name the languages (cmd:en-es:\"...\") or pass --pivot"
            )

    @classmethod
    def from_spec(cls, arg: str, source: str | None = None, target: str | None = None) -> "CommandEngine":
        """``"COMMAND"``, ``COMMAND`` or ``SRC-TGT:"COMMAND"`` (quotes around the command optional).

        ``source``/``target`` name the languages when the spec does not (``--pivot``).
        """
        m = _LANGS.fullmatch(arg.strip())
        if m:
            source, target, arg = m.group(1), m.group(2), m.group(3)
        return cls(_unquote(arg), source, target)

    def with_languages(self, source: str, target: str) -> "CommandEngine":
        """A copy for a given direction (how ``--pivot`` turns one command into a round trip)."""
        return CommandEngine(self.command, source, target, timeout=self.timeout, shell=self.shell)

    @property
    def spec(self) -> str:
        langs = f"{self.source}-{self.target}:" if self.source and self.target else ""
        return f'cmd:{langs}"{self.command}"'

    @property
    def version(self) -> str:
        return os.environ.get("MTDETECT_CMD_VERSION", "")

    @property
    def argv(self) -> list[str]:
        """The command line run for every batch."""
        cmd = _PLACEHOLDER.sub(lambda m: (self.source if m.group(1) == "src" else self.target) or "", self.command)
        return [self.shell, "-c", cmd]

    def check(self) -> None:
        try:
            first = shlex.split(self.command)[0]
        except (ValueError, IndexError):
            return  # let the shell report it
        if "=" in first or first in {"(", "{", "exec", "env"}:
            return
        if not (shutil.which(first) or os.path.exists(first)):
            raise EngineUnavailable(f"{self.spec}: program not found: {first}")

    def _translate(self, sentences: list[str]) -> list[str]:
        out, n_single = translate_bisecting(self._run, self._single, sentences)
        self.stats.fallbacks += n_single
        return out

    def _call(self, lines: list[str]):
        res = run_process(self.argv, "".join(line + "\n" for line in lines), self.timeout, self.spec)
        if res.returncode != 0:
            raise EngineError(f"{self.spec} exited with status {res.returncode}: {tail(res.stderr)}")
        out = res.stdout[:-1] if res.stdout.endswith("\n") else res.stdout
        return out.split("\n") if out else []

    def _run(self, lines: list[str]) -> list[str] | None:
        got = self._call(lines)
        return got if len(got) == len(lines) else None

    def _single(self, sentence: str) -> str:
        got = [g.strip() for g in self._call([sentence]) if g.strip()]
        if not got:
            raise EngineError(f"{self.spec} gave no output for {sentence[:120]!r}")
        return " ".join(got)


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return text


register_engine("cmd", CommandEngine.from_spec,
                'cmd:"PROGRAM {src} {tgt}" | cmd:SRC-TGT:"PROGRAM": any program, one sentence per line')
