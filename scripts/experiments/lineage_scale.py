"""Time and peak memory of lineage over generated feeds (10k, 100k articles).

Each feed is an ``articles.jsonl`` as an audit writes it (sentences with offsets, p_mt,
no findings), made of unique articles (made-up content words, so unrelated articles share
only function words) and, for ``--cluster-share`` of them, stories published in 2-4
versions (exact copies, reworded copies, a version with sentences dropped). Each size runs
in its own process, so that its peak RSS is its own:

    python scripts/experiments/lineage_scale.py --sizes 10000 100000 --out /tmp/lineage-scale

``--hash-embedder`` also runs the embedding path (the random-hyperplane index over lead
sentences) with a cheap deterministic embedder (hashed bag of words, 384 dimensions, the
width of MiniLM), so its memory can be measured without loading a model.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

SYL = ["ka", "lo", "mer", "tis", "van", "dru", "pel", "shi", "gor", "nu", "bex", "rai", "tol", "quin", "sa",
       "fe", "zor", "mi", "ak", "ul", "den", "ros", "ty", "bo"]
FUNCTION = ["the", "of", "and", "to", "in", "a", "on", "for", "with", "that", "was", "by", "at", "from"]


def word(rng: random.Random) -> str:
    return "".join(rng.choice(SYL) for _ in range(rng.choice((3, 3, 4, 4))))


def sentence(rng: random.Random) -> str:
    words = [word(rng) if rng.random() < 0.6 else rng.choice(FUNCTION) for _ in range(rng.randint(9, 18))]
    words[0] = words[0].title()
    return " ".join(words) + "."


def reword(s: str, rng: random.Random, rate: float) -> str:
    ws = s.rstrip(".").split(" ")
    ws = [word(rng) if (w.islower() and w not in FUNCTION and rng.random() < rate) else w for w in ws]
    return " ".join(ws) + "."


def record(aid: str, sents: list[str], rng: random.Random) -> dict:
    out, pos = [], 0
    for i, s in enumerate(sents):
        out.append({"index": i, "start": pos, "end": pos + len(s), "text": s, "p_mt": 0.1, "findings": []})
        pos += len(s) + 1
    return {"id": aid, "p_mt": round(rng.random(), 3), "verdict": "human", "findings": [], "sentences": out}


def generate(path: Path, n: int, cluster_share: float, seed: int = 0) -> dict[str, int]:
    rng = random.Random(seed)
    truth: dict[str, int] = {}
    written = story = 0
    with path.open("w", encoding="utf-8") as fh:
        while written < n:
            sents = [sentence(rng) for _ in range(12)]
            if rng.random() < cluster_share / 3:
                k = rng.randint(2, 4)
                versions = [sents, list(sents), [reword(s, rng, 0.3) for s in sents], sents[:8]][:k]
                for v, vs in enumerate(versions):
                    aid = f"st{story}-v{v}"
                    truth[aid] = story
                    fh.write(json.dumps(record(aid, vs, rng)) + "\n")
                written += len(versions)
            else:
                fh.write(json.dumps(record(f"a{written}", sents, rng)) + "\n")
                written += 1
            story += 1
    return truth


class HashEmbedder:
    """Sentence vectors from hashed words (4 signed buckets of 384 per word): texts that
    share words get similar vectors, and nothing is loaded."""

    dim = 384

    def encode(self, texts):
        import zlib

        import numpy as np

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in t.lower().split():
                h = zlib.crc32(w.strip(".,").encode())
                for k in range(4):
                    out[i, (h >> (8 * k)) % self.dim] += 1.0 if (h >> (k + 28)) & 1 else -1.0
        return out


def run_one(folder: Path, hash_embedder: bool = False) -> None:
    """Child process: lineage over folder/articles.jsonl; prints measurements as JSON."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from mtdetect.lineage.build import write_lineage

    t = time.time()
    res = write_lineage(folder, html_limit=20, embedder=HashEmbedder() if hash_embedder else None)
    seconds = time.time() - t
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"seconds": round(seconds, 1), "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
                      "peak_rss_mb": round(usage.ru_maxrss / 1024), **res.summary}))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[10000, 100000])
    ap.add_argument("--out", type=Path, default=Path("/tmp/lineage-scale"))
    ap.add_argument("--cluster-share", type=float, default=0.1)
    ap.add_argument("--hash-embedder", action="store_true")
    ap.add_argument("--child", type=Path)
    args = ap.parse_args()
    if args.child:
        run_one(args.child, args.hash_embedder)
        return
    for n in args.sizes:
        folder = args.out / str(n)
        folder.mkdir(parents=True, exist_ok=True)
        t = time.time()
        truth = generate(folder / "articles.jsonl", n, args.cluster_share)
        gen_s = time.time() - t
        res = subprocess.run([sys.executable, __file__, "--child", str(folder)]
                             + (["--hash-embedder"] if args.hash_embedder else []), capture_output=True, text=True)
        if res.returncode:
            print(res.stderr, file=sys.stderr)
            continue
        m = json.loads(res.stdout.strip().splitlines()[-1])
        # cluster quality against the generator's stories
        found = [json.loads(line)["articles"] for line in (folder / "lineage.jsonl").open()]
        true_stories: dict[int, int] = {}
        for s in truth.values():
            true_stories[s] = true_stories.get(s, 0) + 1
        pure = sum(1 for c in found if len({truth.get(a, a) for a in c}) == 1)
        recovered = sum(1 for c in found if len({truth.get(a, a) for a in c}) == 1
                        and len(c) == true_stories.get(truth.get(c[0], -1), 0))
        m.update({"articles": n, "mb_on_disk": round((folder / "articles.jsonl").stat().st_size / 2**20),
                  "generate_seconds": round(gen_s, 1), "true_clusters": len(true_stories),
                  "pure_clusters": pure, "clusters_recovered_whole": recovered})
        print(json.dumps(m), flush=True)


if __name__ == "__main__":
    main()
