"""Security settings that must hold: headers, throttling, production cookies and HSTS."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

from tests.support.clients import client_for
from tests.support.factories import MembershipFactory

ROOT = Path(__file__).resolve().parents[2]


def test_pages_carry_a_strict_content_security_policy(tenant_a, member_a):
    response = client_for(member_a, tenant_a).get("/onboarding/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_api_throttles_per_tenant_and_user_with_retry_after(tenant_a, member_a, settings):
    # Throttle counters start empty: tests/conftest.py clears the cache before every test.
    rest = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"tenant_user": "3/min"}}
    with override_settings(REST_FRAMEWORK=rest):
        client = client_for(member_a, tenant_a)
        assert [client.get("/api/v1/me").status_code for _ in range(3)] == [200, 200, 200]
        refused = client.get("/api/v1/me")
        assert refused.status_code == 429
        assert int(refused["Retry-After"]) > 0
        # Another caller on the same account has a budget of their own.
        other = client_for(MembershipFactory(tenant=tenant_a).user, tenant_a)
        assert other.get("/api/v1/me").status_code == 200


@pytest.mark.pure
@pytest.mark.slow
def test_production_settings_secure_cookies_and_hsts():
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, "
        "s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_SSL_REDIRECT, s.DEBUG]))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEEL_")}
    env.update(DJANGO_SETTINGS_MODULE="portal.settings.prod", KEEL_SECRET_KEY="x" * 30 + "-Vx9!q2#Lm7@Zr4$Tp8%Wn3^Yb6&")
    out = (
        subprocess.run(  # noqa: S603
            [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    assert json.loads(out) == [True, True, 31_536_000, True, True, False]


@pytest.mark.parametrize("path", ["/kb/?tag=a%00b", "/api/v1/kb/pages?tag=%00", "/onboarding/?x%00=1"])
def test_a_nul_character_in_the_query_is_a_400_not_a_database_error(tenant_a, member_a, path):
    response = client_for(member_a, tenant_a).get(path)
    assert response.status_code == 400
    assert b"NUL character" in response.content
