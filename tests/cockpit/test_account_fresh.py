"""The account 360's sections are kept (metrics/cockpit/caching.py), and never stale.

Each test loads the page, checks that a second load took the sections from the cache, changes
one thing the page shows (through the ORM, a queryset update, or in the customer's schema), and
loads again with the same session: the change shows at once.
"""

from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.utils import timezone, translation

from metrics.cockpit import caching
from metrics.cockpit.models import AccountNote, Cta, Rule
from metrics.models import NpsResponse
from metrics.portfolio.models import HealthSnapshot
from metrics.qbr.models import Report
from onboarding.models import Task, TaskStatus
from onboarding.stalls.models import StallEpisode
from portal.accounts.models import Membership, MembershipRole, User
from portal.tenancy.models import Tenant
from tests.support.clients import client_for
from tests.support.factories import (
    AccountNoteFactory,
    AuditEventFactory,
    ChecklistFactory,
    CtaFactory,
    HealthSnapshotFactory,
    MembershipFactory,
    NpsResponseFactory,
    ReportFactory,
    StallEpisodeFactory,
    TaskFactory,
)

pytestmark = pytest.mark.django_db

PATH = "/console/tenants/alpha/account/"
BODY = "cockpit/_account_body.html"


def _load(client):
    response = client.get(PATH)
    assert response.status_code == 200
    return response


def _rendered(response) -> bool:
    return BODY in [t.name for t in response.templates]


def _warm(client) -> str:
    assert _rendered(_load(client))
    response = _load(client)
    assert not _rendered(response), "the second load rendered the sections again: nothing is cached"
    return response.text


@pytest.fixture
def page(tenant_a, csm_a):
    """The customer with something in every section, and a CSM's warmed client."""
    HealthSnapshotFactory(tenant=tenant_a, score=62)
    cta = CtaFactory(tenant=tenant_a, owner=csm_a, reason="Health fell 12 points")
    person = MembershipFactory(tenant=tenant_a, user__full_name="Dana Ops").user
    note = AccountNoteFactory(tenant=tenant_a, author=csm_a, body="Sponsor is leaving")
    stall = StallEpisodeFactory(tenant=tenant_a, checklist_name="Rollout")
    with tenant_a:
        checklist = ChecklistFactory()
        task = TaskFactory(checklist=checklist, title="Connect the SSO")
        NpsResponseFactory(respondent_id=person.pk, score=4, comment="Too many false positives")
        report = ReportFactory()
    client = client_for(csm_a)
    _warm(client)
    return {
        "client": client,
        "cta": cta,
        "person": person,
        "note": note,
        "stall": stall,
        "task": task,
        "report": report,
        "tenant": tenant_a,
    }


def test_the_cached_sections_are_the_ones_the_template_renders(page):
    client = page["client"]
    assert "Health fell 12 points" in _load(client).text
    assert "Dana Ops" in _load(client).text


def test_a_cta_changed_by_a_queryset_update_shows_at_once(page):
    Cta.objects.filter(pk=page["cta"].pk).update(reason="Usage halved", reason_args={})
    assert "Usage halved" in _load(page["client"]).text


def test_a_new_and_a_deleted_cta_show_at_once(page, tenant_a, csm_a):
    CtaFactory(tenant=tenant_a, owner=csm_a, rule=Rule.QBR_DUE, reason="Renewal in 30 days")
    assert "Renewal in 30 days" in _load(page["client"]).text
    Cta.objects.filter(tenant=tenant_a).delete()
    assert "No calls to action for this customer." in _load(page["client"]).text


def test_a_note_added_edited_and_deleted_shows_at_once(page, tenant_a):
    AccountNote.objects.filter(pk=page["note"].pk).update(body="Sponsor stays after all")
    assert "Sponsor stays after all" in _load(page["client"]).text
    AccountNote.objects.all().delete()
    assert "Sponsor stays after all" not in _load(page["client"]).text


def test_an_audit_event_shows_at_once(page, tenant_a):
    AuditEventFactory(tenant=tenant_a, actor_email="ops@example.com")
    assert "by ops@example.com" in _load(page["client"]).text


def test_a_stall_that_ends_shows_at_once(page):
    StallEpisode.objects.filter(pk=page["stall"].pk).update(stalled_since=timezone.now() - timedelta(days=400))
    day = (timezone.now() - timedelta(days=400)).strftime("%Y-%m-%d")
    assert f"stalled since {day}" in _load(page["client"]).text


def test_people_roles_names_and_sign_ins_show_at_once(page, tenant_a):
    person = page["person"]
    Membership.objects.filter(user=person).update(role=MembershipRole.CUSTOMER_ADMIN)
    assert "<td>Customer admin</td>" in _load(page["client"]).text
    User.objects.filter(pk=person.pk).update(full_name="Dana Renamed")
    assert "Dana Renamed" in _load(page["client"]).text
    signed_in = timezone.now().replace(year=2025, month=3, day=4)
    User.objects.filter(pk=person.pk).update(last_login=signed_in)
    assert timezone.localtime(signed_in).strftime("%Y-%m-%d %H:%M") in _load(page["client"]).text
    MembershipFactory(tenant=tenant_a, user__full_name="Newcomer Nell")
    assert "Newcomer Nell" in _load(page["client"]).text


def test_the_checklist_nps_and_qbrs_in_the_customer_s_schema_show_at_once(page, tenant_a):
    with tenant_a:
        Task.objects.filter(status=TaskStatus.TODO).update(title="Connect the SCIM")
    assert "Connect the SCIM" in _load(page["client"]).text
    with tenant_a:
        Task.objects.update(status=TaskStatus.DONE, completed_at=timezone.now())
        total = Task.objects.count()
    assert f"{total} of {total} tasks done" in _load(page["client"]).text
    with tenant_a:
        NpsResponse.objects.update(comment="Much better now")
    assert "Much better now" in _load(page["client"]).text
    with tenant_a:
        Report.objects.all().delete()
    assert "No reviews yet." in _load(page["client"]).text


def test_the_tenant_its_csm_and_its_health_show_at_once(page, tenant_a, csm_a):
    Tenant.objects.filter(pk=tenant_a.pk).update(name="Alpha Renamed")
    assert "<h1>Alpha Renamed</h1>" in _load(page["client"]).text
    User.objects.filter(pk=csm_a.pk).update(full_name="Ada Renamed")
    assert "Ada Renamed" in _load(page["client"]).text
    HealthSnapshot.objects.filter(tenant=tenant_a).update(score=17)
    assert '<span class="big-score">17</span>' in _load(page["client"]).text


def test_the_language_and_the_day_are_part_of_the_key(page, csm_a):
    User.objects.filter(pk=csm_a.pk).update(language="zh-hans")
    assert "健康度" in _load(page["client"]).text
    request = mock.Mock(user=csm_a)
    today = caching.account_parts(request, page["tenant"])
    with mock.patch("django.utils.timezone.localdate", return_value=timezone.localdate() + timedelta(days=1)):
        assert caching.account_parts(request, page["tenant"]) != today
    with translation.override("zh-hans"):
        assert caching.account_parts(request, page["tenant"]) != today


def test_every_table_the_page_reads_moves_the_account_version(tenant_a, csm_a):
    def version():
        return caching.account_versions(Tenant.objects.get(pk=tenant_a.pk))[0]

    seen = [version()]

    def moved():
        seen.append(version())
        assert seen[-1] is not None and seen[-1] != seen[-2]

    cta = CtaFactory(tenant=tenant_a, owner=csm_a)
    moved()
    AccountNoteFactory(tenant=tenant_a, author=csm_a)
    moved()
    StallEpisodeFactory(tenant=tenant_a)
    moved()
    AuditEventFactory(tenant=tenant_a)
    moved()
    member = MembershipFactory(tenant=tenant_a).user
    moved()
    User.objects.filter(pk=member.pk).update(last_login=timezone.now())
    moved()
    with tenant_a:
        NpsResponseFactory()
    moved()
    with tenant_a:
        ReportFactory()
    moved()
    Cta.objects.filter(pk=cta.pk).delete()
    moved()


def test_another_tenant_s_writes_leave_this_version_alone(tenant_a, tenant_b, csm_a):
    CtaFactory(tenant=tenant_a, owner=csm_a)
    before = caching.account_versions(tenant_a)[0]
    CtaFactory(tenant=tenant_b)
    AuditEventFactory(tenant=tenant_b)
    assert caching.account_versions(tenant_a)[0] == before


def test_every_tenant_schema_has_the_triggers(tenant_a, tenant_b):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT event_object_schema, event_object_table FROM information_schema.triggers"
            " WHERE trigger_name = 'keel_account_touch' AND event_object_schema IN (%s, %s)",
            [tenant_a.schema_name, tenant_b.schema_name],
        )
        found = {row for row in cursor.fetchall()}
    for schema in (tenant_a.schema_name, tenant_b.schema_name):
        assert {(schema, "metrics_npsresponse"), (schema, "qbr_report")} <= found


def test_a_note_form_with_errors_is_never_kept(page, csm_b):
    client = page["client"]
    response = client.post(PATH, {"body": f"@{csm_b.email} help"})
    assert response.status_code == 400
    assert "cannot see" in response.text
    assert "cannot see" not in _load(client).text


def test_a_membership_write_locks_the_user_before_the_customer_s_version():
    """As a sign-in does (the user's row, then the version rows): the two can never deadlock."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'public.accounts_membership'::regclass"
            " AND NOT tgisinternal ORDER BY tgname"
        )
        names = [name for (name,) in cursor.fetchall()]
    assert names.index("keel_membership_access_version") < names.index("keel_membership_account_touch")
