"""Passwordless sign-in on a tenant host: e-mailed link or 6-digit code, once, 15 minutes, one host."""

import re
from datetime import timedelta

import time_machine
from django.utils import timezone

from portal.accounts.models import SignInCode, SignInMethods, UserSession
from portal.audit.models import AuditEvent
from tests.support.clients import client_for
from tests.support.factories import PASSWORD

LINK = re.compile(r"http://[^/\s]+(/login/email/[^/\s]+/)")
CODE = re.compile(r"code on the sign-in page: (\d{6})")


def _link_and_code(mail):
    body = mail.body
    return LINK.search(body)[1], CODE.search(body)[1]


def test_a_member_signs_in_with_the_e_mailed_link(ask, tenant_a, member_a, mailoutbox):
    client = client_for(None, tenant_a)
    response = ask(client, member_a.email)
    assert response.status_code == 302
    assert response["Location"] == "/login/email/code/"
    link, _ = _link_and_code(mailoutbox[-1])
    assert client.get(link).status_code == 200  # a confirm button: link scanners do not use it up
    assert client.post(link).status_code == 302
    assert client.get("/").status_code == 200
    row = UserSession.objects.get(user=member_a)
    assert (row.method, row.host, row.schema_name) == ("email_link", tenant_a.primary_domain_name, tenant_a.schema_name)
    assert AuditEvent.objects.filter(action="signin.succeeded", actor=member_a, data__method="email_link").exists()


def test_a_member_signs_in_with_the_code(ask, tenant_a, member_a, mailoutbox):
    client = client_for(None, tenant_a)
    ask(client, member_a.email.upper())
    _, code = _link_and_code(mailoutbox[-1])
    response = client.post("/login/email/code/", {"code": code})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_a_link_works_once(ask, tenant_a, member_a, mailoutbox):
    client = client_for(None, tenant_a)
    ask(client, member_a.email)
    link, _ = _link_and_code(mailoutbox[-1])
    assert client.post(link).status_code == 302
    again = client_for(None, tenant_a).post(link)
    assert again.status_code == 404
    assert "does not work" in again.text


def test_an_expired_link_and_code_are_refused(ask, tenant_a, member_a, mailoutbox):
    client = client_for(None, tenant_a)
    ask(client, member_a.email)
    link, code = _link_and_code(mailoutbox[-1])
    with time_machine.travel(timezone.now() + timedelta(minutes=15, seconds=1)):
        assert client.post(link).status_code == 404
        assert client.post("/login/email/code/", {"code": code}).status_code == 400
    assert client.get("/").status_code == 302


def test_a_link_asked_on_one_host_is_refused_on_another(ask, tenant_a, tenant_b, member_a, mailoutbox):
    from tests.support.factories import MembershipFactory

    MembershipFactory(tenant=tenant_b, user=member_a)
    ask(client_for(None, tenant_a), member_a.email)
    link, _ = _link_and_code(mailoutbox[-1])
    other = client_for(None, tenant_b)
    assert other.get(link).status_code == 404
    assert other.post(link).status_code == 404
    assert other.get("/").status_code == 302
    assert AuditEvent.objects.filter(action="signin.failed", data__method="email_link").exists()


def test_the_answer_is_the_same_for_an_unknown_address(ask, tenant_a, member_a, member_b, mailoutbox):
    known = ask(client_for(None, tenant_a), member_a.email)
    unknown_client = client_for(None, tenant_a)
    unknown = ask(unknown_client, "nobody@example.com")
    stranger = ask(client_for(None, tenant_a), member_b.email)  # exists, but not here
    assert known.status_code == unknown.status_code == stranger.status_code == 302
    assert known["Location"] == unknown["Location"] == stranger["Location"]
    page = unknown_client.get("/login/email/code/")
    assert "If <strong>nobody@example.com</strong> may sign in here" in page.text
    # One e-mail and one row each: the work does not depend on whether the address belongs here.
    assert len(mailoutbox) == 3
    assert SignInCode.objects.filter(tenant=tenant_a).count() == 3
    assert "no account there" in mailoutbox[1].body
    assert CODE.search(mailoutbox[1].body) is None


def test_no_code_works_for_an_address_that_does_not_belong(ask, tenant_a, member_b, mailoutbox):
    client = client_for(None, tenant_a)
    ask(client, member_b.email)
    for guess in ("000000", "123456"):
        assert client.post("/login/email/code/", {"code": guess}).status_code == 400
    assert client.get("/").status_code == 302


def test_wrong_codes_use_the_code_up(ask, tenant_a, member_a, mailoutbox, settings):
    client = client_for(None, tenant_a)
    ask(client, member_a.email)
    _, code = _link_and_code(mailoutbox[-1])
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(settings.KEEL_SIGNIN_CODE_MAX_ATTEMPTS):
        assert client.post("/login/email/code/", {"code": wrong}).status_code == 400
    assert client.post("/login/email/code/", {"code": code}).status_code == 400
    assert client.get("/").status_code == 302


def test_requests_are_limited_per_address_across_every_host(ask, tenant_a, tenant_b, member_a, settings, mailoutbox):
    settings.KEEL_SIGNIN_RATE_PER_EMAIL = "2/h"
    assert ask(client_for(None, tenant_a), member_a.email).status_code == 302
    assert ask(client_for(None, tenant_b), member_a.email).status_code == 302
    limited = ask(client_for(None, tenant_b), member_a.email)
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) == 3600
    assert ask(client_for(None, tenant_a), member_a.email.upper()).status_code == 429
    assert len(mailoutbox) == 2


def test_requests_are_limited_per_client(ask, tenant_a, settings):
    settings.KEEL_SIGNIN_RATE_PER_CLIENT = "2/h"
    client = client_for(None, tenant_a)
    assert [ask(client, f"p{i}@example.com").status_code for i in range(3)] == [302, 302, 429]


def test_asking_needs_a_csrf_token(tenant_a, member_a):
    from django.test import Client

    client = Client(HTTP_HOST=tenant_a.primary_domain_name, enforce_csrf_checks=True)
    assert client.post("/login/email/", {"email": member_a.email}).status_code == 403
    login = client.post("/login/", {"username": member_a.email, "password": "x"})
    assert login.status_code == 403


def test_a_bad_address_is_a_clear_400(ask, tenant_a):
    response = ask(client_for(None, tenant_a), "not-an-address")
    assert response.status_code == 400
    assert "Enter a valid email address" in response.text


def test_next_cannot_leave_the_host(ask, tenant_a, member_a, mailoutbox):
    client = client_for(None, tenant_a)
    ask(client, member_a.email, next="https://evil.example/")
    _, code = _link_and_code(mailoutbox[-1])
    response = client.post("/login/email/code/", {"code": code})
    assert response["Location"] == "/"
    ask(client_for(None, tenant_a), member_a.email)
    link, _ = _link_and_code(mailoutbox[-1])
    for target in ("//evil.example/", "https://evil.example/x", "http://beta.localhost/"):
        fresh = client_for(None, tenant_a)
        ask(fresh, member_a.email)
        link, _ = _link_and_code(mailoutbox[-1])
        assert fresh.post(link, {"next": target})["Location"] == "/"


def test_the_tenant_admin_chooses_the_methods(ask, tenant_a, customer_admin_a, member_a, mailoutbox):
    admin = client_for(customer_admin_a, tenant_a)
    response = admin.post("/account/sign-in/", {"methods": SignInMethods.PASSWORD})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="signin_policy.updated", tenant=tenant_a).exists()
    # Passwordless off: the form is gone and a member's request gives nothing that works.
    assert "E-mail me a sign-in link" not in client_for(None, tenant_a).get("/login/").text
    client = client_for(None, tenant_a)
    ask(client, member_a.email)
    assert CODE.search(mailoutbox[-1].body) is None
    # Passwords off: a member's right password is refused with the reason.
    admin.post("/account/sign-in/", {"methods": SignInMethods.PASSWORDLESS})
    refused = client_for(None, tenant_a).post("/login/", {"username": member_a.email, "password": PASSWORD})
    assert refused.status_code == 200
    assert "signs in with an e-mailed link or code" in refused.text


def test_members_cannot_change_the_methods(tenant_a, member_a):
    assert client_for(member_a, tenant_a).post("/account/sign-in/", {"methods": "password"}).status_code == 403


def test_a_suspended_tenant_sends_no_working_code(ask, tenant_a, member_a, admin_user, mailoutbox):
    from portal.tenancy.services import tenant_suspend

    tenant_suspend(tenant=tenant_a, actor=admin_user, reason="Contract paused")
    client = client_for(None, tenant_a)
    ask(client, member_a.email)
    assert CODE.search(mailoutbox[-1].body) is None
