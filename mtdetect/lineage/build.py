"""Lineage of a whole audit, computed from ``articles.jsonl`` with bounded memory.

1. **Index** (one streaming pass): for each scored article, a MinHash signature of its
   content words (stems, function words left out) goes into an LSH index (with an embedder, also the mean
   embedding of its first sentences into a random-hyperplane index). Each article is queried
   before it is inserted, so candidate pairs come out of the pass; only signatures, byte
   offsets and a few numbers per article stay in memory.
2. **Verify**: each candidate pair is aligned sentence by sentence (texts fetched from
   ``articles.jsonl`` by offset, through a small cache); pairs that align well enough are
   links, kept as (a, b, mean similarity).
3. **Clusters** are the connected components of the links. Per cluster, the versions are
   ranked (:func:`.relation.rank_versions`); each version is linked to the member it aligns
   with best among those ranked above it; each link gets its relation, differences and, for a machine-translated copy,
   lineage findings on the copy. Clusters are numbered by their smallest article id, so the
   result does not depend on the order of ``articles.jsonl`` (a resumed audit writes the
   same ``lineage.jsonl`` as an uninterrupted one).
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .compare import Comparison, Version, compare_versions, lineage_findings
from .index import ShingleIndex, UnionFind, VectorIndex
from .relation import decide_relation, direction_logit, rank_versions
from .text import content_stems

from . import LINEAGE_FILE  # noqa: E402  (one name for the file)
#: Jaccard of content-word stems for a candidate pair (real round trips: 0.46 at the lowest
#: 1%; unrelated articles: 0.074 at the highest 0.1%); higher with embeddings, which then
#: catch the versions whose wording drifted further.
THRESHOLD_FAST, THRESHOLD_WITH_EMBEDDINGS = 0.25, 0.3
#: Sentences of each article that make its embedding (the lead carries the story).
LEAD_SENTENCES = 5


@dataclass
class LineageStats:
    """Counts for ``summary.json`` and the measurements of one run."""

    articles: int = 0
    candidate_pairs: int = 0
    verified_links: int = 0
    clusters: int = 0
    articles_in_clusters: int = 0
    links: dict[str, int] = field(default_factory=lambda: {"machine_translated_copy": 0, "copy": 0, "rewrite": 0})
    likely_original_named: int = 0
    lineage_findings: int = 0
    seconds: float = 0.0

    def to_summary(self) -> dict[str, Any]:
        return {
            "clusters": self.clusters,
            "articles_in_clusters": self.articles_in_clusters,
            "links": dict(self.links),
            "likely_original_named": self.likely_original_named,
            "lineage_findings": self.lineage_findings,
            "candidate_pairs": self.candidate_pairs,
            "seconds": round(self.seconds, 2),
        }


class RecordStore:
    """Scored articles by position in ``articles.jsonl``: offsets in memory, texts on demand."""

    def __init__(self, path: Path, cache_size: int = 256) -> None:
        self.path = path
        self.offsets: list[int] = []
        self.ids: list[str] = []
        self._fh = None
        self._cache: OrderedDict[int, Version] = OrderedDict()
        self.cache_size = cache_size

    def scan(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """Stream the file once, registering every scored article; yields (key, record)."""
        with self.path.open("rb") as fh:
            offset = 0
            for line in fh:
                start, offset = offset, offset + len(line)
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                except ValueError:
                    continue
                if not isinstance(rec, dict) or rec.get("error") or not rec.get("sentences"):
                    continue
                key = len(self.offsets)
                self.offsets.append(start)
                self.ids.append(str(rec.get("id")))
                yield key, rec

    def get(self, key: int) -> Version:
        v = self._cache.get(key)
        if v is not None:
            self._cache.move_to_end(key)
            return v
        if self._fh is None:
            self._fh = self.path.open("rb")
        self._fh.seek(self.offsets[key])
        v = Version.from_record(json.loads(self._fh.readline()))
        self._cache[key] = v
        if len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return v

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


def _article_text(rec: dict[str, Any]) -> str:
    return " ".join(str(s.get("text") or "") for s in rec.get("sentences") or ())


def find_links(store: RecordStore, embedder=None, stats: LineageStats | None = None,
               batch: int = 256) -> dict[tuple[int, int], tuple[float, float]]:
    """Passes 1 and 2: verified links ``(a, b) -> (mean aligned similarity, log-odds that a is
    b's original)`` for a < b."""
    stats = stats or LineageStats()
    shingles = ShingleIndex(THRESHOLD_WITH_EMBEDDINGS if embedder is not None else THRESHOLD_FAST)
    vectors: VectorIndex | None = None
    candidates: set[tuple[int, int]] = set()
    pending: list[tuple[int, list[str]]] = []

    def flush_vectors() -> None:
        nonlocal vectors
        texts = [t for _, lead in pending for t in lead]
        if texts:
            enc = np.asarray(embedder.encode(texts), dtype=np.float32)
            if vectors is None:
                vectors = VectorIndex(enc.shape[1])
            row = 0
            for key, lead in pending:
                vec = enc[row:row + len(lead)].mean(axis=0)
                row += len(lead)
                candidates.update((c, key) for c in vectors.add(key, vec))
        pending.clear()

    for key, rec in store.scan():
        stats.articles += 1
        candidates.update((c, key) for c in shingles.add(key, set(content_stems(_article_text(rec)))))
        if embedder is not None:
            lead = [str(s.get("text") or "") for s in rec["sentences"][:LEAD_SENTENCES]]
            pending.append((key, [t for t in lead if t.strip()] or [""]))
            if len(pending) >= batch:
                flush_vectors()
    if embedder is not None:
        flush_vectors()
    stats.candidate_pairs = len(candidates)
    links: dict[tuple[int, int], float] = {}
    # sorted: pairs sharing an article come together, which keeps the record cache warm
    for a, b in sorted(candidates):
        comp = compare_versions(store.get(a), store.get(b), with_differences=False)
        if comp.is_link():
            links[a, b] = (comp.mean_similarity, direction_logit(comp.features))
    stats.verified_links = len(links)
    return links


def build_clusters(store: RecordStore, links: dict[tuple[int, int], tuple[float, float]],
                   stats: LineageStats | None = None) -> Iterator[tuple[dict[str, Any], list[tuple[Comparison, dict]]]]:
    """Pass 3: one (lineage record, [(comparison, link record)]) per cluster, numbered by smallest id."""
    stats = stats or LineageStats()
    uf = UnionFind()
    for a, b in links:
        uf.union(a, b)
    groups = sorted(uf.groups(), key=lambda g: min(store.ids[k] for k in g))
    neighbours: dict[int, dict[int, float]] = {}
    odds: dict[int, float] = {}
    for (a, b), (w, logit) in links.items():
        neighbours.setdefault(a, {})[b] = w
        neighbours.setdefault(b, {})[a] = w
        odds[a] = odds.get(a, 0.0) + logit
        odds[b] = odds.get(b, 0.0) - logit
    for n, group in enumerate(groups, 1):
        group = sorted(group, key=lambda k: store.ids[k])
        versions = [store.get(k) for k in group]
        order, basis = rank_versions([v.id for v in versions], [odds[k] for k in group],
                                     [v.published for v in versions])
        rank = {group[i]: r for r, i in enumerate(order)}
        root = group[order[0]]
        # in rank order, each version's source is the version ranked above it that it
        # aligns with best (one ranked below only when no version above links to it)
        in_tree, parent = {root}, {}
        remaining = [group[i] for i in order[1:]]
        while remaining:
            placed = []
            for v in remaining:
                cands = [(rank[u] < rank[v], w, -rank[u], u) for u, w in neighbours[v].items() if u in in_tree]
                if cands:
                    parent[v] = max(cands)[3]
                    in_tree.add(v)
                    placed.append(v)
            if not placed:
                break
            remaining = [v for v in remaining if v not in in_tree]
        comps: list[tuple[Comparison, dict]] = []
        for child in sorted(parent, key=lambda k: rank[k]):
            comp = compare_versions(store.get(parent[child]), store.get(child))
            relation, confidence = decide_relation(comp.features)
            link = link_record(comp, relation, confidence)
            stats.links[relation] = stats.links.get(relation, 0) + 1
            stats.lineage_findings += len(link.get("findings") or ())
            comps.append((comp, link))
        record = {
            "cluster": f"c{n}",
            "articles": [v.id for v in versions],
            "likely_original": store.ids[root] if basis else None,
            "direction_basis": basis,
            "links": [link for _, link in comps],
        }
        stats.clusters += 1
        stats.articles_in_clusters += len(group)
        stats.likely_original_named += basis is not None
        yield record, comps


def link_record(comp: Comparison, relation: str, confidence: float) -> dict[str, Any]:
    """One link of the output contract (plus the alignment and, for MT copies, findings)."""
    rec = {
        "copy": comp.copy.id,
        "source": comp.source.id,
        "relation": relation,
        "confidence": round(confidence, 3),
        "aligned_sentences": comp.aligned_copy,
        "copy_sentences": len(comp.copy.sentences),
        "source_sentences": len(comp.source.sentences),
        "differences": [d.to_dict() for _, d in comp.differences],
        "alignment": [p.to_dict() for p in comp.pairs],
    }
    if relation == "machine_translated_copy":
        rec["findings"] = lineage_findings(comp)
    return rec


@dataclass
class LineageResult:
    """What :func:`write_lineage` wrote: counts for the summary, the report section."""

    summary: dict[str, Any]
    html: str


def write_lineage(out: Path, *, embedder=None, shown_ids: set[str] | frozenset = frozenset(),
                  html_limit: int = 50) -> LineageResult:
    """Compute lineage from ``out/articles.jsonl`` into ``out/lineage.jsonl`` (atomically).

    Returns the counts for ``summary.json`` and the "Syndicated copies" HTML section (at
    most ``html_limit`` clusters, machine-translated copies first).
    """
    from ..audit import _AtomicFile
    from .html import cluster_html, section_html

    started = time.time()
    stats = LineageStats()
    store = RecordStore(out / "articles.jsonl")
    shown: list[tuple[int, int, str]] = []
    try:
        links = find_links(store, embedder, stats) if store.path.exists() else {}
        with _AtomicFile(out / LINEAGE_FILE) as fh:
            for record, comps in build_clusters(store, links, stats):
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
                if len(shown) < html_limit or any(l["relation"] == "machine_translated_copy" for _, l in comps):
                    n_mt = sum(l["relation"] == "machine_translated_copy" for _, l in comps)
                    shown.append((-n_mt, len(shown), cluster_html(record, comps, shown_ids)))
                    if len(shown) > html_limit:
                        shown.sort()
                        shown.pop()
    finally:
        store.close()
    stats.seconds = time.time() - started
    shown.sort()
    html = section_html([h for _, _, h in shown], stats.to_summary())
    return LineageResult(summary=stats.to_summary(), html=html)
