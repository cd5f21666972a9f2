"""Behind trusted proxies, lockout counts the client's address, never one the client wrote."""

import pytest
from django.conf import settings
from django.test import RequestFactory

from portal.accounts.client_ip import client_ip
from portal.accounts.models import Membership, MembershipRole
from tests.support.clients import client_for
from tests.support.factories import PASSWORD, UserFactory

BALANCER = "10.0.0.2"


def _request(forwarded=None):
    extra = {"REMOTE_ADDR": BALANCER}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.pure
def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.KEEL_TRUSTED_PROXIES = 0
    assert client_ip(_request("203.0.113.9")) == BALANCER


@pytest.mark.pure
@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "198.51.100.1, 203.0.113.9", "203.0.113.9"),  # the left entry is the client's own claim
        (2, "198.51.100.1, 203.0.113.9, 10.0.0.1", "203.0.113.9"),
        (2, "203.0.113.9", BALANCER),  # fewer hops than trusted proxies
        (1, "not-an-address", BALANCER),
        (1, "", BALANCER),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_is_the_entry_the_nearest_trusted_proxy_wrote(settings, proxies, forwarded, expected):
    settings.KEEL_TRUSTED_PROXIES = proxies
    assert client_ip(_request(forwarded)) == expected


@pytest.mark.pure
def test_axes_and_the_api_throttle_use_it():
    assert settings.AXES_CLIENT_IP_CALLABLE == "portal.accounts.client_ip.client_ip"
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == (settings.KEEL_TRUSTED_PROXIES or None)


def test_failures_from_one_client_behind_the_balancer_do_not_lock_out_another(settings, tenant_a):
    settings.KEEL_TRUSTED_PROXIES = 1
    intruder = client_for(None, tenant_a)
    for n in range(settings.AXES_FAILURE_LIMIT + 1):  # a different e-mail each time: only the address adds up
        intruder.post(
            "/login/",
            {"username": f"guess{n}@example.com", "password": "x"},
            REMOTE_ADDR=BALANCER,
            HTTP_X_FORWARDED_FOR="203.0.113.66",
        )
    locked = intruder.post(
        "/login/", {"username": "guess@example.com", "password": "x"}, HTTP_X_FORWARDED_FOR="203.0.113.66"
    )
    assert locked.status_code == 429
    user = UserFactory()
    Membership.objects.create(user=user, tenant=tenant_a, role=MembershipRole.CUSTOMER_MEMBER)
    honest = client_for(None, tenant_a).post(
        "/login/",
        {"username": user.email, "password": PASSWORD},
        REMOTE_ADDR=BALANCER,
        HTTP_X_FORWARDED_FOR="198.51.100.20",
    )
    assert honest.status_code == 302
