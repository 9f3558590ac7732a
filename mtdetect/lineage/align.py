"""Sentence alignment between two versions of a story.

A monotone dynamic programme (as in Gale & Church's sentence aligner, but scored by
similarity rather than length) over the two sentence sequences: each step aligns one
sentence with one (1-1), two source sentences with one copy sentence (2-1, a merge) or one
with two (1-2, a split), or skips a sentence on either side (unaligned). A match earns its
similarity minus ``threshold``, a skip earns nothing, so a pair below the threshold is
never aligned and the best path keeps the story's order. Similarity is lexical (Dice over
content-word stems), optionally raised by sentence-embedding cosine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .text import content_stems, word_stems

#: Below this similarity two sentences are not aligned.
MATCH_THRESHOLD = 0.3
#: A merge or split must beat the best single pairing by this much.
MERGE_MARGIN = 0.05
#: Cosine below ``EMB_LOW`` adds nothing; ``EMB_HIGH`` and above count as similarity 1.
EMB_LOW, EMB_HIGH = 0.6, 0.92
#: Longer articles are aligned on their first sentences only (the cost is quadratic).
MAX_SENTENCES = 400


@dataclass(frozen=True, slots=True)
class AlignedPair:
    """Source sentence indices aligned with copy sentence indices (1-1, 2-1 or 1-2)."""

    source: tuple[int, ...]
    copy: tuple[int, ...]
    similarity: float

    def to_dict(self) -> dict:
        return {"source": list(self.source), "copy": list(self.copy), "similarity": round(self.similarity, 3)}


@lru_cache(maxsize=4096)
def _bag(text: str) -> frozenset[str]:
    bag = content_stems(text)
    return bag if len(bag) >= 2 else word_stems(text)


def dice(a: frozenset[str], b: frozenset[str]) -> float:
    """Dice coefficient of two sets (0 when both are empty)."""
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def similarity_matrix(source: Sequence[str], copy: Sequence[str],
                      source_vecs: np.ndarray | None = None, copy_vecs: np.ndarray | None = None) -> np.ndarray:
    """Pairwise sentence similarity in [0, 1]: lexical, raised by embeddings when given."""
    sb, cb = [_bag(s) for s in source], [_bag(c) for c in copy]
    sim = np.zeros((len(sb), len(cb)), dtype=np.float32)
    for i, a in enumerate(sb):
        if not a:
            continue
        la = len(a)
        for j, b in enumerate(cb):
            if b:
                inter = len(a & b)
                if inter:
                    sim[i, j] = 2 * inter / (la + len(b))
    if source_vecs is not None and copy_vecs is not None and len(sb) and len(cb):
        cos = _cosine(source_vecs, copy_vecs)
        sim = np.maximum(sim, np.clip((cos - EMB_LOW) / (EMB_HIGH - EMB_LOW), 0.0, 1.0).astype(np.float32))
    return sim


def _cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = a / np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-9)
    b = b / np.maximum(np.linalg.norm(b, axis=1, keepdims=True), 1e-9)
    return a @ b.T


def align(source: Sequence[str], copy: Sequence[str], *, sim: np.ndarray | None = None,
          threshold: float = MATCH_THRESHOLD) -> list[AlignedPair]:
    """The best monotone alignment of two sentence lists (see the module docstring)."""
    source, copy = list(source)[:MAX_SENTENCES], list(copy)[:MAX_SENTENCES]
    n, m = len(source), len(copy)
    if not n or not m:
        return []
    if sim is None:
        sim = similarity_matrix(source, copy)
    sim = sim[:n, :m]
    sb, cb = [_bag(s) for s in source], [_bag(c) for c in copy]
    neg = -1e9
    score = np.full((n + 1, m + 1), neg)
    back: dict[tuple[int, int], tuple[int, int, float]] = {}
    score[0, :] = 0.0
    score[:, 0] = 0.0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            best, move = score[i - 1, j], (1, 0, 0.0)
            if score[i, j - 1] > best:
                best, move = score[i, j - 1], (0, 1, 0.0)
            s11 = float(sim[i - 1, j - 1])
            if s11 >= threshold and score[i - 1, j - 1] + s11 - threshold > best:
                best, move = score[i - 1, j - 1] + s11 - threshold, (1, 1, s11)
            # merges and splits only near a plausible pairing (saves the set unions)
            if i >= 2 and max(s11, sim[i - 2, j - 1]) >= threshold / 2:
                s21 = dice(sb[i - 2] | sb[i - 1], cb[j - 1])
                if s21 >= threshold and s21 > max(s11, sim[i - 2, j - 1]) + MERGE_MARGIN:
                    gain = score[i - 2, j - 1] + 2 * (s21 - threshold)
                    if gain > best:
                        best, move = gain, (2, 1, s21)
            if j >= 2 and max(s11, sim[i - 1, j - 2]) >= threshold / 2:
                s12 = dice(sb[i - 1], cb[j - 2] | cb[j - 1])
                if s12 >= threshold and s12 > max(s11, sim[i - 1, j - 2]) + MERGE_MARGIN:
                    gain = score[i - 1, j - 2] + 2 * (s12 - threshold)
                    if gain > best:
                        best, move = gain, (1, 2, s12)
            score[i, j] = best
            back[i, j] = move
    pairs: list[AlignedPair] = []
    i, j = n, m
    while i > 0 and j > 0:
        di, dj, s = back[i, j]
        if di and dj:
            pairs.append(AlignedPair(tuple(range(i - di, i)), tuple(range(j - dj, j)), s))
        i, j = i - di, j - dj
    pairs.reverse()
    return pairs


def reorder_share(sim: np.ndarray, threshold: float = MATCH_THRESHOLD) -> tuple[float, int]:
    """How much of the copy matches the source out of order.

    Each copy sentence is paired with its most similar source sentence (ignoring order);
    returns the share of such pairs involved in an inversion, and the number of pairs.
    """
    if sim.size == 0:
        return 0.0, 0
    best = sim.argmax(axis=0)
    ok = sim.max(axis=0) >= threshold
    seq = best[ok]
    k = len(seq)
    if k < 2:
        return 0.0, k
    inverted = np.zeros(k, dtype=bool)
    for a in range(k):
        later = seq[a + 1:] < seq[a]
        if later.any():
            inverted[a] = True
            inverted[a + 1:][later] = True
    return float(inverted.mean()), k
