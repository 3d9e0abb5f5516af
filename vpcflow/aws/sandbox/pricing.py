"""An estimate of what a sandbox costs per hour, from a small table of AWS list prices.

Estimates only: on-demand list prices for us-east-1 as AWS published them (QUOTED); other regions cost somewhat
more, free-tier hours are not subtracted, and taxes are not included. Check https://aws.amazon.com/pricing/.
"""

from __future__ import annotations

from dataclasses import dataclass

QUOTED = "2024-06 (us-east-1 on-demand list prices)"

# USD per hour, per unit
INSTANCE_HOURLY = {
    "t3.nano": 0.0052,
    "t3.micro": 0.0104,
    "t3.small": 0.0208,
    "t4g.nano": 0.0042,
    "t4g.micro": 0.0084,
    "t4g.small": 0.0168,
    "t2.micro": 0.0116,
}
PUBLIC_IPV4_HOURLY = 0.005  # every public IPv4 address, in use or idle, since 2024-02-01
GP3_GB_MONTH = 0.08  # EBS gp3 storage
HOURS_PER_MONTH = 730
ROOT_VOLUME_GB = 8  # the AL2023 image's root volume
VENDED_LOGS_INGEST_GB = 0.50  # CloudWatch Logs ingestion of vended logs (flow logs), first 10 TB
LOGS_STORAGE_GB_MONTH = 0.03
# Assumed flow-log volume of a sandbox: two instances at roughly 20 flows a minute, ~250 bytes a record (all fields).
ASSUMED_RECORDS_PER_INSTANCE_HOUR = 1200
ASSUMED_RECORD_BYTES = 250


@dataclass(frozen=True)
class CostLine:
    item: str
    quantity: float
    unit_usd_per_hour: float

    @property
    def usd_per_hour(self) -> float:
        return self.quantity * self.unit_usd_per_hour

    def as_row(self) -> dict:
        return {
            "item": self.item,
            "quantity": self.quantity,
            "usd_per_hour": round(self.usd_per_hour, 5),
        }


def estimate(
    instances: int, instance_type: str, public_ips: int | None = None, flow_logs: bool = True
) -> list[CostLine]:
    """The hourly cost lines of `instances` instances, their public addresses, volumes and flow-log ingestion."""
    if instance_type not in INSTANCE_HOURLY:
        price, item = INSTANCE_HOURLY["t3.micro"], f"{instance_type} instance (priced as t3.micro: not in table)"
    else:
        price, item = INSTANCE_HOURLY[instance_type], f"{instance_type} instance"
    ips = instances if public_ips is None else public_ips
    lines = [
        CostLine(item, instances, price),
        CostLine("public IPv4 address", ips, PUBLIC_IPV4_HOURLY),
        CostLine(f"gp3 root volume ({ROOT_VOLUME_GB} GB)", instances, ROOT_VOLUME_GB * GP3_GB_MONTH / HOURS_PER_MONTH),
    ]
    if flow_logs and instances:
        gb = ASSUMED_RECORDS_PER_INSTANCE_HOUR * ASSUMED_RECORD_BYTES / 1e9
        lines.append(
            CostLine("flow-log ingestion, CloudWatch Logs (GB, assumed)", gb * instances, VENDED_LOGS_INGEST_GB)
        )
    return lines


def total(lines: list[CostLine]) -> float:
    return round(sum(line.usd_per_hour for line in lines), 4)


__all__ = ["QUOTED", "CostLine", "estimate", "total"]
