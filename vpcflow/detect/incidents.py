"""Findings about one instance, grouped into an incident and ranked, as GuardDuty's attack sequences group a
resource's findings: reconnaissance, then access, then command and control, then impact or exfiltration.

The subject of a finding is the instance it is about: the source when the instance is the actor, the
destination when a remote host acts on it. Background summaries (the internet's weather) have no subject and
stay out of incidents.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from .catalog.common import OWN_IPV6
from .model import SEVERITIES, Detection, Finding, severity_rank
from .registry import detections

# The stage each category stands for, in the order an intrusion goes through them.
STAGES = {"scanning": "recon", "exposure": "recon", "access": "access", "dns": "command-and-control",
          "command-and-control": "command-and-control", "threat-intel": "command-and-control",
          "impact": "impact", "denial-of-service": "impact", "exfiltration": "exfiltration"}
ORDER = ("recon", "access", "command-and-control", "impact", "exfiltration")
# As aggregates.private decides it (RFC 1918 and unique-local): ipaddress's is_private also counts TEST-NETs.
_PRIVATE = [ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")]


def is_own(address: str | None) -> bool:
    """The VPC's own address, as the detections' SQL decides it (private, or AWS-assigned IPv6)."""
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in _PRIVATE if net.version == ip.version) or address.lower()[:7] in OWN_IPV6


def subject(finding: Finding, detection: Detection | None) -> str | None:
    """The instance address a finding is about, or None for summaries."""
    actor = detection.actor if detection else "either"
    if detection is not None and detection.category == "background":
        return None
    if actor == "instance" or (actor == "either" and is_own(finding.src)):
        return finding.src if is_own(finding.src) else None
    return finding.dst if is_own(finding.dst) else None


@dataclass
class Incident:
    subject: str
    findings: list[Finding] = field(default_factory=list)
    stages: list[str] = field(default_factory=list)

    @property
    def severity(self) -> str:
        return SEVERITIES[max(severity_rank(f.severity) for f in self.findings)]

    @property
    def first_seen(self) -> datetime:
        return min(f.first_seen for f in self.findings)

    @property
    def last_seen(self) -> datetime:
        return max(f.last_seen for f in self.findings)

    @property
    def score(self) -> tuple:
        """Rank: highest severity, then how far along the intrusion went, then how many findings."""
        return (severity_rank(self.severity), len(self.stages), len(self.findings))

    def as_dict(self) -> dict:
        return {"subject": self.subject, "severity": self.severity, "stages": " > ".join(self.stages),
                "findings": len(self.findings), "detectors": ",".join(sorted({f.detector for f in self.findings})),
                "first_seen": self.first_seen, "last_seen": self.last_seen}


def incidents(findings: Iterable[Finding], catalog: Iterable[Detection] | None = None) -> list[Incident]:
    """The findings grouped by the instance they are about, most urgent first; summaries are left out."""
    by_id = {d.id: d for d in (catalog if catalog is not None else detections())}
    grouped: dict[str, Incident] = {}
    for f in findings:
        d = by_id.get(f.detector)
        who = subject(f, d)
        if who is None:
            continue
        grouped.setdefault(who, Incident(who)).findings.append(f)
    for inc in grouped.values():
        inc.findings.sort(key=lambda f: f.first_seen)
        seen = {STAGES.get(by_id[f.detector].category if f.detector in by_id else "", "") for f in inc.findings}
        inc.stages = [s for s in ORDER if s in seen]
    return sorted(grouped.values(), key=lambda i: i.score, reverse=True)


def at_least(findings: Iterable[Finding], minimum: str) -> list[Finding]:
    """The findings of `minimum` severity or above (low, medium, high)."""
    floor = severity_rank(minimum)
    return [f for f in findings if severity_rank(f.severity) >= floor]
