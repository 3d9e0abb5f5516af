"""A suppression file hides matching findings until it expires, and says how many it hid."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from vpcflow.detect.model import Finding
from vpcflow.detect.suppress import load_suppressions, parse_suppressions, suppress
from vpcflow.errors import VpcFlowError

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def finding(detector, src, dst, port):
    return Finding(f"f-{detector}-{src}", detector, "medium", src, dst, port, 6, NOW, NOW, 1, "", "", {})


RULES = """
- {detector: dns-over-https, src: 10.0.3.0/24, reason: "the VPN client resolves over DoH", expires: 2026-06-30}
- {detector: spam, src: 10.0.0.25, port: 25, reason: "the mail relay", expires: 2026-01-31}
"""


def test_a_matching_finding_is_hidden_and_counted():
    result = suppress([finding("dns-over-https", "10.0.3.7", "1.1.1.1", 443),
                       finding("dns-over-https", "10.0.4.7", "1.1.1.1", 443)], parse_suppressions(RULES), NOW)
    assert [f.src for f in result.kept] == ["10.0.4.7"] and result.hidden == {"dns-over-https": 1}


def test_an_expired_rule_no_longer_hides_and_is_reported():
    result = suppress([finding("spam", "10.0.0.25", None, 25)], parse_suppressions(RULES), NOW)
    assert len(result.kept) == 1 and [r.detector for r in result.expired] == ["spam"]


def test_a_rule_for_an_unknown_detector_is_an_error():
    with pytest.raises(VpcFlowError, match="no detection 'dns-over-htps'"):
        parse_suppressions("- {detector: dns-over-htps, reason: typo}")


def test_a_rule_without_a_reason_names_its_place(tmp_path):
    path = tmp_path / "suppress.yaml"
    path.write_text("- {detector: spam, src: 10.0.0.25}\n")
    with pytest.raises(VpcFlowError) as err:
        load_suppressions(path)
    assert err.value.location == f"{path}: rule 1" and err.value.message == "a rule needs a detector and a reason"
