"""Threat lists with categories: plain lists take the category given with the file, CSVs carry their own."""

from __future__ import annotations

import pytest

from vpcflow.detect.catalog.common import listed
from vpcflow.detect.catalog.dns import public_resolvers
from vpcflow.detect.lists import categories_loaded, load_lists, parse_list
from vpcflow.errors import VpcFlowError
from vpcflow.store import Store


def test_a_plain_list_takes_the_category_given():
    assert parse_list("# relays\n185.220.100.1\n185.220.101.0/24\n", category="tor-relay") == [
        ("185.220.100.1/32", 3118228481, 3118228481, "tor-relay"),
        ("185.220.101.0/24", 3118228736, 3118228991, "tor-relay")]


def test_a_plain_list_without_a_category_is_custom():
    assert parse_list("192.0.2.1\n")[0][3] == "custom"


def test_a_csv_carries_a_category_per_row():
    rows = parse_list("network,category,source\n45.33.1.200,c2,feed\n2001:db8:c2::1,c2,feed\n45.33.1.133,mining-pool,x\n")
    assert [(r[0], r[3]) for r in rows] == [("45.33.1.200/32", "c2"), ("2001:db8:c2::1", "c2"),
                                            ("45.33.1.133/32", "mining-pool")]


def test_an_unknown_category_names_the_line():
    with pytest.raises(VpcFlowError) as err:
        parse_list("network,category\n45.33.1.200,malware\n", "feeds.csv")
    assert err.value.location == "feeds.csv:2" and "unknown threat-list category 'malware'" in err.value.message


def test_loaded_lists_are_counted_per_category(tmp_path):
    relays, feeds = tmp_path / "relays.txt", tmp_path / "feeds.csv"
    relays.write_text("185.220.100.1\n185.220.100.2\n")
    feeds.write_text("network,category\n45.33.1.200,c2\n")
    with Store(tmp_path / "s.duckdb") as store:
        load_lists(store.con, [(relays, "tor-relay"), (feeds, None)])
        assert categories_loaded(store.con) == {"c2": 1, "tor-relay": 2}


def test_the_shipped_resolver_list_has_well_known_resolvers():
    assert {"1.1.1.1", "8.8.8.8", "9.9.9.9", "2620:fe::fe"} <= set(public_resolvers("dot-resolver"))


def test_listed_matches_ipv4_by_range_and_ipv6_by_address_in_the_category_asked(tmp_path):
    feeds = tmp_path / "feeds.csv"
    feeds.write_text("network,category\n185.220.101.0/24,tor-relay\n45.33.1.200,c2\n2001:db8:c2::1,tor-relay\n")
    seen = ["185.220.101.7", "185.220.102.7", "45.33.1.200", "2001:DB8:C2::1", "2001:db8:c2::2"]
    addresses = " UNION ALL ".join(f"SELECT '{a}' AS address" for a in seen)
    with Store(tmp_path / "s.duckdb") as store:
        load_lists(store.con, [(feeds, None)])
        hits = store.con.execute(listed(addresses, "t.list = 'tor-relay'")).fetchall()
    assert sorted(a for (a,) in hits) == ["185.220.101.7", "2001:DB8:C2::1"]
