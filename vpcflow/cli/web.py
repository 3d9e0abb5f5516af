"""`vpcflow serve` (the dashboard) and `vpcflow report --html` (one self-contained file)."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated

import typer

from ..errors import VpcFlowError
from .common import DB_OPTION, SINCE_OPTION, UNTIL_OPTION, db_path, open_store
from .output import console

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
TOPOLOGY_OPTION = typer.Option(None, "--topology", help="An emulator scenario name or file describing the VPC, so "
                               "diagnoses name the security group or network ACL rule and the fix.")


def serve(
    db: str | None = DB_OPTION,
    host: Annotated[str, typer.Option("--host", help="Address to listen on. Anything but loopback needs a token.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    token: Annotated[str | None, typer.Option("--token", envvar="VPCFLOW_TOKEN",
                                              help="Token every request must carry (default: generated when --host is not loopback).")] = None,
    row_limit: Annotated[int, typer.Option("--row-limit", help="Most rows the query page returns.")] = 10_000,
    time_limit: Annotated[float, typer.Option("--time-limit", help="Seconds before a query-page query is stopped.")] = 10.0,
    topology: str | None = TOPOLOGY_OPTION,
) -> None:
    """Serve the dashboard over a store opened read-only: overview, interfaces, findings, diagnose, graph, query."""
    import uvicorn

    from ..web.app import create_app

    if host not in LOOPBACK and not token:
        token = secrets.token_urlsafe(24)
    app = create_app(db_path(db), token=token, row_limit=row_limit, time_limit=time_limit, topology=topology)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/" + (f"?token={token}" if token else "")
    console.print(f"vpcflow dashboard on {url}  (store {db_path(db)}, read-only; Ctrl-C stops)", highlight=False, soft_wrap=True)
    if token:
        console.print(f"token: {token}  (send it as Authorization: Bearer TOKEN, or open the URL above)", highlight=False)
    uvicorn.run(app, host=host, port=port, log_level="warning")


def report(
    html: Annotated[Path, typer.Option("--html", help="Write the report to this HTML file.")] = None,
    db: str | None = DB_OPTION,
    since: str | None = SINCE_OPTION,
    until: str | None = UNTIL_OPTION,
    topology: str | None = TOPOLOGY_OPTION,
) -> None:
    """Write one self-contained HTML report (overview, top talkers, rejects, findings, diagnoses) that opens offline."""
    from ..report.html import write_report
    from ..report.overview import Window, latest

    if html is None:
        raise VpcFlowError("report needs --html FILE", hint="for example: vpcflow report --html flows.html")
    with open_store(db, read_only=True) as store:
        window = Window.parse(since, until, latest(store.con))
        path = write_report(store.con, html, since=window.since, until=window.until, store_path=store.path,
                            topology=topology)
    console.print(f"wrote {path} ({path.stat().st_size:,} bytes)", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.command("report")(report)
