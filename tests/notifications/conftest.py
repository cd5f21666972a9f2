"""Outbox fixtures: fake receiving ends on 127.0.0.1. Outbox rows: tests.support.factories.NotificationFactory."""

import pytest

from .receivers import WebhookReceiver


@pytest.fixture
def webhook():
    receiver = WebhookReceiver()
    yield receiver
    receiver.close()
