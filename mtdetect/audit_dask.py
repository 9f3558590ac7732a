"""The audit on a Dask cluster (``mtdetect audit --engine dask``).

The client plans **partitions** from the inputs, the workers read and score them, and the
client merges what they wrote into the same output folder as the one-machine audit
(:func:`mtdetect.audit.run_audit`), then computes the same roll-ups.

* **Partitions** (:mod:`mtdetect.partitions`): runs of Parquet row groups, one JSONL/CSV
  file, or a group of small files. Workers open the files themselves: the paths must be
  readable on every worker (a shared or network file system on a real cluster).
* **One detector per worker process**: :class:`DetectorPlugin` loads it when the worker
  starts (and for workers that join later); tasks take it from a per-process cache, so a
  detector is never loaded per partition.
* **Atomic results**: a worker writes its partition's records, in reading order, to
  ``OUT/.parts/<key>.jsonl`` through a temporary file and a rename; the task returns only
  counts. A partition whose worker dies is rerun by the scheduler on another worker; a
  partition that kills ``distributed.scheduler.allowed-failures`` workers in a row becomes an
  error record per file it covers (and is retried by ``--resume``).
* **Resume**: ``--resume`` skips every partition whose part file exists. A partition's key
  is a hash of its files (names, sizes, modification times) and row groups, so a changed
  input is scored again.
* **Merge**: the parts are read in plan order, which is the order the one-machine audit
  reads the inputs, with the same rules: the first article with an id wins, a later one is
  counted as a duplicate and warned about; an error record is written once. Both engines
  start a scoring batch at each partition boundary, so the per-article records are
  byte-identical to those of a one-machine run of the same inputs. (One exception: an id
  met again in a *later partition* is skipped before scoring on one machine but scored,
  then dropped, by its worker, which changes that partition's batches; with the int8
  encoder of the default models the scores of its batch-mates then move by up to about
  0.01. The fast model's scores never depend on batching.)

Standard input cannot be distributed (workers cannot read the client's stdin): it is
reported as an error; save it to a file.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from distributed.diagnostics.plugin import WorkerPlugin

from .guard import ArticleLimits, failure_reason
from .io import ReadOptions
from .partitions import Partition, plan_partitions, read_partition
from .types import Article, InputError

if TYPE_CHECKING:  # pragma: no cover
    from .audit import AuditConfig, AuditProgress, AuditResult

PARTS_DIR = ".parts"

__all__ = [
    "DetectorPlugin", "Partition", "WorkerSettings", "plan_partitions", "run_dask_audit", "score_partition",
]


# --------------------------------------------------------------------------- on the workers


@dataclass(frozen=True)
class WorkerSettings:
    """What a worker needs to load its detector and score a partition (picklable)."""

    model: str | None = None
    fast: bool = False
    timeout: float | None = None
    limits: ArticleLimits = field(default_factory=ArticleLimits)
    deep: str | None = None
    explain: bool = True
    batch_size: int = 32
    read_options: ReadOptions = field(default_factory=ReadOptions)
    #: torch threads per worker process (None: leave torch's default).
    torch_threads: int | None = None

    @property
    def detector_key(self) -> tuple:
        return (self.model, self.fast, self.timeout, self.limits, self.deep, self.torch_threads)


#: Detectors of this process by settings, most recent last (at most two: an audit and a
#: ``score_dataframe`` call with other options may share a long-lived cluster).
_DETECTORS: dict[tuple, Any] = {}
_KEEP_DETECTORS = 2
#: How many detectors this process loaded (a test checks it is one per worker).
LOADS = {"count": 0}


def worker_detector(settings: WorkerSettings):
    """The detector for ``settings`` in this process, loaded once."""
    key = settings.detector_key
    det = _DETECTORS.pop(key, None)
    if det is None:
        from .audit import load_detector

        det = load_detector(settings.model, settings.fast, settings.timeout, settings.limits, settings.deep)
        if settings.torch_threads and getattr(det.model, "use_embeddings", False):
            # Dask's nanny starts workers with OMP_NUM_THREADS=1; the encoder applies its own
            # thread count in the thread that encodes
            det.model.ensure_embedder()
            if hasattr(det.model.embedder, "threads"):
                det.model.embedder.threads = settings.torch_threads
        LOADS["count"] += 1
    _DETECTORS[key] = det
    while len(_DETECTORS) > _KEEP_DETECTORS:
        _DETECTORS.pop(next(iter(_DETECTORS)))
    return det


class DetectorPlugin(WorkerPlugin):
    """A Dask worker plugin that loads the detector when a worker starts.

    Registered with ``Client.register_plugin``; workers that join the cluster later get it
    too.
    """

    name = "mtdetect-detector"

    def __init__(self, settings: WorkerSettings) -> None:
        self.settings = settings

    def setup(self, worker=None) -> None:
        worker_detector(self.settings)


def _read(part: Partition, options: ReadOptions) -> Iterator[Article | InputError]:
    from .io import read_articles

    if part.row_groups is not None:
        from .io import read_parquet

        yield from read_parquet(part.paths[0], options, row_groups=list(part.row_groups))
    else:
        yield from read_articles(list(part.paths), options)


def _line(kind: str, head: Any, body: str | None = None) -> str:
    text = f"{kind}\t{json.dumps(head, ensure_ascii=False)}"
    return text + (f"\t{body}\n" if body is not None else "\n")


def score_partition(part: Partition, settings: WorkerSettings, parts_dir: str) -> dict[str, Any]:
    """Read and score one partition; write its records atomically to ``parts_dir/<key>.jsonl``.

    Lines, in reading order: ``a\\t[id, path]\\t<article record>`` (a scored article),
    ``s\\t[id, path]\\t<error record>`` (an article that could not be scored),
    ``d\\t[id, path]`` (an id met again within the partition: not scored),
    ``i\\t<error record>`` (an input error from reading). Returns counts.
    """
    from .audit import error_record, score_batch

    started = time.monotonic()
    detector = worker_detector(settings)
    target = Path(parts_dir) / f"{part.key}.jsonl"
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    counts = {"articles": 0, "errors": 0, "duplicates": 0, "input_errors": 0}
    seen: set[str] = set()
    batch: list[Article] = []

    def flush(fh) -> None:
        for art, res in zip(batch, score_batch(detector, batch, settings.explain)):
            head = [art.id, art.path]
            if "article" in res:
                fh.write(_line("a", head, res["article"]))
                counts["articles"] += 1
            else:
                fh.write(_line("s", head, json.dumps(res["error"], ensure_ascii=False)))
                counts["errors"] += 1
        batch.clear()

    try:
        with tmp.open("w", encoding="utf-8") as fh:
            try:
                for item in read_partition(part, settings.read_options):
                    if isinstance(item, InputError):
                        flush(fh)
                        rec = error_record(item.input, item.reason, item.line, item.id)
                        fh.write(_line("i", rec))
                        counts["input_errors"] += 1
                    elif item.id in seen:
                        flush(fh)
                        fh.write(_line("d", [item.id, item.path]))
                        counts["duplicates"] += 1
                    else:
                        seen.add(item.id)
                        batch.append(item)
                        if len(batch) >= settings.batch_size:
                            flush(fh)
                flush(fh)
            except Exception as exc:  # noqa: BLE001 - a reader failure is this partition's error, not the cluster's
                batch.clear()
                rec = error_record(part.describe(), failure_reason(exc, "reading"))
                fh.write(_line("i", rec))
                counts["input_errors"] += 1
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    counts["seconds"] = round(time.monotonic() - started, 3)
    counts["pid"] = os.getpid()
    return counts


# --------------------------------------------------------------------------- on the client


def _cluster(config: "AuditConfig"):
    """A client on ``config.scheduler``, or on a LocalCluster of ``config.workers`` processes."""
    from distributed import Client, LocalCluster

    if config.scheduler:
        client = Client(config.scheduler)
        return client, None
    workers = config.workers or os.cpu_count() or 1
    try:
        import bokeh  # noqa: F401 - the dashboard needs it

        del bokeh

        dashboard: str | None = ":0"
    except ImportError:
        dashboard = None
    cluster = LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True,
        dashboard_address=dashboard, silence_logs=logging.ERROR,
    )
    return Client(cluster), cluster


def _worker_environment():
    """Dask's settings for the worker processes this audit's LocalCluster starts (also those
    restarted after a death), as a context manager.

    Dask's nanny starts workers with ``MALLOC_TRIM_THRESHOLD_=65536``, which makes glibc
    hand memory back after nearly every free: measured here, it slows the default mode's
    scoring in a worker from 32.8 to 24.0 articles/s. The encoder already trims after each
    batch (:func:`mtdetect.embeddings._release_free_memory`), so the audit drops it.
    """
    import contextlib

    import dask

    environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", default={}) or {})
    environ.pop("MALLOC_TRIM_THRESHOLD_", None)

    @contextlib.contextmanager
    def scope():
        # workers also inherit this process's environment, where an earlier cluster may have left it
        inherited = os.environ.pop("MALLOC_TRIM_THRESHOLD_", None)
        try:
            with dask.config.set({"distributed.nanny.pre-spawn-environ": environ}):
                yield
        finally:
            if inherited is not None:
                os.environ["MALLOC_TRIM_THRESHOLD_"] = inherited

    return scope()


def _settings(config: "AuditConfig") -> WorkerSettings:
    threads = None
    if not config.scheduler:
        threads = max(1, (os.cpu_count() or 1) // (config.workers or os.cpu_count() or 1))
    return WorkerSettings(
        model=config.model, fast=config.fast, timeout=config.timeout, limits=config.limits, deep=config.deep,
        explain=config.explain, batch_size=config.batch_size, read_options=config.read_options,
        torch_threads=threads,
    )


def run_dask_audit(
    inputs: list[str],
    config: "AuditConfig",
    *,
    detector=None,
    on_warning: Callable[[str], None] | None = None,
    progress: "AuditProgress | None" = None,
    on_client: Callable[[Any], None] | None = None,
    plan_options: dict[str, int] | None = None,
) -> "AuditResult":
    """:func:`mtdetect.audit.run_audit` on a Dask cluster (``config.engine == "dask"``).

    ``on_client(client)`` is called once the cluster is up (the CLI prints the dashboard
    address; a test can watch the workers). ``plan_options`` go to :func:`plan_partitions`.
    """
    from distributed import as_completed
    from distributed.client import FutureCancelledError

    from .audit import (
        ARTICLES_FILE, ERRORS_FILE, AuditInterrupted, AuditResult, _AtomicFile, _error_key, check_same_model,
        clear_outputs, error_record, finish_audit, load_detector, prevalence_reference,
    )
    from .budget import install_term_handler, restore_term_handler

    warn = on_warning or (lambda msg: None)
    started = time.time()
    if detector is None:
        # names the model and its thresholds in the summary; the workers load their own
        detector = load_detector(config.model, config.fast, config.timeout, config.limits, config.deep)
    reference = prevalence_reference(detector, config.human_reference)  # an impossible one: refused before any work
    out = config.out
    out.mkdir(parents=True, exist_ok=True)
    parts_dir = out / PARTS_DIR
    if not config.resume:
        clear_outputs(out)
        shutil.rmtree(parts_dir, ignore_errors=True)
    parts_dir.mkdir(exist_ok=True)
    result = AuditResult()

    plan = list(plan_partitions(inputs, config.read_options, **(plan_options or {})))
    partitions = [p for p in plan if isinstance(p, Partition)]
    scored = [(parts_dir / f"{p.key}.jsonl").exists() for p in partitions]
    todo = [p for p, done in zip(partitions, scored) if not done]
    done_before = [p for p, done in zip(partitions, scored) if done]
    if done_before:
        check_same_model(out, _part_models(parts_dir, done_before), detector.model.model_id)
        warn(f"resume: {len(done_before)} of {len(partitions)} partitions already scored")
    if progress:
        progress.plan(partitions)
    failed: dict[str, str] = {}

    def partition_done(p: Partition, n: int) -> None:
        if progress:
            progress.articles_done(n)
            progress.partition_done(p)

    for p in done_before:
        partition_done(p, 0)

    previous_term = install_term_handler()
    client = cluster = None
    interrupted = False
    environment = _worker_environment()
    environment.__enter__()
    try:
        if todo:
            client, cluster = _cluster(config)
            if on_client:
                on_client(client)
            settings = _settings(config)
            client.register_plugin(DetectorPlugin(settings), name=DetectorPlugin.name)
            by_key = {}
            futures = []
            for p in todo:
                fut = client.submit(score_partition, p, settings, str(parts_dir), key=f"mtdetect-partition-{p.key}",
                                    pure=False)
                by_key[fut.key] = p
                futures.append(fut)
            for fut in as_completed(futures):
                p = by_key[fut.key]
                try:
                    counts = fut.result()
                except (Exception, FutureCancelledError) as exc:  # noqa: BLE001 - e.g. KilledWorker: this partition's error
                    failed[p.key] = _cluster_failure(exc)
                    partition_done(p, 0)
                    continue
                result.scored += counts["articles"]
                partition_done(p, counts["articles"] + counts["errors"] + counts["input_errors"])
            try:
                result.worker_peak_rss_mb = {addr: round(mb, 1) for addr, mb in client.run(_peak_rss_mb).items()}
            except Exception:  # noqa: BLE001 - a measurement only
                pass
    except KeyboardInterrupt:
        interrupted = True
    finally:
        restore_term_handler(previous_term)
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
        environment.__exit__(None, None, None)
    if interrupted:
        raise AuditInterrupted(f"interrupted; finished partitions are kept in {parts_dir}; "
                               "rerun with --resume to finish")

    # merge, in plan order: the order in which the one-machine audit reads the inputs
    seen: set[str] = set()
    written_errors: set[tuple] = set()
    duplicates, duplicate_examples = 0, []
    n_errors = 0
    with _AtomicFile(out / ARTICLES_FILE) as arts, _AtomicFile(out / ERRORS_FILE) as errs:

        def write_error(rec: dict[str, Any]) -> None:
            nonlocal n_errors
            key = _error_key(rec)
            if key not in written_errors:
                written_errors.add(key)
                errs.write(json.dumps(rec, ensure_ascii=False) + "\n")
                n_errors += 1

        for item in plan:
            if isinstance(item, InputError):
                write_error(error_record(item.input, item.reason, item.line, item.id))
                continue
            if item.key in failed:
                for path in item.paths:
                    write_error(error_record(path, f"{item.describe()}: {failed[item.key]}"))
                continue
            for kind, head, body in _part_lines(parts_dir / f"{item.key}.jsonl"):
                if kind == "i":
                    write_error(head)
                    continue
                art_id, path = head
                if kind == "d" or art_id in seen:
                    duplicates += 1
                    warn(f"duplicate article id {art_id!r} in {path or '?'}: reported once")
                    if len(duplicate_examples) < 100:
                        duplicate_examples.append({"id": art_id, "input": path or "?"})
                    continue
                seen.add(art_id)
                if kind == "a":
                    arts.write(body + "\n")
                else:
                    write_error(json.loads(body))
    result.duplicates = duplicates
    result.new_errors = n_errors
    planned = {f"{p.key}.jsonl" for p in partitions}
    for stale in parts_dir.glob("*.jsonl"):
        if stale.name not in planned:  # an input changed or is no longer audited
            stale.unlink(missing_ok=True)

    result.summary = finish_audit(out, inputs, config, detector, result, duplicate_examples, started,
                                  reference=reference)
    return result


def _peak_rss_mb() -> float:
    """This process's peak resident memory in MB (run on each worker at the end)."""
    import resource
    import sys

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _cluster_failure(exc: BaseException) -> str:
    name = type(exc).__name__
    if name == "KilledWorker":
        return ("the workers scoring this partition died repeatedly (out of memory or killed?); "
                "rerun with --resume to retry it")
    return failure_reason(exc, "cluster")


def _part_models(parts_dir: Path, done: list[Partition]) -> Counter:
    """The model id of each article already scored in the ``done`` partitions, counted."""
    return Counter(str(json.loads(body).get("model")) for p in done
                   for kind, _, body in _part_lines(parts_dir / f"{p.key}.jsonl") if kind == "a")


def _part_lines(path: Path) -> Iterator[tuple[str, Any, str | None]]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if not line:
                continue
            kind, _, rest = line.partition("\t")
            if kind in ("a", "s"):
                head, _, body = rest.partition("\t")
                yield kind, json.loads(head), body
            else:
                yield kind, json.loads(rest), None
