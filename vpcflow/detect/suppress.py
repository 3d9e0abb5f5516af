"""Suppressions: findings someone decided not to see again, from a YAML file of rules, each with a reason and
an expiry. A rule names a detector and any of source, destination (an address or CIDR) and port; a finding
matches when every field the rule names agrees. Expired rules no longer apply and are reported.

    - {detector: dns-over-https, src: 10.0.3.7, reason: "the VPN client resolves over DoH", expires: 2026-06-30}
"""

from __future__ import annotations

import ipaddress
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import yaml

from ..errors import VpcFlowError
from .model import Finding
from .registry import get

FIELDS = ("detector", "src", "dst", "port", "reason", "expires")


@dataclass(frozen=True)
class Suppression:
    detector: str
    reason: str
    src: str | None = None
    dst: str | None = None
    port: int | None = None
    expires: date | None = None

    def active(self, today: date) -> bool:
        return self.expires is None or today <= self.expires

    def matches(self, f: Finding) -> bool:
        return (f.detector == self.detector and _address(self.src, f.src) and _address(self.dst, f.dst)
                and (self.port is None or f.dst_port == self.port))


def _address(rule: str | None, value: str | None) -> bool:
    if rule is None:
        return True
    if value is None:
        return False
    try:
        return ipaddress.ip_address(value) in ipaddress.ip_network(rule, strict=False)
    except ValueError:
        return False


def parse_suppressions(text: str, where: str = "suppressions") -> list[Suppression]:
    try:
        doc = yaml.safe_load(text) or []
    except yaml.YAMLError as exc:
        raise VpcFlowError(f"not valid YAML: {exc}", location=where) from None
    if not isinstance(doc, list):
        raise VpcFlowError("a suppression file is a list of rules", location=where,
                           hint="- {detector: ..., src: ..., reason: ..., expires: 2026-06-30}")
    rules = []
    for n, item in enumerate(doc, 1):
        at = f"{where}: rule {n}"
        if not isinstance(item, dict) or set(item) - set(FIELDS):
            raise VpcFlowError(f"a rule has the fields {', '.join(FIELDS)}", location=at)
        if not item.get("detector") or not item.get("reason"):
            raise VpcFlowError("a rule needs a detector and a reason", location=at)
        get(str(item["detector"]))  # an unknown detector is an error, not a rule that never matches
        for side in ("src", "dst"):
            if item.get(side) is not None:
                try:
                    ipaddress.ip_network(str(item[side]), strict=False)
                except ValueError:
                    raise VpcFlowError(f"{side} is not an address or CIDR: {item[side]!r}", location=at) from None
        expires = item.get("expires")
        if expires is not None and not isinstance(expires, date):
            try:
                expires = date.fromisoformat(str(expires))
            except ValueError:
                raise VpcFlowError(f"expires is not a date: {expires!r}", location=at, hint="write 2026-06-30") \
                    from None
        rules.append(Suppression(str(item["detector"]), str(item["reason"]),
                                 None if item.get("src") is None else str(item["src"]),
                                 None if item.get("dst") is None else str(item["dst"]),
                                 None if item.get("port") is None else int(item["port"]), expires))
    return rules


def load_suppressions(path: str | Path) -> list[Suppression]:
    path = Path(path)
    if not path.is_file():
        raise VpcFlowError(f"no suppression file at {path}", hint="a YAML list of rules; see docs/detections.md")
    return parse_suppressions(path.read_text(), str(path))


@dataclass
class Suppressed:
    """What suppression kept, and what it hid (counted per detector), and which rules had expired."""

    kept: list[Finding]
    hidden: Counter
    expired: list[Suppression]


def suppress(findings: Iterable[Finding], rules: Iterable[Suppression], now: datetime | None = None) -> Suppressed:
    today = (now or datetime.now(UTC)).date()
    rules = list(rules)
    active = [r for r in rules if r.active(today)]
    kept, hidden = [], Counter()
    for f in findings:
        if any(r.matches(f) for r in active):
            hidden[f.detector] += 1
        else:
            kept.append(f)
    return Suppressed(kept, hidden, [r for r in rules if not r.active(today)])


def beside(store_path: str | Path) -> list[Suppression]:
    """The suppressions kept beside a store (`<store>.suppress.yaml`), none when there is no such file: the
    dashboard and the report read them there, as `vpcflow detect --suppress` reads a given file."""
    path = Path(f"{store_path}.suppress.yaml")
    return load_suppressions(path) if path.is_file() else []
