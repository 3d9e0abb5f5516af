"""The rules file loads, and every mistake in it is reported with the key that holds it."""

from __future__ import annotations

import pytest

from vpcflow.alert.rules import RulesError, load_rules, rules_from

SSH = (
    '[version, account, eni, source, destination, srcport, destport="22", protocol="6", packets, bytes, '
    'windowstart, windowend, action="REJECT", flowlogstatus]'
)

GOOD = {
    "cooldown": 600,
    "metric_filters": [
        {"name": "ssh", "pattern": SSH, "metric": "SshRejects", "value": 1, "default": 0},
        {
            "name": "rejected-bytes",
            "pattern": "[..., bytes, start, end, action=REJECT, status]",
            "metric": "RejectedBytes",
            "value": "$bytes",
        },
    ],
    "alarms": [
        {
            "name": "ssh-brute-force",
            "metric": "SshRejects",
            "period": 3600,
            "threshold": 10,
            "comparison": "GreaterThanOrEqualToThreshold",
            "notify": ["console"],
        }
    ],
    "contributors": [
        {
            "name": "rejected-sources",
            "pattern": "REJECT",
            "keys": ["srcaddr"],
            "value": "$bytes",
            "top": 3,
            "period": 300,
        }
    ],
    "notifiers": [
        {"name": "console", "type": "stdout"},
        {"name": "file", "type": "jsonl", "path": "a.jsonl"},
    ],
}


def broken(path: str, value) -> dict:
    """GOOD with one key replaced: path like 'alarms.0.comparison'."""
    import copy

    data = copy.deepcopy(GOOD)
    *parents, last = path.split(".")
    node = data
    for p in parents:
        node = node[int(p)] if p.isdigit() else node[p]
    node[int(last) if last.isdigit() else last] = value
    return data


def test_a_good_rules_file_loads(tmp_path):
    import yaml

    (tmp_path / "rules.yaml").write_text(yaml.safe_dump(GOOD))
    rules = load_rules(tmp_path / "rules.yaml")
    assert [a.name for a in rules.alarms] == ["ssh-brute-force"]
    assert rules.alarms[0].statistic == "Sum" and rules.alarms[0].treat_missing_data == "missing"
    assert rules.contributors[0].keys == ("srcaddr",)


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (
            "alarms.0.comparison",
            "Above",
            "alarms[0].comparison: 'Above' is not one of GreaterThanOrEqualToThreshold",
        ),
        ("alarms.0.metric", "Nope", "alarms[0].metric: no metric filter publishes 'Nope'"),
        ("alarms.0.notify", ["pager"], "alarms[0].notify[0]: no notifier named 'pager'"),
        ("alarms.0.period", "1h", "alarms[0].period: expected a whole number, found '1h'"),
        (
            "alarms.0.datapoints_to_alarm",
            3,
            "alarms[0].datapoints_to_alarm: 3 is more than evaluation_periods (1)",
        ),
        ("alarms.0.treat_missing_data", "zero", "alarms[0].treat_missing_data: 'zero' is not one of missing"),
        (
            "metric_filters.0.pattern",
            "[a, a]",
            "metric_filters[0].pattern: filter pattern, column 5: field 'a' is named",
        ),
        (
            "metric_filters.1.value",
            "$octets",
            "metric_filters[1].value: '$octets' is neither a name in the pattern",
        ),
        ("metric_filters.1.value", "2", "metric_filters[1].value: '2' is neither 1 nor a $field"),
        ("contributors.0.keys", ["source"], "contributors[0].keys[0]: 'source' is not a field of the format"),
        ("notifiers.1.type", "pager", "notifiers[1].type: 'pager' is not one of stdout"),
        ("notifiers.1", {"name": "file", "type": "jsonl"}, "notifiers[1]: missing key 'path'"),
        ("alarms.0.periods", 60, "alarms[0]: unknown key 'periods'"),
    ],
)
def test_a_mistake_names_its_key(path, value, message):
    with pytest.raises(RulesError) as info:
        rules_from(broken(path, value), "rules.yaml")
    assert str(info.value).startswith("rules.yaml: " + message)


def test_invalid_yaml_names_the_line(tmp_path):
    (tmp_path / "rules.yaml").write_text("alarms:\n  - name: [unclosed\n")
    with pytest.raises(RulesError, match=r"rules.yaml:\d+: not valid YAML"):
        load_rules(tmp_path / "rules.yaml")
