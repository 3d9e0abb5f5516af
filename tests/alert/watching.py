"""Helpers for follow-mode tests: a directory that receives flow-log files minute by minute, and rules on it."""

from __future__ import annotations

import os
from pathlib import Path

import yaml

T0 = 1_700_000_000 - 1_700_000_000 % 3600  # an hour boundary
SSH = (
    '[version, account, eni, source, destination, srcport, destport="22", protocol="6", packets, bytes, '
    'windowstart, windowend, action="REJECT", flowlogstatus]'
)


def minute_file(i: int, rejects: int | None = None, records: int = 20) -> str:
    """Minute i's records: SSH rejects (5 every third minute, else 1: the alarm flips) plus web traffic."""
    rejects = (5 if i % 3 == 0 else 1) if rejects is None else rejects
    start = T0 + 60 * i
    lines = [f"2 123456789010 eni-0a1b2c3d4e5f60718 198.51.100.{k % 250} 10.0.2.15 {40000 + k} 22 6 3 180 "
             f"{start} {start + 60} REJECT OK" for k in range(rejects)]
    lines += [f"2 123456789010 eni-0a1b2c3d4e5f60718 10.0.0.{k % 250} 10.0.2.15 {50000 + k} 443 6 10 4000 "
              f"{start} {start + 60} ACCEPT OK" for k in range(records)]
    return "\n".join(lines) + "\n"


def land(folder: Path, i: int, text: str | None = None) -> Path:
    """Write minute i's file the way a sync tool does: elsewhere, then renamed into place."""
    final = folder / f"flows-{i:04d}.log"
    hidden = folder / f".flows-{i:04d}.log.part"
    hidden.write_text(minute_file(i) if text is None else text)
    os.replace(hidden, final)
    return final


def write_rules(path: Path, alerts: Path) -> Path:
    rules = {
        "cooldown": 0,
        "metric_filters": [{"name": "ssh", "pattern": SSH, "metric": "SshRejects", "value": 1, "default": 0}],
        "alarms": [{"name": "ssh-brute-force", "metric": "SshRejects", "statistic": "Sum", "period": 60,
                    "threshold": 3, "comparison": "GreaterThanOrEqualToThreshold"}],
        "contributors": [{"name": "rejected", "pattern": "REJECT", "keys": ["srcaddr"], "top": 3, "period": 60}],
        "notifiers": [{"name": "file", "type": "jsonl", "path": str(alerts)}],
    }
    path.write_text(yaml.safe_dump(rules, sort_keys=False))
    return path
