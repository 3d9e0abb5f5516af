"""S3: 5-minute objects of all the flow log's interfaces, under AWS's key layouts, text with a header or Parquet."""

from __future__ import annotations

from datetime import UTC, datetime

import pyarrow.parquet as pq
from isal import igzip

from ..sources.layouts import key_for
from .base import S3, BatchWriter, digest, register


@register(S3)
class S3Writer(BatchWriter):
    def write_batch(self, label: int, records: list[tuple]) -> None:
        fl, topo = self.flow_log, self.topology
        parquet = fl.file_format == "parquet"
        when = datetime.fromtimestamp(label, UTC)
        key = key_for(topo.account, topo.region, fl.id, when, digest(fl.id, label), hive=fl.hive,
                      per_hour=fl.per_hour, prefix=fl.prefix, parquet=parquet)
        path = self.out / key
        path.parent.mkdir(parents=True, exist_ok=True)
        if parquet:
            pq.write_table(self.renderer.table(records), path, compression="gzip")
        else:
            body = fl.format.header() + "\n" + "".join(line + "\n" for line in self.renderer.lines(records))
            with open(path, "wb") as f:
                f.write(igzip.compress(body.encode(), compresslevel=1, mtime=0))
        self.files.append(path)
