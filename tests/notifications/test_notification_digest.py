"""The daily digest: held e-mails go out as one summary, once."""

import pytest
from django.core import mail

from portal.notifications.models import Channel, Notification, NotificationPreference, Status
from portal.notifications.services import (
    notification_digest_send,
    notification_digest_send_all,
    notification_preference_update,
)
from portal.notifications.tasks import notification_digest_send_all_task
from tests.support.factories import CsmFactory, NotificationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(db):
    user = CsmFactory()
    NotificationPreference.objects.create(user=user, digest=True)
    return user


def test_held_emails_go_out_as_one_summary(reader, django_capture_on_commit_callbacks):
    held = [NotificationFactory(recipient=reader, status=Status.HELD, link=f"http://x/{n}") for n in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        digest = notification_digest_send(user=reader)
    assert digest.subject == "Keel daily summary: 3 alerts"
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    for row in held:
        assert row.subject in body and row.link in body
    assert set(Notification.objects.filter(pk__in=[h.pk for h in held]).values_list("status", "digest")) == {
        (Status.DIGESTED, digest.pk)
    }
    digest.refresh_from_db()
    assert digest.status == Status.SENT


def test_running_the_digest_twice_sends_one(reader, django_capture_on_commit_callbacks):
    NotificationFactory(recipient=reader, status=Status.HELD)
    other = CsmFactory()
    NotificationPreference.objects.create(user=other, digest=True)
    NotificationFactory(recipient=other, status=Status.HELD)
    with django_capture_on_commit_callbacks(execute=True):
        assert notification_digest_send_all() == 2
        assert notification_digest_send_all() == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted([reader.email, other.email])


def test_nothing_held_means_no_digest(reader):
    NotificationFactory(recipient=reader, status=Status.SENT, sent_at="2026-01-01T00:00Z")
    assert notification_digest_send(user=reader) is None
    assert not Notification.objects.filter(kind="digest").exists()


def test_turning_the_digest_off_releases_what_it_held(reader, django_capture_on_commit_callbacks):
    row = NotificationFactory(recipient=reader, status=Status.HELD)
    with django_capture_on_commit_callbacks(execute=True):
        notification_preference_update(user=reader, actor=reader, digest=False)
    row.refresh_from_db()
    assert row.status == Status.SENT
    assert mail.outbox[0].subject == row.subject


def test_the_daily_task_sends_the_digests(reader):
    NotificationFactory(recipient=reader, status=Status.HELD)
    assert notification_digest_send_all_task.delay().get() == 1
    assert Notification.objects.filter(kind="digest", channel=Channel.EMAIL, recipient=reader).exists()
