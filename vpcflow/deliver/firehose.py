"""Firehose: plain record lines (no header), as a Direct PUT stream's default S3 delivery names them.

    OUT/firehose/<stream>/YYYY/MM/DD/HH/<stream>-1-YYYY-MM-DD-HH-MM-SS-<id>
"""

from __future__ import annotations

import time

from .base import FIREHOSE, BatchWriter, digest, register


@register(FIREHOSE)
class FirehoseWriter(BatchWriter):
    def write_batch(self, label: int, records: list[tuple]) -> None:
        stream = self.flow_log.stream
        t = time.gmtime(label)
        name = "{}-1-{}-{}-{}-{}-{}-{}".format(stream, time.strftime("%Y-%m-%d-%H-%M-%S", t), digest(stream, label),
                                               digest(stream, label, 1, width=4), digest(stream, label, 2, width=4),
                                               digest(stream, label, 3, width=4), digest(stream, label, 4, width=12))
        path = self.out / "firehose" / stream / time.strftime("%Y/%m/%d/%H", t) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(line + "\n" for line in self.renderer.lines(records)))
        self.files.append(path)
