"""Bad input: each case gives a clear error or a quarantined line with its location; good records are kept."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

from vpcflow.fields.formats import STORE_UNKNOWN_LIMIT, UNKNOWN_LIMIT
from vpcflow.store.schema import present_columns

SSH = "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK"


def quarantined(store):
    return [(q["line"], q["reason"]) for q in store.quarantine().to_pylist()]


def test_wrong_field_count_is_quarantined_with_its_line(store, tmp_path):
    (tmp_path / "a.log").write_text(f"{SSH}\n{SSH} extra\n{SSH}\n")
    result = store.ingest(tmp_path / "a.log")
    assert (result.records, result.quarantined) == (2, 1)
    assert quarantined(store) == [(2, "15 fields, format has 14")]


def test_the_console_example_quarantines_the_split_address_at_line_3(store, tmp_path):
    (tmp_path / "c.txt").write_text(
        "18:34:26 2 566667777886 eni-86d38dee 123.108.200.124  10.244.0.139    123     38270 17 1  76   1490121266 1490121326 ACCEPT OK\n"
        "18:34:26 2 566667777886 eni-86d38dee 94.233.207.244   10.244.0.139    8131    23    6  1  40   1490121266 1490121326 REJECT OK\n"
        "18:34:26 2 566667777886 eni-86d38dee 10.244.0.139     139.59.32.74 3  5676    123   17 1  76   1490121266 1490121326 ACCEPT OK\n")
    result = store.ingest(tmp_path / "c.txt")
    assert (result.records, result.quarantined) == (2, 1)
    assert quarantined(store) == [(3, "15 fields, format has 14")]


def test_non_numeric_values_in_numeric_fields_are_quarantined(store, tmp_path):
    (tmp_path / "a.log").write_text(SSH.replace(" 20 4249 ", " twenty 4249 ") + "\n" + SSH + "\n")
    store.ingest(tmp_path / "a.log")
    assert quarantined(store) == [(1, "packets: not an integer: twenty")]
    assert store.stats()["records"] == 1


def test_out_of_range_ports_are_quarantined(store, tmp_path):
    (tmp_path / "a.log").write_text(SSH.replace(" 20641 22 ", " 20641 65536 ") + "\n")
    store.ingest(tmp_path / "a.log")
    assert quarantined(store) == [(1, "dstport: above 65535: 65536")]


def test_an_action_aws_never_writes_is_quarantined(store, tmp_path):
    (tmp_path / "a.log").write_text(SSH.replace("ACCEPT", "MAYBE") + "\n")
    store.ingest(tmp_path / "a.log")
    assert quarantined(store) == [(1, "action: not one of ACCEPT/REJECT: MAYBE")]


def test_non_utf8_bytes_quarantine_the_line_and_keep_the_others(store, tmp_path):
    (tmp_path / "a.log").write_bytes(SSH.encode() + b"\n2 12345 eni-\xff\xfe bad\n" + SSH.encode() + b"\n")
    result = store.ingest(tmp_path / "a.log")
    assert (result.records, result.quarantined) == (2, 1)
    assert quarantined(store)[0][0] == 2 and "not UTF-8" in quarantined(store)[0][1]


def test_binary_junk_is_quarantined_and_nothing_crashes(store, tmp_path):
    junk = bytes(range(256)) * 40
    (tmp_path / "a.log").write_bytes(SSH.encode() + b"\n" + junk + b"\n" + SSH.encode() + b"\n")
    result = store.ingest(tmp_path / "a.log")
    assert result.records == 2 and result.quarantined >= 1
    assert not result.errors


def test_a_10_mb_line_is_quarantined_and_the_lines_around_it_kept(store, tmp_path):
    (tmp_path / "a.log").write_bytes(SSH.encode() + b"\n" + b"x" * (10 << 20) + b"\n" + SSH.encode() + b"\n")
    result = store.ingest(tmp_path / "a.log")
    assert (result.records, result.quarantined) == (2, 1)
    line, reason = quarantined(store)[0]
    assert line == 2 and "over 1,048,576 bytes" in reason
    assert len(store.quarantine().to_pylist()[0]["text"]) <= 4096


def test_a_truncated_gzip_keeps_what_came_before_and_says_where_it_stopped(store, tmp_path):
    data = gzip.compress(("\n".join([SSH] * 5000) + "\n").encode())
    (tmp_path / "t.log.gz").write_bytes(data[: len(data) // 2])
    result = store.ingest(tmp_path / "t.log.gz")
    assert 0 < result.records < 5000
    assert "truncated" in result.details[0].message
    assert any("truncated" in reason for _, reason in quarantined(store))


def _corrupt_gzips(folder):
    """A good file between a bit-flipped gzip and one with bytes after its end (issue 24: isal's error escaped)."""
    data = gzip.compress(("\n".join(SSH.replace("20641", str(i)) for i in range(20_000)) + "\n").encode())
    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 0x40
    (folder / "a-flipped.log.gz").write_bytes(bytes(flipped))
    (folder / "b-good.log.gz").write_bytes(gzip.compress((SSH + "\n").encode()))
    (folder / "c-trailing.log.gz").write_bytes(data + b"trailing garbage")
    return folder


def test_corrupt_gzips_are_reported_at_their_place_and_the_good_file_beside_them_goes_in(store, tmp_path):
    result = store.ingest(_corrupt_gzips(tmp_path))
    assert (result.sources, result.errors) == (3, [])
    warned = {w.source.rsplit("/", 1)[1]: w.message for w in result.warnings}
    assert sorted(warned) == ["a-flipped.log.gz", "c-trailing.log.gz"]
    assert all("truncated or corrupt after" in m and "bytes" in m for m in warned.values())
    by_file = {s["identity"].rsplit("/", 1)[1]: s["records"] for s in store.sources().to_pylist()}
    assert by_file["b-good.log.gz"] == 1 and by_file["c-trailing.log.gz"] == 20_000


def test_corrupt_gzips_read_like_they_ingest(tmp_path):
    from vpcflow.reader import read

    parts = list(read(_corrupt_gzips(tmp_path)))
    assert [p.error for p in parts] == [None, None, None]
    cut = {p.source.rsplit("/", 1)[1] for p in parts if p.message}
    assert cut == {"a-flipped.log.gz", "c-trailing.log.gz"}
    assert sum(p.records.num_rows for p in parts if p.source.endswith("b-good.log.gz")) == 1


def test_a_fifo_in_a_folder_is_named_and_left_alone_and_the_rest_goes_in(tmp_path):
    """It would block the walk forever waiting for a writer (issue 24 item 4)."""
    folder = tmp_path / "flows"
    folder.mkdir()
    (folder / "a.log").write_text(SSH + "\n")
    os.mkfifo(folder / "b.log")
    db = tmp_path / "s.duckdb"
    vpcflow = Path(sys.executable).parent / "vpcflow"
    proc = subprocess.Popen([str(vpcflow), "ingest", str(folder), "--db", str(db), "-o", "json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    summary = json.loads(out)
    assert (summary["records"], summary["sources"], summary["failed_sources"]) == (1, 1, 1)
    assert summary["errors"] == [{"source": str(folder / "b.log"),
                                  "error": f"{folder / 'b.log'}: not a regular file (a pipe, socket or device): left alone"}]


def test_a_pipe_given_by_name_is_read_as_a_stream(store):
    """As the shell's <(zcat flows.log.gz) gives it: /dev/fd/N, whose target is no path."""
    read_end, write_end = os.pipe()
    writer = threading.Thread(target=lambda: (os.write(write_end, (SSH + "\n").encode() * 3), os.close(write_end)))
    writer.start()
    try:
        result = store.ingest(f"/dev/fd/{read_end}")
    finally:
        writer.join()
        os.close(read_end)
    assert (result.records, result.sources, result.errors) == (3, 1, [])


def test_a_gzip_bomb_is_refused_with_a_clear_error(store, tmp_path):
    member = gzip.compress(b"\0" * (4 << 20), 9)  # 4 MiB of zeros in a few KB; members concatenate
    (tmp_path / "bomb.log.gz").write_bytes(member * 100)
    result = store.ingest(tmp_path / "bomb.log.gz")
    assert result.failed_sources == 1
    assert "gzip bomb" in result.errors[0].message and "bomb.log.gz" in result.errors[0].message
    assert store.stats()["sources"] == 0


def test_an_empty_file_is_ingested_as_an_empty_source(store, tmp_path):
    (tmp_path / "empty.log").write_bytes(b"")
    result = store.ingest(tmp_path / "empty.log")
    assert (result.records, result.quarantined, result.sources) == (0, 0, 1)


def test_a_header_that_disagrees_with_the_given_format_is_an_error_naming_the_file(store, tmp_path):
    (tmp_path / "h.log").write_text("srcaddr dstaddr\n10.0.0.1 10.0.0.2\n")
    result = store.ingest(tmp_path / "h.log", format="${srcaddr} ${dstaddr} ${action}")
    assert result.failed_sources == 1
    assert "h.log:1: header disagrees with the given format" in result.errors[0].message


def test_a_directory_with_an_unreadable_file_ingests_the_rest_and_names_it(store, tmp_path):
    (tmp_path / "good.log").write_text(SSH + "\n")
    os.symlink(tmp_path / "gone", tmp_path / "broken.log")
    result = store.ingest(tmp_path)
    assert result.records == 1
    assert result.failed_sources == 1 and "broken.log" in result.errors[0].message


def test_lines_of_unknown_shape_are_quarantined_with_advice_to_pass_format(store, tmp_path):
    (tmp_path / "x.log").write_text("a b c\nd e f\n")
    result = store.ingest(tmp_path / "x.log")
    assert (result.records, result.quarantined) == (0, 2)
    assert all("pass --format" in reason for _, reason in quarantined(store))
    assert "pass --format" in result.details[0].message


def test_a_missing_path_is_a_one_line_error_with_exit_code_1(cli, db_path):
    result = cli("ingest", "/nope/none.log", "--db", db_path)
    assert result.code == 1
    assert "/nope/none.log: no such file or directory" in result.err
    assert "Traceback" not in result.err


def test_an_error_naming_a_path_with_brackets_prints_it_as_written(cli, db_path):
    result = cli("ingest", "/nope/[/x]/y.log", "--db", db_path)
    assert result.code == 1
    assert "/nope/[/x]/y.log: no such file or directory" in result.err


def test_a_header_naming_an_internal_column_fails_that_file_at_line_1_and_the_rest_goes_in(store, tmp_path):
    (tmp_path / "good.log").write_text(SSH + "\n")
    for name in ("source_id", "log_stream", "event_time"):
        (tmp_path / f"{name}.log").write_text(f"srcaddr dstaddr {name}\n10.0.0.1 10.0.0.2 x\n")
    result = store.ingest(tmp_path)
    assert result.records == 1 and result.failed_sources == 3
    for name in ("source_id", "log_stream", "event_time"):
        assert any(f"{name}.log:1: header names {name!r}" in e.message for e in result.errors)


def _unknown_header(names: list[str]) -> str:
    return "srcaddr dstaddr " + " ".join(names) + "\n10.0.0.1 10.0.0.2 " + " ".join("x" for _ in names) + "\n"


def test_a_header_of_hundreds_of_unknown_names_fails_at_line_1_and_adds_no_column(store, tmp_path):
    (tmp_path / "wide.log").write_text(_unknown_header([f"junk{i}" for i in range(300)]))
    result = store.ingest(tmp_path / "wide.log")
    assert result.failed_sources == 1
    assert "wide.log:1: header names 300 fields vpcflow does not know" in result.errors[0].message
    assert not [c for c in present_columns(store.con) if c.startswith("junk")]


def test_unknown_fields_add_columns_to_the_store_up_to_a_bound_and_a_source_past_it_fails_alone(store, tmp_path):
    for i in range(4):
        (tmp_path / f"s{i}.log").write_text(_unknown_header([f"extra{i}x{j}" for j in range(UNKNOWN_LIMIT)]))
    result = store.ingest(tmp_path)
    assert result.sources == STORE_UNKNOWN_LIMIT // UNKNOWN_LIMIT and result.failed_sources == 2
    assert "fields vpcflow does not know" in result.errors[0].message
    assert len([c for c in present_columns(store.con) if c.startswith("extra")]) == STORE_UNKNOWN_LIMIT


def test_a_utf8_byte_order_mark_before_a_header_keeps_every_record(store, tmp_path):
    (tmp_path / "bom.log").write_bytes(b"\xef\xbb\xbf" + b"srcaddr dstaddr action\n10.0.0.1 10.0.0.2 ACCEPT\n")
    result = store.ingest(tmp_path / "bom.log")
    assert (result.records, result.quarantined) == (1, 0)


def test_utf16_text_fails_its_source_saying_how_to_convert_it(store, tmp_path):
    (tmp_path / "wide.log").write_bytes((SSH + "\n").encode("utf-16"))
    (tmp_path / "good.log").write_text(SSH + "\n")
    result = store.ingest(tmp_path)
    assert result.records == 1 and result.failed_sources == 1
    assert "wide.log: UTF-16 text: convert to UTF-8 (iconv -f UTF-16 -t UTF-8)" in result.errors[0].message


def test_a_gzip_inside_a_gzip_is_decompressed_twice(store, tmp_path):
    (tmp_path / "twice.log.gz").write_bytes(gzip.compress(gzip.compress(((SSH + "\n") * 3).encode())))
    result = store.ingest(tmp_path / "twice.log.gz")
    assert (result.records, result.quarantined) == (3, 0)


def test_addresses_that_are_not_ip_addresses_are_quarantined_at_their_line(store, tmp_path):
    (tmp_path / "a.log").write_text("\n".join([SSH, SSH.replace("172.31.16.139", "999.999.999.999"),
                                               SSH.replace("172.31.16.21", "not-an-ip"), SSH]) + "\n")
    result = store.ingest(tmp_path / "a.log")
    assert (result.records, result.quarantined) == (2, 2)
    assert quarantined(store) == [(2, "srcaddr: not an IP address: 999.999.999.999"),
                                  (3, "dstaddr: not an IP address: not-an-ip")]
