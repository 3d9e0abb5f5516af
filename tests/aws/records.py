"""Hand-made flow-log records in the default format, rendered as AWS writes them."""

from __future__ import annotations

import random

from vpcflow.aws.deliver import Rendered
from vpcflow.fields import DEFAULT

ACCOUNT = "123456789012"
INTERFACES = ("eni-0a1b2c3d4e5f60001", "eni-0a1b2c3d4e5f60002", "eni-0a1b2c3d4e5f60003")


def records(count: int, start: int, *, span: int = 3600, seed: int = 7, interfaces=INTERFACES) -> list[Rendered]:
    """`count` records over `span` seconds from `start`, over a few interfaces, in the default format."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        eni = interfaces[i % len(interfaces)]
        t0 = start + rng.randrange(span)
        t1 = t0 + rng.randrange(60)
        action = "REJECT" if i % 5 == 0 else "ACCEPT"
        values = {
            "version": "2",
            "account-id": ACCOUNT,
            "interface-id": eni,
            "srcaddr": f"10.0.{i % 250}.{i % 200 + 1}",
            "dstaddr": "10.0.1.5",
            "srcport": str(1024 + i % 60000),
            "dstport": "443",
            "protocol": "6",
            "packets": str(1 + i % 17),
            "bytes": str(40 + i * 3),
            "start": str(t0),
            "end": str(t1),
            "action": action,
            "log-status": "OK",
        }
        out.append(Rendered(eni, t0, t1, " ".join(values[n] for n in DEFAULT.names)))
    return out


def totals(recs: list[Rendered]) -> tuple[int, int]:
    """(records, bytes) of hand-made records."""
    at = DEFAULT.names.index("bytes")
    return len(recs), sum(int(r.line.split()[at]) for r in recs)
