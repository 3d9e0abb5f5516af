"""`sandbox status`: what exists, what it costs an hour, and whether flow-log records are arriving."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ..errors import aws_call
from ..session import AwsSession
from . import pricing
from .inventory import Inventory, inventory
from .spec import SandboxSpec

ARRIVING_WITHIN = dt.timedelta(minutes=10)  # a 60 s flow log delivers every few minutes; 10 allows for delay


@dataclass
class SandboxStatus:
    name: str
    region: str
    inventory: Inventory
    cost: list[pricing.CostLine] = field(default_factory=list)
    last_record_at: dt.datetime | None = None
    records_arriving: bool = False

    @property
    def hourly_usd(self) -> float:
        return pricing.total(self.cost)

    def summary(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "region": self.region,
            "exists": not self.inventory.empty,
            "resources": len(self.inventory.items),
            "running_instances": sum(1 for i in self.inventory.of("instance") if i.state in ("pending", "running")),
            "estimated_usd_per_hour": self.hourly_usd,
            "prices_quoted": pricing.QUOTED,
            "last_record_at": self.last_record_at,
            "records_arriving": self.records_arriving,
        }


def last_record_time(session: AwsSession, log_group: str) -> dt.datetime | None:
    """The newest event time in any stream of the log group (one stream per network interface)."""
    logs = session.client("logs")
    with aws_call("logs:DescribeLogStreams", log_group):
        streams = logs.describe_log_streams(logGroupName=log_group, orderBy="LastEventTime", descending=True, limit=5)[
            "logStreams"
        ]
    stamps = [s.get("lastEventTimestamp") or s.get("lastIngestionTime") for s in streams]
    stamps = [s for s in stamps if s]
    return dt.datetime.fromtimestamp(max(stamps) / 1000, dt.UTC) if stamps else None


def status(session: AwsSession, spec: SandboxSpec, *, now: dt.datetime | None = None) -> SandboxStatus:
    inv = inventory(session, spec)
    live = [i for i in inv.of("instance") if i.state in ("pending", "running")]
    stopped = [i for i in inv.of("instance") if i.state not in ("pending", "running")]
    # a stopped instance pays for its volume only; every instance keeps its public address while running
    cost = pricing.estimate(
        len(live),
        spec.instance_type,
        public_ips=sum(1 for i in live if i.detail.get("public_ip")),
        flow_logs=bool(inv.of("flow-log")),
    )
    if stopped:
        cost += [
            line
            for line in pricing.estimate(len(stopped), spec.instance_type, flow_logs=False)
            if line.item.startswith("gp3")
        ]
    st = SandboxStatus(spec.name, session.region, inv, cost)
    if inv.of("log-group"):
        st.last_record_at = last_record_time(session, spec.log_group)
        now = now or dt.datetime.now(dt.UTC)
        st.records_arriving = st.last_record_at is not None and now - st.last_record_at <= ARRIVING_WITHIN
    return st


__all__ = ["ARRIVING_WITHIN", "SandboxStatus", "last_record_time", "status"]
