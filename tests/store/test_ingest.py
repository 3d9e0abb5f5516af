"""Ingest: formats told from the data, exactly-once, the ledger, inputs of every kind."""

from __future__ import annotations

import gzip
import os
import signal
import subprocess
import sys

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from vpcflow.fields import DEFAULT, LogFormat
from vpcflow.store import Store

SSH = "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK"
RDP = "2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK"


def write(path, *lines, gz=False):
    data = ("\n".join(lines) + "\n").encode()
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def rows(store, sql="SELECT * FROM flows ORDER BY srcaddr"):
    return store.query(sql).to_pylist()


def test_a_record_without_header_is_read_in_the_default_format(store, tmp_path):
    result = store.ingest(write(tmp_path / "a.log", SSH, RDP))
    assert (result.records, result.quarantined, result.sources) == (2, 0, 1)
    assert rows(store)[0]["dstport"] == 22


def test_an_s3_header_line_sets_the_field_order(store, tmp_path):
    fmt = LogFormat.parse("${srcaddr} ${dstaddr} ${action} ${tcp-flags}")
    store.ingest(write(tmp_path / "h.log.gz", fmt.header(), "10.0.0.1 10.0.0.2 ACCEPT 18", gz=True))
    assert rows(store, "SELECT srcaddr, dstaddr, action, tcp_flags FROM flows") == [
        {"srcaddr": "10.0.0.1", "dstaddr": "10.0.0.2", "action": "ACCEPT", "tcp_flags": 18}]


def test_repeated_header_lines_and_blank_lines_are_passed_over(store, tmp_path):
    result = store.ingest(write(tmp_path / "r.log", DEFAULT.header(), SSH, "", "   ", DEFAULT.header(), RDP))
    assert (result.records, result.quarantined) == (2, 0)


def test_given_format_wins_over_the_default(store, tmp_path):
    result = store.ingest(write(tmp_path / "c.log", "eni-1 10.0.0.1 10.0.0.2"), format="${interface-id} ${srcaddr} ${dstaddr}")
    assert result.records == 1


def test_the_same_source_twice_is_a_no_op(store, tmp_path):
    path = write(tmp_path / "a.log", SSH, RDP)
    store.ingest(path)
    again = store.ingest(path)
    assert (again.records, again.sources, again.skipped_sources) == (0, 0, 1)
    assert store.stats()["records"] == 2


def test_touched_but_unchanged_content_is_not_ingested_twice(store, tmp_path):
    path = write(tmp_path / "a.log", SSH)
    store.ingest(path)
    os.utime(path, ns=(1, 1))
    assert store.ingest(path).skipped_sources == 1


def test_the_ledger_records_identity_size_checksum_and_counts(store, tmp_path):
    path = write(tmp_path / "a.log", SSH, "garbage")
    store.ingest(path)
    (src,) = store.sources().to_pylist()
    assert src["identity"] == str(path.resolve())
    assert src["size"] == path.stat().st_size
    assert len(src["checksum"]) == 64
    assert (src["records"], src["quarantined"]) == (1, 1)


def test_a_dash_is_null_in_every_column(store, tmp_path):
    store.ingest(write(tmp_path / "n.log", "2 123456789010 eni-1 - - - - - - - 1431280876 1431280934 - NODATA"))
    (r,) = rows(store)
    assert r["srcport"] is None and r["action"] is None and r["log_status"] == "NODATA"


def test_account_id_keeps_leading_zeros_and_unknown(store, tmp_path):
    store.ingest(write(tmp_path / "a.log", SSH.replace("123456789010", "000000000007"),
                       RDP.replace("123456789010", "unknown")))
    assert sorted(r["account_id"] for r in rows(store)) == ["000000000007", "unknown"]


def test_millisecond_start_and_end_become_seconds(store, tmp_path):
    store.ingest(write(tmp_path / "ms.log", SSH.replace("1418530010 1418530070", "1418530010000 1418530070000")))
    (r,) = rows(store)
    assert (r["start"], r["end"]) == (1418530010, 1418530070)


def test_a_console_copy_with_clock_prefix_and_padding_is_read(store, tmp_path):
    line = "18:34:26 2 566667777886 eni-86d38dee 123.108.200.124  10.244.0.139    123     38270 17 1  76   1490121266 1490121326 ACCEPT OK"
    assert store.ingest(write(tmp_path / "c.txt", line)).records == 1


def test_a_cloudwatch_export_keeps_its_timestamp_as_event_time_and_its_stream(store, tmp_path):
    folder = tmp_path / "exportedlogs" / "task" / "eni-1235b8ca123456789-all"
    folder.mkdir(parents=True)
    write(folder / "000000.gz", "2014-12-14T04:06:50.000Z " + SSH, gz=True)
    store.ingest(tmp_path)
    (r,) = rows(store)
    assert r["event_time"].isoformat() == "2014-12-14T04:06:50+00:00"
    assert r["log_stream"] == "eni-1235b8ca123456789-all"


def test_ipv6_addresses_are_kept(store, tmp_path):
    line = ("2 123456789010 eni-1235b8ca123456789 2001:db8:1234:a100:8d6e:3477:df66:f105 "
            "2001:db8:1234:a102:3304:8879:34cf:4071 34892 22 6 54 8855 1477913708 1477913820 ACCEPT OK")
    store.ingest(write(tmp_path / "6.log", line))
    assert rows(store)[0]["dstaddr"] == "2001:db8:1234:a102:3304:8879:34cf:4071"


def test_a_header_field_vpcflow_does_not_know_becomes_a_text_column(store, tmp_path):
    result = store.ingest(write(tmp_path / "u.log", "srcaddr dstaddr shiny-new-field", "10.0.0.1 10.0.0.2 hello"))
    assert result.records == 1
    assert rows(store, "SELECT shiny_new_field FROM flows") == [{"shiny_new_field": "hello"}]


def test_parquet_with_aws_column_names_and_types(store, tmp_path):
    table = pa.table({
        "version": pa.array([5], pa.int32()), "account_id": ["000123456789"], "srcaddr": ["10.0.0.1"],
        "dstaddr": ["10.0.0.2"], "srcport": pa.array([443], pa.int32()), "packets": pa.array([3], pa.int64()),
        "start": pa.array([1700000000], pa.int64()), "action": ["ACCEPT"], "log_status": ["OK"],
    })
    pq.write_table(table, tmp_path / "x.log.parquet")
    assert store.ingest(tmp_path / "x.log.parquet").records == 1
    assert rows(store, "SELECT account_id, srcport, packets FROM flows") == [
        {"account_id": "000123456789", "srcport": 443, "packets": 3}]


def test_parquet_values_out_of_range_are_quarantined_with_their_row(store, tmp_path):
    pq.write_table(pa.table({"srcaddr": ["10.0.0.1", "10.0.0.2"], "srcport": pa.array([80, 70000], pa.int32())}),
                   tmp_path / "bad.parquet")
    result = store.ingest(tmp_path / "bad.parquet")
    assert (result.records, result.quarantined) == (1, 1)
    (q,) = store.quarantine().to_pylist()
    assert q["line"] == 2 and "srcport: above 65535" in q["reason"]


def test_directories_are_read_recursively_and_non_log_files_left_alone(store, tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    write(tmp_path / "a" / "one.log", SSH)
    write(tmp_path / "a" / "b" / "two.log.gz", RDP, gz=True)
    (tmp_path / "a" / "labels.jsonl").write_text('{"kind": "scan"}\n')
    result = store.ingest(tmp_path / "a")
    assert (result.records, result.sources, result.quarantined) == (2, 2, 0)


def test_since_and_until_prune_files_by_the_date_in_their_key(store, tmp_path):
    for day in ("18", "20", "22"):
        folder = tmp_path / "AWSLogs" / "123456789010" / "vpcflowlogs" / "us-east-1" / "2018" / "06" / day
        folder.mkdir(parents=True)
        write(folder / f"123456789010_vpcflowlogs_us-east-1_fl-1234abcd_201806{day}T1620Z_fe123456.log.gz",
              DEFAULT.header(), SSH, gz=True)
    from vpcflow.timeutil import parse_time
    result = store.ingest(tmp_path, since=parse_time("2018-06-20"), until=parse_time("2018-06-21"))
    assert result.sources == 1
    assert "/2018/06/20/" in store.sources().to_pylist()[0]["identity"]


def test_hive_layout_dates_prune_too(store, tmp_path):
    for day in ("01", "02"):
        folder = (tmp_path / "AWSLogs" / "aws-account-id=123456789010" / "aws-service=vpcflowlogs" /
                  "aws-region=us-east-1" / "year=2021" / "month=04" / f"day={day}" / "hour=00")
        folder.mkdir(parents=True)
        write(folder / "x.log.gz", DEFAULT.header(), SSH, gz=True)
    from vpcflow.timeutil import parse_time
    assert store.ingest(tmp_path, since=parse_time("2021-04-02")).sources == 1


def test_stdin_is_a_source(cli, db_path):
    result = cli("ingest", "-", "--db", db_path, "--output", "json", stdin=(SSH + "\n").encode())
    assert result.code == 0 and result.json()["records"] == 1


# A child that ingests in steps of 1000 records and, after its first step has committed, waits to be killed.
KILLED_MID_SOURCE = """
import sys, time
import vpcflow.store.ingest as ingest
from vpcflow.store import Store
ingest.COMMIT_ROWS = 1000

def wait_for_the_kill(source, records, raw_bytes):
    print(records, flush=True)
    time.sleep(600)

with Store(sys.argv[1]) as store:
    store.ingest(sys.argv[2], progress=wait_for_the_kill)
"""


def test_a_source_killed_mid_ingest_is_wholly_absent_then_ingested_exactly_once(tmp_path):
    big = tmp_path / "big.log"  # 6 MB: past the small-source size, so it streams and commits in steps
    big.write_text("".join(SSH.replace("20641", str(i % 65536)) + "\n" for i in range(60_000)))
    db = tmp_path / "k.duckdb"
    proc = subprocess.Popen([sys.executable, "-c", KILLED_MID_SOURCE, str(db), str(big)],
                            stdout=subprocess.PIPE, text=True)
    committed = int(proc.stdout.readline())  # blocks until the child's first step has committed
    proc.send_signal(signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL
    con = duckdb.connect(str(db), read_only=True)  # the file as the kill left it: some steps of one source
    assert 0 < committed < 60_000
    assert con.execute("SELECT count(*) FROM flow_records").fetchall() == [(committed,)]
    assert con.execute("SELECT status FROM sources").fetchall() == [("loading",)]
    con.close()
    with Store(db) as store:  # opening deletes the unfinished source
        assert (store.stats()["records"], store.stats()["sources"]) == (0, 0)
        first = store.ingest(big)
        again = store.ingest(big)
        assert (first.records, first.sources) == (60_000, 1)
        assert again.records == 0
        assert (store.stats()["records"], store.stats()["sources"]) == (60_000, 1)


def test_a_large_source_interrupted_after_some_steps_is_purged_on_open_and_read_whole(tmp_path, monkeypatch):
    import vpcflow.store.ingest as ingest
    import vpcflow.store.prepare as prepare

    monkeypatch.setattr(ingest, "COMMIT_ROWS", 1000)  # commit in steps of 1000 records
    big = tmp_path / "big.log"
    big.write_text("".join(SSH.replace("20641", str(i % 60000)) + "\n" for i in range(20_000)))
    monkeypatch.setattr(prepare, "is_small", lambda src: False)
    db = tmp_path / "s.duckdb"

    def crash(source, records, raw_bytes):
        if records > 5000:
            raise KeyboardInterrupt  # a kill after some steps have committed

    with Store(db) as store:
        try:
            store.ingest(big, progress=crash)
        except KeyboardInterrupt:
            pass
        assert store.query("SELECT count(*) AS n FROM flow_records").to_pylist()[0]["n"] > 0  # steps committed
    with Store(db) as store:  # opening deletes the unfinished source
        assert store.stats()["records"] == 0 and store.stats()["sources"] == 0
        result = store.ingest(big)
        assert (result.records, result.sources) == (20_000, 1)
        assert store.sources().to_pylist()[0]["status"] == "ok"
