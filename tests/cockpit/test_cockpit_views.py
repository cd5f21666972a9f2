"""The cockpit on the console: the book, a CTA's page and actions, the account 360, the rules."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from metrics.cockpit.models import AccountNote, Cta, CtaStatus, Outcome, Priority, Rule, RuleSetting
from portal.notifications.models import Notification
from portal.tenancy.models import Tenant
from tests.support.clients import client_for
from tests.support.factories import (
    AccountFactsFactory,
    CsmFactory,
    CtaFactory,
    HealthSnapshotFactory,
    MembershipFactory,
    NpsResponseFactory,
    ReportFactory,
    StallEpisodeFactory,
    UserFactory,
)


def test_the_console_home_of_staff_is_the_book(csm_a):
    response = client_for(csm_a).get("/")
    assert response["Location"] == "/console/book/"


def test_a_csm_s_book_lists_their_queue_by_priority_then_due_and_their_accounts(tenant_a, tenant_b, csm_a, csm_b):
    HealthSnapshotFactory(tenant=tenant_a, score=58, score_week_ago=70)
    AccountFactsFactory(tenant=tenant_a, onboarding_done=3, onboarding_total=12)
    later = CtaFactory(tenant=tenant_a, owner=csm_a, priority=Priority.URGENT, due=timezone.localdate() + timedelta(5))
    sooner = CtaFactory(tenant=tenant_a, owner=csm_a, rule=Rule.QBR_DUE, priority=Priority.URGENT, reason="QBR soon.")
    low = CtaFactory(tenant=tenant_a, owner=csm_a, rule=Rule.RENEWAL_AT_RISK, priority=Priority.LOW, reason="Renew.")
    CtaFactory(tenant=tenant_b, owner=csm_b, reason="Beta's own CTA")
    response = client_for(csm_a).get("/console/book/")
    assert response.status_code == 200
    queue = [cta.pk for cta in response.context["queue"]]
    assert queue == [sooner.pk, later.pk, low.pk]
    assert [row.tenant.slug for row in response.context["accounts"]] == ["alpha"]
    row = response.context["accounts"][0]
    assert (row.score, row.change, row.live_ctas, row.onboarding_progress) == (58, -12, 3, 25)
    assert "Beta's own CTA" not in response.text


def test_an_admin_sees_every_book_and_can_pick_one_csm(tenant_a, tenant_b, csm_a, csm_b, admin_user):
    CtaFactory(tenant=tenant_a, owner=csm_a)
    CtaFactory(tenant=tenant_b, owner=csm_b)
    everyone = client_for(admin_user).get("/console/book/")
    assert len(everyone.context["queue"]) == 2
    one = client_for(admin_user).get("/console/book/", {"csm": csm_b.pk})
    assert [c.tenant.slug for c in one.context["queue"]] == ["beta"]
    assert client_for(admin_user).get("/console/book/", {"csm": "nobody"}).status_code == 400


def test_the_book_takes_the_same_number_of_queries_however_big(tenant_a, tenant_b, csm_a):
    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client_for(csm_a).get("/console/book/").status_code == 200
        return len(ctx)

    CtaFactory(tenant=tenant_a, owner=csm_a)
    small = queries()
    tenant_b.csm = csm_a
    tenant_b.save(update_fields=["csm"])
    HealthSnapshotFactory(tenant=tenant_a)
    HealthSnapshotFactory(tenant=tenant_b)
    StallEpisodeFactory(tenant=tenant_b)
    for rule in (Rule.QBR_DUE, Rule.RENEWAL_AT_RISK):
        CtaFactory(tenant=tenant_a, owner=csm_a, rule=rule)
        CtaFactory(tenant=tenant_b, owner=csm_a, rule=rule)
    assert queries() == small


def test_closing_a_cta_needs_an_outcome_and_a_note_unless_resolved(tenant_a, csm_a):
    cta = CtaFactory(tenant=tenant_a, owner=csm_a)
    client = client_for(csm_a)
    url = f"/console/tenants/alpha/ctas/{cta.pk}/"
    assert client.get(url).status_code == 200
    bad = client.post(url + "close/", {"outcome": Outcome.NOT_RESOLVED, "note": ""})
    assert bad.status_code == 400
    assert "a note is required" in bad.text
    assert client.post(url + "close/", {"outcome": Outcome.CLEARED}).status_code == 400
    assert client.post(url + "close/", {"outcome": Outcome.RESOLVED}).status_code == 302
    cta.refresh_from_db()
    assert (cta.status, cta.outcome, cta.closed_by) == (CtaStatus.CLOSED, Outcome.RESOLVED, csm_a)
    again = client.post(url + "close/", {"outcome": Outcome.RESOLVED})
    assert again.status_code == 400
    assert "closed already" in again.text


def test_snoozing_needs_a_future_day_and_a_reason(tenant_a, csm_a):
    cta = CtaFactory(tenant=tenant_a, owner=csm_a)
    url = f"/console/tenants/alpha/ctas/{cta.pk}/snooze/"
    today = timezone.localdate()
    assert client_for(csm_a).post(url, {"until": today, "reason": "x"}).status_code == 400
    assert client_for(csm_a).post(url, {"until": today + timedelta(days=3), "reason": ""}).status_code == 400
    ok = client_for(csm_a).post(url, {"until": today + timedelta(days=3), "reason": "CISO on holiday"})
    assert ok.status_code == 302
    cta.refresh_from_db()
    assert (cta.status, cta.snoozed_until) == (CtaStatus.SNOOZED, today + timedelta(days=3))


def test_reassigning_tells_the_new_owner(tenant_a, csm_a, admin_user):
    cta = CtaFactory(tenant=tenant_a, owner=csm_a)
    colleague = admin_user
    response = client_for(csm_a).post(f"/console/tenants/alpha/ctas/{cta.pk}/reassign/", {"owner": colleague.pk})
    assert response.status_code == 302
    cta.refresh_from_db()
    assert cta.owner == colleague
    assert Notification.objects.filter(recipient=colleague, topic=cta.topic).exists()
    customer = MembershipFactory(tenant=tenant_a).user
    refused = client_for(csm_a).post(f"/console/tenants/alpha/ctas/{cta.pk}/reassign/", {"owner": customer.pk})
    assert refused.status_code == 400
    blind = client_for(admin_user).post(f"/console/tenants/alpha/ctas/{cta.pk}/reassign/", {"owner": CsmFactory().pk})
    assert blind.status_code == 400
    assert "cannot see Alpha Corp" in blind.text


def test_the_playbook_checklist_is_ticked_step_by_step(tenant_a, csm_a):
    cta = CtaFactory(
        tenant=tenant_a, owner=csm_a, steps=[{"text": "Call", "done": False}, {"text": "Mail", "done": False}]
    )
    client_for(csm_a).post(f"/console/tenants/alpha/ctas/{cta.pk}/steps/", {"done": ["1"]})
    cta.refresh_from_db()
    assert [s["done"] for s in cta.steps] == [False, True]
    client_for(csm_a).post(f"/console/tenants/alpha/ctas/{cta.pk}/steps/", {"done": ["7"]})
    cta.refresh_from_db()
    assert [s["done"] for s in cta.steps] == [False, True]


def test_another_tenant_s_cta_is_not_found_under_this_tenant(tenant_a, tenant_b, csm_a, admin_user):
    cta = CtaFactory(tenant=tenant_b)
    assert client_for(admin_user).get(f"/console/tenants/alpha/ctas/{cta.pk}/").status_code == 404
    assert client_for(csm_a).get(f"/console/tenants/beta/ctas/{cta.pk}/").status_code == 404


def test_the_account_360_shows_health_onboarding_ctas_people_nps_and_qbrs(tenant_a, csm_a):
    HealthSnapshotFactory(
        tenant=tenant_a,
        score=62,
        components=[{"key": "usage", "label": "Usage", "score": 55.0, "weight": 30, "detail": "12 of 40 seats"}],
    )
    CtaFactory(tenant=tenant_a, owner=csm_a, reason="Health fell 12 points")
    person = MembershipFactory(tenant=tenant_a, user__full_name="Dana Ops").user
    with tenant_a:
        NpsResponseFactory(respondent_id=person.pk, score=4, comment="Too many false positives")
        ReportFactory()
    response = client_for(csm_a).get("/console/tenants/alpha/account/")
    assert response.status_code == 200
    for text in ("12 of 40 seats", "Health fell 12 points", "Dana Ops", "Too many false positives", "QBR 20"):
        assert text in response.text
    assert "tasks done" in response.text


def test_a_note_with_a_mention_tells_the_colleague(tenant_a, csm_a, admin_user):
    client = client_for(csm_a)
    body = f"Sponsor is leaving, @{admin_user.email} can you join the call?"
    assert client.post("/console/tenants/alpha/account/", {"body": body}).status_code == 302
    note = AccountNote.objects.get(tenant=tenant_a)
    assert list(note.mentions.all()) == [admin_user]
    assert Notification.objects.filter(recipient=admin_user, kind="mention").exists()
    assert body in client.get("/console/tenants/alpha/account/").text


def test_a_mention_of_someone_who_cannot_see_the_customer_is_refused(tenant_a, csm_a, csm_b):
    response = client_for(csm_a).post("/console/tenants/alpha/account/", {"body": f"@{csm_b.email} help"})
    assert response.status_code == 400
    assert "cannot see Alpha Corp" in response.text
    assert not AccountNote.objects.exists()


def test_only_admins_change_rules_and_bad_thresholds_are_named(csm_a, admin_user):
    assert client_for(csm_a).get("/console/cockpit/rules/").status_code == 403
    assert client_for(admin_user).get("/console/cockpit/rules/").status_code == 200
    url = "/console/cockpit/rules/health_drop/"
    data = {"enabled": "on", "cooldown_days": 7, "playbook": "Call\nMail", "t_drop_points": 0, "t_due_days": 2}
    bad = client_for(admin_user).post(url, data)
    assert bad.status_code == 400
    assert "greater than or equal to 1" in bad.text
    ok = client_for(admin_user).post(url, {**data, "t_drop_points": 15})
    assert ok.status_code == 302
    setting = RuleSetting.objects.get(rule=Rule.HEALTH_DROP)
    assert (setting.thresholds, setting.cooldown_days, setting.steps) == (
        {"drop_points": 15, "due_days": 2},
        7,
        ["Call", "Mail"],
    )
    assert client_for(admin_user).get("/console/cockpit/rules/nonsense/").status_code == 404


def test_the_rule_page_names_the_thresholds_in_the_admin_s_language(admin_user):
    admin_user.language = "zh-hans"
    admin_user.save(update_fields=["language"])
    page = client_for(admin_user).get("/console/cockpit/rules/health_drop/")
    assert page.status_code == 200
    assert "触发行动项的一周降幅（分）" in page.text
    assert "处理期限（天）" in page.text
    assert "Weekly drop that raises a CTA" not in page.text


@pytest.mark.parametrize("path", ["/console/book/", "/console/cockpit/rules/"])
def test_customers_are_refused(member_a, path):
    assert client_for(member_a).get(path).status_code == 403


def test_closing_keeps_the_cta_in_the_360_but_not_in_the_queue(tenant_a, csm_a):
    cta = CtaFactory(tenant=tenant_a, owner=csm_a)
    client_for(csm_a).post(f"/console/tenants/alpha/ctas/{cta.pk}/close/", {"outcome": Outcome.RESOLVED})
    assert list(client_for(csm_a).get("/console/book/").context["queue"].object_list) == []
    assert (
        Cta.objects.get(pk=cta.pk).get_outcome_display()
        in client_for(csm_a).get("/console/tenants/alpha/account/").text
    )


def test_a_customer_still_being_set_up_shows_its_360_without_schema_data(tenant_a, csm_a):
    Tenant.objects.filter(pk=tenant_a.pk).update(ready=False)
    response = client_for(csm_a).get("/console/tenants/alpha/account/")
    assert response.status_code == 200
    assert "No onboarding checklist." in response.text
    assert client_for(csm_a).get("/console/tenants/alpha/reviews/").status_code == 404


def test_the_book_is_paged_keeping_the_filter_and_any_page_number_answers(
    tenant_a, tenant_b, csm_a, csm_b, admin_user, monkeypatch
):
    from metrics.cockpit import views_console

    monkeypatch.setattr(views_console, "QUEUE_PAGE", 2)
    monkeypatch.setattr(views_console, "ACCOUNTS_PAGE", 1)
    for rule in (Rule.HEALTH_DROP, Rule.QBR_DUE, Rule.RENEWAL_AT_RISK):
        CtaFactory(tenant=tenant_a, owner=csm_a, rule=rule)
        CtaFactory(tenant=tenant_b, owner=csm_b, rule=rule)
    admin = client_for(admin_user)
    first = admin.get("/console/book/")
    assert [len(first.context["queue"]), first.context["queue"].paginator.count] == [2, 6]
    assert [row.tenant.slug for row in first.context["accounts"]] == ["alpha"]
    page = first.content.decode()
    assert "To do: 6 calls to action" in page and "Accounts (2)" in page
    assert 'href="?queue=2"' in page and "Page 1 of 3" in page and 'href="?page=2"' in page
    # The CSM filter stays on the next page's link.
    mine = admin.get("/console/book/", {"csm": csm_b.pk}).content.decode()
    assert f'href="?csm={csm_b.pk}&amp;queue=2"' in mine
    # A page past the end shows the last one; a word shows the first; neither is an error.
    last = admin.get("/console/book/", {"queue": "99", "page": "x"})
    assert last.status_code == 200
    assert (last.context["queue"].number, last.context["accounts_page"].number) == (3, 1)
    assert [c.pk for c in last.context["queue"]] == [c.pk for c in admin.get("/console/book/?queue=3").context["queue"]]


def test_the_account_360_names_each_nps_respondent_as_the_people_list_does(tenant_a, csm_a):
    named = UserFactory(full_name="Dana Ops")
    unnamed = UserFactory(full_name="", email="no.name@alpha.example")
    with tenant_a:
        NpsResponseFactory(respondent_id=named.pk, score=9, comment="Named")
        NpsResponseFactory(respondent_id=unnamed.pk, score=8, comment="Unnamed")
        NpsResponseFactory(respondent_id=10**9, score=7, comment="Gone")  # no such user any more
    nps = client_for(csm_a).get("/console/tenants/alpha/account/").text.split('id="nps-title"')[1]
    nps = nps.split("</section>")[0]
    assert "from Dana Ops" in nps and "from no.name@alpha.example" in nps and "from a former user" in nps
