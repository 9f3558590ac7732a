"""Candidate pairs without comparing all pairs: MinHash banding and random-hyperplane LSH.

Both indexes are built in one streaming pass and paired once, at the end. They keep no
Python object per article and no hash table per band; what grows with the feed is split in
two:

* **bucket codes** (one per LSH band or hyperplane table per article) are appended to one
  small file per band in a temporary folder, and read back one band at a time at the end:
  sorting a band's codes puts the articles that share a bucket next to each other, and they
  become candidate pairs. This is the banding of an LSH index (datasketch's
  ``MinHashLSH``), without its in-memory tables, which cost about 12 KB per article;
* **a verification sketch** per article stays in memory: ``NUM_PERM`` bytes of b-bit
  MinHash (the lowest 8 bits of each MinHash value, 126 bytes) for the shingle index, a
  ``dim``-byte int8 random projection (96 bytes) for the vector index. Candidate pairs of a
  band are checked on it (estimated Jaccard, cosine) before the next band is read, so only
  verified pairs accumulate.

A bucket shared by many articles would give a quadratic number of pairs. In a bucket of
more than ``bucket_window + 1`` articles, each article is paired only with the
``bucket_window`` articles inserted just before it (the chain still joins every member);
a bucket of more than ``max_bucket`` articles is skipped: so many near-identical texts are
boilerplate or a template (notices, tickers), not the versions of a story, and aligning
them would cost up to ``max_candidates`` alignments per article. Both are counted
(:class:`PairStats`). Each article finally keeps at most ``max_candidates`` earlier
partners, the most similar ones.
"""

from __future__ import annotations

import shutil
import tempfile
import zlib
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

#: MinHash permutations and LSH bands x rows: a pair with Jaccard 0.46 (the lowest 1% of
#: real round trips, on content-word stems) collides with probability 0.986, a pair with
#: Jaccard 0.03 (unrelated news) with probability 0.001.
NUM_PERM, BANDS, ROWS = 126, 42, 3
#: In a bucket larger than ``BUCKET_WINDOW + 1``, each article is paired with this many
#: predecessors only (a story in up to 17 versions is paired all with all; a template used
#: hundreds of times costs 16 alignments per article); a bucket larger than ``MAX_BUCKET``
#: is skipped (boilerplate).
BUCKET_WINDOW, MAX_BUCKET = 16, 1000
#: Verified candidates kept per article (its most similar earlier articles): each costs an
#: alignment, and a handful is enough to join an article to its cluster.
MAX_CANDIDATES = 10
#: Hash values computed per numpy block while signing (bounds the transient memory:
#: NUM_PERM x this x 8 bytes, 8 MB).
_SIGN_BLOCK = 8192
#: Candidate pairs verified per numpy block.
_VERIFY_BLOCK = 16384
#: Rows per in-memory chunk and per write to the band files.
_CHUNK = 4096

_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S32 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(32)


def _mix64(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser, elementwise on uint64 (wrapping arithmetic)."""
    x = x ^ (x >> _S30)
    x = x * _M1
    x = x ^ (x >> _S27)
    x = x * _M2
    return x ^ (x >> _S31)


def shingle_hashes(shingles: Iterable[str]) -> np.ndarray:
    """32-bit hashes (CRC-32 of UTF-8) of a set of shingles, as uint64."""
    return np.fromiter((zlib.crc32(s.encode("utf-8", "surrogatepass")) for s in shingles), dtype=np.uint64)


class _Rows:
    """A 2-D array kept in chunks of rows: rows are appended and read by index; the whole
    is never copied into one block (which would double the peak)."""

    def __init__(self, width: int, dtype) -> None:
        self.width, self.dtype = width, np.dtype(dtype)
        self._chunks: list[np.ndarray] = []
        self._n = _CHUNK  # rows used in the last chunk

    def __len__(self) -> int:
        return (len(self._chunks) - 1) * _CHUNK + self._n if self._chunks else 0

    def append(self, rows: np.ndarray) -> None:
        rows = np.asarray(rows, dtype=self.dtype).reshape(-1, self.width)
        while len(rows):
            if self._n == _CHUNK:
                self._chunks.append(np.empty((_CHUNK, self.width), dtype=self.dtype))
                self._n = 0
            take = min(_CHUNK - self._n, len(rows))
            self._chunks[-1][self._n:self._n + take] = rows[:take]
            self._n += take
            rows = rows[take:]

    def take(self, index: np.ndarray) -> np.ndarray:
        """The rows at ``index``."""
        out = np.empty((len(index), self.width), dtype=self.dtype)
        chunk, row = np.divmod(np.asarray(index, dtype=np.int64), _CHUNK)
        for c in np.unique(chunk).tolist():
            m = chunk == c
            out[m] = self._chunks[c][row[m]]
        return out

    @property
    def nbytes(self) -> int:
        return len(self._chunks) * _CHUNK * self.width * self.dtype.itemsize


class _ColumnFiles:
    """Columns appended row block by row block to one file each (in a temporary folder),
    read back one whole column at a time."""

    def __init__(self, width: int, dtype, workdir: str | Path | None = None) -> None:
        self.width, self.dtype = width, np.dtype(dtype)
        self.dir = Path(tempfile.mkdtemp(prefix="mtdetect-lineage-", dir=workdir))
        self._files = [(self.dir / f"{c:03d}.bin").open("ab") for c in range(width)]
        self._buffer: list[np.ndarray] = []
        self._buffered = 0
        self.rows = 0

    def append(self, rows: np.ndarray) -> None:
        rows = np.asarray(rows, dtype=self.dtype).reshape(-1, self.width)
        self._buffer.append(rows)
        self._buffered += len(rows)
        self.rows += len(rows)
        if self._buffered >= _CHUNK:
            self.flush()

    def flush(self) -> None:
        if self._buffer:
            block = np.concatenate(self._buffer)
            for c, fh in enumerate(self._files):
                fh.write(np.ascontiguousarray(block[:, c]).tobytes())
                fh.flush()
        self._buffer, self._buffered = [], 0

    def column(self, c: int) -> np.ndarray:
        self.flush()
        return np.fromfile(self.dir / f"{c:03d}.bin", dtype=self.dtype)

    def close(self) -> None:
        for fh in self._files or ():
            fh.close()
        self._files = None
        shutil.rmtree(self.dir, ignore_errors=True)

    def __del__(self) -> None:
        if getattr(self, "_files", None) is not None:
            self.close()


class PairStats:
    """What pairing did: pairs from shared buckets, and what the caps left out."""

    def __init__(self) -> None:
        #: pairs that shared a bucket (before verification)
        self.bucket_pairs = 0
        #: buckets paired through the window, and the pairs the window left out
        self.capped_buckets = 0
        self.capped_pairs = 0
        #: buckets over ``max_bucket`` (boilerplate), skipped, and their pairs
        self.skipped_buckets = 0
        self.skipped_pairs = 0
        self.verified = 0


def iter_bucket_pairs(codes: np.ndarray, keys: np.ndarray, window: int, stats: PairStats | None = None,
                      max_bucket: int | None = None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Pairs ``(a, b)``, ``a < b``, of keys with equal ``codes`` (one band or table), in
    blocks of at most ``len(codes)`` pairs.

    ``keys`` must be increasing. In a bucket of more than ``window + 1`` keys, each key is
    paired with the ``window`` keys before it only; a bucket of more than ``max_bucket``
    keys gives no pairs. What is left out is counted in ``stats``.
    """
    if len(codes) < 2:
        return
    order = np.argsort(codes, kind="stable")  # stable: keys stay increasing inside a bucket
    c = codes[order]
    same = c[1:] == c[:-1]
    if not same.any():
        return
    member = np.zeros(len(c), dtype=bool)
    member[1:] |= same
    member[:-1] |= same
    c, k = c[member], np.asarray(keys)[order][member].astype(np.int64)
    run = np.cumsum(np.r_[True, c[1:] != c[:-1]]) - 1
    sizes = np.bincount(run)
    if max_bucket is not None and (sizes > max_bucket).any():
        giant = sizes[sizes > max_bucket].astype(np.int64)
        if stats is not None:
            stats.skipped_buckets += len(giant)
            stats.skipped_pairs += int((giant * (giant - 1) // 2).sum())
        keep = sizes[run] <= max_bucket
        c, k, run = c[keep], k[keep], run[keep]
        sizes = sizes[sizes <= max_bucket]
        if not len(sizes):
            return
    big = sizes[sizes > window + 1].astype(np.int64)
    if stats is not None and len(big):
        stats.capped_buckets += len(big)
        stats.capped_pairs += int((big * (big - 1) // 2 - (window * big - window * (window + 1) // 2)).sum())
    for d in range(1, min(window, int(sizes.max()) - 1) + 1):
        m = run[d:] == run[:-d]
        if not m.any():
            break
        if stats is not None:
            stats.bucket_pairs += int(m.sum())
        yield k[:-d][m], k[d:][m]


def bucket_pairs(codes: np.ndarray, keys: np.ndarray, window: int, stats: PairStats | None = None,
                 max_bucket: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """All of :func:`iter_bucket_pairs` as two arrays."""
    blocks = list(iter_bucket_pairs(codes, keys, window, stats, max_bucket))
    if not blocks:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    return np.concatenate([a for a, _ in blocks]), np.concatenate([b for _, b in blocks])


def _best_per_key(a: np.ndarray, b: np.ndarray, score: np.ndarray, keep: int) -> np.ndarray:
    """Mask keeping, for each ``b``, the ``keep`` partners with the highest score (later
    partners first on ties)."""
    if not len(b):
        return np.zeros(0, dtype=bool)
    order = np.lexsort((-a, -score, b))
    bs = b[order]
    start = np.r_[0, np.flatnonzero(bs[1:] != bs[:-1]) + 1]
    rank = np.arange(len(bs)) - np.repeat(start, np.diff(np.r_[start, len(bs)]))
    mask = np.zeros(len(b), dtype=bool)
    mask[order[rank < keep]] = True
    return mask


class _PairIndex:
    """Shared by both indexes: keys by row, bucket codes on disk, sketches in memory,
    pairing by equal codes and verification on the sketches."""

    max_candidates: int
    bucket_window: int
    max_bucket: int | None

    def _init_store(self, n_codes: int, code_type, sketch_width: int, sketch_type, workdir) -> None:
        self.keys = array("q")
        self.pair_stats = PairStats()
        self._codes = _ColumnFiles(n_codes, code_type, workdir)
        self._sketches = _Rows(sketch_width, sketch_type)

    def _store(self, keys: Iterable[int], codes: np.ndarray, sketches: np.ndarray) -> None:
        self.keys.extend(keys)
        self._codes.append(codes)
        self._sketches.append(sketches)

    def _similarity(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _min_similarity(self) -> float:
        raise NotImplementedError

    def _before_pairing(self) -> None:
        """Store what is still queued."""

    def __len__(self) -> int:
        return len(self.keys)

    @property
    def nbytes(self) -> int:
        """Bytes the index holds in memory (sketches and keys; the bucket codes are on disk)."""
        return self._sketches.nbytes + self.keys.itemsize * len(self.keys)

    def candidate_pairs(self) -> list[tuple[int, int]]:
        """Verified candidate pairs ``(a, b)`` of keys, ``a < b``, sorted. Call it once,
        after the last insertion (it removes the temporary files)."""
        try:
            return self._candidate_pairs()
        finally:
            self._codes.close()

    def _candidate_pairs(self) -> list[tuple[int, int]]:
        self._before_pairing()
        n = len(self.keys)
        if n < 2:
            return []
        row_ids = np.arange(n, dtype=np.int64)
        threshold = self._min_similarity()
        codes_kept, sims_kept = np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        for band in range(self._codes.width):
            codes = self._codes.column(band)
            kept_codes, kept_sims = [codes_kept], [sims_kept]
            for i, j in iter_bucket_pairs(codes, row_ids, self.bucket_window, self.pair_stats, self.max_bucket):
                for s in range(0, len(i), _VERIFY_BLOCK):
                    bi, bj = i[s:s + _VERIFY_BLOCK], j[s:s + _VERIFY_BLOCK]
                    sim = self._similarity(bi, bj).astype(np.float32)
                    ok = sim >= threshold
                    if ok.any():
                        kept_codes.append(bi[ok] * n + bj[ok])
                        kept_sims.append(sim[ok])
            if len(kept_codes) > 1:
                codes_kept, first = np.unique(np.concatenate(kept_codes), return_index=True)
                sims_kept = np.concatenate(kept_sims)[first]
        i, j, sim = codes_kept // n, codes_kept % n, sims_kept
        ok = _best_per_key(i, j, sim, self.max_candidates)
        i, j = i[ok], j[ok]
        self.pair_stats.verified += len(i)
        keys = np.frombuffer(self.keys, dtype=np.int64)
        a, b = keys[i], keys[j]
        return sorted(zip(np.minimum(a, b).tolist(), np.maximum(a, b).tolist()))


class ShingleIndex(_PairIndex):
    """MinHash signatures of shingle sets, banded into LSH buckets at the end.

    The signature is computed in numpy: each shingle's CRC-32 goes through ``num_perm``
    multiply-add-shift hash functions (``(a*x + b) mod 2**64 >> 32``, with random 64-bit
    ``a``, ``b``: a strongly universal family on 32-bit keys) and each function keeps its
    minimum. Each band's ``rows`` values are hashed into one uint32 bucket code (a rare
    collision of two different bands only adds a candidate, which verification drops).
    LSH collisions are candidates only: the Jaccard similarity estimated from the two
    articles' b-bit sketches must reach ``min_jaccard``, which removes most random
    collisions before any text is read.
    """

    def __init__(self, min_jaccard: float, num_perm: int = NUM_PERM, bands: int = BANDS, rows: int = ROWS,
                 seed: int = 1, max_candidates: int = MAX_CANDIDATES, bucket_window: int = BUCKET_WINDOW,
                 max_bucket: int | None = MAX_BUCKET, workdir: str | Path | None = None) -> None:
        if bands * rows > num_perm:
            raise ValueError(f"bands x rows ({bands} x {rows}) exceeds num_perm ({num_perm})")
        self.num_perm, self.bands, self.rows, self.seed = num_perm, bands, rows, seed
        self.min_jaccard, self.max_candidates = min_jaccard, max_candidates
        self.bucket_window, self.max_bucket = bucket_window, max_bucket
        rng = np.random.default_rng(seed)
        self._a = rng.integers(0, 2**63, size=num_perm, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
        self._b = rng.integers(0, 2**63, size=num_perm, dtype=np.uint64) * np.uint64(2)
        self._pending: list[np.ndarray] = []
        self._pending_keys: list[int] = []
        self._pending_items = 0
        self._init_store(bands, np.uint32, num_perm, np.uint8, workdir)

    def signatures(self, hash_sets: list[np.ndarray]) -> np.ndarray:
        """MinHash signatures (len(hash_sets) x num_perm, uint32) of non-empty sets of
        :func:`shingle_hashes`."""
        out = np.empty((len(hash_sets), self.num_perm), dtype=np.uint32)
        start = 0
        while start < len(hash_sets):
            stop, items = start, 0
            while stop < len(hash_sets) and (stop == start or items + len(hash_sets[stop]) <= _SIGN_BLOCK):
                items += len(hash_sets[stop])
                stop += 1
            x = np.concatenate(hash_sets[start:stop])
            h = np.multiply.outer(x, self._a)
            h += self._b
            h >>= _S32
            offsets = np.cumsum([0] + [len(s) for s in hash_sets[start:stop - 1]])
            out[start:stop] = np.minimum.reduceat(h, offsets, axis=0)
            start = stop
        return out

    def band_codes(self, signatures: np.ndarray) -> np.ndarray:
        """One uint32 bucket code per band (rows x bands)."""
        n = len(signatures)
        out = np.empty((n, self.bands), dtype=np.uint32)
        for band in range(self.bands):
            h = np.full(n, np.uint64(band) + np.uint64(0x9E3779B97F4A7C15), dtype=np.uint64)
            for r in range(band * self.rows, (band + 1) * self.rows):
                h = _mix64(h ^ signatures[:, r].astype(np.uint64))
            out[:, band] = (h >> _S32).astype(np.uint32)
        return out

    def add(self, key: int, shingles: Iterable[str]) -> None:
        """Queue ``key`` with its shingles (an article without shingles is left out)."""
        hashes = shingle_hashes(shingles)
        if not len(hashes):
            return
        self._pending.append(hashes)
        self._pending_keys.append(key)
        self._pending_items += len(hashes)
        if self._pending_items >= _SIGN_BLOCK:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            sig = self.signatures(self._pending)
            self._store(self._pending_keys, self.band_codes(sig), (sig & 0xFF).astype(np.uint8))
        self._pending, self._pending_keys, self._pending_items = [], [], 0

    def _before_pairing(self) -> None:
        self._flush()

    def _similarity(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        # b-bit MinHash (Li & Koenig 2010): two different minima agree on 8 bits 1 time in
        # 256, so the share of equal bytes is J + (1 - J) / 256
        match = (self._sketches.take(i) == self._sketches.take(j)).mean(axis=1)
        return (match - 1 / 256) / (1 - 1 / 256)

    def _min_similarity(self) -> float:
        return self.min_jaccard


class VectorIndex(_PairIndex):
    """Random-hyperplane (SimHash) LSH for cosine similarity, verified on stored projections.

    ``tables`` hash tables of ``bits`` signs each; two vectors with cosine 0.95 share a
    bucket in at least one table with probability about 0.98 (``bits=16, tables=20``).
    Candidates are then kept only if their cosine (on a ``dim``-dimensional random
    projection, normalised and stored as int8) reaches ``min_cosine``.
    """

    def __init__(self, input_dim: int, *, bits: int = 16, tables: int = 20, dim: int = 96,
                 min_cosine: float = 0.85, seed: int = 7, bucket_window: int = BUCKET_WINDOW,
                 max_bucket: int | None = MAX_BUCKET, max_candidates: int = MAX_CANDIDATES,
                 workdir: str | Path | None = None) -> None:
        if bits > 32:
            raise ValueError("bits must be at most 32")
        rng = np.random.default_rng(seed)
        self.planes = rng.standard_normal((input_dim, bits * tables)).astype(np.float32)
        self.project = rng.standard_normal((input_dim, dim)).astype(np.float32) / np.sqrt(dim)
        self.bits, self.tables, self.dim = bits, tables, dim
        self.min_cosine, self.max_candidates = min_cosine, max_candidates
        self.bucket_window, self.max_bucket = bucket_window, max_bucket
        self._weights = (1 << np.arange(bits, dtype=np.int64))
        self._init_store(tables, np.uint16 if bits <= 16 else np.uint32, dim, np.int8, workdir)

    def add_many(self, keys: list[int], vectors: np.ndarray) -> None:
        """Insert ``keys`` with their vectors (rows); zero or non-finite vectors are left out."""
        v = np.asarray(vectors, dtype=np.float32).reshape(len(keys), -1)
        norm = np.linalg.norm(v, axis=1)
        ok = (norm > 0) & np.isfinite(norm)
        if not ok.any():
            return
        v = v[ok] / norm[ok, None]
        codes = ((v @ self.planes) > 0).reshape(len(v), self.tables, self.bits).astype(np.int64) @ self._weights
        small = v @ self.project
        small /= np.maximum(np.linalg.norm(small, axis=1, keepdims=True), 1e-9)
        self._store([k for k, good in zip(keys, ok.tolist()) if good], codes, np.rint(small * 127))

    def add(self, key: int, vector: np.ndarray) -> None:
        """Insert one ``key``."""
        self.add_many([key], np.asarray(vector)[None, :])

    def _similarity(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        a = self._sketches.take(i).astype(np.float32)
        b = self._sketches.take(j).astype(np.float32)
        norms = np.maximum(np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1), 1e-9)
        return np.einsum("ij,ij->i", a, b) / norms

    def _min_similarity(self) -> float:
        return self.min_cosine


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
