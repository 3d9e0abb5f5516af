"""`vpcflow serve` (the dashboard) and `vpcflow report --html` (one self-contained file)."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated

import typer

from .. import config
from ..errors import VpcFlowError
from ..timeutil import iso
from .common import (
    DB_OPTION,
    FORMAT_OPTION,
    SINCE_OPTION,
    UNTIL_OPTION,
    AwsAccount,
    db_path,
    open_store,
    store_window,
    takes_aws,
)
from .output import OUTPUT_OPTION, Output, console, emit_object

WILDCARD = {"0.0.0.0", "::", ""}  # every address: the names it is reached by come from --allow-host
TOPOLOGY_OPTION = typer.Option(None, "--topology", help="An emulator scenario name or file describing the VPC, so "
                               "diagnoses name the security group or network ACL rule and the fix.")


@takes_aws
def serve(
    db: str | None = DB_OPTION,
    host: Annotated[str, typer.Option("--host", help="Address to listen on. Anything but loopback needs a token.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    allow_host: Annotated[list[str] | None, typer.Option(
        "--allow-host", help="A Host name the dashboard is reached by, besides loopback names and the --host "
        "address (repeatable; VPCFLOW_ALLOW_HOST, or [serve] allow_host in vpcflow.toml). Any other is refused, "
        "token or not, against DNS rebinding.")] = None,
    token: Annotated[str | None, typer.Option("--token", envvar="VPCFLOW_TOKEN",
                                              help="Token every request must carry (default: generated when --host is "
                                              "not loopback; an empty token is generated too, never 'no token').")] = None,
    row_limit: Annotated[int, typer.Option("--row-limit", help="Most rows the query page returns.")] = 10_000,
    byte_limit: Annotated[int, typer.Option("--byte-limit", help="Most bytes of data (Arrow) the query page returns; "
                                            "past it the answer is cut short and says so.")] = 16 * 2**20,
    time_limit: Annotated[float, typer.Option("--time-limit", help="Seconds before a query-page query is stopped.")] = 10.0,
    topology: str | None = TOPOLOGY_OPTION,
    follow: Annotated[list[str] | None, typer.Option(
        "--follow", help="Follow a directory, s3://BUCKET/PREFIX or cwl://LOG_GROUP[/STREAM]: store each new "
        "delivery once, run the detections and the rules' alarms on it (repeatable).")] = None,
    rules: Annotated[str | None, typer.Option("--rules", help="Alarms and notifiers for what is followed (as for watch).")] = None,
    poll: Annotated[float, typer.Option("--poll", help="Seconds between looks for new deliveries.")] = 1.0,
    settle: Annotated[float, typer.Option("--settle", help="Leave files modified within this many seconds for later "
                                          "(a file still being written is not read half).")] = 1.0,
    detect_every: Annotated[float, typer.Option("--detect-every", help="Most often, in seconds, the detections run "
                                                "on what arrived.")] = 10.0,
    since: str | None = SINCE_OPTION,
    log_format: str | None = FORMAT_OPTION,
    *,
    account: AwsAccount,
) -> None:
    """Serve the dashboard, holding the store: other vpcflow commands read and ingest through this process.

    With --follow it also takes in each new delivery, runs the detections and alarms on it, and the pages update
    by themselves. When another process holds the store already, the dashboard reads through it.
    No --output: it prints only its URL and token; its data is the JSON API under /api/.
    """
    import uvicorn

    from ..store.holder import live_holder
    from ..web.app import LOOPBACK_HOSTS, create_app

    if token == "" or (token is None and host not in LOOPBACK_HOSTS):  # an empty token would let anyone in
        token = secrets.token_urlsafe(24)
    hosts = list(config.load(allow_host=tuple(allow_host) if allow_host else None).allow_host)
    if host not in WILDCARD:  # the address it listens on is a name it is reached by
        hosts.append(host)
    path = db_path(db)
    held = live_holder(path)
    live = None
    if held is not None:
        if follow:
            raise VpcFlowError(f"{path} is held by another process (pid {held.pid}): it alone can follow sources",
                               hint="add --follow to that process, or stop it first")
        app = create_app(path, token=token, row_limit=row_limit, time_limit=time_limit, byte_limit=byte_limit,
                         topology=topology, allowed_hosts=hosts)
        how = f"through pid {held.pid}, which holds it"
    else:
        live = _hold(path, follow or [], rules, poll, settle, detect_every, since, log_format, account)
        app = create_app(path, token=token, row_limit=row_limit, time_limit=time_limit, byte_limit=byte_limit,
                         topology=topology, reader=live.server.reader, live=live, allowed_hosts=hosts)
        how = "held: other vpcflow commands go through this process" + \
            (f"; following {len(live.watchers)} source(s)" if live.watchers else "")
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/" + (f"?token={token}" if token else "")
    console.print(f"vpcflow dashboard on {url}  (store {path}, {how}; Ctrl-C stops)", highlight=False, soft_wrap=True)
    if token:
        console.print(f"token: {token}  (send it as Authorization: Bearer TOKEN, or open the URL above)", highlight=False)
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning")
    finally:
        if live is not None:
            live.close()


def _hold(path: str, follow: list[str], rules: str | None, poll: float, settle: float, detect_every: float,
          since: str | None, log_format: str | None, account: AwsAccount):
    from ..alert.follow import follower_for
    from ..alert.rules import load_rules
    from ..fields import LogFormat
    from ..live import Live
    from ..timeutil import parse_time

    fmt = LogFormat.parse(log_format) if log_format else None
    followers = [follower_for(f, session_factory=account.session, settle=settle, format=fmt,
                              since=parse_time(since)) for f in follow]
    return Live(path, followers, load_rules(rules) if rules else None,
                rules_base=Path(rules).resolve().parent if rules else None, format=fmt, poll=poll,
                detect_every=detect_every)


def report(
    html: Annotated[Path, typer.Option("--html", help="Write the report to this HTML file.")] = None,
    db: str | None = DB_OPTION,
    since: str | None = SINCE_OPTION,
    until: str | None = UNTIL_OPTION,
    topology: str | None = TOPOLOGY_OPTION,
    output: Output = OUTPUT_OPTION,
) -> None:
    """Write one self-contained HTML report (overview, top talkers, rejects, findings, diagnoses) that opens offline;
    print what it holds (path, bytes, the window, records, findings)."""
    from ..report.findings import has_table
    from ..report.html import write_report

    if html is None:
        raise VpcFlowError("report needs --html FILE", hint="for example: vpcflow report --html flows.html")
    with open_store(db, read_only=True) as store:
        window = store_window(store, since, until)
        path = write_report(store.con, html, since=window.since, until=window.until, store_path=store.path,
                            topology=topology)
        records = window.records(store)
        findings = store.con.execute(
            "SELECT count(*) FROM findings WHERE last_seen >= coalesce(?, last_seen) AND "
            "first_seen < coalesce(?, first_seen + INTERVAL 1 SECOND)", [window.since, window.until],
        ).fetchall()[0][0] if has_table(store.con, "findings") else None
    emit_object({"path": str(path), "bytes": path.stat().st_size, "since": iso(window.since),
                 "until": iso(window.until), "records": records, "findings": findings}, output, title="report")
    window.say_if_empty(records)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.command("report")(report)
