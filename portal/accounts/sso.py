"""Per-tenant OpenID Connect sign-in: authorization code flow with PKCE, state and nonce.

The protocol work is Authlib's (``OAuth2Session``: authorization URL with the S256 code
challenge, token request with client authentication) and joserfc's (Authlib's JOSE library: ID
token signature against the provider's JWKS, then iss/aud/exp/iat/nonce checks with a bounded
leeway). This module decides what Keel does with the answer: who may sign in, and as whom.
"""

from __future__ import annotations

import ipaddress
import secrets
import socket
import time
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import requests
from authlib.integrations.requests_client import OAuth2Session
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from portal.audit.services import audit_record
from portal.tenancy.models import Tenant

from .access import SYSTEM, Access, Actor, require_role, require_staff
from .models import Membership, MembershipRole, SsoConfig, User
from .sso_crypto import secret_decrypt, secret_encrypt

if TYPE_CHECKING:
    from django.http import HttpRequest

SESSION_FLOWS_KEY = "keel_sso_flows"
FLOW_MAX_AGE_SECONDS = 600
DISCOVERY_CACHE_SECONDS = 600
CALLBACK_PATH = "/login/sso/callback/"


class SsoError(Exception):
    """Single sign-on refused; ``str()`` is safe to show, ``reason`` goes to the audit log."""

    def __init__(self, message: str, *, reason: str):
        super().__init__(message)
        self.reason = reason


# --- configuration --------------------------------------------------------------------------------
def sso_config_get(*, tenant: Tenant) -> SsoConfig | None:
    return SsoConfig.objects.filter(tenant=tenant).first()


def _check_issuer_url(issuer: str) -> None:
    parts = urlsplit(issuer)
    schemes = {"https", "http"} if settings.KEEL_SSO_ALLOW_HTTP else {"https"}
    if parts.scheme not in schemes or not parts.hostname or parts.query or parts.fragment:
        raise ValidationError(
            {
                "issuer": gettext("Use the issuer's %(schemes)s URL, without ? or #.")
                % {"schemes": " or ".join(sorted(schemes))}
            }
        )
    if settings.KEEL_SSO_ALLOW_PRIVATE:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise ValidationError(
            {"issuer": gettext("%(hostname)s does not resolve.") % {"hostname": parts.hostname}}
        ) from None
    for info in infos:
        if not ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]).is_global:
            raise ValidationError(
                {"issuer": gettext("%(hostname)s is at a non-public address; refused.") % {"hostname": parts.hostname}}
            )


def sso_discovery(issuer: str) -> dict[str, Any]:
    """Return the provider's metadata (cached), checked to name this issuer and the endpoints Keel uses."""
    key = f"sso-discovery:{issuer}"
    meta = cache.get(key)
    if meta is not None:
        return dict(meta)
    _check_issuer_url(issuer)
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=settings.KEEL_SSO_HTTP_TIMEOUT_SECONDS, allow_redirects=False)
        response.raise_for_status()
        meta = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise ValidationError(
            {"issuer": gettext("Could not read %(url)s: %(name)s.") % {"url": url, "name": exc.__class__.__name__}}
        ) from None
    if not isinstance(meta, dict) or meta.get("issuer") != issuer:
        raise ValidationError({"issuer": gettext("The provider's discovery document names another issuer.")})
    missing = [k for k in ("authorization_endpoint", "token_endpoint", "jwks_uri") if not meta.get(k)]
    if missing:
        raise ValidationError(
            {
                "issuer": gettext("The provider's discovery document lacks %(missing)s.")
                % {"missing": ", ".join(missing)}
            }
        )
    cache.set(key, meta, DISCOVERY_CACHE_SECONDS)
    return meta


@transaction.atomic
def sso_config_update(
    *,
    tenant: Tenant,
    actor: Actor,
    issuer: str,
    client_id: str,
    client_secret: str = "",
    allowed_domains: str = "",
    jit_provisioning: bool = False,
    default_role: str = MembershipRole.CUSTOMER_MEMBER,
    sso_required: bool = False,
    enabled: bool = True,
) -> SsoConfig:
    """Save the tenant's provider after reading its discovery document. A blank secret keeps the old one."""
    require_role(actor, Access.CUSTOMER_ADMIN, tenant)
    issuer = issuer.strip().rstrip("/")
    if default_role not in MembershipRole.values:
        raise ValidationError(
            {"default_role": gettext("Unknown role %(default_role)s.") % {"default_role": repr(default_role)}}
        )
    config = SsoConfig.objects.select_for_update().filter(tenant=tenant).first() or SsoConfig(tenant=tenant)
    if not client_secret and not config.client_secret_encrypted:
        raise ValidationError({"client_secret": gettext("Enter the client secret your identity provider gave you.")})
    if enabled:
        sso_discovery(issuer)
    if sso_required and not enabled:
        raise ValidationError({"sso_required": gettext("Turn single sign-on on before requiring it.")})
    config.issuer, config.client_id, config.enabled = issuer, client_id.strip(), enabled
    if client_secret:
        config.client_secret_encrypted = secret_encrypt(client_secret)
    domains = ",".join(d.strip().lower().lstrip("@") for d in allowed_domains.split(",") if d.strip())
    config.allowed_domains = domains
    config.jit_provisioning, config.default_role, config.sso_required = jit_provisioning, default_role, sso_required
    config.updated_at = timezone.now()
    config.save()
    audit_record(
        actor=actor,
        action="sso.updated",
        tenant=tenant,
        target=config,
        issuer=issuer,
        client_id=config.client_id,
        secret_changed=bool(client_secret),
        allowed_domains=domains,
        jit_provisioning=jit_provisioning,
        default_role=default_role,
        sso_required=sso_required,
        enabled=enabled,
    )
    return config


@transaction.atomic
def sso_break_glass_open(*, tenant: Tenant, actor: Actor, minutes: int) -> SsoConfig:
    """Let the tenant's customer admins sign in with a password for ``minutes`` (Keel admins only)."""
    require_staff(actor, admin_only=True)
    if not 1 <= minutes <= 24 * 60:
        raise ValidationError(gettext("Open break glass for 1 minute to 24 hours."))
    config = SsoConfig.objects.select_for_update().filter(tenant=tenant).first()
    if config is None or not config.sso_required:
        raise ValidationError(
            gettext("%(name)s does not require single sign-on: nothing to break.") % {"name": tenant.name}
        )
    config.break_glass_until = timezone.now() + timedelta(minutes=minutes)
    config.save(update_fields=["break_glass_until"])
    audit_record(actor=actor, action="sso.break_glass_opened", tenant=tenant, target=config, minutes=minutes)
    return config


def sso_form_target(config: SsoConfig) -> str:
    """Return where the sign-in button's POST is redirected to (the provider's authorization endpoint)."""
    try:
        return str(sso_discovery(config.issuer)["authorization_endpoint"])
    except ValidationError:
        return config.issuer  # unreachable now; the start view will say so


def sso_password_refusal(*, tenant: Tenant, access: Access) -> str | None:
    """Return why a password may not be used on ``tenant`` by someone at ``access``, or None."""
    if access >= Access.CSM:
        return None  # vendor staff: password and second factor
    config = sso_config_get(tenant=tenant)
    if config is None or not (config.enabled and config.sso_required):
        return None
    if access == Access.CUSTOMER_ADMIN and config.break_glass_open:
        return None
    return f"{tenant.name} requires single sign-on: use “Sign in with your company account”."


# --- the flow ----------------------------------------------------------------------------------------
def _client(config: SsoConfig, redirect_uri: str) -> OAuth2Session:
    return OAuth2Session(
        client_id=config.client_id,
        client_secret=secret_decrypt(config.client_secret_encrypted),
        scope="openid email profile",
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",  # noqa: S106 (a method name, not a secret)
    )


def sso_begin(*, request: HttpRequest, tenant: Tenant, next_url: str) -> str:
    """Return the provider URL to send the browser to; remember state, nonce and PKCE verifier."""
    config = sso_config_get(tenant=tenant)
    if config is None or not config.enabled:
        raise SsoError("Single sign-on is not set up for this site.", reason="not configured")
    try:
        meta = sso_discovery(config.issuer)
    except ValidationError:
        raise SsoError("Your identity provider cannot be reached. Try again shortly.", reason="discovery") from None
    state, nonce, verifier = secrets.token_urlsafe(24), secrets.token_urlsafe(24), secrets.token_urlsafe(48)
    url, _ = _client(config, tenant.absolute_url(CALLBACK_PATH)).create_authorization_url(
        meta["authorization_endpoint"], state=state, code_verifier=verifier, nonce=nonce
    )
    now = time.time()
    flows = {
        s: f for s, f in request.session.get(SESSION_FLOWS_KEY, {}).items() if now - f["at"] < FLOW_MAX_AGE_SECONDS
    }
    flows[state] = {"nonce": nonce, "verifier": verifier, "next": next_url, "at": now, "schema": tenant.schema_name}
    request.session[SESSION_FLOWS_KEY] = dict(list(flows.items())[-5:])  # a few tabs at once, no more
    return url


def _pop_flow(request: HttpRequest, tenant: Tenant, state: str) -> dict[str, Any]:
    flows = dict(request.session.get(SESSION_FLOWS_KEY, {}))
    flow = flows.pop(state, None) if state else None
    request.session[SESSION_FLOWS_KEY] = flows  # used once, whatever happens next
    if flow is None or time.time() - flow["at"] > FLOW_MAX_AGE_SECONDS or flow["schema"] != tenant.schema_name:
        raise SsoError("This sign-in attempt expired or was already used. Start again.", reason="unknown state")
    return dict(flow)


def _id_token_claims(config: SsoConfig, meta: dict[str, Any], id_token: str, nonce: str) -> dict[str, Any]:
    try:
        jwks = requests.get(meta["jwks_uri"], timeout=settings.KEEL_SSO_HTTP_TIMEOUT_SECONDS, allow_redirects=False)
        jwks.raise_for_status()
        keys = KeySet.import_key_set(jwks.json())
    except (requests.RequestException, ValueError, JoseError) as exc:
        raise SsoError("Your identity provider's keys could not be read.", reason=f"jwks: {exc}") from None
    refused = "Your identity provider's answer could not be verified. Try again, or ask your administrator."
    try:
        token = jwt.decode(id_token, keys, algorithms=["RS256", "ES256", "PS256"])
    except (JoseError, ValueError) as exc:
        raise SsoError(refused, reason=f"signature: {exc.__class__.__name__}") from None
    registry = jwt.JWTClaimsRegistry(
        leeway=settings.KEEL_SSO_CLOCK_SKEW_SECONDS,
        iss={"essential": True, "value": config.issuer},
        aud={"essential": True, "value": config.client_id},
        exp={"essential": True},
        iat={"essential": True},
        sub={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        registry.validate(token.claims)
    except JoseError as exc:
        raise SsoError(refused, reason=f"claims: {exc}") from None
    azp = token.claims.get("azp")
    if isinstance(token.claims.get("aud"), list) and len(token.claims["aud"]) > 1 and azp != config.client_id:
        raise SsoError(refused, reason="claims: azp")
    return dict(token.claims)


def sso_complete(*, request: HttpRequest, tenant: Tenant, state: str, code: str) -> tuple[User, str]:
    """Finish the flow; return the user to sign in and where to go next. Raises SsoError."""
    flow = _pop_flow(request, tenant, state)
    config = sso_config_get(tenant=tenant)
    if config is None or not config.enabled:
        raise SsoError("Single sign-on is not set up for this site.", reason="not configured")
    if not code:
        raise SsoError("Your identity provider did not sign you in.", reason="no code")
    try:
        meta = sso_discovery(config.issuer)
        token = _client(config, tenant.absolute_url(CALLBACK_PATH)).fetch_token(
            meta["token_endpoint"],
            code=code,
            code_verifier=flow["verifier"],
            timeout=settings.KEEL_SSO_HTTP_TIMEOUT_SECONDS,
        )
    except ValidationError:
        raise SsoError("Your identity provider cannot be reached. Try again shortly.", reason="discovery") from None
    except Exception as exc:  # noqa: BLE001 (Authlib raises OAuthError, requests its own; both mean "refused")
        raise SsoError(
            "Your identity provider refused this sign-in. Start again.", reason=f"token: {exc.__class__.__name__}"
        ) from None
    id_token = token.get("id_token")
    if not id_token:
        raise SsoError("Your identity provider sent no identity.", reason="no id_token")
    claims = _id_token_claims(config, meta, id_token, flow["nonce"])
    return _user_for(config, claims), flow["next"]


@transaction.atomic
def _user_for(config: SsoConfig, claims: dict[str, Any]) -> User:
    email = str(claims.get("email") or "").strip().lower()
    if not email or claims.get("email_verified") is False:
        raise SsoError("Your identity provider did not vouch for an e-mail address.", reason="no verified email")
    if not config.allows_email(email):
        raise SsoError(f"Addresses at {email.rsplit('@', 1)[-1]} may not sign in here.", reason="domain not allowed")
    tenant = config.tenant
    user = User.objects.filter(email=email).first()
    if user is not None and user.is_vendor_staff:
        raise SsoError("Vendor staff sign in on the console.", reason="staff via customer IdP")
    if user is not None and not user.is_active:
        raise SsoError("This account is deactivated.", reason="inactive")
    if user is not None and Membership.objects.filter(user=user, tenant=tenant).exists():
        return user
    if not config.jit_provisioning:
        raise SsoError(
            f"{email} has no account on {tenant.name}. Ask your administrator for an invitation.", reason="no account"
        )
    if user is None:
        user = User.objects.create_user(email=email, full_name=str(claims.get("name") or "")[:150])
    Membership.objects.create(user=user, tenant=tenant, role=config.default_role)
    audit_record(actor=SYSTEM, action="sso.user_provisioned", tenant=tenant, target=user, email=email)
    return user
