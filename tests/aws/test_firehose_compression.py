"""Every compression a Firehose stream can write (UNCOMPRESSED, GZIP, ZIP, Snappy, HADOOP_SNAPPY) reads back
from `s3://` and from a local copy with the emulator's record totals."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import vpcflow.emulate  # noqa: F401  (before deliver: deliver.base imports the emulator)
from vpcflow.aws.sources import resolve
from vpcflow.deliver.firehose import EXTENSIONS
from vpcflow.emulate import load_scenario, simulate
from vpcflow.fields import DEFAULT
from vpcflow.network.topology import ScenarioError
from vpcflow.sources import firehose
from vpcflow.store.store import Store

from .test_firehose import _stream

COMPRESSIONS = ["none", "gzip", "zip", "snappy", "hadoop-snappy"]


@pytest.fixture(scope="module")
def plain_totals(tmp_path_factory) -> tuple[int, int]:
    """Records and bytes of the uncompressed run, counted from its lines (bytes is the default format's 10th)."""
    out = tmp_path_factory.mktemp("plain")
    simulate("seed-demo", out, duration="2h", destination="firehose", seed=3)
    lines = [line.split() for p in sorted((out / "firehose").rglob("vpc-flow-logs-1-*")) for line in
             p.read_text().splitlines()]
    return len(lines), sum(int(f[9]) for f in lines if f[9] != "-")


def _emulate(out: Path, compression: str) -> list[Path]:
    summary = simulate("seed-demo", out, duration="2h", destination="firehose", seed=3, compression=compression)
    files = sorted((out / "firehose").rglob("vpc-flow-logs-1-*"))
    assert files and all(p.name.endswith(EXTENSIONS[compression]) for p in files)
    assert all(firehose.is_firehose_object(p.name) for p in files)
    assert summary.records > 0
    return files


def _totals(store: Store) -> tuple[int, int]:
    n, b = store.con.execute("SELECT count(*), coalesce(sum(bytes), 0) FROM flows").fetchall()[0]
    return int(n), int(b)


@pytest.mark.parametrize("compression", COMPRESSIONS)
def test_each_compression_ingests_from_s3_with_the_emulators_totals(compression, session, aws_env, tmp_path,
                                                                     plain_totals):
    _stream(aws_env)
    root = tmp_path / "out" / "firehose" / "vpc-flow-logs"
    s3 = aws_env.client("s3")
    for path in _emulate(tmp_path / "out", compression):
        s3.put_object(Bucket="fh-bucket", Key="vpc/" + path.relative_to(root).as_posix(), Body=path.read_bytes())
    sources = list(resolve("s3://fh-bucket/vpc", session))
    with Store(tmp_path / "db.duckdb") as store:
        result = store.ingest(sources, format=DEFAULT)
        assert result.quarantined == 0 and result.failed_sources == 0
        assert _totals(store) == plain_totals


@pytest.mark.parametrize("compression", COMPRESSIONS)
def test_each_compression_ingests_from_a_local_copy(compression, tmp_path, plain_totals):
    _emulate(tmp_path / "out", compression)
    shutil.copytree(tmp_path / "out" / "firehose", tmp_path / "copy")
    assert len(list(firehose.walk(tmp_path / "copy"))) == len(list((tmp_path / "copy").rglob("vpc-flow-logs-1-*")))
    with Store(tmp_path / "db.duckdb") as store:
        result = store.ingest([tmp_path / "copy"], format=DEFAULT)
        assert result.quarantined == 0
        assert _totals(store) == plain_totals


def test_a_custom_extension_is_read_by_its_bytes(tmp_path, plain_totals):
    for path in _emulate(tmp_path / "out", "hadoop-snappy"):
        path.rename(path.with_suffix(".dat"))
    with Store(tmp_path / "db.duckdb") as store:
        store.ingest(list(firehose.walk(tmp_path / "out" / "firehose")), format=DEFAULT)
        assert _totals(store) == plain_totals


def test_a_scenario_takes_aws_spelling_and_refuses_an_unknown_compression(tmp_path):
    spec = {"name": "fh", "flow_logs": [{"destination": "firehose", "compression": "HADOOP_SNAPPY"}]}
    base = load_scenario("seed-demo").spec
    simulate({**base, **spec}, tmp_path / "a", duration="1h")
    assert all(p.suffix == ".hsnappy" for p in (tmp_path / "a" / "firehose").rglob("vpc-flow-logs-1-*"))
    with pytest.raises(ScenarioError, match="compression must be"):
        simulate("seed-demo", tmp_path / "b", duration="1h", destination="firehose", compression="lz4")
