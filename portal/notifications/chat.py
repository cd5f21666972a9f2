"""Chat tools CSMs and their teams work in: Feishu (Lark), DingTalk, WeCom and Slack.

Each gets a message in its own card format, with a link button, in the recipient's language
(the row's ``language``), signed where the tool signs. No database access here: ``channels``
posts what this module builds, and the outbox (``services``) retries and backs off.

Signatures, as each tool documents them:
- Feishu/Lark custom bot: ``sign = base64(HMAC-SHA256(key="<timestamp>\\n<secret>", msg=""))``
  with ``timestamp`` in seconds, both in the JSON body; the bot refuses a timestamp more than an
  hour away from its clock.
- DingTalk robot: ``sign = urlencode(base64(HMAC-SHA256(key=secret, msg="<timestamp>\\n<secret>")))``
  with ``timestamp`` in milliseconds, both added to the webhook URL's query string.
- WeCom group robot and Slack incoming webhooks: the key in the URL is the credential.

Rate limits per robot (the tools' documented figures; ``KEEL_CHAT_RATE_LIMITS`` overrides):
DingTalk 20 messages a minute, WeCom 20 a minute, Feishu 100 a minute, Slack about 1 a second.
Keel keeps under them itself and treats the tools' own "too fast" answers as a back-off, never
as a failed attempt: a rate-limited message is sent later, never dropped.
"""

import base64
import hashlib
import hmac
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus, urlsplit, urlunsplit

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy


class ChatKind(models.TextChoices):
    SLACK = "slack", gettext_lazy("Slack (or compatible) incoming webhook")
    FEISHU = "feishu", gettext_lazy("Feishu / Lark custom bot")
    DINGTALK = "dingtalk", gettext_lazy("DingTalk robot")
    WECOM = "wecom", gettext_lazy("WeCom group robot")


# (messages, per seconds) per robot.
DEFAULT_RATE_LIMITS: dict[str, tuple[int, int]] = {
    ChatKind.DINGTALK: (20, 60),
    ChatKind.WECOM: (20, 60),
    ChatKind.FEISHU: (100, 60),
    ChatKind.SLACK: (60, 60),
}

# Answers meaning "too fast, try later" (HTTP 200 with an error code in the body).
RATE_LIMIT_CODES: dict[str, set[int]] = {
    ChatKind.DINGTALK: {130101, 660026},  # send too fast / exceeded the per-minute limit
    ChatKind.WECOM: {45009},  # api freq out of limit
    ChatKind.FEISHU: {9499, 11232},  # too many requests / frequency limited
}


class RateLimited(RuntimeError):  # noqa: N818  (a state to wait out, not an error to count)
    """The robot takes no more messages for now; try again after ``retry_after`` seconds."""

    def __init__(self, message: str, *, retry_after: float):
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class ChatMessage:
    """What every tool shows: a title, a text, a link, and the tenant it is about."""

    title: str
    text: str
    link: str
    tenant: str
    language: str


def rate_limit(kind: str) -> tuple[int, int]:
    configured: dict[str, tuple[int, int]] = getattr(settings, "KEEL_CHAT_RATE_LIMITS", {})
    return configured.get(kind) or DEFAULT_RATE_LIMITS.get(kind, (60, 60))


def robot_key(url: str) -> str:
    """Return the cache key that counts messages to one robot (never the URL: it is a credential)."""
    return "chat-rate:" + hashlib.sha256(url.encode()).hexdigest()[:32]


def rate_slot_take(kind: str, url: str, *, now: float | None = None) -> None:
    """Take this robot's next send slot; raise RateLimited (with the wait) when it is taken.

    Sends to one robot are spaced: one per slot of ``seconds / (limit - 1)``, claimed with an
    atomic ``cache.add`` (Redis in production, shared by every worker). However the slots fall,
    no window of ``seconds`` then holds more than ``limit`` messages, which is how the tools
    count (a sliding minute); a fixed per-minute counter would let twice the limit through
    across a minute's boundary.
    """
    limit, seconds = rate_limit(kind)
    interval = seconds / (limit - 1) if limit > 1 else seconds * 1.01
    now = time.time() if now is None else now
    slot = int(now // interval)
    if not cache.add(f"{robot_key(url)}:{slot}", 1, timeout=int(interval) + 2):
        raise RateLimited(
            f"Keel spaces messages to this {kind} robot ({limit} per {seconds} s); its next slot is taken.",
            retry_after=(slot + 1) * interval - now + 0.01,
        )


def _button_label(language: str) -> str:
    with translation.override(language or settings.LANGUAGE_CODE):
        return gettext("Open in Keel")


def _title(message: ChatMessage) -> str:
    if not message.tenant:
        return message.title
    with translation.override(message.language or settings.LANGUAGE_CODE):
        return gettext("%(tenant)s: %(title)s") % {"tenant": message.tenant, "title": message.title}


def slack_body(message: ChatMessage, *, keel: dict[str, Any]) -> dict[str, Any]:
    """Slack Block Kit: a section and a link button; ``text`` is the notification fallback."""
    title = _title(message)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": title[:150]}},
    ]
    if message.text:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": message.text[:3000]}})
    text = f"*{message.title}*"
    if message.link:
        label = _button_label(message.language)
        button = {"type": "button", "text": {"type": "plain_text", "text": label}, "url": message.link}
        blocks.append({"type": "actions", "elements": [button]})
        text += f"\n<{message.link}|{label}>"
    return {"text": text, "blocks": blocks, "keel": keel}


def feishu_sign(timestamp: int, secret: str) -> str:
    string_to_sign = f"{timestamp}\n{secret}"
    digest = hmac.new(string_to_sign.encode(), b"", digestmod=hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def feishu_body(message: ChatMessage, *, secret: str, timestamp: int) -> dict[str, Any]:
    """A Feishu/Lark interactive card: header, markdown text, a primary link button."""
    elements: list[dict[str, Any]] = []
    if message.text:
        elements.append({"tag": "div", "text": {"tag": "lark_md", "content": message.text}})
    if message.link:
        button = {
            "tag": "button",
            "text": {"tag": "plain_text", "content": _button_label(message.language)},
            "url": message.link,
            "type": "primary",
        }
        elements.append({"tag": "action", "actions": [button]})
    body: dict[str, Any] = {
        "msg_type": "interactive",
        "card": {
            "config": {"wide_screen_mode": True},
            "header": {"title": {"tag": "plain_text", "content": _title(message)}, "template": "orange"},
            "elements": elements,
        },
    }
    if secret:
        body = {"timestamp": str(timestamp), "sign": feishu_sign(timestamp, secret), **body}
    return body


def dingtalk_sign(timestamp_ms: int, secret: str) -> str:
    string_to_sign = f"{timestamp_ms}\n{secret}"
    digest = hmac.new(secret.encode(), string_to_sign.encode(), digestmod=hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode())


def dingtalk_url(url: str, *, secret: str, timestamp_ms: int) -> str:
    """Return the robot URL with ``timestamp`` and ``sign`` added (when the robot has a secret)."""
    if not secret:
        return url
    parts = urlsplit(url)
    extra = f"timestamp={timestamp_ms}&sign={dingtalk_sign(timestamp_ms, secret)}"
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def dingtalk_body(message: ChatMessage) -> dict[str, Any]:
    """A DingTalk ActionCard: markdown text and a single link button."""
    title = _title(message)
    text = f"### {title}\n\n{message.text}".strip()
    if not message.link:
        return {"msgtype": "markdown", "markdown": {"title": title, "text": text}}
    return {
        "msgtype": "actionCard",
        "actionCard": {
            "title": title,
            "text": text,
            "btnOrientation": "0",
            "singleTitle": _button_label(message.language),
            "singleURL": message.link,
        },
    }


def wecom_body(message: ChatMessage) -> dict[str, Any]:
    """A WeCom text-notice template card; the whole card and its jump link open Keel."""
    card: dict[str, Any] = {
        "card_type": "text_notice",
        "source": {"desc": "Keel"},
        "main_title": {"title": _title(message)[:26], "desc": message.tenant[:30]},
        "sub_title_text": message.text[:112],
    }
    if message.link:
        card["card_action"] = {"type": 1, "url": message.link}
        card["jump_list"] = [{"type": 1, "url": message.link, "title": _button_label(message.language)[:13]}]
    else:
        card["card_action"] = {"type": 1, "url": settings.KEEL_SCHEME + "://" + settings.KEEL_BASE_DOMAIN}
    return {"msgtype": "template_card", "template_card": card}


def answer_error(kind: str, status: int, payload: Any) -> Exception | None:
    """Return what the robot's answer means: None (taken), RateLimited, or another error."""
    limit, seconds = rate_limit(kind)
    if status == 429:
        return RateLimited(f"The {kind} robot answered HTTP 429.", retry_after=float(seconds))
    if not 200 <= status < 300:
        return RuntimeError(f"The {kind} robot answered HTTP {status}.")
    if kind == ChatKind.SLACK or not isinstance(payload, dict):
        return None
    code = payload.get("code", payload.get("errcode", payload.get("StatusCode", 0)))
    if code in (0, None):
        return None
    message = str(payload.get("msg") or payload.get("errmsg") or payload.get("StatusMessage") or "")
    if code in RATE_LIMIT_CODES.get(kind, set()):
        return RateLimited(f"The {kind} robot says: too fast ({code} {message}).", retry_after=float(seconds))
    return RuntimeError(f"The {kind} robot refused the message: {code} {message}.")
