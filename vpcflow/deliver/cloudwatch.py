"""CloudWatch Logs, as an export to S3 lays it out: one folder per log stream `<eni-id>-all`.

    OUT/cloudwatch/<log-group-sanitized>/<export-task-id>/<eni-id>-all/000000.gz

Each line is the event timestamp (the record's start, ISO-8601 UTC with milliseconds), one space, the record.
"""

from __future__ import annotations

import re
import time

from isal import igzip

from . import columns as c
from .base import CLOUDWATCH, Writer, digest, register

_SUFFIX = {"ALL": "all", "ACCEPT": "accept", "REJECT": "reject"}  # -accept/-reject: assumed, not documented


def sanitize(log_group: str) -> str:
    """A log-group name as a folder name: `/aws/vpc/flow` -> `aws-vpc-flow`."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", log_group.strip("/")) or "log-group"


def stamp(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(seconds))


@register(CLOUDWATCH)
class CloudWatchExportWriter(Writer):
    def __init__(self, flow_log, topology, out):
        super().__init__(flow_log, topology, out)
        task = "{}-{}-{}-{}-{}".format(*(digest(flow_log.id, "export", n, width=w)
                                         for n, w in enumerate((8, 4, 4, 4, 12))))
        self.root = self.out / "cloudwatch" / sanitize(flow_log.log_group) / task
        self.suffix = _SUFFIX[flow_log.traffic_type]
        self.streams: dict[int, object] = {}
        self._stamps: dict[int, str] = {}

    def stream_name(self, index: int) -> str:
        return f"{self.topology.interfaces[index].id}-{self.suffix}"

    def deliver(self, records, complete_before) -> None:
        lines = self.renderer.lines(records)
        by_stream: dict[int, list[str]] = {}
        stamps = self._stamps
        for r, line in zip(records, lines, strict=True):
            start = r[c.I_START]
            s = stamps.get(start)
            if s is None:
                if len(stamps) > 100_000:
                    stamps.clear()
                s = stamps[start] = stamp(start)
            by_stream.setdefault(r[c.I_IFACE], []).append(f"{s} {line}\n")
        for index in sorted(by_stream):
            handle = self.streams.get(index)
            if handle is None:
                folder = self.root / self.stream_name(index)
                folder.mkdir(parents=True, exist_ok=True)
                path = folder / "000000.gz"
                self.files.append(path)
                handle = self.streams[index] = igzip.IGzipFile(path, "wb", compresslevel=1, mtime=0)
            handle.write("".join(by_stream[index]).encode())

    def close(self) -> None:
        for handle in self.streams.values():
            handle.close()
        self.streams.clear()
