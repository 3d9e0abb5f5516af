"""`vpcflow aws plan|apply|destroy|status`: turn flow logs on correctly, see them, turn them off."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ..errors import VpcFlowError
from .common import AwsAccount, takes_aws
from .output import OUTPUT_OPTION, Output, emit, emit_object, err_console

aws_app = typer.Typer(
    name="aws", help="Provision VPC flow logs on AWS: plan, apply, destroy, status.", no_args_is_help=True
)

RESOURCE = typer.Option("--resource", "-r", help="VPC (vpc-...), subnet (subnet-...) or interface (eni-...); repeat.")
DESTINATION = typer.Option(
    "--destination", "-d", help="cloudwatch://LOG_GROUP, s3://BUCKET\\[/PREFIX] or firehose://STREAM_ARN."
)
YES = typer.Option("--yes", "-y", help="Do it without asking.")


def _request(
    resource, destination, traffic_type, interval, format, file_format, hive, per_hour, tag, retention_days, vended_logs
):
    from ..aws.request import make_request

    tags = {}
    for t in tag or []:
        key, sep, value = t.partition("=")
        if not sep or not key:
            raise VpcFlowError(f"tag {t!r} is not KEY=VALUE")
        tags[key] = value
    return make_request(
        resource or [],
        destination,
        traffic_type=traffic_type,
        interval=interval,
        format=format,
        file_format=file_format,
        hive=hive,
        per_hour=per_hour,
        tags=tags,
        retention_days=retention_days,
        vended=vended_logs,
    )


def _show(plan, output: Output, title: str) -> None:
    rows = plan.as_rows()
    if output is Output.json:
        emit_object({"changes": rows, "notes": plan.notes}, output)
    else:
        emit(rows, output, columns=["action", "kind", "name", "detail"], title=title)
        for note in plan.notes:
            err_console.print(f"note: {note}", highlight=False, soft_wrap=True)


def _confirm(yes: bool, what: str) -> None:
    if yes:
        return
    if not sys.stdin.isatty():
        raise VpcFlowError(f"{what} needs confirmation", hint="pass --yes to run without a terminal")
    if not typer.confirm(f"{what}?"):
        raise typer.Abort()


def _report(result, output: Output) -> None:
    if output is Output.json:
        emit_object(
            {
                "done": result.done,
                "flow_log_ids": result.flow_log_ids,
                "failures": result.failures,
                "notes": result.notes,
            },
            output,
        )
    else:
        if result.done:
            emit(result.done, output, columns=["action", "kind", "name", "detail"], title="done")
        for note in result.notes:
            err_console.print(f"note: {note}", highlight=False, soft_wrap=True)
    for f in result.failures:
        err_console.print(f"[red]error:[/red] {f['resource']}: {f['message']}", highlight=False, soft_wrap=True)
    if result.failures:
        raise typer.Exit(1)


def _write(text: str, target: str) -> None:
    if target == "-":
        sys.stdout.write(text)
    else:
        Path(target).write_text(text)
        err_console.print(f"wrote {target}", highlight=False)


TRAFFIC = typer.Option("--traffic-type", help="ALL, ACCEPT or REJECT.")
INTERVAL = typer.Option("--interval", help="Aggregation interval: 60 or 600 seconds.")
FORMAT = typer.Option("--format", help="default, all, v3/v4/v5/v8, a '${field} ...' string, or 'detections'.")
FILE_FORMAT = typer.Option("--file-format", help="S3 only: text or parquet.")
HIVE = typer.Option("--hive", help="S3 only: Hive-compatible prefixes.")
PER_HOUR = typer.Option("--per-hour", help="S3 only: hourly prefixes.")
TAG = typer.Option("--tag", help="KEY=VALUE tag on the flow logs; repeat.")
RETENTION = typer.Option("--retention-days", help="CloudWatch Logs retention of the log group vpcflow creates.")
VENDED = typer.Option("--vended-logs", help="Put the log group under /aws/vendedlogs/.")


@aws_app.command("plan")
@takes_aws
def plan_cmd(
    destination: Annotated[str, DESTINATION],
    resource: Annotated[list[str] | None, RESOURCE] = None,
    traffic_type: Annotated[str, TRAFFIC] = "ALL",
    interval: Annotated[int, INTERVAL] = 600,
    format: Annotated[str | None, FORMAT] = None,
    file_format: Annotated[str, FILE_FORMAT] = "text",
    hive: Annotated[bool, HIVE] = False,
    per_hour: Annotated[bool, PER_HOUR] = False,
    tag: Annotated[list[str] | None, TAG] = None,
    retention_days: Annotated[int, RETENTION] = 90,
    vended_logs: Annotated[bool, VENDED] = False,
    terraform: Annotated[
        str | None,
        typer.Option("--terraform", help="Write Terraform to PATH ('-': stdout) instead of planning against AWS."),
    ] = None,
    cloudformation: Annotated[
        str | None, typer.Option("--cloudformation", help="Write a CloudFormation template to PATH ('-': stdout).")
    ] = None,
    output: Output = OUTPUT_OPTION,
    *,
    account: AwsAccount,
) -> None:
    """Show exactly what `apply` would create or change; nothing is changed."""
    request = _request(
        resource,
        destination,
        traffic_type,
        interval,
        format,
        file_format,
        hive,
        per_hour,
        tag,
        retention_days,
        vended_logs,
    )
    if terraform or cloudformation:
        from ..aws import templates

        if terraform:
            _write(templates.terraform(request), terraform)
        if cloudformation:
            _write(templates.cloudformation(request), cloudformation)
        return
    from ..aws.plan import plan_apply

    _show(plan_apply(account.session(), request), output, "plan")


@aws_app.command("apply")
@takes_aws
def apply_cmd(
    destination: Annotated[str, DESTINATION],
    resource: Annotated[list[str] | None, RESOURCE] = None,
    traffic_type: Annotated[str, TRAFFIC] = "ALL",
    interval: Annotated[int, INTERVAL] = 600,
    format: Annotated[str | None, FORMAT] = None,
    file_format: Annotated[str, FILE_FORMAT] = "text",
    hive: Annotated[bool, HIVE] = False,
    per_hour: Annotated[bool, PER_HOUR] = False,
    tag: Annotated[list[str] | None, TAG] = None,
    retention_days: Annotated[int, RETENTION] = 90,
    vended_logs: Annotated[bool, VENDED] = False,
    yes: Annotated[bool, YES] = False,
    output: Output = OUTPUT_OPTION,
    *,
    account: AwsAccount,
) -> None:
    """Create the role, log group or bucket policy, and flow logs; running it twice changes nothing."""
    from ..aws.apply import apply
    from ..aws.plan import plan_apply, require_no_conflicts

    request = _request(
        resource,
        destination,
        traffic_type,
        interval,
        format,
        file_format,
        hive,
        per_hour,
        tag,
        retention_days,
        vended_logs,
    )
    session = account.session()
    plan = plan_apply(session, request)
    require_no_conflicts(plan)
    if not plan.pending:
        err_console.print("nothing to change: the account already matches", highlight=False)
        if output is Output.json:
            emit_object({"done": [], "flow_log_ids": [], "failures": [], "notes": plan.notes}, output)
        return
    if not yes:
        _show(plan, Output.table, "plan")
    _confirm(yes, f"apply {len(plan.pending)} change(s)")
    _report(apply(session, plan), output)


@aws_app.command("destroy")
@takes_aws
def destroy_cmd(
    destination: Annotated[str, DESTINATION],
    resource: Annotated[list[str] | None, RESOURCE] = None,
    yes: Annotated[bool, YES] = False,
    output: Output = OUTPUT_OPTION,
    *,
    account: AwsAccount,
) -> None:
    """Delete the flow logs, role and policy statements vpcflow created; delivered data stays."""
    from ..aws.apply import destroy
    from ..aws.plan import plan_destroy

    session = account.session()
    plan = plan_destroy(session, resource or [], destination)
    if not plan.pending:
        for note in plan.notes:
            err_console.print(f"note: {note}", highlight=False, soft_wrap=True)
        if output is Output.json:
            emit_object({"done": [], "flow_log_ids": [], "failures": [], "notes": plan.notes}, output)
        return
    if not yes:
        _show(plan, Output.table, "destroy")
    _confirm(yes, f"delete {len(plan.pending)} resource(s)")
    _report(destroy(session, plan), output)


@aws_app.command("status")
@takes_aws
def status_cmd(
    output: Output = OUTPUT_OPTION,
    *,
    account: AwsAccount,
) -> None:
    """The account's flow logs: destination, format, interval, delivery, and which analyses each can feed."""
    from ..aws.status import status

    rows = status(account.session())
    columns = (
        None
        if output is not Output.table
        else [
            "flow_log_id",
            "resource",
            "destination",
            "version",
            "interval",
            "delivery_status",
            "error",
            "analyses_ok",
            "analyses_not",
        ]
    )
    emit(rows, output, columns=columns, title="flow logs")


def register(app: typer.Typer) -> None:
    app.add_typer(aws_app, name="aws")
