"""The flow logs' own bill, from the records per day in the store and the size of their format."""

from __future__ import annotations

import pytest

from vpcflow.cost import flow_log_bill, volume
from vpcflow.cost.prices import BYTES_PER_GB, DAYS_PER_MONTH, PRICES
from vpcflow.fields import DEFAULT

# one day: 8 accepted and 2 rejected records, every line 70 characters long
LINES = [f"2 123456789010 eni-0a1b2c3d4e5f60001 10.0.1.{n} 10.0.2.9 4{n:04d} 443 6 10 8400 "
         f"{1767225600 + n * 8000} {1767225660 + n * 8000} {'ACCEPT' if n < 8 else 'REJECT'} OK" for n in range(10)]


@pytest.fixture
def day_store(store, tmp_path):
    path = tmp_path / "day.log"
    path.write_text("\n".join(LINES) + "\n")
    store.ingest(path)
    return store


def test_a_record_costs_its_line_and_newline(day_store):
    assert volume(day_store).record_bytes(DEFAULT) == pytest.approx(sum(len(line) + 1 for line in LINES) / 10)


def test_cloudwatch_logs_bill_is_a_month_of_these_records_at_the_vended_price(day_store):
    rows = flow_log_bill(day_store, log_format="default")
    days = (1767225660 + 9 * 8000 - 1767225600) / 86400
    gb = 10 / days * DAYS_PER_MONTH * sum(len(line) + 1 for line in LINES) / 10 / BYTES_PER_GB
    cloudwatch = next(r for r in rows if r["destination"] == "cloudwatch-logs" and r["change"] == "as is")
    assert cloudwatch["gb_per_month"] == pytest.approx(gb, rel=1e-5)
    assert cloudwatch["usd"] == pytest.approx(gb * 0.50, abs=1e-6)


def test_every_destination_is_priced(day_store):
    rows = [r for r in flow_log_bill(day_store) if r["change"] == "as is"]
    assert [r["destination"] for r in rows] == ["cloudwatch-logs", "s3-text", "s3-parquet", "firehose"]
    s3, parquet, firehose = (r["usd"] for r in rows[1:])
    assert s3 < parquet and s3 < firehose


def test_an_accept_filter_saves_the_rejected_share(day_store):
    rows = flow_log_bill(day_store, destination="s3-text")
    base = next(r for r in rows if r["destination"] == "s3-text" and r["change"] == "as is")
    accept = next(r for r in rows if r["change"] == "ACCEPT only")
    assert accept["records_per_day"] == round(base["records_per_day"] * 0.8)
    assert accept["gb_per_month"] == pytest.approx(base["gb_per_month"] * 0.8, rel=1e-4)


def test_a_wider_format_costs_more_than_the_default(day_store):
    rows = flow_log_bill(day_store, log_format="v5")
    narrower = next(r for r in rows if r["change"] == "default format")
    assert narrower["gb_per_month"] < rows[0]["gb_per_month"] and narrower["saves_usd"] > 0


def test_ten_minute_windows_merge_a_flow_seen_in_several_minutes(store, tmp_path):
    # one flow in three 1-minute windows of the same 10 minutes: one record at 600 s
    lines = [f"2 123456789010 eni-0a1b2c3d4e5f60001 10.0.1.5 10.0.2.9 40000 443 6 10 8400 {t} {t + 50} ACCEPT OK"
             for t in (1767225600, 1767225660, 1767225720)]
    path = tmp_path / "flow.log"
    path.write_text("\n".join(lines) + "\n")
    store.ingest(path)
    assert volume(store).records_10m == 1
    ten = next(r for r in flow_log_bill(store) if r["change"] == "10-minute interval")
    assert ten["records_per_day"] == round(next(r for r in flow_log_bill(store))["records_per_day"] / 3)


def test_tokyo_costs_more_than_virginia(day_store):
    east = flow_log_bill(day_store, prices=PRICES["us-east-1"])[0]["usd"]
    tokyo = flow_log_bill(day_store, prices=PRICES["ap-northeast-1"])[0]["usd"]
    assert tokyo > east
