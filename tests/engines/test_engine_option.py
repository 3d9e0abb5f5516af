"""`--engine spark` on `top` and `query` gives what the DuckDB store gives."""

from __future__ import annotations


def test_top_on_spark_equals_top_on_the_store(cli, spark, zoo):
    args = ("top", "--by", "pair", "--metric", "bytes", "-n", "5", "-o", "json")
    local = cli(*args, "--db", zoo / "zoo.duckdb").json()
    remote = cli(*args, "--engine", "spark", "--lake", zoo / "lake")
    assert remote.code == 0, remote.err
    assert remote.json() == local


def test_query_on_spark_equals_query_on_the_store(cli, spark, zoo):
    sql = "SELECT action, count(*) AS n FROM flows WHERE log_status = 'OK' GROUP BY action ORDER BY action"
    local = cli("query", sql, "--db", zoo / "zoo.duckdb", "-o", "json").json()
    remote = cli("query", sql, "--engine", "spark", "--lake", zoo / "lake", "-o", "json")
    assert remote.code == 0, remote.err
    assert remote.json() == local


def test_an_unknown_engine_is_a_one_line_error(cli, zoo):
    result = cli("top", "--engine", "oracle", "--db", zoo / "zoo.duckdb")
    assert result.code == 1 and "unknown engine 'oracle'" in result.err


def test_export_parquet_to_a_folder_writes_a_lake_spark_reads(cli, spark, zoo, tmp_path):
    result = cli("export", "parquet", f"{tmp_path}/lake/", "--db", zoo / "zoo.duckdb", "-o", "json")
    assert result.code == 0, result.err
    assert sorted(p.name for p in (tmp_path / "lake").iterdir())[0].startswith("day=")
    sql = "SELECT count(*) AS n FROM flows"
    local = cli("query", sql, "--db", zoo / "zoo.duckdb", "-o", "json").json()
    assert cli("query", sql, "--engine", "spark", "--lake", tmp_path / "lake", "-o", "json").json() == local
    assert result.json()["records"] == local[0]["n"]


def test_detect_on_spark_finds_what_the_store_finds(cli, spark, zoo, tmp_path):
    import shutil

    db = tmp_path / "zoo.duckdb"
    shutil.copy(zoo / "zoo.duckdb", db)  # detect writes its findings table into the store it reads
    local = cli("detect", "--db", db, "-o", "json")
    remote = cli("detect", "--engine", "spark", "--lake", zoo / "lake", "-o", "json")
    assert local.code == 0 and remote.code == 0, remote.err
    key = lambda f: (f["detector"], f["src"] or "", f["dst"] or "", f["first_seen"])  # noqa: E731
    expected = sorted((f for f in local.json() if f["detector"] != "known-bad-peer"), key=key)
    assert len(expected) >= 8
    assert sorted(remote.json(), key=key) == expected


def test_detect_status_on_spark_is_the_status_the_store_reports(cli, spark, zoo, tmp_path):
    import shutil

    db = tmp_path / "zoo.duckdb"
    shutil.copy(zoo / "zoo.duckdb", db)
    local = cli("detect", "--db", db, "--status", "-o", "json")
    remote = cli("detect", "--engine", "spark", "--lake", zoo / "lake", "--status", "-o", "json")
    assert local.code == 0 and remote.code == 0, remote.err
    assert remote.json() == local.json()
    assert {"detector": "known-bad-peer", "status": "cannot-run", "findings": 0,
            "note": "no threat list loaded (give --threat-list FILE)"} in remote.json()


def test_detect_on_spark_refuses_a_threat_list_it_would_not_read(cli, zoo, tmp_path):
    listed = tmp_path / "bad.txt"
    listed.write_text("203.0.113.9\n")
    result = cli("detect", "--engine", "spark", "--lake", zoo / "lake", "--threat-list", listed)
    assert result.code == 1 and "--threat-list and --topology load into the store" in result.err
