"""A local chat robot on 127.0.0.1 that checks what Feishu, DingTalk, WeCom or Slack would check.

It verifies the signature (written here from each tool's documentation, independently of
``portal.notifications.chat``) and the card's shape, records every message it accepted, and can
refuse with the tool's own "too fast" answer past ``limit`` messages per ``window`` seconds.
"""

import base64
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

OK = {
    "feishu": {"code": 0, "msg": "success"},
    "dingtalk": {"errcode": 0, "errmsg": "ok"},
    "wecom": {"errcode": 0, "errmsg": "ok"},
}
TOO_FAST = {
    "feishu": {"code": 11232, "msg": "frequency limited"},
    "dingtalk": {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"},
    "wecom": {"errcode": 45009, "errmsg": "api freq out of limit"},
}
BAD_SIGN = {
    "feishu": {"code": 19021, "msg": "sign match fail or timestamp is not within one hour from current time"},
    "dingtalk": {"errcode": 310000, "errmsg": "sign not match"},
}


def _shape_problem(kind: str, body: dict) -> str:
    if kind == "feishu":
        card = body.get("card") or {}
        buttons = [a for e in card.get("elements", []) if e.get("tag") == "action" for a in e["actions"]]
        if body.get("msg_type") != "interactive" or not card.get("header", {}).get("title", {}).get("content"):
            return "not an interactive card with a title"
        if not buttons or not buttons[0].get("url"):
            return "no link button"
    elif kind == "dingtalk":
        card = body.get("actionCard") or {}
        if body.get("msgtype") != "actionCard" or not card.get("title") or not card.get("singleURL"):
            return "not an ActionCard with a link"
    elif kind == "wecom":
        card = body.get("template_card") or {}
        if body.get("msgtype") != "template_card" or card.get("card_type") != "text_notice":
            return "not a text_notice template card"
        if not card.get("main_title", {}).get("title") or not card.get("jump_list", [{}])[0].get("url"):
            return "no title or no jump link"
    elif kind == "slack":
        actions = [b for b in body.get("blocks", []) if b.get("type") == "actions"]
        if not body.get("text") or not actions or not actions[0]["elements"][0].get("url"):
            return "no text or no link button"
    return ""


class ChatRobot:
    def __init__(self, kind: str, *, secret: str = "", limit: int | None = None, window: float = 1.0):
        self.kind, self.secret, self.limit, self.window = kind, secret, limit, window
        self.accepted: list[dict] = []
        self.refused: list[str] = []
        self.sent_at: list[float] = []
        self._lock = threading.Lock()
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status, answer = robot.handle(self.path, dict(self.headers), raw)
                data = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def url(self) -> str:
        port = self.server.server_address[1]
        paths = {
            "feishu": "/open-apis/bot/v2/hook/robot-1",
            "dingtalk": "/robot/send?access_token=robot-1",
            "wecom": "/cgi-bin/webhook/send?key=robot-1",
            "slack": "/services/T000/B000/robot-1",
        }
        return f"http://127.0.0.1:{port}{paths[self.kind]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _signature_ok(self, query: dict, body: dict) -> bool:
        if not self.secret:
            return True
        if self.kind == "feishu":
            timestamp = body.get("timestamp", "")
            key = f"{timestamp}\n{self.secret}".encode()
            expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
            fresh = timestamp.isdigit() and abs(time.time() - int(timestamp)) < 3600
            return fresh and hmac.compare_digest(expected, body.get("sign", ""))
        if self.kind == "dingtalk":
            timestamp = (query.get("timestamp") or [""])[0]
            message = f"{timestamp}\n{self.secret}".encode()
            expected = base64.b64encode(hmac.new(self.secret.encode(), message, hashlib.sha256).digest()).decode()
            fresh = timestamp.isdigit() and abs(time.time() * 1000 - int(timestamp)) < 3_600_000
            return fresh and hmac.compare_digest(expected, (query.get("sign") or [""])[0])
        return True

    def handle(self, path: str, headers: dict, raw: bytes):
        query = parse_qs(urlsplit(path).query)
        try:
            body = json.loads(raw)
        except ValueError:
            return 400, b"not json"
        if not self._signature_ok(query, body):
            self.refused.append("signature")
            return 200, BAD_SIGN[self.kind]
        problem = _shape_problem(self.kind, body)
        if problem:
            self.refused.append(problem)
            return 400, {"errcode": 40001, "errmsg": problem, "code": 40001}
        with self._lock:
            now = time.monotonic()
            recent = [t for t in self.sent_at if now - t < self.window]
            if self.limit is not None and len(recent) >= self.limit:
                self.refused.append("too fast")
                if self.kind == "slack":
                    return 429, b"rate_limited"
                return 200, TOO_FAST[self.kind]
            self.sent_at.append(now)
            self.accepted.append({"path": path, "query": query, "headers": headers, "body": body})
        return 200, OK.get(self.kind, b"ok")
