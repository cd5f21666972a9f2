"""Transports: each sends one outbox row and raises when it could not. No database access here.

Every message carries the row's dedupe key as its idempotency key (e-mail: a Message-ID
derived from it; webhook: an ``Idempotency-Key`` header), the same on every attempt, so a
receiver can drop the resend that follows a crash between "sent" and "recorded as sent".
"""

import http.client
import ipaddress
import json
import socket
import ssl
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.utils import translation
from django.utils.translation import gettext

from . import chat
from .email import branded_message
from .models import Notification


class DeliveryError(RuntimeError):
    """The channel refused or failed to take the message; the attempt is recorded and retried."""


def email_send(row: Notification) -> None:
    # The body was written in the recipient's language; the HTML part's own words follow it.
    with translation.override(row.language or settings.LANGUAGE_CODE):
        message = _email_message(row)
    if message.send() != 1:
        raise DeliveryError("The mail backend accepted no message.")


def _email_message(row: Notification) -> EmailMultiAlternatives:
    return branded_message(
        subject=row.subject,
        text=row.body,
        html_template="email/notification.html",
        context={"body": row.body, "link": row.link},
        to=[row.address],
        tenant=row.tenant,
        headers={"Message-ID": row.message_id, "X-Keel-Notification": row.dedupe_key},
    )


def validate_webhook_url(url: str) -> None:
    """Refuse anything but an http(s) URL with a host; plain http only where settings allow it.

    A literal non-public address is refused here, so the form can say so; a name is resolved
    and checked at each delivery (:func:`webhook_address`), where it counts.
    """
    parts = urlsplit(url)
    allowed = {"https", "http"} if settings.KEEL_WEBHOOK_ALLOW_HTTP else {"https"}
    try:
        parts.port  # noqa: B018 (raises on a port that is not a number from 0 to 65535)
    except ValueError:
        raise ValidationError(gettext("The webhook URL's port is not a valid port number.")) from None
    if parts.scheme not in allowed or not parts.hostname:
        raise ValidationError(gettext("Use an %(join)s URL for the webhook.") % {"join": " or ".join(sorted(allowed))})
    try:
        literal = ipaddress.ip_address(parts.hostname)
    except ValueError:
        return
    if not _address_allowed(literal):
        raise ValidationError(gettext("Webhooks go to public addresses only, not %(literal)s.") % {"literal": literal})


def _address_allowed(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 is loopback too
    return address.is_global or settings.KEEL_WEBHOOK_ALLOW_PRIVATE


def webhook_address(host: str, port: int) -> str:
    """Return the address to connect to for ``host``, once every address it resolves to is allowed.

    All are checked (a name may resolve to a public and a private address), and the delivery
    connects to the address checked, so a second DNS answer cannot point it elsewhere.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise DeliveryError(f"Webhook host {host} does not resolve ({exc.strerror}).") from None
    addresses = [str(info[4][0]) for info in infos]  # IPv4 and IPv6 socket addresses start with the host
    for address in addresses:
        if not _address_allowed(ipaddress.ip_address(address.split("%", 1)[0])):
            raise DeliveryError(f"Webhook host {host} is at a non-public address ({address}); refused.")
    return addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Speaks to ``host`` (Host header) over a connection to the checked ``address``."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """As above over TLS; the certificate is checked against ``host``, not the address."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float):
        self.tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.address = address

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self.tls.wrap_socket(sock, server_hostname=self.host)


def _chat_message(row: Notification) -> chat.ChatMessage:
    tenant = row.tenant.name if row.tenant_id and row.tenant else ""
    return chat.ChatMessage(title=row.subject, text=row.body[:600], link=row.link, tenant=tenant, language=row.language)


def slack_payload(row: Notification) -> dict:
    """Return a Slack body (Block Kit card and ``text``), plus ``keel`` for any other receiver."""
    tenant = row.tenant.slug if row.tenant_id and row.tenant else ""
    keel = {"id": row.dedupe_key, "kind": row.kind, "topic": row.topic, "tenant": tenant, "link": row.link}
    return chat.slack_body(_chat_message(row), keel=keel)


def chat_request(row: Notification, *, now: float | None = None) -> tuple[str, dict]:
    """Return the URL to post to and the JSON body, in the format of the row's chat tool."""
    now = time.time() if now is None else now
    message = _chat_message(row)
    kind = row.chat_kind or chat.ChatKind.SLACK
    if kind == chat.ChatKind.FEISHU:
        return row.address, chat.feishu_body(message, secret=row.chat_secret, timestamp=int(now))
    if kind == chat.ChatKind.DINGTALK:
        url = chat.dingtalk_url(row.address, secret=row.chat_secret, timestamp_ms=int(now * 1000))
        return url, chat.dingtalk_body(message)
    if kind == chat.ChatKind.WECOM:
        return row.address, chat.wecom_body(message)
    return row.address, slack_payload(row)


def _post_json(url: str, body: dict, headers: dict[str, str]) -> tuple[int, bytes]:
    """POST ``body`` to ``url`` (checked, connection pinned to the checked address); return status and answer.

    Redirects are not followed: they would send the message somewhere nobody configured.
    """
    try:
        validate_webhook_url(url)
    except ValidationError as exc:
        raise DeliveryError(" ".join(exc.messages)) from None
    parts = urlsplit(url)
    host = parts.hostname
    if host is None:  # validate_webhook_url refused it already
        raise DeliveryError("The webhook URL has no host.")
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    address = webhook_address(host, port)
    connection_class = _PinnedHTTPSConnection if https else _PinnedHTTPConnection
    connection = connection_class(host, port, address=address, timeout=settings.KEEL_WEBHOOK_TIMEOUT_SECONDS)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", target, body=json.dumps(body).encode(), headers=headers)
        response = connection.getresponse()
        return response.status, response.read(65536)
    except (OSError, http.client.HTTPException) as exc:
        raise DeliveryError(f"Webhook unreachable: {exc}") from None
    finally:
        connection.close()


def webhook_post(row: Notification) -> None:
    """POST the row to its webhook or chat robot, in that tool's format.

    Raises :class:`chat.RateLimited` when the robot (or Keel's own count for it) says "not now":
    the outbox waits and sends it later without counting a failed attempt.
    """
    kind = row.chat_kind or chat.ChatKind.SLACK
    if kind != chat.ChatKind.SLACK:
        chat.rate_slot_take(kind, row.address)
    url, body = chat_request(row)
    headers = {
        "Content-Type": "application/json",
        "Idempotency-Key": row.dedupe_key,
        "User-Agent": "Keel-Notifications/1",
    }
    status, answer = _post_json(url, body, headers)
    try:
        payload = json.loads(answer) if answer else None
    except ValueError:
        payload = None
    problem = chat.answer_error(kind, status, payload)
    if isinstance(problem, chat.RateLimited):
        raise problem
    if problem is not None:
        if kind == chat.ChatKind.SLACK:
            raise DeliveryError(f"Webhook answered HTTP {status}.")
        raise DeliveryError(str(problem))
