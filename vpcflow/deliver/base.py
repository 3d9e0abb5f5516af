"""Delivery: a flow log's records written where AWS would put them. One Writer per destination type.

The local writers lay files out as AWS's destinations do (a CloudWatch Logs export, an S3 bucket, a Firehose
delivery to S3); an API writer (PutLogEvents, PutObject) implements the same interface.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path

from ..fields import LogFormat
from ..network.topology import Topology
from . import columns as c
from .records import Renderer

CLOUDWATCH, S3, FIREHOSE = "cloudwatch", "s3", "firehose"
TRAFFIC_TYPES = ("ALL", "ACCEPT", "REJECT")


@dataclass
class FlowLog:
    """One flow log: what it records (resource, traffic type, interval, format) and where it delivers."""

    id: str
    resource_id: str  # vpc-…, subnet-… or eni-…
    interfaces: frozenset[int]  # indexes of the interfaces it records
    traffic_type: str = "ALL"
    interval: int = 600
    format: LogFormat = field(default_factory=lambda: LogFormat.parse("default"))
    destination: str = CLOUDWATCH
    log_group: str = "vpc-flow-logs"
    file_format: str = "text"  # S3 only: text or parquet
    hive: bool = False
    per_hour: bool = False
    prefix: str = ""
    stream: str = "vpc-flow-logs"  # Firehose delivery stream
    compression: str = "none"  # Firehose only: none, gzip, zip, snappy or hadoop-snappy (the stream's setting)

    def keeps(self, record: tuple) -> bool:
        if record[c.I_IFACE] not in self.interfaces:
            return False
        action = record[c.I_ACTION]
        return action is None or self.traffic_type == "ALL" or action == self.traffic_type


def digest(*parts: object, width: int = 8) -> str:
    """A stable hex tag (file hashes, task IDs): the same run gives the same names."""
    return hashlib.sha256("/".join(str(p) for p in parts).encode()).hexdigest()[:width]


class Writer(ABC):
    """Receives a flow log's records in capture order and delivers them."""

    def __init__(self, flow_log: FlowLog, topology: Topology, out: Path):
        self.flow_log, self.topology, self.out = flow_log, topology, Path(out)
        self.renderer = Renderer(flow_log.format, topology)
        self.files: list[Path] = []
        self.records = 0

    def write(self, records: list[tuple], complete_before: float) -> None:
        """Take records (sorted by start); no record still to come ends before `complete_before`."""
        fl = self.flow_log
        if fl.traffic_type == "ALL" and len(fl.interfaces) == len(self.topology.interfaces):
            kept = records
        else:
            kept = [r for r in records if fl.keeps(r)]
        self.records += len(kept)
        self.deliver(kept, complete_before)

    @abstractmethod
    def deliver(self, records: list[tuple], complete_before: float) -> None: ...

    @abstractmethod
    def close(self) -> None: ...


class BatchWriter(Writer):
    """Groups records into 5-minute batches by their end time (S3 files, Firehose buffers)."""

    batch_seconds = 300

    def __init__(self, flow_log: FlowLog, topology: Topology, out: Path):
        super().__init__(flow_log, topology, out)
        self.batches: dict[int, list[tuple]] = {}

    def deliver(self, records, complete_before) -> None:
        size = self.batch_seconds
        for r in records:
            label = r[c.I_END] // size * size
            batch = self.batches.get(label)
            if batch is None:
                batch = self.batches[label] = []
            batch.append(r)
        for label in sorted(k for k in self.batches if k + size <= complete_before):
            self.write_batch(label, self.batches.pop(label))

    def close(self) -> None:
        for label in sorted(self.batches):
            self.write_batch(label, self.batches.pop(label))

    @abstractmethod
    def write_batch(self, label: int, records: list[tuple]) -> None: ...


WRITERS: dict[str, type[Writer]] = {}


def register(name: str):
    def add(cls):
        WRITERS[name] = cls
        return cls
    return add


def writer_for(flow_log: FlowLog, topology: Topology, out: Path) -> Writer:
    from . import cloudwatch, firehose, s3  # noqa: F401  (they register themselves)

    return WRITERS[flow_log.destination](flow_log, topology, out)
