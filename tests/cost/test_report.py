"""The report's Cost section over a cost-demo store."""

from __future__ import annotations

import duckdb

from vpcflow.report.html import report_data, write_report


def test_the_section_lists_every_path_with_its_bytes_and_the_what_ifs(emulated, tmp_path):
    db, truth = emulated("default")
    con = duckdb.connect(str(db), read_only=True)
    try:
        data = report_data(con, topology="cost-demo")["cost"]
        path = write_report(con, tmp_path / "report.html", topology="cost-demo")
    finally:
        con.close()
    assert {r["path"]: r["bytes"] for r in data["paths"]} == truth
    assert len(data["what_ifs"]) == 3 and not any("no known path" in n for n in data["notes"])
    html = path.read_text()
    assert 'id="cost"' in html and all(f"<td>{p}</td>" in html for p in truth)
    assert "gateway endpoints for S3 and DynamoDB instead of the NAT gateway" in html


def test_without_topology_the_section_says_what_it_could_not_place(emulated):
    db, _ = emulated("default")
    con = duckdb.connect(str(db), read_only=True)
    try:
        data = report_data(con)["cost"]
    finally:
        con.close()
    assert "--topology" in data["message"] and "no known path" in data["notes"][0]
