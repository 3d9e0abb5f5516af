"""The flow logs' own bill: what delivering these records costs a month, and what would make it smaller.

AWS bills flow logs as vended logs, per GB of log data delivered (docs/cost.md). The volume is estimated from
the store: records per day, and the mean size each field of the format takes as text (`-` where a field does
not apply), a space between fields and a newline after each record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..engines.engine import as_engine, run_query
from ..engines.queries import ALL_TIME, NamedQuery, register
from ..fields import DEFAULT, FIELDS, LogFormat
from ..fields.table import VPC
from ..timeutil import epoch
from .prices import BYTES_PER_GB, DAYS_PER_MONTH, Prices, prices_for

_VPC_FIELDS = [f for f in FIELDS if f.schema != "tgw" and f.known and f.schema in (VPC, "vpc+tgw")]
_WINDOW = '"end" >= $since AND start < $until'
_TEN_MINUTES = 600


def _length(column: str) -> str:
    return f'CAST(sum(length(coalesce(CAST("{column}" AS VARCHAR), \'-\'))) AS BIGINT) AS "len_{column}"'


VOLUME = register(NamedQuery(
    "flow-log-volume", "Records per day and the text size of every field: what the flow logs' bill is made of",
    f"""WITH r AS (SELECT * FROM flows WHERE {_WINDOW}),
ten AS (
  SELECT count(*) AS records_10m FROM (
    SELECT DISTINCT interface_id, srcaddr, dstaddr, srcport, dstport, protocol, action, log_status,
           CAST(floor(start / {_TEN_MINUTES}) AS BIGINT) AS w
    FROM r) AS windows
)
SELECT count(*) AS records, count(CASE WHEN action = 'ACCEPT' THEN 1 END) AS accepted,
       count(CASE WHEN action = 'REJECT' THEN 1 END) AS rejected,
       min(start) AS first_start, max("end") AS last_end, max(ten.records_10m) AS records_10m,
       {", ".join(_length(f.column) for f in _VPC_FIELDS)}
FROM r CROSS JOIN ten""",
    ALL_TIME))

DESTINATIONS = ("cloudwatch-logs", "s3-text", "s3-parquet", "firehose")


@dataclass(frozen=True)
class Volume:
    """The store's records, reduced to what sizes a bill."""

    records: int
    accepted: int
    rejected: int
    days: float
    records_10m: int
    field_bytes: dict[str, float]  # mean text length of each field's value

    def record_bytes(self, log_format: LogFormat) -> float:
        """Mean size of one record in the format: its fields, the spaces between them and a newline."""
        return sum(self.field_bytes.get(f.column, 1.0) for f in log_format.fields) + len(log_format.fields)

    def monthly_gb(self, log_format: LogFormat, share: float = 1.0) -> float:
        per_day = self.records * share / self.days if self.days else 0.0
        return per_day * DAYS_PER_MONTH * self.record_bytes(log_format) / BYTES_PER_GB


def window_params(since: datetime | int | None, until: datetime | int | None) -> dict:
    """The named queries' [since, until) parameters (Unix seconds) for the times given."""
    params = {}
    for name, value in (("since", since), ("until", until)):
        if value is not None:
            params[name] = value if isinstance(value, int) else epoch(value)
    return params


def volume(engine_or_store, *, since: datetime | int | None = None, until: datetime | int | None = None) -> Volume:
    """Read the volume figures from any engine."""
    row = run_query(as_engine(engine_or_store), VOLUME, window_params(since, until)).to_pylist()[0]
    records = int(row["records"] or 0)
    span = (row["last_end"] or 0) - (row["first_start"] or 0)
    days = max(span, 1) / 86400 if records else 0.0
    lengths = {f.column: (row[f"len_{f.column}"] or 0) / records if records else 1.0 for f in _VPC_FIELDS}
    return Volume(records, int(row["accepted"] or 0), int(row["rejected"] or 0), days,
                  int(row["records_10m"] or 0), lengths)


def destination_usd(prices: Prices, destination: str, gb: float) -> float:
    """Monthly USD to deliver `gb` GB of flow-log text to a destination."""
    if destination == "cloudwatch-logs":
        return prices.tiered(prices.cloudwatch_logs_tiers, gb)
    usd = prices.tiered(prices.s3_tiers, gb)
    if destination == "s3-parquet":
        usd += gb * prices.parquet_conversion_per_gb
    elif destination == "firehose":
        usd += gb * prices.firehose_ingest_per_gb
    return usd


def flow_log_bill(engine_or_store, *, log_format: LogFormat | str | None = None, destination: str | None = None,
                  prices: Prices | None = None, interval: int = 60, since: datetime | int | None = None,
                  until: datetime | int | None = None) -> list[dict]:
    """Monthly USD of these flow logs at each destination, then what each change would save at `destination`.

    Rows: {"destination", "change", "records_per_day", "gb_per_month", "usd", "saves_usd"}; `change` is
    "as is" for the four destinations, then "default format", "ACCEPT only", "REJECT only" and
    "10-minute interval" (the last only when the records are 1-minute ones, `interval=60`).
    """
    prices = prices or prices_for()
    fmt = LogFormat.parse(log_format) if isinstance(log_format, str) else (log_format or DEFAULT)
    vol = volume(engine_or_store, since=since, until=until)
    per_day = vol.records / vol.days if vol.days else 0.0
    rows = []
    for dest in DESTINATIONS:
        gb = vol.monthly_gb(fmt)
        rows.append({"destination": dest, "change": "as is", "records_per_day": round(per_day),
                     "gb_per_month": gb, "usd": round(destination_usd(prices, dest, gb), 6),
                     "saves_usd": 0.0})
    here = destination or "cloudwatch-logs"
    base = destination_usd(prices, here, vol.monthly_gb(fmt))
    changes = []
    if len(fmt.fields) > len(DEFAULT.fields) or fmt != DEFAULT:
        changes.append(("default format", vol.monthly_gb(DEFAULT), 1.0))
    if vol.records:
        changes.append(("ACCEPT only", vol.monthly_gb(fmt, vol.accepted / vol.records), vol.accepted / vol.records))
        changes.append(("REJECT only", vol.monthly_gb(fmt, vol.rejected / vol.records), vol.rejected / vol.records))
        if interval == 60:
            share = vol.records_10m / vol.records
            changes.append(("10-minute interval", vol.monthly_gb(fmt, share), share))
    for change, gb, share in changes:
        usd = destination_usd(prices, here, gb)
        rows.append({"destination": here, "change": change, "records_per_day": round(per_day * share),
                     "gb_per_month": gb, "usd": round(usd, 6), "saves_usd": round(base - usd, 6)})
    return rows
