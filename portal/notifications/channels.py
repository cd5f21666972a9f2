"""Transports: each sends one outbox row and raises when it could not. No database access here.

Every message carries the row's dedupe key as its idempotency key (e-mail: a Message-ID
derived from it; webhook: an ``Idempotency-Key`` header), the same on every attempt, so a
receiver can drop the resend that follows a crash between "sent" and "recorded as sent".
"""

import json
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage

from .models import Notification


class DeliveryError(RuntimeError):
    """The channel refused or failed to take the message; the attempt is recorded and retried."""


def email_send(row: Notification) -> None:
    message = EmailMessage(
        subject=row.subject,
        body=row.body,
        to=[row.address],
        headers={"Message-ID": row.message_id, "X-Keel-Notification": row.dedupe_key},
    )
    if message.send() != 1:
        raise DeliveryError("The mail backend accepted no message.")


def validate_webhook_url(url: str) -> None:
    """Refuse anything but an http(s) URL with a host; plain http only where settings allow it."""
    parts = urlsplit(url)
    allowed = {"https", "http"} if settings.KEEL_WEBHOOK_ALLOW_HTTP else {"https"}
    if parts.scheme not in allowed or not parts.hostname:
        raise ValidationError(f"Use an {' or '.join(sorted(allowed))} URL for the webhook.")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect would turn our POST into a request to somewhere nobody configured.
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


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
    try:
        validate_webhook_url(row.address)
    except ValidationError as exc:
        raise DeliveryError(" ".join(exc.messages)) from None
    request = urllib.request.Request(  # noqa: S310 (scheme checked just above)
        row.address,
        data=json.dumps(slack_payload(row)).encode(),
        headers={
            "Content-Type": "application/json",
            "Idempotency-Key": row.dedupe_key,
            "User-Agent": "Keel-Notifications/1",
        },
        method="POST",
    )
    try:
        with _opener.open(request, timeout=settings.KEEL_WEBHOOK_TIMEOUT_SECONDS) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"Webhook answered HTTP {exc.code}.") from None
    except (urllib.error.URLError, OSError) as exc:
        raise DeliveryError(f"Webhook unreachable: {getattr(exc, 'reason', exc)}") from None
    if not 200 <= status < 300:
        raise DeliveryError(f"Webhook answered HTTP {status}.")
