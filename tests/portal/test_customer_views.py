"""Customer site on the tenant host: the isolation trio for every page and action."""

import pytest
from django.urls import reverse

from portal.accounts.models import Invitation, Membership, MembershipRole
from tests.support.clients import client_for
from tests.support.factories import InvitationFactory

pytestmark = pytest.mark.django_db


def _url(name, *args):
    # Tenant-host URLs: reverse against the tenant urlconf.
    return reverse(name, args=args, urlconf="portal.urls_tenant")


# --- home ----------------------------------------------------------------------------------
def test_a_member_sees_their_home(tenant_a, member_a):
    response = client_for(member_a, tenant_a).get("/")
    assert response.status_code == 200
    assert "Alpha Corp" in response.text
    assert "Customer member" in response.text


def test_another_tenants_member_gets_404_on_home(tenant_a, member_b):
    # B's user with a session made on A's host: still a stranger to A.
    assert client_for(member_b, tenant_a).get("/").status_code == 404


def test_an_anonymous_visitor_is_sent_to_login(tenant_a):
    response = client_for(None, tenant_a).get("/team/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/team/"


def test_an_unassigned_csm_gets_404_and_the_assigned_one_gets_in(tenant_a, csm_a, csm_b):
    assert client_for(csm_b, tenant_a).get("/").status_code == 404
    assert client_for(csm_a, tenant_a).get("/").status_code == 200


def test_an_admin_gets_in_everywhere(tenant_a, tenant_b, admin_user):
    assert client_for(admin_user, tenant_a).get("/").status_code == 200
    assert client_for(admin_user, tenant_b).get("/").status_code == 200


# --- session binding -----------------------------------------------------------------------
def test_a_session_made_on_one_host_is_worthless_on_another(tenant_a, tenant_b, admin_user):
    client = client_for(admin_user, tenant_a)
    cookie = client.cookies["sessionid"].value
    replay = client_for(None, tenant_b)
    replay.cookies["sessionid"] = cookie
    response = replay.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    public = client_for(None, None)
    public.cookies["sessionid"] = cookie
    assert public.get("/console/").status_code == 302


# --- team ----------------------------------------------------------------------------------
def test_a_member_sees_the_team_but_not_the_invite_form(tenant_a, member_a, customer_admin_a):
    response = client_for(member_a, tenant_a).get("/team/")
    assert response.status_code == 200
    assert customer_admin_a.email in response.text
    assert "Invite a teammate" not in response.text


def test_the_team_page_lists_only_this_tenants_people(tenant_a, member_a, member_b):
    response = client_for(member_a, tenant_a).get("/team/")
    assert member_a.email in response.text
    assert member_b.email not in response.text


def test_a_customer_admin_invites_a_teammate(
    tenant_a, customer_admin_a, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(customer_admin_a, tenant_a).post(
            "/team/", {"email": "new@alpha.example", "role": MembershipRole.CUSTOMER_MEMBER}
        )
    assert response.status_code == 302
    assert Invitation.objects.filter(tenant=tenant_a, email="new@alpha.example").exists()
    assert mailoutbox[0].to == ["new@alpha.example"]
    assert "http://alpha.localhost:8000/invite/" in mailoutbox[0].body


def test_a_member_may_not_invite(tenant_a, member_a):
    response = client_for(member_a, tenant_a).post("/team/", {"email": "x@alpha.example", "role": "customer_member"})
    assert response.status_code == 403
    assert not Invitation.objects.filter(email="x@alpha.example").exists()


def test_another_tenants_admin_cannot_invite_into_this_one(tenant_a, customer_admin_b):
    response = client_for(customer_admin_b, tenant_a).post(
        "/team/", {"email": "x@alpha.example", "role": "customer_admin"}
    )
    assert response.status_code == 404
    assert not Invitation.objects.filter(email="x@alpha.example").exists()


def test_a_bad_invite_shows_what_was_wrong(tenant_a, customer_admin_a, member_a):
    client = client_for(customer_admin_a, tenant_a)
    response = client.post("/team/", {"email": "not-an-email", "role": "customer_member"})
    assert response.status_code == 400
    assert "Enter a valid email address" in response.text
    response = client.post("/team/", {"email": member_a.email, "role": "customer_member"})
    assert response.status_code == 400
    assert "already a member" in response.text


# --- remove a member / revoke an invitation ------------------------------------------------
def test_a_customer_admin_removes_a_member(tenant_a, customer_admin_a, member_a):
    membership = Membership.objects.get(user=member_a, tenant=tenant_a)
    response = client_for(customer_admin_a, tenant_a).post(_url("customer:membership_remove", membership.pk))
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_a_member_may_not_remove_anyone(tenant_a, member_a, customer_admin_a):
    membership = Membership.objects.get(user=customer_admin_a, tenant=tenant_a)
    response = client_for(member_a, tenant_a).post(_url("customer:membership_remove", membership.pk))
    assert response.status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_a_membership_of_another_tenant_is_404(tenant_a, tenant_b, customer_admin_a, member_b):
    membership = Membership.objects.get(user=member_b, tenant=tenant_b)
    response = client_for(customer_admin_a, tenant_a).post(_url("customer:membership_remove", membership.pk))
    assert response.status_code == 404
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_the_last_customer_admin_cannot_be_removed(tenant_a, customer_admin_a, csm_a):
    membership = Membership.objects.get(user=customer_admin_a, tenant=tenant_a)
    response = client_for(csm_a, tenant_a).post(_url("customer:membership_remove", membership.pk), follow=True)
    assert "at least one customer admin" in response.text
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_invitation_revoke_trio(tenant_a, tenant_b, customer_admin_a, member_a, customer_admin_b):
    invitation = InvitationFactory(tenant=tenant_a)
    url = _url("customer:invitation_revoke", invitation.pk)
    assert client_for(customer_admin_b, tenant_a).post(url).status_code == 404
    assert client_for(member_a, tenant_a).post(url).status_code == 403
    invitation.refresh_from_db()
    assert invitation.revoked_at is None
    assert client_for(customer_admin_a, tenant_a).post(url).status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    other = InvitationFactory(tenant=tenant_b)
    response = client_for(customer_admin_a, tenant_a).post(_url("customer:invitation_revoke", other.pk))
    assert response.status_code == 404


def test_pages_are_keyboard_and_screen_reader_friendly(tenant_a, customer_admin_a):
    html = client_for(customer_admin_a, tenant_a).get("/team/").text
    assert 'class="skip-link" href="#main"' in html
    assert '<main id="main"' in html
    assert 'aria-current="page"' in html
    assert '<label for="id_email">' in html
    assert 'id="id_email"' in html


# --- the benchmark's signed-in baseline ----------------------------------------------------
def test_the_baseline_page_is_the_layout_and_navigation_alone(tenant_a, member_a):
    response = client_for(member_a, tenant_a).get("/baseline/")
    assert response.status_code == 200
    assert [t.name for t in response.templates][:2] == ["customer/baseline.html", "customer/base.html"]
    assert 'href="/onboarding/"' in response.text  # the navigation every customer page carries
    assert "<h1" not in response.text  # and no page content


def test_the_baseline_page_is_no_backdoor(tenant_a, member_b):
    assert client_for(None, tenant_a).get("/baseline/")["Location"] == "/login/?next=/baseline/"
    assert client_for(member_b, tenant_a).get("/baseline/").status_code == 404
