"""A loopback HTTP proxy in front of moto that misbehaves like a busy AWS: throttling, 500s, dropped
connections and bodies cut short, on a seeded fraction of requests. It also answers chosen requests with a
fixed error (expired credentials, access denied) and records every request line."""

from __future__ import annotations

import http.client
import json
import random
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

FAULTS = ("throttle", "server-error", "drop", "cut-body")


@dataclass
class Rule:
    """Answer requests matching `when` with `status` and an AWS error `code`."""

    when: Callable[[str, str, dict, bytes], bool]
    status: int
    code: str
    message: str


@dataclass
class FaultyProxy:
    upstream: str
    rate: float = 0.0
    seed: int = 1
    max_faults_per_request: int = 2  # the same request fails at most this often, so retries always get through
    kinds: tuple[str, ...] = FAULTS
    rules: list[Rule] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    faults: Counter = field(default_factory=Counter)

    def __post_init__(self):
        self._rng = random.Random(self.seed)
        self._lock = threading.Lock()
        self._seen: Counter = Counter()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _any(self):
                proxy._handle(self)

            do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = _any

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _pick_fault(self, signature: str) -> str | None:
        with self._lock:
            if self._seen[signature] >= self.max_faults_per_request or self._rng.random() >= self.rate:
                return None
            self._seen[signature] += 1
            fault = self.kinds[sum(self.faults.values()) % len(self.kinds)]  # in turn, so every kind occurs
            self.faults[fault] += 1
            return fault

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        headers = {k: v for k, v in h.headers.items() if k.lower() not in ("host", "connection")}
        target = h.headers.get("X-Amz-Target", "")
        with self._lock:
            self.requests.append(f"{h.command} {h.path} {target}".strip())
        for rule in self.rules:
            if rule.when(h.command, h.path, headers, body):
                return self._error(h, rule.status, rule.code, rule.message, body)
        fault = self._pick_fault(f"{h.command} {h.path} {target} {hash(body)}")
        if fault == "throttle":
            return self._error(
                h, 400 if target else 503, "ThrottlingException" if target else "SlowDown", "Rate exceeded", body
            )
        if fault == "server-error":
            return self._error(h, 500, "InternalError", "We encountered an internal error. Please try again.", body)
        if fault == "drop":
            h.close_connection = True
            h.connection.shutdown(2)
            return None
        up = urlsplit(self.upstream)
        conn = http.client.HTTPConnection(up.hostname, up.port, timeout=60)
        try:
            conn.request(h.command, h.path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
        finally:
            conn.close()
        h.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() not in ("content-length", "transfer-encoding", "connection", "server", "date"):
                h.send_header(k, v)
        h.send_header("Content-Length", str(len(data)))
        if fault == "cut-body" and len(data) > 1 and h.command != "HEAD":
            h.send_header("Connection", "close")
            h.end_headers()
            h.wfile.write(data[: len(data) // 2])
            h.wfile.flush()
            h.close_connection = True
            h.connection.shutdown(2)
            return None
        h.end_headers()
        if h.command != "HEAD":
            h.wfile.write(data)

    @staticmethod
    def _error(h: BaseHTTPRequestHandler, status: int, code: str, message: str, body_in: bytes = b"") -> None:
        """An error in the wire format of the caller's protocol, so botocore parses its code."""
        detail = f"<Code>{code}</Code><Message>{message}</Message>"
        if h.headers.get("X-Amz-Target"):  # JSON protocol (CloudWatch Logs)
            body, ctype = json.dumps({"__type": code, "message": message}).encode(), "application/x-amz-json-1.1"
        elif h.command == "POST" and b"Version=2016-11-15" in body_in:  # EC2
            body, ctype = f"<Response><Errors><Error>{detail}</Error></Errors></Response>".encode(), "text/xml"
        elif h.command == "POST" and b"Action=" in body_in:  # query protocol (IAM, STS)
            body, ctype = (
                f"<ErrorResponse><Error><Type>Sender</Type>{detail}</Error></ErrorResponse>".encode(),
                "text/xml",
            )
        else:  # S3
            body, ctype = f"<Error>{detail}</Error>".encode(), "application/xml"
        h.send_response(status)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        if h.command != "HEAD":
            h.wfile.write(body)
