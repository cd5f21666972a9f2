"""Console inbox (unread count), dead letters (retry), and preferences on the console and tenant hosts."""

import pytest
from django.core import mail
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.notifications.models import Channel, NotificationPreference, Status
from tests.support.clients import client_for
from tests.support.factories import NotificationFactory

pytestmark = pytest.mark.django_db


# --- inbox ---------------------------------------------------------------------------------
def test_the_inbox_lists_the_viewer_s_notifications_and_the_nav_counts_unread(csm_a, csm_b, tenant_a):
    mine = NotificationFactory(recipient=csm_a, delivered_in_app=True, subject="Alpha is stalled", tenant=tenant_a)
    NotificationFactory(recipient=csm_a, delivered_in_app=True, subject="Old news", read_at=timezone.now())
    NotificationFactory(recipient=csm_b, delivered_in_app=True, subject="Not for Ada")
    NotificationFactory(recipient=csm_a, channel=Channel.IN_APP, subject="Not delivered yet")
    response = client_for(csm_a).get("/console/notifications/")
    assert response.status_code == 200
    assert mine.subject in response.text and "Old news" in response.text
    assert "Not for Ada" not in response.text
    assert "Not delivered yet" not in response.text
    assert '1<span class="visually-hidden"> unread</span>' in response.text


def test_marking_one_read_and_then_all(csm_a):
    first, second = NotificationFactory.create_batch(2, recipient=csm_a, delivered_in_app=True)
    client = client_for(csm_a)
    assert client.post(f"/console/notifications/{first.pk}/read/").status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None
    client.post("/console/notifications/read/")
    second.refresh_from_db()
    assert second.read_at is not None


def test_inbox_trio(csm_a, csm_b, member_a):
    row = NotificationFactory(recipient=csm_a, delivered_in_app=True)
    assert client_for(csm_a).get("/console/notifications/").status_code == 200
    assert client_for(csm_b).post(f"/console/notifications/{row.pk}/read/").status_code == 404
    row.refresh_from_db()
    assert row.read_at is None
    assert client_for(member_a).get("/console/notifications/").status_code == 403


# --- dead letters --------------------------------------------------------------------------
def test_dead_letters_are_listed_for_the_account_s_csm_and_admins(tenant_a, tenant_b, csm_a, csm_b, admin_user):
    alpha = NotificationFactory(tenant=tenant_a, recipient=csm_a, dead=True, subject="Alpha alert")
    beta = NotificationFactory(tenant=tenant_b, recipient=csm_b, dead=True, subject="Beta alert")
    page = client_for(csm_a).get("/console/notifications/dead-letters/")
    assert alpha.subject in page.text and beta.subject not in page.text
    assert "HTTP 500" in page.text
    page = client_for(admin_user).get("/console/notifications/dead-letters/")
    assert alpha.subject in page.text and beta.subject in page.text


def test_retry_trio(tenant_a, csm_a, csm_b, member_a, django_capture_on_commit_callbacks):
    row = NotificationFactory(tenant=tenant_a, recipient=csm_a, dead=True)
    url = f"/console/notifications/{row.pk}/retry/"
    assert client_for(csm_b).post(url).status_code == 404
    assert client_for(member_a).post(url).status_code == 403
    row.refresh_from_db()
    assert row.status == Status.DEAD
    with django_capture_on_commit_callbacks(execute=True):
        assert client_for(csm_a).post(url).status_code == 302
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.SENT, 1)
    assert len(mail.outbox) == 1
    assert AuditEvent.objects.filter(action="notification.retried", target_id=str(row.pk)).exists()


def test_only_dead_letters_can_be_retried(tenant_a, csm_a):
    row = NotificationFactory(recipient=csm_a, tenant=tenant_a, status=Status.SENT, sent_at=timezone.now())
    assert client_for(csm_a).post(f"/console/notifications/{row.pk}/retry/").status_code == 404


# --- preferences ---------------------------------------------------------------------------
def test_staff_choose_the_digest_and_a_webhook(csm_a):
    response = client_for(csm_a).post(
        "/console/notifications/preferences/", {"digest": "on", "webhook_url": "https://hooks.example.com/ada"}
    )
    assert response.status_code == 302
    pref = NotificationPreference.objects.get(user=csm_a)
    assert pref.digest and pref.webhook_url == "https://hooks.example.com/ada"
    assert AuditEvent.objects.filter(action="notification.preferences_changed", actor=csm_a).exists()


def test_a_plain_http_webhook_is_refused_where_https_is_required(csm_a, settings):
    settings.KEEL_WEBHOOK_ALLOW_HTTP = False
    response = client_for(csm_a).post("/console/notifications/preferences/", {"webhook_url": "http://hooks.example"})
    assert response.status_code == 400
    assert "Use an https URL for the webhook." in response.text
    assert not NotificationPreference.objects.filter(user=csm_a).exists()


def test_a_webhook_to_a_private_address_is_refused_with_the_reason(csm_a, settings):
    settings.KEEL_WEBHOOK_ALLOW_PRIVATE = False
    response = client_for(csm_a).post(
        "/console/notifications/preferences/", {"webhook_url": "https://169.254.169.254/latest/meta-data/"}
    )
    assert response.status_code == 400
    assert "Webhooks go to public addresses only, not 169.254.169.254." in response.text
    assert not NotificationPreference.objects.filter(user=csm_a).exists()


def test_customers_cannot_reach_the_console_preferences(member_a):
    assert client_for(member_a).get("/console/notifications/preferences/").status_code == 403


def test_a_customer_opts_out_of_task_reminders_on_their_own_host(tenant_a, member_a):
    client = client_for(member_a, tenant_a)
    page = client.get("/notifications/preferences/")
    assert page.status_code == 200
    assert '<label for="id_task_reminders">' in page.text
    assert client.post("/notifications/preferences/", {}).status_code == 302  # unchecked box: opted out
    assert NotificationPreference.objects.get(user=member_a).task_reminders is False


def test_customer_preferences_trio(tenant_a, member_a, member_b):
    assert client_for(member_a, tenant_a).get("/notifications/preferences/").status_code == 200
    assert client_for(member_b, tenant_a).get("/notifications/preferences/").status_code == 404
    response = client_for(None, tenant_a).get("/notifications/preferences/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
