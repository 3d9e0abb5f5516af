"""`vpcflow detect`, `vpcflow diagnose` and `vpcflow enrich refresh`: thin shells over vpcflow.detect,
vpcflow.diagnose and vpcflow.enrich."""

from __future__ import annotations

from pathlib import Path

import typer

from ..errors import VpcFlowError
from .common import (
    DB_OPTION,
    SINCE_OPTION,
    UNTIL_OPTION,
    AwsAccount,
    EngineChoice,
    db_path,
    open_store,
    store_window,
    takes_aws,
    takes_engine,
)
from .output import OUTPUT_OPTION, Output, emit, emit_object, err_console

FINDING_COLUMNS = ["id", "detector", "severity", "src", "dst", "dst_port", "first_seen", "last_seen", "records",
                   "summary"]
INCIDENT_COLUMNS = ["subject", "severity", "stages", "findings", "detectors", "first_seen", "last_seen"]
DIAGNOSE_COLUMNS = ["src", "dst", "dst_port", "dst_port_end", "protocol", "interface_id", "direction", "verdict",
                    "rule", "records", "first_seen", "last_seen", "fix"]  # flagged_by is in fix: "no fix: flagged by"


@takes_engine
def detect_command(
    db: str | None = DB_OPTION,
    since: str | None = SINCE_OPTION,
    until: str | None = UNTIL_OPTION,
    detector: list[str] = typer.Option(None, "--detector", help="Run only this detection (repeatable)."),
    threat_list: Path = typer.Option(None, "--threat-list", help="IPs/CIDRs or a Tor exit list, for known-bad-peer."),
    lists: list[str] = typer.Option(None, "--lists", help="A threat list with categories: a CSV with a category "
                                    "column, or CATEGORY=FILE for a plain list (repeatable)."),
    min_severity: str = typer.Option("low", "--min-severity", help="Print findings of this severity and above."),
    suppress_file: Path = typer.Option(None, "--suppress", help="Suppression rules (YAML); default: "
                                       "<store>.suppress.yaml when it exists."),
    incidents: bool = typer.Option(False, "--incidents", help="Print incidents: findings grouped per instance."),
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
    from ..detect.incidents import at_least
    from ..detect.incidents import incidents as group
    from ..detect.model import SEVERITIES
    from ..detect.suppress import beside, load_suppressions, suppress

    if min_severity not in SEVERITIES:
        raise VpcFlowError(f"unknown severity {min_severity!r}", hint="use low, medium or high")
    rules = load_suppressions(suppress_file) if suppress_file is not None else beside(db_path(db))
    if where.engine == "duckdb":
        with _writable_store(db) as store:
            window = store_window(store, since, until)
            seen = window.records(store)
            if threat_list is not None:
                detect.load_threat_list(store.con, threat_list)
            if lists:
                from ..detect.lists import load_lists

                load_lists(store.con, [_list_arg(v) for v in lists], replace=threat_list is None)
            if topology is not None:
                from ..enrich import load_topology_interfaces
                from ..network import load_topology

                load_topology_interfaces(store.con, load_topology(topology))
            report = detect.run(store, since=window.since, until=window.until, detectors=detector or None)
    else:
        if threat_list is not None or topology is not None or lists:  # they load into the store, not the lake
            raise VpcFlowError("--threat-list and --topology load into the store: use them without --engine",
                               hint="run `vpcflow detect --threat-list FILE` on the store")
        eng, close = where.open()
        try:
            window = store_window(eng, since, until)
            seen = window.records(eng)
            report = detect.run(eng, since=window.since, until=window.until, detectors=detector or None)
        finally:
            close()
    window.say_if_empty(seen)
    for s in report.statuses:
        if s.status != "ok" and seen:  # with no records every detection lacks every field: said once above
            err_console.print(f"{s.detector}: {s.status}: {s.note}", highlight=False)
    if show_status:
        emit([vars(s) for s in report.statuses], output)
        return
    shown = suppress(at_least(report.findings, min_severity), rules)
    if shown.hidden:
        err_console.print(f"{sum(shown.hidden.values())} findings suppressed: "
                          + ", ".join(f"{d} {n}" for d, n in shown.hidden.most_common()), highlight=False)
    for r in shown.expired:
        err_console.print(f"suppression for {r.detector} expired on {r.expires}: {r.reason}", highlight=False)
    if incidents:
        emit([i.as_dict() for i in group(shown.kept)], output, columns=INCIDENT_COLUMNS, title="incidents")
        return
    emit([f.as_dict() for f in shown.kept], output, columns=FINDING_COLUMNS, title="findings")


def _list_arg(value: str) -> tuple[Path, str | None]:
    """`CATEGORY=FILE` for a plain list, or `FILE` (a CSV with a category column, or a plain list: custom)."""
    category, sep, path = value.partition("=")
    return (Path(path), category) if sep and not Path(value).exists() else (Path(value), None)


def _writable_store(db: str | None):
    """The store detect writes findings (and loaded enrichment) into; it must exist already."""
    path = db_path(db)
    if not Path(path).exists():
        raise VpcFlowError(f"no store at {path}", hint="ingest something first: vpcflow ingest PATH --db " + path)
    return open_store(db)


@takes_engine
@takes_aws
def diagnose_command(
    db: str | None = DB_OPTION,
    src: str = typer.Option(None, "--src", help="Only requests from this address."),
    dst: str = typer.Option(None, "--dst", help="Only requests to this address."),
    port: int = typer.Option(None, "--port", help="Only requests to this port."),
    topology: str = typer.Option(None, "--topology", help="Emulator scenario or topology file: names the rule."),
    aws: bool = typer.Option(False, "--aws", help="Describe the real security groups and ACLs through boto3 (the "
                             "account of --profile, --region and --endpoint-url)."),
    since: str | None = SINCE_OPTION,
    until: str | None = UNTIL_OPTION,
    output: Output = OUTPUT_OPTION,
    where: EngineChoice = EngineChoice(),
    account: AwsAccount = AwsAccount(),
) -> None:
    """Which layer rejected traffic, security group or network ACL, which rule, and the fix.

    Requests alike but for their port are one row per contiguous port range. The detections run over the same
    records first: traffic they flag (a port scan, brute force) gets no fix, only the detection's name.
    With --engine spark the pairing queries run on Spark over a lake or raw flow logs; the verdicts are the same.
    """
    from ..detect import run as run_detections
    from ..diagnose import diagnose

    config = topology
    if aws:
        from ..aws.network import aws_topology

        config = aws_topology(account.session())
    eng, close = where.open(db)
    try:
        window = store_window(eng, since, until)
        flagged = run_detections(eng, since=window.since, until=window.until, store=False).findings
        rows = diagnose(eng, src=src, dst=dst, port=port, topology=config, flagged=flagged, since=window.since,
                        until=window.until)
        if not rows:
            window.say_if_none_in(eng)
    finally:
        close()
    emit(rows, output, columns=DIAGNOSE_COLUMNS, title="diagnosis")


def enrich_refresh_command(
    from_: Path = typer.Option(None, "--from", help="AWS's ip-ranges.json, downloaded."),
    lists: bool = typer.Option(False, "--lists", help="Fetch the public threat lists (Tor exits, C2) and load them."),
    into: Path = typer.Option(Path("threat-lists"), "--into", help="Where fetched lists are saved."),
    db: str | None = DB_OPTION,
    output: Output = OUTPUT_OPTION,
) -> None:
    """Load a full ip-ranges.json into the store (the shipped subset covers only a few prefixes), or fetch the
    public threat lists (--lists; needs the internet)."""
    from ..enrich import refresh
    from ..enrich.feeds import refresh_lists

    if from_ is None and not lists:
        raise VpcFlowError("nothing to refresh", hint="give --from ip-ranges.json, or --lists")
    with open_store(db) as store:
        result = {"db": db_path(db)}
        if from_ is not None:
            result.update(prefixes=refresh(store.con, from_), source=str(from_))
        if lists:
            result.update({f"list {k}": v for k, v in sorted(refresh_lists(store.con, into).items())})
    emit_object(result, output, title="enrichment")


def register(app: typer.Typer) -> None:
    app.command("detect")(detect_command)
    app.command("diagnose")(diagnose_command)
    enrich = typer.Typer(help="Enrichment data: AWS ip ranges, threat lists.", no_args_is_help=True)
    enrich.command("refresh")(enrich_refresh_command)
    app.add_typer(enrich, name="enrich")
