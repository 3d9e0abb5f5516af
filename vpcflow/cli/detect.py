"""`vpcflow detect`, `vpcflow diagnose` and `vpcflow enrich refresh`: thin shells over vpcflow.detect,
vpcflow.diagnose and vpcflow.enrich."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from ..errors import VpcFlowError
from .output import OUTPUT_OPTION, Output, emit, emit_object, err_console
from .scale import ENGINE_OPTION, LAKE_OPTION, RAW_OPTION, SPARK_MASTER_OPTION

DB_OPTION = typer.Option("vpcflow.duckdb", "--db", help="The store (DuckDB file).")
FINDING_COLUMNS = ["id", "detector", "severity", "src", "dst", "dst_port", "first_seen", "last_seen", "records",
                   "summary"]
DIAGNOSE_COLUMNS = ["src", "dst", "dst_port", "protocol", "interface_id", "direction", "verdict", "rule", "records",
                    "first_seen", "last_seen", "fix"]


def _open(db: str):
    from ..store.store import Store

    if not Path(db).exists():
        raise VpcFlowError(f"no store at {db}", hint="ingest something first: vpcflow ingest PATH --db " + db)
    return Store(db)


def _aws_session(region, profile, endpoint_url):
    from ..aws.session import AwsSession, AwsSettings

    return AwsSession(AwsSettings.resolve(os.environ, profile=profile, region=region, endpoint_url=endpoint_url))


def detect_command(
    db: str = DB_OPTION,
    since: str = typer.Option(None, "--since", help="Only records from this time (ISO-8601, date, or 24h ago)."),
    until: str = typer.Option(None, "--until", help="Only records before this time."),
    detector: list[str] = typer.Option(None, "--detector", help="Run only this detection (repeatable)."),
    threat_list: Path = typer.Option(None, "--threat-list", help="IPs/CIDRs or a Tor exit list, for known-bad-peer."),
    topology: str = typer.Option(None, "--topology", help="Emulator scenario/topology: names interfaces (NAT)."),
    list_: bool = typer.Option(False, "--list", help="List the detections and their parameters."),
    show_status: bool = typer.Option(False, "--status", help="Print how each detection ran instead of findings."),
    output: Output = OUTPUT_OPTION,
    engine: str = ENGINE_OPTION,
    lake: str = LAKE_OPTION,
    raw: list[str] = RAW_OPTION,
    master: str = SPARK_MASTER_OPTION,
) -> None:
    """Run detections over the store; print findings (also stored in the findings table).

    With --engine spark the same detections' SQL runs on Spark over a lake or raw flow logs; findings are
    printed, not stored.
    """
    from .. import detect
    from ..timeutil import parse_time

    if engine != "duckdb" and not list_:
        emit([f.as_dict() for f in _detect_on_engine(engine, lake, raw, master, parse_time(since), parse_time(until),
                                                    detector)], output, columns=FINDING_COLUMNS, title="findings")
        return

    if list_:
        emit([{"id": d.id, "severity": d.severity, "title": d.title, "guardduty": d.guardduty, "mitre": d.mitre,
               "needs": ",".join(d.needs), "uses": ",".join(d.uses),
               "params": {k: p.default for k, p in d.params.items()}} for d in detect.detections()], output)
        return
    with _open(db) as store:
        if threat_list is not None:
            detect.load_threat_list(store.con, threat_list)
        if topology is not None:
            from ..network.load import load_topology
            from ..enrich import load_topology_interfaces

            load_topology_interfaces(store.con, load_topology(topology))
        report = detect.run(store.con, since=parse_time(since), until=parse_time(until), detectors=detector or None)
    for s in report.statuses:
        if s.status != "ok":
            err_console.print(f"{s.detector}: {s.status}: {s.note}", highlight=False)
    if show_status:
        emit([vars(s) for s in report.statuses], output)
        return
    emit([f.as_dict() for f in report.findings], output, columns=FINDING_COLUMNS, title="findings")


def _detect_on_engine(engine, lake, raw, master, since, until, detectors):
    """Each chosen detection as a self-contained named query on another engine, turned into findings."""
    from ..detect.engine import _finding
    from ..detect.registry import select
    from ..engines.engine import run_query
    from ..timeutil import epoch
    from .scale import open_engine

    eng, close = open_engine(engine, lake=lake, raw=raw, master=master)
    found = []
    try:
        for d in select(detectors or None):
            window = {k: v for k, v in (("since", epoch(since)), ("until", epoch(until))) if v is not None}
            found += [_finding(d, row) for row in run_query(eng, d.id, window).to_pylist()]
    finally:
        close()
    return found


def diagnose_command(
    db: str = DB_OPTION,
    src: str = typer.Option(None, "--src", help="Only requests from this address."),
    dst: str = typer.Option(None, "--dst", help="Only requests to this address."),
    port: int = typer.Option(None, "--port", help="Only requests to this port."),
    topology: str = typer.Option(None, "--topology", help="Emulator scenario or topology file: names the rule."),
    aws: bool = typer.Option(False, "--aws", help="Describe the real security groups and ACLs through boto3."),
    region: str = typer.Option(None, "--region", help="AWS region (with --aws)."),
    profile: str = typer.Option(None, "--profile", help="AWS profile (with --aws)."),
    endpoint_url: str = typer.Option(None, "--endpoint-url", help="AWS endpoint (with --aws)."),
    output: Output = OUTPUT_OPTION,
    engine: str = ENGINE_OPTION,
    lake: str = LAKE_OPTION,
    raw: list[str] = RAW_OPTION,
    master: str = SPARK_MASTER_OPTION,
) -> None:
    """Which layer rejected traffic, security group or network ACL, which rule, and the fix.

    With --engine spark the pairing queries run on Spark over a lake or raw flow logs; the verdicts are the same.
    """
    from ..diagnose import diagnose

    config = topology
    if aws:
        from ..aws.network import aws_topology

        config = aws_topology(_aws_session(region, profile, endpoint_url))
    if engine != "duckdb":
        from .scale import open_engine

        eng, close = open_engine(engine, lake=lake, raw=raw, master=master)
        try:
            rows = diagnose(eng, src=src, dst=dst, port=port, topology=config)
        finally:
            close()
    else:
        with _open(db) as store:
            rows = diagnose(store.con, src=src, dst=dst, port=port, topology=config)
    emit(rows, output, columns=DIAGNOSE_COLUMNS, title="diagnosis")


def enrich_refresh_command(
    from_: Path = typer.Option(..., "--from", help="AWS's ip-ranges.json, downloaded."),
    db: str = DB_OPTION,
    output: Output = OUTPUT_OPTION,
) -> None:
    """Load a full ip-ranges.json into the store (the shipped subset covers only a few prefixes)."""
    from ..enrich import refresh
    from ..store.store import Store

    with Store(db) as store:
        n = refresh(store.con, from_)
    emit_object({"prefixes": n, "from": str(from_), "db": db}, output, title="ip ranges")


def register(app: typer.Typer) -> None:
    app.command("detect")(detect_command)
    app.command("diagnose")(diagnose_command)
    enrich = typer.Typer(help="Enrichment data: AWS ip ranges.", no_args_is_help=True)
    enrich.command("refresh")(enrich_refresh_command)
    app.add_typer(enrich, name="enrich")
