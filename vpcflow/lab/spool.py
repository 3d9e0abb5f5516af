"""From the agents' spool files to flow logs in AWS's layouts, through vpcflow's delivery layer."""

from __future__ import annotations

import json
from pathlib import Path

from ..deliver import writer_for
from ..emulate import capture as c
from ..emulate.scenario import flow_logs
from ..network.topology import Topology


def read_spool(path: Path) -> list[tuple]:
    """The records an agent wrote (a torn last line, from a killed agent, is left out)."""
    records = []
    if not path.exists():
        return records
    for line in path.read_text().splitlines():
        try:
            records.append(tuple(json.loads(line)))
        except ValueError:
            continue
    return records


def deliver(spools: list[Path], topology: Topology, out: Path, flow_log: dict | None = None) -> dict:
    """Write the spooled records as one VPC-wide flow log (override its destination, format, layout).

    `flow_log` takes the emulator's flow-log keys: destination (cloudwatch, s3, firehose), format, file_format,
    hive, per_hour, prefix, log_group, stream, traffic_type.
    """
    records = [r for p in spools for r in read_spool(Path(p))]
    records.sort(key=lambda r: (r[c.I_IFACE], r[c.I_START]))
    settings = {"resource": "vpc", "interval": 60, "log_group": "vpcflow-lab", **(flow_log or {})}
    (log,) = flow_logs([settings], topology, {})
    writer = writer_for(log, topology, Path(out))
    writer.write(records, complete_before=float("inf"))
    writer.close()
    return {"flow_log": log.id, "destination": log.destination, "records": writer.records,
            "files": [str(f) for f in writer.files]}
