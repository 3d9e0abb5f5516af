"""Every record in AWS's documentation examples parses, with its stated format, to the expected values."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from vpcflow.fields import DEFAULT, LogFormat
from vpcflow.store import Store

from ..support import AWS_DOC_EXAMPLES as EXAMPLES

GOLDEN = Path(__file__).parent / "golden" / "doc_examples.json"
_CUSTOM = re.compile(r'"(\$\{[^"]+\})"')
_ID = re.compile(r"^# \[([a-z0-9-]+)\]")


def doc_records() -> list[tuple[str, LogFormat, str]]:
    """(id, format, line) for each record; the format is DEFAULT or the last custom format stated above it."""
    records, custom, pending = [], None, None
    for line in EXAMPLES.read_text().splitlines():
        if line.startswith("#"):
            m = _CUSTOM.search(line)
            if m and "Format: DEFAULT" not in line and not line.startswith("# DEFAULT"):
                custom = LogFormat.parse(m[1])
            m = _ID.match(line)
            if m:
                pending = (m[1], DEFAULT if "Format: DEFAULT" in line else custom)
            continue
        if line.strip() and pending:
            # nat-5 and nat-6 carry a '#...' annotation printed beside the record in the docs, not part of it
            records.append((pending[0], pending[1], line.split(" #", 1)[0]))
            pending = None
    return records


@pytest.fixture(scope="module")
def parsed(tmp_path_factory) -> dict[str, dict]:
    tmp_path = tmp_path_factory.mktemp("doc")
    parsed = {}
    with Store(tmp_path / "doc.duckdb") as store:
        for rid, fmt, line in doc_records():
            path = tmp_path / f"{rid}.log"
            path.write_text(line + "\n")
            result = store.ingest(path, format=fmt)
            assert (result.records, result.quarantined) == (1, 0), (rid, store.quarantine().to_pylist())
            cols = ", ".join(f'"{c}"' for c in fmt.columns)
            row = store.query(f"SELECT {cols} FROM flows WHERE source_id = (SELECT source_id FROM sources WHERE identity = ?)",
                              [str(path.resolve())]).to_pylist()
            parsed[rid] = row[0]
    return parsed


def test_the_examples_file_has_every_documented_record():
    ids = [rid for rid, _, _ in doc_records()]
    assert len(ids) == 27 and len(set(ids)) == 27


def test_every_doc_record_parses_to_the_golden_values(parsed):
    assert parsed == json.loads(GOLDEN.read_text())


@pytest.mark.parametrize("rid, column, value", [
    ("accepted-rejected-1", "account_id", "123456789010"),
    ("accepted-rejected-2", "action", "REJECT"),
    ("no-data", "srcaddr", None),
    ("no-data", "log_status", "NODATA"),
    ("skip-data", "action", None),
    ("ipv6", "srcaddr", "2001:db8:1234:a100:8d6e:3477:df66:f105"),
    ("tcp-5", "end", 1566849113),
    ("tcp-8", "tcp_flags", 19),  # the doc line has a double space: split on runs of whitespace
    ("nat-1", "instance_id", None),
    ("nat-1", "pkt_dstaddr", "203.0.113.5"),
    ("v5-1", "traffic_path", None),
    ("v5-2", "traffic_path", 8),
    ("v5-2", "pkt_dst_aws_service", "S3"),
    ("tgw-3", "pkt_srcaddr", "10.20.33.164"),
])
def test_doc_record_values(parsed, rid, column, value):
    assert parsed[rid][column] == value
