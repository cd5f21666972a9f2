from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from portal.accounts.models import Invitation, Membership, MembershipRole, User
from portal.accounts.services import invitation_accept, invitation_create, invitation_expire_all
from tests.support.clients import client_for
from tests.support.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _invite(tenant, actor, email="joiner@example.com", role=MembershipRole.CUSTOMER_MEMBER):
    return invitation_create(tenant=tenant, email=email, role=role, actor=actor)


def test_a_new_person_sets_a_password_and_joins(tenant_a, customer_admin_a):
    _, token = _invite(tenant_a, customer_admin_a)
    client = client_for(None, tenant_a)
    page = client.get(f"/invite/{token}/")
    assert page.status_code == 200
    assert "Choose a password" in page.text
    response = client.post(f"/invite/{token}/", {"full_name": "Jo Iner", "password": "a-long-unusual-passphrase"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    user = User.objects.get(email="joiner@example.com")
    assert user.check_password("a-long-unusual-passphrase")
    assert user.full_name == "Jo Iner"
    assert Membership.objects.get(user=user, tenant=tenant_a).role == MembershipRole.CUSTOMER_MEMBER
    assert client.get("/").status_code == 200  # logged in on this host


def test_a_weak_password_is_refused_with_the_reason(tenant_a, customer_admin_a):
    _, token = _invite(tenant_a, customer_admin_a)
    response = client_for(None, tenant_a).post(f"/invite/{token}/", {"password": "123"})
    assert response.status_code == 400
    assert "too short" in response.text
    assert not User.objects.filter(email="joiner@example.com").exists()


def test_an_existing_user_joins_with_their_own_password(tenant_a, tenant_b, member_b, customer_admin_a):
    _, token = _invite(tenant_a, customer_admin_a, email=member_b.email)
    client = client_for(None, tenant_a)
    assert "already have a Keel account" in client.get(f"/invite/{token}/").text
    bad = client.post(f"/invite/{token}/", {"password": "not-my-password"})
    assert bad.status_code == 400
    assert "not the password" in bad.text
    assert client.post(f"/invite/{token}/", {"password": PASSWORD}).status_code == 302
    assert Membership.objects.filter(user=member_b, tenant=tenant_a).exists()
    member_b.refresh_from_db()
    assert member_b.check_password(PASSWORD)  # an invitation never changes an existing password


def test_a_link_works_once(tenant_a, customer_admin_a):
    invitation, token = _invite(tenant_a, customer_admin_a)
    invitation_accept(invitation=invitation, password="a-long-unusual-passphrase")
    assert client_for(None, tenant_a).get(f"/invite/{token}/").status_code == 404
    with pytest.raises(ValidationError, match="already used"):
        invitation_accept(invitation=invitation, password="a-long-unusual-passphrase")


def test_a_link_expires(tenant_a, customer_admin_a):
    _, token = _invite(tenant_a, customer_admin_a)
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        assert client_for(None, tenant_a).get(f"/invite/{token}/").status_code == 404
        assert invitation_expire_all() == 1


def test_a_link_only_works_on_its_own_tenants_host(tenant_a, tenant_b, customer_admin_a):
    _, token = _invite(tenant_a, customer_admin_a)
    assert client_for(None, tenant_b).get(f"/invite/{token}/").status_code == 404
    assert (
        client_for(None, tenant_b).post(f"/invite/{token}/", {"password": "a-long-unusual-passphrase"}).status_code
        == 404
    )
    assert not User.objects.filter(email="joiner@example.com").exists()


def test_reinviting_replaces_the_open_link(tenant_a, customer_admin_a):
    first, first_token = _invite(tenant_a, customer_admin_a)
    _, second_token = _invite(tenant_a, customer_admin_a)
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert client_for(None, tenant_a).get(f"/invite/{first_token}/").status_code == 404
    assert client_for(None, tenant_a).get(f"/invite/{second_token}/").status_code == 200


def test_only_the_token_hash_is_stored(tenant_a, customer_admin_a):
    invitation, token = _invite(tenant_a, customer_admin_a)
    assert token not in Invitation.objects.filter(pk=invitation.pk).values_list("token_hash", flat=True)[0]
    assert Invitation.objects.by_token(token).get() == invitation


def test_a_member_cannot_invite_through_the_service(tenant_a, member_a):
    from portal.accounts.access import AccessDenied

    with pytest.raises(AccessDenied):
        _invite(tenant_a, member_a)


def test_an_outsider_cannot_invite_through_the_service(tenant_a):
    from portal.accounts.access import AccessDenied

    with pytest.raises(AccessDenied):
        _invite(tenant_a, UserFactory())
