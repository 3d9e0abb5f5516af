"""Internet egress is priced per calendar month: the account's free 100 GB first, then AWS's volume tiers (us-east-1:
$0.09/GB for the first 10 TB, $0.085 for the next 40 TB), and every group pays the month's blended rate."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from vpcflow.cost import cost, cost_rows, prices_for, use_network
from vpcflow.engines import DuckDBEngine
from vpcflow.store import Store

GB, TB = 2**30, 2**40
JAN, FEB, MAR = (int(datetime(2026, m, 1, tzinfo=UTC).timestamp()) for m in (1, 2, 3))
DAY = 86400
FORMAT = ("${version} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} "
          "${start} ${end} ${action} ${log-status} ${az-id} ${flow-direction} ${traffic-path}")
INTERFACES = {"web": ("eni-0aaaaaaaaaaaaaaa1", "10.0.1.10"), "api": ("eni-0aaaaaaaaaaaaaaa2", "10.0.1.11")}


def _out(start: int, end: int, nbytes: int, sender: str = "web") -> str:
    """An egress record through the internet gateway (traffic-path 8) to an internet address."""
    eni, ip = INTERFACES[sender]
    return f"8 {eni} {ip} 198.51.100.9 40000 443 6 10 {nbytes} {start} {end} ACCEPT OK use1-az1 egress 8"


def _store(store, tmp_path, lines: list[str]) -> DuckDBEngine:
    path = tmp_path / "records.log"
    path.write_text("\n".join(lines) + "\n")
    store.ingest(path, format=FORMAT)
    engine = DuckDBEngine(store)
    use_network(engine, None, [])
    return engine


def _whole_month(nbytes: int, start: int = JAN, end: int = FEB, sender: str = "web") -> list[str]:
    """Records from a month's first second to its last: the whole month is covered, nothing is paced."""
    return [_out(start, start + 60, nbytes - 1000, sender), _out(end - 60, end, 1000, sender)]


def _internet_usd(engine, by: str = "path", prices=None) -> float:
    result = cost(engine, by, prices=prices)
    return sum(r["usd"] for r in result.rows)


def test_the_first_100_gb_of_a_month_are_free(store, tmp_path):
    engine = _store(store, tmp_path, _whole_month(100 * GB))
    assert _internet_usd(engine) == 0.0


def test_just_under_10_tb_past_the_allowance_all_pays_the_first_tier(store, tmp_path):
    engine = _store(store, tmp_path, _whole_month(100 * GB + 10 * TB - GB))
    assert _internet_usd(engine) == pytest.approx((10 * 1024 - 1) * 0.09, abs=1e-3)


def test_just_over_10_tb_past_the_allowance_the_rest_pays_the_second_tier(store, tmp_path):
    engine = _store(store, tmp_path, _whole_month(100 * GB + 10 * TB + GB))
    assert _internet_usd(engine) == pytest.approx(10 * 1024 * 0.09 + 1 * 0.085, abs=1e-3)


def test_each_group_pays_the_blended_rate_and_the_groups_add_up_to_the_month(store, tmp_path):
    engine = _store(store, tmp_path, _whole_month(15 * TB, sender="web") + _whole_month(5 * TB, sender="api"))
    rows = {r["interface"]: r["usd"] for r in cost(engine, "interface").rows}
    month = 10 * 1024 * 0.09 + (20 * 1024 - 100 - 10 * 1024) * 0.085
    assert sum(rows.values()) == pytest.approx(month, abs=1e-3)
    assert rows["eni-0aaaaaaaaaaaaaaa1"] == pytest.approx(rows["eni-0aaaaaaaaaaaaaaa2"] * 3, rel=1e-6)


def test_each_calendar_month_has_its_own_allowance_and_tiers(store, tmp_path):
    # January sends 10 TB past its allowance, February only its allowance: one lump would price 100 GB more
    engine = _store(store, tmp_path, _whole_month(100 * GB + 10 * TB) + _whole_month(100 * GB, FEB, MAR))
    result = cost(engine, "path")
    months = {m.month: m for m in result.internet_egress}
    assert set(months) == {"2026-01", "2026-02"}
    assert months["2026-01"].usd == pytest.approx(10 * 1024 * 0.09, abs=1e-3)
    assert months["2026-02"].usd == 0.0
    assert result.usd == pytest.approx(10 * 1024 * 0.09, abs=1e-3)


def test_each_cost_row_holds_one_calendar_months_bytes(store, tmp_path):
    engine = _store(store, tmp_path, _whole_month(100 * GB + 10 * TB) + _whole_month(100 * GB, FEB, MAR))
    rows = [r for r in cost_rows(engine, "interface", monthly=True) if r["billed"]]
    assert sorted((r["month"], r["bytes"]) for r in rows) == [(202601, 100 * GB + 10 * TB), (202602, 100 * GB)]


def test_by_interface_each_month_of_a_two_month_store_has_its_own_allowance(store, tmp_path):
    engine = _store(store, tmp_path, _whole_month(100 * GB + 10 * TB) + _whole_month(100 * GB, FEB, MAR))
    by_interface, by_path = cost(engine, "interface"), cost(engine, "path")
    assert by_interface.internet_egress == by_path.internet_egress
    assert [(m.month, m.bytes) for m in by_interface.internet_egress] == [("2026-01", 100 * GB + 10 * TB),
                                                                         ("2026-02", 100 * GB)]
    assert by_interface.usd == pytest.approx(10 * 1024 * 0.09, abs=1e-3)


def test_by_day_each_day_pays_its_own_months_rate(store, tmp_path):
    engine = _store(store, tmp_path, _whole_month(100 * GB + 10 * TB) + _whole_month(100 * GB, FEB, MAR))
    days = {datetime.fromtimestamp(int(r["day"]), UTC).strftime("%m-%d"): r["usd"] for r in cost(engine, "day").rows}
    assert days["02-01"] == days["02-28"] == 0.0
    assert days["01-01"] + days["01-31"] == pytest.approx(10 * 1024 * 0.09, abs=1e-3)


def test_a_partial_month_is_priced_at_its_pace_and_says_so(store, tmp_path):
    # one day of a 31-day month: 10 GB a day is 310 GB a month, of which 100 GB free
    engine = _store(store, tmp_path, [_out(JAN, JAN + 60, 10 * GB - 1000), _out(JAN + DAY - 60, JAN + DAY, 1000)])
    result = cost(engine, "path")
    assert result.usd == pytest.approx((310 - 100) * 0.09 / 31, abs=1e-4)
    assert result.internet_egress[0].covered == pytest.approx(1 / 31)
    assert any("2026-01 (3.23%)" in note and "pace" in note for note in result.notes())


def test_an_override_replaces_the_tiers_and_the_allowance(store, tmp_path):
    engine = _store(store, tmp_path, _whole_month(3 * 1024 * GB))
    prices = prices_for("us-east-1", {"us-east-1": {"internet_egress_tiers": [[1024, 0.2], ["rest", 0.1]],
                                                   "internet_egress_free_gb": 0}})
    assert prices.internet_egress_tiers == ((1024.0, 0.2), (None, 0.1))
    assert _internet_usd(engine, prices=prices) == pytest.approx(1024 * 0.2 + 2048 * 0.1, abs=1e-3)


def test_vpcflow_toml_overrides_the_tiers_for_the_cli(db_path, tmp_path, cli, monkeypatch):
    with Store(db_path) as store:
        _store(store, tmp_path, _whole_month(200 * GB))
    toml = tmp_path / "vpcflow.toml"
    toml.write_text('[cost.prices.us-east-1]\ninternet_egress_free_gb = 50\n'
                    'internet_egress_tiers = [[10240, 0.5], ["rest", 0.1]]\n')
    monkeypatch.setenv("VPCFLOW_CONFIG", str(toml))
    result = cli("cost", "--db", db_path, "-o", "json")
    assert result.code == 0, result.err
    assert result.json()[0]["usd"] == pytest.approx(150 * 0.5, abs=1e-3)


def test_tokyo_just_over_10_tb_past_the_allowance_the_rest_pays_tokyos_second_tier(store, tmp_path):
    engine = _store(store, tmp_path, _whole_month(100 * GB + 10 * TB + GB))
    tokyo = prices_for("ap-northeast-1")
    assert _internet_usd(engine, prices=tokyo) == pytest.approx(10 * 1024 * 0.114 + 1 * 0.089, abs=1e-3)


def test_tokyo_past_150_tb_pays_each_of_its_four_tiers(store, tmp_path):
    engine = _store(store, tmp_path, _whole_month(100 * GB + 150 * TB + 10 * GB))
    tokyo = prices_for("ap-northeast-1")
    month = 10 * 1024 * 0.114 + 40 * 1024 * 0.089 + 100 * 1024 * 0.086 + 10 * 0.084
    assert _internet_usd(engine, prices=tokyo) == pytest.approx(month, abs=1e-2)
