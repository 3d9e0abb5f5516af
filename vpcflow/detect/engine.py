"""Running detections on any engine (the store, Spark): build the shared aggregates once, check the fields
each detection needs, run each one's named query, turn rows into findings and, on the store, upsert them into
the `findings` table."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pyarrow as pa

from ..engines.concurrent import AT_ONCE, each
from ..engines.engine import as_engine, materialized, run_query, run_sql
from ..engines.queries import get as get_query
from ..errors import VpcFlowError
from ..store.schema import arrow
from .aggregates import ENRICH_INTERFACES, THREAT_LIST
from .model import Detection, DetectorStatus, Finding, finding_id
from .registry import FAR_FUTURE, WINDOW, select

FINDINGS_TABLE = """CREATE TABLE IF NOT EXISTS findings (
  id VARCHAR PRIMARY KEY, detector VARCHAR NOT NULL, severity VARCHAR, src VARCHAR, dst VARCHAR,
  dst_port INTEGER, protocol INTEGER, first_seen TIMESTAMPTZ, last_seen TIMESTAMPTZ, records BIGINT,
  summary VARCHAR, evidence_sql VARCHAR, evidence_params JSON, status VARCHAR DEFAULT 'new',
  run_at TIMESTAMPTZ)"""
TABLES = [FINDINGS_TABLE, ENRICH_INTERFACES.create_sql(), THREAT_LIST.create_sql()]

STATUSES = ("new", "reviewed", "dismissed")
SHARED = "shared aggregates"  # DetectReport.seconds' key for building flow_windows once per run

EVIDENCE_SQL = """SELECT * FROM flows
WHERE start >= $first_seen AND start <= $last_seen
  AND ($src IS NULL OR srcaddr = $src OR dstaddr = $src)
  AND ($dst IS NULL OR dstaddr = $dst OR srcaddr = $dst)
  AND ($dst_port IS NULL OR dstport = $dst_port OR srcport = $dst_port)
  AND ($protocol IS NULL OR protocol = $protocol)
ORDER BY start, interface_id
LIMIT $limit"""


@dataclass
class DetectReport:
    """What a run found, and how each detection ran: ok, degraded (with the reason) or cannot-run (why)."""

    findings: list[Finding] = field(default_factory=list)
    statuses: list[DetectorStatus] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # per detection, and the shared aggregates' build


def execute(con, sql: str, params=None) -> list:
    """Run a statement to completion (DuckDB 2.0 keeps a connection busy until its result is fetched)."""
    return con.execute(sql, params).fetchall() if params is not None else con.execute(sql).fetchall()


def ensure_tables(con) -> None:
    for stmt in TABLES:
        execute(con, stmt)


def bound(sql: str, values: dict) -> dict:
    """Only the parameters the statement names (DuckDB refuses extra named parameters)."""
    names = set(re.findall(r"\$([A-Za-z_]\w*)", sql))
    missing = names - set(values)
    if missing:
        raise VpcFlowError(f"no value for parameter(s) {', '.join(sorted(missing))}")
    return {k: v for k, v in values.items() if k in names}


def _field_presence(engine, since: int, until: int, columns: Iterable[str]) -> dict[str, bool]:
    """A field is present when some ingested format has it and some record in the range carries a value."""
    have = engine.columns()
    cols = sorted({c for c in columns if c in have})
    present = {c: False for c in columns}
    if cols:
        counts = run_sql(engine, "SELECT " + ", ".join(f'count("{c}") AS "{c}"' for c in cols) +
                         " FROM flows WHERE start >= $since AND start < $until",
                         {"since": since, "until": until}).to_pylist()[0]
        present.update({c: counts[c] > 0 for c in cols})
    return present


def _status(d: Detection, presence: dict[str, bool], threat_entries: int) -> DetectorStatus | None:
    """Why a detection cannot run on these records, or None when it can."""
    missing = [f for f in d.needs if not presence.get(f)]
    if missing:
        return DetectorStatus(d.id, "cannot-run", note="records lack " + ", ".join(missing))
    if "threat_list" in d.reads and not threat_entries:
        return DetectorStatus(d.id, "cannot-run", note="no threat list loaded (give --threat-list FILE)")
    return None


def run(engine_or_store, *, since: datetime | None = None, until: datetime | None = None,
        detectors: Iterable[str] | None = None, params: dict[str, dict] | None = None, store: bool | None = None,
        window: int = WINDOW, at_once: int = AT_ONCE,
        finished: Callable[[DetectorStatus], None] | None = None) -> DetectReport:
    """Run the chosen detections (all by default) over the records in [since, until) on any engine.

    `engine_or_store` is a Store, a DuckDB connection or a vpcflow engine (Spark's too). `params` overrides
    defaults per detection: {"ssh-brute-force": {"min_attempts": 50}}. On the store the findings are upserted
    into its `findings` table (`store=False` keeps them out); another engine only returns them.
    On DuckDB `at_once` detections run at a time, each on a cursor of its own (vpcflow.engines.concurrent);
    the report is the same as one after another's. `finished(status)` follows the run in the caller's thread,
    as each detection finishes. Ctrl-C stops every running query; findings are stored only after all ran.
    """
    engine = as_engine(engine_or_store)
    on_store = engine.dialect == "duckdb"
    if store and not on_store:
        raise VpcFlowError(f"findings found on {engine.name} cannot be stored", hint="only the store keeps findings")
    chosen = select(detectors)
    lo = int(since.timestamp()) if since else 0
    hi = int(until.timestamp()) if until else FAR_FUTURE
    presence = _field_presence(engine, lo, hi, {f for d in chosen for f in d.needs + d.uses})
    threat_entries = run_sql(engine, "SELECT count(*) AS n FROM threat_list").to_pylist()[0]["n"]
    window_params = {"since": lo, "until": hi, "window": window}
    report = DetectReport()
    run_at = datetime.now(UTC)
    queries = {d.id: get_query(d.id) for d in chosen}
    refused = {d.id: _status(d, presence, threat_entries) for d in chosen}
    runnable = [d for d in chosen if refused[d.id] is None]

    def job(d: Detection) -> Callable:
        q = queries[d.id]
        given = {**(params or {}).get(d.id, {}), **{k: v for k, v in window_params.items() if k in q.defaults}}

        def rows(on) -> tuple[list[dict], float]:
            started = time.perf_counter()
            found = run_query(on, q, given).to_pylist()
            return found, time.perf_counter() - started
        return rows

    def status(d: Detection, found: int) -> DetectorStatus:
        lacking = [f for f in d.uses if not presence.get(f)]
        note = (d.degraded_note or "records lack " + ", ".join(lacking)) if lacking else ""
        return DetectorStatus(d.id, "degraded" if lacking else "ok", found, note)

    for d in chosen:
        if refused[d.id] and finished is not None:
            finished(refused[d.id])
    started = time.perf_counter()
    with materialized(engine, {t for q in queries.values() for t in q.tables}, window_params):
        report.seconds[SHARED] = time.perf_counter() - started
        results = each(engine, [job(d) for d in runnable], at_once=at_once,
                       finished=None if finished is None else lambda i, r: finished(status(runnable[i], len(r[0]))))
    ran = dict(zip((d.id for d in runnable), results, strict=True))
    for d in chosen:
        if refused[d.id]:
            report.statuses.append(refused[d.id])
            continue
        rows, report.seconds[d.id] = ran[d.id]
        report.findings.extend(_finding(d, r) for r in rows)
        report.statuses.append(status(d, len(rows)))
    if on_store and store is not False:
        save(engine.con, report.findings, run_at)
    return report


def _time(value) -> datetime:
    return datetime.fromtimestamp(int(value), UTC)


def _finding(d: Detection, row: dict) -> Finding:
    first, last = int(row["first_seen"]), int(row["last_seen"])
    dst_port = None if row["dst_port"] is None else int(row["dst_port"])
    protocol = None if row["protocol"] is None else int(row["protocol"])
    shown = {k: ("many" if v is None and k in ("src", "dst") else v) for k, v in row.items()}
    try:
        summary = d.summary.format(**shown)
    except (KeyError, ValueError, TypeError):
        summary = f"{d.title}: {shown}"
    evidence_params = {"first_seen": first, "last_seen": last, "src": row["src"], "dst": row["dst"],
                       "dst_port": dst_port, "protocol": protocol, "limit": 10000}
    return Finding(finding_id(d.id, row["src"], row["dst"], dst_port, protocol, first), d.id, d.severity_of(row),
                   row["src"], row["dst"], dst_port, protocol, _time(first), _time(last), int(row["records"]),
                   summary, EVIDENCE_SQL, evidence_params)


FINDING_COLUMNS = ("id", "detector", "severity", "src", "dst", "dst_port", "protocol", "first_seen", "last_seen",
                   "records", "summary", "evidence_sql", "evidence_params")
UPSERT = """INSERT INTO findings (id, detector, severity, src, dst, dst_port, protocol, first_seen, last_seen, records,
                      summary, evidence_sql, evidence_params, status, run_at)
SELECT id, detector, severity, src, dst, dst_port, protocol, first_seen, last_seen, records, summary, evidence_sql,
       CAST(evidence_params AS JSON), 'new', $run_at
FROM new_findings
ON CONFLICT (id) DO UPDATE SET last_seen = excluded.last_seen, records = excluded.records,
  summary = excluded.summary, evidence_sql = excluded.evidence_sql, evidence_params = excluded.evidence_params,
  run_at = excluded.run_at"""


def save(con, findings: list[Finding], run_at: datetime) -> None:
    """Upsert in one statement: a re-run updates a finding's counts and times and keeps its review status."""
    ensure_tables(con)
    if not findings:
        return
    findings = list({f.id: f for f in findings}.values())  # one row per id: an upsert may not touch a row twice
    columns = {c: [getattr(f, c) for f in findings] for c in FINDING_COLUMNS}
    columns["evidence_params"] = [json.dumps(p) for p in columns["evidence_params"]]
    schema = pa.schema([("id", pa.string()), ("detector", pa.string()), ("severity", pa.string()),
                        ("src", pa.string()), ("dst", pa.string()), ("dst_port", pa.int32()),
                        ("protocol", pa.int32()), ("first_seen", pa.timestamp("us", tz="UTC")),
                        ("last_seen", pa.timestamp("us", tz="UTC")), ("records", pa.int64()),
                        ("summary", pa.string()), ("evidence_sql", pa.string()), ("evidence_params", pa.string())])
    new_findings = pa.Table.from_pydict(columns, schema=schema)
    con.register("new_findings", new_findings)
    try:
        execute(con, UPSERT, {"run_at": run_at})
    finally:
        con.unregister("new_findings")


def evidence(con, finding_id: str):
    """The records behind a finding, as an Arrow table."""
    row = con.execute("SELECT evidence_sql, evidence_params FROM findings WHERE id = ?", [finding_id]).fetchall()[0]
    if row is None:
        raise VpcFlowError(f"no finding {finding_id!r}", hint="vpcflow detect lists findings and their ids")
    params = json.loads(row[1]) if isinstance(row[1], str) else row[1]
    return arrow(con, row[0], bound(row[0], params))


def set_status(con, finding_id: str, status: str) -> None:
    """Mark a finding new, reviewed or dismissed."""
    if status not in STATUSES:
        raise VpcFlowError(f"unknown status {status!r}", hint="use one of " + ", ".join(STATUSES))
    ensure_tables(con)
    if con.execute("SELECT count(*) FROM findings WHERE id = ?", [finding_id]).fetchall()[0][0] == 0:
        raise VpcFlowError(f"no finding {finding_id!r}", hint="vpcflow detect lists findings and their ids")
    execute(con, "UPDATE findings SET status = ? WHERE id = ?", [status, finding_id])
