"""The audit on a Dask cluster (`--engine dask`) and `mtdetect.dask.score_dataframe`.

Each test that needs a cluster starts a LocalCluster of worker processes itself and closes
it. The fast model (no embeddings) keeps them quick; its scores do not depend on how
articles are batched, so the Dask records must be byte-identical to the one-machine ones.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pd = pytest.importorskip("pandas")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
distributed = pytest.importorskip("distributed")

from mtdetect.audit import AuditConfig, run_audit  # noqa: E402
from mtdetect.audit_dask import PARTS_DIR, Partition, plan_partitions, run_dask_audit  # noqa: E402
from mtdetect.io import ReadOptions  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples"

from test_audit_process import SENTENCES  # noqa: E402 - the same eight sentences


def story(i: int, n: int = 4) -> str:
    return " ".join(SENTENCES[(i + k) % len(SENTENCES)] for k in range(n)) + f" Story {i} ends here."


def mixed_inputs(root: Path) -> Path:
    """Shards of every kind, with bad files, bad records and an id met twice."""
    d = root / "feed"
    d.mkdir()
    with (d / "a.jsonl").open("w") as fh:
        for i in range(10):
            fh.write(json.dumps({"id": f"j{i}", "source": "wire", "text": story(i)}) + "\n")
        fh.write("{not json\n")
        fh.write(json.dumps({"id": "dup", "source": "wire", "text": story(50)}) + "\n")
    (d / "b.csv").write_text(
        "id,source,text\n"
        + "".join(f"c{i},paper,{story(i + 20)}\n" for i in range(5))
        + "c-missing,paper,\n"
        + f"dup,paper,{story(51)}\n",
        encoding="utf-8",
    )
    table = pa.table({
        "id": [f"p{i}" for i in range(12)],
        "source": ["portal"] * 12,
        "text": [story(i + 30) if i != 5 else None for i in range(12)],
    })
    pq.write_table(table, d / "c.parquet", row_group_size=4)
    shutil.copy(SAMPLES / "wire_feed.rss", d / "wire_feed.rss")
    for i in range(3):
        (d / f"note{i}.txt").write_text(story(i + 40), encoding="utf-8")
    (d / "empty.txt").write_text("", encoding="utf-8")
    (d / "blob.txt").write_bytes(bytes(range(256)) * 8)
    return d


def lines(path: Path) -> list[str]:
    return [x for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def summary_without_timing(out: Path) -> dict:
    s = json.loads((out / "summary.json").read_text())
    for key in ("seconds_this_run", "scored_this_run", "inputs"):
        s.pop(key, None)
    if isinstance(s.get("lineage"), dict):
        s["lineage"].pop("seconds", None)
    return s


@pytest.fixture(scope="module")
def cluster():
    """Two worker processes, as `--workers 2` starts them."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as c:
        yield c


# --------------------------------------------------------------------------- planning


def test_partitions_follow_reading_order_and_split_parquet_by_row_groups(tmp_path: Path) -> None:
    d = mixed_inputs(tmp_path)
    plan = list(plan_partitions([str(d)], ReadOptions(), rows_per_partition=4, files_per_partition=2))
    parts = [p for p in plan if isinstance(p, Partition)]
    assert [p.paths[0].rsplit("/", 1)[-1] for p in parts[:2]] == ["a.jsonl", "b.csv"]
    parquet = [p for p in parts if p.row_groups is not None]
    assert [p.row_groups for p in parquet] == [(0,), (1,), (2,)]
    grouped = [p for p in parts if p.row_groups is None and len(p.paths) > 1]
    assert grouped and all(len(p.paths) <= 2 for p in grouped)
    # every input file is covered exactly once, in sorted (reading) order
    covered = [path for p in parts if p.row_groups in (None, (0,)) for path in p.paths]
    assert covered == sorted(covered) and len(covered) == len(set(covered)) == len(list(d.iterdir()))
    # keys are stable for the same files and change when a file changes
    again = [p.key for p in plan_partitions([str(d)], ReadOptions(), rows_per_partition=4, files_per_partition=2)
             if isinstance(p, Partition)]
    assert again == [p.key for p in parts]
    time.sleep(0.01)
    (d / "a.jsonl").write_text(json.dumps({"id": "z", "text": story(3)}) + "\n")
    changed = [p.key for p in plan_partitions([str(d)], ReadOptions(), rows_per_partition=4, files_per_partition=2)
               if isinstance(p, Partition)]
    assert changed[0] != parts[0].key and changed[1:] == [p.key for p in parts[1:]]


def test_stdin_is_an_error_not_a_hang() -> None:
    (err,) = list(plan_partitions(["-"], ReadOptions()))
    assert err.input == "-" and "save it to a file" in err.reason


# --------------------------------------------------------------------------- the audit


def test_dask_audit_matches_the_one_machine_audit(tmp_path: Path, cluster) -> None:
    d = mixed_inputs(tmp_path)
    local_out, dask_out = tmp_path / "local", tmp_path / "dask"
    local_warnings: list[str] = []
    dask_warnings: list[str] = []
    local = run_audit([str(d)], AuditConfig(out=local_out, fast=True), on_warning=local_warnings.append)
    result = run_audit(
        [str(d)],
        AuditConfig(out=dask_out, fast=True, engine="dask", scheduler=cluster.scheduler_address),
        on_warning=dask_warnings.append,
    )
    assert lines(dask_out / "articles.jsonl") == lines(local_out / "articles.jsonl")
    ids = [json.loads(x)["id"] for x in lines(dask_out / "articles.jsonl")]
    assert len(ids) == len(set(ids)) and "p3" in ids and "dup" in ids
    # the first "dup" (in a.jsonl) wins, as on one machine
    dup = next(json.loads(x) for x in lines(dask_out / "articles.jsonl") if json.loads(x)["id"] == "dup")
    assert dup["source"] == "wire"
    errors = sorted(lines(dask_out / "errors.jsonl"))
    assert errors == sorted(lines(local_out / "errors.jsonl"))
    reasons = " ".join(errors)
    for expected in ("a.jsonl", "b.csv:6", "c.parquet:6", "empty.txt", "blob.txt"):
        assert expected in reasons
    assert summary_without_timing(dask_out) == summary_without_timing(local_out)
    assert (dask_out / "sources.csv").read_text() == (local_out / "sources.csv").read_text()
    assert result.duplicates == local.duplicates == 1
    assert [w for w in dask_warnings if "duplicate" in w] == [w for w in local_warnings if "duplicate" in w]
    assert (dask_out / "report.html").stat().st_size > 0
    assert len(list((dask_out / PARTS_DIR).glob("*.jsonl"))) >= 5


@pytest.mark.slow
def test_default_model_records_are_identical_too(tmp_path: Path, cluster) -> None:
    """The int8 encoder's vectors depend on their batch; both engines batch per partition."""
    d = tmp_path / "feed"
    d.mkdir()
    for s in range(3):
        (d / f"s{s}.jsonl").write_text(
            "".join(json.dumps({"id": f"s{s}-{i}", "text": story(7 * s + i, 3)}) + "\n" for i in range(5 + 2 * s)))
    for i in range(3):
        (d / f"note{i}.txt").write_text(story(i + 40, 5), encoding="utf-8")
    run_audit([str(d)], AuditConfig(out=tmp_path / "local", lineage=False, batch_size=4))
    run_audit([str(d)], AuditConfig(out=tmp_path / "dask", lineage=False, batch_size=4, engine="dask",
                                    scheduler=cluster.scheduler_address))
    local = lines(tmp_path / "local" / "articles.jsonl")
    assert len(local) == 24 and json.loads(local[0])["model"] == "default"
    assert lines(tmp_path / "dask" / "articles.jsonl") == local


def test_each_worker_loads_the_detector_once(tmp_path: Path, cluster) -> None:
    d = tmp_path / "shards"
    d.mkdir()
    for s in range(8):
        (d / f"s{s}.jsonl").write_text(
            "".join(json.dumps({"id": f"s{s}-{i}", "text": story(s + i)}) + "\n" for i in range(3)))
    from distributed import Client

    def loads() -> dict[str, int]:
        with Client(cluster) as client:
            return client.run(lambda: __import__("mtdetect.audit_dask", fromlist=["LOADS"]).LOADS["count"])

    before = loads()
    # a timeout no other test uses: settings no worker has a detector for yet
    run_audit([str(d)], AuditConfig(out=tmp_path / "o", fast=True, engine="dask", timeout=61.0,
                                    scheduler=cluster.scheduler_address))
    after = loads()
    assert len(after) == 2
    assert {w: after[w] - before.get(w, 0) for w in after} == {w: 1 for w in after}  # 8 partitions
    assert len(lines(tmp_path / "o" / "articles.jsonl")) == 24


def audited_shards(tmp_path: Path, cluster, n: int) -> tuple[Path, AuditConfig]:
    """``n`` shards of one story each, audited on the cluster with the fast model into tmp_path/o."""
    d = tmp_path / "shards"
    d.mkdir()
    for s in range(n):
        (d / f"s{s}.jsonl").write_text(json.dumps({"id": f"s{s}", "text": story(s)}) + "\n")
    cfg = AuditConfig(out=tmp_path / "o", fast=True, engine="dask", scheduler=cluster.scheduler_address, lineage=False)
    run_audit([str(d)], cfg)
    return d, cfg


def test_resume_skips_written_partitions_and_rescores_a_changed_one(tmp_path: Path, cluster) -> None:
    d, cfg = audited_shards(tmp_path, cluster, 4)
    first = lines(tmp_path / "o" / "articles.jsonl")
    parts = sorted((tmp_path / "o" / PARTS_DIR).glob("*.jsonl"))
    stamps = {p.name: p.stat().st_mtime_ns for p in parts}
    (d / "s2.jsonl").write_text(json.dumps({"id": "s2", "text": story(7)}) + "\n")
    warnings: list[str] = []
    from dataclasses import replace

    run_audit([str(d)], replace(cfg, resume=True), on_warning=warnings.append)
    assert any("resume: 3 of 4 partitions" in w for w in warnings), warnings
    after = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "o" / PARTS_DIR).glob("*.jsonl")}
    assert len(after) == 4  # the stale part of the changed file is gone
    assert sum(after.get(name) == stamp for name, stamp in stamps.items()) == 3
    new = lines(tmp_path / "o" / "articles.jsonl")
    assert len(new) == 4 and new[:2] == first[:2] and new[3] == first[3] and new[2] != first[2]


def test_dask_resume_over_partitions_of_another_model_is_refused(tmp_path: Path, cluster) -> None:
    from dataclasses import replace

    d, cfg = audited_shards(tmp_path, cluster, 2)
    part = sorted((tmp_path / "o" / PARTS_DIR).glob("*.jsonl"))[0]
    text = part.read_text(encoding="utf-8")
    assert '"model": "default-fast"' in text
    part.write_text(text.replace('"model": "default-fast"', '"model": "earlier-model"'), encoding="utf-8")
    with pytest.raises(ValueError, match=r"cannot resume .*1 by 'earlier-model'.*'default-fast'"):
        run_audit([str(d)], replace(cfg, resume=True))


def test_dask_audit_estimates_with_the_human_reference_it_is_given(tmp_path: Path, cluster) -> None:
    from dataclasses import replace

    d = tmp_path / "shards"
    d.mkdir()
    human = [(SAMPLES / name).read_text(encoding="utf-8") for name in ("human_city_budget.md", "human_harbour_ferry.txt")]
    for s in range(4):
        rows = [{"id": f"s{s}-{i}", "source": f"outlet{i % 2}", "text": story(s + i) if i == 2 else human[i]}
                for i in range(3)]
        (d / f"s{s}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    local = AuditConfig(out=tmp_path / "local", fast=True, lineage=False, human_reference="original")
    run_audit([str(d)], local)
    run_audit([str(d)], replace(local, out=tmp_path / "dask", engine="dask", scheduler=cluster.scheduler_address))
    assert (tmp_path / "dask" / "sources.csv").read_text() == (tmp_path / "local" / "sources.csv").read_text()
    assert summary_without_timing(tmp_path / "dask") == summary_without_timing(tmp_path / "local")
    assert summary_without_timing(tmp_path / "dask")["prevalence"]["human_reference"] == "original"
    # a card without the statistics per label is refused before the cluster does anything
    old = tmp_path / "old-model"
    shutil.copytree(ROOT / "models" / "default-fast", old)
    card = json.loads((old / "card.json").read_text())
    card["prevalence"].pop("human_by_label", None)
    (old / "card.json").write_text(json.dumps(card))
    with pytest.raises(ValueError, match="retrain"):
        run_audit([str(d)], replace(local, out=tmp_path / "refused", model=str(old), fast=False, engine="dask",
                                    scheduler=cluster.scheduler_address))
    assert not (tmp_path / "refused").exists()


def test_a_worker_killed_mid_run_loses_nothing(tmp_path: Path) -> None:
    d = tmp_path / "shards"
    d.mkdir()
    long_text = " ".join(story(i, 8) for i in range(60))  # tens of ms per article in fast mode
    n_shards = 24
    for s in range(n_shards):
        (d / f"s{s:02d}.jsonl").write_text(
            "".join(json.dumps({"id": f"s{s}-{i}", "text": f"{long_text} Shard {s} item {i}."}) + "\n"
                    for i in range(4)))
    out = tmp_path / "o"
    killed: dict[str, object] = {}

    def on_client(client) -> None:
        pids = sorted(client.run(os.getpid).values())
        # Dask's MALLOC_TRIM_THRESHOLD_=65536 slows scoring by a quarter; the audit drops it
        killed["trim"] = set(client.run(lambda: os.environ.get("MALLOC_TRIM_THRESHOLD_")).values())

        def killer() -> None:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                done = len(list((out / PARTS_DIR).glob("*.jsonl"))) if (out / PARTS_DIR).exists() else 0
                if done >= 2:
                    os.kill(pids[0], signal.SIGKILL)
                    killed.update(pid=pids[0], parts_done=done)
                    return
                time.sleep(0.02)

        threading.Thread(target=killer, daemon=True).start()

    run_dask_audit([str(d)], AuditConfig(out=out, fast=True, engine="dask", workers=2, lineage=False),
                   on_client=on_client)
    assert killed.get("parts_done", n_shards) < n_shards, "the worker was not killed while partitions were left"
    assert killed["trim"] == {None}
    with pytest.raises(ProcessLookupError):
        os.kill(killed["pid"], 0)
    ids = [json.loads(x)["id"] for x in lines(out / "articles.jsonl")]
    assert len(ids) == len(set(ids)) == 4 * n_shards
    assert lines(out / "errors.jsonl") == []


@pytest.mark.slow
def test_cli_dask_audit_exit_code_and_resume_after_the_client_is_killed(tmp_path: Path) -> None:
    d = tmp_path / "shards"
    d.mkdir()
    long_text = " ".join(story(i, 8) for i in range(40))
    for s in range(30):
        (d / f"s{s:02d}.jsonl").write_text(
            "".join(json.dumps({"id": f"s{s}-{i}", "text": f"{long_text} Shard {s} item {i}."}) + "\n"
                    for i in range(3)))
    (d / "zz-bad.jsonl").write_text("{broken\n")
    out = tmp_path / "o"
    cmd = [sys.executable, "-m", "mtdetect.cli", "audit", str(d), "--out", str(out), "-q", "--fast",
           "--engine", "dask", "--workers", "1", "--no-lineage"]
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    parts = out / PARTS_DIR
    while time.monotonic() < deadline and proc.poll() is None:
        if parts.exists() and len(list(parts.glob("*.jsonl"))) >= 3:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the audit finished before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)  # the client and its local cluster
    proc.wait(timeout=60)
    assert not (out / "summary.json").exists()
    done_before = len(list(parts.glob("*.jsonl")))
    assert 3 <= done_before < 31
    resumed = subprocess.run([*cmd, "--resume"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 3, resumed.stderr  # the broken shard is an input error
    ids = [json.loads(x)["id"] for x in lines(out / "articles.jsonl")]
    assert len(ids) == len(set(ids)) == 90
    errors = [json.loads(x) for x in lines(out / "errors.jsonl")]
    assert len(errors) == 1 and "zz-bad.jsonl" in errors[0]["input"]
    reference = tmp_path / "ref"
    run_audit([str(d)], AuditConfig(out=reference, fast=True, lineage=False))
    assert lines(out / "articles.jsonl") == lines(reference / "articles.jsonl")


# --------------------------------------------------------------------------- score_dataframe


def _frame():
    texts = [story(i) for i in range(6)]
    texts[2] = None
    texts[4] = "   "
    return pd.DataFrame({"key": [f"k{i}" for i in range(6)], "body": texts, "extra": range(6)})


def test_score_dataframe_on_pandas_matches_score_and_reports_bad_rows() -> None:
    from mtdetect.dask import RESULT_COLUMNS, score_dataframe
    from mtdetect.detector import Detector
    from mtdetect.types import Article

    df = _frame()
    out = score_dataframe(df, "body", id_column="key", fast=True)
    assert list(out.columns) == [*df.columns, *RESULT_COLUMNS]
    assert list(out["extra"]) == list(range(6))
    det = Detector.load(None, fast=True)
    for i in (0, 1, 3, 5):
        rep = det.score(Article(id=f"k{i}", text=df["body"][i]))
        assert out["p_mt"][i] == round(rep.p_mt, 4)
        assert out["verdict"][i] == rep.verdict.value
        assert out["n_findings"][i] == len(rep.findings) == len(json.loads(out["findings"][i]))
        assert out["error"][i] is None
    assert out["n_findings"][1] > 0  # "Mr. XI", "high -level", ...
    assert "k2" in out["error"][2] and "missing" in out["error"][2]
    assert "empty" in out["error"][4]
    assert out["p_mt"].isna().tolist() == [False, False, True, False, True, False]
    with pytest.raises(KeyError, match="nope"):
        score_dataframe(df, "nope", fast=True)


def test_score_dataframe_on_dask_is_lazy_and_equals_pandas(cluster) -> None:
    import dask.dataframe as dd
    from distributed import Client

    from mtdetect.dask import score_dataframe

    df = _frame()
    expected = score_dataframe(df, "body", id_column="key", fast=True)
    ddf = dd.from_pandas(df, npartitions=3)
    lazy = score_dataframe(ddf, "body", id_column="key", fast=True)
    assert isinstance(lazy, dd.DataFrame)
    with Client(cluster):
        got = lazy.compute()
    pd.testing.assert_series_equal(got["p_mt"], expected["p_mt"])
    assert got["verdict"].tolist() == expected["verdict"].tolist()
    assert got["findings"].tolist() == expected["findings"].tolist()
    assert got["error"].notna().tolist() == expected["error"].notna().tolist()
