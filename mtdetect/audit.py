"""Batch audits: stream many inputs through the detector into a resumable output folder.

``run_audit`` reads every input lazily, scores articles in batches (in this process, or
in ``jobs`` worker processes), and appends each finished batch to ``articles.jsonl`` and
``errors.jsonl`` with a flush and an fsync, so a crash or a kill loses at most the batch in
flight. The roll-ups (``summary.json``, ``sources.csv``, ``articles.csv``, ``report.html``)
are computed afterwards by streaming ``articles.jsonl`` once, and written atomically
(temporary file + rename). Memory stays flat in the number of articles: besides one batch
per worker, the audit keeps only the set of article ids seen, one accumulator per outlet
and the ``report_limit`` most suspicious flagged articles for the HTML report.

Resume (``resume=True``): a torn last line left by a kill is cut off, unparseable lines are
dropped (and counted), every id already in ``articles.jsonl`` or ``errors.jsonl`` is skipped,
and error records already written are not written again. Reading the inputs again is cheap
next to scoring them, so resume re-reads everything and scores only what is missing; the
finished folder is the same as that of an uninterrupted run.

Duplicates: an article id met a second time in the inputs is not scored again; it is
counted, warned about (``on_warning``) and listed in ``summary.json``.
"""

from __future__ import annotations

import csv
import heapq
import io
import json
import os
import signal
import sys
import tempfile
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from .budget import install_term_handler, restore_term_handler
from .guard import ArticleLimits, failure_reason
from .prevalence import Z95, wilson_interval  # both part of this module's API
from .io import ReadOptions
from .report import top_finding_of
from .types import Article, InputError

ARTICLES_FILE = "articles.jsonl"
ERRORS_FILE = "errors.jsonl"
ARTICLES_CSV = "articles.csv"
ARTICLES_PARQUET = "articles.parquet"
SUMMARY_FILE = "summary.json"
SOURCES_CSV = "sources.csv"
REPORT_FILE = "report.html"
LINEAGE_FILE = "lineage.jsonl"

ARTICLE_CSV_COLUMNS = (
    "id", "source", "url", "title", "p_mt", "verdict", "source_lang_hint",
    "n_sentences", "n_findings", "top_finding", "published", "path",
)
SOURCE_CSV_COLUMNS = (
    "source", "articles", "flagged", "share_flagged", "share_flagged_low", "share_flagged_high",
    "est_mt_share", "est_mt_share_low", "est_mt_share_high",
    "unsure", "mean_p_mt", "top_artifacts", "source_languages",
)
#: The estimated MT share of an outlet (see :mod:`mtdetect.prevalence`), beside the share flagged.
ESTIMATE_COLUMNS = ("est_mt_share", "est_mt_share_low", "est_mt_share_high")
NO_SOURCE = "(unknown)"


class AuditInterrupted(Exception):
    """The audit was stopped (Ctrl-C or SIGTERM); the output folder is valid and resumable."""


@dataclass(frozen=True)
class AuditConfig:
    """How to run one audit."""

    out: Path
    jobs: int = 1
    resume: bool = False
    batch_size: int = 32
    explain: bool = True
    report_limit: int = 500
    read_options: ReadOptions = field(default_factory=ReadOptions)
    #: What worker processes load: ``(model, fast, timeout, limits)`` for ``Detector.load``.
    model: str | None = None
    fast: bool = False
    timeout: float | None = None
    #: Per-article size limits, checked before analysis (in the workers too).
    limits: ArticleLimits = field(default_factory=ArticleLimits)
    #: Round-trip stage policy (``"all"``, ``"uncertain"``) or None (see :mod:`mtdetect.deep`).
    deep: str | None = None
    #: Where scoring runs: ``"local"`` (this machine; ``jobs`` processes) or ``"dask"``
    #: (a Dask cluster: :mod:`mtdetect.audit_dask`).
    engine: str = "local"
    #: With ``engine="dask"``: worker processes of a LocalCluster started for the audit...
    workers: int | None = None
    #: ...or the address of a running Dask scheduler to use instead (``tcp://host:8786``).
    scheduler: str | None = None
    #: Syndication lineage after scoring (lineage.jsonl, a report section): :mod:`mtdetect.lineage`.
    #: On by default: it holds about 0.2 KB per article (docs/model.md, "Lineage").
    lineage: bool = True
    #: The human-written class the estimated MT share is corrected against: ``"mixed"`` (dev's
    #: mix), ``"original"`` or ``"translation"`` (:data:`mtdetect.prevalence.HUMAN_REFERENCES`).
    #: Only the roll-ups use it, and they are computed over the whole folder at the end of every
    #: run: a resumed audit's estimates all use the reference of the run that resumes it.
    human_reference: str = "mixed"

    def __post_init__(self) -> None:
        if self.jobs < 1:
            raise ValueError(f"jobs must be at least 1, got {self.jobs}")
        if self.batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {self.batch_size}")
        if self.engine not in ("local", "dask"):
            raise ValueError(f"engine must be 'local' or 'dask', got {self.engine!r}")
        if self.workers is not None and self.workers < 1:
            raise ValueError(f"workers must be at least 1, got {self.workers}")
        if self.engine != "dask" and (self.workers is not None or self.scheduler):
            raise ValueError("workers and scheduler are options of the dask engine (engine='dask')")
        from .prevalence import HUMAN_REFERENCES

        if self.human_reference not in HUMAN_REFERENCES:
            raise ValueError(f"human_reference must be one of {', '.join(HUMAN_REFERENCES)}, "
                             f"got {self.human_reference!r}")


@dataclass
class AuditResult:
    """What one call of :func:`run_audit` did, and the roll-up over the whole folder."""

    scored: int = 0
    skipped_resumed: int = 0
    duplicates: int = 0
    new_errors: int = 0
    summary: dict[str, Any] = field(default_factory=dict)
    #: With the dask engine: each worker's peak resident memory (MB), by worker address.
    worker_peak_rss_mb: dict[str, float] = field(default_factory=dict)


# --------------------------------------------------------------------------- statistics


@dataclass
class OutletStats:
    """Running totals for one outlet."""

    articles: int = 0
    flagged: int = 0
    unsure: int = 0
    sum_p: float = 0.0
    #: The estimated MT share reads the text-only scores (``p_mt_text``, ``verdict_text``
    #: when lineage raised a copy's score): its reference error rates were measured on them.
    text_sum_p: float = 0.0
    text_sum_p2: float = 0.0
    text_flagged: int = 0
    artifacts: Counter = field(default_factory=Counter)
    languages: Counter = field(default_factory=Counter)

    def add(self, rec: dict[str, Any]) -> None:
        self.articles += 1
        verdict = rec.get("verdict")
        self.flagged += verdict == "machine_translated"
        self.unsure += verdict == "unsure"
        self.sum_p += float(rec.get("p_mt") or 0.0)
        p_text = float(rec.get("p_mt_text", rec.get("p_mt")) or 0.0)
        self.text_sum_p += p_text
        self.text_sum_p2 += p_text * p_text
        self.text_flagged += rec.get("verdict_text", verdict) == "machine_translated"
        for f in rec.get("findings") or ():
            self.artifacts[f"{f.get('kind')}/{f.get('rule')}"] += 1
        if rec.get("source_lang_hint") and verdict != "human":
            self.languages[rec["source_lang_hint"]] += 1

    def row(self, source: str, reference=None) -> dict[str, Any]:
        """The outlet's ``sources.csv`` row; ``reference`` (a :class:`mtdetect.prevalence.Reference`)
        gives the estimated MT share, else those columns are empty."""
        lo, hi = wilson_interval(self.flagged, self.articles, Z95)
        return {
            "source": source,
            "articles": self.articles,
            "flagged": self.flagged,
            "share_flagged": round(self.flagged / self.articles, 4) if self.articles else 0.0,
            "share_flagged_low": round(lo, 4),
            "share_flagged_high": round(hi, 4),
            **self.estimated_share(reference),
            "unsure": self.unsure,
            "mean_p_mt": round(self.sum_p / self.articles, 4) if self.articles else 0.0,
            "top_artifacts": "; ".join(f"{k} ({n})" for k, n in self.artifacts.most_common(3)),
            "source_languages": "; ".join(f"{k} ({n})" for k, n in self.languages.most_common(3)),
        }

    def estimated_share(self, reference) -> dict[str, float | None]:
        """``est_mt_share`` and its 95% interval (None without a reference or articles)."""
        if reference is None or not self.articles:
            return dict.fromkeys(ESTIMATE_COLUMNS)
        from .prevalence import ScoreSums, estimate

        # flagged counts p_mt >= the high threshold: the cut of the reference's TPR/FPR
        est = estimate(ScoreSums(self.articles, self.text_sum_p, self.text_sum_p2, self.text_flagged), reference)
        return {k: v for k, v in est.to_dict().items() if k in ESTIMATE_COLUMNS}


# --------------------------------------------------------------------------- output files


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file in the same folder and a rename."""
    with _AtomicFile(path) as fh:
        fh.write(text)


def repair_jsonl(path: Path) -> int:
    """Make ``path`` a clean JSON Lines file; return the number of lines dropped.

    A kill can leave a torn last line (no newline, or half a JSON object); any line that is
    not a JSON object is dropped. The file is read line by line (it may be large) and
    rewritten atomically only if something has to go.
    """
    if not path.exists():
        return 0
    dropped = sum(1 for line in _raw_lines(path) if not _is_whole_object(line))
    if dropped:
        with _AtomicFile(path) as fh:
            for line in _raw_lines(path):
                if _is_whole_object(line):
                    fh.write(line.decode("utf-8"))
    return dropped


def _raw_lines(path: Path) -> Iterator[bytes]:
    """The non-blank lines of a file as bytes, each with its newline if it has one."""
    with path.open("rb") as fh:
        for line in fh:
            if line.strip():
                yield line


def _is_whole_object(line: bytes) -> bool:
    """A complete line (newline included; a kill cuts the last one short) holding a JSON object."""
    return line.endswith(b"\n") and _is_json_object(line)


def _is_json_object(line: bytes) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except (ValueError, UnicodeDecodeError):
        return False


def iter_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """The JSON objects of a JSON Lines file, skipping lines that do not parse."""
    if not path.exists():
        return
    with path.open("r", encoding="utf-8", errors="replace") as fh:
        for line in fh:
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if isinstance(obj, dict):
                yield obj


class _Appender:
    """Appends JSON lines; each batch is one write, then flush and fsync."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh: TextIO = path.open("a", encoding="utf-8", newline="\n")

    def write(self, records: Iterable[dict[str, Any] | str]) -> None:
        """Append ``records``: dicts, or lines already encoded as JSON (by a worker)."""
        payload = "".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in records)
        if payload:
            self._fh.write(payload)
            self._fh.flush()
            os.fsync(self._fh.fileno())

    def close(self) -> None:
        self._fh.close()


def error_record(input: str, reason: str, line: int | None = None, id: str | None = None) -> dict[str, Any]:
    """One line of ``errors.jsonl``."""
    return {"input": input, "line": line, "id": id, "reason": reason}


def _error_key(rec: dict[str, Any]) -> tuple:
    return (rec.get("input"), rec.get("line"), rec.get("id"), rec.get("reason"))


# --------------------------------------------------------------------------- scoring


_WORKER_DETECTOR = None


def _worker_init(model: str | None, fast: bool, timeout: float | None, limits: ArticleLimits,
                 deep: str | None, threads: int) -> None:
    """Load one detector per worker process; Ctrl-C is handled by the parent only."""
    global _WORKER_DETECTOR
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER_DETECTOR = load_detector(model, fast, timeout, limits, deep)
    if getattr(_WORKER_DETECTOR.model, "use_embeddings", False):
        # share the cores between workers; a model without embeddings never imports torch
        import torch

        torch.set_num_threads(threads)


def load_detector(model: str | None, fast: bool, timeout: float | None, limits: ArticleLimits | None = None,
                  deep: str | None = None):
    """``Detector.load`` with the audit's options."""
    from .detector import Detector

    return Detector.load(model, fast=fast, timeout=timeout, limits=limits, deep=deep)


def _worker_score(articles: list[Article], explain: bool) -> list[dict[str, Any]]:
    return score_batch(_WORKER_DETECTOR, articles, explain)


def score_batch(detector, articles: list[Article], explain: bool) -> list[dict[str, Any]]:
    """Score a batch; each result is ``{"article": JSON line}`` or ``{"error": dict}``.

    Articles are encoded here, where the scoring ran: with worker processes the parent
    receives one string per article instead of unpickling and encoding a nested dict.
    """
    out = []
    for art, rep in zip(articles, detector.score_many(articles, batch_size=len(articles) or 1)):
        if rep.error:
            out.append({"error": error_record(art.path or art.id, rep.error, id=art.id)})
            continue
        try:
            out.append({"article": json.dumps(rep.to_dict(explain), ensure_ascii=False)})
        except Exception as exc:  # noqa: BLE001 - a report that cannot be written is this article's error
            reason = failure_reason(exc, "output")
            out.append({"error": error_record(art.path or art.id, f"article {art.id}: {reason}", id=art.id)})
    return out


class _InProcess:
    """Runs batches in this process (``jobs == 1``)."""

    def __init__(self, detector, explain: bool) -> None:
        self.detector, self.explain = detector, explain

    def submit(self, batch: list[Article]) -> Callable[[], list[dict[str, Any]]]:
        result = score_batch(self.detector, batch, self.explain)
        return lambda: result

    def close(self, cancel: bool = False) -> None:
        pass


class _Pool:
    """Runs batches in worker processes, keeping at most ``2 * jobs`` batches in flight.

    A worker that dies (killed, out of memory, a crash in native code) breaks the whole
    process pool: the pool is then restarted and the batches it held are scored again one
    article per task, so that an article that kills its worker again becomes that
    article's error record and every other article is still scored.
    """

    def __init__(self, config: AuditConfig, score=None) -> None:
        self.config = config
        self.explain = config.explain
        #: The task run in a worker: ``score(articles, explain)`` (a test can swap it in).
        self.score = score or _worker_score
        self.generation = 0
        self.pool = self._start()

    def _start(self) -> ProcessPoolExecutor:
        import multiprocessing

        config = self.config
        threads = max(1, (os.cpu_count() or 1) // config.jobs)
        return ProcessPoolExecutor(
            max_workers=config.jobs,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_worker_init,
            initargs=(config.model, config.fast, config.timeout, config.limits, config.deep, threads),
        )

    def _restart(self, generation: int) -> None:
        """Replace a broken pool (once per breakage, however many futures report it)."""
        if generation == self.generation:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = self._start()
            self.generation += 1

    def submit(self, batch: list[Article]) -> Callable[[], list[dict[str, Any]]]:
        generation = self.generation
        fut: Future = self.pool.submit(self.score, batch, self.explain)

        def result() -> list[dict[str, Any]]:
            try:
                return fut.result()
            except BrokenProcessPool:
                self._restart(generation)
            except Exception:  # noqa: BLE001 - e.g. a batch that cannot be sent to a worker
                pass
            return [self._score_alone(art) for art in batch]

        return result

    def _score_alone(self, article: Article) -> dict[str, Any]:
        """Score one article in its own task; its failure is its own error record."""
        generation = self.generation
        try:
            (record,) = self.pool.submit(self.score, [article], self.explain).result()
            return record
        except BrokenProcessPool:
            self._restart(generation)
            reason = "the worker process died while scoring this article (out of memory or killed?)"
        except Exception as exc:  # noqa: BLE001 - reported as this article's error
            reason = failure_reason(exc, "worker")
        where = article.path or article.id
        which = f"article {article.id}: " if article.id != where else ""
        return {"error": error_record(where, which + reason, id=article.id)}

    def close(self, cancel: bool = False) -> None:
        self.pool.shutdown(wait=not cancel, cancel_futures=cancel)


# --------------------------------------------------------------------------- the audit


@dataclass
class _State:
    done_ids: set[str]
    written_errors: set[tuple]
    seen_ids: set[str] = field(default_factory=set)
    duplicate_examples: list[dict[str, Any]] = field(default_factory=list)


def run_audit(
    inputs: list[str],
    config: AuditConfig,
    *,
    detector=None,
    on_warning: Callable[[str], None] | None = None,
    progress: "AuditProgress | None" = None,
    on_client: Callable[[Any], None] | None = None,
) -> AuditResult:
    """Audit ``inputs`` into ``config.out``; see the module docstring for the guarantees.

    With ``config.engine == "dask"`` the work runs on a Dask cluster
    (:func:`mtdetect.audit_dask.run_dask_audit`; ``on_client(client)`` is called once it is up).

    ``detector`` is used in-process when ``config.jobs == 1`` (else loaded from
    ``config.model``/``config.fast``). Raises :class:`AuditInterrupted` on Ctrl-C/SIGTERM
    after the output written so far has been made consistent.
    """
    if config.engine == "dask":
        from .audit_dask import run_dask_audit

        return run_dask_audit(inputs, config, detector=detector, on_warning=on_warning, progress=progress,
                              on_client=on_client)
    warn = on_warning or (lambda msg: None)
    started = time.time()
    if detector is None:
        # Also with worker processes: the parent's copy names the model and its thresholds
        # in the summary (embeddings load lazily, so this costs little).
        detector = load_detector(config.model, config.fast, config.timeout, config.limits, config.deep)
    reference = prevalence_reference(detector, config.human_reference)  # an impossible one: refused before any work
    out = config.out
    out.mkdir(parents=True, exist_ok=True)
    articles_path, errors_path = out / ARTICLES_FILE, out / ERRORS_FILE
    if not config.resume:
        clear_outputs(out)
    result = AuditResult()
    dropped = repair_jsonl(articles_path) + repair_jsonl(errors_path)
    if dropped:
        warn(f"resume: dropped {dropped} incomplete line(s) left by an interrupted run")
    done_models: Counter = Counter()
    done_ids: set[str] = set()
    for rec in iter_jsonl(articles_path):
        done_ids.add(str(rec.get("id")))
        done_models[str(rec.get("model"))] += 1
    check_same_model(out, done_models, detector.model.model_id)
    state = _State(done_ids=done_ids, written_errors=set())
    for err in iter_jsonl(errors_path):
        state.written_errors.add(_error_key(err))
        if err.get("id") is not None:
            state.done_ids.add(str(err["id"]))
    runner: _InProcess | _Pool = _InProcess(detector, config.explain) if config.jobs == 1 else _Pool(config)

    articles_out, errors_out = _Appender(articles_path), _Appender(errors_path)
    pending: deque[Callable[[], list[dict[str, Any]]]] = deque()
    max_pending = 2 * config.jobs

    def drain(limit: int) -> None:
        while len(pending) > limit:
            results = pending.popleft()()
            arts = [r["article"] for r in results if "article" in r]
            errs = [r["error"] for r in results if "error" in r]
            _write_errors(errs)
            articles_out.write(arts)
            result.scored += len(arts)
            if progress:
                progress.articles_done(len(arts) + len(errs))

    def _write_errors(errs: list[dict[str, Any]]) -> None:
        fresh = [e for e in errs if _error_key(e) not in state.written_errors]
        state.written_errors.update(_error_key(e) for e in fresh)
        errors_out.write(fresh)
        result.new_errors += len(fresh)

    previous_term = install_term_handler()
    interrupted = False
    try:
        batch: list[Article] = []
        for item in _items(inputs, config.read_options, progress):
            if item is _BOUNDARY:
                if batch:
                    pending.append(runner.submit(batch))
                    batch = []
                    drain(max_pending - 1)
                continue
            if isinstance(item, InputError):
                _write_errors([error_record(item.input, item.reason, item.line, item.id)])
                continue
            if item.id in state.seen_ids:
                result.duplicates += 1
                where = item.path or "?"
                warn(f"duplicate article id {item.id!r} in {where}: reported once")
                if len(state.duplicate_examples) < 100:
                    state.duplicate_examples.append({"id": item.id, "input": where})
                continue
            state.seen_ids.add(item.id)
            if item.id in state.done_ids:
                result.skipped_resumed += 1
                continue
            batch.append(item)
            if len(batch) >= config.batch_size:
                pending.append(runner.submit(batch))
                batch = []
                drain(max_pending - 1)
        if batch:
            pending.append(runner.submit(batch))
        drain(0)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        restore_term_handler(previous_term)
        runner.close(cancel=interrupted)
        articles_out.close()
        errors_out.close()
    if interrupted:
        raise AuditInterrupted(f"interrupted; {result.scored} articles written this run; rerun with --resume to finish")

    result.summary = finish_audit(out, inputs, config, detector, result, state.duplicate_examples, started,
                                  reference=reference)
    return result


def check_same_model(out: Path, done_models: dict[str, int], model_id: str) -> None:
    """Refuse to resume a folder whose articles another model scored (``done_models``: each
    model id already in the folder, with its count of articles).

    A resume with other options (``--fast``, ``--model``, ``--deep``, ``--cascade``) would
    otherwise add scores of another model, judged by other cuts, to a summary that names one
    model only.
    """
    others = {m: n for m, n in done_models.items() if m != model_id}
    if not others:
        return
    earlier = ", ".join(f"{n} by {m!r}" for m, n in sorted(others.items()))
    raise ValueError(f"cannot resume {out}: {earlier} of its articles were scored by another model than "
                     f"this run's {model_id!r}; resume with the earlier run's --model/--fast/--deep/--cascade "
                     f"options, or audit into a new --out (or without --resume, which starts {out} again)")


def finish_audit(out: Path, inputs: list[str], config: AuditConfig, detector, result: AuditResult,
                 duplicate_examples: list[dict[str, Any]], started: float, *, reference) -> dict[str, Any]:
    """The roll-ups of a finished scoring pass (both engines); ``reference``: the estimated MT
    share's reference, as :func:`prevalence_reference` gave it before the scoring pass."""
    return write_rollups(
        out,
        inputs=inputs,
        model_id=detector.model.model_id,
        thresholds=_thresholds(detector),
        duplicates=result.duplicates,
        duplicate_examples=duplicate_examples,
        report_limit=config.report_limit,
        elapsed=time.time() - started,
        scored_this_run=result.scored,
        prevalence_reference=reference,
        lineage=config.lineage,
        lineage_embedder=_embedder_for_lineage(detector),
    )


def clear_outputs(out: Path) -> None:
    """Remove what an earlier audit wrote to ``out`` (a new audit, not a resume)."""
    import shutil

    for name in (ARTICLES_FILE, ERRORS_FILE, ARTICLES_CSV, ARTICLES_PARQUET, SUMMARY_FILE, SOURCES_CSV, REPORT_FILE,
                 LINEAGE_FILE):
        (out / name).unlink(missing_ok=True)
    shutil.rmtree(out / ".parts", ignore_errors=True)  # the dask engine's partition results


def _embedder_for_lineage(detector):
    model = detector.model
    return getattr(model, "embedder", None) if getattr(model, "use_embeddings", False) else None


def prevalence_reference(detector, human_reference: str = "mixed"):
    """The :class:`mtdetect.prevalence.Reference` the estimated MT share uses, or None.

    ``human_reference`` other than ``"mixed"`` matches its human class (:meth:`Reference.matched`);
    a ValueError says why when that is impossible (a model without a reference, or a card
    without the statistics per kind of human-written article).
    """
    from .prevalence import HUMAN_REFERENCE_NAMES, describe, reference_for_model

    ref = reference_for_model(getattr(detector, "model", None))
    if human_reference == "mixed":
        return ref
    if ref is None:
        raise ValueError(f"--human-reference {human_reference}: cannot correct against "
                         f"{HUMAN_REFERENCE_NAMES[human_reference]}: {describe(None)['note']}")
    try:
        return ref.matched(human_reference)
    except ValueError as exc:
        raise ValueError(f"--human-reference {human_reference}: {exc}") from None


def _prevalence_note(reference) -> dict[str, Any]:
    from .prevalence import describe

    return describe(reference)


def _thresholds(detector) -> dict | None:
    th = getattr(getattr(detector, "model", None), "thresholds", None)
    return None if th is None else th.to_dict()


#: Yielded by :func:`_items` between partitions: the batch in progress is scored then.
_BOUNDARY = object()


def _items(inputs: list[str], options: ReadOptions, progress: "AuditProgress | None"):
    """Articles and errors from every input, partition by partition (:mod:`mtdetect.partitions`),
    with :data:`_BOUNDARY` after each partition (so batches never span two: the Dask engine
    scores the same batches)."""
    from .partitions import Partition, plan_partitions, read_partition

    plan = list(plan_partitions(inputs, options, allow_stdin=True))
    if progress:
        progress.plan([p for p in plan if isinstance(p, Partition)])
    for p in plan:
        if isinstance(p, InputError):
            yield p
            continue
        yield from read_partition(p, options)
        yield _BOUNDARY
        if progress:
            progress.partition_done(p)


# --------------------------------------------------------------------------- roll-ups


def write_rollups(
    out: Path,
    *,
    inputs: list[str],
    model_id: str | None,
    thresholds: dict[str, float] | None,
    duplicates: int,
    duplicate_examples: list[dict[str, Any]],
    report_limit: int,
    elapsed: float,
    scored_this_run: int,
    prevalence_reference=None,  # a mtdetect.prevalence.Reference: the estimated MT share columns
    lineage: bool = False,
    lineage_embedder=None,
) -> dict[str, Any]:
    """Stream ``articles.jsonl`` once into articles.csv, sources.csv, summary.json, report.html.

    With ``lineage``, :func:`mtdetect.lineage.write_lineage` first computes lineage.jsonl
    from it (counts in summary.json, a "Syndicated copies" section in report.html) and puts
    each machine-translated copy's link into the copy's record (findings, ``p_mt``,
    verdict), so the roll-ups count it; without, evidence an earlier run put there is removed.
    """
    from .html_report import render_audit_html

    lin = None
    if lineage:
        from .lineage import write_lineage

        lin = write_lineage(out, embedder=lineage_embedder, thresholds=thresholds)
    else:
        from .lineage.patch import restore_text_scores

        restore_text_scores(out / ARTICLES_FILE)
        (out / LINEAGE_FILE).unlink(missing_ok=True)
    outlets: dict[str, OutletStats] = defaultdict(OutletStats)
    overall = OutletStats()
    flagged_heap: list[tuple[float, int, dict[str, Any]]] = []
    from .parquet_out import write_articles_parquet

    # one row per article, findings and sentences as nested columns (about 1% of the audit's time)
    write_articles_parquet(out / ARTICLES_FILE, out / ARTICLES_PARQUET)
    with _AtomicFile(out / ARTICLES_CSV) as csv_fh:
        writer = csv.DictWriter(csv_fh, fieldnames=ARTICLE_CSV_COLUMNS)
        writer.writeheader()
        for n, rec in enumerate(iter_jsonl(out / ARTICLES_FILE)):
            writer.writerow(article_csv_row(rec))
            source = rec.get("source") or NO_SOURCE
            outlets[source].add(rec)
            overall.add(rec)
            if rec.get("verdict") == "machine_translated" and report_limit > 0:
                item = (float(rec.get("p_mt") or 0.0), -n, rec)
                if len(flagged_heap) < report_limit:
                    heapq.heappush(flagged_heap, item)
                else:
                    heapq.heappushpop(flagged_heap, item)
    n_errors, first_errors = 0, []
    for err in iter_jsonl(out / ERRORS_FILE):
        n_errors += 1
        if len(first_errors) < 200:
            first_errors.append(err)
    source_rows = sorted(
        (stats.row(name, prevalence_reference) for name, stats in outlets.items()),
        key=lambda r: (-r["share_flagged"], -r["articles"], r["source"]),
    )
    lo, hi = wilson_interval(overall.flagged, overall.articles, Z95)
    overall_est = overall.estimated_share(prevalence_reference)
    summary = {
        "articles": overall.articles,
        "errors": n_errors,
        "duplicates": duplicates,
        "duplicate_examples": duplicate_examples,
        "verdicts": {
            "machine_translated": overall.flagged,
            "unsure": overall.unsure,
            "human": overall.articles - overall.flagged - overall.unsure,
        },
        "share_flagged": round(overall.flagged / overall.articles, 4) if overall.articles else 0.0,
        "share_flagged_95ci": [round(lo, 4), round(hi, 4)],
        "est_mt_share": overall_est["est_mt_share"],
        "est_mt_share_95ci": [overall_est["est_mt_share_low"], overall_est["est_mt_share_high"]],
        "prevalence": _prevalence_note(prevalence_reference),
        "mean_p_mt": round(overall.sum_p / overall.articles, 4) if overall.articles else 0.0,
        "sources": len(outlets),
        "top_artifacts": dict(overall.artifacts.most_common(10)),
        "source_languages": dict(overall.languages.most_common()),
        "model": model_id,
        "thresholds": thresholds,
        "inputs": inputs,
        "scored_this_run": scored_this_run,
        "seconds_this_run": round(elapsed, 2),
        "by_source": source_rows,
    }
    lineage_html = None
    if lin is not None:
        summary["lineage"] = lin.summary
        lineage_html = lin.section_html(frozenset(str(r.get("id")) for _, _, r in flagged_heap))
    from . import __version__

    summary["mtdetect_version"] = __version__
    atomic_write_text(out / SUMMARY_FILE, json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
    src_buf = io.StringIO()
    src_writer = csv.DictWriter(src_buf, fieldnames=SOURCE_CSV_COLUMNS)
    src_writer.writeheader()
    src_writer.writerows(source_rows)
    atomic_write_text(out / SOURCES_CSV, src_buf.getvalue())
    flagged = [rec for _, _, rec in sorted(flagged_heap, key=lambda t: (-t[0], -t[1]))]
    atomic_write_text(out / REPORT_FILE, render_audit_html(summary, source_rows, flagged, first_errors,
                                                                lineage_html=lineage_html))
    return summary


class _AtomicFile:
    """A file written under a temporary name and renamed into place on success (text by
    default; ``binary=True`` for bytes). It gets the permissions of the file it replaces,
    else those the umask gives a new file."""

    def __init__(self, path: Path, binary: bool = False) -> None:
        self.path = path
        self.binary = binary

    def __enter__(self):
        fd, self._tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        try:
            mode = os.stat(self.path).st_mode & 0o7777
        except OSError:
            mode = 0o666 & ~_current_umask()  # mkstemp's 0600 would surprise users
        os.chmod(self._tmp, mode)
        self._fh = os.fdopen(fd, "wb") if self.binary else os.fdopen(fd, "w", encoding="utf-8", newline="")
        return self._fh

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                self._fh.flush()
                os.fsync(self._fh.fileno())
        finally:
            self._fh.close()
        if exc_type is None:
            os.replace(self._tmp, self.path)
        else:
            os.unlink(self._tmp)


def article_csv_row(rec: dict[str, Any]) -> dict[str, Any]:
    """The flat ``articles.csv`` row of one ``articles.jsonl`` record."""
    p = rec.get("p_mt")
    return {
        "id": rec.get("id"),
        "source": rec.get("source") or "",
        "url": rec.get("url") or "",
        "title": rec.get("title") or "",
        "p_mt": "" if p is None else f"{p:.4f}",
        "verdict": rec.get("verdict") or "",
        "source_lang_hint": rec.get("source_lang_hint") or "",
        "n_sentences": len(rec.get("sentences") or ()),
        "n_findings": len(rec.get("findings") or ()),
        "top_finding": top_finding_of(rec.get("findings") or ()),
        "published": rec.get("published") or "",
        "path": rec.get("path") or "",
    }


# --------------------------------------------------------------------------- progress


class AuditProgress:
    """A rich progress bar over input files, with articles/s; silent when not a terminal."""

    def __init__(self, enabled: bool | None = None, stream: TextIO | None = None) -> None:
        stream = stream or sys.stderr
        self.enabled = stream.isatty() if enabled is None else enabled
        self._articles = 0
        self._start = time.monotonic()
        self._task = None
        self._progress = None
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self._progress = Progress(
                TextColumn("auditing"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("files  {task.fields[articles]} articles  {task.fields[rate]} articles/s"),
                TimeRemainingColumn(),
                console=Console(file=stream),
                transient=False,
            )

    def __enter__(self) -> "AuditProgress":
        if self._progress is not None:
            self._progress.start()
            self._task = self._progress.add_task("audit", total=None, articles=0, rate="-")
        return self

    def __exit__(self, *exc) -> None:
        if self._progress is not None:
            self._progress.stop()

    def plan(self, partitions) -> None:
        """The partitions to come (:mod:`mtdetect.partitions`): the bar counts their files."""
        self._files_left: dict[str, int] = {}
        for p in partitions:
            for path in p.paths:
                self._files_left[path] = self._files_left.get(path, 0) + 1
        self.set_total_files(len(self._files_left))

    def partition_done(self, partition) -> None:
        """A partition of :meth:`plan` is finished: a file is done with its last partition."""
        for path in partition.paths:
            self._files_left[path] -= 1
            if self._files_left[path] == 0:
                self.file_done()

    def set_total_files(self, n: int) -> None:
        if self._progress is not None:
            self._progress.update(self._task, total=n)

    def file_done(self) -> None:
        if self._progress is not None:
            self._progress.advance(self._task)

    def articles_done(self, n: int) -> None:
        self._articles += n
        if self._progress is not None:
            rate = self._articles / max(time.monotonic() - self._start, 1e-9)
            self._progress.update(self._task, articles=self._articles, rate=f"{rate:.1f}")
