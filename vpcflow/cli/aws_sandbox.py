"""`vpcflow aws sandbox up|traffic|status|down` and `vpcflow aws audit`, added to the `aws` sub-app."""

from __future__ import annotations

from typing import Annotated

import typer

from .aws import YES
from .common import AwsAccount, takes_aws, takes_aws_regions
from .output import OUTPUT_OPTION, Output, emit, emit_object, err_console

sandbox_app = typer.Typer(
    name="sandbox",
    help="The tutorials' flow-log environment in one command: a VPC, two web servers, a flow log; then gone.",
    no_args_is_help=True,
)

NAME = typer.Option("--name", help="Sandbox name; every resource is tagged vpcflow:sandbox=NAME.")
SSH_FROM = typer.Option(
    "--ssh-from",
    help="CIDR allowed to SSH in (e.g. 203.0.113.7/32), or 'auto' to ask checkip.amazonaws.com once. "
    "Default: no SSH at all.",
)


def _say(message: str) -> None:
    err_console.print(message, highlight=False, soft_wrap=True)


def _confirm(yes: bool, what: str) -> None:
    import sys

    from ..errors import VpcFlowError

    if yes:
        return
    if not sys.stdin.isatty():
        raise VpcFlowError(f"{what} needs confirmation", hint="pass --yes to run without a terminal")
    if not typer.confirm(f"{what}?"):
        raise typer.Abort()


@sandbox_app.command("up")
@takes_aws
def up_cmd(
    name: Annotated[str, NAME] = "vpcflow-sandbox",
    ssh_from: Annotated[str | None, SSH_FROM] = None,
    cidr: Annotated[str, typer.Option("--cidr", help="The VPC's CIDR; split into two subnets.")] = "10.244.0.0/24",
    instance_type: Annotated[
        str, typer.Option("--instance-type", help="EC2 type of the two web servers.")
    ] = "t3.micro",
    yes: Annotated[bool, YES] = False,
    output: Output = OUTPUT_OPTION,
    *,
    account: AwsAccount,
) -> None:
    """Print the plan and the hourly cost, then build the sandbox (instances run, and cost, until `down`)."""
    from ..aws.sandbox import SandboxSpec, plan_up, resolve_ssh_from, up
    from ..aws.sandbox.pricing import QUOTED

    spec = SandboxSpec(name=name, cidr=cidr, ssh_from=resolve_ssh_from(ssh_from), instance_type=instance_type)
    session = account.session()
    plan = plan_up(session, spec)
    cost = [line.as_row() for line in plan.cost]
    if output is not Output.json:
        emit(
            plan.steps, Output.table, columns=["create", "name", "detail"], title=f"sandbox {name} in {session.region}"
        )
        emit(cost, Output.table, columns=["item", "quantity", "usd_per_hour"], title="estimated cost per hour")
        _say(f"estimate: about ${plan.hourly_usd:.4f} an hour until `vpcflow aws sandbox down` (prices {QUOTED})")
    _confirm(yes, f"create sandbox {name} (about ${plan.hourly_usd:.4f}/hour)")
    result = up(session, plan, _say)
    if output is Output.json:
        emit_object(
            {
                "name": name,
                "region": session.region,
                "plan": plan.steps,
                "cost": cost,
                "estimated_usd_per_hour": plan.hourly_usd,
                "prices_quoted": QUOTED,
                "created": result.resources,
            },
            output,
        )
    else:
        emit(result.as_rows(), output, columns=["kind", "id"], title="created")


@sandbox_app.command("traffic")
@takes_aws
def traffic_cmd(
    name: Annotated[str, NAME] = "vpcflow-sandbox",
    wait: Annotated[bool, typer.Option("--wait/--no-wait", help="Wait for the command to finish.")] = True,
    output: Output = OUTPUT_OPTION,
    *,
    account: AwsAccount,
) -> None:
    """Requests and a short port scan from one sandbox instance to the other (SSM Run Command): REJECTs show up."""
    from ..aws.sandbox import SandboxSpec, traffic

    run = traffic(account.session(), SandboxSpec(name=name), wait=wait)
    emit_object(run.as_dict(), output, title="traffic")


@sandbox_app.command("status")
@takes_aws
def status_cmd(
    name: Annotated[str, NAME] = "vpcflow-sandbox",
    output: Output = OUTPUT_OPTION,
    *,
    account: AwsAccount,
) -> None:
    """What the sandbox has, what it costs an hour, and whether flow-log records are arriving."""
    from ..aws.sandbox import SandboxSpec, status

    st = status(account.session(), SandboxSpec(name=name))
    if output is Output.json:
        emit_object(
            {**st.summary(), "resources": st.inventory.as_rows(), "cost": [line.as_row() for line in st.cost]}, output
        )
        return
    emit(st.inventory.as_rows(), output, columns=["kind", "id", "state"], title=f"sandbox {name}")
    emit_object(st.summary(), output, title="summary")


@sandbox_app.command("down")
@takes_aws
def down_cmd(
    name: Annotated[str, NAME] = "vpcflow-sandbox",
    yes: Annotated[bool, YES] = False,
    output: Output = OUTPUT_OPTION,
    *,
    account: AwsAccount,
) -> None:
    """Delete everything tagged with the sandbox's name, in dependency order; run it again to finish a failed run."""
    from ..aws.sandbox import SandboxSpec, down, inventory

    session, spec = account.session(), SandboxSpec(name=name)
    if not yes:
        inv = inventory(session, spec)
        if not inv.empty:
            emit(inv.as_rows(), Output.table, columns=["kind", "id", "state"], title=f"delete sandbox {name}")
            _confirm(yes, f"delete {len(inv.items)} resource(s) of sandbox {name}")
    result = down(session, spec, _say)
    for note in result.notes:
        _say(f"note: {note}")
    if output is Output.json:
        emit_object({"name": name, "deleted": result.deleted, "notes": result.notes}, output)
    elif result.deleted:
        emit(result.deleted, output, columns=["kind", "id", "outcome"], title="deleted")


@takes_aws_regions("Region to audit; repeat. Default: every enabled region.")
def audit_cmd(
    output: Output = OUTPUT_OPTION,
    *,
    account: AwsAccount,
) -> None:
    """Flow-log coverage of every VPC, subnet and interface, and the gaps with their fixes. Exit 2 on a high gap."""
    from ..aws.audit import audit

    report = audit(account.session(), list(account.regions) or None)
    if output is Output.json:
        emit_object(report.as_dict(), output)
    else:
        columns = ["region", "type", "resource", "covered", "fields", "interval", "destination", "delivery"]
        emit(report.coverage, output, columns=columns, title="flow-log coverage")
        emit(
            [f.as_row() for f in report.sorted_findings()],
            output,
            columns=["severity", "check", "region", "resource", "message", "fix"],
            title="findings",
        )
    if report.has_high:
        raise typer.Exit(2)


def _aws_group(app: typer.Typer) -> typer.Typer:
    for group in app.registered_groups:
        if group.name == "aws" and group.typer_instance is not None:
            return group.typer_instance
    raise RuntimeError("vpcflow.cli.aws_sandbox must come after 'aws' in COMMAND_MODULES")


def register(app: typer.Typer) -> None:
    aws = _aws_group(app)
    aws.add_typer(sandbox_app, name="sandbox")
    aws.command("audit")(audit_cmd)
