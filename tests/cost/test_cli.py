"""`vpcflow cost`: JSON rows with the group's key, bytes and usd; the what-ifs; the flow logs' bill."""

from __future__ import annotations


def test_cost_by_path_prints_path_bytes_and_usd(cli, emulated):
    db, truth = emulated("default")
    result = cli("cost", "--db", db, "--topology", "cost-demo", "-o", "json")
    assert result.code == 0, result.err
    rows = result.json()
    assert {r["path"]: r["bytes"] for r in rows} == truth
    assert all(r["usd"] >= 0 for r in rows) and rows[0]["usd"] == max(r["usd"] for r in rows)


def test_cost_by_az_groups_by_the_sending_interface_zone(cli, emulated):
    db, _ = emulated("all")
    rows = cli("cost", "--db", db, "--by", "az", "-o", "json").json()
    assert {r["az"] for r in rows} == {"use1-az1", "use1-az2"}


def test_without_topology_the_unknown_bytes_are_said(cli, emulated):
    db, _ = emulated("default")
    result = cli("cost", "--db", db, "-o", "json")
    assert [r["path"] for r in result.json()] == ["unknown"]
    assert "no known path" in result.err


def test_what_if_rows_name_bytes_and_savings(cli, emulated):
    db, _ = emulated("all")
    rows = cli("cost", "--db", db, "--what-if", "-o", "json").json()
    assert len(rows) == 3 and all({"what_if", "bytes", "usd_saved"} <= set(r) for r in rows)
    assert rows[0]["usd_saved"] > 0


def test_flow_logs_bill_names_each_destination(cli, emulated):
    db, _ = emulated("default")
    rows = cli("cost", "--db", db, "--flow-logs", "--destination", "s3", "-o", "json").json()
    assert {r["destination"] for r in rows if r["change"] == "as is"} == {"cloudwatch-logs", "s3-text",
                                                                         "s3-parquet", "firehose"}
    assert all("usd" in r for r in rows)


def test_an_unknown_grouping_is_refused(cli, emulated):
    db, _ = emulated("default")
    result = cli("cost", "--db", db, "--by", "port")
    assert result.code == 1 and "cannot group cost by 'port'" in result.err
