#!/usr/bin/env python3
"""Speed and memory benchmark of `mtdetect` scoring, per mode.

For each mode (``fast``: models/default-fast, no embeddings; ``default``: models/default with
int8 MiniLM sentence embeddings; ``cascade`` and ``deep``: the default model with its
round-trip stage, for the articles the first stage leaves unsure or for every article) it
measures, each mode in its own process so that one
mode's memory never counts against another's:

* end-to-end throughput (articles/s, sentences/s) of reading N articles from JSONL files
  (500 articles each) with ``mtdetect.io.read_articles`` and scoring them with
  ``Detector.score_many``;
* the share of that time spent in ingestion, segmentation, recognizers, features (style
  signals, text view), embeddings, and the classifiers;
* peak RSS of the scoring process;
* in default mode, the raw encode throughput of the embedding model on the same
  sentences (the floor no scorer that embeds every sentence can beat), and the ratio
  of end-to-end throughput to that floor;
* cold start: wall time of ``mtdetect score FILE`` (a new process, one ~600-word article);
* memory flatness: peak RSS when streaming 1k and 10k articles;
* the batch audit (``mtdetect audit``, via ``run_audit``) with 1 and 2 worker processes,
  and with ``--dask-workers`` on a local Dask cluster (``--engine dask``; peak RSS per worker):
  end-to-end wall time, and steady throughput (articles/s once the workers have started,
  i.e. after the first batch is back), with its peak RSS (parent and workers);
* with ``--accuracy``, each mode's accuracy on the shipped model's dev split, scored as at
  run time, so that speed and accuracy can be read side by side.

``cascade`` and ``deep`` are timed with an empty translation cache (a temporary
``$MTDETECT_CACHE``): every round trip is computed, as for articles never seen before. Their
warm-up articles are left out of the timed stream (they would be cached). Their accuracy
uses the usual cache (a cache changes speed, not scores); cold starts, the memory check and
the batch audit are measured for ``fast`` and ``default`` only.

Articles are built from ../shared/data when it is there (WMT and HTMT documents, shuffled
with a fixed seed, paragraphs joined until an article has ~600 words), else from the
samples in data/samples (repeated, so then the texts are not all distinct).

Examples::

    python scripts/bench.py                                  # 1,000 articles, both modes
    python scripts/bench.py --modes fast -n 2000 --json out/bench.json --markdown out/bench.md
    python scripts/bench.py --memory-sizes 1000,10000 --cold-runs 5 --accuracy
    python scripts/bench.py --quick                          # a smoke run: 100 articles, no 10k
    python scripts/bench.py --modes fast --audit-articles 10000 --audit-jobs 1,2
    python scripts/bench.py --modes fast,default --audit-articles 4000 --audit-jobs 1 --dask-workers 1,2 \
        --cold-runs 0 --memory-sizes "" -n 200                # the scale-out figures of docs/scale-out.md
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODES = ("fast", "default", "cascade", "deep")
#: Detector.load's ``deep`` policy of the modes with the round-trip stage
DEEP_POLICY = {"cascade": "uncertain", "deep": "all"}
WARM_UP = 8  # articles scored before the clock starts
STAGES = ("ingestion", "segmentation", "recognizers", "features", "embeddings", "classifier", "round trips", "language model", "other")
SHARED_FILES = (
    "wmt/wmt22.jsonl",
    "htmt/htmt_dev_documents.jsonl",
    "wmt/wmt21.jsonl",
    "htmt/htmt_train_documents.jsonl",
    "wmt/wmt22.domain_unknown.jsonl",
)


# --- articles ------------------------------------------------------------------------------
def _shared_documents(root: Path) -> list[str]:
    texts = []
    for rel in SHARED_FILES:
        path = root / rel
        if path.exists():
            with path.open(encoding="utf-8") as fh:
                texts.extend(json.loads(line)["text"] for line in fh if line.strip())
    return texts


def _sample_documents() -> list[str]:
    texts = []
    for path in sorted((ROOT / "data" / "samples").iterdir()):
        if path.suffix in (".txt", ".md"):
            texts.append(path.read_text(encoding="utf-8"))
    return texts


def build_articles(n: int, words: int, seed: int = 0) -> tuple[list[str], str]:
    """``n`` articles of about ``words`` words each, and where they came from.

    Paragraphs of shuffled documents are joined (one per line) until an article reaches
    ``words`` words; when the documents run out they are used again in a new order.
    """
    from mtdetect.datasets import shared_data_dir

    root = shared_data_dir()
    docs = _shared_documents(root)
    source = f"{root} ({len(docs)} documents)"
    if not docs:
        docs = _sample_documents()
        source = f"data/samples ({len(docs)} documents, repeated)"
    rng = random.Random(seed)
    articles: list[str] = []
    current: list[str] = []
    count = 0
    while len(articles) < n:
        order = list(docs)
        rng.shuffle(order)
        for doc in order:
            for para in doc.splitlines():
                if not para.strip():
                    continue
                current.append(para.strip())
                count += len(para.split())
                if count >= words:
                    articles.append("\n".join(current))
                    current, count = [], 0
                    if len(articles) == n:
                        return articles, source
    return articles, source


SHARD_SIZE = 500  # articles per JSONL file: like a feed audit's many files, and streamed file by file


def write_shards(articles: list[str], folder: Path) -> Path:
    """``articles`` as JSONL files of :data:`SHARD_SIZE` lines in ``folder`` (returned)."""
    folder.mkdir(parents=True, exist_ok=True)
    for start in range(0, len(articles), SHARD_SIZE):
        with (folder / f"part-{start // SHARD_SIZE:05d}.jsonl").open("w", encoding="utf-8") as fh:
            for i, text in enumerate(articles[start : start + SHARD_SIZE], start=start):
                fh.write(json.dumps({"id": f"bench-{i}", "text": text}) + "\n")
    return folder


def _inputs(folder: Path) -> list[str]:
    return [str(p) for p in sorted(folder.glob("*.jsonl"))]


# --- one mode, measured inside its own process ----------------------------------------------
class StageClock:
    """Accumulates wall time per stage by wrapping the functions of each stage.

    Stages that run in different threads at the same time (the sentence encoding runs
    beside the feature computation) are each counted in full, so shares can add up to
    more than 100%.
    """

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self._local = threading.local()

    def wrap(self, stage: str, fn):
        clock = self

        def timed(*args, **kwargs):
            depth = getattr(clock._local, "depth", 0)
            if depth:  # nested inside another timed stage of this thread: counted there
                return fn(*args, **kwargs)
            clock._local.depth = 1
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                clock.seconds[stage] += time.perf_counter() - t0
                clock._local.depth = 0

        return timed

    def timed_iter(self, stage: str, iterator):
        while True:
            t0 = time.perf_counter()
            try:
                item = next(iterator)
            except StopIteration:
                self.seconds[stage] += time.perf_counter() - t0
                return
            self.seconds[stage] += time.perf_counter() - t0
            yield item


def _instrument(detector, clock: StageClock) -> None:
    """Time each stage of scoring (bench only: wraps package functions in this process)."""
    import mtdetect.features as features
    import mtdetect.model as model_mod

    features.segment = clock.wrap("segmentation", features.segment)
    for rec in detector.recognizers:
        rec.analyze = clock.wrap("recognizers", rec.analyze)
    for name in ("features", "text_view"):
        setattr(model_mod, name, clock.wrap("features", getattr(model_mod, name)))
    model = detector.model
    if hasattr(model, "stage"):  # cascade / deep: the round trips, then the first stage below
        model.features.round_trips = clock.wrap("round trips", model.features.round_trips)
        if getattr(model, "states", None) is not None:  # the stage's language model (SmolLM2)
            model.states.transform = clock.wrap("language model", model.states.transform)
        model = model.base
    if isinstance(model, model_mod.TrainedModel):
        model.ensure_embedder()
        if model.embedder is not None:
            model.embedder.encode = clock.wrap("embeddings", model.embedder.encode)
        model.predict_matrices = clock.wrap("classifier", model.predict_matrices)


def load_detector(mode: str):
    from mtdetect.detector import Detector

    return Detector.load(fast=(mode == "fast"), deep=DEEP_POLICY.get(mode))


def run_mode(mode: str, articles_path: Path, encode_floor: bool) -> dict:
    """Score every article of ``articles_path`` in ``mode``; runs in a child process."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from itertools import islice

    from mtdetect.io import read_articles

    cold_cache = None
    if mode in DEEP_POLICY:  # every round trip computed: a translation cache of its own, empty
        cold_cache = tempfile.TemporaryDirectory(prefix="mtdetect-bench-cache-")
        os.environ["MTDETECT_CACHE"] = cold_cache.name
    t_load = time.perf_counter()
    detector = load_detector(mode)
    load_s = time.perf_counter() - t_load
    clock = StageClock()
    _instrument(detector, clock)
    # Warm up on a few articles (first calls build caches and load the embedding model).
    warm = [a for _, a in zip(range(WARM_UP), read_articles(_inputs(articles_path)))]
    list(detector.score_many(warm))
    clock.seconds.clear()

    n_articles = n_sentences = n_errors = 0
    t0 = time.perf_counter()
    cpu0 = time.process_time()
    articles = read_articles(_inputs(articles_path))
    if cold_cache is not None:  # the warm-up articles' round trips are cached now
        articles = islice(articles, WARM_UP, None)
    stream = clock.timed_iter("ingestion", articles)
    for report in detector.score_many(stream):
        n_articles += 1
        n_sentences += len(report.sentences)
        n_errors += report.error is not None
    elapsed = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    stages = {s: clock.seconds.get(s, 0.0) for s in STAGES if s != "other"}
    stages["other"] = max(0.0, elapsed - sum(stages.values()))
    result = {
        "mode": mode,
        "model": detector.model.model_id,
        "articles": n_articles,
        "sentences": n_sentences,
        "errors": n_errors,
        "seconds": elapsed,
        "cpu_seconds": cpu,
        "articles_per_s": n_articles / elapsed,
        "sentences_per_s": n_sentences / elapsed,
        "model_load_s": load_s,
        "stage_seconds": stages,
        "stage_share": {s: v / elapsed for s, v in stages.items()},
        "peak_rss_mb": _peak_rss_mb(),
        "translation_cache": "empty at the start" if cold_cache is not None else None,
    }
    if cold_cache is not None:
        cold_cache.cleanup()
    embedder = getattr(detector.model, "embedder", None)
    if encode_floor and embedder is not None and getattr(detector.model, "use_embeddings", False):
        result["encode_floor"] = _encode_floor(detector, articles_path, embedder, n_articles / elapsed)
    if "torch" in sys.modules:  # reported only when the mode loaded it
        result["torch_threads"] = sys.modules["torch"].get_num_threads()
    result["heavy_modules_loaded"] = sorted(
        m for m in ("torch", "sklearn", "skops", "scipy", "sentence_transformers", "transformers") if m in sys.modules
    )
    return result


def run_audit_mode(mode: str, articles_path: Path, spec: str) -> dict:
    """`mtdetect audit` of every article of ``articles_path`` (child): ``spec`` is a number of
    processes for the local engine, or ``dask:N`` for a local Dask cluster of N workers."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from mtdetect.audit import AuditConfig, AuditProgress, run_audit

    class Marks(AuditProgress):
        """Records when each batch of results arrives."""

        def __init__(self) -> None:
            super().__init__(enabled=False)
            self.marks: list[tuple[float, int]] = []

        def articles_done(self, n: int) -> None:
            super().articles_done(n)
            self.marks.append((time.perf_counter(), n))

    marks = Marks()
    engine, _, n = spec.rpartition(":")
    jobs = int(n)
    with tempfile.TemporaryDirectory(prefix="mtdetect-bench-audit-") as out:
        if engine == "dask":
            config = AuditConfig(out=Path(out), engine="dask", workers=jobs, fast=(mode == "fast"), lineage=False)
        else:
            config = AuditConfig(out=Path(out), jobs=jobs, fast=(mode == "fast"), lineage=False)
        t0 = time.perf_counter()
        result = run_audit(_inputs(articles_path), config, progress=marks)
        elapsed = time.perf_counter() - t0
    total = sum(n for _, n in marks.marks)
    first_t, first_n = marks.marks[0]
    steady_s = marks.marks[-1][0] - first_t
    children_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    worker_rss = (max(result.worker_peak_rss_mb.values()) if result.worker_peak_rss_mb else None) if engine == "dask" \
        else (children_kb / 1024.0 if jobs > 1 else None)
    return {
        "mode": mode,
        "engine": engine or "local",
        "jobs": jobs,
        "articles": result.scored,
        "seconds": elapsed,
        "articles_per_s": total / elapsed,
        "steady_articles_per_s": (total - first_n) / steady_s if steady_s > 0 else None,
        "startup_s": first_t - t0,
        "peak_rss_mb": _peak_rss_mb(),
        "worker_peak_rss_mb": worker_rss,
    }


def _encode_floor(detector, articles_path: Path, embedder, e2e_articles_per_s: float) -> dict:
    """Raw encode throughput on the same sentences, fed in the same batches of articles."""
    from mtdetect.io import read_articles
    from mtdetect.segment import segment

    batches: list[list[str]] = []
    batch: list[str] = []
    n_articles = n_sentences = 0
    for i, article in enumerate(read_articles(_inputs(articles_path))):
        sents = [s.text for s in segment(article.text).sentences]
        batch.extend(sents)
        n_articles += 1
        n_sentences += len(sents)
        if (i + 1) % 32 == 0:  # Detector.score_many's batch of articles
            batches.append(batch)
            batch = []
    if batch:
        batches.append(batch)
    t0 = time.perf_counter()
    for b in batches:
        embedder.encode(b)
    elapsed = time.perf_counter() - t0
    floor_articles = n_articles / elapsed
    return {
        "sentences": n_sentences,
        "seconds": elapsed,
        "sentences_per_s": n_sentences / elapsed,
        "articles_per_s": floor_articles,
        "end_to_end_over_floor": e2e_articles_per_s / floor_articles,
    }


def run_accuracy(mode: str) -> dict:
    """Dev-set accuracy of ``mode`` as scored at run time (embedding cap included), with the
    evaluation behind `mtdetect evaluate`, on the shipped model's dev split. With the
    round-trip stage, each article is judged by the cuts of the stage that scored it, and the
    round trips are translated into the cache by 2 processes first."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from mtdetect.datasets import shipped_splits
    from mtdetect.training import evaluate_docs

    detector = load_detector(mode)
    docs = shipped_splits()["dev"]
    result = evaluate_docs(detector.model, docs, quiet=True, jobs=2 if mode in DEEP_POLICY else 1)
    keys = ("n_mt", "n_human", "roc_auc", "accuracy@0.5", "tpr@1%fpr", "tpr@high", "fpr@high")
    out = {"mode": mode, "model": detector.model.model_id, "documents": len(docs),
           "embed_max_sentences": getattr(detector.model, "embed_max_sentences", None)}
    if "round_trip" in result:
        out["round_tripped"] = result["round_trip"]["articles"]
    for level in ("article", "sentence"):
        out[level] = {name: {k: m.get(k) for k in keys} for name, m in result[level]["comparisons"].items()}
    return out


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


# --- the parent: build data, spawn children, time cold starts, report -----------------------
def _child(mode: str, articles_path: Path | None, encode_floor: bool, accuracy: bool = False,
           audit_jobs: int | str | None = None) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", mode]
    if audit_jobs:
        cmd += ["--child-audit", str(audit_jobs), "--articles-dir", str(articles_path)]
    elif accuracy:
        cmd.append("--child-accuracy")
    else:
        cmd += ["--articles-dir", str(articles_path)]
    if not encode_floor:
        cmd.append("--no-encode-floor")
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    if out.returncode != 0:
        raise RuntimeError(f"{mode} run failed:\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _score_command() -> list[str]:
    exe = shutil.which("mtdetect")
    return [exe, "score"] if exe else [sys.executable, "-m", "mtdetect.cli", "score"]


def cold_start(mode: str, article_file: Path, runs: int) -> dict:
    """Wall time of `mtdetect score FILE` in a new process, ``runs`` times."""
    cmd = _score_command() + [str(article_file), "--format", "jsonl"] + (["--fast"] if mode == "fast" else [])
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        out = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
        times.append(time.perf_counter() - t0)
        if out.returncode not in (0, 1):
            raise RuntimeError(f"cold start ({mode}) failed: {out.stderr[-2000:]}")
    return {"command": " ".join(Path(c).name if i == 0 else c for i, c in enumerate(cmd)),
            "runs": runs, "median_s": statistics.median(times), "min_s": min(times), "all_s": times}


def machine() -> dict:
    """CPU model, cores, RAM, load, versions."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    versions = {}
    for dist in ("mtdetect", "numpy", "torch", "scikit-learn", "tokenizers"):
        try:
            from importlib.metadata import version

            versions[dist] = version(dist)
        except Exception:  # noqa: BLE001 - a missing package is reported as None
            versions[dist] = None
    return {"cpu": cpu, "cores": os.cpu_count(), "ram_gb": ram_gb, "load_avg_at_start": load,
            "python": platform.python_version(), "platform": platform.platform(), "versions": versions}


def render_markdown(res: dict) -> str:
    m = res["machine"]
    lines = [
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['ram_gb']} GB RAM; Python {m['python']}; "
        f"load average at start {', '.join(f'{x:.2f}' for x in m['load_avg_at_start'] or [])}.",
        f"Articles: {res['n_articles']} of ~{res['words']} words from {res['source']}.",
        "",
        "| mode | articles/s | sentences/s | peak RSS (MB) | cold start, median (s) | CPU s per article (ms) |",
        "|---|---|---|---|---|---|",
    ]
    for mode, r in res["modes"].items():
        cs = res["cold_start"].get(mode, {})
        lines.append(
            f"| {mode} | {r['articles_per_s']:.1f} | {r['sentences_per_s']:.0f} | {r['peak_rss_mb']:.0f} | "
            f"{cs.get('median_s', float('nan')):.2f} | {1000 * r['cpu_seconds'] / max(r['articles'], 1):.1f} |"
        )
    lines += ["", "Time per stage as a share of end-to-end time (encoding runs beside the feature computation,",
              "so the shares of the default mode can add up to more than 100%):", "",
              "| mode | " + " | ".join(STAGES) + " |", "|---|" + "---|" * len(STAGES)]
    for mode, r in res["modes"].items():
        lines.append(f"| {mode} | " + " | ".join(f"{100 * r['stage_share'][s]:.0f}%" for s in STAGES) + " |")
    floors = {mode: r["encode_floor"] for mode, r in res["modes"].items() if "encode_floor" in r}
    if floors:
        lines += ["", "| mode | raw encode, sentences/s | encode floor, articles/s | end-to-end / floor |", "|---|---|---|---|"]
        for mode, f in floors.items():
            lines.append(f"| {mode} | {f['sentences_per_s']:.0f} | {f['articles_per_s']:.1f} | {f['end_to_end_over_floor']:.2f} |")
    if res.get("accuracy"):
        lines += ["", "Dev accuracy as scored at run time (article level; sentence level in the last column; "
                      "embedding cap per mode in brackets):", "",
                  "| mode | comparison | n (MT / human) | ROC-AUC | accuracy at 0.5 | MT flagged at 1% FPR | MT flagged "
                  "| human flagged | sentence ROC-AUC |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for mode, acc in res["accuracy"].items():
            for name, a in acc["article"].items():
                if name == "all":
                    continue
                s = acc["sentence"].get(name, {})
                cap = acc.get("embed_max_sentences")
                label = f"{mode} ({cap})" if cap else mode
                lines.append(f"| {label} | {name.replace('_', ' ')} | {a['n_mt']} / {a['n_human']} | {_f(a['roc_auc'])} | "
                             f"{_f(a['accuracy@0.5'])} | {_f(a.get('tpr@1%fpr'))} | {_f(a['tpr@high'])} | {_f(a['fpr@high'])} | "
                             f"{_f(s.get('roc_auc'))} |")
    if res.get("audit"):
        lines += ["", "Batch audit (`mtdetect audit`, JSONL files of 500 articles; steady = after the first batch is back):",
                  "", "| mode | engine | processes | articles | wall (s) | articles/s end to end | articles/s steady | start-up (s) "
                  "| peak RSS, parent / worker (MB) |", "|---|---|---|---|---|---|---|---|---|"]
        for mode, rows in res["audit"].items():
            for r in rows:
                worker = f"{r['worker_peak_rss_mb']:.0f}" if r.get("worker_peak_rss_mb") else "-"
                lines.append(f"| {mode} | {r.get('engine', 'local')} | {r['jobs']} | {r['articles']} | {r['seconds']:.1f} | {r['articles_per_s']:.1f} | "
                             f"{_f1(r['steady_articles_per_s'])} | {r['startup_s']:.2f} | {r['peak_rss_mb']:.0f} / {worker} |")
    if res.get("memory"):
        lines += ["", "| mode | articles streamed | peak RSS (MB) | articles/s |", "|---|---|---|---|"]
        for mode, rows in res["memory"].items():
            for row in rows:
                lines.append(f"| {mode} | {row['articles']} | {row['peak_rss_mb']:.0f} | {row['articles_per_s']:.1f} |")
    return "\n".join(lines) + "\n"


def _f(x) -> str:
    return "-" if x is None else f"{x:.3f}"


def _f1(x) -> str:
    return "-" if x is None else f"{x:.1f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", "--articles", type=int, default=1000, help="articles to score per mode (default 1000)")
    ap.add_argument("--words", type=int, default=600, help="words per article (default 600)")
    ap.add_argument("--modes", default="fast,default", help="comma-separated: fast, default, cascade, deep")
    ap.add_argument("--cold-runs", type=int, default=3, help="cold starts per mode (median reported)")
    ap.add_argument("--memory-sizes", default="1000,10000",
                    help="article counts for the memory-flatness check ('' to skip); the main run's N is reused")
    ap.add_argument("--memory-modes", default=None, help="modes for the memory check (default: --modes)")
    ap.add_argument("--no-encode-floor", action="store_true", help="skip the raw encode measurement")
    ap.add_argument("--accuracy", action="store_true",
                    help="also evaluate each mode on the shipped dev split (../shared/data; uses the embedding cache)")
    ap.add_argument("--audit-jobs", default="1,2", help="process counts for the batch-audit measurement ('' to skip)")
    ap.add_argument("--dask-workers", default="",
                    help="worker counts of a local Dask cluster for the batch audit (--engine dask), e.g. 1,2")
    ap.add_argument("--audit-articles", type=int, default=None,
                    help="articles per batch audit (default: 4x --articles in fast mode, --articles in default mode)")
    ap.add_argument("--quick", action="store_true",
                    help="smoke run: 100 articles, 1 cold start, no memory check, one audit with 2 processes")
    ap.add_argument("--json", type=Path, help="write the results as JSON here")
    ap.add_argument("--markdown", type=Path, help="write the result tables as Markdown here")
    ap.add_argument("--child", choices=MODES, help=argparse.SUPPRESS)
    ap.add_argument("--articles-dir", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--child-accuracy", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--child-audit", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.child:
        if args.child_audit:
            print(json.dumps(run_audit_mode(args.child, args.articles_dir, args.child_audit)))
        elif args.child_accuracy:
            print(json.dumps(run_accuracy(args.child)))
        else:
            print(json.dumps(run_mode(args.child, args.articles_dir, not args.no_encode_floor)))
        return 0
    if args.quick:
        args.articles, args.cold_runs, args.memory_sizes = min(args.articles, 100), 1, ""
        args.audit_jobs = "2"
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if unknown := set(modes) - set(MODES):
        ap.error(f"unknown mode(s) {sorted(unknown)}; choose from {MODES}")
    memory_modes = [m.strip() for m in (args.memory_modes or ",".join(modes)).split(",")
                    if m.strip() and m.strip() not in DEEP_POLICY]
    sizes = sorted({int(s) for s in args.memory_sizes.split(",") if s.strip()})
    audit_jobs: list[int | str] = [int(j) for j in args.audit_jobs.split(",") if j.strip()]
    audit_jobs += [f"dask:{int(w)}" for w in args.dask_workers.split(",") if w.strip()]

    def audit_size(mode: str) -> int:
        return args.audit_articles or (4 * args.articles if mode == "fast" else args.articles)

    res: dict = {"machine": machine(), "n_articles": args.articles, "words": args.words,
                 "modes": {}, "cold_start": {}, "memory": {}, "accuracy": {}, "audit": {}}
    say = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    with tempfile.TemporaryDirectory(prefix="mtdetect-bench-") as tmp:
        tmp_dir = Path(tmp)
        largest_audit = max([audit_size(m) for m in modes], default=0) if audit_jobs else 0
        articles, res["source"] = build_articles(max([args.articles, *sizes, largest_audit]), args.words)
        main_file = write_shards(articles[: args.articles], tmp_dir / f"articles-{args.articles}")
        one = tmp_dir / "article.txt"
        one.write_text(articles[0] + "\n", encoding="utf-8")
        for mode in modes:
            if args.cold_runs > 0 and mode not in DEEP_POLICY:
                say(f"[bench] {mode}: cold start x{args.cold_runs}")
                res["cold_start"][mode] = cold_start(mode, one, args.cold_runs)
            say(f"[bench] {mode}: scoring {args.articles} articles")
            res["modes"][mode] = _child(mode, main_file, encode_floor=not args.no_encode_floor)
        for mode in memory_modes:
            rows = []
            for size in sizes:
                if size == args.articles and mode in res["modes"]:
                    r = res["modes"][mode]
                else:
                    say(f"[bench] {mode}: memory check with {size} articles")
                    path = tmp_dir / f"articles-{size}"
                    if not path.exists():
                        write_shards(articles[:size], path)
                    r = _child(mode, path, encode_floor=False)
                rows.append({"articles": size, "peak_rss_mb": r["peak_rss_mb"], "articles_per_s": r["articles_per_s"]})
            if rows:
                res["memory"][mode] = rows
        for mode in [m for m in modes if m not in DEEP_POLICY] if audit_jobs else []:
            size = audit_size(mode)
            path = tmp_dir / f"articles-{size}"
            if not path.exists():
                write_shards(articles[:size], path)
            for jobs in audit_jobs:
                say(f"[bench] {mode}: audit of {size} articles with {jobs} process(es)"
                    if isinstance(jobs, int) else f"[bench] {mode}: audit of {size} articles, {jobs} workers")
                res["audit"].setdefault(mode, []).append(_child(mode, path, encode_floor=False, audit_jobs=jobs))
        if args.accuracy:
            for mode in modes:
                say(f"[bench] {mode}: accuracy on the dev split")
                res["accuracy"][mode] = _child(mode, None, encode_floor=False, accuracy=True)
    res["machine"]["load_avg_at_end"] = os.getloadavg() if hasattr(os, "getloadavg") else None
    text = render_markdown(res)
    print(text)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(res, indent=2) + "\n", encoding="utf-8")
    if args.markdown:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
