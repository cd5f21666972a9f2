"""The console's stalled-onboardings page: how long, what blocks, who was told and when; snooze."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from onboarding.models import Checklist
from onboarding.stalls.models import StallEpisode
from onboarding.stalls.services import stall_detect
from portal.notifications.models import Notification, Status
from portal.notifications.services import notification_deliver
from tests.support.clients import client_for
from tests.support.factories import ChecklistFactory, TaskFactory

pytestmark = pytest.mark.django_db
URL = "/console/stalls/"


@pytest.fixture
def stalled_a(stall_a, csm_a, clock):
    """Tenant A stalled on an overdue task; the CSM's e-mail delivered, the in-app row not yet."""
    checklist = ChecklistFactory(name="Security onboarding")
    TaskFactory(checklist=checklist, key="deploy-agent", due_date=date(2026, 2, 20))
    stall_detect()
    email = Notification.objects.get(channel="email")
    notification_deliver(notification_id=email.pk)
    return StallEpisode.objects.get()


@pytest.fixture
def stalled_b(tenant_b, csm_b, clock, settings):
    with tenant_b:
        Checklist.objects.all().delete()
        ChecklistFactory(name="Beta plan", n_tasks=1)
        clock.shift(timedelta(days=30))
        stall_detect()
        clock.shift(timedelta(days=-30))
    return StallEpisode.objects.get(tenant=tenant_b)


def test_the_list_says_how_long_what_blocks_and_who_was_told(stalled_a, csm_a):
    page = client_for(csm_a).get(URL)
    assert page.status_code == 200
    text = page.text
    assert "Alpha Corp" in text
    assert "Security onboarding" in text
    assert "(since 2026-02-24)" in text  # due 20 Feb + 3 days' grace (standard) + 1
    assert "6\xa0days, 9\xa0hours (since" in text  # stalled for (timesince uses no-break spaces)
    assert "Deploy Agent (customer side, due 2026-02-20, 10 days overdue)" in text
    assert f"{csm_a.get_full_name()} — E-mail: Sent 2026-03-02 09:00" in text
    assert f"{csm_a.get_full_name()} — In-app: Pending" in text


def test_list_trio_each_csm_sees_their_own_accounts(stalled_a, stalled_b, csm_a, csm_b, admin_user, member_a):
    assert "Alpha Corp" in client_for(csm_a).get(URL).text
    assert "Beta Corp" not in client_for(csm_a).get(URL).text
    assert "Beta Corp" in client_for(csm_b).get(URL).text
    everything = client_for(admin_user).get(URL).text
    assert "Alpha Corp" in everything and "Beta Corp" in everything
    assert client_for(member_a).get(URL).status_code == 403


def test_ended_episodes_have_their_own_tab(stalled_a, csm_a):
    StallEpisode.objects.filter(pk=stalled_a.pk).update(ended_at=stalled_a.detected_at, end_reason="progress")
    assert "Nothing is stalled" in client_for(csm_a).get(URL).text
    ended = client_for(csm_a).get(URL + "?show=ended").text
    assert "Alpha Corp" in ended and "Progress resumed" in ended


def test_snooze_trio(stalled_a, csm_a, csm_b, member_a):
    url = f"{URL}{stalled_a.pk}/snooze/"
    data = {f"ep{stalled_a.pk}-days": "7", f"ep{stalled_a.pk}-reason": "Customer change freeze"}
    assert client_for(csm_b).post(url, data).status_code == 404
    assert client_for(member_a).post(url, data).status_code == 403
    stalled_a.refresh_from_db()
    assert stalled_a.snoozed_until is None
    response = client_for(csm_a).post(url, data)
    assert response.status_code == 302
    stalled_a.refresh_from_db()
    assert stalled_a.snooze_reason == "Customer change freeze"
    page = client_for(csm_a).get(URL).text
    assert "Snoozed" in page and "“Customer change freeze”" in page


def test_a_snooze_without_a_reason_is_a_400_that_says_why(stalled_a, csm_a):
    response = client_for(csm_a).post(f"{URL}{stalled_a.pk}/snooze/", {f"ep{stalled_a.pk}-days": "7"})
    assert response.status_code == 400
    assert "The snooze was not saved." in response.text
    assert "This field is required." in response.text
    stalled_a.refresh_from_db()
    assert stalled_a.snoozed_until is None


def test_snoozing_an_ended_episode_is_refused_with_a_message(stalled_a, csm_a):
    StallEpisode.objects.filter(pk=stalled_a.pk).update(ended_at=stalled_a.detected_at, end_reason="progress")
    data = {f"ep{stalled_a.pk}-days": "7", f"ep{stalled_a.pk}-reason": "late"}
    response = client_for(csm_a).post(f"{URL}{stalled_a.pk}/snooze/", data)
    assert response.status_code == 400
    assert "This stall has already ended." in response.text


def test_ending_a_snooze(stalled_a, csm_a):
    client = client_for(csm_a)
    data = {f"ep{stalled_a.pk}-days": "3", f"ep{stalled_a.pk}-reason": "Holiday"}
    client.post(f"{URL}{stalled_a.pk}/snooze/", data)
    assert client.post(f"{URL}{stalled_a.pk}/unsnooze/").status_code == 302
    stalled_a.refresh_from_db()
    assert stalled_a.snoozed_until is None


def test_the_list_runs_a_constant_number_of_queries(stalled_a, stalled_b, admin_user, django_assert_max_num_queries):
    Notification.objects.update(status=Status.SENT, sent_at=timezone.now())
    client = client_for(admin_user)
    # host, session, user, unread badge, episodes, notifications (each after a search_path): not per episode.
    with django_assert_max_num_queries(12):
        client.get(URL)
