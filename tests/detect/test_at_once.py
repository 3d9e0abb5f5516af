"""Detections run two at a time on the store report, store and fail exactly as one after another."""

from __future__ import annotations

import hashlib
import threading

import pytest

from vpcflow.detect import detections, load_threat_list, run
from vpcflow.detect import registry as detection_registry
from vpcflow.detect.engine import ensure_tables
from vpcflow.detect.model import Detection
from vpcflow.engines import queries as query_registry
from vpcflow.errors import QueryError
from vpcflow.fields import needs as field_needs
from vpcflow.store import Store
from vpcflow.store.schema import arrow

from .records import attack, benign, write

ATTACKS = ("port-scan-vertical", "ssh-brute-force", "exfiltration", "beaconing", "crypto-mining", "spam")
COLUMNS = "NULL AS src, NULL AS dst, NULL AS dst_port, NULL AS protocol, 0 AS first_seen, 0 AS last_seen"
# Runs until interrupted: 2^62 rows, each hashed.
ENDLESS = f"SELECT {COLUMNS}, count(*) AS records, 0 AS metric FROM range(4611686018427387904) t(i) WHERE hash(i) = 0"


def _lines() -> list[str]:
    return benign() + [line for a in ATTACKS for line in attack(a)]


def _store(path, lines=None) -> Store:
    store = Store(path / "vpcflow.duckdb")
    store.ingest([write(path / "flows.log", lines or _lines())], format="default")
    (path / "threats.txt").write_text("192.0.2.64/27\n")
    load_threat_list(store.con, path / "threats.txt")
    ensure_tables(store.con)  # an empty `findings` table, as an earlier run leaves it
    return store


def _saved(store: Store) -> list[dict]:
    return arrow(store.con, "SELECT * EXCLUDE (run_at) FROM findings ORDER BY id").to_pylist()


def _leftovers(con) -> list[tuple]:
    """What a run could leave behind on the connection: attached databases, TEMP views and tables."""
    return con.execute("SELECT database_name FROM duckdb_databases() WHERE database_name LIKE 'vpcflow_shared%' "
                       "UNION ALL SELECT view_name FROM duckdb_views() WHERE temporary AND NOT internal "
                       "AND view_name NOT IN ('enrich_interfaces', 'threat_list') "
                       "UNION ALL SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()


@pytest.fixture
def plugin(monkeypatch):
    """Register detections for one test only, as a plugin would (vpcflow.detect.registry.register)."""
    detections()  # the shipped ones first, into the registries the test then copies
    monkeypatch.setattr(detection_registry, "_REGISTRY", dict(detection_registry._REGISTRY))
    monkeypatch.setattr(query_registry, "QUERIES", dict(query_registry.QUERIES))
    monkeypatch.setattr(field_needs, "NEEDS", dict(field_needs.NEEDS))

    def register(detection_id: str, sql: str) -> str:
        detection_registry.register(Detection(detection_id, detection_id, "low", "test", sql, "{records} records"))
        return detection_id
    return register


def test_two_at_a_time_report_and_store_what_one_at_a_time_does(tmp_path):
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    with _store(tmp_path / "one") as one, _store(tmp_path / "two") as two:
        alone, paired = run(one.con, at_once=1), run(two.con, at_once=2)
        assert len({f.detector for f in paired.findings}) >= len(ATTACKS)
        assert paired.findings == alone.findings
        assert paired.statuses == alone.statuses
        assert list(paired.seconds) == list(alone.seconds)
        assert _saved(two) == _saved(one)
        assert _leftovers(two.con) == []


def test_a_read_only_store_runs_them_two_at_a_time_and_is_not_written(tmp_path):
    with _store(tmp_path) as store:
        expected = run(store.con, store=False, at_once=1).findings
    before = hashlib.sha256((tmp_path / "vpcflow.duckdb").read_bytes()).hexdigest()
    with Store(tmp_path / "vpcflow.duckdb", read_only=True) as store:
        found = run(store.con, store=False, at_once=2).findings
        assert _leftovers(store.con) == []
    assert found == expected
    assert hashlib.sha256((tmp_path / "vpcflow.duckdb").read_bytes()).hexdigest() == before


def test_inside_a_transaction_they_run_one_at_a_time_on_its_snapshot(tmp_path):
    with _store(tmp_path) as store:
        expected = run(store.con, store=False, at_once=1).findings
        store.con.execute("BEGIN TRANSACTION")  # another cursor would not see this transaction's own tables
        found = run(store.con, store=False, at_once=2).findings
        store.con.execute("ROLLBACK")
        assert _leftovers(store.con) == []
    assert found == expected


def test_the_first_failing_detection_raises_its_error_as_in_turn(tmp_path, plugin):
    # The first fails after summing 30M numbers; the second at once: the first one's error is still the one raised.
    first = plugin("fails-late", f"SELECT {COLUMNS}, CASE WHEN s >= 0 THEN error('fails-late') END AS records, "
                                 "0 AS metric FROM (SELECT sum(i) AS s FROM range(30000000) t(i))")
    second = plugin("fails-early", f"SELECT {COLUMNS}, error('fails-early') AS records, 0 AS metric")
    with _store(tmp_path) as store:
        with pytest.raises(QueryError, match="fails-late"):
            run(store.con, detectors=["port-scan-vertical", first, second], at_once=2)
        assert store.con.execute("SELECT count(*) FROM findings").fetchall() == [(0,)]
        assert _leftovers(store.con) == []


def test_ctrl_c_stops_both_running_queries_and_stores_nothing(tmp_path, plugin):
    endless = [plugin("endless-1", ENDLESS), plugin("endless-2", ENDLESS)]
    seen, raised = [], []

    def finished(status):  # Ctrl-C once a detection finished beside the endless ones
        seen.append(status.detector)
        raise KeyboardInterrupt

    def detect(store):
        try:
            run(store.con, detectors=[endless[0], "port-scan-vertical", endless[1]], at_once=2, finished=finished)
        except KeyboardInterrupt as exc:
            raised.append(exc)

    with _store(tmp_path) as store:
        # In a thread of its own only so that a query left running fails the test instead of hanging the suite.
        caller = threading.Thread(target=detect, args=(store,), daemon=True)
        caller.start()
        caller.join(timeout=300)
        assert not caller.is_alive() and raised and seen == ["port-scan-vertical"]
        assert not [t for t in threading.enumerate() if t.name.startswith("vpcflow-query")]
        assert store.con.execute("SELECT count(*) FROM findings").fetchall() == [(0,)]
        assert _leftovers(store.con) == []
