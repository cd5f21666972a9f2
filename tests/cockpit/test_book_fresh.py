"""The CSM book's queue and accounts are kept (metrics/cockpit/caching.py), and never stale.

Each test loads the book, checks that a second load took the sections from the cache, changes
one thing it shows (through the ORM or a queryset update), and loads again with the same
session: the change shows at once.
"""

import re
from datetime import date, timedelta
from unittest import mock

import pytest
from django.utils import timezone, translation

from metrics.cockpit import caching
from metrics.cockpit.models import AccountFacts, Cta, CtaStatus, Outcome, Rule
from metrics.portfolio.models import HealthSnapshot
from onboarding.stalls.models import StallEpisode
from portal.accounts.models import StaffRole, User
from portal.audit.models import AuditEvent
from portal.tenancy.models import Tenant
from tests.support.clients import client_for
from tests.support.factories import (
    AccountFactsFactory,
    AuditEventFactory,
    CsmFactory,
    CtaFactory,
    HealthSnapshotFactory,
    StallEpisodeFactory,
)

pytestmark = pytest.mark.django_db

PATH = "/console/book/"
SECTIONS = "cockpit/_book_sections.html"


def _load(client, path=PATH):
    response = client.get(path)
    assert response.status_code == 200
    return response


def _rendered(response) -> bool:
    return SECTIONS in [t.name for t in response.templates]


def _warm(client, path=PATH) -> str:
    assert _rendered(_load(client, path))
    response = _load(client, path)
    assert not _rendered(response), "the second load rendered the sections again: nothing is cached"
    return response.text


def _accounts(html: str) -> str:
    return html.split('<table class="book">')[1].split("</table>")[0]


def _cells(html: str) -> list[str]:
    """The first account row's cells after the customer: score, band, trend, renewal, onboarding,
    open stalls, last touch, next QBR, open CTAs."""
    row = _accounts(html).split("<tbody>")[1].split("</tr>")[0]
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


@pytest.fixture
def book(tenant_a, csm_a):
    HealthSnapshotFactory(tenant=tenant_a, score=62, score_week_ago=60)
    AccountFactsFactory(tenant=tenant_a, onboarding_done=3, onboarding_total=12)
    cta = CtaFactory(tenant=tenant_a, owner=csm_a, reason="Health fell 12 points")
    client = client_for(csm_a)
    _warm(client)
    return {"client": client, "cta": cta}


def test_the_cached_sections_are_the_ones_the_template_renders(book):
    assert "Health fell 12 points" in _load(book["client"]).text
    assert "Alpha Corp" in _accounts(_load(book["client"]).text)


def test_a_new_a_changed_a_reassigned_and_a_closed_cta_show_at_once(book, tenant_a, csm_a):
    client = book["client"]
    CtaFactory(tenant=tenant_a, owner=csm_a, rule=Rule.QBR_DUE, reason="QBR soon")
    assert "QBR soon" in _load(client).text
    Cta.objects.filter(pk=book["cta"].pk).update(reason="Usage halved", reason_args={})
    assert "Usage halved" in _load(client).text
    Cta.objects.filter(pk=book["cta"].pk).update(owner=CsmFactory())
    assert "Usage halved" not in _load(client).text
    Cta.objects.filter(tenant=tenant_a).update(
        status=CtaStatus.CLOSED, outcome=Outcome.RESOLVED, closed_at=timezone.now()
    )
    assert "Nothing to do: no open calls to action." in _load(client).text


def test_the_score_facts_stalls_and_last_touch_show_at_once(book, tenant_a, csm_a):
    client = book["client"]
    assert _cells(_load(client).text)[0] == "62"
    HealthSnapshot.objects.filter(tenant=tenant_a).update(score=17)
    assert _cells(_load(client).text)[0] == "17"
    AccountFacts.objects.filter(tenant=tenant_a).update(onboarding_done=6)
    assert _cells(_load(client).text)[4] == "50 %"
    StallEpisodeFactory(tenant=tenant_a)
    assert _cells(_load(client).text)[5] == "1"
    StallEpisode.objects.update(ended_at=timezone.now())
    assert _cells(_load(client).text)[5] == "0"
    assert _cells(_load(client).text)[6] == "never"
    touched = timezone.now() - timedelta(days=3)
    AuditEventFactory(tenant=tenant_a, actor=csm_a)
    AuditEvent.objects.update(created_at=touched)
    assert _cells(_load(client).text)[6] == timezone.localtime(touched).strftime("%Y-%m-%d")
    User.objects.filter(pk=csm_a.pk).update(staff_role=StaffRole.NONE)
    # No longer staff: their change is no touch (and they no longer see the console at all).
    admin = client_for(User.objects.create_superuser(email="root@example.com", password="x-" * 10))
    _warm(admin)
    User.objects.filter(pk=csm_a.pk).update(staff_role=StaffRole.CSM)
    assert timezone.localtime(touched).strftime("%Y-%m-%d") in _accounts(_load(admin).text)
    User.objects.filter(pk=csm_a.pk).update(staff_role=StaffRole.NONE)
    assert timezone.localtime(touched).strftime("%Y-%m-%d") not in _accounts(_load(admin).text)


def test_the_customer_s_row_shows_at_once(book, tenant_a):
    client = book["client"]
    Tenant.objects.filter(pk=tenant_a.pk).update(name="Alpha Renamed", renewal_date=date(2031, 5, 6))
    accounts = _accounts(_load(client).text)
    assert "Alpha Renamed" in accounts
    assert "2031-05-06" in accounts


def test_a_customer_assigned_and_taken_away_shows_at_once(book, tenant_a, tenant_b, csm_a):
    client = book["client"]
    Tenant.objects.filter(pk=tenant_b.pk).update(csm=csm_a)
    assert "Beta" in _accounts(_load(client).text)
    Tenant.objects.filter(pk__in=[tenant_a.pk, tenant_b.pk]).update(csm=None)
    assert "No customers are assigned to" in _load(client).text


def test_each_viewer_and_each_csm_picked_get_their_own_book(book, tenant_b, csm_b, admin_user):
    CtaFactory(tenant=tenant_b, owner=csm_b, reason="Beta needs a call")
    assert "Beta needs a call" not in _load(book["client"]).text
    assert "Beta needs a call" in _warm(client_for(csm_b))
    admin = client_for(admin_user)
    assert "Beta needs a call" in _warm(admin)
    assert "Beta needs a call" not in _warm(admin, f"{PATH}?csm={User.objects.get(email=book['cta'].owner.email).pk}")


def test_the_language_the_day_and_the_query_string_are_part_of_the_key(book, csm_a):
    User.objects.filter(pk=csm_a.pk).update(language="zh-hans")
    assert "健康度" in _load(book["client"]).text
    request = mock.Mock(user=csm_a, GET={})
    request.GET = mock.Mock(lists=lambda: [])
    today = caching.book_parts(request, csm_a)
    with mock.patch("django.utils.timezone.localdate", return_value=timezone.localdate() + timedelta(days=1)):
        assert caching.book_parts(request, csm_a) != today
    with translation.override("zh-hans"):
        assert caching.book_parts(request, csm_a) != today
    paged = mock.Mock(user=csm_a, GET=mock.Mock(lists=lambda: [("page", ["2"])]))
    assert caching.book_parts(paged, csm_a) != today
    assert caching.book_parts(request, None) != today
