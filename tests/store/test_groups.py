"""Small sources stored together, one transaction per group: a group that cannot commit is stored again one
source at a time, each read again from where it lives (the group let go of its records once stored)."""

from __future__ import annotations

from vpcflow.errors import VpcFlowError
from vpcflow.store import Store

RECORD = "2 123456789010 eni-1235b8ca123456789 172.31.16.{host} 172.31.16.21 {port} 22 6 20 4249 1418530010 1418530070 ACCEPT OK"


def write_objects(folder, count: int, records: int) -> dict[str, int]:
    folder.mkdir()
    names = {}
    for i in range(count):
        path = folder / f"object-{i}.log"
        path.write_text("".join(RECORD.format(host=i, port=1024 + n) + "\n" for n in range(records)))
        names[str(path.resolve())] = records
    return names


def test_a_group_that_cannot_commit_stores_every_other_source_whole_and_names_the_one_that_failed(tmp_path):
    objects = write_objects(tmp_path / "objects", count=4, records=50)
    refused = sorted(objects)[1]

    def before_commit(con, src, done):
        if src.identity == refused:
            raise VpcFlowError("refused by the test's hook", location=src.identity)

    with Store(tmp_path / "flows.duckdb") as store:
        result = store.ingest(tmp_path / "objects", before_commit=before_commit)
        stored = {r["identity"]: r["records"] for r in store.query("SELECT identity, records FROM sources").to_pylist()}
        per_source = store.query("SELECT count(*) AS n FROM flows GROUP BY source_id ORDER BY n").to_pylist()

    assert [r.source for r in result.errors] == [refused]
    assert stored == {name: 50 for name in objects if name != refused}
    assert per_source == [{"n": 50}] * 3
