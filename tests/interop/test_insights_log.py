"""Logs Insights' @log names the log group (account:group) a record came from, as the console shows it."""

from __future__ import annotations

import time

SSH = "2 123456789012 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 {t} {t2} ACCEPT OK"
CONSOLE_DEFAULT = "fields @timestamp, @message, @logStream, @log | sort @timestamp desc | limit 20"


def test_the_console_default_query_names_the_log_group_of_a_cloudwatch_record(cli, db_path, aws_env, monkeypatch):
    for k, v in aws_env.environ.items():
        monkeypatch.setenv(k, v)
    logs = aws_env.client("logs")
    logs.create_log_group(logGroupName="/aws/vpc/flows")
    logs.create_log_stream(logGroupName="/aws/vpc/flows", logStreamName="eni-1235b8ca123456789-all")
    now = int(time.time()) - 120
    logs.put_log_events(logGroupName="/aws/vpc/flows", logStreamName="eni-1235b8ca123456789-all",
                        logEvents=[{"timestamp": now * 1000, "message": SSH.format(t=now, t2=now + 60)}])
    assert cli("ingest", "cwl:///aws/vpc/flows", "--db", db_path, "--format", "default").code == 0
    result = cli("insights", CONSOLE_DEFAULT, "--db", db_path, "-o", "json")
    assert result.code == 0, result.err
    (row,) = result.json()
    assert row["@log"] == "123456789012:/aws/vpc/flows"
    assert row["@logStream"] == "eni-1235b8ca123456789-all"


def test_at_log_of_a_file_record_is_the_file(cli, db_path, tmp_path):
    path = tmp_path / "one.log"
    path.write_text(SSH.format(t=1767607200, t2=1767607260) + "\n")
    assert cli("ingest", path, "--db", db_path).code == 0
    result = cli("insights", "fields @log", "--db", db_path, "-o", "json")
    assert result.json() == [{"@log": str(path.resolve())}]
