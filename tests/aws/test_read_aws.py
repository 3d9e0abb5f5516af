"""vpcflow.read over s3:// and cwl:// on moto's server: the emulator's records, read back without a store."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from vpcflow.aws.deliver import replay_cloudwatch_export, upload_tree
from vpcflow.emulate.engine import simulate
from vpcflow.fields import DEFAULT
from vpcflow.reader import read


def _totals(parts) -> tuple[int, int, int]:
    assert all(p.error is None and not p.quarantined for p in parts)
    records = pa.concat_tables([p.records for p in parts])
    return records.num_rows, pc.sum(records["bytes"]).as_py(), pc.sum(records["packets"]).as_py()  # NODATA: nulls


def test_s3_objects_read_back_as_the_records_the_emulator_wrote(session, aws_env, tmp_path):
    aws_env.client("s3").create_bucket(Bucket="flow-archive")
    summary = simulate("seed-demo", tmp_path / "sim", duration="2h", destination="s3")
    upload_tree(session, tmp_path / "sim", "flow-archive")
    remote = _totals(list(read("s3://flow-archive", session=session)))
    assert remote == _totals(list(read(tmp_path / "sim"))) and remote[0] == summary.records


def test_cloudwatch_streams_read_back_with_their_stream_and_event_time(session, aws_env, tmp_path):
    summary = simulate("seed-demo", tmp_path / "sim", duration="2h", destination="cloudwatch")
    replay_cloudwatch_export(session, tmp_path / "sim" / "cloudwatch", "flows")
    parts = list(read("cwl://flows", session=session, format=DEFAULT))
    assert _totals(parts)[0] == summary.records
    records = pa.concat_tables([p.records for p in parts])
    assert records["log_stream"].null_count == 0 and records["event_time"].null_count == 0


def test_an_aws_uri_without_a_session_says_what_to_pass(tmp_path):
    [part] = list(read("s3://flow-archive/AWSLogs/"))
    assert part.error.startswith("s3://flow-archive/AWSLogs/: reading AWS needs a session (pass session=")
