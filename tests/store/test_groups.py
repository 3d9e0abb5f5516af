"""Small sources stored together, one transaction per group: a group that cannot commit is stored again one
source at a time, each read again from where it lives (the group let go of its records once stored)."""

from __future__ import annotations

from pathlib import Path

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


# Enough records for several whole row groups: the group's INSERT starts with the first, and the sources after
# it are looked up and gathered inside DuckDB's threads while it runs.
COUNT, RECORDS = 60, 5_000


def _fails_once_inside_the_insert(monkeypatch, error: BaseException) -> None:
    """held_contents raises `error` on its second call: the first is before the INSERT starts, the second in it."""
    import vpcflow.store.small as small

    calls, looked_up = [], small.held_contents

    def held_contents(con, sources):
        calls.append(len(sources))
        if len(calls) == 2:
            raise error
        return looked_up(con, sources)

    monkeypatch.setattr(small, "held_contents", held_contents)


def test_a_group_is_stored_in_whole_row_groups_and_one_partial_at_the_end(tmp_path):
    from vpcflow.store.rowgroups import ROW_GROUP

    write_objects(tmp_path / "objects", count=COUNT, records=RECORDS)
    with Store(tmp_path / "flows.duckdb") as store:
        assert store.ingest(tmp_path / "objects").records == COUNT * RECORDS
        sizes = [r[0] for r in store.con.execute(
            "SELECT count FROM pragma_storage_info('flow_records') "
            "WHERE column_id = 0 AND segment_type <> 'VALIDITY' ORDER BY row_group_id").fetchall()]
        order = store.query("SELECT srcaddr, srcport FROM flows").to_pylist()
    whole, rest = divmod(COUNT * RECORDS, ROW_GROUP)
    assert sizes == [ROW_GROUP] * whole + [rest]
    assert order == [{"srcaddr": f"172.31.16.{i}", "srcport": 1024 + n}  # one object after another, as listed
                     for i in sorted(range(COUNT), key=str) for n in range(RECORDS)]


def test_a_bug_while_duckdb_reads_the_group_surfaces_as_itself_and_nothing_of_the_group_is_stored(tmp_path, monkeypatch):
    write_objects(tmp_path / "objects", count=COUNT, records=RECORDS)
    _fails_once_inside_the_insert(monkeypatch, ZeroDivisionError("a bug"))
    with Store(tmp_path / "flows.duckdb") as store:
        try:
            store.ingest(tmp_path / "objects")
        except ZeroDivisionError as exc:
            assert str(exc) == "a bug"
        else:
            raise AssertionError("the bug was swallowed")
        assert store.query("SELECT count(*) AS n FROM sources").to_pylist() == [{"n": 0}]
        assert store.query("SELECT count(*) AS n FROM flow_records").to_pylist() == [{"n": 0}]


def test_ctrl_c_while_duckdb_reads_the_group_stops_the_ingest_and_stores_nothing_of_the_group(tmp_path, monkeypatch):
    write_objects(tmp_path / "objects", count=COUNT, records=RECORDS)
    _fails_once_inside_the_insert(monkeypatch, KeyboardInterrupt())
    with Store(tmp_path / "flows.duckdb") as store:
        try:
            store.ingest(tmp_path / "objects")
        except KeyboardInterrupt:
            pass
        else:
            raise AssertionError("the interrupt was swallowed")
        assert store.query("SELECT count(*) AS n FROM flow_records").to_pylist() == [{"n": 0}]


def test_a_group_not_clean_inside_duckdbs_reading_is_stored_again_one_source_at_a_time(tmp_path, monkeypatch):
    objects = write_objects(tmp_path / "objects", count=COUNT, records=RECORDS)
    _fails_once_inside_the_insert(monkeypatch, VpcFlowError("not clean, says the test"))
    with Store(tmp_path / "flows.duckdb") as store:
        result = store.ingest(tmp_path / "objects")
        stored = {r["identity"]: r["records"] for r in store.query("SELECT identity, records FROM sources").to_pylist()}
        per_source = store.query("SELECT count(*) AS n FROM flows GROUP BY source_id").to_pylist()
    assert not result.errors and result.records == COUNT * RECORDS
    assert stored == objects
    assert per_source == [{"n": RECORDS}] * COUNT


def test_records_the_reader_did_not_check_are_checked_inside_the_insert_and_a_bad_value_is_quarantined(
        tmp_path, monkeypatch):
    import vpcflow.store.prepare as prepare

    def parsed_unchecked(run, check):  # the read-ahead parses but leaves the checks to the group
        prepare.parse_prereads([pre for _, pre in run if isinstance(pre, prepare.Preread)])
        return run

    monkeypatch.setattr(prepare, "_parsed", parsed_unchecked)
    objects = write_objects(tmp_path / "objects", count=COUNT, records=RECORDS)
    bad = sorted(objects)[40]  # past the first row group: checked inside the INSERT, by DuckDB's threads
    Path(bad).write_text(Path(bad).read_text().replace(" 1030 22 6 ", " 70000 22 6 ", 1))
    with Store(tmp_path / "flows.duckdb") as store:
        result = store.ingest(tmp_path / "objects")
        quarantined = store.query("SELECT source, line, reason FROM quarantine").to_pylist()
        per_source = store.query("SELECT count(*) AS n FROM flows GROUP BY source_id").to_pylist()
    assert (result.records, result.quarantined, result.errors) == (COUNT * RECORDS - 1, 1, [])
    assert quarantined == [{"source": bad, "line": 7, "reason": "srcport: above 65535: 70000"}]
    assert sorted(r["n"] for r in per_source) == [RECORDS - 1] + [RECORDS] * (COUNT - 1)
