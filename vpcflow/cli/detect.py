"""`vpcflow detect`, `vpcflow diagnose` and `vpcflow enrich refresh`: thin shells over vpcflow.detect,
vpcflow.diagnose and vpcflow.enrich."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from ..errors import VpcFlowError
from .common import DB_OPTION, SINCE_OPTION, UNTIL_OPTION, EngineChoice, db_path, open_store, takes_engine, times
from .output import OUTPUT_OPTION, Output, emit, emit_object, err_console

FINDING_COLUMNS = ["id", "detector", "severity", "src", "dst", "dst_port", "first_seen", "last_seen", "records",
                   "summary"]
DIAGNOSE_COLUMNS = ["src", "dst", "dst_port", "protocol", "interface_id", "direction", "verdict", "rule", "records",
                    "first_seen", "last_seen", "fix"]


def _aws_session(region, profile, endpoint_url):
    from ..aws.session import AwsSession, AwsSettings

    return AwsSession(AwsSettings.resolve(os.environ, profile=profile, region=region, endpoint_url=endpoint_url))


@takes_engine
def detect_command(
    db: str | None = DB_OPTION,
    since: str | None = SINCE_OPTION,
    until: str | None = UNTIL_OPTION,
    detector: list[str] = typer.Option(None, "--detector", help="Run only this detection (repeatable)."),
    threat_list: Path = typer.Option(None, "--threat-list", help="IPs/CIDRs or a Tor exit list, for known-bad-peer."),
    topology: str = typer.Option(None, "--topology", help="Emulator scenario/topology: names interfaces (NAT)."),
    list_: bool = typer.Option(False, "--list", help="List the detections and their parameters."),
    show_status: bool = typer.Option(False, "--status", help="Print how each detection ran instead of findings."),
    output: Output = OUTPUT_OPTION,
    where: EngineChoice = EngineChoice(),
) -> None:
    """Run detections over the store; print findings (also stored in the findings table).

    With --engine spark the same detections run on Spark over a lake or raw flow logs, with the same statuses;
    findings are printed, not stored.
    """
    from .. import detect

    if list_:
        emit([{"id": d.id, "severity": d.severity, "title": d.title, "guardduty": d.guardduty, "mitre": d.mitre,
               "needs": ",".join(d.needs), "uses": ",".join(d.uses),
               "params": {k: p.default for k, p in d.params.items()}} for d in detect.detections()], output)
        return
    start, end = times(since, until)
    if where.engine == "duckdb":
        with _writable_store(db) as store:
            if threat_list is not None:
                detect.load_threat_list(store.con, threat_list)
            if topology is not None:
                from ..enrich import load_topology_interfaces
                from ..network import load_topology

                load_topology_interfaces(store.con, load_topology(topology))
            report = detect.run(store, since=start, until=end, detectors=detector or None)
    else:
        if threat_list is not None or topology is not None:  # both load tables into the store, not the lake
            raise VpcFlowError("--threat-list and --topology load into the store: use them without --engine",
                               hint="run `vpcflow detect --threat-list FILE` on the store")
        eng, close = where.open()
        try:
            report = detect.run(eng, since=start, until=end, detectors=detector or None)
        finally:
            close()
    for s in report.statuses:
        if s.status != "ok":
            err_console.print(f"{s.detector}: {s.status}: {s.note}", highlight=False)
    if show_status:
        emit([vars(s) for s in report.statuses], output)
        return
    emit([f.as_dict() for f in report.findings], output, columns=FINDING_COLUMNS, title="findings")


def _writable_store(db: str | None):
    """The store detect writes findings (and loaded enrichment) into; it must exist already."""
    path = db_path(db)
    if not Path(path).exists():
        raise VpcFlowError(f"no store at {path}", hint="ingest something first: vpcflow ingest PATH --db " + path)
    return open_store(db)


@takes_engine
def diagnose_command(
    db: str | None = DB_OPTION,
    src: str = typer.Option(None, "--src", help="Only requests from this address."),
    dst: str = typer.Option(None, "--dst", help="Only requests to this address."),
    port: int = typer.Option(None, "--port", help="Only requests to this port."),
    topology: str = typer.Option(None, "--topology", help="Emulator scenario or topology file: names the rule."),
    aws: bool = typer.Option(False, "--aws", help="Describe the real security groups and ACLs through boto3."),
    region: str = typer.Option(None, "--region", help="AWS region (with --aws)."),
    profile: str = typer.Option(None, "--profile", help="AWS profile (with --aws)."),
    endpoint_url: str = typer.Option(None, "--endpoint-url", help="AWS endpoint (with --aws)."),
    output: Output = OUTPUT_OPTION,
    where: EngineChoice = EngineChoice(),
) -> None:
    """Which layer rejected traffic, security group or network ACL, which rule, and the fix.

    With --engine spark the pairing queries run on Spark over a lake or raw flow logs; the verdicts are the same.
    """
    from ..diagnose import diagnose

    config = topology
    if aws:
        from ..aws.network import aws_topology

        config = aws_topology(_aws_session(region, profile, endpoint_url))
    eng, close = where.open(db)
    try:
        rows = diagnose(eng, src=src, dst=dst, port=port, topology=config)
    finally:
        close()
    emit(rows, output, columns=DIAGNOSE_COLUMNS, title="diagnosis")


def enrich_refresh_command(
    from_: Path = typer.Option(..., "--from", help="AWS's ip-ranges.json, downloaded."),
    db: str | None = DB_OPTION,
    output: Output = OUTPUT_OPTION,
) -> None:
    """Load a full ip-ranges.json into the store (the shipped subset covers only a few prefixes)."""
    from ..enrich import refresh

    with open_store(db) as store:
        n = refresh(store.con, from_)
    emit_object({"prefixes": n, "from": str(from_), "db": db_path(db)}, output, title="ip ranges")


def register(app: typer.Typer) -> None:
    app.command("detect")(detect_command)
    app.command("diagnose")(diagnose_command)
    enrich = typer.Typer(help="Enrichment data: AWS ip ranges.", no_args_is_help=True)
    enrich.command("refresh")(enrich_refresh_command)
    app.add_typer(enrich, name="enrich")
