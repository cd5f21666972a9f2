"""Staff second factor: TOTP (django-otp) with single-use recovery codes. Every change is audited."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext
from django_otp import devices_for_user, match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.audit.services import audit_record

from .access import Actor, require_staff
from .models import StaffRole, User, UserSession
from .signin import SESSION_MFA_KEY, _end

if TYPE_CHECKING:
    from django.http import HttpRequest

RECOVERY_CODE_COUNT = 10
DEVICE_NAME = "Authenticator app"


def mfa_required_for(user: User) -> bool:
    """Return whether ``user`` must confirm a TOTP code after their password (KEEL_MFA_REQUIRED_ROLES)."""
    roles = set(settings.KEEL_MFA_REQUIRED_ROLES)
    if user.is_keel_admin:
        return StaffRole.ADMIN in roles
    return user.is_csm and StaffRole.CSM in roles


def mfa_session_verified(request: HttpRequest) -> bool:
    return bool(request.session.get(SESSION_MFA_KEY))


def mfa_enrolled(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def mfa_recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def mfa_setup_start(*, user: User) -> TOTPDevice:
    """Return the user's unconfirmed authenticator (a fresh secret the first time)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def mfa_setup_confirm(*, request: HttpRequest, user: User, token: str) -> list[str]:
    """Confirm the new authenticator with a code from it; return fresh recovery codes (shown once)."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token(token.strip()):
        raise ValidationError({"token": gettext("That code does not match. Enter the 6 digits your app shows now.")})
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _recovery_codes_replace(user)
    request.session[SESSION_MFA_KEY] = device.persistent_id
    audit_record(actor=user, action="mfa.enrolled", target=device)
    return codes


def _recovery_codes_replace(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    return codes


@transaction.atomic
def mfa_recovery_codes_regenerate(*, user: User) -> list[str]:
    if not mfa_enrolled(user):
        raise ValidationError(gettext("Set up an authenticator app first."))
    codes = _recovery_codes_replace(user)
    audit_record(actor=user, action="mfa.recovery_codes_regenerated", target=user)
    return codes


def mfa_verify(*, request: HttpRequest, user: User, token: str) -> bool:
    """Check a TOTP or recovery code; mark the session verified. Audited either way.

    django-otp throttles each device after failures (growing delays), so codes cannot be guessed.
    """
    token = token.strip().replace(" ", "")
    device = match_token(user, token) if token else None
    with transaction.atomic():
        if device is None:
            audit_record(actor=user, action="mfa.failed", target=user)
            return False
        request.session[SESSION_MFA_KEY] = device.persistent_id
        recovery = isinstance(device, StaticDevice)
        audit_record(actor=user, action="mfa.verified", target=user, recovery_code=recovery)
    return True


@transaction.atomic
def mfa_reset(*, user: User, actor: Actor) -> None:
    """Remove ``user``'s authenticator and recovery codes and sign them out everywhere (admins only).

    They set up a new authenticator at their next sign-in.
    """
    require_staff(actor, admin_only=True)
    for device in list(devices_for_user(user, confirmed=None)):
        device.delete()
    ended = _end(UserSession.objects.filter(user=user))
    audit_record(actor=actor, action="mfa.reset", target=user, email=user.email, sessions_ended=ended)
