"""The hot pages' query counts, and the per-session role cache that keeps them small but never stale.

Every count is for a signed-in user's second request (the first may warm per-process caches).
bench/load.py measures the same pages' throughput against /baseline/.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.accounts.models import Membership, MembershipRole
from portal.accounts.services import membership_remove
from tests.support.clients import client_for

pytestmark = pytest.mark.django_db

# The request's own share on every signed-in tenant page: SET search_path (public), the domain
# and its tenant, SET search_path (the tenant), the session, the user. The role comes from the
# session (read at login).
CUSTOMER_PAGES = {
    "/baseline/": 6,  # + the NPS prompt's "asked this quarter?" check in the layout
    # The home's cards (issue 17): the checklist with its versions (its cards come from the cache,
    # tests/onboarding/test_home_fresh.py), the latest review, and the member count, own role and
    # names' version in one (it was 13).
    "/": 9,
    # + the checklist with its versions; the board comes from the cache (it was 10: tasks with
    # comment counts and prerequisites, phases, activity; tests/onboarding/test_checklist_fresh.py)
    "/onboarding/": 7,
    # + the knowledge base's version (the results come from the cache, tests/kb/test_search_fresh.py;
    # it was articles and pages), the search-miss upsert (this test's search finds nothing)
    "/kb/search/?q=rollback": 8,
}
CONSOLE_PAGES = {
    "/console/": 7,  # domain, session, user, unread count, tenants
    "/console/portfolio/": 9,  # + rows, churn, customers counted, unread count
    # The account 360: + the tenant with its CSM and health snapshot, its versions (one query) and
    # the unread count; the sections come from the cache (tests/cockpit/test_account_fresh.py; it
    # was 18: progress, next tasks, reviews, NPS, notes, events, CTAs, stalls, people).
    "/console/tenants/alpha/account/": 8,
    # The book (everyone's, for an admin): the request's five, the versions of the customers the
    # viewer sees (the queue and the accounts come from the cache, tests/cockpit/test_book_fresh.py;
    # on a miss each page is one query when it holds everything, portal/ui/paging.py; it was 11:
    # queue, accounts and their two counts), the unread count and the staff for the filter.
    "/console/book/": 8,
}


@pytest.mark.parametrize(("path", "most"), CUSTOMER_PAGES.items())
def test_customer_pages_run_few_queries(tenant_a, member_a, path, most, django_assert_max_num_queries):
    client = client_for(member_a, tenant_a)
    assert client.get(path).status_code == 200
    with django_assert_max_num_queries(most):
        assert client.get(path).status_code == 200


@pytest.mark.parametrize(("path", "most"), CONSOLE_PAGES.items())
def test_console_pages_run_few_queries(admin_user, path, most, django_assert_max_num_queries):
    client = client_for(admin_user)
    assert client.get(path).status_code == 200
    with django_assert_max_num_queries(most):
        assert client.get(path).status_code == 200


def _membership_queries(client, path="/baseline/"):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    return response, [q["sql"] for q in queries if '"accounts_membership"' in q["sql"]]


def test_the_role_is_read_at_login_and_not_again(tenant_a, member_a):
    client = client_for(member_a, tenant_a)  # logs in on A's host
    for _ in range(2):
        response, reads = _membership_queries(client)
        assert response.status_code == 200 and not reads


def test_a_role_change_shows_on_the_next_request(tenant_a, member_a):
    client = client_for(member_a, tenant_a)
    assert client.get("/team/").context["can_manage"] is False
    # A queryset update, as the admin or a script might do: the database trigger sees it too.
    Membership.objects.filter(user=member_a, tenant=tenant_a).update(role=MembershipRole.CUSTOMER_ADMIN)
    assert client.get("/team/").context["can_manage"] is True


def test_a_removed_member_is_shut_out_on_the_next_request(tenant_a, member_a, customer_admin_a):
    client = client_for(member_a, tenant_a)
    assert client.get("/baseline/").status_code == 200
    membership_remove(membership=Membership.objects.get(user=member_a, tenant=tenant_a), actor=customer_admin_a)
    assert client.get("/baseline/").status_code == 404


def test_a_cached_role_is_for_one_tenant_only(tenant_a, tenant_b, member_a):
    client = client_for(member_a, tenant_a)
    assert client.get("/baseline/").status_code == 200
    client.defaults["HTTP_HOST"] = tenant_b.primary_domain_name  # the same session on B's host
    assert client.get("/baseline/").status_code in (302, 404)


def test_a_suspended_tenant_is_seen_at_once_despite_the_cached_role(tenant_a, member_a):
    client = client_for(member_a, tenant_a)
    assert client.get("/baseline/").status_code == 200
    type(tenant_a).objects.filter(pk=tenant_a.pk).update(status="suspended")
    assert client.get("/baseline/").status_code != 200
