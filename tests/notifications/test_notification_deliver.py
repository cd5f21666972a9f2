"""Delivering one outbox row: once in effect, attempts and errors recorded, dead letter after K attempts."""

import uuid
from datetime import timedelta

import psycopg
import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.utils import timezone

from portal.notifications.models import Channel, Notification, Status
from portal.notifications.services import ATTEMPT_LOCK_NAMESPACE, notification_deliver
from portal.notifications.tasks import notification_deliver_task
from tests.support.factories import NotificationFactory

from .receivers import WebhookReceiver

pytestmark = pytest.mark.django_db


def test_an_email_goes_out_once_with_a_message_id_derived_from_its_key(csm_a):
    row = NotificationFactory(recipient=csm_a)
    assert notification_deliver(notification_id=row.pk) == "sent"
    assert notification_deliver(notification_id=row.pk) == "skipped"
    assert len(mail.outbox) == 1
    message = mail.outbox[0].message()
    assert message["Message-ID"] == row.message_id
    assert message["X-Keel-Notification"] == row.dedupe_key
    assert mail.outbox[0].to == [csm_a.email]
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (Status.SENT, 1, "")
    assert row.sent_at is not None


def test_the_message_id_is_stable_and_differs_between_rows(csm_a):
    first, second = NotificationFactory(recipient=csm_a), NotificationFactory(recipient=csm_a)
    assert first.message_id == Notification.objects.get(pk=first.pk).message_id
    assert first.message_id != second.message_id
    assert first.message_id.endswith("@notifications.localhost>")


def test_an_in_app_notification_is_delivered_by_recording_it(csm_a):
    row = NotificationFactory(recipient=csm_a, channel=Channel.IN_APP)
    assert notification_deliver(notification_id=row.pk) == "sent"
    assert list(Notification.objects.inbox(csm_a)) == [row]
    assert mail.outbox == []


def test_a_webhook_gets_slack_json_and_an_idempotency_key(csm_a, tenant_a, webhook):
    row = NotificationFactory(
        recipient=csm_a, channel=Channel.WEBHOOK, address=webhook.url(), tenant=tenant_a, link="http://x/console/"
    )
    assert notification_deliver(notification_id=row.pk) == "sent"
    headers, body = webhook.payloads[0]
    assert headers["Idempotency-Key"] == row.dedupe_key
    assert headers["Content-Type"] == "application/json"
    assert body["text"] == f"*{row.subject}*\n<http://x/console/|Open in Keel>"
    assert body["keel"]["tenant"] == "alpha"
    assert body["keel"]["id"] == row.dedupe_key


def test_a_failing_channel_records_the_attempt_and_backs_off(csm_a, settings):
    settings.KEEL_NOTIFY_RETRY_BASE_SECONDS = 60
    failing = WebhookReceiver(status=503)
    try:
        row = NotificationFactory(recipient=csm_a, channel=Channel.WEBHOOK, address=failing.url())
        with time_machine.travel(timezone.now(), tick=False) as clock:
            assert notification_deliver(notification_id=row.pk) == "retry"
            row.refresh_from_db()
            assert (row.status, row.attempts) == (Status.PENDING, 1)
            assert row.last_error == "Attempt 1: DeliveryError: Webhook answered HTTP 503."
            assert row.next_attempt_at == timezone.now() + timedelta(seconds=60)
            assert notification_deliver(notification_id=row.pk) == "waiting"
            clock.shift(timedelta(seconds=60))
            assert notification_deliver(notification_id=row.pk) == "retry"
            row.refresh_from_db()
            assert row.attempts == 2
            assert row.next_attempt_at == timezone.now() + timedelta(seconds=120)
        assert failing.delivered == 1  # the same key, twice
        assert failing.absorbed == 1
    finally:
        failing.close()


def test_the_last_allowed_failure_makes_a_dead_letter(csm_a, settings):
    settings.KEEL_NOTIFY_MAX_ATTEMPTS = 2
    row = NotificationFactory(recipient=csm_a, channel=Channel.WEBHOOK, address="http://127.0.0.1:9/closed", attempts=1)
    assert notification_deliver(notification_id=row.pk) == "dead"
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.DEAD, 2)
    assert "Webhook unreachable" in row.last_error
    assert notification_deliver(notification_id=row.pk) == "skipped"


def test_a_lost_attempt_is_resent_with_the_same_message_id(csm_a):
    lost = uuid.uuid4()
    row = NotificationFactory(
        recipient=csm_a, status=Status.SENDING, attempts=1, claim_id=lost, last_attempt_at=timezone.now()
    )
    assert notification_deliver(notification_id=row.pk) == "sent"
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.SENT, 2)
    assert row.claim_id != lost
    assert row.last_error.startswith("Attempt 1 was lost")
    assert mail.outbox[0].message()["Message-ID"] == row.message_id


def test_a_lost_last_attempt_becomes_a_dead_letter(csm_a):
    k = settings.KEEL_NOTIFY_MAX_ATTEMPTS
    row = NotificationFactory(recipient=csm_a, status=Status.SENDING, attempts=k, claim_id=uuid.uuid4())
    assert notification_deliver(notification_id=row.pk) == "dead"
    row.refresh_from_db()
    assert row.status == Status.DEAD
    assert mail.outbox == []


def test_a_row_whose_attempt_is_running_elsewhere_is_left_alone(csm_a):
    row = NotificationFactory(recipient=csm_a, status=Status.SENDING, attempts=1, claim_id=uuid.uuid4())
    db = settings.DATABASES["default"]
    with psycopg.connect(
        dbname=db["NAME"], host=db["HOST"], port=db["PORT"], user=db["USER"], password=db["PASSWORD"] or None
    ) as other:
        other.execute("SELECT pg_advisory_lock(%s, %s)", [ATTEMPT_LOCK_NAMESPACE, row.pk])
        assert notification_deliver(notification_id=row.pk) == "busy"
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.SENDING, 1)
    assert mail.outbox == []


@pytest.mark.parametrize("status", [Status.HELD, Status.DIGESTED, Status.DEAD])
def test_rows_that_are_not_due_for_delivery_are_skipped(csm_a, status):
    row = NotificationFactory(recipient=csm_a, status=status)
    assert notification_deliver(notification_id=row.pk) == "skipped"
    assert mail.outbox == []


def test_a_missing_row_is_skipped(db):
    assert notification_deliver(notification_id=987_654_321) == "skipped"


def test_a_webhook_url_that_is_not_http_is_refused_and_recorded(csm_a):
    row = NotificationFactory(recipient=csm_a, channel=Channel.WEBHOOK, address="file:///etc/passwd")
    assert notification_deliver(notification_id=row.pk) == "retry"
    row.refresh_from_db()
    assert "Use an http or https URL" in row.last_error


def test_https_only_when_plain_http_is_not_allowed(csm_a, settings, webhook):
    settings.KEEL_WEBHOOK_ALLOW_HTTP = False
    row = NotificationFactory(recipient=csm_a, channel=Channel.WEBHOOK, address=webhook.url())
    assert notification_deliver(notification_id=row.pk) == "retry"
    row.refresh_from_db()
    assert "Use an https URL" in row.last_error
    assert webhook.receipts == []


def test_the_task_delivers_the_row_it_is_given(csm_a):
    row = NotificationFactory(recipient=csm_a)
    assert notification_deliver_task.delay(notification_id=row.pk).get() == "sent"
    assert len(mail.outbox) == 1
