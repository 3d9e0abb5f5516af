"""Each notifier delivers a state change for real: a file, an HTTP receiver, moto's SNS, an SMTP sink."""

from __future__ import annotations

import email
import io
import json
import socket

import boto3
import pytest

from vpcflow.alert.alarms import StateChange
from vpcflow.alert.notify import (
    Dispatcher,
    JsonlNotifier,
    NotifyError,
    SmtpNotifier,
    SnsNotifier,
    StdoutNotifier,
    WebhookNotifier,
)

from .servers import SmtpSink, WebhookReceiver

CHANGE = StateChange(
    "ssh-brute-force",
    "SshRejects",
    "OK",
    "ALARM",
    1700003600,
    "1 of the last 1 datapoints [12] >= 10",
    (12.0,),
    10.0,
    "GreaterThanOrEqualToThreshold",
    "Sum",
    3600,
)
PAYLOAD = CHANGE.as_dict()


def test_payload_carries_alarm_states_and_iso_time():
    assert PAYLOAD["state"] == "ALARM" and PAYLOAD["previous_state"] == "OK"
    assert PAYLOAD["timestamp"] == "2023-11-14T23:13:20Z"


def test_stdout_notifier_writes_one_line():
    out = io.StringIO()
    StdoutNotifier("console", out).send(PAYLOAD)
    assert out.getvalue() == (
        "2023-11-14T23:13:20Z ALARM: ssh-brute-force (OK -> ALARM): 1 of the last 1 datapoints [12] >= 10\n"
    )


def test_jsonl_notifier_appends_one_object_per_line(tmp_path):
    notifier = JsonlNotifier("file", str(tmp_path / "alerts.jsonl"))
    notifier.send(PAYLOAD)
    notifier.send(PAYLOAD)
    lines = (tmp_path / "alerts.jsonl").read_text().splitlines()
    assert [json.loads(line) for line in lines] == [PAYLOAD, PAYLOAD]


@pytest.fixture
def receiver():
    servers = []

    def make(statuses=None):
        servers.append(WebhookReceiver(statuses))
        return servers[-1]

    yield make
    for s in servers:
        s.close()


def test_webhook_posts_the_payload_as_json(receiver):
    hook = receiver()
    WebhookNotifier("hook", hook.url, backoff=0).send(PAYLOAD)
    assert hook.received == [PAYLOAD]


def test_webhook_retries_server_errors_then_succeeds(receiver):
    hook = receiver([503, 500])
    WebhookNotifier("hook", hook.url, retries=3, backoff=0).send(PAYLOAD)
    assert len(hook.received) == 3


def test_webhook_does_not_retry_a_client_error(receiver):
    hook = receiver([400])
    with pytest.raises(NotifyError, match="after 1 attempt"):
        WebhookNotifier("hook", hook.url, retries=3, backoff=0).send(PAYLOAD)
    assert len(hook.received) == 1


def test_webhook_gives_up_after_its_retries_on_a_closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(NotifyError, match="after 3 attempt"):
        WebhookNotifier("hook", f"http://127.0.0.1:{port}/", retries=2, backoff=0, timeout=1).send(PAYLOAD)


def test_smtp_notifier_sends_mail_to_a_local_server():
    sink = SmtpSink()
    try:
        SmtpNotifier("mail", "127.0.0.1", "vpcflow@example.com", ["ops@example.com"], port=sink.port).send(
            PAYLOAD
        )
    finally:
        sink.close()
    [message] = sink.messages
    assert message["to"] == ["ops@example.com"]
    parsed = email.message_from_string(message["data"])
    assert parsed["Subject"] == "[vpcflow] ALARM: ssh-brute-force (OK -> ALARM)"


def test_smtp_failure_is_a_notify_error():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(NotifyError, match="SMTP delivery failed"):
        SmtpNotifier("mail", "127.0.0.1", "a@example.com", ["b@example.com"], port=port, timeout=2).send(
            PAYLOAD
        )


@pytest.fixture(scope="module")
def moto_endpoint():
    from moto.server import ThreadedMotoServer

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def test_sns_notifier_publishes_to_the_topic(moto_endpoint, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    region = "us-east-1"
    sns = boto3.client("sns", region_name=region, endpoint_url=moto_endpoint)
    sqs = boto3.client("sqs", region_name=region, endpoint_url=moto_endpoint)
    topic = sns.create_topic(Name="vpcflow-alarms")["TopicArn"]
    queue_url = sqs.create_queue(QueueName="alarms")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"}
    )

    SnsNotifier("topic", topic, region=region, endpoint_url=moto_endpoint).send(PAYLOAD)

    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
    assert [json.loads(m["Body"]) for m in messages] == [PAYLOAD]


def test_sns_to_a_missing_topic_is_a_notify_error(moto_endpoint, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    arn = "arn:aws:sns:us-east-1:123456789012:nope"
    with pytest.raises(NotifyError, match="SNS publish failed"):
        SnsNotifier("topic", arn, region="us-east-1", endpoint_url=moto_endpoint).send(PAYLOAD)


class _Recorder:
    def __init__(self, name, fail=False):
        self.name, self.fail, self.sent = name, fail, []

    def send(self, payload):
        if self.fail:
            raise NotifyError("down")
        self.sent.append(payload)


def test_dispatcher_suppresses_the_same_state_within_the_cooldown():
    rec = _Recorder("r")
    d = Dispatcher({"r": rec}, cooldown=3600)
    first = d.dispatch(CHANGE, ("r",))
    again = StateChange(**{**CHANGE.__dict__, "at": CHANGE.at + 600})
    later = StateChange(**{**CHANGE.__dict__, "at": CHANGE.at + 3600})
    assert [x.status for x in first + d.dispatch(again, ("r",)) + d.dispatch(later, ("r",))] == [
        "sent",
        "suppressed",
        "sent",
    ]
    assert len(rec.sent) == 2


def test_dispatcher_keeps_going_when_one_notifier_fails():
    good, bad = _Recorder("good"), _Recorder("bad", fail=True)
    deliveries = Dispatcher({"good": good, "bad": bad}).dispatch(CHANGE, ("bad", "good"))
    assert [(x.notifier, x.status) for x in deliveries] == [("bad", "failed"), ("good", "sent")]
    assert good.sent == [PAYLOAD]
