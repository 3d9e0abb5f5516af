"""The store's kept per-leg sums answer `cost` exactly as the records do: every grouping, any window, sources
stored after a keep, sums cleared when a summed source is replaced, compacted, all or nothing."""

from __future__ import annotations

import gzip
import shutil
from datetime import UTC, datetime

import pytest

from vpcflow.cost import BY, keep
from vpcflow.cost import kept as kept_mod
from vpcflow.cost.attribute import cost_rows
from vpcflow.cost.bill import window_params
from vpcflow.emulate import simulate
from vpcflow.engines import DuckDBEngine, run_query
from vpcflow.engines.queries import get
from vpcflow.store import Store
from vpcflow.store.schema import refresh_flows

START = datetime(2026, 3, 31, 23, 0, tzinfo=UTC)  # two hours across a day's and a month's end


def _t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# (since, until): all time; one whole day; a partial day then a whole one; less than a day, inside
WINDOWS = [(None, None), (_t("2026-04-01T00:00"), _t("2026-04-02T00:00")),
           (_t("2026-03-31T23:30"), _t("2026-04-02T00:00")), (_t("2026-03-31T23:20"), _t("2026-04-01T00:40"))]


@pytest.fixture(scope="module")
def logs(tmp_path_factory):
    out = tmp_path_factory.mktemp("kept") / "logs"
    simulate("cost-demo", out, duration="2h", start=START, format="v5", seed=3)
    return sorted(out.rglob("*.log.gz"))


def _store(tmp_path, files) -> Store:
    store = Store(tmp_path / "store.duckdb")
    store.ingest(files, format="v5")
    return store


def _rows(rows: list[dict]) -> list[tuple]:
    return sorted(tuple(repr(v) for v in r.values()) for r in rows)


def _from_kept(store, by, since, until) -> list[tuple]:
    return _rows(cost_rows(store, by, since=since, until=until, monthly=True))


def _from_records(store, by, since, until) -> list[tuple]:
    bound = get(f"cost-{by}").bind({**window_params(since, until), "monthly": True})
    return _rows(run_query(DuckDBEngine(store), f"cost-{by}", bound).to_pylist())


def _kept_is_read(store, by="path") -> bool:
    bound = get(f"cost-{by}").bind({"monthly": True})
    with kept_mod.kept_relations(DuckDBEngine(store), None, bound) as used:
        return used


@pytest.mark.parametrize("by", list(BY))
def test_every_grouping_and_window_from_the_sums_equals_the_records(tmp_path, logs, by):
    with _store(tmp_path, logs) as store:
        assert keep(store) == len(logs)
        assert _kept_is_read(store)
        for since, until in WINDOWS:
            got = _from_kept(store, by, since, until)
            assert got and got == _from_records(store, by, since, until), (since, until)


def test_the_sums_are_far_fewer_rows_than_the_records(tmp_path, logs):
    with _store(tmp_path, logs) as store:
        keep(store)
        legs, records = store.con.execute(
            "SELECT (SELECT count(*) FROM kept_cost_legs), (SELECT count(*) FROM flows)").fetchall()[0]
    assert legs < records / 2


def test_sources_stored_after_a_keep_are_read_from_their_records(tmp_path, logs):
    half = len(logs) // 2
    with _store(tmp_path, logs[:half]) as store:
        keep(store)
        store.ingest(logs[half:], format="v5")
        assert store.con.execute("SELECT count(*) FROM kept_sources").fetchall()[0][0] == half
        for since, until in WINDOWS:
            assert _from_kept(store, "path", since, until) == _from_records(store, "path", since, until)


def test_a_keep_sums_only_the_sources_not_summed_yet(tmp_path, logs):
    half = len(logs) // 2
    with _store(tmp_path, logs[:half]) as store:
        assert keep(store) == half
        store.ingest(logs[half:], format="v5")
        assert keep(store) == len(logs) - half
        assert keep(store) == 0
        assert _from_kept(store, "az", None, None) == _from_records(store, "az", None, None)


def test_replacing_a_summed_file_clears_the_sums_and_the_answer_follows_the_file(tmp_path, logs):
    folder = tmp_path / "logs"
    folder.mkdir()
    files = [shutil.copy(f, folder / f.name) for f in logs]
    with _store(tmp_path, folder) as store:
        keep(store)
        before = _from_records(store, "path", None, None)
        lines = gzip.decompress(files[5].read_bytes()).decode().splitlines()
        files[5].write_bytes(gzip.compress(("\n".join(lines[:2]) + "\n").encode()))  # rewritten: fewer records
        store.ingest(folder, format="v5")
        assert store.con.execute("SELECT count(*) FROM kept_sources").fetchall()[0][0] == 0
        assert store.con.execute("SELECT count(*) FROM kept_cost_legs").fetchall()[0][0] == 0
        after = _from_kept(store, "path", None, None)
        assert after == _from_records(store, "path", None, None) != before
        assert keep(store) == len(logs)
        assert _from_kept(store, "path", None, None) == after


def test_records_stored_without_a_source_are_counted(tmp_path, logs):
    with _store(tmp_path, logs) as store:
        keep(store)
        store.con.execute("INSERT INTO flow_records SELECT * REPLACE (NULL AS source_id) FROM flow_records "
                          "WHERE source_id = (SELECT min(source_id) FROM sources)")
        assert _from_kept(store, "path", None, None) == _from_records(store, "path", None, None)


def test_sums_kept_one_source_at_a_time_are_compacted_and_answer_the_same(tmp_path, logs):
    with _store(tmp_path, logs[:1]) as store:
        keep(store)
        for f in logs[1:]:
            store.ingest([f], format="v5")
            keep(store)
        rows, keys = store.con.execute(
            "SELECT count(*), count(DISTINCT (interface_id, srcaddr, dstaddr, action, pkt_srcaddr, pkt_dstaddr, "
            "flow_direction, pkt_src_aws_service, pkt_dst_aws_service, start_day)) FROM kept_cost_legs").fetchall()[0]
        assert rows <= 2 * keys
        for since, until in WINDOWS:
            assert _from_kept(store, "pair", since, until) == _from_records(store, "pair", since, until)


def test_a_keep_that_fails_leaves_nothing_half_written(tmp_path, logs, monkeypatch):
    with _store(tmp_path, logs) as store:
        def broken(con):
            raise KeyboardInterrupt

        monkeypatch.setattr(kept_mod, "_compact", broken)
        with pytest.raises(KeyboardInterrupt):
            keep(store)
        assert store.con.execute("SELECT count(*) FROM kept_sources").fetchall()[0][0] == 0
        assert not _kept_is_read(store)
        monkeypatch.undo()
        assert keep(store) == len(logs)


def test_a_store_that_keeps_nothing_answers_from_its_records(tmp_path, logs):
    with _store(tmp_path, logs) as store:
        assert not _kept_is_read(store)
        assert _from_kept(store, "path", None, None) == _from_records(store, "path", None, None)


def test_the_cli_keeps_the_sums_once_and_says_so(cli, tmp_path, logs):
    with _store(tmp_path, logs) as store:
        expected = _from_records(store, "path", None, None)
        assert expected
    first = cli("cost", "--db", tmp_path / "store.duckdb", "-o", "json")
    assert first.code == 0, first.err
    assert f"{len(logs):,} new sources" in first.err
    second = cli("cost", "--db", tmp_path / "store.duckdb", "-o", "json")
    assert "new sources" not in second.err and second.json() == first.json()
    with Store(tmp_path / "store.duckdb", read_only=True) as store:
        assert store.con.execute("SELECT count(*) FROM kept_sources").fetchall()[0][0] == len(logs)


def test_a_source_still_loading_during_a_keep_is_read_from_its_records_until_the_next(tmp_path, logs):
    half = len(logs) // 2
    with _store(tmp_path, logs[:half]) as store:
        middle = store.con.execute("SELECT source_id FROM sources ORDER BY source_id").fetchall()[half // 2][0]
        store.con.execute("UPDATE sources SET status = 'loading' WHERE source_id = ?", [middle])
        refresh_flows(store.con)  # as an ingest committing it in steps leaves the store meanwhile
        assert keep(store) == half - 1
        store.con.execute("UPDATE sources SET status = 'ok' WHERE source_id = ?", [middle])
        refresh_flows(store.con)
        assert _from_kept(store, "interface", None, None) == _from_records(store, "interface", None, None)
        store.ingest(logs[half:], format="v5")
        assert keep(store) == len(logs) - half + 1  # the one left, and the sources after the ones kept
        assert _from_kept(store, "interface", None, None) == _from_records(store, "interface", None, None)


def test_records_ending_before_they_start_are_placed_by_their_end_as_the_records_are(tmp_path, logs):
    with _store(tmp_path, logs) as store:
        store.con.execute('UPDATE flow_records SET "end" = start - 7200 WHERE rowid % 7 = 0')
        keep(store)
        for since, until in WINDOWS:
            assert _from_kept(store, "az", since, until) == _from_records(store, "az", since, until), (since, until)
