"""Small servers on 127.0.0.1 for notifier tests: an SMTP sink and an HTTP webhook receiver."""

from __future__ import annotations

import json
import socketserver
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _SmtpHandler(socketserver.StreamRequestHandler):
    def reply(self, text: str) -> None:
        self.wfile.write((text + "\r\n").encode())

    def handle(self) -> None:
        self.reply("220 127.0.0.1 test SMTP")
        envelope = {"from": None, "to": []}
        while line := self.rfile.readline():
            verb = line.decode("ascii", "replace").strip()
            upper = verb.upper()
            if upper.startswith(("EHLO", "HELO")):
                self.reply("250 127.0.0.1")
            elif upper.startswith("MAIL FROM:"):
                envelope = {"from": verb[10:].strip(" <>"), "to": []}
                self.reply("250 OK")
            elif upper.startswith("RCPT TO:"):
                envelope["to"].append(verb[8:].strip(" <>"))
                self.reply("250 OK")
            elif upper == "DATA":
                self.reply("354 end with .")
                body = []
                while (data := self.rfile.readline()) not in (b".\r\n", b""):
                    body.append(data[1:] if data.startswith(b"..") else data)
                self.server.messages.append({**envelope, "data": b"".join(body).decode()})
                self.reply("250 queued")
            elif upper == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 OK")


class SmtpSink(socketserver.ThreadingTCPServer):
    """Accepts mail on 127.0.0.1 and keeps it in `messages`."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _SmtpHandler)
        self.messages: list[dict] = []
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def port(self) -> int:
        return self.server_address[1]

    def close(self) -> None:
        self.shutdown()
        self.server_close()


class _HookHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802  (http.server's name)
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.received.append(json.loads(body))
        status = self.server.statuses.pop(0) if self.server.statuses else 200
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


class WebhookReceiver(ThreadingHTTPServer):
    """Answers POSTs on 127.0.0.1 with the next of `statuses` (then 200) and keeps the JSON bodies."""

    daemon_threads = True

    def __init__(self, statuses: list[int] | None = None):
        super().__init__(("127.0.0.1", 0), _HookHandler)
        self.received: list[dict] = []
        self.statuses = list(statuses or [])
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"

    def close(self) -> None:
        self.shutdown()
        self.server_close()
