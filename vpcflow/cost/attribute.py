"""Bytes and USD per group (`cost-{by}`, one named query per grouping), and the what-ifs read from the same rows.

A row of a `cost-{by}` query is a group, a path, whether the bytes are billed here (the once-counted copy) and
the two price flags (crossed AZs, left for the internet), and with `$monthly` one calendar month's (`month`,
YYYYMM, else NULL: internet egress is priced per month); `cost()` prices the billed rows and sums per group.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ..engines.engine import as_engine, run_query, run_sql
from ..engines.queries import ALL_TIME, NamedQuery, Relation, get, register, relation
from ..errors import VpcFlowError
from .bill import window_params
from .egress import EgressMonth, egress_notes, months_between, price_months
from .kept import kept_relations
from .legs import LEG_KEYS
from .paths import BY, PATHS, cost_sql, flow_paths_sql
from .prices import BYTES_PER_GB, DAYS_PER_MONTH, Prices, prices_for, usd_per_gb

_NEEDS = ("bytes", "start", "end", "log_status", "srcaddr", "dstaddr", "interface_id", "action")
_USES = ("flow_direction", "traffic_path", "az_id", "vpc_id", "pkt_srcaddr", "pkt_dstaddr", "pkt_src_aws_service",
         "pkt_dst_aws_service", "interface_type", "next_hop_az_id", "next_hop_vpc_id", "next_hop_interface_type")

for _by in BY:
    register(NamedQuery(f"cost-{_by}", f"Bytes per {_by}, path and price flags, each byte billed once",
                        cost_sql(_by), {**ALL_TIME, "monthly": False}, needs=_NEEDS, uses=_USES))
# Every record with its path: a relation any named query can read as `flow_paths`.
FLOW_PATHS = relation(Relation("flow_paths", flow_paths_sql()))


@dataclass
class CostResult:
    """Per group: billed bytes and USD; what was skipped as a second copy; what could not be placed."""

    by: str
    rows: list[dict]
    prices: Prices
    days: float
    duplicate_bytes: int = 0  # second copies (both ends logged, a NAT gateway's own records): not billed
    rejected_bytes: int = 0  # REJECT records: the packets were dropped, nothing to bill
    unknown_bytes: int = 0
    unknown_records: int = 0
    raw: list[dict] = field(default_factory=list)
    internet_egress: list[EgressMonth] = field(default_factory=list)  # per calendar month (vpcflow.cost.egress)

    @property
    def usd(self) -> float:
        return sum(r["usd"] for r in self.rows)

    @property
    def internet_usd_per_gb(self) -> float | None:
        """The blended rate of all the internet egress priced (None when there was none)."""
        nbytes = sum(m.bytes for m in self.internet_egress)
        return sum(m.usd for m in self.internet_egress) / (nbytes / BYTES_PER_GB) if nbytes else None

    def notes(self) -> list[str]:
        out = []
        if self.unknown_bytes:
            out.append(f"{self.unknown_bytes:,} bytes in {self.unknown_records:,} records have no known path: the "
                       "records lack flow-direction, az-id or traffic-path and no --topology places them "
                       "(see docs/cost.md)")
        if self.duplicate_bytes:
            out.append(f"{self.duplicate_bytes:,} bytes were logged a second time (both ends, or a NAT gateway's "
                       "own records) and are counted once")
        return out + egress_notes(self.internet_egress, self.prices)


def cost_rows(engine_or_store, by: str = "path", *, since=None, until=None, monthly: bool = False) -> list[dict]:
    """The `cost-{by}` query's rows on any engine; monthly=True: each row one calendar month's (`month`, YYYYMM)."""
    if by not in BY:
        raise VpcFlowError(f"cannot group cost by {by!r}", hint=f"choose one of {', '.join(BY)}")
    engine = as_engine(engine_or_store)
    bound = get(f"cost-{by}").bind({**window_params(since, until), "monthly": monthly})
    with kept_relations(engine, by if by in LEG_KEYS else None, bound):  # the store's sums, where it keeps them
        return run_query(engine, f"cost-{by}", bound).to_pylist()


def price_row(row: dict, prices: Prices, internet_rate: float | None = None) -> float:
    """USD of one `cost-{by}` row; its internet egress at `internet_rate` (a month's blended rate) when given."""
    rate = usd_per_gb(prices, row["path"], cross_az=bool(row["cross_az"]), to_internet=bool(row["to_internet"]),
                      internet_rate=internet_rate)
    return row["bytes"] / BYTES_PER_GB * rate


_SPAN = """SELECT min(start) AS first_start, max("end") AS last_end FROM flows
WHERE log_status = 'OK' AND "end" >= $since AND start < $until"""


def record_span(engine_or_store, *, since=None, until=None) -> tuple[int, int] | None:
    """[first start, last end) of the records, within the window (None without records)."""
    window = {**ALL_TIME, **window_params(since, until)}
    span = run_sql(as_engine(engine_or_store), _SPAN, window).to_pylist()[0]
    if span["first_start"] is None:
        return None
    first = max(int(span["first_start"]), window["since"])
    return first, max(min(int(span["last_end"]), window["until"]), first + 1)


def internet_months(raw: list[dict], prices: Prices, span: tuple[int, int] | None) -> list[EgressMonth]:
    """The billed internet bytes of the `cost-{by}` rows per calendar month, priced (see vpcflow.cost.egress).

    Over more than one month the rows must be the monthly ones (cost_rows(..., monthly=True))."""
    out = [r for r in raw if r["billed"] and r["to_internet"]]
    if not out or span is None:
        return []
    months = months_between(*span)
    by_month: dict[str, int] = defaultdict(int)
    for r in out:
        by_month[_month(r, months)] += r["bytes"]
    return price_months(prices, by_month, *span)


def _month(row: dict, months: list[str]) -> str:
    """The month a row's bytes fall in (each row is one month's), within the months the window spans."""
    if len(months) == 1:
        return months[0]
    month = f"{row['month'] // 100:04d}-{row['month'] % 100:02d}"
    return min(max(month, months[0]), months[-1])  # a record started before the window


def cost(engine_or_store, by: str = "path", *, prices: Prices | None = None, since=None, until=None,
         days: float | None = None) -> CostResult:
    """Billed bytes and USD per group, largest USD first; JSON-ready rows {<by>, bytes, usd, records, paths}."""
    prices = prices or prices_for()
    span = record_span(engine_or_store, since=since, until=until)  # on DuckDB 3 ms at 10M records (min/max)
    monthly = span is not None and len(months_between(*span)) > 1
    raw = cost_rows(engine_or_store, by, since=since, until=until, monthly=monthly)
    groups: dict = defaultdict(lambda: {"bytes": 0, "usd": 0.0, "records": 0, "paths": set()})
    result = CostResult(by, [], prices, days or 0.0, raw=raw)
    result.internet_egress = internet_months(raw, prices, span)
    rates = {m.month: m.usd_per_gb for m in result.internet_egress}
    blended = result.internet_usd_per_gb
    months = [m.month for m in result.internet_egress]
    for r in raw:
        if r["path"] == "unknown":
            result.unknown_records += r["records"]
            if r["billed"]:
                result.unknown_bytes += r["bytes"]
        if not r["accepted"]:
            result.rejected_bytes += r["bytes"]
        if not r["billed"]:
            result.duplicate_bytes += r["bytes"] if r["accepted"] else 0
            continue
        g = groups[r["key"]]
        g["bytes"] += r["bytes"]
        # by day or hour each row has its month's rate; otherwise every group shares the whole period's blend
        rate = rates[_month(r, months)] if r["to_internet"] and by in LEG_KEYS and months else blended
        g["usd"] += price_row(r, prices, rate)
        g["records"] += r["records"]
        g["paths"].add(r["path"])
    rows = [{by: key, "bytes": g["bytes"], "usd": round(g["usd"], 4), "records": g["records"],
             "paths": ",".join(sorted(g["paths"]))} for key, g in groups.items()]
    rows.sort(key=lambda r: (-r["usd"], -r["bytes"], str(r[by])))
    result.rows = rows
    return result


def span_days(engine_or_store, *, since=None, until=None) -> float:
    """Days the records cover (for monthly figures): the capture windows from first start to last end."""
    rows = run_query(as_engine(engine_or_store), "traffic-over-time",
                     {"bucket": 60, **window_params(since, until)}).to_pylist()
    if not rows:
        return 1.0
    return max((rows[-1]["bucket_start"] + 60 - rows[0]["bucket_start"]) / 86400, 1 / 24)


def what_ifs(engine_or_store, *, prices: Prices | None = None, since=None, until=None, pairs: int = 5) -> list[dict]:
    """What three changes would save over the records' period, and a month at that rate.

    Rows: {"what_if", "bytes", "usd_saved", "monthly_usd_saved", "adds_monthly_usd", "detail"}.
    """
    prices = prices or prices_for()
    by_path = [r for r in cost_rows(engine_or_store, "path", since=since, until=until) if r["billed"]]
    days = span_days(engine_or_store, since=since, until=until)
    month = DAYS_PER_MONTH / days
    out = []

    through_nat = [r for r in by_path if r["path"] == "nat-gateway" and r["service"] in ("S3", "DYNAMODB")]
    moved = sum(r["bytes"] for r in through_nat)
    saved = sum(price_row(r, prices) for r in through_nat)  # a gateway endpoint is free, and in the client's AZ
    services = ", ".join(sorted({r["service"] for r in through_nat})) or "none seen"
    out.append({"what_if": "gateway endpoints for S3 and DynamoDB instead of the NAT gateway", "bytes": moved,
                "usd_saved": round(saved, 4), "monthly_usd_saved": round(saved * month, 2), "adds_monthly_usd": 0.0,
                "detail": f"NAT processing and cross-AZ charges on traffic to {services}"})

    crossing = [r for r in by_path if r["path"] == "nat-gateway" and r["cross_az"]]
    moved = sum(r["bytes"] for r in crossing)
    saved = moved / BYTES_PER_GB * prices.cross_az_per_gb
    out.append({"what_if": "a NAT gateway in each client's availability zone", "bytes": moved,
                "usd_saved": round(saved, 4), "monthly_usd_saved": round(saved * month, 2),
                "adds_monthly_usd": round(prices.nat_gateway_per_hour * 24 * DAYS_PER_MONTH, 2) if moved else 0.0,
                "detail": "cross-AZ charges to reach the NAT gateway; each further NAT gateway adds its hourly price"})

    by_pair = [r for r in cost_rows(engine_or_store, "pair", since=since, until=until)
               if r["billed"] and r["path"] == "inter-az"]
    chatty: dict[str, int] = defaultdict(int)
    for r in by_pair:
        chatty[r["key"]] += r["bytes"]
    top = sorted(chatty.items(), key=lambda kv: (-kv[1], kv[0]))[:pairs]
    moved = sum(b for _, b in top)
    saved = moved / BYTES_PER_GB * prices.cross_az_per_gb
    out.append({"what_if": f"the {len(top)} chattiest cross-AZ pairs kept in one availability zone", "bytes": moved,
                "usd_saved": round(saved, 4), "monthly_usd_saved": round(saved * month, 2), "adds_monthly_usd": 0.0,
                "detail": "; ".join(f"{k}: {b:,} bytes" for k, b in top) or "no cross-AZ pairs"})
    return out


__all__ = ["PATHS", "CostResult", "cost", "cost_rows", "internet_months", "price_row", "span_days", "what_ifs"]
