"""Customer side: the NPS prompt (at most once per period) and the usage summary page."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from django_tenants.utils import schema_context

from metrics.models import DailyUsage, NpsResponse
from metrics.services.nps import nps_period
from tests.support.clients import client_for


def responses(tenant):
    with schema_context(tenant.schema_name):
        return list(NpsResponse.objects.values_list("respondent_id", "score", "comment"))


def _joined_days_ago(user, days: int) -> None:
    user.date_joined = timezone.now() - timedelta(days=days)
    user.save(update_fields=["date_joined"])


def test_a_member_is_prompted_answers_once_and_is_not_asked_again(tenant_a, member_a):
    _joined_days_ago(member_a, 30)
    client = client_for(member_a, tenant_a)
    assert "How likely are you to recommend us" in client.get("/").text
    response = client.post("/nps/", {"score": "9", "comment": " Great onboarding ", "next": "/team/"})
    assert response.status_code == 302
    assert response["Location"] == "/team/"
    assert responses(tenant_a) == [(member_a.pk, 9, "Great onboarding")]
    assert "How likely are you to recommend us" not in client.get("/").text
    client.post("/nps/", {"score": "2"})  # a second answer in the same period is refused
    assert responses(tenant_a) == [(member_a.pk, 9, "Great onboarding")]


def test_the_prompt_is_on_the_home_page_only(tenant_a, member_a):
    _joined_days_ago(member_a, 30)
    client = client_for(member_a, tenant_a)
    assert "How likely are you to recommend us" in client.get("/").text
    assert "How likely are you to recommend us" not in client.get("/team/").text


def test_nobody_is_asked_in_their_first_days(tenant_a, member_a):
    client = client_for(member_a, tenant_a)
    _joined_days_ago(member_a, 13)
    assert "How likely are you to recommend us" not in client.get("/").text
    _joined_days_ago(member_a, 15)
    assert "How likely are you to recommend us" in client.get("/").text
    with override_settings(KEEL_NPS_GRACE_DAYS=30):
        assert "How likely are you to recommend us" not in client.get("/").text


def test_dismissing_stops_the_prompt_for_the_period_without_counting_as_an_answer(tenant_a, member_a):
    _joined_days_ago(member_a, 30)
    client = client_for(member_a, tenant_a)
    assert client.post("/nps/dismiss/").status_code == 302
    assert "How likely are you to recommend us" not in client.get("/").text
    assert responses(tenant_a) == [(member_a.pk, None, "")]
    with schema_context(tenant_a.schema_name):
        assert NpsResponse.objects.get().period == nps_period(timezone.localdate())


def test_nps_trio_member_ok_other_tenant_404_staff_403(tenant_a, member_a, member_b, csm_a):
    assert client_for(member_b, tenant_a).post("/nps/", {"score": "5"}).status_code == 404
    response = client_for(csm_a, tenant_a).post("/nps/", {"score": "5"})
    assert response.status_code == 403  # vendor staff do not answer their own survey
    assert "How likely" not in client_for(csm_a, tenant_a).get("/").text
    assert responses(tenant_a) == []
    assert client_for(member_a, tenant_a).post("/nps/", {"score": "5"}).status_code == 302


def test_an_out_of_range_score_is_refused_with_a_message(tenant_a, member_a):
    response = client_for(member_a, tenant_a).post("/nps/", {"score": "11"})
    assert response.status_code == 400
    assert "Choose a score from 0 to 10" in response.text
    assert responses(tenant_a) == []


def test_nps_redirects_only_to_this_host(tenant_a, member_a):
    response = client_for(member_a, tenant_a).post("/nps/dismiss/", {"next": "https://evil.example/"})
    assert response["Location"] == "/"


@pytest.mark.pure
def test_nps_periods_are_quarters_by_default():
    from datetime import date

    assert nps_period(date(2026, 11, 23)) == "2026-Q4"
    assert nps_period(date(2026, 1, 1)) == "2026-Q1"
    assert nps_period(date(2026, 7, 1), months=6) == "2026-H2"
    assert nps_period(date(2026, 7, 1), months=12) == "2026"


def test_usage_page_trio_and_adoption(tenant_a, features_a, member_a, member_b):
    with schema_context(tenant_a.schema_name):
        today = timezone.localdate() - timedelta(days=1)  # the last complete day
        DailyUsage.objects.create(day=today, feature=features_a["alerts.triage"], user_ref="u1", events=1, quantity=1)
        DailyUsage.objects.create(day=today, feature=features_a["reports"], user_ref="u2", events=1, quantity=1)
    response = client_for(member_a, tenant_a).get("/usage/")
    assert response.status_code == 200
    assert response.context["active_users"] == 2
    rates = {f.key: f.rate for f in response.context["adoption"]}
    assert rates == {"alerts.triage": 0.5, "reports": 0.5, "export": 0}
    assert "<svg" in response.text
    assert client_for(member_b, tenant_a).get("/usage/").status_code == 404
    assert client_for(None, tenant_a).get("/usage/").status_code == 302
