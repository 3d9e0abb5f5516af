"""`vpcflow lab`: real packets in network namespaces, nftables as security groups and network ACLs."""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path

import typer

from ..errors import VpcFlowError
from .output import OUTPUT_OPTION, Output, emit, emit_object

lab_app = typer.Typer(name="lab", no_args_is_help=True,
                      help="A lab on this machine: namespaces as instances, nftables as SGs and NACLs (root).")

STATE_OPTION = typer.Option(None, "--state-dir", help="Where labs record what they create "
                            "(default: $VPCFLOW_LAB_STATE or /run/vpcflow-lab).")


class Destination(StrEnum):
    cloudwatch = "cloudwatch"
    s3 = "s3"
    firehose = "firehose"


def _state_dir(value: Path | None) -> Path:
    from ..lab import DEFAULT_STATE_DIR

    return Path(value or os.environ.get("VPCFLOW_LAB_STATE") or DEFAULT_STATE_DIR)


def _check() -> None:
    from ..lab import LabError, can_run

    reason = can_run()
    if reason:
        raise LabError(reason, hint="run as root on Linux with iproute2 and nftables installed")


@lab_app.command("up")
def up_command(
    topology: str = typer.Argument(None, help="A lab scenario name, or a YAML file with a topology (emulator format)."),
    state_dir: Path = STATE_OPTION,
    output: Output = OUTPUT_OPTION,
) -> None:
    """Build a lab: a namespace per interface, a router with the network ACLs, the internet, a NAT gateway."""
    from ..lab import up
    from ..lab.scenario import topology_spec

    _check()
    lab = up(topology_spec(topology), _state_dir(state_dir))
    summary = lab.summary()
    emit(summary["interfaces"], output, title=f"lab {summary['lab']} (router {summary['router']}, "
                                              f"internet {summary['internet']})")


@lab_app.command("down")
def down_command(
    lab_id: str = typer.Option(None, "--lab", help="Only this lab (default: every lab recorded)."),
    state_dir: Path = STATE_OPTION,
    output: Output = OUTPUT_OPTION,
) -> None:
    """Remove what the lab created (processes, namespaces), also after a crash. Never touches the host's own."""
    from ..lab import down

    _check()
    removed = down(_state_dir(state_dir), lab_id)
    emit([{"removed": n} for n in removed], output, title="lab down")


@lab_app.command("run")
def run_command(
    scenario: str = typer.Argument(None, help="A built-in lab scenario (see --list) or a scenario YAML file."),
    out: Path = typer.Option(None, "--out", help="Folder for the flow logs (a layout `vpcflow ingest` reads)."),
    window: float = typer.Option(5.0, "--window", help="Capture window in seconds (AWS: 60 or 600)."),
    destination: Destination = typer.Option(Destination.cloudwatch, "--destination", help="cloudwatch, s3 or firehose."),
    log_format: str = typer.Option("default", "--format", help="Log format: default, v3, v5, all or '${...}'."),
    file_format: str = typer.Option("text", "--file-format", help="S3 objects as text or parquet."),
    hive: bool = typer.Option(False, "--hive/--no-hive", help="S3 Hive-compatible partitions."),
    per_hour: bool = typer.Option(False, "--per-hour/--no-per-hour", help="S3 per-hour partitions."),
    keep: bool = typer.Option(False, "--keep", help="Leave the lab up afterwards (remove it with `lab down`)."),
    list_: bool = typer.Option(False, "--list", help="List the built-in lab scenarios and exit."),
    state_dir: Path = STATE_OPTION,
    output: Output = OUTPUT_OPTION,
) -> None:
    """Run a scenario on real packets: servers, curl, ping, nmap; an agent per interface writes the flow logs."""
    from ..lab import builtin_names, load, run

    if list_:
        emit([{"scenario": n, "description": load(n).description} for n in builtin_names()], output)
        return
    if scenario is None or out is None:
        raise VpcFlowError("lab run needs a SCENARIO and --out DIR", hint="run vpcflow lab run --list for names")
    _check()
    flow_log = {"destination": destination.value, "format": log_format, "file_format": file_format,
                "hive": hive, "per_hour": per_hour}
    summary = run(scenario, out, window=window, flow_log=flow_log, state_dir=_state_dir(state_dir), keep=keep)
    if output is Output.json:
        emit_object(summary, output)
        return
    emit([{"interface": i["name"], "interface_id": i["interface_id"], "ip": i["ip"],
           "packets": i.get("agent_packets"), "kernel_drops": i.get("agent_kernel_drops"),
           "counted_packets": sum(c["packets"] for c in i["counted"].values())} for i in summary["interfaces"]],
         output, title=f"lab run {summary['scenario']}: {summary['records']} records in {len(summary['files'])} "
                       f"files under {summary['out']}")


def register(app: typer.Typer) -> None:
    app.add_typer(lab_app, name="lab")
