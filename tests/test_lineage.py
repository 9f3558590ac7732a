"""Syndication lineage: alignment, differences, relation, clustering, the audit's output.

Small hand-written pairs check exact aligned indices and typed differences; a generated
feed with decoys (same names and topics, different text) checks that clustering joins the
versions of one story and nothing else, and that the compact candidate index finds every
true pair; the audit tests check the output contract, ``--no-lineage``, that a
machine-translated copy's link becomes evidence on the copy's record (findings, combined
p_mt, verdict), that computing the roll-ups again changes nothing, and that lineage
recomputed after an interrupted, resumed audit is the same as after an uninterrupted one.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from mtdetect.audit import AuditConfig, run_audit, write_rollups
from mtdetect.cli import app
from mtdetect.detector import Detector, Prediction, Thresholds
from mtdetect.lineage import compare_records
from mtdetect.lineage.align import align
from mtdetect.lineage.build import THRESHOLD_FAST, RecordStore, _article_text, find_links, write_lineage
from mtdetect.lineage.compare import Version, compare_versions
from mtdetect.lineage.diff import Segment, differences
from mtdetect.lineage.index import PairStats, ShingleIndex, UnionFind, bucket_pairs, shingle_hashes
from mtdetect.lineage.patch import combine, raises_score
from mtdetect.lineage.relation import decide_relation
from mtdetect.lineage.text import content_stems
from mtdetect.types import Article

RULES = Detector.load("rules")


def record(id: str, text: str, **extra) -> dict:
    rec = RULES.score(Article(id=id, text=text)).to_dict()
    rec.update(extra)
    return rec


# --------------------------------------------------------------------------- alignment

SOURCE = [
    "The finance ministry announced new tax rules for small companies on Monday.",
    "Officials said the rules would take effect in January.",
    "Critics warned that the changes could hurt family businesses in rural areas.",
    "The opposition leader Maria Santos called the plan reckless.",
    "She promised to fight it in parliament.",
    "A vote is expected next month.",
]
COPY = [
    "The ministry of finance communicated new fiscal rules for small companies on Monday.",
    # sentence 1 dropped
    "Critics warned that the changes could damage family businesses in the rural zones.",
    "The leader of the opposition Maria Santos qualified the plan of reckless and promised to fight it in the parliament.",
    "A vote is expected the next month.",
]


def test_alignment_exact_indices_with_a_skip_and_a_merge():
    pairs = align(SOURCE, COPY)
    assert [(p.source, p.copy) for p in pairs] == [((0,), (0,)), ((2,), (1,)), ((3, 4), (2,)), ((5,), (3,))]


def test_alignment_split_and_nothing_for_unrelated_text():
    assert [(p.source, p.copy) for p in align(COPY[2:3], SOURCE[3:5])] == [((0,), (0, 1))]
    assert align(SOURCE, ["Heavy rain flooded the stadium before kick-off.", "Fans waited for hours."]) == []


# --------------------------------------------------------------------------- differences

DIFF_CASES = [
    # source sentence, copy sentence, expected (kind, copy_text, source_text)
    ("Kim Jong Un met the envoy in Pyongyang.", "It said Kim Jong one met the envoy in Pyongyang.",
     ("garbled_name", "Kim Jong one", "Kim Jong Un")),
    ("The leader of Podemos, Pablo Iglesias, resigned.", "The leader of Podemos, Pablo Churches, resigned.",
     ("name_changed", "Pablo Churches", "Pablo Iglesias")),
    ("Sales rose by 12 percent in 2023.", "Sales rose by 15 percent in 2023.", ("number_changed", "15", "12")),
    ("Profits fell sharply after the merger.", "Benefits fell sharply after the merger.", ("wording", "Benefits", "Profits")),
    ("The mayor visited the new hospital on Friday.", "The mayor visited the hospital on Friday.",
     ("omission", "", "new")),
]


@pytest.mark.parametrize("src,cp,expected", DIFF_CASES, ids=[c[2][0] for c in DIFF_CASES])
def test_typed_differences_with_spans_into_the_copy(src, cp, expected):
    base = 40  # the sentence starts at offset 40 of its article
    diffs = [d for d in differences(Segment((src,), (0,)), Segment((cp,), (base,)))
             if not (d.kind == "addition" and d.copy_text in ("It said",))]
    assert [(d.kind, d.copy_text, d.source_text) for d in diffs] == [expected]
    d = diffs[0]
    assert cp[d.copy_start - base:d.copy_end - base] == d.copy_text


def test_differences_index_the_copy_article_text():
    copy_text = "Seoul, Monday.  Kim Jong one met the envoy in Pyongyang. Talks went on."
    src = record("src", "Seoul, Monday.  Kim Jong Un met the envoy in Pyongyang. Talks went on.")
    cp = record("cp", copy_text)
    comp = compare_versions(Version.from_record(src), Version.from_record(cp))
    (d,) = [d for _, d in comp.differences]
    assert (d.kind, copy_text[d.copy_start:d.copy_end], d.source_text) == ("garbled_name", "Kim Jong one", "Kim Jong Un")


# --------------------------------------------------------------------------- relation

MT_COPY = [
    "The ministry of finance communicated new fiscal rules for the small companies the Monday.",
    "The officials declared that the rules would enter in vigour in January.",
    "The critics warned that the changes could damage the familiar businesses in the rural zones.",
    "The leader of the opposition Maria Saints qualified the plan of reckless.",
    "She promised to combat it in the parliament.",
    "A vote is expected the next month.",
]
REWRITE = [
    "A vote on new tax rules for small companies is expected next month.",
    "The opposition leader Maria Santos called the plan reckless.",
    "The finance ministry announced the rules on Monday.",
    "She promised to fight it in parliament.",
]


@pytest.mark.parametrize("copy,expected", [
    (MT_COPY, "machine_translated_copy"),
    (SOURCE[:5] + ["A vote is expected next month, officials said."], "copy"),
    (REWRITE, "rewrite"),
], ids=["mt", "copy", "rewrite"])
def test_relation_of_hand_written_pairs(copy, expected):
    comp = compare_versions(Version.from_record(record("s", " ".join(SOURCE))),
                            Version.from_record(record("c", " ".join(copy))))
    assert comp.is_link()
    assert decide_relation(comp.features)[0] == expected


def test_compare_records_names_the_original_with_a_later_date():
    a = record("wire", " ".join(SOURCE), published="2024-03-01T08:00:00Z")
    b = record("outlet", " ".join(MT_COPY), published="2024-03-02")
    res = compare_records(b, a)
    assert (res["likely_original"], res["source"], res["copy"]) == ("wire", "wire", "outlet")
    assert res["direction_basis"] == "published"
    assert res["relation"] == "machine_translated_copy"
    # the detector's names recognizer may call it garbled; either way it is a name finding
    finding = next(f for f in res["findings"] if f["kind"] in ("name_changed", "garbled_name"))
    assert finding["recognizer"] == "lineage" and "wire" in finding["message"]
    assert (finding["text"], finding["suggestion"]) == ("Maria Saints", "Maria Santos")


# --------------------------------------------------------------------------- a generated feed

FIRST = ["Anna", "Boris", "Carla", "Dmitri", "Elena", "Farid", "Greta", "Hugo", "Ines", "Jonas", "Kofi", "Lena"]
LAST = ["Novak", "Okafor", "Petrov", "Quinn", "Rossi", "Sato", "Tanaka", "Umarov", "Varga", "Weber", "Xu", "Young"]
CITIES = ["Lisbon", "Tallinn", "Porto", "Ghent", "Bergen", "Split", "Cork", "Turku", "Graz", "Brno"]
TOPICS = [("port", "dockworkers", "strike"), ("hospital", "nurses", "protest"), ("airport", "pilots", "walkout"),
          ("railway", "drivers", "stoppage"), ("university", "lecturers", "boycott"), ("factory", "workers", "sit-in")]
MT_SWAPS = {"said": "declared", "talks": "conversations", "close": "tight", "ties": "links", "profits": "benefits",
            "began": "initiated", "expected": "foreseen", "warned": "alerted", "leaders": "leaderships",
            "agreement": "accord", "weeks": "weeks of time", "demanded": "claimed", "residents": "inhabitants"}


_SYLLABLES = ["ka", "lo", "mer", "tis", "van", "dru", "pel", "shi", "gor", "nu", "bex", "rai", "tol", "quin", "sa"]


def word(rng: random.Random) -> str:
    """A made-up noun, so that two generated stories share no content words by chance."""
    return "".join(rng.choice(_SYLLABLES) for _ in range(3))


def story(rng: random.Random, k: int) -> tuple[list[str], tuple[str, str, str]]:
    """Six sentences: names, a number, function words and made-up content words."""
    who = f"{FIRST[k % len(FIRST)]} {LAST[(k * 5 + 3) % len(LAST)]}"
    city, place = CITIES[k % len(CITIES)], word(rng)
    w = [word(rng) for _ in range(24)]
    n = rng.randint(120, 990)
    sents = [
        f"The {w[0]} at the {place} of {city} {w[1]} a {w[2]} on Tuesday, {who} {w[3]}.",
        f"About {n} {w[0]} {w[4]} the {w[2]}, which is {w[5]} to {w[6]} two {w[7]}.",
        f"{who} {w[8]} a new {w[9]} and {w[10]} that {w[11]} with the {w[12]} had {w[13]}.",
        f"The {w[12]} {w[3]} {w[14]} from the {w[9]} had {w[15]} and that an {w[16]} on the {place} was {w[17]}.",
        f"{w[18].title()} of {city} {w[3]} the {w[2]} at the {place} had {w[19]} {w[20]} {w[21]}.",
        f"The {w[22]} of {city} {w[3]} it would {w[23]} {w[11]} with the {w[0]} and the {w[12]} on Friday.",
    ]
    return sents, (who, city, place)


def mt_version(sents: list[str], who: str, seed: int = 0) -> list[str]:
    """Word-for-word 'machine translation': about a third of the content words swapped for
    synonyms (other made-up words, the same one each time), articles added, the surname garbled."""
    rng = random.Random(seed)
    swaps: dict[str, str] = {}
    out = []
    for s in sents:
        words = s.split(" ")
        for i, w_ in enumerate(words):
            core = w_.strip(".,")
            if core.islower() and len(core) > 5:
                if core not in swaps:
                    swaps[core] = word(rng) if rng.random() < 0.35 else core
                words[i] = w_.replace(core, swaps[core])
        s = " ".join(words).replace(" a ", " a certain ")
        out.append(s.replace(who.split()[1], who.split()[1].lower() + "s"))
    return out


def decoy(rng: random.Random, who: str, city: str, place: str) -> list[str]:
    """Same names and places, a different story in different words."""
    w = [word(rng) for _ in range(18)]
    return [
        f"{who} {w[0]} a {w[1]} {w[2]} in {city} on {w[3]}.",
        f"The {w[4]} {w[5]} the {w[6]} {place} of {city} before its {w[7]}.",
        f"{w[8].title()} {w[9]} for an {w[10]}, and the {w[11]} {w[12]} its {w[13]}.",
        f"{who} {w[14]} to {w[15]} the {w[1]} to {w[16]} {w[17]}.",
    ]


def generated_feed(n_stories: int = 8, seed: int = 3) -> tuple[list[dict], dict[str, int]]:
    rng = random.Random(seed)
    recs, truth = [], {}
    for k in range(n_stories):
        sents, (who, city, place) = story(rng, k)
        versions = {f"s{k}-orig": sents, f"s{k}-copy": sents[:5] + [sents[5].replace("Friday", "Friday morning")],
                    f"s{k}-mt": mt_version(sents, who), f"s{k}-rw": [sents[2], sents[0], sents[4]]}
        for vid, vs in versions.items():
            recs.append(record(vid, " ".join(vs)))
            truth[vid] = k
        recs.append(record(f"decoy-{k}", " ".join(decoy(rng, who, city, place))))
    rng.shuffle(recs)
    return recs, truth


def write_articles(folder: Path, recs: list[dict]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "articles.jsonl").write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    return folder


def test_clustering_joins_versions_and_no_decoy(tmp_path):
    recs, truth = generated_feed()
    out = write_articles(tmp_path, recs)
    result = write_lineage(out)
    clusters = [json.loads(line) for line in (out / "lineage.jsonl").read_text().splitlines()]
    assert len(clusters) == 8 and result.summary["clusters"] == 8
    for c in clusters:
        assert not [a for a in c["articles"] if a.startswith("decoy")]
        stories = {truth[a] for a in c["articles"]}
        assert len(stories) == 1 and len(c["articles"]) == 4
        # the machine-translated version is linked to the original or its copy as such
        mt = [link["relation"] for link in c["links"] if "-mt" in (link["copy"][-3:], link["source"][-3:])
              and {link["copy"][-4:], link["source"][-4:]} & {"orig", "copy"}]
        assert mt == ["machine_translated_copy"]


def test_clusters_do_not_depend_on_the_order_of_articles(tmp_path):
    recs, _ = generated_feed()
    write_lineage(write_articles(tmp_path / "a", recs))
    write_lineage(write_articles(tmp_path / "b", list(reversed(recs))))
    assert (tmp_path / "a" / "lineage.jsonl").read_text() == (tmp_path / "b" / "lineage.jsonl").read_text()


def test_fake_embedder_path_finds_the_same_clusters(tmp_path, fake_embedder):
    recs, _ = generated_feed(4)
    write_lineage(write_articles(tmp_path / "fast", recs))
    write_lineage(write_articles(tmp_path / "emb", recs), embedder=fake_embedder)
    assert fake_embedder.calls > 0
    fast = [json.loads(x)["articles"] for x in (tmp_path / "fast" / "lineage.jsonl").read_text().splitlines()]
    emb = [json.loads(x)["articles"] for x in (tmp_path / "emb" / "lineage.jsonl").read_text().splitlines()]
    assert fast == emb


# --------------------------------------------------------------------------- the compact index

def true_pairs(truth: dict[str, int]) -> set[frozenset]:
    return {frozenset((a, b)) for a in truth for b in truth if a < b and truth[a] == truth[b]}


def test_compact_index_finds_every_true_pair_and_links_no_decoy(tmp_path):
    recs, truth = generated_feed()
    store = RecordStore(write_articles(tmp_path, recs) / "articles.jsonl")
    index = ShingleIndex(THRESHOLD_FAST)
    for key, rec in store.scan():
        index.add(key, content_stems(_article_text(rec)))
    found = {frozenset((store.ids[a], store.ids[b])) for a, b in index.candidate_pairs()}
    expected = true_pairs(truth)
    assert len(expected) == 48 and expected <= found  # recall 1: the 6 pairs of each of 8 stories
    assert len(found - expected) <= 2  # a random collision may pass the Jaccard check, then fails alignment
    links = find_links(RecordStore(store.path))
    assert {frozenset((store.ids[a], store.ids[b])) for a, b in links} == expected


def test_minhash_signature_estimates_jaccard():
    index = ShingleIndex(0.25)
    words = [f"w{i}" for i in range(200)]
    half, other, disjoint = set(words[:150]), set(words[50:]), {f"x{i}" for i in range(150)}
    sig = index.signatures([shingle_hashes(s) for s in (half, other, disjoint)])
    assert sig.shape == (3, 126) and sig.dtype == np.uint32
    assert abs((sig[0] == sig[1]).mean() - 0.5) < 0.15  # true Jaccard 100/200
    assert (sig[0] == sig[2]).mean() < 0.05
    # the signature of a set does not depend on the order its shingles come in
    assert (index.signatures([shingle_hashes(sorted(half, reverse=True))])[0] == sig[0]).all()


def test_a_large_bucket_is_paired_through_a_window_and_counted():
    codes = np.array([7] * 70 + [1, 2, 1], dtype=np.uint64)
    stats = PairStats()
    a, b = bucket_pairs(codes, np.arange(73), window=64, stats=stats)
    pairs = set(zip(a.tolist(), b.tolist()))
    assert (70, 72) in pairs and all(x < y for x, y in pairs)
    big = {(x, y) for x, y in pairs if y < 70}
    assert big == {(x, y) for y in range(70) for x in range(max(0, y - 64), y)}  # 64 predecessors each
    assert len(pairs) == len(big) + 1
    assert stats.capped_buckets == 1 and stats.capped_pairs == 70 * 69 // 2 - len(big)
    uf = UnionFind()
    for x, y in big:
        uf.union(x, y)
    assert uf.groups() == [list(range(70))]  # the window still joins the whole bucket


def test_a_boilerplate_bucket_is_skipped_and_counted():
    codes = np.array([7] * 70 + [1, 2, 1], dtype=np.uint64)
    stats = PairStats()
    a, b = bucket_pairs(codes, np.arange(73), window=64, stats=stats, max_bucket=50)
    assert list(zip(a.tolist(), b.tolist())) == [(70, 72)]
    assert (stats.skipped_buckets, stats.skipped_pairs, stats.capped_buckets) == (1, 70 * 69 // 2, 0)


def test_index_memory_is_a_few_hundred_bytes_per_article():
    import tracemalloc

    rng = random.Random(1)
    tracemalloc.start()
    try:
        index = ShingleIndex(0.25)
        for key in range(10000):
            index.add(key, {str(rng.randrange(10**6)) for _ in range(60)})
        index._flush()
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # a 126-byte sketch and an 8-byte key per article (+ a preallocated chunk), the bucket
    # codes on disk; datasketch's MinHashLSH held about 12 KB per article
    assert held < 10000 * 400


# --------------------------------------------------------------------------- the audit

class TracesModel:
    """p_mt high for the machine-translated versions (they say 'a certain'), low otherwise."""

    model_id = "traces"
    thresholds = Thresholds(low=0.3, high=0.8)

    def predict(self, analyses):
        return [Prediction(article_p=0.95 if " a certain " in a.document.text else 0.05,
                           sentence_p=tuple(0.5 for _ in a.document.sentences)) for a in analyses]


def feed_file(tmp_path: Path, n_stories: int = 4) -> tuple[Path, list[dict]]:
    rng = random.Random(5)
    rows = []
    for k in range(n_stories):
        sents, (who, city, place) = story(rng, k)
        rows.append({"id": f"s{k}-orig", "source": "wire.test", "published": "2024-05-01", "text": " ".join(sents)})
        rows.append({"id": f"s{k}-mt", "source": "farm.test", "published": "2024-05-03",
                     "text": " ".join(mt_version(sents, who))})
        rows.append({"id": f"decoy-{k}", "source": "local.test", "text": " ".join(decoy(rng, who, city, place))})
    path = tmp_path / "feed.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path, rows


LINK_KEYS = {"copy", "source", "relation", "confidence", "aligned_sentences", "copy_sentences", "source_sentences",
             "differences"}


def test_audit_output_contract(tmp_path):
    feed, rows = feed_file(tmp_path)
    out = tmp_path / "out"
    run_audit([str(feed)], AuditConfig(out=out, lineage=True), detector=Detector(TracesModel()))
    texts = {r["id"]: r["text"] for r in rows}
    clusters = [json.loads(line) for line in (out / "lineage.jsonl").read_text().splitlines()]
    assert len(clusters) == 4
    for n, c in enumerate(clusters):
        assert set(c) >= {"cluster", "articles", "likely_original", "links"}
        assert c["cluster"].startswith("c") and len(c["articles"]) >= 2
        assert c["likely_original"].endswith("-orig")
        (link,) = c["links"]
        assert set(link) >= LINK_KEYS
        assert link["relation"] == "machine_translated_copy" and 0 <= link["confidence"] <= 1
        assert link["aligned_sentences"] == link["copy_sentences"] == link["source_sentences"] == 6
        for d in link["differences"]:
            assert set(d) == {"copy_start", "copy_end", "copy_text", "source_text", "kind"}
            assert texts[link["copy"]][d["copy_start"]:d["copy_end"]] == d["copy_text"]
        names = [f for f in link["findings"] if f["kind"] in ("name_changed", "garbled_name")]
        assert names and all(f["recognizer"] == "lineage" and link["source"] in f["message"] for f in names)
        assert all(texts[link["copy"]][f["start"]:f["end"]] == f["text"] for f in link["findings"])
    summary = json.loads((out / "summary.json").read_text())
    assert summary["lineage"]["clusters"] == 4
    assert summary["lineage"]["links"] == {"machine_translated_copy": 4, "copy": 0, "rewrite": 0}
    html = (out / "report.html").read_text()
    assert "Syndicated copies" in html and 'id="lineage-c1"' in html and "<script" not in html
    assert 'href="#a-s0-mt"' in html  # the copy is flagged, so its scored view is in the report


def test_no_lineage_turns_it_off(tmp_path):
    feed, _ = feed_file(tmp_path, 2)
    out = tmp_path / "out"
    assert AuditConfig(out=out).lineage is True  # on by default
    run_audit([str(feed)], AuditConfig(out=out), detector=Detector(TracesModel()))
    assert (out / "lineage.jsonl").exists()
    run_audit([str(feed)], AuditConfig(out=out, lineage=False), detector=Detector(TracesModel()))
    assert not (out / "lineage.jsonl").exists()
    assert "lineage" not in json.loads((out / "summary.json").read_text())
    assert "Syndicated copies" not in (out / "report.html").read_text()


def test_resume_after_a_kill_recomputes_the_same_lineage(tmp_path):
    feed, _ = feed_file(tmp_path)
    full, cut = tmp_path / "full", tmp_path / "cut"
    run_audit([str(feed)], AuditConfig(out=full, batch_size=2, lineage=True), detector=Detector(TracesModel()))
    # a kill mid-run: half the articles written, a torn last line, stale roll-ups and lineage
    shutil.copytree(full, cut)
    lines = (cut / "articles.jsonl").read_text().splitlines(keepends=True)
    (cut / "articles.jsonl").write_text("".join(lines[: len(lines) // 2]) + lines[-1][:40])
    (cut / "lineage.jsonl").write_text('{"cluster": "stale"}\n')
    run_audit([str(feed)], AuditConfig(out=cut, resume=True, batch_size=2, lineage=True), detector=Detector(TracesModel()))
    assert (cut / "lineage.jsonl").read_text() == (full / "lineage.jsonl").read_text()
    assert (json.loads((cut / "summary.json").read_text())["lineage"]["links"]
            == json.loads((full / "summary.json").read_text())["lineage"]["links"])


class UnsureTracesModel:
    """Like :class:`TracesModel`, but the text alone leaves the machine-translated versions
    unsure (p_mt 0.5 between the thresholds), so only the link can flag them."""

    model_id = "unsure-traces"
    thresholds = Thresholds(low=0.3, high=0.8)

    def predict(self, analyses):
        return [Prediction(article_p=0.5 if " a certain " in a.document.text else 0.05,
                           sentence_p=tuple(0.2 for _ in a.document.sentences)) for a in analyses]


#: The keys of every finding (mtdetect.types.Finding.to_dict), whichever recognizer made it.
FINDING_KEYS = {"kind", "recognizer", "rule", "start", "end", "text", "score", "message", "suggestion",
                "source_lang_hint"}


def read_records(out: Path) -> dict[str, dict]:
    return {r["id"]: r for r in map(json.loads, (out / "articles.jsonl").read_text().splitlines())}


def test_the_finding_keys_are_those_of_the_recognizers(samples_dir):
    rec = RULES.score(Article(id="x", text=(samples_dir / "mt_sco_summit_roundtrip.txt").read_text())).to_dict()
    assert rec["findings"] and all(set(f) == FINDING_KEYS for f in rec["findings"])


def test_a_machine_translated_copy_gets_its_link_as_evidence(tmp_path):
    feed, rows = feed_file(tmp_path, 2)
    out = tmp_path / "out"
    run_audit([str(feed)], AuditConfig(out=out), detector=Detector(UnsureTracesModel()))
    texts = {r["id"]: r["text"] for r in rows}
    recs = read_records(out)
    links = {link["copy"]: (c["cluster"], link)
             for c in map(json.loads, (out / "lineage.jsonl").read_text().splitlines()) for link in c["links"]}
    for k in range(2):
        cid, sid = f"s{k}-mt", f"s{k}-orig"
        cluster, link = links[cid]
        assert (link["relation"], link["source"]) == ("machine_translated_copy", sid)
        cp = recs[cid]
        conf = link["confidence"]
        # the text-only score is kept; p_mt is the noisy-OR with the link confidence
        assert cp["p_mt_text"] == 0.5
        assert cp["p_mt"] == round(1 - (1 - 0.5) * (1 - conf), 4) == round(combine(0.5, conf), 4)
        assert conf >= 0.6 and cp["p_mt"] >= 0.8
        assert (cp["verdict_text"], cp["verdict"]) == ("unsure", "machine_translated")
        assert cp["lineage"] == {"cluster": cluster, "source": sid, "relation": "machine_translated_copy",
                                 "confidence": conf}
        lin = [f for f in cp["findings"] if f["recognizer"] == "lineage"]
        assert lin and all(set(f) == FINDING_KEYS for f in lin)
        for f in lin:
            assert sid in f["message"] and texts[cid][f["start"]:f["end"]] == f["text"]
        # the link itself, on a reworded span, with the source's wording as the suggestion
        (whole,) = [f for f in lin if f["kind"] == "machine_translated_copy"]
        assert whole["score"] == conf and whole["suggestion"] and whole["suggestion"] in texts[sid]
        assert whole["text"] != whole["suggestion"]
        # the typed differences of lineage.jsonl are on the record too (the garbled surname)
        assert link["findings"] and all(f in lin for f in link["findings"])
        assert any(f["kind"] in ("name_changed", "garbled_name") for f in lin)
        # each finding sits in the sentence that contains it, whose score is raised the same way
        for f in lin:
            (sent,) = [s for s in cp["sentences"] if s["start"] <= f["start"] < s["end"]]
            assert f in sent["findings"]
            assert (sent["p_mt_text"], sent["p_mt"]) == (0.2, round(combine(0.2, conf), 4))
        untouched = [s for s in cp["sentences"] if not s["findings"]]
        assert untouched and all(s["p_mt"] == 0.2 and "p_mt_text" not in s for s in untouched)
        # the original is not a copy: nothing added
        orig = recs[sid]
        assert "p_mt_text" not in orig and "lineage" not in orig and orig["verdict"] == "human"
        assert not [f for f in orig["findings"] if f["recognizer"] == "lineage"]
    # the roll-ups count the combined verdicts and show the copies' scored views
    summary = json.loads((out / "summary.json").read_text())
    assert summary["verdicts"]["machine_translated"] == 2 and summary["verdicts"]["unsure"] == 0
    assert summary["lineage"]["copies_patched"] == 2
    csv_verdicts = {line.split(",")[0]: line for line in (out / "articles.csv").read_text().splitlines()}
    assert ",machine_translated," in csv_verdicts["s0-mt"]
    html = (out / "report.html").read_text()
    assert 'id="a-s0-mt"' in html and 'href="#a-s1-mt"' in html


def test_notices_that_differ_only_in_a_number_are_not_evidence(tmp_path):
    text = "The council approved the new budget on Monday after a long debate. Story {} ends here."
    recs = [record(f"n{i}", text.format(i)) for i in (17, 18, 19)]
    out = write_articles(tmp_path, recs)
    before = (out / "articles.jsonl").read_bytes()
    result = write_lineage(out, thresholds={"low": 0.5, "high": 0.8})
    (cluster,) = [json.loads(line) for line in (out / "lineage.jsonl").read_text().splitlines()]
    assert len(cluster["articles"]) == 3 and cluster["links"]
    assert all({d["kind"] for d in link["differences"]} <= {"number_changed"} for link in cluster["links"])
    # whatever the relation model calls them, two sentences and a new number are no translation
    assert not any(raises_score(link) for link in cluster["links"])
    assert result.summary["copies_patched"] == 0 and (out / "articles.jsonl").read_bytes() == before


def test_rollups_again_resume_and_no_lineage_are_idempotent(tmp_path):
    feed, _ = feed_file(tmp_path, 3)
    out, plain = tmp_path / "out", tmp_path / "plain"
    detector = Detector(UnsureTracesModel())
    run_audit([str(feed)], AuditConfig(out=out), detector=detector)
    names = ("articles.jsonl", "lineage.jsonl", "articles.csv", "sources.csv")
    first = {n: (out / n).read_bytes() for n in names}
    assert first["articles.jsonl"].count(b'"p_mt_text"') >= 3
    write_rollups(out, inputs=[str(feed)], model_id="unsure-traces", thresholds={"low": 0.3, "high": 0.8},
                  duplicates=0, duplicate_examples=[], report_limit=500, elapsed=0.0, scored_this_run=0,
                  lineage=True)
    assert {n: (out / n).read_bytes() for n in names} == first
    run_audit([str(feed)], AuditConfig(out=out, resume=True), detector=detector)
    assert {n: (out / n).read_bytes() for n in names} == first
    # without lineage, the records are exactly the detector's again
    run_audit([str(feed)], AuditConfig(out=out, resume=True, lineage=False), detector=detector)
    run_audit([str(feed)], AuditConfig(out=plain, lineage=False), detector=detector)
    assert (out / "articles.jsonl").read_bytes() == (plain / "articles.jsonl").read_bytes()
    assert b"p_mt_text" not in (plain / "articles.jsonl").read_bytes()
    # and with lineage again, the patched file comes back
    run_audit([str(feed)], AuditConfig(out=out, resume=True), detector=detector)
    assert {n: (out / n).read_bytes() for n in names} == first


# --------------------------------------------------------------------------- mtdetect compare

def test_compare_command_text_and_json(tmp_path):
    a, b = tmp_path / "wire.txt", tmp_path / "copy.txt"
    a.write_text(" ".join(SOURCE), encoding="utf-8")
    b.write_text(" ".join(MT_COPY), encoding="utf-8")
    runner = CliRunner()
    res = runner.invoke(app, ["compare", str(a), str(b), "--model", "rules"])
    assert res.exit_code == 0, res.output
    assert "relation: machine_translated_copy" in res.output and "'Maria Santos' -> 'Maria Saints'" in res.output
    res = runner.invoke(app, ["compare", str(a), str(b), "--model", "rules", "--format", "json"])
    assert res.exit_code == 0
    data = json.loads(res.stdout)
    assert data["relation"] == "machine_translated_copy" and data["aligned_sentences"] == 6
    assert [p["source"] for p in data["alignment"]] == [[i] for i in range(6)]


# --------------------------------------------------------------------------- the report in a browser

BROWSER = next((b for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None)


@pytest.mark.skipif(BROWSER is None, reason="no headless Chromium installed")
def test_report_section_in_headless_chromium(tmp_path):
    feed, _ = feed_file(tmp_path, 2)
    out = tmp_path / "out"
    run_audit([str(feed)], AuditConfig(out=out, lineage=True), detector=Detector(TracesModel()))
    report = out / "report.html"
    res = subprocess.run([BROWSER, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'p'}",
                          "--dump-dom", report.as_uri()], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    dom = res.stdout
    assert "Syndicated copies" in dom and 'id="lineage-c1"' in dom and 'id="lineage-c2"' in dom
    assert 'id="lin-c1-s0-mt"' in dom and 'href="#lin-c1-s0-orig"' in dom
    assert dom.count('<table class="al">') == 2 and dom.count("<tr>") >= 2 * 7
    assert ('class="d-name_changed"' in dom or 'class="d-garbled_name"' in dom) and 'class="src"' in dom
