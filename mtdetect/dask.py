"""Score a DataFrame of articles: pandas in this process, Dask across a cluster.

For pipelines that already hold their articles in a table::

    import dask.dataframe as dd
    from mtdetect.dask import score_dataframe

    ddf = dd.read_parquet("articles/*.parquet", columns=["id", "body"])
    scored = score_dataframe(ddf, text_column="body", fast=True)   # lazy, like map_partitions
    scored.to_parquet("scored/")

:func:`score_dataframe` returns the input's columns plus :data:`RESULT_COLUMNS`:
``p_mt`` (float; NaN when the row could not be scored), ``verdict`` (``human``,
``unsure``, ``machine_translated``; None on error), ``source_lang_hint``, ``n_findings``,
``findings`` (the findings as a JSON list, as in ``articles.jsonl``) and ``error`` (None,
or why the row could not be scored: a missing text, an article over the size limits, a
failure in one stage). A bad row never fails the partition.

Each process loads the detector once (a per-process cache shared with the Dask audit
engine, :mod:`mtdetect.audit_dask`), not once per partition. The scores are those of
``mtdetect score`` and ``mtdetect audit`` for the same text.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pandas as pd

from .audit_dask import WorkerSettings, worker_detector
from .guard import ArticleLimits
from .types import Article

__all__ = ["RESULT_COLUMNS", "score_dataframe", "score_pandas"]

#: The columns :func:`score_dataframe` adds, with their dtypes.
RESULT_COLUMNS: dict[str, str] = {
    "p_mt": "float64",
    "verdict": "object",
    "source_lang_hint": "object",
    "n_findings": "int64",
    "findings": "object",
    "error": "object",
}


def _settings(model, fast, timeout, limits, explain, batch_size) -> WorkerSettings:
    return WorkerSettings(model=None if model is None else str(model), fast=fast, timeout=timeout,
                          limits=limits or ArticleLimits(), explain=explain, batch_size=batch_size)


def score_pandas(
    df: pd.DataFrame,
    text_column: str = "text",
    *,
    id_column: str | None = None,
    model: str | None = None,
    fast: bool = False,
    timeout: float | None = 60.0,
    limits: ArticleLimits | None = None,
    explain: bool = True,
    batch_size: int = 32,
) -> pd.DataFrame:
    """Score every row of a pandas DataFrame; returns a copy with :data:`RESULT_COLUMNS` added."""
    if text_column not in df.columns:
        raise KeyError(f"no column {text_column!r} in the DataFrame (columns: {', '.join(map(str, df.columns))})")
    if id_column is not None and id_column not in df.columns:
        raise KeyError(f"no column {id_column!r} in the DataFrame (columns: {', '.join(map(str, df.columns))})")
    clash = [c for c in RESULT_COLUMNS if c in df.columns]
    if clash:
        raise ValueError(f"the DataFrame already has column(s) {', '.join(clash)}; rename them first")
    settings = _settings(model, fast, timeout, limits, explain, batch_size)
    detector = worker_detector(settings)
    results: list[dict[str, Any]] = [_error_row("not scored")] * len(df)
    articles, positions = [], []
    ids = df[id_column].tolist() if id_column is not None else [None] * len(df)
    for pos, (text, ident) in enumerate(zip(df[text_column].tolist(), ids)):
        name = f"row {df.index[pos]!r}" if ident is None or _missing(ident) else str(ident)
        if _missing(text) or not isinstance(text, str) or not text.strip():
            what = "missing" if _missing(text) else "empty" if isinstance(text, str) else f"of type {type(text).__name__}, not text"
            results[pos] = _error_row(f"{name}: the text column {text_column!r} is {what}")
            continue
        articles.append(Article(id=name, text=text))
        positions.append(pos)
    for pos, rep in zip(positions, detector.score_many(articles, batch_size=batch_size)):
        if rep.error:
            results[pos] = _error_row(rep.error)
        else:
            rec = rep.to_dict(explain)
            results[pos] = {
                "p_mt": rec["p_mt"],
                "verdict": rec["verdict"],
                "source_lang_hint": rec["source_lang_hint"],
                "n_findings": len(rep.findings),
                "findings": json.dumps(rec.get("findings") or [], ensure_ascii=False),
                "error": None,
            }
    out = df.copy()
    for col, dtype in RESULT_COLUMNS.items():
        out[col] = pd.Series([r[col] for r in results], index=df.index, dtype=dtype)
    return out


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(isinstance(value, float) and math.isnan(value)) or value is pd.NA
    except TypeError:
        return False


def _error_row(reason: str) -> dict[str, Any]:
    return {"p_mt": float("nan"), "verdict": None, "source_lang_hint": None, "n_findings": 0, "findings": "[]",
            "error": reason}


def score_dataframe(df, text_column: str = "text", **options):
    """Score a pandas or Dask DataFrame (see the module docstring; options as :func:`score_pandas`).

    A Dask DataFrame gives a lazy Dask DataFrame (``map_partitions``: nothing runs until
    ``compute``/``to_parquet``/...); a pandas DataFrame is scored at once in this process.
    """
    if isinstance(df, pd.DataFrame):
        return score_pandas(df, text_column, **options)
    try:
        import dask.dataframe as dd
    except ImportError as exc:  # pragma: no cover - dask is a dependency
        raise TypeError("score_dataframe takes a pandas or Dask DataFrame") from exc
    if not isinstance(df, dd.DataFrame):
        raise TypeError(f"score_dataframe takes a pandas or Dask DataFrame, not {type(df).__name__}")
    if text_column not in df.columns:
        raise KeyError(f"no column {text_column!r} in the DataFrame (columns: {', '.join(map(str, df.columns))})")
    meta = df._meta.copy()
    for col, dtype in RESULT_COLUMNS.items():
        meta[col] = pd.Series([], dtype=dtype)
    return df.map_partitions(score_pandas, text_column, meta=meta, **options)
