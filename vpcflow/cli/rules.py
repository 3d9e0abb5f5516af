"""vpcflow rules audit|suggest|check|encryption: the access rules against the traffic in the store."""

from __future__ import annotations

from collections import defaultdict

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from .common import (
    DB_OPTION,
    SINCE_OPTION,
    UNTIL_OPTION,
    AwsAccount,
    EngineChoice,
    store_window,
    takes_aws,
    takes_engine,
)
from .output import OUTPUT_OPTION, Output, console, emit, emit_object, err_console

TOPOLOGY_OPTION = typer.Option(None, "--topology", help="Emulator scenario name or topology/scenario YAML file.")
AWS_OPTION = typer.Option(False, "--aws", help="Read the account's groups, ACLs, interfaces and prefix lists.")
MAX_CIDRS_OPTION = typer.Option(5, "--max-cidrs", help="Narrow a rule only to at most this many prefixes.")
MAX_PREFIX_OPTION = typer.Option(24, "--max-prefix", help="No suggested IPv4 prefix wider than this (/24 default).")
MAX_PREFIX6_OPTION = typer.Option(48, "--max-prefix6", help="No suggested IPv6 prefix wider than this (/48 default).")
BAR = 8  # characters of a group's busiest rule's usage bar


def _model(topology: str | None, aws: bool, account: AwsAccount):
    from ..errors import VpcFlowError

    if aws == (topology is not None):
        raise VpcFlowError("say where the rules come from", hint="give --aws or --topology SCENARIO|FILE (one)")
    if aws:
        from ..aws.network import aws_topology

        return aws_topology(account.session())
    from ..network import load_topology

    return load_topology(topology)


def _traffic(where: EngineChoice, db, model, since, until, proposed=None) -> list[dict]:
    """The window's rule-usage rows from the store, or from Spark with --engine spark."""
    from .. import rules

    engine, close = where.open(db)
    try:
        window = store_window(engine, since, until)
        rows = rules.traffic(engine, model, window.since, window.until, proposed=proposed)
    finally:
        close()
    window.say_if_empty(len(rows))
    return rows


def _audit(where, db, topology, aws, account, since, until, limits: dict):
    from .. import rules

    model = _model(topology, aws, account)
    return rules.judge(model, _traffic(where, db, model, since, until), **limits)


def _notes(result) -> None:
    for n in result.notes:
        err_console.print(f"note: {n['where']}: {n['note']} ({n['flows']} flows)", highlight=False, soft_wrap=True)


def audit_command(db: str | None = DB_OPTION, topology: str = TOPOLOGY_OPTION, aws: bool = AWS_OPTION,
                  since: str = SINCE_OPTION, until: str = UNTIL_OPTION, max_cidrs: int = MAX_CIDRS_OPTION,
                  max_prefix: int = MAX_PREFIX_OPTION, max_prefix6: int = MAX_PREFIX6_OPTION,
                  output: Output = OUTPUT_OPTION, where: EngineChoice = None, account: AwsAccount = None) -> None:
    """One row per security-group rule and network-ACL entry: the traffic that used it, and its status."""
    from ..rules import COLUMNS

    limits = {"max_cidrs": max_cidrs, "max_prefix": max_prefix, "max_prefix6": max_prefix6}
    result = _audit(where, db, topology, aws, account, since, until, limits)
    _notes(result)
    if output == Output.table:
        _table(result.rows)
        return
    emit(result.rows, output, columns=COLUMNS, title="rules")


# (header, row key, wraps): ids, statuses and numbers stay whole; the peer and the suggestion wrap
TABLE_COLUMNS = (("rule", "rule", False), ("dir", "direction", False), ("proto", "protocol", False),
                 ("ports", "ports", False), ("peer", "peer", True), ("action", "action", False),
                 ("flows", "flows", False), ("usage", None, False), ("status", "status", False),
                 ("suggest", "suggest", True))


def _table(rows: list[dict]) -> None:
    """Rows grouped by security group and ACL, each with a bar of its share of the group's flows."""
    grouped: dict[tuple, list[dict]] = defaultdict(list)
    for r in rows:
        grouped[(r["kind"], r["id"])].append(r)
    for (kind, owner), items in grouped.items():
        most = max((r["flows"] for r in items), default=0) or 1
        table = Table(title=f"{kind} {owner}", title_justify="left", box=box.SIMPLE_HEAD)
        for header, _, wraps in TABLE_COLUMNS:
            table.add_column(header, justify="right" if header == "flows" else "left", no_wrap=not wraps,
                             overflow="fold" if wraps else "ellipsis", min_width=20 if wraps else None)
        for r in items:
            bar = "█" * max(round(BAR * r["flows"] / most), 1 if r["flows"] else 0)  # any use shows
            table.add_row(*(Text(bar if key is None else "in" if r[key] == "inbound" else "out"
                                 if r[key] == "outbound" else str(r[key])) for _, key, _ in TABLE_COLUMNS))
        console.print(table)


def suggest_command(db: str | None = DB_OPTION, topology: str = TOPOLOGY_OPTION, aws: bool = AWS_OPTION,
                    since: str = SINCE_OPTION, until: str = UNTIL_OPTION, max_cidrs: int = MAX_CIDRS_OPTION,
                    max_prefix: int = MAX_PREFIX_OPTION, max_prefix6: int = MAX_PREFIX6_OPTION,
                    terraform: bool = typer.Option(False, "--terraform", help="The change as Terraform resources."),
                    cloudformation: bool = typer.Option(False, "--cloudformation",
                                                        help="The change as a CloudFormation template."),
                    aws_cli: bool = typer.Option(False, "--aws-cli", help="The change as AWS CLI commands."),
                    output: Output = OUTPUT_OPTION, where: EngineChoice = None, account: AwsAccount = None) -> None:
    """The least-privilege rule set the window's traffic needs (JSON rows to edit), or the change to apply."""
    from .. import rules
    from ..errors import VpcFlowError

    chosen = [f for f, on in (("terraform", terraform), ("cloudformation", cloudformation), ("aws-cli", aws_cli))
              if on]
    if len(chosen) > 1:
        raise VpcFlowError("choose one of --terraform, --cloudformation, --aws-cli")
    limits = {"max_cidrs": max_cidrs, "max_prefix": max_prefix, "max_prefix6": max_prefix6}
    result = _audit(where, db, topology, aws, account, since, until, limits)
    _notes(result)
    proposal = rules.suggest(result)
    if chosen:
        typer.echo(rules.render(result, proposal, chosen[0]), nl=False)
        return
    emit(proposal, Output.json if output == Output.table else output,
         columns=("kind", "id", "rule", "direction", "protocol", "ports", "peer", "action"), title="proposal")


def check_command(proposed: str = typer.Option(..., "--proposed", help="The proposal: JSON rows, as suggest prints."),
                  db: str | None = DB_OPTION, topology: str = TOPOLOGY_OPTION, aws: bool = AWS_OPTION,
                  since: str = SINCE_OPTION, until: str = UNTIL_OPTION, output: Output = OUTPUT_OPTION,
                  where: EngineChoice = None, account: AwsAccount = None) -> None:
    """Replay the window's records against proposed rules: what would newly be rejected or accepted."""
    from .. import rules

    rows = rules.load_proposal(proposed)  # a bad file fails before any work is printed
    model = _model(topology, aws, account)
    changed = rules.proposed_topology(model, rows, proposed)
    result = rules.check(model, changed, _traffic(where, db, model, since, until, proposed=changed))
    if output == Output.json or output == Output.table:
        emit_object(result, Output.json)
        return
    emit([{"change": k} | item for k in ("newly_rejected", "newly_accepted") for item in result[k]], output)


def encryption_command(db: str | None = DB_OPTION, topology: str = TOPOLOGY_OPTION, aws: bool = AWS_OPTION,
                       since: str = SINCE_OPTION, until: str = UNTIL_OPTION, output: Output = OUTPUT_OPTION,
                       where: EngineChoice = None, account: AwsAccount = None) -> None:
    """Encryption-controls readiness: flows the platform did not encrypt, and what enforce mode would block."""
    from .. import rules
    from ..rules.encryption import COLUMNS

    model = _model(topology, aws, account)
    emit(rules.encryption(model, _traffic(where, db, model, since, until)), output, columns=COLUMNS,
         title="encryption readiness")


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Which access rules traffic used; least-privilege proposals; a replay.",
                        no_args_is_help=True)
    for name, command in (("audit", audit_command), ("suggest", suggest_command), ("check", check_command),
                          ("encryption", encryption_command)):
        group.command(name)(takes_engine(takes_aws(command)))
    app.add_typer(group, name="rules")
