"""`vpcflow cost`: a thin shell over vpcflow.cost (bytes and USD per group, what-ifs, the flow logs' own bill)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .. import config
from ..cost import BY, DESTINATIONS, cost, flow_log_bill, keep, prices_for, save_flow_paths_view, use_network, what_ifs
from ..errors import StoreError, VpcFlowError
from ..store.store import Store
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
from .output import OUTPUT_OPTION, Output, emit, err_console

BILL_DESTINATIONS = {"cloudwatch": "cloudwatch-logs", "s3": "s3-text", "parquet": "s3-parquet",
                     "firehose": "firehose", **{d: d for d in DESTINATIONS}}


def _ip_ranges(engine) -> list[list]:
    """AWS's ranges: the store's `aws_ip_ranges` (vpcflow enrich refresh) when it has them, else the shipped subset."""
    from ..enrich.ipranges import load_ip_ranges

    if engine.dialect == "duckdb":
        con = engine.con
        if con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'aws_ip_ranges'").fetchall()[0][0]:
            rows = con.execute("SELECT prefix, low, high, region, service, network_border_group FROM aws_ip_ranges")
            rows = [list(r) for r in rows.fetchall()]
            if rows:
                return rows
    return load_ip_ranges()


def _stored_format(engine) -> str | None:
    """The log format most of the store's records arrived in (the ledger keeps each source's)."""
    if engine.dialect != "duckdb":
        return None
    row = engine.con.execute("SELECT format FROM sources WHERE format IS NOT NULL GROUP BY format "
                             "ORDER BY sum(records) DESC LIMIT 1").fetchall()
    return row[0][0] if row else None


@takes_engine
@takes_aws
def cost_command(
    by: Annotated[str, typer.Option("--by", help=f"Group by: {', '.join(BY)}.")] = "path",
    what_if: Annotated[bool, typer.Option("--what-if", help="What gateway endpoints, a NAT gateway per AZ and "
                                          "chatty pairs kept in one AZ would save.")] = False,
    flow_logs: Annotated[bool, typer.Option("--flow-logs", help="The flow logs' own monthly bill per destination, "
                                            "and what a narrower format, a filter or 10-minute interval saves.")] = False,
    destination: Annotated[str, typer.Option("--destination", help="With --flow-logs: where they go now "
                                             "(cloudwatch, s3, parquet, firehose).")] = "cloudwatch",
    log_format: Annotated[str | None, typer.Option("--format", help="With --flow-logs: the flow log's format "
                                                   "(default: the one the store's records arrived in).")] = None,
    interval: Annotated[int, typer.Option("--interval", help="With --flow-logs: the aggregation interval now, "
                                          "60 or 600 seconds.")] = 60,
    topology: Annotated[str | None, typer.Option("--topology", help="A scenario name or topology file: subnets, "
                                                 "AZs, NAT gateways, endpoints, peering.")] = None,
    aws: Annotated[bool, typer.Option("--aws", help="Read subnets and interfaces from the account.")] = False,
    save_view: Annotated[bool, typer.Option("--save-view", help="Keep the view flow_paths (every record with its "
                                            "path and billed) in the store, for `vpcflow query` and Insights.")] = False,
    price_region: Annotated[str | None, typer.Option("--price-region", help="Region of the price table (else "
                                                     "$VPCFLOW_COST_REGION, vpcflow.toml's [cost] region, "
                                                     "us-east-1).")] = None,
    since: str | None = SINCE_OPTION,
    until: str | None = UNTIL_OPTION,
    db: str | None = DB_OPTION,
    output: Output = OUTPUT_OPTION,
    *,
    where: EngineChoice,
    account: AwsAccount,
) -> None:
    """Where the bytes go and what they cost: bytes and USD per path (or interface, AZ, pair, day ...), each
    byte counted once; with --what-if the savings of three changes; with --flow-logs the flow logs' own bill.

    The first run after an ingest sums the new sources per leg in the store, so later runs read the sums."""
    settings = config.load(db=db).cost
    prices = prices_for(price_region or settings.get("region"), settings.get("prices"))
    if destination not in BILL_DESTINATIONS:
        raise VpcFlowError(f"unknown destination {destination!r}", hint=f"use one of {', '.join(BILL_DESTINATIONS)}")
    if save_view:
        with open_store(db) as store:
            save_flow_paths_view(store.con)
    if where.engine == "duckdb" and not flow_logs:
        _keep_sums(db)
    engine, close = where.open(db)
    try:
        window = store_window(engine, since, until)
        start, end = window.since, window.until
        if flow_logs:
            rows = flow_log_bill(engine, log_format=log_format or _stored_format(engine), prices=prices,
                                 destination=BILL_DESTINATIONS[destination], interval=interval,
                                 since=start, until=end)
            emit(rows, output, title=f"flow logs' monthly bill ({prices.region})")
            return
        model = None
        if topology:
            from ..network import load_topology

            model = load_topology(topology)
        elif aws:
            from ..aws.network import aws_topology

            model = aws_topology(account.session())
        use_network(engine, model, _ip_ranges(engine))
        if what_if:
            emit(what_ifs(engine, prices=prices, since=start, until=end), output,
                 title=f"what-ifs ({prices.region} prices)")
            return
        result = cost(engine, by, prices=prices, since=start, until=end)
        emit(result.rows, output, title=f"cost by {by} ({prices.region} prices, USD over the records' period)")
        window.say_if_empty(len(result.rows))
        for note in result.notes():
            err_console.print(f"note: {note}", highlight=False, soft_wrap=True)
    finally:
        close()


def _keep_sums(db: str | None) -> None:
    """Sum the sources not summed yet for `cost` (vpcflow.cost.kept) when the store can be written now; when
    another process has it open, the records answer instead (`vpcflow serve` keeps the sums itself)."""
    path = db_path(db)
    if path == ":memory:" or not Path(path).exists():
        return  # open_engine says there is no store
    try:
        store = Store(path, holder_wait=0)
    except StoreError:
        return
    with store:
        if store.remote:
            return
        added = keep(store)
    if added:
        err_console.print(f"note: summed the records of {added:,} new sources per leg for cost (once per "
                          "source; later runs read the sums)", highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("cost")(cost_command)
