#!/usr/bin/env python3
"""Candidate recognizer patterns for fluent round trips, measured before anything is built.

The recognizers find something in most Apertium round trips but in almost no fluent neural
ones (Bergamot en->pt->en of the dev originals: 2 of 151 articles have a finding). This
script measures two patterns seen in those round trips, per corpus and label: the share of
articles with at least one hit, and the number of hits.

* ``24h_time``: a 24-hour clock time in prose (``17:00``, ``18h30``; hours 13-23, not
  followed by a.m./p.m. or a time zone), where English news writes "5 p.m.".
* ``lower_demonym``: a proper adjective or demonym written in lower case after a lower-case
  word ("the papuans"), as Romance languages write them. The word list is built from the
  original English articles of the corpora: words of demonym shape (-an, -ian, -ese, -ish,
  -ean, plurals) seen capitalised mid-sentence at least 5 times and never in lower case.

Data: WMT21, WMT22 and HTMT training documents from ``../shared/data``, the synthetic round
trips in ``$MTDETECT_CACHE/synth`` (training material), and any ``--extra`` JSONL files
(e.g. round trips of the dev originals made with ``mtdetect synth``), each reported apart.

  python scripts/experiments/signature_candidates.py --extra rt_pt.jsonl rt_spa.jsonl
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

from mtdetect.datasets import read_labelled, shared_data_dir
from mtdetect.embeddings import default_cache_dir

DEMONYM_SHAPE = re.compile(r"(an|ian|ese|ish|ean)s?$")
AFTER_LOWER = re.compile(r"(?<=[a-z,;] )([A-Za-z]+)\b")
TIME_24H = re.compile(r"\b(1[3-9]|2[0-3])[:h][0-5]\d\b(?!\s*(?:a\.?m|p\.?m|GMT|UTC|BST|ET|EST|CET))")


def corpora(extra: list[Path]) -> list[tuple[str, str, str]]:
    """(source, label, text) of every article measured."""
    root = shared_data_dir()
    sources = {"wmt21": [root / "wmt" / "wmt21.jsonl"], "wmt22": [root / "wmt" / "wmt22.jsonl"],
               "htmt": [root / "htmt" / "htmt_train_documents.jsonl"]}
    for f in sorted((default_cache_dir() / "synth").glob("*.jsonl")):
        sources[f"synth:{f.stem}"] = [f]
    for f in extra:
        sources[f"extra:{f.stem}"] = [f]
    return [(name, d.label, d.text) for name, files in sources.items() if all(f.exists() for f in files)
            for d in read_labelled(files, strict_labels=False)]


def demonyms(docs: list[tuple[str, str, str]], min_count: int = 5) -> set[str]:
    """Demonym-shaped words that the original English articles capitalise every time."""
    cap, low = Counter(), Counter()
    for source, label, text in docs:
        if label != "original" or ":" in source:
            continue
        for m in AFTER_LOWER.finditer(text):
            word = m.group(1)
            (cap if word[0].isupper() else low)[word.lower()] += 1
    return {w for w, n in cap.items() if n >= min_count and not low[w] and len(w) > 4 and DEMONYM_SHAPE.search(w)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--extra", nargs="*", type=Path, default=[], help="more labelled JSONL files, reported apart")
    ap.add_argument("--json", type=Path, help="write the table here")
    args = ap.parse_args(argv)
    docs = corpora(args.extra)
    if not docs:
        print(f"no data under {shared_data_dir()}", file=sys.stderr)
        return 2
    words = demonyms(docs)
    patterns = {"24h_time": TIME_24H,
                "lower_demonym": re.compile(AFTER_LOWER.pattern.replace("[A-Za-z]+", "|".join(sorted(words, key=len, reverse=True))))}
    stats: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for source, label, text in docs:
        for name, rx in patterns.items():
            hits = len(rx.findall(text))
            row = stats[(name, source, label)]
            row[0] += 1
            row[1] += hits > 0
            row[2] += hits
    rows = [{"pattern": p, "source": s, "label": lab, "articles": n, "with_hit": k / n, "hits": h}
            for (p, s, lab), (n, k, h) in sorted(stats.items())]
    print(f"{len(words)} demonym-shaped words (capitalised in originals): {', '.join(sorted(words))}\n")
    print("| pattern | source | label | articles | with a hit | hits |\n|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['pattern']} | {r['source']} | {r['label']} | {r['articles']} | {100 * r['with_hit']:.1f}% | {r['hits']} |")
    if args.json:
        args.json.write_text(json.dumps({"demonyms": sorted(words), "rows": rows}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
