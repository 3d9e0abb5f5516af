# ruff: noqa: E501  (record lines are kept whole, as AWS prints them)
"""Test records: AWS's documented default-format example lines, and a store holding them."""

from __future__ import annotations

from pathlib import Path

from vpcflow.store.store import Store

from ..support import AWS_DOC_EXAMPLES

# The documented default-format records (tests/fixtures/aws-doc-examples.txt, "Format: DEFAULT"), plus a few made here
# to reach the cases the documentation lacks (port 2222, large transfers, an HTTP port).
DOC_LINES = [
    "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK",
    "2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK",
    "2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA",
    "2 123456789010 eni-11111111aaaaaaaaa - - - - - - - 1431280876 1431280934 - SKIPDATA",
    "2 123456789010 eni-1235b8ca123456789 203.0.113.12 172.31.16.139 0 0 1 4 336 1432917027 1432917142 ACCEPT OK",
    "2 123456789010 eni-1235b8ca123456789 172.31.16.139 203.0.113.12 0 0 1 4 336 1432917094 1432917142 REJECT OK",
    "2 123456789010 eni-1235b8ca123456789 2001:db8:1234:a100:8d6e:3477:df66:f105 "
    "2001:db8:1234:a102:3304:8879:34cf:4071 34892 22 6 54 8855 1477913708 1477913820 ACCEPT OK",
]
MADE_LINES = [
    "2 123456789010 eni-0a1b2c3d4e5f60718 198.51.100.7 10.0.2.15 51515 22 6 3 180 1700000000 1700000060 REJECT OK",
    "2 123456789010 eni-0a1b2c3d4e5f60718 198.51.100.7 10.0.2.15 51516 2222 6 3 180 1700000000 1700000060 REJECT OK",
    "2 123456789010 eni-0a1b2c3d4e5f60718 10.0.0.1 10.0.2.15 40000 80 6 900 1200000 1700000000 1700000060 ACCEPT OK",
    "2 123456789010 eni-0a1b2c3d4e5f60718 10.0.0.1 10.0.2.15 40001 8080 6 10 400 1700000000 1700000060 REJECT OK",
    "2 000123456789 eni-0a1b2c3d4e5f60718 10.0.2.99 10.0.2.15 40002 443 17 1 399 1700000060 1700000120 ACCEPT OK",
]
LINES = DOC_LINES + MADE_LINES


def doc_lines_in_spec() -> list[str]:
    """The default-format record lines of AWS's documented examples, to check DOC_LINES against them."""
    out, default = [], False
    for line in AWS_DOC_EXAMPLES.read_text().splitlines():
        if line.startswith("#"):
            default = "Format: DEFAULT" in line
        elif line.strip() and default:
            out.append(" ".join(line.split()))
    return out


def make_store(path: Path, lines: list[str] = LINES) -> Store:
    """A store file holding `lines` (default format), ingested the way a user would."""
    log = path.with_name(path.stem + "-records.log")
    log.write_text("\n".join(lines) + "\n")
    store = Store.open(path)
    result = store.ingest(log, format="default")
    assert result.records == len(lines), result
    return store
