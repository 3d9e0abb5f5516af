"""Findings about one instance become one incident, ranked by severity and how far the intrusion went."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from vpcflow.detect.incidents import at_least, incidents
from vpcflow.detect.model import Finding

T = datetime(2026, 1, 5, tzinfo=UTC)


def finding(detector, severity, src, dst, minutes=0):
    t = T + timedelta(minutes=minutes)
    return Finding(f"f-{detector}-{src}-{minutes}", detector, severity, src, dst, None, 6, t, t, 1, "", "", {})


def test_findings_about_one_instance_group_in_the_order_of_an_intrusion():
    found = [finding("exfiltration", "medium", "10.0.0.5", "203.0.113.9", 90),
             finding("port-scan-vertical", "low", "198.51.100.7", "10.0.0.5", 0),
             finding("ssh-brute-force", "high", "198.51.100.7", "10.0.0.5", 30),
             finding("c2-activity", "high", "10.0.0.5", "45.33.1.200", 60)]
    (incident,) = incidents(found)
    assert (incident.subject, incident.stages, incident.severity) == (
        "10.0.0.5", ["recon", "access", "command-and-control", "exfiltration"], "high")
    assert [f.detector for f in incident.findings][0] == "port-scan-vertical"


def test_incidents_rank_by_severity_then_progress():
    found = [finding("port-scan-vertical", "low", "198.51.100.7", "10.0.0.9"),
             finding("dns-over-https", "medium", "10.0.0.6", "1.1.1.1"),
             finding("c2-activity", "high", "10.0.0.5", "45.33.1.200")]
    assert [i.subject for i in incidents(found)] == ["10.0.0.5", "10.0.0.6", "10.0.0.9"]


def test_background_summaries_stay_out_of_incidents():
    assert incidents([finding("internet-background", "low", None, None)]) == []


def test_min_severity_keeps_medium_and_high():
    found = [finding("port-scan-vertical", "low", "198.51.100.7", "10.0.0.9"),
             finding("dns-over-https", "medium", "10.0.0.6", "1.1.1.1")]
    assert [f.detector for f in at_least(found, "medium")] == ["dns-over-https"]
