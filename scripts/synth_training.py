#!/usr/bin/env python3
"""Machine-translate the TRAIN split of the shared data with offline engines (issue 12, part 1).

Sources: the human-written documents of ``shipped_splits()["train"]`` (labels ``original``
and ``human_translation``; WMT21 + HTMT train). The dev split is never read for synthesis:
its source documents are checked not to occur among the inputs.

Systems (``--systems`` picks some; all by default):

  apertium-spa           apertium:eng-spa > apertium:spa-eng
  apertium-cat           apertium:eng-cat > apertium:cat-eng
  bergamot-pt            bergamot:en-pt > bergamot:pt-en
  apertium-spa+bergamot-pt   the Spanish round trip, then the Portuguese one (double round trip)
  bergamot-pt+apertium-cat   the Portuguese round trip, then the Catalan one
  apertium-glg           apertium:en-gl > apertium:gl-en      (apertium-en-gl)
  apertium-epo           apertium:en-eo > apertium:eo-en      (apertium-eo-en)
  apertium-hbs           apertium:eng-hbs > apertium:hbs-eng  (apertium-hbs-eng: Serbo-Croatian,
                         a pivot outside the Romance languages)

No engine here translates Spanish or Catalan into Portuguese (or back), so mixed chains are
made of whole round trips through English. Chains reuse the cached first trip.

Output (never inside the project): ``--out-dir`` (default ``$MTDETECT_CACHE/synth`` or
``~/.cache/mtdetect/synth``) gets ``<system>.jsonl`` (records for ``mtdetect train``, label
``roundtrip_mt``, ``doc_id``/``group`` = the source document's fold key),
``<system>.errors.jsonl`` and ``manifest.json`` (counts, seconds, sentences/s per engine,
engine versions). Rerunning resumes.

  python scripts/synth_training.py --jobs 2
  python scripts/synth_training.py --systems bergamot-pt --limit 20 --out-dir /tmp/synth-try
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from mtdetect.datasets import shared_data_dir, shipped_splits
from mtdetect.synth import SynthConfig, parse_systems, run_synth
from mtdetect.translate.cache import default_cache_dir
from mtdetect.types import Article

ROOT = Path(__file__).resolve().parent.parent
SYSTEMS = {
    "apertium-spa": "apertium:eng-spa>apertium:spa-eng",
    "apertium-cat": "apertium:eng-cat>apertium:cat-eng",
    "bergamot-pt": "bergamot:en-pt>bergamot:pt-en",
    "apertium-spa+bergamot-pt": "apertium:eng-spa>apertium:spa-eng>bergamot:en-pt>bergamot:pt-en",
    "bergamot-pt+apertium-cat": "bergamot:en-pt>bergamot:pt-en>apertium:eng-cat>apertium:cat-eng",
    "apertium-glg": "apertium:en-gl>apertium:gl-en",
    "apertium-epo": "apertium:en-eo>apertium:eo-en",
    "apertium-hbs": "apertium:eng-hbs>apertium:hbs-eng",
}
SOURCE_LABELS = ("original", "human_translation")


class LogProgress:
    """Progress as log lines (the run is meant for nohup, where a bar is useless)."""

    def __init__(self, name: str, every: int = 50) -> None:
        self.name, self.every = name, every
        self.total = self.done = self._last = self.skipped = 0
        self.started = time.monotonic()

    def set_total(self, n: int) -> None:
        self.total = n

    def advance(self, n: int) -> None:
        if time.monotonic() - self.started < 0.5:  # articles already done (resumed), not translated
            self.started, self.skipped = time.monotonic(), self.done + n
        self.done += n
        if self.done - self._last >= self.every or self.done == self.total:
            self._last = self.done
            elapsed = time.monotonic() - self.started
            worked = self.done - self.skipped
            eta = elapsed / worked * (self.total - self.done) if worked > 0 else 0
            log(f"{self.name}: {self.done}/{self.total} articles, {elapsed:.0f} s, eta {eta:.0f} s")


def log(msg: str) -> None:
    print(f"[synth {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def train_sources(limit: int | None = None) -> list[Article]:
    """The human-written train documents as Articles (group = the fold key of the source)."""
    splits = shipped_splits(shared_data_dir())
    dev_groups = {d.group for d in splits["dev"]}
    docs = [d for d in splits["train"] if d.label in SOURCE_LABELS]
    leaked = {d.group for d in docs} & dev_groups
    if leaked:  # never synthesize from documents the dev figures are reported on
        raise SystemExit(f"refusing: {len(leaked)} train source documents also occur in dev, e.g. {sorted(leaked)[0]}")
    if limit:
        docs = docs[:limit]
    return [Article(id=d.id, text=d.text, label=d.label, meta={"group": d.group, "corpus": d.corpus}) for d in docs]


def _sum_engines(runs: list[dict]) -> dict[str, dict]:
    """Engine statistics summed over runs (a resumed system has several), with sentences/s."""
    total: dict[str, dict] = {}
    for run in runs:
        for spec, d in run.get("engines", {}).items():
            acc = total.setdefault(spec, {"calls": 0, "sentences": 0, "seconds": 0.0, "fallbacks": 0})
            for k in acc:
                acc[k] += d.get(k, 0)
    for acc in total.values():
        acc["seconds"] = round(acc["seconds"], 3)
        acc["sentences_per_second"] = round(acc["sentences"] / acc["seconds"], 1) if acc["seconds"] else None
    return total


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out-dir", type=Path, default=None, help="default: $MTDETECT_CACHE/synth or ~/.cache/mtdetect/synth")
    ap.add_argument("--systems", nargs="+", choices=sorted(SYSTEMS), default=list(SYSTEMS))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--limit", type=int, default=None, help="only the first N source documents (a trial run)")
    args = ap.parse_args(argv)

    out_dir = (args.out_dir or default_cache_dir() / "synth").expanduser().resolve()
    if out_dir == ROOT or ROOT in out_dir.parents:
        print(f"refusing to write into the project ({out_dir}); synthetic data lives outside it", file=sys.stderr)
        return 2
    out_dir.mkdir(parents=True, exist_ok=True)
    sources = train_sources(args.limit)
    by_label = {lab: sum(a.label == lab for a in sources) for lab in SOURCE_LABELS}
    log(f"{len(sources)} train source documents {by_label} -> {out_dir}")

    manifest_path = out_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {"systems": {}}
    manifest.update({"split": "train", "source_labels": list(SOURCE_LABELS), "sources": len(sources),
                     "sources_by_label": by_label, "shared_data": str(shared_data_dir())})
    status = 0
    for name in args.systems:
        [system] = parse_systems([SYSTEMS[name]])
        out = out_dir / f"{name}.jsonl"
        log(f"{name}: {system.name}")
        summary = run_synth(sources, [system], SynthConfig(out=out, jobs=args.jobs, batch_size=args.batch_size),
                            progress=LogProgress(name), on_warning=lambda m: log(f"warning: {m}"),
                            on_error=lambda e: log(f"error: {e.describe()}"))
        n_records = sum(1 for line in out.open(encoding="utf-8") if line.strip())
        run = summary.as_dict()
        run["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S")
        entry = manifest["systems"].get(name) or {}
        runs = [r for r in entry.get("runs", []) if r.get("written") or r.get("failed")]
        if run["written"] or run["failed"] or not runs:  # a resume with nothing left to do adds nothing
            runs.append(run)
        manifest["systems"][name] = {
            "system": system.name, "pivot": system.pivot, "file": out.name, "records_in_file": n_records,
            "engine_versions": {e.spec: e.version for e in system.engines},
            "seconds": round(sum(r["seconds"] for r in runs), 2), "engines": _sum_engines(runs), "runs": runs,
        }
        rates = ", ".join(f"{s} {d['sentences_per_second']}/s" for s, d in run["engines"].items() if d["sentences"])
        log(f"{name}: wrote {summary.written} ({summary.skipped_done} already there), {summary.failed} failed, "
            f"{n_records} in {out.name}; {summary.seconds:.0f} s; {rates}")
        tmp = manifest_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(manifest, indent=2) + "\n")
        os.replace(tmp, manifest_path)
        status = status or (3 if summary.failed else 0)
    return status


if __name__ == "__main__":
    sys.exit(main())
