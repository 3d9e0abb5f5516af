"""An ingest handed to the store's holder is exactly once the same way as one that opens the store (issue 24
item 7): a file rewritten at its path, or an S3 object under its key, replaces its own rows."""

from __future__ import annotations

import os

import pytest

from vpcflow.aws.session import AwsSession, AwsSettings
from vpcflow.aws.sources import resolve
from vpcflow.live import HolderServer
from vpcflow.sources.local import file_source
from vpcflow.store import Store
from vpcflow.store.holder import read_note
from vpcflow.store.remote import RemoteConnection

SSH = "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 {port} 22 6 20 4249 1418530010 1418530070 ACCEPT OK"


@pytest.fixture
def session(aws_env) -> AwsSession:
    return AwsSession(AwsSettings(region=aws_env.region, endpoint_url=aws_env.endpoint_url),
                      boto_session=aws_env.boto_session())


def _write(path, first_port: int, n: int) -> None:
    path.write_text("".join(SSH.format(port=first_port + i % 60_000) + "\n" for i in range(n)))


@pytest.mark.parametrize("records", [3, 60_000])  # 60,000 lines are about 6 MB: stored alone, not in a group
def test_a_file_rewritten_at_its_path_and_handed_to_the_holder_replaces_its_rows(tmp_path, records):
    path = tmp_path / "a.log"
    _write(path, 1024, records)
    with Store(tmp_path / "flows.duckdb") as store:
        server = HolderServer(store)
        try:
            other = RemoteConnection(read_note(store.path))  # another process's session, as `vpcflow ingest` opens
            try:
                other.ingest([file_source(path)])
                _write(path, 30_000, 5)
                os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
                result = other.ingest([file_source(path)])
            finally:
                other.close()
        finally:
            server.close()
        ports = store.query("SELECT count(*) AS n, min(srcport) AS lo, max(srcport) AS hi FROM flows").to_pylist()
        ledger = [(s["identity"], s["records"]) for s in store.sources().to_pylist()]
    assert (result.records, result.sources) == (5, 1)
    assert ports == [{"n": 5, "lo": 30_000, "hi": 30_004}]
    assert ledger == [(str(path), 5)]


def test_an_s3_object_rewritten_under_its_key_and_handed_to_the_holder_replaces_its_rows(tmp_path, aws_env, session):
    s3 = aws_env.client("s3")
    s3.create_bucket(Bucket="flows")

    def put(first_port: int, n: int) -> None:
        body = "".join(SSH.format(port=first_port + i) + "\n" for i in range(n))
        s3.put_object(Bucket="flows", Key="vpc/flows.log", Body=body.encode())

    put(1024, 3)
    with Store(tmp_path / "flows.duckdb") as store:
        server = HolderServer(store)
        try:
            other = RemoteConnection(read_note(store.path))  # objects go to the holder as their bytes
            try:
                other.ingest(resolve("s3://flows", session))
                put(30_000, 5)
                result = other.ingest(resolve("s3://flows", session))
            finally:
                other.close()
        finally:
            server.close()
        ports = store.query("SELECT count(*) AS n, min(srcport) AS lo, max(srcport) AS hi FROM flows").to_pylist()
    assert (result.records, result.sources) == (5, 1)
    assert ports == [{"n": 5, "lo": 30_000, "hi": 30_004}]
