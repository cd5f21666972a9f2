"""Writes about signing in: sessions, e-mailed sign-in codes, the console-to-host handoff.

Every sign-in, failure and handoff is audited here, in the transaction that makes it.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import login
from django.contrib.sessions.models import Session
from django.core import signing
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext

from portal.audit.services import audit_record
from portal.notifications.email import branded_message
from portal.settings.env import rate_window_seconds
from portal.tenancy.models import Tenant

from .access import SYSTEM, Access, Actor, require_role, require_staff_on
from .client_ip import client_ip
from .models import (
    Membership,
    SignInCode,
    SignInHandoff,
    SignInMethods,
    SignInPolicy,
    SsoConfig,
    User,
    UserSession,
    hash_secret,
)

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.http import HttpRequest

# Session keys: the UserSession a browser belongs to, when it was last marked seen, and the MFA
# device (django-otp persistent id) the browser confirmed a code with.
SESSION_ROW_KEY = "keel_session_row"
SESSION_SEEN_KEY = "keel_seen"
SESSION_MFA_KEY = "keel_mfa_device"
PASSWORD_BACKEND = "django.contrib.auth.backends.ModelBackend"
HANDOFF_SALT = "keel.accounts.handoff"


# --- sessions -------------------------------------------------------------------------------------
def _host(request: HttpRequest) -> str:
    return request.get_host().split(":")[0]


def _schema(request: HttpRequest) -> str:
    tenant = getattr(request, "tenant", None)
    return tenant.schema_name if tenant is not None else "public"


def _audit_tenant(request: HttpRequest) -> Tenant | None:
    tenant = getattr(request, "tenant", None)
    return None if tenant is None or tenant.is_public else tenant


@transaction.atomic
def user_sign_in(
    request: HttpRequest,
    user: User,
    *,
    method: str,
    handed_off_from: UserSession | None = None,
    mfa_device: str = "",
) -> UserSession:
    """Sign ``user`` in on this host with a fresh session, record it and audit it."""
    login(request, user, backend=PASSWORD_BACKEND)
    if mfa_device:
        request.session[SESSION_MFA_KEY] = mfa_device
    request.session.save()  # the key is known from here on
    now = timezone.now()
    row = UserSession.objects.create(
        user=user,
        session_key=request.session.session_key or "",
        schema_name=_schema(request),
        host=_host(request),
        method=method,
        user_agent=request.headers.get("User-Agent", "")[:300],
        ip_address=client_ip(request) or None,
        created_at=now,
        last_seen_at=now,
        handed_off_from=handed_off_from,
    )
    request.session[SESSION_ROW_KEY] = row.pk
    request.session[SESSION_SEEN_KEY] = now.timestamp()
    audit_record(actor=user, action="signin.succeeded", tenant=_audit_tenant(request), target=row, method=method)
    return row


def sign_in_failed_record(request: HttpRequest, *, email: str, method: str, reason: str) -> None:
    """Audit a refused sign-in (no person is signed in: the actor is Keel)."""
    audit_record(
        actor=SYSTEM,
        action="signin.failed",
        tenant=_audit_tenant(request),
        email=email[:254],
        method=method,
        reason=reason,
        host=_host(request),
        ip=client_ip(request),
    )


def user_session_list(*, viewer: User) -> QuerySet[UserSession]:
    """Return ``viewer``'s sessions that are still open, most recently used first.

    A session nobody ended may still have expired (SESSION_COOKIE_AGE): only live ones count.
    """
    live = Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
    return UserSession.objects.filter(user=viewer, ended_at__isnull=True, session_key__in=live)


def sign_in_rows_prune(*, now: datetime | None = None) -> int:
    """Delete what no longer matters: used or expired codes and passes after a day, sessions that
    ended or expired more than 90 days ago (the audit log keeps the sign-ins). Return how many."""
    now = now or timezone.now()
    day_ago, quarter_ago = now - timedelta(days=1), now - timedelta(days=90)
    codes, _ = SignInCode.objects.filter(expires_at__lt=day_ago).delete()
    passes, _ = SignInHandoff.objects.filter(expires_at__lt=day_ago).delete()
    live = Session.objects.filter(expire_date__gt=now).values("session_key")
    sessions, _ = (
        UserSession.objects.filter(last_seen_at__lt=quarter_ago)
        .filter(Q(ended_at__isnull=False) | ~Q(session_key__in=live))
        .delete()
    )
    return codes + passes + sessions


def _end(rows: QuerySet[UserSession]) -> int:
    """End the sessions in ``rows`` and those they handed off; return how many were open."""
    ids = set(rows.filter(ended_at__isnull=True).values_list("pk", flat=True))
    frontier = set(ids)
    while frontier:  # a handed-off session cannot hand off again, but do not rely on it
        frontier = (
            set(
                UserSession.objects.filter(handed_off_from__in=frontier, ended_at__isnull=True).values_list(
                    "pk", flat=True
                )
            )
            - ids
        )
        ids |= frontier
    keys = list(UserSession.objects.filter(pk__in=ids).values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    return UserSession.objects.filter(pk__in=ids).update(ended_at=timezone.now())


@transaction.atomic
def user_session_end(*, session: UserSession, actor: User) -> int:
    """End one of ``actor``'s own sessions (and whatever it handed off)."""
    if session.user_id != actor.pk:
        raise ValidationError(gettext("That is not one of your sessions."))
    ended = _end(UserSession.objects.filter(pk=session.pk))
    audit_record(actor=actor, action="session.ended", target=session, host=session.host, ended=ended)
    return ended


def session_signed_out(request: HttpRequest) -> None:
    """Close the row of the session being signed out of, and the sessions it handed off."""
    row_id = request.session.get(SESSION_ROW_KEY)
    if row_id is None or not request.user.is_authenticated:
        return
    with transaction.atomic():
        ended = _end(UserSession.objects.filter(pk=row_id, user=request.user))
        audit_record(actor=request.user, action="signout", tenant=_audit_tenant(request), ended=ended)


@transaction.atomic
def tenant_sessions_end(*, tenant: Tenant, actor: Actor, keep_session_key: str = "", reason: str = "") -> int:
    """Sign every one of ``tenant``'s own people out of its host; return how many sessions ended."""
    require_role(actor, Access.CUSTOMER_ADMIN, tenant)
    members = Membership.objects.filter(tenant=tenant).values("user_id")
    rows = UserSession.objects.filter(schema_name=tenant.schema_name, user__in=members).exclude(
        session_key=keep_session_key
    )
    ended = _end(rows)
    audit_record(actor=actor, action="tenant.sessions_ended", tenant=tenant, target=tenant, ended=ended, reason=reason)
    return ended


# --- the tenant's sign-in policy ------------------------------------------------------------------
def sign_in_policy_get(*, tenant: Tenant) -> SignInPolicy:
    """Return the tenant's policy (unsaved default when it never chose)."""
    return SignInPolicy.objects.filter(tenant=tenant).first() or SignInPolicy(tenant=tenant)


@transaction.atomic
def sign_in_policy_update(*, tenant: Tenant, methods: str, actor: Actor) -> SignInPolicy:
    require_role(actor, Access.CUSTOMER_ADMIN, tenant)
    if methods not in SignInMethods.values:
        raise ValidationError({"methods": gettext("Unknown sign-in method %(methods)s.") % {"methods": repr(methods)}})
    policy, _ = SignInPolicy.objects.select_for_update().get_or_create(tenant=tenant)
    before = policy.methods
    policy.methods = methods
    policy.updated_at = timezone.now()
    policy.save(update_fields=["methods", "updated_at"])
    audit_record(
        actor=actor, action="signin_policy.updated", tenant=tenant, target=policy, before=before, after=methods
    )
    return policy


# --- e-mailed link or code ------------------------------------------------------------------------
class TooManyRequests(Exception):
    def __init__(self, retry_after: int):
        super().__init__(f"Too many requests; retry after {retry_after} s.")
        self.retry_after = retry_after


def _over_limit(key: str, rate: str) -> int:
    """Count one request against ``rate`` under ``key``; return the window in seconds when over it.

    The "limits" cache has no schema in its keys (django-tenants' key function would add one), so
    the count for an address is the same on every host: asking on another host does not reset it.
    """
    count, _, _ = rate.partition("/")
    window = rate_window_seconds(rate)
    cache = caches["limits"]
    cache.add(key, 0, timeout=window)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        used = 1
    return window if used > int(count) else 0


def sign_in_code_rate_check(request: HttpRequest, email: str) -> None:
    """Count this request against both limits (no short circuit); raise TooManyRequests when over."""
    waits = [
        _over_limit(f"signin-code:email:{hash_secret(email)}", settings.KEEL_SIGNIN_RATE_PER_EMAIL),
        _over_limit(f"signin-code:client:{client_ip(request)}", settings.KEEL_SIGNIN_RATE_PER_CLIENT),
    ]
    if any(waits):
        raise TooManyRequests(max(waits))


def _member(tenant: Tenant, email: str) -> User | None:
    membership = (
        Membership.objects.filter(tenant=tenant, user__email=email, user__is_active=True).select_related("user").first()
    )
    return membership.user if membership is not None else None


def _new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def _code_hash(email: str, code: str) -> str:
    # Keyed with SECRET_KEY: a million codes are quick to hash, so a plain hash of a leaked row
    # would give the code back within its 15 minutes.
    return salted_hmac("keel.accounts.signin-code", f"{email}:{code}", algorithm="sha256").hexdigest()


@transaction.atomic
def sign_in_code_request(*, tenant: Tenant, email: str) -> None:
    """E-mail a sign-in link and code for ``tenant``'s host to ``email``.

    The same work happens whether or not the address belongs here: a row is written either way
    (one without a user can never be redeemed) and one e-mail is sent, saying for an unknown
    address that it has no account here. The caller's answer is therefore identical.
    """
    email = User.objects.normalize_email(email).strip().lower()
    user = _member(tenant, email)
    policy = sign_in_policy_get(tenant=tenant)
    sso = SsoConfig.objects.filter(tenant=tenant, enabled=True, sso_required=True).exists()
    if user is not None and (tenant.is_suspended or sso or not policy.allows_passwordless):
        user = None
    raw_link, code = secrets.token_urlsafe(32), _new_code()
    now = timezone.now()
    row = SignInCode.objects.create(
        tenant=tenant,
        email=email,
        user=user,
        link_hash=hash_secret(raw_link),
        code_hash=_code_hash(email, code),
        created_at=now,
        expires_at=now + timedelta(minutes=settings.KEEL_SIGNIN_CODE_MINUTES),
    )
    audit_record(actor=SYSTEM, action="signin.code_requested", tenant=tenant, target=row, email=email)
    context = {
        "tenant": tenant,
        "has_account": user is not None,
        "link": tenant.absolute_url(f"/login/email/{raw_link}/"),
        "code": code,
        "minutes": settings.KEEL_SIGNIN_CODE_MINUTES,
    }
    # A known person reads it in their language; anyone else in the language of the page they asked on.
    language = user.language_for(tenant) if user is not None else (translation.get_language() or tenant.language)

    def send() -> None:
        with translation.override(language):
            branded_message(
                subject=gettext("Sign in to %(name)s on Keel") % {"name": tenant.name},
                text=render_to_string("accounts/email/sign_in_code.txt", context),
                html_template="email/sign_in_code.html",
                context=context,
                to=[email],
                tenant=tenant,
            ).send()

    transaction.on_commit(send)


def sign_in_link_get(*, tenant: Tenant, raw_link: str) -> SignInCode | None:
    """Return the open sign-in row this link names on this host, or None."""
    row = SignInCode.objects.filter(link_hash=hash_secret(raw_link), tenant=tenant).first()
    return row if row is not None and row.is_open else None


@transaction.atomic
def sign_in_link_redeem(*, tenant: Tenant, raw_link: str) -> User:
    """Use the link once; return its user. Raises ValidationError for a used, expired or foreign link."""
    row = SignInCode.objects.select_for_update().filter(link_hash=hash_secret(raw_link), tenant=tenant).first()
    if row is None or not row.is_open:
        raise ValidationError(gettext("This sign-in link has expired or was already used. Ask for a new one."))
    row.used_at = timezone.now()
    row.save(update_fields=["used_at"])
    assert row.user is not None  # is_open says so
    return row.user


@transaction.atomic
def sign_in_code_redeem(*, tenant: Tenant, email: str, code: str) -> User | None:
    """Use the newest open code for ``email`` on this host; return its user, or None when refused.

    Returns instead of raising so the wrong-guess count is committed: after
    KEEL_SIGNIN_CODE_MAX_ATTEMPTS wrong guesses the code stops working, so 6 digits cannot be
    guessed within its 15 minutes.
    """
    email = email.strip().lower()
    row = (
        SignInCode.objects.select_for_update()
        .filter(tenant=tenant, email=email, used_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if row is None or row.failed_attempts >= settings.KEEL_SIGNIN_CODE_MAX_ATTEMPTS:
        return None
    if row.user is None or not hmac.compare_digest(row.code_hash, _code_hash(email, code.strip())):
        row.failed_attempts += 1
        row.save(update_fields=["failed_attempts"])
        return None
    row.used_at = timezone.now()
    row.save(update_fields=["used_at"])
    return row.user


# --- console -> customer host handoff -------------------------------------------------------------
@transaction.atomic
def handoff_create(*, request: HttpRequest, tenant: Tenant, actor: User) -> str:
    """Return a signed pass that signs ``actor`` in on ``tenant``'s host once, within 60 seconds."""
    require_staff_on(actor, tenant)
    row_id = request.session.get(SESSION_ROW_KEY)
    from_session = UserSession.objects.filter(pk=row_id, user=actor, ended_at__isnull=True).first() if row_id else None
    if from_session is None:
        raise ValidationError(gettext("Sign in on the console again to open customer hosts."))
    nonce = secrets.token_urlsafe(24)
    now = timezone.now()
    handoff = SignInHandoff.objects.create(
        user=actor,
        tenant=tenant,
        nonce_hash=hash_secret(nonce),
        from_session=from_session,
        otp_device_id=request.session.get(SESSION_MFA_KEY, ""),
        created_at=now,
        expires_at=now + timedelta(seconds=settings.KEEL_HANDOFF_SECONDS),
    )
    audit_record(actor=actor, action="handoff.created", tenant=tenant, target=handoff)
    payload: dict[str, Any] = {"u": actor.pk, "h": tenant.primary_domain_name, "n": nonce}
    return signing.dumps(payload, salt=HANDOFF_SALT, compress=False)


@transaction.atomic
def handoff_redeem(*, request: HttpRequest, token: str) -> UserSession:
    """Sign in on this host with a handoff pass; refuse an old, used, altered or foreign one."""
    tenant = _audit_tenant(request)
    refused = ValidationError(gettext("This sign-in pass has expired, was already used or is for another host."))
    try:
        payload = signing.loads(token, salt=HANDOFF_SALT, max_age=settings.KEEL_HANDOFF_SECONDS)
    except signing.BadSignature:
        sign_in_failed_record(request, email="", method="handoff", reason="bad or expired signature")
        raise refused from None
    if tenant is None or not isinstance(payload, dict) or payload.get("h") != tenant.primary_domain_name:
        sign_in_failed_record(request, email="", method="handoff", reason="other host")
        raise refused
    if not isinstance(payload.get("u"), int):
        raise refused
    handoff = (
        SignInHandoff.objects.select_for_update()
        .select_related("user", "from_session")
        .filter(nonce_hash=hash_secret(str(payload.get("n", ""))), tenant=tenant, user_id=payload["u"])
        .first()
    )
    now = timezone.now()
    if handoff is None or handoff.used_at is not None or handoff.expires_at <= now:
        sign_in_failed_record(request, email="", method="handoff", reason="unknown, used or expired")
        raise refused
    if handoff.from_session.ended_at is not None or not handoff.user.is_active:
        sign_in_failed_record(request, email=handoff.user.email, method="handoff", reason="console session ended")
        raise refused
    handoff.used_at = now
    handoff.save(update_fields=["used_at"])
    audit_record(actor=handoff.user, action="handoff.redeemed", tenant=tenant, target=handoff)
    return user_sign_in(
        request,
        handoff.user,
        method="handoff",
        handed_off_from=handoff.from_session,
        mfa_device=handoff.otp_device_id,
    )
