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
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

from .email import branded_message
from .models import Notification


class DeliveryError(RuntimeError):
    """The channel refused or failed to take the message; the attempt is recorded and retried."""


def email_send(row: Notification) -> None:
    message = branded_message(
        subject=row.subject,
        text=row.body,
        html_template="email/notification.html",
        context={"body": row.body, "link": row.link},
        to=[row.address],
        tenant=row.tenant,
        headers={"Message-ID": row.message_id, "X-Keel-Notification": row.dedupe_key},
    )
    if message.send() != 1:
        raise DeliveryError("The mail backend accepted no message.")


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
        raise ValidationError("The webhook URL's port is not a valid port number.") from None
    if parts.scheme not in allowed or not parts.hostname:
        raise ValidationError(f"Use an {' or '.join(sorted(allowed))} URL for the webhook.")
    try:
        literal = ipaddress.ip_address(parts.hostname)
    except ValueError:
        return
    if not _address_allowed(literal):
        raise ValidationError(f"Webhooks go to public addresses only, not {literal}.")


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


def slack_payload(row: Notification) -> dict:
    """Return a Slack-compatible body: ``text`` for Slack and friends, ``keel`` for everyone else."""
    text = f"*{row.subject}*"
    if row.link:
        text += f"\n<{row.link}|Open in Keel>"
    tenant = row.tenant.slug if row.tenant_id and row.tenant else ""
    return {
        "text": text,
        "keel": {"id": row.dedupe_key, "kind": row.kind, "topic": row.topic, "tenant": tenant, "link": row.link},
    }


def webhook_post(row: Notification) -> None:
    """POST the row to its webhook. Redirects are not followed: they would send the message
    somewhere nobody configured (a 3xx is a failed attempt, like any non-2xx)."""
    try:
        validate_webhook_url(row.address)
    except ValidationError as exc:
        raise DeliveryError(" ".join(exc.messages)) from None
    parts = urlsplit(row.address)
    host = parts.hostname
    if host is None:  # validate_webhook_url refused it already
        raise DeliveryError("The webhook URL has no host.")
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    address = webhook_address(host, port)
    connection_class = _PinnedHTTPSConnection if https else _PinnedHTTPConnection
    connection = connection_class(host, port, address=address, timeout=settings.KEEL_WEBHOOK_TIMEOUT_SECONDS)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = {
        "Content-Type": "application/json",
        "Idempotency-Key": row.dedupe_key,
        "User-Agent": "Keel-Notifications/1",
    }
    try:
        connection.request("POST", target, body=json.dumps(slack_payload(row)).encode(), headers=headers)
        status = connection.getresponse().status
    except (OSError, http.client.HTTPException) as exc:
        raise DeliveryError(f"Webhook unreachable: {exc}") from None
    finally:
        connection.close()
    if not 200 <= status < 300:
        raise DeliveryError(f"Webhook answered HTTP {status}.")
