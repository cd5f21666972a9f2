"""Outbox fixtures: rows made directly, and fake receiving ends on 127.0.0.1."""

import itertools

import pytest

from portal.notifications.models import Channel, Notification

from .receivers import WebhookReceiver

_keys = itertools.count(1)


def make_row(*, recipient=None, channel=Channel.EMAIL, **fields) -> Notification:
    """Return a saved outbox row; e-mail rows go to the recipient's address."""
    n = next(_keys)
    defaults = {
        "dedupe_key": f"test:{n}:{channel}",
        "kind": "test",
        "subject": f"Test message {n}",
        "body": "Something happened.",
        "address": recipient.email if recipient is not None and channel == Channel.EMAIL else "",
    }
    return Notification.objects.create(recipient=recipient, channel=channel, **{**defaults, **fields})


@pytest.fixture
def webhook():
    receiver = WebhookReceiver()
    yield receiver
    receiver.close()
