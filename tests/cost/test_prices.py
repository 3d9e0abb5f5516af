"""The price table: declared per region, overridable from vpcflow.toml, and priced per path."""

from __future__ import annotations

import pytest

from vpcflow.cost.prices import PRICES, internet_egress_usd, prices_for, usd_per_gb
from vpcflow.errors import VpcFlowError


def test_us_east_1_is_the_default_region():
    assert prices_for().region == "us-east-1"


def test_an_override_replaces_one_price_and_says_where_it_came_from():
    prices = prices_for("us-east-1", {"us-east-1": {"nat_gateway_per_gb": 0.05}})
    assert prices.nat_gateway_per_gb == 0.05
    assert prices.internet_egress_tiers == PRICES["us-east-1"].internet_egress_tiers
    assert prices.source == "vpcflow.toml"


def test_an_unknown_price_name_is_refused():
    with pytest.raises(VpcFlowError, match="unknown price 'nat_per_gb'"):
        prices_for("us-east-1", {"us-east-1": {"nat_per_gb": 0.05}})


def test_a_region_without_prices_asks_for_them():
    with pytest.raises(VpcFlowError, match="no prices for region 'eu-west-3'"):
        prices_for("eu-west-3")


def test_nat_to_the_internet_pays_processing_cross_az_and_egress():
    p = PRICES["us-east-1"]
    assert usd_per_gb(p, "nat-gateway", cross_az=True, to_internet=True) == pytest.approx(0.045 + 0.02 + 0.09)


def test_inter_az_pays_a_cent_each_way_and_intra_az_nothing():
    p = PRICES["us-east-1"]
    assert usd_per_gb(p, "inter-az") == pytest.approx(0.02)
    assert usd_per_gb(p, "intra-az") == 0.0


def test_internet_egress_pays_after_the_free_allowance_through_the_tiers():
    p = PRICES["us-east-1"]
    assert internet_egress_usd(p, 100) == 0.0
    assert internet_egress_usd(p, 100 + 50 * 1024 + 10) == pytest.approx(10 * 1024 * 0.09 + 40 * 1024 * 0.085 + 10 * 0.07)


def test_vended_log_tiers_apply_in_order():
    p = PRICES["us-east-1"]
    assert p.tiered(p.cloudwatch_logs_tiers, 10 * 1024 + 100) == pytest.approx(10 * 1024 * 0.50 + 100 * 0.25)


def test_docs_list_every_path_and_every_us_east_1_price():
    from dataclasses import fields
    from pathlib import Path

    from vpcflow.cost import PATHS

    doc = (Path(__file__).resolve().parents[2] / "docs" / "cost.md").read_text()
    assert all(f"| `{path}` | {text} |" in doc for path, text in PATHS.items())
    east = PRICES["us-east-1"]
    for f in fields(east):
        value = getattr(east, f.name)
        if isinstance(value, float):
            assert f"| `{f.name}` | {value} |" in doc, f.name


def test_tokyo_vended_log_tiers_apply_in_order():
    p = PRICES["ap-northeast-1"]
    assert p.tiered(p.cloudwatch_logs_tiers, 30 * 1024 + 100) == pytest.approx(10 * 1024 * 0.76 + 20 * 1024 * 0.38
                                                                              + 100 * 0.152)
    assert p.tiered(p.s3_tiers, 50 * 1024 + 100) == pytest.approx(10 * 1024 * 0.38 + 20 * 1024 * 0.228
                                                                 + 20 * 1024 * 0.114 + 100 * 0.076)


def test_every_tier_of_every_region_is_in_the_docs():
    from dataclasses import fields
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "cost.md").read_text()
    rows = {line.split("|")[1].strip(" `"): line for line in doc.splitlines() if line.startswith("| `")}
    for prices in PRICES.values():
        for f in fields(prices):
            if f.name.endswith("_tiers"):
                assert all(f"{price:g}" in rows[f.name] for _, price in getattr(prices, f.name)), (prices.region,
                                                                                                  f.name)
