"""Fake receiving ends on 127.0.0.1: a Slack-style webhook endpoint and an SMTP server.

Both record every receipt *before* they answer (as a real mail server that has queued a
message, or a chat service that has posted it), then count deliveries by idempotency key:
the webhook's ``Idempotency-Key`` header, the e-mail's Message-ID. ``hold_first`` keeps
the first receipt waiting for its answer until ``release`` is set, so a test can kill the
sender exactly between "delivered" and "recorded as delivered".

Each serves on its own thread, woken by the listening socket or by ``close()`` through a
socket pair: closing takes no poll interval (``serve_forever``'s ``shutdown()`` waits up to
0.5 s for its next poll).
"""

import contextlib
import email
import email.policy
import json
import selectors
import socket
import socketserver
import ssl
import threading
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Receipt:
    key: str
    to: str
    subject: str


class _Receiver:
    def __init__(self, *, hold_first: bool = False):
        self.receipts: list[Receipt] = []
        self.hold_first = hold_first
        self.held = threading.Event()
        self.release = threading.Event()
        self._lock = threading.Lock()

    def record(self, receipt: Receipt) -> bool:
        """Record a receipt; return whether the sender must now wait for ``release``."""
        with self._lock:
            self.receipts.append(receipt)
            hold = self.hold_first and not self.held.is_set()
            if hold:
                self.held.set()
        return hold

    @property
    def keys(self) -> Counter:
        with self._lock:
            return Counter(r.key for r in self.receipts)

    @property
    def delivered(self) -> int:
        """Messages in effect: distinct idempotency keys."""
        return len(self.keys)

    @property
    def absorbed(self) -> int:
        """Resends the receiver dropped because it had the key already."""
        return sum(n - 1 for n in self.keys.values())

    def distinct(self) -> set[tuple[str, str, str]]:
        """Return one (key, to, subject) per message in effect."""
        with self._lock:
            return {(r.key, r.to, r.subject) for r in self.receipts}

    def start(self, server) -> None:
        self.server = server
        self.port = server.server_address[1]
        self._wake_read, self._wake_write = socket.socketpair()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        """Handle each connection as it arrives until ``close()`` writes to the wake-up socket."""
        with selectors.DefaultSelector() as selector:
            selector.register(self.server, selectors.EVENT_READ)
            selector.register(self._wake_read, selectors.EVENT_READ)
            while True:
                ready = {key.fileobj for key, _ in selector.select()}
                if self._wake_read in ready:
                    return
                self.server.handle_request()  # ready: accepts at once, then a handler thread answers

    def close(self) -> None:
        self.release.set()
        self._wake_write.send(b"x")
        self._thread.join(timeout=10)
        self.server.server_close()
        self._wake_read.close()
        self._wake_write.close()


class WebhookReceiver(_Receiver):
    def __init__(self, *, status: int = 200, hold_first: bool = False, tls: ssl.SSLContext | None = None):
        super().__init__(hold_first=hold_first)
        self.status = status
        self.scheme = "https" if tls else "http"
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                key = self.headers.get("Idempotency-Key", "")
                receiver.payloads.append((dict(self.headers), body))
                if receiver.record(Receipt(key=key, to=self.path, subject=body.get("text", ""))):
                    receiver.release.wait(timeout=60)
                with contextlib.suppress(OSError):  # the sender may have died while we held its answer back
                    self.send_response(receiver.status)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.payloads: list[tuple[dict, dict]] = []
        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        if tls:
            server.socket = tls.wrap_socket(server.socket, server_side=True)
        self.start(server)

    def url(self, path: str = "/hook") -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}{path}"


class SmtpReceiver(_Receiver):
    """Just enough SMTP for Django's SMTP backend (no TLS, no auth)."""

    def __init__(self, *, hold_first: bool = False):
        super().__init__(hold_first=hold_first)
        receiver = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line: str) -> None:
                self.wfile.write(line.encode() + b"\r\n")

            def handle(self):
                with contextlib.suppress(ConnectionError):  # a killed sender resets the connection
                    self.session()

            def session(self):
                self.reply("220 receiver.test ESMTP")
                while line := self.rfile.readline():
                    verb = line.decode(errors="replace").strip().split(" ", 1)[0].upper()
                    if verb == "EHLO":
                        self.reply("250-receiver.test")
                        self.reply("250 8BITMIME")
                    elif verb in {"HELO", "MAIL", "RCPT", "RSET", "NOOP"}:
                        self.reply("250 OK")
                    elif verb == "DATA":
                        self.reply("354 End data with <CR><LF>.<CR><LF>")
                        self.message()
                    elif verb == "QUIT":
                        self.reply("221 Bye")
                        return
                    else:
                        self.reply("502 Not implemented")

            def message(self):
                lines = []
                while (line := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(line[1:] if line.startswith(b"..") else line)
                msg = email.message_from_bytes(b"".join(lines), policy=email.policy.default)
                receipt = Receipt(key=str(msg["Message-ID"]), to=str(msg["To"]), subject=str(msg["Subject"]))
                if receiver.record(receipt):
                    receiver.release.wait(timeout=60)
                with contextlib.suppress(OSError):  # the sender may have died while we held its answer back
                    self.reply("250 OK queued")

        server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        self.start(server)
