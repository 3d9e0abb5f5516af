"""Notifiers (stdout, JSON lines, webhook, SNS, SMTP) and the dispatcher that sends each state change once.

A notifier takes one JSON-able payload and raises NotifyError when it could not deliver it. The dispatcher
suppresses a repeat of the same alarm state within the cooldown (a flapping alarm tells you once) and keeps
going when one notifier fails, reporting the failure in what it returns.
"""

from __future__ import annotations

import json
import os
import smtplib
import sys
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol, TextIO

from ..errors import VpcFlowError
from .alarms import StateChange
from .rules import NotifierConfig


class NotifyError(VpcFlowError):
    """A notification that could not be delivered."""


class Notifier(Protocol):
    name: str

    def send(self, payload: dict) -> None: ...


def subject_of(payload: dict) -> str:
    return f"{payload['state']}: {payload['alarm']} ({payload['previous_state']} -> {payload['state']})"


@dataclass
class StdoutNotifier:
    name: str
    stream: TextIO | None = None

    def send(self, payload: dict) -> None:
        out = self.stream or sys.stdout
        out.write(f"{payload['timestamp']} {subject_of(payload)}: {payload['reason']}\n")
        out.flush()


@dataclass
class JsonlNotifier:
    """Appends one JSON line per payload and fsyncs; a payload with an `id` already in the file is not
    written again, so a follower that resends after a crash leaves the file exactly as one clean run would."""

    name: str
    path: str
    _ids: set | None = field(default=None, repr=False)

    def send(self, payload: dict) -> None:
        ident = payload.get("id")
        try:
            if ident is not None:
                if self._ids is None:
                    self._ids = self._written_ids()
                if ident in self._ids:
                    return
            with open(self.path, "a", encoding="utf-8") as f:
                f.write(json.dumps(payload, sort_keys=True) + "\n")
                f.flush()
                os.fsync(f.fileno())
        except OSError as exc:
            raise NotifyError(f"cannot append: {exc.strerror}", location=self.path) from exc
        if ident is not None:
            self._ids.add(ident)

    def _written_ids(self) -> set:
        """Ids already in the file; a last line cut short by a crash was never acknowledged and is dropped."""
        try:
            with open(self.path, "rb+") as f:
                data = f.read()
                if data and not data.endswith(b"\n"):
                    keep = data.rfind(b"\n") + 1
                    f.truncate(keep)
                    data = data[:keep]
        except FileNotFoundError:
            return set()
        ids = set()
        for line in data.splitlines():
            try:
                ident = json.loads(line).get("id")
            except (ValueError, AttributeError):
                continue
            if ident is not None:
                ids.add(ident)
        return ids


@dataclass
class WebhookNotifier:
    """HTTP POST of the payload as JSON; connection errors, timeouts and 5xx are retried with backoff."""

    name: str
    url: str
    timeout: float = 5.0
    retries: int = 3
    backoff: float = 0.5
    headers: dict = field(default_factory=dict)

    def send(self, payload: dict) -> None:
        import httpx

        last = "no attempt"
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                response = httpx.post(self.url, json=payload, timeout=self.timeout, headers=self.headers)
            except httpx.HTTPError as exc:
                last = f"{type(exc).__name__}: {exc}"
                continue
            if response.status_code < 300:
                return
            last = f"HTTP {response.status_code}"
            if response.status_code < 500:
                break  # the receiver refused it: sending it again will not help
        raise NotifyError(f"webhook failed after {attempt + 1} attempt(s): {last}", location=self.url)


@dataclass
class SnsNotifier:
    name: str
    topic_arn: str
    region: str | None = None
    endpoint_url: str | None = None
    profile: str | None = None

    def send(self, payload: dict) -> None:
        import boto3
        import botocore.exceptions

        session = boto3.session.Session(profile_name=self.profile, region_name=self.region)
        client = session.client("sns", endpoint_url=self.endpoint_url)
        try:
            client.publish(
                TopicArn=self.topic_arn,
                Subject=subject_of(payload)[:100],
                Message=json.dumps(payload, sort_keys=True),
            )
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
            raise NotifyError(f"SNS publish failed: {exc}", location=self.topic_arn) from exc


@dataclass
class SmtpNotifier:
    name: str
    host: str
    sender: str
    to: list[str]
    port: int = 25
    timeout: float = 10.0
    starttls: bool = False
    subject_prefix: str = "[vpcflow] "

    def send(self, payload: dict) -> None:
        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = ", ".join(self.to)
        msg["Subject"] = self.subject_prefix + subject_of(payload)
        msg.set_content(payload["reason"] + "\n\n" + json.dumps(payload, indent=2, sort_keys=True) + "\n")
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls()
                smtp.send_message(msg)
        except (OSError, smtplib.SMTPException) as exc:
            raise NotifyError(f"SMTP delivery failed: {exc}", location=f"{self.host}:{self.port}") from exc


def build_notifier(config: NotifierConfig, base: Path | None = None) -> Notifier:
    """A notifier from its rules-file entry; a relative jsonl path is taken from the rules file's folder."""
    o = dict(config.options)
    if config.type == "stdout":
        return StdoutNotifier(config.name)
    if config.type == "jsonl":
        path = Path(o["path"])
        return JsonlNotifier(config.name, str(path if path.is_absolute() or base is None else base / path))
    if config.type == "webhook":
        return WebhookNotifier(config.name, **o)
    if config.type == "sns":
        return SnsNotifier(config.name, **o)
    o["to"] = [o["to"]] if isinstance(o["to"], str) else list(o["to"])
    return SmtpNotifier(config.name, **o)


@dataclass(frozen=True)
class Delivery:
    alarm: str
    state: str
    notifier: str
    status: str  # "sent", "suppressed", "failed" or (following) "queued"
    error: str | None = None


class Dispatcher:
    """Sends each state change to its notifiers once; a repeat within `cooldown` seconds is suppressed."""

    def __init__(self, notifiers: dict[str, Notifier], cooldown: int = 300):
        self.notifiers = notifiers
        self.cooldown = cooldown
        self.last_sent: dict[tuple[str, str], int] = {}

    def due(self, change: StateChange) -> bool:
        """Whether the change is to be notified (not a repeat within the cooldown); remembers it if so."""
        key = (change.alarm, change.state)
        last = self.last_sent.get(key)
        if last is not None and change.at - last < self.cooldown:
            return False
        self.last_sent[key] = change.at
        return True

    def send(self, alarm: str, state: str, payload: dict, targets: tuple[str, ...]) -> list[Delivery]:
        out = []
        for name in targets:
            try:
                self.notifiers[name].send(payload)
                out.append(Delivery(alarm, state, name, "sent"))
            except VpcFlowError as exc:
                out.append(Delivery(alarm, state, name, "failed", str(exc)))
        return out

    def dispatch(self, change: StateChange, targets: tuple[str, ...]) -> list[Delivery]:
        if not self.due(change):
            return [Delivery(change.alarm, change.state, n, "suppressed") for n in targets]
        return self.send(change.alarm, change.state, change.as_dict(), targets)


class QueueingDispatcher(Dispatcher):
    """Decides like Dispatcher but only queues what is due: a follower writes the queue to its outbox in the
    same transaction as the state change, and sends it after the commit."""

    def __init__(self, notifiers: dict[str, Notifier], cooldown: int = 300):
        super().__init__(notifiers, cooldown)
        self.queued: list[tuple[StateChange, tuple[str, ...]]] = []

    def dispatch(self, change: StateChange, targets: tuple[str, ...]) -> list[Delivery]:
        if not self.due(change):
            return [Delivery(change.alarm, change.state, n, "suppressed") for n in targets]
        self.queued.append((change, tuple(targets)))
        return [Delivery(change.alarm, change.state, n, "queued") for n in targets]
