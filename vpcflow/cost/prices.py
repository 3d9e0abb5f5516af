"""AWS list prices that network traffic and flow logs are billed at, per region, as declared data.

Every number comes from AWS's public pricing pages (sources and the date read are in docs/cost.md, which a
test keeps in step with this table). A user overrides any of them in vpcflow.toml:

    [cost]
    region = "eu-west-1"
    [cost.prices.eu-west-1]
    nat_gateway_per_gb = 0.048

A GB is 2**30 bytes, as AWS's pricing pages define it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace

from ..errors import VpcFlowError

BYTES_PER_GB = 2**30
PRICES_AS_OF = "2026-01"  # when the table below was last checked against AWS's pages
DAYS_PER_MONTH = 365 / 12  # a month of flow logs, from records per day


@dataclass(frozen=True)
class Prices:
    """One region's prices in USD. Tiers are (GB in the tier, USD per GB); the last tier's size is None."""

    region: str
    cross_az_per_gb: float  # each byte that crosses AZs: charged out of one AZ and into the other
    internet_egress_tiers: tuple[tuple[float | None, float], ...]  # out to the internet, per calendar month
    internet_egress_free_gb: float  # a month, account-wide, across services and regions: used before the tiers
    inter_region_per_gb: float
    nat_gateway_per_gb: float  # processed, either direction, on top of the traffic's own transfer charge
    nat_gateway_per_hour: float
    transit_gateway_per_gb: float
    interface_endpoint_per_gb: float
    interface_endpoint_per_az_hour: float
    gateway_endpoint_per_gb: float
    vpc_peering_per_gb: float  # beyond the cross-AZ charge, which peering traffic pays like any other
    cloudwatch_logs_tiers: tuple[tuple[float | None, float], ...]  # vended-log delivery to CloudWatch Logs
    s3_tiers: tuple[tuple[float | None, float], ...]  # vended-log delivery to S3 (and Firehose)
    parquet_conversion_per_gb: float
    firehose_ingest_per_gb: float  # Firehose's own charge for vended logs as its source
    source: str = "vpcflow's table"

    def tiered(self, tiers: tuple[tuple[float | None, float], ...], gb: float) -> float:
        """USD for `gb` GB in one month through volume tiers."""
        usd, left = 0.0, gb
        for size, price in tiers:
            step = left if size is None else min(left, size)
            usd += step * price
            left -= step
            if left <= 0:
                break
        return usd


_TB = 1024.0
_US_EAST_1 = Prices(
    region="us-east-1",
    cross_az_per_gb=0.02,  # $0.01/GB out of the sending AZ + $0.01/GB into the receiving AZ
    internet_egress_tiers=((10 * _TB, 0.09), (40 * _TB, 0.085), (100 * _TB, 0.07), (None, 0.05)),
    internet_egress_free_gb=100.0,
    inter_region_per_gb=0.02,
    nat_gateway_per_gb=0.045,
    nat_gateway_per_hour=0.045,
    transit_gateway_per_gb=0.02,
    interface_endpoint_per_gb=0.01,
    interface_endpoint_per_az_hour=0.01,
    gateway_endpoint_per_gb=0.0,
    vpc_peering_per_gb=0.0,
    cloudwatch_logs_tiers=((10 * _TB, 0.50), (20 * _TB, 0.25), (20 * _TB, 0.10), (None, 0.05)),
    s3_tiers=((10 * _TB, 0.25), (20 * _TB, 0.15), (20 * _TB, 0.075), (None, 0.05)),
    parquet_conversion_per_gb=0.03,
    firehose_ingest_per_gb=0.13,
)

# Tokyo: internet egress, vended-log delivery, inter-region and the NAT gateway are Tokyo's own published prices
# (the tiers' sizes are us-east-1's); the other fields are us-east-1's, not checked for Tokyo (docs/cost.md).
_AP_NORTHEAST_1 = replace(
    _US_EAST_1, region="ap-northeast-1",
    internet_egress_tiers=((10 * _TB, 0.114), (40 * _TB, 0.089), (100 * _TB, 0.086), (None, 0.084)),
    inter_region_per_gb=0.09, nat_gateway_per_gb=0.062, nat_gateway_per_hour=0.062,
    cloudwatch_logs_tiers=((10 * _TB, 0.76), (20 * _TB, 0.38), (20 * _TB, 0.152), (None, 0.076)),
    s3_tiers=((10 * _TB, 0.38), (20 * _TB, 0.228), (20 * _TB, 0.114), (None, 0.076)))

PRICES: dict[str, Prices] = {p.region: p for p in (_US_EAST_1, _AP_NORTHEAST_1)}
DEFAULT_REGION = "us-east-1"

# Per path: the price fields a billed byte pays (the cross-AZ and internet-egress parts are added by flags).
PATH_PRICE = {
    "intra-az": (), "inter-az": (), "inter-region": ("inter_region_per_gb",),
    "vpc-peering": ("vpc_peering_per_gb",), "transit-gateway": ("transit_gateway_per_gb",),
    "nat-gateway": ("nat_gateway_per_gb",), "internet-egress": (), "internet-ingress": (),
    "gateway-endpoint": ("gateway_endpoint_per_gb",), "interface-endpoint": ("interface_endpoint_per_gb",),
    "aws-service": (), "unknown": (),
}


def prices_for(region: str | None = None, overrides: Mapping | None = None) -> Prices:
    """The region's prices with a user's overrides (vpcflow.toml's [cost.prices.REGION] tables) laid over."""
    region = region or DEFAULT_REGION
    overrides = dict((overrides or {}).get(region) or {})
    base = PRICES.get(region)
    if base is None:
        if not overrides:
            raise VpcFlowError(f"no prices for region {region!r}",
                               hint=f"vpcflow knows {', '.join(sorted(PRICES))}; give [cost.prices.{region}] "
                               "in vpcflow.toml (every price field of docs/cost.md)")
        base = replace(_US_EAST_1, region=region)
        missing = [f.name for f in fields(Prices) if f.name not in ("region", "source") and f.name not in overrides]
        if missing:
            raise VpcFlowError(f"prices for {region} lack {missing[0]!r}", location="vpcflow.toml",
                               hint="a region vpcflow does not know needs every price field")
    known = {f.name for f in fields(Prices)} - {"region", "source"}
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise VpcFlowError(f"unknown price {unknown[0]!r}", location="vpcflow.toml",
                           hint=f"prices are: {', '.join(sorted(known))}")
    values = {}
    for name, value in overrides.items():
        if name.endswith("_tiers"):
            value = tuple((None if size is None or size == "rest" else float(size), float(price))
                          for size, price in value)
        else:
            value = float(value)
        values[name] = value
    return replace(base, **values, source="vpcflow.toml" if values else base.source)


def usd_per_gb(prices: Prices, path: str, *, cross_az: bool = False, to_internet: bool = False,
               internet_rate: float | None = None) -> float:
    """What one GB on a path costs: the path's own charge, plus crossing AZs, plus leaving for the internet (at
    `internet_rate`, the month's blended rate from vpcflow.cost.egress; else the first paid tier)."""
    rate = sum(getattr(prices, name) for name in PATH_PRICE.get(path, ()))
    if path == "inter-az" or cross_az:
        rate += prices.cross_az_per_gb
    if to_internet:
        rate += prices.internet_egress_tiers[0][1] if internet_rate is None else internet_rate
    return rate


def internet_egress_usd(prices: Prices, gb: float) -> float:
    """USD for one calendar month's GB out to the internet: the free allowance first, then the volume tiers."""
    return prices.tiered(prices.internet_egress_tiers, max(gb - prices.internet_egress_free_gb, 0.0))


def usd(nbytes: float, rate: float) -> float:
    return nbytes / BYTES_PER_GB * rate
