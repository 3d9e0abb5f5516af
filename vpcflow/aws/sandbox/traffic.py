"""`sandbox traffic`: extra traffic from one sandbox instance to the other, through SSM Run Command.

Requests to the web page (ACCEPT), then a short TCP connect scan of the other instance's ports: the security
group rejects all but 80 (REJECT), and the network ACL denies 23 (a REJECT the ACL made). Nothing leaves the VPC.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import botocore.exceptions

from ...errors import VpcFlowError
from ..errors import aws_call
from ..session import AwsSession
from .inventory import inventory
from .spec import SandboxSpec

SCAN_PORTS = (21, 22, 23, 25, 80, 443, 3306, 3389, 5432, 6379, 8080, 8443)
REQUESTS = 20


def traffic_script(target_ip: str, *, requests: int = REQUESTS, ports: tuple[int, ...] = SCAN_PORTS) -> list[str]:
    """Shell commands for AWS-RunShellScript; bash's /dev/tcp needs no extra package on the image."""
    return [
        f"for i in $(seq {requests}); do curl -s -o /dev/null -m 2 http://{target_ip}/; done",
        f"for p in {' '.join(str(p) for p in ports)}; do "
        f'timeout 1 bash -c "echo > /dev/tcp/{target_ip}/$p" 2>/dev/null && echo open $p || echo closed $p; done',
    ]


@dataclass
class TrafficRun:
    command_id: str
    source: str
    target: str
    target_ip: str
    status: str
    output: str = ""

    def as_dict(self) -> dict[str, Any]:
        return dict(vars(self))


def traffic(session: AwsSession, spec: SandboxSpec, *, wait: bool = True) -> TrafficRun:
    """Send the script to the first running instance, aimed at the second; wait for it unless told not to."""
    running = sorted((i for i in inventory(session, spec).of("instance") if i.state == "running"), key=lambda i: i.id)
    if len(running) < 2:
        raise VpcFlowError(
            f"sandbox {spec.name!r} has {len(running)} running instance(s); traffic needs two",
            location=session.region,
            hint="run `vpcflow aws sandbox up` (or `status` to see what exists)",
        )
    source, target = running[0], running[1]
    ip = target.detail["private_ip"]
    ssm = session.client("ssm")
    with aws_call("ssm:SendCommand", source.id):
        command = ssm.send_command(
            InstanceIds=[source.id],
            DocumentName="AWS-RunShellScript",
            Comment=f"vpcflow sandbox {spec.name}: requests and a port scan to {ip}"[:100],
            Parameters={"commands": traffic_script(ip)},
            TimeoutSeconds=600,
        )["Command"]
    run = TrafficRun(command["CommandId"], source.id, target.id, ip, command.get("Status", "Pending"))
    if not wait:
        return run
    with aws_call("ssm:GetCommandInvocation", source.id):
        try:
            ssm.get_waiter("command_executed").wait(CommandId=run.command_id, InstanceId=source.id)
        except botocore.exceptions.WaiterError as exc:  # the command ran and failed, or never ran
            raise VpcFlowError(
                f"the traffic command {run.command_id} on {source.id} did not succeed: {exc}",
                location=source.id,
                hint="is the SSM agent online? `aws ssm describe-instance-information`",
            ) from exc
        inv = ssm.get_command_invocation(CommandId=run.command_id, InstanceId=source.id)
    run.status, run.output = inv.get("Status", run.status), inv.get("StandardOutputContent", "")
    return run


__all__ = ["SCAN_PORTS", "TrafficRun", "traffic", "traffic_script"]
