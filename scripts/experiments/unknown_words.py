#!/usr/bin/env python3
"""Unknown lower-case words: a lead for round trips through pivots no table covers.

Apertium passes words it cannot translate through as they are, often as uninflected lemmas
without diacritics ("zeljeti", "tokom", "prosjek" in the Serbo-Croatian round trips). They
are in no frequency list, so ``pivot_words`` misses them. This measures, per set of
articles, the share with at least ``--min`` distinct *unknown* words: lower-case, 4+
letters, in neither the system word lists (``/usr/share/dict/{american,british}-english-huge``,
Debian ``wamerican-huge`` / ``wbritish-huge``) nor wordfreq's English (Zipf >= 2), and not
explained as English: a typo (one edit from a common English word), a compound of two
English words ("castmates"), or an English word with an English suffix ("tweetable").

    python scripts/experiments/unknown_words.py --set originals=dev_originals.jsonl \\
        --set hbs=rt_hbs.jsonl --shared-dev [--json out.json]

``--shared-dev`` adds the dev split's originals, human translations and MT by label.
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import string
import sys
from functools import lru_cache
from pathlib import Path

from wordfreq import zipf_frequency

DICTS = (Path("/usr/share/dict/american-english-huge"), Path("/usr/share/dict/british-english-huge"))
SUFFIXES = ("s", "es", "ed", "d", "ing", "er", "ers", "able", "ly", "ness", "ise", "ised", "ize", "ized",
            "ation", "ist", "ists", "ism", "y", "ish", "less", "ful", "ment", "ments")
WORD = re.compile(r"(?<![\w'’-])[a-zà-öø-ÿćčđšžĉĝĥĵŝŭł]{4,}(?![\w'’-])")
LETTERS = string.ascii_lowercase


def load_dictionary() -> frozenset[str]:
    words: set[str] = set()
    for path in DICTS:
        if not path.exists():
            raise SystemExit(f"{path} missing: apt-get install wamerican-huge wbritish-huge")
        words |= {w.strip().lower() for w in path.read_text(encoding="utf-8", errors="ignore").splitlines()}
    return frozenset(words)


class Unknown:
    def __init__(self, words: frozenset[str]):
        self.words = words

    def english(self, w: str, zipf: float = 2.0) -> bool:
        return w in self.words or zipf_frequency(w, "en") >= zipf

    def common(self, w: str) -> bool:
        return len(w) >= 3 and zipf_frequency(w, "en") >= 3.0

    @lru_cache(maxsize=200_000)
    def explained(self, w: str) -> bool:
        """English after all: a typo, a compound of two English words, or word + suffix."""
        if self.english(w):
            return True
        if any(w.endswith(s) and self.english(w[: -len(s)], 3.0) for s in SUFFIXES if len(w) - len(s) >= 3):
            return True
        if any(self.common(w[:i]) and self.common(w[i:]) for i in range(3, len(w) - 2)):
            return True
        splits = [(w[:i], w[i:]) for i in range(len(w) + 1)]
        edits = {a + b[1:] for a, b in splits if b}
        edits |= {a + c + b[1:] for a, b in splits if b for c in LETTERS}
        edits |= {a + c + b for a, b in splits for c in LETTERS}
        edits |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
        return any(zipf_frequency(e, "en") >= 3.0 for e in edits if e in self.words)

    def in_text(self, text: str) -> list[str]:
        return sorted({m.group(0) for m in WORD.finditer(text) if not self.explained(m.group(0))})


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", action="append", default=[], metavar="NAME=JSONL", help="articles (field text)")
    ap.add_argument("--shared-dev", action="store_true", help="add the dev split's labels as sets")
    ap.add_argument("--min", type=int, default=2, help="distinct unknown words an article needs")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    sets: dict[str, list[str]] = {}
    for spec in args.set:
        name, _, path = spec.partition("=")
        sets[name] = [json.loads(line)["text"] for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    if args.shared_dev:
        from mtdetect.datasets import shipped_splits

        for d in shipped_splits()["dev"]:
            sets.setdefault(f"dev {d.label}", []).append(d.text)
    finder = Unknown(load_dictionary())
    result = {}
    for name, texts in sets.items():
        found = [finder.in_text(t) for t in texts]
        hits = [f for f in found if len(f) >= args.min]
        top = collections.Counter(w for f in hits for w in f).most_common(12)
        result[name] = {"articles": len(texts), f"share_with_{args.min}_or_more": round(len(hits) / max(len(texts), 1), 4),
                        "most_frequent_in_those": top}
        print(f"{name:28s} {len(texts):5d} {len(hits) / max(len(texts), 1):7.1%}  {', '.join(w for w, _ in top[:8])}",
              flush=True)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
