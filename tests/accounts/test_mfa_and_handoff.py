"""Staff second factor (TOTP, recovery codes, admin reset) and the console -> customer host handoff."""

import re
from datetime import timedelta

import pyotp
import time_machine
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.accounts.models import UserSession
from portal.audit.models import AuditEvent
from tests.support.clients import client_for
from tests.support.factories import PASSWORD

SECRET = re.compile(r'id="totp-secret">([A-Z2-7 ]+)<')
RECOVERY = re.compile(r"<li><code>(\w+)</code></li>")


def _password_login(user, host="localhost"):
    client = Client(HTTP_HOST=host, HTTP_USER_AGENT="pytest-browser")
    assert client.post("/login/", {"username": user.email, "password": PASSWORD}).status_code == 302
    return client


def _enrol(client):
    page = client.get("/mfa/setup/")
    secret = SECRET.search(page.text)[1].replace(" ", "")
    done = client.post("/mfa/setup/", {"token": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    return secret, RECOVERY.findall(done.text)


def _signed_in_csm(csm):
    client = _password_login(csm)
    secret, codes = _enrol(client)
    return client, secret, codes


def test_a_csm_must_set_up_and_confirm_a_code_before_the_console(csm_a):
    client = _password_login(csm_a)
    assert client.get("/console/")["Location"].startswith("/mfa/?next=")
    assert client.get("/mfa/")["Location"] == "/mfa/setup/"
    secret, codes = _enrol(client)
    assert len(codes) == 10
    assert client.get("/console/").status_code == 200
    assert AuditEvent.objects.filter(action="mfa.enrolled", actor=csm_a).exists()
    # The next sign-in asks for the code, computed by another implementation (pyotp).
    again = _password_login(csm_a)
    assert again.get("/console/").status_code == 302
    assert again.post("/mfa/", {"token": "000000", "next": "/console/"}).status_code == 400
    assert AuditEvent.objects.filter(action="mfa.failed", actor=csm_a).exists()
    TOTPDevice.objects.filter(user=csm_a).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    with time_machine.travel(timezone.now() + timedelta(seconds=30)):
        response = again.post("/mfa/", {"token": pyotp.TOTP(secret).now(), "next": "/console/"})
    assert response["Location"] == "/console/"
    assert again.get("/console/").status_code == 200


def test_a_recovery_code_works_once(csm_a):
    _, _, codes = _signed_in_csm(csm_a)
    first = _password_login(csm_a)
    assert first.post("/mfa/", {"token": codes[0]}).status_code == 302
    assert first.get("/console/").status_code == 200
    second = _password_login(csm_a)
    assert second.post("/mfa/", {"token": codes[0]}).status_code == 400
    assert AuditEvent.objects.filter(action="mfa.verified", actor=csm_a, data__recovery_code=True).count() == 1


def test_the_mfa_requirement_is_configurable(csm_a, settings):
    settings.KEEL_MFA_REQUIRED_ROLES = ["admin"]
    assert _password_login(csm_a).get("/console/").status_code == 200


def test_an_admin_resets_a_csm_s_second_factor_and_signs_them_out(csm_a, admin_user):
    csm_client, _, _ = _signed_in_csm(csm_a)
    admin = client_for(admin_user)
    assert admin.get("/console/staff/").status_code == 200
    assert admin.post(f"/console/staff/{csm_a.pk}/reset-mfa/").status_code == 302
    assert not TOTPDevice.objects.filter(user=csm_a).exists()
    assert csm_client.get("/console/")["Location"].startswith("/login/")
    assert AuditEvent.objects.filter(action="mfa.reset", actor=admin_user, data__email=csm_a.email).exists()


def test_only_admins_reset_second_factors(csm_a, csm_b):
    client = client_for(csm_b)
    assert client.get("/console/staff/").status_code == 403
    assert client.post(f"/console/staff/{csm_a.pk}/reset-mfa/").status_code == 403


# --- handoff ----------------------------------------------------------------------------------------
def _handoff_url(console, tenant):
    response = console.post(f"/console/tenants/{tenant.slug}/open/")
    assert response.status_code == 302, response
    match = re.match(r"http://([^/:]+)(?::\d+)?(/handoff/[^/]+/)$", response["Location"])
    assert match, response["Location"]
    assert match[1] == tenant.primary_domain_name
    return match[2]


def test_a_csm_opens_a_customer_host_without_signing_in_again(csm_a, tenant_a):
    console, _, _ = _signed_in_csm(csm_a)
    path = _handoff_url(console, tenant_a)
    host = Client(HTTP_HOST=tenant_a.primary_domain_name)
    assert host.get(path)["Location"] == "/"
    assert host.get("/onboarding/").status_code in (200, 302)
    assert host.get("/").status_code == 200  # signed in, second factor carried over
    row = UserSession.objects.get(user=csm_a, schema_name=tenant_a.schema_name)
    assert row.method == "handoff"
    assert row.handed_off_from.schema_name == "public"
    assert AuditEvent.objects.filter(action="handoff.redeemed", actor=csm_a, tenant=tenant_a).exists()
    # The console cookie was not shared: the session on the customer host is its own.
    assert host.cookies["sessionid"].value != console.cookies["sessionid"].value


def test_a_handoff_pass_works_once(csm_a, tenant_a):
    console, _, _ = _signed_in_csm(csm_a)
    path = _handoff_url(console, tenant_a)
    assert Client(HTTP_HOST=tenant_a.primary_domain_name).get(path).status_code == 302
    replay = Client(HTTP_HOST=tenant_a.primary_domain_name)
    assert replay.get(path).status_code == 400
    assert replay.get("/").status_code == 302


def test_an_expired_handoff_pass_is_refused(csm_a, tenant_a):
    console, _, _ = _signed_in_csm(csm_a)
    path = _handoff_url(console, tenant_a)
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        assert Client(HTTP_HOST=tenant_a.primary_domain_name).get(path).status_code == 400


def test_a_handoff_pass_for_one_host_is_refused_on_another(csm_a, tenant_a, tenant_b):
    from portal.tenancy.models import Tenant

    Tenant.objects.filter(pk=tenant_b.pk).update(csm=csm_a)
    console, _, _ = _signed_in_csm(csm_a)
    path = _handoff_url(console, tenant_a)
    other = Client(HTTP_HOST=tenant_b.primary_domain_name)
    assert other.get(path).status_code == 400
    assert other.get("/").status_code == 302
    # Not used up by the refusal... but the tampered host check cannot be bypassed either.
    assert Client(HTTP_HOST=tenant_a.primary_domain_name).get(path).status_code == 302


def test_an_altered_handoff_pass_is_refused(csm_a, tenant_a):
    console, _, _ = _signed_in_csm(csm_a)
    path = _handoff_url(console, tenant_a)
    tampered = path[:-3] + ("A" if path[-3] != "A" else "B") + path[-2:]
    assert Client(HTTP_HOST=tenant_a.primary_domain_name).get(tampered).status_code == 400


def test_an_unassigned_csm_cannot_open_a_customer(csm_a, csm_b, tenant_a):
    assert client_for(csm_b).post(f"/console/tenants/{tenant_a.slug}/open/").status_code == 404


def test_signing_out_of_the_console_ends_the_handed_off_sessions(csm_a, tenant_a):
    console, _, _ = _signed_in_csm(csm_a)
    host = Client(HTTP_HOST=tenant_a.primary_domain_name)
    host.get(_handoff_url(console, tenant_a))
    assert host.get("/").status_code == 200
    console.post("/logout/")
    assert host.get("/").status_code == 302
    assert not UserSession.objects.filter(user=csm_a, ended_at__isnull=True).exists()


def test_opening_a_customer_needs_a_csrf_token(csm_a, tenant_a):
    console = client_for(csm_a)
    console.handler.enforce_csrf_checks = True
    assert console.post(f"/console/tenants/{tenant_a.slug}/open/").status_code == 403


# --- sessions ---------------------------------------------------------------------------------------
def test_a_user_sees_and_ends_their_sessions(tenant_a, member_a):
    first = _password_login(member_a, tenant_a.primary_domain_name)
    second = _password_login(member_a, tenant_a.primary_domain_name)
    page = second.get("/account/sessions/")
    assert page.status_code == 200
    assert tenant_a.primary_domain_name in page.text
    assert "pytest-browser" in page.text
    assert "This browser" in page.text
    other = UserSession.objects.filter(user=member_a).order_by("created_at").first()
    assert second.post(f"/account/sessions/{other.pk}/end/").status_code == 302
    assert first.get("/").status_code == 302
    assert second.get("/").status_code == 200


def test_nobody_ends_another_person_s_session(tenant_a, member_a, customer_admin_a):
    _password_login(member_a, tenant_a.primary_domain_name)
    theirs = UserSession.objects.get(user=member_a)
    assert client_for(customer_admin_a, tenant_a).post(f"/account/sessions/{theirs.pk}/end/").status_code == 404


def test_a_tenant_admin_signs_everyone_out(tenant_a, member_a, customer_admin_a):
    member = _password_login(member_a, tenant_a.primary_domain_name)
    admin = _password_login(customer_admin_a, tenant_a.primary_domain_name)
    assert admin.post("/account/sign-in/sign-out-everyone/").status_code == 302
    assert member.get("/").status_code == 302
    assert admin.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="tenant.sessions_ended", tenant=tenant_a, data__ended=1).exists()


def test_members_cannot_sign_everyone_out(tenant_a, member_a):
    assert client_for(member_a, tenant_a).post("/account/sign-in/sign-out-everyone/").status_code == 403


def test_suspension_ends_customer_sessions_at_once(tenant_a, member_a, admin_user):
    from portal.tenancy.services import tenant_suspend

    member = _password_login(member_a, tenant_a.primary_domain_name)
    tenant_suspend(tenant=tenant_a, actor=admin_user, reason="Contract paused")
    assert UserSession.objects.get(user=member_a).ended_at is not None
    assert member.get("/").status_code in (302, 403)
    assert "_auth_user_id" not in member.session


def test_failed_password_sign_ins_are_audited(tenant_a, member_a):
    Client(HTTP_HOST=tenant_a.primary_domain_name).post("/login/", {"username": member_a.email, "password": "nope"})
    assert AuditEvent.objects.filter(action="signin.failed", data__email=member_a.email, data__method="password")


def test_next_after_a_password_cannot_leave_the_host(tenant_a, member_a):
    client = Client(HTTP_HOST=tenant_a.primary_domain_name)
    response = client.post(
        "/login/", {"username": member_a.email, "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_a_handoff_s_next_cannot_leave_the_host(csm_a, tenant_a):
    console, _, _ = _signed_in_csm(csm_a)
    path = _handoff_url(console, tenant_a)
    host = Client(HTTP_HOST=tenant_a.primary_domain_name)
    assert host.get(path, {"next": "https://evil.example/"})["Location"] == "/"


def test_the_console_page_lets_the_open_form_lead_to_the_customer_host(csm_a, tenant_a):
    response = client_for(csm_a).get(f"/console/tenants/{tenant_a.slug}/")
    policy = response.headers["Content-Security-Policy"]
    assert f"form-action 'self' http://{tenant_a.primary_domain_name}:8000" in policy


def test_sessions_name_the_device_in_words(tenant_a, member_a):
    from tests.support.factories import UserSessionFactory

    chrome_mac = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/537.36 (KHTML) Chrome/131.0 Safari/537.36"
    edge_win = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36 Edg/131.0"
    firefox_android = "Mozilla/5.0 (Android 14; Mobile; rv:132.0) Gecko/132.0 Firefox/132.0"
    assert UserSessionFactory.build(user_agent=chrome_mac).device == "Chrome on macOS"
    assert UserSessionFactory.build(user_agent=edge_win).device == "Edge on Windows"
    assert UserSessionFactory.build(user_agent=firefox_android).device == "Firefox on Android"
    assert UserSessionFactory.build(user_agent="").device == "Unknown browser"


def test_staff_see_their_sessions_and_second_factor_on_the_console(csm_a):
    client, _, _ = _signed_in_csm(csm_a)
    page = client.get("/account/sessions/")
    assert page.status_code == 200
    assert "Your authenticator app is on. Recovery codes left: 10." in page.text
    assert "localhost" in page.text
    regenerated = client.post("/mfa/recovery-codes/")
    assert len(RECOVERY.findall(regenerated.text)) == 10
    assert AuditEvent.objects.filter(action="mfa.recovery_codes_regenerated", actor=csm_a).exists()


def test_an_operator_resets_the_last_admin_s_second_factor(admin_user):
    from django.core.management import call_command

    client = _password_login(admin_user)
    _enrol(client)
    call_command("mfa_reset", admin_user.email.upper(), stdout=open("/dev/null", "w"))  # noqa: SIM115, PTH123
    assert not TOTPDevice.objects.filter(user=admin_user).exists()
    assert _password_login(admin_user).get("/console/")["Location"].startswith("/mfa/")


def test_expired_sessions_are_not_listed(tenant_a, member_a):
    from django.contrib.sessions.models import Session

    client = _password_login(member_a, tenant_a.primary_domain_name)
    other = _password_login(member_a, tenant_a.primary_domain_name)
    expired = UserSession.objects.filter(user=member_a).order_by("created_at").first()
    Session.objects.filter(session_key=expired.session_key).update(expire_date=timezone.now() - timedelta(seconds=1))
    page = other.get("/account/sessions/")
    assert page.text.count("Sign out</button>") == 1
    assert client.get("/").status_code == 302


def test_old_rows_are_pruned_and_the_task_runs(tenant_a, member_a):
    from portal.accounts.tasks import sign_in_rows_prune_task
    from tests.support.factories import SignInCodeFactory, SignInHandoffFactory, UserSessionFactory

    long_ago = timezone.now() - timedelta(days=100)
    old_code = SignInCodeFactory(tenant=tenant_a, expires_at=long_ago)
    fresh_code = SignInCodeFactory(tenant=tenant_a)
    SignInHandoffFactory(tenant=tenant_a, expires_at=long_ago)
    gone = UserSessionFactory(user=member_a, last_seen_at=long_ago, ended_at=long_ago)
    assert sign_in_rows_prune_task.apply().get() == 3
    assert not UserSession.objects.filter(pk=gone.pk).exists()
    from portal.accounts.models import SignInCode

    assert list(SignInCode.objects.filter(pk__in=[old_code.pk, fresh_code.pk])) == [fresh_code]
