"""Per-tenant OpenID Connect sign-in, against a real provider process (tests/support/oidc_provider.py)."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.core.management import call_command
from django.test import Client

from portal.accounts.access import SYSTEM
from portal.accounts.models import Membership, MembershipRole, SsoConfig, User, UserSession
from portal.accounts.sso import sso_config_update
from portal.audit.models import AuditEvent
from tests.support.clients import client_for
from tests.support.factories import PASSWORD, MembershipFactory, UserFactory
from tests.support.oidc import CLIENT_ID, CLIENT_SECRET


@pytest.fixture
def sso_a(tenant_a, oidc_provider, customer_admin_a):
    def configure(**changes):
        values = {
            "issuer": oidc_provider.issuer,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "allowed_domains": "alpha.example",
            "jit_provisioning": False,
            "default_role": MembershipRole.CUSTOMER_MEMBER,
            "sso_required": False,
        }
        return sso_config_update(tenant=tenant_a, actor=customer_admin_a, **{**values, **changes})

    configure()
    return configure


@pytest.fixture
def alpha_person(tenant_a):
    return MembershipFactory(tenant=tenant_a, user=UserFactory(email="pat@alpha.example")).user


def _authorize(client, email):
    """Start on Keel, sign in at the provider as ``email``; return Keel's callback path with its query."""
    start = client.post("/login/sso/")
    assert start.status_code == 302, start.text
    authorize = start["Location"]
    response = requests.post(
        authorize.split("?")[0],
        data={k: v[0] for k, v in parse_qs(urlsplit(authorize).query).items()} | {"email": email},
        allow_redirects=False,
        timeout=5,
    )
    assert response.status_code == 302, response.text
    callback = urlsplit(response.headers["Location"])
    return f"{callback.path}?{callback.query}"


def _signed_in(client):
    return client.get("/").status_code == 200


def test_the_authorization_request_uses_pkce_state_and_nonce(tenant_a, sso_a):
    start = Client(HTTP_HOST=tenant_a.primary_domain_name).post("/login/sso/")
    params = parse_qs(urlsplit(start["Location"]).query)
    assert params["code_challenge_method"] == ["S256"]
    assert len(params["code_challenge"][0]) == 43
    assert params["state"][0] and params["nonce"][0]
    assert params["scope"] == ["openid email profile"]
    assert params["redirect_uri"] == [tenant_a.absolute_url("/login/sso/callback/")]


def test_a_member_signs_in_through_the_provider(tenant_a, sso_a, alpha_person):
    client = Client(HTTP_HOST=tenant_a.primary_domain_name)
    assert client.get(_authorize(client, "pat@alpha.example"))["Location"] == "/"
    assert _signed_in(client)
    assert UserSession.objects.get(user=alpha_person).method == "sso"
    assert AuditEvent.objects.filter(action="signin.succeeded", actor=alpha_person, data__method="sso").exists()


def test_the_client_secret_is_encrypted_at_rest(tenant_a, sso_a):
    stored = SsoConfig.objects.get(tenant=tenant_a).client_secret_encrypted
    assert CLIENT_SECRET not in stored
    assert stored.startswith("gAAAA")  # a Fernet token


def test_secrets_survive_a_key_rotation(tenant_a, sso_a, settings, alpha_person):
    from cryptography.fernet import Fernet

    settings.KEEL_SSO_SECRET_KEYS = [old := Fernet.generate_key().decode()]
    sso_a()  # stored under the old key
    settings.KEEL_SSO_SECRET_KEYS = [Fernet.generate_key().decode(), old]
    call_command("sso_secrets_rotate", stdout=open("/dev/null", "w"))  # noqa: SIM115, PTH123
    settings.KEEL_SSO_SECRET_KEYS = settings.KEEL_SSO_SECRET_KEYS[:1]  # the old key is gone
    client = Client(HTTP_HOST=tenant_a.primary_domain_name)
    client.get(_authorize(client, "pat@alpha.example"))
    assert _signed_in(client)


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("wrong_issuer", "claims: invalid_claim: Invalid claim: 'iss'"),
        ("wrong_audience", "claims: invalid_claim: Invalid claim: 'aud'"),
        ("wrong_nonce", "claims: invalid_claim: Invalid claim: 'nonce'"),
        ("bad_signature", "signature: BadSignatureError"),
        ("expired", "claims: expired_token: The token is expired"),
    ],
)
def test_a_wrong_id_token_is_refused(tenant_a, sso_a, alpha_person, oidc_provider, mode, reason):
    client = Client(HTTP_HOST=tenant_a.primary_domain_name)
    callback = _authorize(client, "pat@alpha.example")
    oidc_provider.set_mode(mode)
    try:
        response = client.get(callback)
    finally:
        oidc_provider.set_mode("")
    assert response.status_code == 400
    assert "could not be verified" in response.text
    assert not _signed_in(client)
    assert AuditEvent.objects.get(action="signin.failed", data__method="sso").data["reason"] == reason


def test_a_replayed_callback_is_refused(tenant_a, sso_a, alpha_person):
    client = Client(HTTP_HOST=tenant_a.primary_domain_name)
    callback = _authorize(client, "pat@alpha.example")
    assert client.get(callback).status_code == 302
    client.post("/logout/")
    again = client.get(callback)  # the state was used up with the first answer
    assert again.status_code == 400
    assert not _signed_in(client)


def test_a_replayed_code_is_refused_by_the_provider(tenant_a, sso_a, alpha_person):
    first = Client(HTTP_HOST=tenant_a.primary_domain_name)
    callback = _authorize(first, "pat@alpha.example")
    code = parse_qs(urlsplit(callback).query)["code"][0]
    assert first.get(callback).status_code == 302
    # The same code again, inside a fresh flow of another browser: only the provider can refuse it.
    second = Client(HTTP_HOST=tenant_a.primary_domain_name)
    state = parse_qs(urlsplit(second.post("/login/sso/")["Location"]).query)["state"][0]
    refused = second.get("/login/sso/callback/", {"state": state, "code": code})
    assert refused.status_code == 400
    assert "refused this sign-in" in refused.text
    assert not _signed_in(second)
    assert AuditEvent.objects.filter(action="signin.failed", data__reason__startswith="token:").exists()


def test_a_callback_with_a_state_from_another_browser_is_refused(tenant_a, sso_a, alpha_person):
    victim = Client(HTTP_HOST=tenant_a.primary_domain_name)
    attacker = Client(HTTP_HOST=tenant_a.primary_domain_name)
    callback = _authorize(attacker, "pat@alpha.example")
    assert victim.get(callback).status_code == 400
    assert not _signed_in(victim)


def test_an_address_outside_the_allowed_domains_is_refused(tenant_a, sso_a):
    MembershipFactory(tenant=tenant_a, user=UserFactory(email="pat@elsewhere.example"))
    client = Client(HTTP_HOST=tenant_a.primary_domain_name)
    response = client.get(_authorize(client, "pat@elsewhere.example"))
    assert response.status_code == 400
    assert "elsewhere.example may not sign in here" in response.text


def test_unknown_people_are_refused_without_provisioning(tenant_a, sso_a):
    client = Client(HTTP_HOST=tenant_a.primary_domain_name)
    response = client.get(_authorize(client, "new.person@alpha.example"))
    assert response.status_code == 400
    assert "has no account" in response.text
    assert not User.objects.filter(email="new.person@alpha.example").exists()


def test_just_in_time_provisioning_creates_a_member_with_the_default_role(tenant_a, sso_a):
    sso_a(jit_provisioning=True, default_role=MembershipRole.CUSTOMER_ADMIN, client_secret="")
    client = Client(HTTP_HOST=tenant_a.primary_domain_name)
    assert client.get(_authorize(client, "new.person@alpha.example")).status_code == 302
    user = User.objects.get(email="new.person@alpha.example")
    assert not user.has_usable_password()
    assert Membership.objects.get(user=user, tenant=tenant_a).role == MembershipRole.CUSTOMER_ADMIN
    assert AuditEvent.objects.filter(action="sso.user_provisioned", tenant=tenant_a).exists()


def test_vendor_staff_cannot_sign_in_through_a_customer_provider(tenant_a, sso_a, csm_a):
    csm_a.email = "csm@alpha.example"
    csm_a.save(update_fields=["email"])
    client = Client(HTTP_HOST=tenant_a.primary_domain_name)
    assert client.get(_authorize(client, "csm@alpha.example")).status_code == 400


def test_starting_a_sign_in_needs_post_and_a_csrf_token(tenant_a, sso_a):
    client = Client(HTTP_HOST=tenant_a.primary_domain_name, enforce_csrf_checks=True)
    assert client.post("/login/sso/").status_code == 403
    assert client.get("/login/sso/").status_code == 405


def test_sso_required_refuses_passwords_and_codes(tenant_a, sso_a, alpha_person, customer_admin_a, mailoutbox):
    sso_a(sso_required=True, client_secret="")
    login = Client(HTTP_HOST=tenant_a.primary_domain_name)
    refused = login.post("/login/", {"username": alpha_person.email, "password": PASSWORD})
    assert refused.status_code == 200
    assert "requires single sign-on" in refused.text
    page = login.get("/login/").text
    assert "Sign in with your company account" in page
    assert "E-mail me a sign-in link" not in page
    admin = Client(HTTP_HOST=tenant_a.primary_domain_name)
    assert (
        "requires single sign-on"
        in admin.post("/login/", {"username": customer_admin_a.email, "password": PASSWORD}).text
    )


def test_break_glass_lets_customer_admins_use_a_password_for_a_while(tenant_a, sso_a, customer_admin_a, alpha_person):
    sso_a(sso_required=True, client_secret="")
    call_command("sso_break_glass", tenant_a.slug, "--minutes", "30", stdout=open("/dev/null", "w"))  # noqa: SIM115, PTH123
    admin = Client(HTTP_HOST=tenant_a.primary_domain_name)
    assert admin.post("/login/", {"username": customer_admin_a.email, "password": PASSWORD}).status_code == 302
    member = Client(HTTP_HOST=tenant_a.primary_domain_name)
    assert member.post("/login/", {"username": alpha_person.email, "password": PASSWORD}).status_code == 200
    assert AuditEvent.objects.filter(action="sso.break_glass_opened", tenant=tenant_a).exists()


def test_staff_still_use_password_and_second_factor_when_sso_is_required(tenant_a, sso_a, csm_a):
    sso_a(sso_required=True, client_secret="")
    client = Client(HTTP_HOST=tenant_a.primary_domain_name)
    assert client.post("/login/", {"username": csm_a.email, "password": PASSWORD}).status_code == 302


def test_the_tenant_admin_configures_sso_in_the_settings_page(tenant_a, customer_admin_a, oidc_provider):
    client = client_for(customer_admin_a, tenant_a)
    assert client.get("/account/sso/").status_code == 200
    form = {
        "enabled": "on",
        "issuer": oidc_provider.issuer,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "allowed_domains": "Alpha.example, @alpha.co.uk",
        "default_role": MembershipRole.CUSTOMER_MEMBER,
    }
    assert client.post("/account/sso/", form).status_code == 302
    config = SsoConfig.objects.get(tenant=tenant_a)
    assert config.domains == ["alpha.example", "alpha.co.uk"]
    event = AuditEvent.objects.get(action="sso.updated", tenant=tenant_a)
    assert CLIENT_SECRET not in str(event.data)


def test_an_issuer_that_is_not_a_provider_is_a_clear_400(tenant_a, customer_admin_a):
    client = client_for(customer_admin_a, tenant_a)
    form = {"enabled": "on", "issuer": "http://127.0.0.1:1", "client_id": "x", "client_secret": "y"}
    response = client.post("/account/sso/", form | {"default_role": MembershipRole.CUSTOMER_MEMBER})
    assert response.status_code == 400
    assert "Could not read" in response.text


def test_private_issuers_are_refused_unless_allowed(tenant_a, customer_admin_a, settings):
    settings.KEEL_SSO_ALLOW_PRIVATE = False
    settings.KEEL_SSO_ALLOW_HTTP = False
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="https"):
        sso_config_update(
            tenant=tenant_a, actor=customer_admin_a, issuer="http://127.0.0.1:9", client_id="x", client_secret="y"
        )
    with pytest.raises(ValidationError, match="non-public"):
        sso_config_update(
            tenant=tenant_a, actor=customer_admin_a, issuer="https://127.0.0.1:9", client_id="x", client_secret="y"
        )


def test_members_cannot_configure_sso(tenant_a, member_a):
    assert client_for(member_a, tenant_a).post("/account/sso/", {}).status_code == 403


def test_only_keel_admins_break_glass(tenant_a, sso_a, csm_a):
    from portal.accounts.access import AccessDenied
    from portal.accounts.sso import sso_break_glass_open

    sso_a(sso_required=True, client_secret="")
    with pytest.raises(AccessDenied):
        sso_break_glass_open(tenant=tenant_a, actor=csm_a, minutes=10)
    assert sso_break_glass_open(tenant=tenant_a, actor=SYSTEM, minutes=10).break_glass_open
