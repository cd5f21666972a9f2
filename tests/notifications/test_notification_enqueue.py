"""Writing outbox rows: one per decision, recipient and channel; preferences pick the channels."""

import pytest
from django.core import mail
from django.db import connections

from portal.notifications.models import Channel, Notification, NotificationPreference, Status
from portal.notifications.services import notification_enqueue
from tests.support.factories import CsmFactory

pytestmark = pytest.mark.django_db


def enqueue(recipients, key="decision:1", **kw):
    return notification_enqueue(key=key, kind="test", subject="Hello", body="Body", recipients=recipients, **kw)


def test_each_recipient_gets_one_row_per_channel():
    ada, ben = CsmFactory(), CsmFactory()
    rows = enqueue([ada, ben], via=(Channel.IN_APP, Channel.EMAIL))
    assert sorted(r.dedupe_key for r in rows) == sorted(
        [
            f"decision:1:u{ada.pk}:in_app",
            f"decision:1:u{ada.pk}:email",
            f"decision:1:u{ben.pk}:in_app",
            f"decision:1:u{ben.pk}:email",
        ]
    )
    assert {r.status for r in rows} == {Status.PENDING}
    assert Notification.objects.get(dedupe_key=f"decision:1:u{ada.pk}:email").address == ada.email


def test_the_same_decision_written_twice_adds_nothing():
    ada = CsmFactory()
    assert len(enqueue([ada])) == 2
    assert enqueue([ada]) == []
    assert Notification.objects.count() == 2


def test_a_digest_reader_s_email_is_held_but_in_app_is_not():
    ada = CsmFactory()
    NotificationPreference.objects.create(user=ada, digest=True)
    rows = {r.channel: r.status for r in enqueue([ada])}
    assert rows == {Channel.IN_APP: Status.PENDING, Channel.EMAIL: Status.HELD}


def test_webhook_rows_only_for_people_with_a_url_plus_the_extra_ones():
    ada, ben = CsmFactory(), CsmFactory()
    NotificationPreference.objects.create(user=ada, webhook_url="https://hooks.example.com/ada")
    rows = enqueue([ada, ben], via=(Channel.WEBHOOK,), webhooks=["https://hooks.example.com/team"])
    assert sorted(r.address for r in rows) == ["https://hooks.example.com/ada", "https://hooks.example.com/team"]


def test_inactive_people_are_not_written_to():
    gone = CsmFactory(is_active=False)
    assert enqueue([gone]) == []


def test_delivery_is_sent_only_once_the_transaction_commits(django_capture_on_commit_callbacks):
    ada = CsmFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        enqueue([ada], via=(Channel.EMAIL,))
    assert mail.outbox == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(mail.outbox) == 1
    assert Notification.objects.get().status == Status.SENT


def test_held_rows_are_not_sent_to_the_workers(django_capture_on_commit_callbacks):
    ada = CsmFactory()
    NotificationPreference.objects.create(user=ada, digest=True)
    with django_capture_on_commit_callbacks() as callbacks:
        enqueue([ada], via=(Channel.EMAIL,))
    assert callbacks == []


def test_it_refuses_to_run_outside_the_deciding_transaction(monkeypatch):
    monkeypatch.setattr(connections["default"], "in_atomic_block", False)
    with pytest.raises(RuntimeError, match="inside the transaction that decided"):
        enqueue([CsmFactory.build()])
