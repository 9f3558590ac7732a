"""Candidate pairs without comparing all pairs: MinHash LSH and random-hyperplane LSH.

Each article is queried against the index before it is inserted, so every candidate pair
is found once, and the index keeps only signatures (band hashes), never texts. A bucket
that fills up (boilerplate shared by thousands of articles) stops offering candidates
beyond ``max_candidates`` per query, which keeps the cost linear in the feed.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

#: MinHash permutations and LSH bands x rows: a pair with Jaccard 0.46 (the lowest 1% of
#: real round trips, on content-word stems) collides with probability 0.986, a pair with
#: Jaccard 0.03 (unrelated news) with probability 0.001.
NUM_PERM, BANDS, ROWS = 126, 42, 3


class ShingleIndex:
    """MinHash LSH over shingle sets (datasketch), query-then-insert.

    LSH collisions are candidates only: the Jaccard similarity estimated from the two
    signatures (kept as uint32, 0.5 KB per article) must reach ``min_jaccard``, which
    removes most random collisions before any text is read.
    """

    def __init__(self, min_jaccard: float, num_perm: int = NUM_PERM, bands: int = BANDS, rows: int = ROWS,
                 seed: int = 1, max_candidates: int = 40) -> None:
        from datasketch import MinHash, MinHashLSH

        self._minhash = MinHash
        self.num_perm, self.seed, self.max_candidates = num_perm, seed, max_candidates
        self.min_jaccard = min_jaccard
        self.lsh = MinHashLSH(num_perm=num_perm, params=(bands, rows))
        # one permutation table for all signatures (MinHash would draw it per object)
        proto = MinHash(num_perm=num_perm, seed=seed)
        self._perm, self._scheme = proto.permutations, proto.scheme
        self.signatures: dict[int, np.ndarray] = {}

    def signature(self, shingles: set[str]):
        m = self._minhash(num_perm=self.num_perm, seed=self.seed, permutations=self._perm, scheme=self._scheme)
        if shingles:
            m.update_batch([s.encode("utf-8", "surrogatepass") for s in shingles])
        return m

    def add(self, key: int, shingles: set[str]) -> list[int]:
        """Insert ``key``; return earlier keys whose estimated Jaccard reaches ``min_jaccard``."""
        if not shingles:
            return []
        m = self.signature(shingles)
        found = self.lsh.query(m)
        self.lsh.insert(key, m, check_duplication=False)
        sig = m.hashvalues.astype(np.uint32)
        self.signatures[key] = sig
        if not found:
            return []
        keys = sorted(found)
        est = (np.stack([self.signatures[k] for k in keys]) == sig).mean(axis=1)
        keep = [k for k, j in zip(keys, est) if j >= self.min_jaccard]
        return keep[-self.max_candidates:]


class VectorIndex:
    """Random-hyperplane (SimHash) LSH for cosine similarity, verified on stored vectors.

    ``tables`` hash tables of ``bits`` signs each; two vectors with cosine 0.95 share a
    bucket in at least one table with probability about 0.98 (``bits=16, tables=20``).
    Candidates are then kept only if their cosine (on a ``dim``-dimensional random
    projection stored as float16) reaches ``min_cosine``.
    """

    def __init__(self, input_dim: int, *, bits: int = 16, tables: int = 20, dim: int = 96,
                 min_cosine: float = 0.85, seed: int = 7, bucket_cap: int = 64, max_candidates: int = 40) -> None:
        rng = np.random.default_rng(seed)
        self.planes = rng.standard_normal((input_dim, bits * tables)).astype(np.float32)
        self.project = rng.standard_normal((input_dim, dim)).astype(np.float32) / np.sqrt(dim)
        self.bits, self.tables = bits, tables
        self.min_cosine, self.bucket_cap, self.max_candidates = min_cosine, bucket_cap, max_candidates
        self.buckets: list[dict[int, list[int]]] = [defaultdict(list) for _ in range(tables)]
        self.vectors: dict[int, np.ndarray] = {}
        self._weights = (1 << np.arange(bits, dtype=np.int64))

    def add(self, key: int, vector: np.ndarray) -> list[int]:
        """Insert ``key``; return earlier keys with a cosine of at least ``min_cosine``."""
        v = np.asarray(vector, dtype=np.float32)
        norm = float(np.linalg.norm(v))
        if not norm or not np.isfinite(norm):
            return []
        v = v / norm
        codes = ((v @ self.planes) > 0).reshape(self.tables, self.bits).astype(np.int64) @ self._weights
        small = v @ self.project
        small = (small / max(float(np.linalg.norm(small)), 1e-9)).astype(np.float16)
        seen: set[int] = set()
        for t, code in enumerate(codes):
            bucket = self.buckets[t][int(code)]
            seen.update(bucket)
            if len(bucket) < self.bucket_cap:
                bucket.append(key)
        self.vectors[key] = small
        if not seen:
            return []
        keys = sorted(seen)
        cos = np.stack([self.vectors[k] for k in keys]).astype(np.float32) @ small.astype(np.float32)
        keep = [k for k, c in zip(keys, cos) if c >= self.min_cosine]
        return keep[-self.max_candidates:]


class UnionFind:
    """Disjoint sets over integer keys."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        parent = self.parent
        parent.setdefault(x, x)
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def groups(self) -> list[list[int]]:
        out: dict[int, list[int]] = defaultdict(list)
        for x in self.parent:
            out[self.find(x)].append(x)
        return [sorted(g) for g in out.values() if len(g) > 1]
