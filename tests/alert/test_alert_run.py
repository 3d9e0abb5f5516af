"""`vpcflow alert PATH --rules FILE`: rules over a batch, alarms period by period, notifications once."""

from __future__ import annotations

import json

import typer
import yaml
from typer.testing import CliRunner

from vpcflow.alert.rules import rules_from
from vpcflow.alert.run import run_rules
from vpcflow.cli import alert

from .records import make_store
from .servers import WebhookReceiver

SSH = (
    '[version, account, eni, source, destination, srcport, destport="22", protocol="6", packets, bytes, '
    'windowstart, windowend, action="REJECT", flowlogstatus]'
)
T0 = 1_700_000_000 - 1_700_000_000 % 3600  # an hour boundary


def record(
    start: int, dstport: int = 22, action: str = "REJECT", src: str = "198.51.100.7", size: int = 180
) -> str:
    return (
        f"2 123456789010 eni-0a1b2c3d4e5f60718 {src} 10.0.2.15 51515 {dstport} 6 3 {size} "
        f"{start} {start + 60} {action} OK"
    )


def rules(tmp_path, hook_url=None) -> dict:
    notifiers = [{"name": "file", "type": "jsonl", "path": str(tmp_path / "alerts.jsonl")}]
    if hook_url:
        notifiers.append({"name": "hook", "type": "webhook", "url": hook_url, "backoff": 0})
    return {
        "cooldown": 14400,
        "metric_filters": [{"name": "ssh", "pattern": SSH, "metric": "SshRejects", "value": 1, "default": 0}],
        "alarms": [
            {
                "name": "ssh-brute-force",
                "metric": "SshRejects",
                "statistic": "Sum",
                "period": 3600,
                "threshold": 10,
                "comparison": "GreaterThanOrEqualToThreshold",
            }
        ],
        "contributors": [
            {
                "name": "rejected-sources",
                "pattern": "REJECT",
                "keys": ["srcaddr"],
                "value": "$bytes",
                "top": 2,
                "period": 3600,
            }
        ],
        "notifiers": notifiers,
    }


def brute_force_hours() -> list[str]:
    """Hour 0: 12 SSH rejects (alarm); hour 1: web only (ok); hour 2: 10 rejects (alarm, in cooldown)."""
    lines = [record(T0 + i * 60) for i in range(12)]
    lines += [record(T0 + 3600 + i, dstport=443, action="ACCEPT", src="10.0.0.1") for i in range(3)]
    lines += [record(T0 + 7200 + i * 60, src="203.0.113.9", size=1000) for i in range(10)]
    return lines


def test_alarm_fires_recovers_and_a_repeat_within_the_cooldown_is_suppressed(tmp_path):
    (tmp_path / "flows.log").write_text("\n".join(brute_force_hours()) + "\n")
    result = run_rules(rules_from(rules(tmp_path)), paths=[str(tmp_path / "flows.log")])
    assert [(c.previous, c.state, c.at - T0) for c, _ in result.changes] == [
        ("INSUFFICIENT_DATA", "ALARM", 3600),
        ("ALARM", "OK", 7200),
        ("OK", "ALARM", 10800),
    ]
    assert [[d.status for d in ds] for _, ds in result.changes] == [["sent"], ["sent"], ["suppressed"]]
    sent = [json.loads(line) for line in (tmp_path / "alerts.jsonl").read_text().splitlines()]
    assert [(s["previous_state"], s["state"]) for s in sent] == [
        ("INSUFFICIENT_DATA", "ALARM"),
        ("ALARM", "OK"),
    ]


def test_webhook_receives_each_state_change_once(tmp_path):
    hook = WebhookReceiver()
    try:
        (tmp_path / "flows.log").write_text("\n".join(brute_force_hours()) + "\n")
        run_rules(rules_from(rules(tmp_path, hook.url)), paths=[str(tmp_path / "flows.log")])
    finally:
        hook.close()
    assert [r["state"] for r in hook.received] == ["ALARM", "OK"]


def test_metric_value_from_a_field_sums_bytes(tmp_path):
    data = rules(tmp_path)
    data["metric_filters"] = [
        {
            "name": "b",
            "pattern": "[..., bytes, start, end, action=REJECT, status]",
            "metric": "RejectedBytes",
            "value": "$bytes",
        }
    ]
    data["alarms"] = [
        {
            "name": "big",
            "metric": "RejectedBytes",
            "period": 3600,
            "threshold": 10_000,
            "comparison": "GreaterThanThreshold",
        }
    ]
    (tmp_path / "flows.log").write_text("\n".join(brute_force_hours()) + "\n")
    result = run_rules(rules_from(data), paths=[str(tmp_path / "flows.log")])
    first = result.changes[0][0]
    assert (first.state, first.datapoints) == ("OK", (2160.0,))
    assert any(c.state == "OK" and c.previous == "INSUFFICIENT_DATA" for c, _ in result.changes)


def test_top_contributors_rank_sources_per_period(tmp_path):
    (tmp_path / "flows.log").write_text("\n".join(brute_force_hours()) + "\n")
    result = run_rules(rules_from(rules(tmp_path)), paths=[str(tmp_path / "flows.log")])
    assert [(c.period_start - T0, c.rank, c.key, c.value) for c in result.contributors] == [
        (0, 1, ("198.51.100.7",), 2160),
        (7200, 1, ("203.0.113.9",), 10000),
    ]


def test_rules_run_over_the_store_give_the_same_changes(tmp_path):
    make_store(tmp_path / "flows.duckdb", brute_force_hours()).close()
    (tmp_path / "flows.log").write_text("\n".join(brute_force_hours()) + "\n")
    from_files = run_rules(rules_from(rules(tmp_path)), paths=[str(tmp_path / "flows.log")])
    from_store = run_rules(rules_from(rules(tmp_path)), db=tmp_path / "flows.duckdb")
    assert [c for c, _ in from_store.changes] == [c for c, _ in from_files.changes]


def test_alert_command_prints_state_changes_as_json(tmp_path):
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump(rules(tmp_path)))
    (tmp_path / "flows.log").write_text("\n".join(brute_force_hours()) + "\n")
    app = typer.Typer()
    alert.register(app)
    result = CliRunner().invoke(
        app,
        ["alert", str(tmp_path / "flows.log"), "--rules", str(tmp_path / "rules.yaml"), "--output", "json"],
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["records"] == 25 and out["states"] == {"ssh-brute-force": "ALARM"}
    assert [c["notified"] for c in out["changes"]] == ["file:sent", "file:sent", "file:suppressed"]
