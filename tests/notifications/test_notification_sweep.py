"""The sweep: whatever Redis lost, rows still pending (or stuck mid-attempt) are sent again."""

import uuid
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from portal.notifications.models import Status
from portal.notifications.services import notification_sweep
from portal.notifications.tasks import notification_sweep_task
from tests.support.factories import NotificationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def grace(settings):
    settings.KEEL_NOTIFY_SWEEP_GRACE_SECONDS = 120
    return timedelta(seconds=120)


def test_a_pending_row_whose_message_was_lost_is_delivered(csm_a, grace):
    row = NotificationFactory(recipient=csm_a)  # as if its delivery task vanished with Redis
    with time_machine.travel(timezone.now() + grace, tick=False):
        assert notification_sweep() == 1
    row.refresh_from_db()
    assert row.status == Status.SENT
    assert len(mail.outbox) == 1


def test_rows_younger_than_the_grace_period_are_left_to_their_own_message(csm_a, grace):
    NotificationFactory(recipient=csm_a)
    with time_machine.travel(timezone.now() + grace - timedelta(seconds=1), tick=False):
        assert notification_sweep() == 0
    assert mail.outbox == []


def test_an_attempt_stuck_in_sending_is_resent_once_it_is_stale(csm_a, grace):
    now = timezone.now()
    row = NotificationFactory(
        recipient=csm_a, status=Status.SENDING, attempts=1, claim_id=uuid.uuid4(), last_attempt_at=now
    )
    with time_machine.travel(now + grace, tick=False):
        assert notification_sweep() == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.SENT, 2)
    assert mail.outbox[0].message()["Message-ID"] == row.message_id


@pytest.mark.parametrize("status", [Status.SENT, Status.HELD, Status.DIGESTED, Status.DEAD])
def test_settled_rows_are_not_touched(csm_a, grace, status):
    NotificationFactory(recipient=csm_a, status=status, sent_at=timezone.now())
    with time_machine.travel(timezone.now() + timedelta(days=1), tick=False):
        assert notification_sweep() == 0


def test_a_row_backing_off_waits_for_its_next_attempt(csm_a, grace):
    now = timezone.now()
    NotificationFactory(recipient=csm_a, attempts=1, next_attempt_at=now + timedelta(minutes=10))
    with time_machine.travel(now + timedelta(minutes=10) + grace - timedelta(seconds=1), tick=False):
        assert notification_sweep() == 0
    with time_machine.travel(now + timedelta(minutes=10) + grace, tick=False):
        assert notification_sweep() == 1
    assert len(mail.outbox) == 1


def test_the_beat_task_runs_the_sweep(csm_a, grace):
    NotificationFactory(recipient=csm_a)
    with time_machine.travel(timezone.now() + grace, tick=False):
        assert notification_sweep_task.delay().get() == 1
