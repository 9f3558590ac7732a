"""Lineage of a whole audit, computed from ``articles.jsonl`` with bounded memory.

1. **Index** (one streaming pass): for each scored article, a MinHash signature of its
   content words (stems, function words left out) is stored in a compact array (with an
   embedder, also SimHash codes of the mean embedding of its first sentences). At the end of
   the pass, articles that share an LSH band (or hyperplane bucket) become candidate pairs,
   verified on compact sketches (:mod:`.index`). The bucket codes wait in temporary files;
   in memory stay a 126-byte sketch per article (96 more with embeddings), its byte offset
   and its id.
2. **Verify**: each candidate pair is aligned sentence by sentence (texts fetched from
   ``articles.jsonl`` by offset, through a small cache); pairs that align well enough are
   links, kept as (a, b, mean similarity). A pair of articles that are already in one
   cluster with ``DENSE_LINKS`` links each is not aligned (a mass of near-identical
   articles would otherwise cost ``MAX_CANDIDATES`` alignments per article).
3. **Clusters** are the connected components of the links. Per cluster, the versions are
   ranked (:func:`.relation.rank_versions`); each version is linked to the member it aligns
   with best among those ranked above it; each link gets its relation, differences and, for a machine-translated copy,
   lineage findings on the copy. Clusters are numbered by their smallest article id, so the
   result does not depend on the order of ``articles.jsonl`` (a resumed audit writes the
   same ``lineage.jsonl`` as an uninterrupted one).
4. **Patch**: each ``machine_translated_copy`` link becomes evidence on its copy's record in
   ``articles.jsonl`` (lineage findings, ``p_mt`` combined with the link confidence, the
   verdict recomputed; :mod:`.patch`), before the audit's roll-ups read the file. Lineage is
   always computed from the records' text-only state, so running it again gives the same files.
"""

from __future__ import annotations

import json
import time
from array import array
from collections import Counter, OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .compare import Comparison, Version, compare_versions, lineage_findings
from .index import ShingleIndex, UnionFind, VectorIndex
from .patch import RELATION as MT_RELATION, copy_patch, is_patched, raises_score, rewrite_articles
from .relation import decide_relation, direction_logit, rank_versions
from .text import content_stems

from . import LINEAGE_FILE  # noqa: E402  (one name for the file)
#: Jaccard of content-word stems for a candidate pair (real round trips: 0.46 at the lowest
#: 1%; unrelated articles: 0.074 at the highest 0.1%); higher with embeddings, which then
#: catch the versions whose wording drifted further.
THRESHOLD_FAST, THRESHOLD_WITH_EMBEDDINGS = 0.25, 0.3
#: Sentences of each article that make its embedding (the lead carries the story).
LEAD_SENTENCES = 5
#: Links of one cluster shown in the report (all are in lineage.jsonl).
HTML_LINKS = 20
#: A candidate pair of two articles that already have this many links each, in one
#: cluster, is not aligned: it would add nothing but cost (many near-identical articles).
DENSE_LINKS = 4


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
    #: Pairs that shared an LSH bucket (before the Jaccard/cosine check), and those left
    #: out in very large buckets (see :mod:`.index`).
    bucket_pairs: int = 0
    capped_buckets: int = 0
    capped_pairs: int = 0
    #: Buckets over ``MAX_BUCKET`` articles (boilerplate), skipped, and their pairs.
    skipped_buckets: int = 0
    skipped_pairs: int = 0
    #: Candidate pairs not aligned because both articles were already well linked (DENSE_LINKS).
    dense_pairs_skipped: int = 0
    #: Copies whose articles.jsonl record got the link's evidence (:mod:`.patch`).
    copies_patched: int = 0
    index_mb: float = 0.0
    seconds: float = 0.0

    def to_summary(self) -> dict[str, Any]:
        return {
            "clusters": self.clusters,
            "articles_in_clusters": self.articles_in_clusters,
            "links": dict(self.links),
            "likely_original_named": self.likely_original_named,
            "lineage_findings": self.lineage_findings,
            "candidate_pairs": self.candidate_pairs,
            "bucket_pairs": self.bucket_pairs,
            "capped_buckets": self.capped_buckets,
            "capped_pairs": self.capped_pairs,
            "skipped_buckets": self.skipped_buckets,
            "skipped_pairs": self.skipped_pairs,
            "dense_pairs_skipped": self.dense_pairs_skipped,
            "copies_patched": self.copies_patched,
            "index_mb": self.index_mb,
            "seconds": round(self.seconds, 2),
        }


class CompactStrings:
    """An append-only list of strings kept as one UTF-8 buffer and an array of end offsets
    (about 8 bytes per string plus its text, against about 60 for a list of ``str``)."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self._ends = array("q")

    def append(self, value: str) -> None:
        self._buf += value.encode("utf-8", "surrogatepass")
        self._ends.append(len(self._buf))

    def __len__(self) -> int:
        return len(self._ends)

    def __getitem__(self, i: int) -> str:
        start = self._ends[i - 1] if i > 0 else 0
        return self._buf[start:self._ends[i]].decode("utf-8", "surrogatepass")


class RecordStore:
    """Scored articles by position in ``articles.jsonl``: offsets and ids in memory, texts on
    demand."""

    def __init__(self, path: Path, cache_size: int = 256) -> None:
        self.path = path
        self.offsets = array("q")
        self.ids = CompactStrings()
        #: Byte offsets of records a previous lineage run patched (:mod:`.patch`).
        self.patched: set[int] = set()
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
                if not isinstance(rec, dict) or rec.get("error") or not isinstance(rec.get("sentences"), list) \
                        or not rec["sentences"]:
                    continue
                key = len(self.offsets)
                self.offsets.append(start)
                self.ids.append(str(rec.get("id")))
                if is_patched(rec):
                    self.patched.add(start)
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
    pending: list[tuple[int, list[str]]] = []

    def flush_vectors() -> None:
        nonlocal vectors
        texts = [t for _, lead in pending for t in lead]
        if texts:
            enc = np.asarray(embedder.encode(texts), dtype=np.float32)
            if vectors is None:
                vectors = VectorIndex(enc.shape[1])
            bounds = np.cumsum([0] + [len(lead) for _, lead in pending])
            means = np.add.reduceat(enc, bounds[:-1], axis=0) / np.diff(bounds)[:, None]
            vectors.add_many([key for key, _ in pending], means)
        pending.clear()

    for key, rec in store.scan():
        stats.articles += 1
        shingles.add(key, content_stems(_article_text(rec)))
        if embedder is not None:
            lead = [str(s.get("text") or "") for s in rec["sentences"][:LEAD_SENTENCES]]
            pending.append((key, [t for t in lead if t.strip()] or [""]))
            if len(pending) >= batch:
                flush_vectors()
    if embedder is not None:
        flush_vectors()
    stats.index_mb = round((shingles.nbytes + (vectors.nbytes if vectors is not None else 0)) / 2**20, 1)
    candidates = set(shingles.candidate_pairs())
    indexes = [shingles] + ([vectors] if vectors is not None else [])
    if vectors is not None:
        candidates.update(vectors.candidate_pairs())
    stats.bucket_pairs = sum(ix.pair_stats.bucket_pairs for ix in indexes)
    stats.capped_buckets = sum(ix.pair_stats.capped_buckets for ix in indexes)
    stats.capped_pairs = sum(ix.pair_stats.capped_pairs for ix in indexes)
    stats.skipped_buckets = sum(ix.pair_stats.skipped_buckets for ix in indexes)
    stats.skipped_pairs = sum(ix.pair_stats.skipped_pairs for ix in indexes)
    stats.candidate_pairs = len(candidates)
    links: dict[tuple[int, int], tuple[float, float]] = {}
    joined, degree = UnionFind(), Counter()
    # in the order of the articles' ids (not their places in the file, so the result does
    # not depend on it); pairs sharing an article come together, which keeps the cache warm
    for a, b in sorted(candidates, key=lambda p: sorted((store.ids[p[0]], store.ids[p[1]]))):
        if degree[a] >= DENSE_LINKS and degree[b] >= DENSE_LINKS and joined.find(a) == joined.find(b):
            stats.dense_pairs_skipped += 1
            continue
        comp = compare_versions(store.get(a), store.get(b), with_differences=False)
        if comp.is_link():
            links[a, b] = (comp.mean_similarity, direction_logit(comp.features))
            joined.union(a, b)
            degree[a] += 1
            degree[b] += 1
    stats.verified_links = len(links)
    return links


def build_clusters(store: RecordStore, links: dict[tuple[int, int], tuple[float, float]],
                   stats: LineageStats | None = None
                   ) -> Iterator[tuple[dict[str, Any], list[tuple[Comparison, dict]], list[int]]]:
    """Pass 3: one (lineage record, [(comparison, link record)], [copy key of each link]) per
    cluster, numbered by smallest id."""
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
        children = sorted(parent, key=lambda k: rank[k])
        for child in children:
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
        yield record, comps, children


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
    """What :func:`write_lineage` wrote: counts for the summary, the clusters for the report."""

    summary: dict[str, Any]
    #: The clusters the report shows (machine-translated copies first), rendered on demand.
    shown: list[tuple[dict[str, Any], list[tuple[Comparison, dict]]]] = field(default_factory=list)
    shown_ids: frozenset = frozenset()

    def section_html(self, shown_ids: set[str] | frozenset | None = None) -> str:
        """The "Syndicated copies" section; ``shown_ids``: articles with a scored view in the
        report (linked from the clusters)."""
        from .html import cluster_html, section_html

        ids = self.shown_ids if shown_ids is None else shown_ids
        return section_html([cluster_html(rec, comps, ids) for rec, comps in self.shown], self.summary)

    @property
    def html(self) -> str:
        return self.section_html()


def write_lineage(out: Path, *, embedder=None, shown_ids: set[str] | frozenset = frozenset(),
                  html_limit: int = 50, thresholds: dict[str, float] | None = None,
                  patch_articles: bool = True) -> LineageResult:
    """Compute lineage from ``out/articles.jsonl`` into ``out/lineage.jsonl`` (atomically).

    With ``patch_articles``, each machine-translated copy's record in ``articles.jsonl``
    then gets the link's evidence (findings, combined ``p_mt``, the verdict by
    ``thresholds``; see :mod:`.patch`), and evidence left by an earlier run on records that
    are no longer such copies is removed. Returns the counts for ``summary.json`` and the
    clusters of the "Syndicated copies" section (at most ``html_limit``, machine-translated
    copies first).
    """
    from ..audit import _AtomicFile

    started = time.time()
    stats = LineageStats()
    store = RecordStore(out / "articles.jsonl")
    shown: list[tuple[int, int, dict[str, Any], list[tuple[Comparison, dict]]]] = []
    patches: dict[int, dict[str, Any]] = {}
    try:
        links = find_links(store, embedder, stats) if store.path.exists() else {}
        with _AtomicFile(out / LINEAGE_FILE) as fh:
            for record, comps, copy_keys in build_clusters(store, links, stats):
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
                for (comp, link), key in zip(comps, copy_keys):
                    if raises_score(link):
                        patches[store.offsets[key]] = copy_patch(comp, link, record["cluster"])
                n_mt = sum(link["relation"] == MT_RELATION for _, link in comps)
                if len(shown) < html_limit or n_mt:
                    # a cluster's first links in the report (machine-translated copies first)
                    some = sorted(comps, key=lambda c: c[1]["relation"] != MT_RELATION)[:HTML_LINKS]
                    shown.append((-n_mt, len(shown), record, some))
                    if len(shown) > html_limit:
                        shown.sort(key=lambda t: t[:2])
                        shown.pop()
    finally:
        store.close()
    if patch_articles and (patches or store.patched):
        rewrite_articles(store.path, patches, store.patched, thresholds)
        stats.copies_patched = len(patches)
    stats.seconds = time.time() - started
    shown.sort(key=lambda t: t[:2])
    return LineageResult(summary=stats.to_summary(), shown=[(rec, comps) for _, _, rec, comps in shown],
                         shown_ids=frozenset(shown_ids))
