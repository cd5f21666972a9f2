"""Log-in on each host, failed-login lockout and password reset."""

import re

import pytest
from django.conf import settings

from tests.support.clients import client_for
from tests.support.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _login(client, email, password=PASSWORD):
    return client.post("/login/", {"username": email, "password": password})


def test_a_member_logs_in_on_their_tenant_host(tenant_a, member_a):
    client = client_for(None, tenant_a)
    response = _login(client, member_a.email)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_a_stranger_is_refused_with_the_same_words_as_a_bad_password(tenant_a, member_b):
    stranger = _login(client_for(None, tenant_a), member_b.email)
    wrong = _login(client_for(None, tenant_a), member_b.email, "wrong-password")
    assert stranger.status_code == wrong.status_code == 200
    assert "Please enter a correct email and password" in stranger.text
    assert "Please enter a correct email and password" in wrong.text


def test_staff_log_in_on_the_console(csm_a):
    client = client_for()
    assert _login(client, csm_a.email).status_code == 302
    # A password alone is not enough for staff: the console waits for the second factor.
    response = client.get("/console/")
    assert response.status_code == 302
    assert response["Location"].startswith("/mfa/?next=%2Fconsole%2F")


def test_repeated_failures_lock_the_account_even_for_the_right_password(tenant_a, member_a):
    client = client_for(None, tenant_a)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, member_a.email, "wrong-password")
    locked = _login(client_for(None, tenant_a), member_a.email)
    assert locked.status_code == 429
    assert "Too many failed log-ins" in locked.text
    assert client_for(None, tenant_a).get("/").status_code == 302  # still not logged in


def test_a_success_before_the_limit_resets_the_count(tenant_a, member_a):
    client = client_for(None, tenant_a)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, member_a.email, "wrong-password")
    assert _login(client, member_a.email).status_code == 302
    client.post("/logout/")
    _login(client, member_a.email, "wrong-password")
    assert _login(client, member_a.email).status_code == 302


def test_password_reset_sends_a_working_link_on_the_same_host(tenant_a, member_a, mailoutbox):
    client = client_for(None, tenant_a)
    assert client.post("/password-reset/", {"email": member_a.email}).status_code == 302
    assert len(mailoutbox) == 1
    link = re.search(r"http://alpha\.localhost(/reset/\S+/)", mailoutbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    assert "Choose a new password" in form.text
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": "brand-new-passphrase", "new_password2": "brand-new-passphrase"}
    )
    assert done.status_code == 302
    member_a.refresh_from_db()
    assert member_a.check_password("brand-new-passphrase")


def test_password_reset_on_a_tenant_host_ignores_strangers(tenant_a, member_b, mailoutbox):
    response = client_for(None, tenant_a).post("/password-reset/", {"email": member_b.email})
    assert response.status_code == 302  # same answer: no account enumeration
    assert mailoutbox == []


@pytest.mark.parametrize("has_account", [True, False])
def test_an_address_gets_three_reset_mails_an_hour_then_a_429(tenant_a, member_a, mailoutbox, has_account):
    email = member_a.email if has_account else "nobody@alpha.example"
    client = client_for(None, tenant_a)
    for _ in range(3):
        assert client.post("/password-reset/", {"email": email}).status_code == 302
    refused = client.post("/password-reset/", {"email": email.upper()})  # the same address
    assert refused.status_code == 429  # the same answer with or without an account
    assert refused["Retry-After"] == "3600"
    message = "Too many reset requests for this address or from this network. Try again in 1 hour."
    assert message in refused.text.replace("\xa0", " ")  # timeuntil joins with no-break spaces
    assert len(mailoutbox) == (3 if has_account else 0)
    assert client.post("/password-reset/", {"email": "someone.else@alpha.example"}).status_code == 302


def test_one_client_may_ask_for_so_many_resets_whatever_the_addresses(tenant_a, settings):
    settings.KEEL_PASSWORD_RESET_RATE_PER_CLIENT = "2/10m"
    settings.KEEL_TRUSTED_PROXIES = 1
    client = client_for(None, tenant_a)
    first = {"HTTP_X_FORWARDED_FOR": "203.0.113.7"}
    assert client.post("/password-reset/", {"email": "a@alpha.example"}, **first).status_code == 302
    assert client.post("/password-reset/", {"email": "b@alpha.example"}, **first).status_code == 302
    refused = client.post("/password-reset/", {"email": "c@alpha.example"}, **first)
    assert (refused.status_code, refused["Retry-After"]) == (429, "3600")  # the longer of the two windows
    other = {"HTTP_X_FORWARDED_FOR": "198.51.100.9"}  # another client behind the same balancer
    assert client.post("/password-reset/", {"email": "c@alpha.example"}, **other).status_code == 302


def test_logout_needs_post_and_ends_the_session(tenant_a, member_a):
    client = client_for(member_a, tenant_a)
    assert client.get("/logout/").status_code == 405
    client.post("/logout/")
    assert client.get("/").status_code == 302
