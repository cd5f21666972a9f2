"""Writes about people: invitations and memberships."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from portal.audit.services import audit_record
from portal.notifications.email import branded_message
from portal.tenancy.clock import tenant_zone, validate_time_zone
from portal.tenancy.models import Tenant

from .access import Access, AccessDenied, Actor, actor_user, require_role
from .models import Invitation, Membership, MembershipRole, User


def _send_invitation_email(*, invitation: Invitation, raw_token: str) -> None:
    link = invitation.tenant.absolute_url(f"/invite/{raw_token}/")
    context = {"invitation": invitation, "link": link}
    # Nobody has chosen a language yet: the tenant's default, and times in the tenant's zone.
    with translation.override(invitation.tenant.language), timezone.override(tenant_zone(invitation.tenant)):
        subject = gettext("You are invited to %(name)s on Keel") % {"name": invitation.tenant.name}
        branded_message(
            subject=subject,
            text=render_to_string("accounts/email/invitation.txt", context),
            html_template="email/invitation.html",
            context=context,
            to=[invitation.email],
            tenant=invitation.tenant,
        ).send()


@transaction.atomic
def invitation_create(*, tenant: Tenant, email: str, role: str, actor: Actor) -> tuple[Invitation, str]:
    """Invite ``email`` to ``tenant``; return the invitation and its one-time raw token.

    A customer admin may invite; only vendor staff (CSM, admin) may be the actor when
    there is no customer admin yet (provisioning). Re-inviting an address replaces the
    still-open invitation, so the newest link is the only one that works.
    """
    if actor is not None:
        require_role(actor, Access.CUSTOMER_ADMIN, tenant)
    email = User.objects.normalize_email(email).strip().lower()
    if role not in MembershipRole.values:
        raise ValidationError({"role": gettext("Unknown role %(role)s.") % {"role": repr(role)}})
    if Membership.objects.filter(tenant=tenant, user__email=email).exists():
        raise ValidationError(
            {"email": gettext("%(email)s is already a member of %(name)s.") % {"email": email, "name": tenant.name}}
        )
    now = timezone.now()
    Invitation.objects.filter(tenant=tenant, email=email, accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=now
    )
    raw, token_hash = Invitation.new_token()
    invitation = Invitation.objects.create(
        tenant=tenant,
        email=email,
        role=role,
        token_hash=token_hash,
        invited_by=actor_user(actor),
        expires_at=now + timedelta(days=settings.KEEL_INVITATION_DAYS),
    )
    audit_record(actor=actor, action="invitation.created", tenant=tenant, target=invitation, email=email, role=role)
    transaction.on_commit(lambda: _send_invitation_email(invitation=invitation, raw_token=raw))
    return invitation, raw


def invitation_get_open(*, tenant: Tenant, raw_token: str) -> Invitation | None:
    """Return the open invitation for this token on this tenant, or None."""
    invitation = Invitation.objects.by_token(raw_token).filter(tenant=tenant).select_related("tenant").first()
    if invitation is None or not invitation.is_open:
        return None
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, password: str, full_name: str = "") -> User:
    """Join the invitation's tenant; create the user or check their existing password.

    Raises ValidationError with what is wrong (weak password, wrong password, used link).
    """
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        raise ValidationError(gettext("This invitation has expired or was already used."))
    user = User.objects.filter(email=invitation.email).first()
    if user is None:
        user = User(email=invitation.email, full_name=full_name.strip())
        validate_password(password, user)
        user.set_password(password)
        user.save()
    elif user.has_usable_password():
        if not user.check_password(password):
            raise ValidationError({"password": gettext("This is not the password of your existing Keel account.")})
    else:
        validate_password(password, user)
        user.set_password(password)
        user.full_name = user.full_name or full_name.strip()
        user.save(update_fields=["password", "full_name"])
    Membership.objects.get_or_create(user=user, tenant=invitation.tenant, defaults={"role": invitation.role})
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    audit_record(actor=user, action="invitation.accepted", tenant=invitation.tenant, target=invitation)
    return user


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: Actor) -> Invitation:
    require_role(actor, Access.CUSTOMER_ADMIN, invitation.tenant)
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="invitation.revoked", tenant=invitation.tenant, target=invitation)
    return invitation


def invitation_expire_all() -> int:
    """Close invitations whose link has expired; return how many."""
    return Invitation.objects.filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__lte=timezone.now()
    ).update(revoked_at=timezone.now())


@transaction.atomic
def membership_remove(*, membership: Membership, actor: Actor) -> None:
    """Remove a teammate. A tenant always keeps at least one customer admin."""
    require_role(actor, Access.CUSTOMER_ADMIN, membership.tenant)
    if membership.role == MembershipRole.CUSTOMER_ADMIN:
        admins = Membership.objects.select_for_update().filter(
            tenant=membership.tenant, role=MembershipRole.CUSTOMER_ADMIN
        )
        if admins.count() <= 1:
            raise ValidationError(gettext("A tenant must keep at least one customer admin."))
    audit_record(
        actor=actor,
        action="membership.removed",
        tenant=membership.tenant,
        target=membership,
        email=membership.user.email,
    )
    membership.delete()


@transaction.atomic
def user_preferences_update(*, user: User, language: str, time_zone: str, actor: Actor) -> User:
    """Set the language and time zone ``user`` sees Keel in (empty: follow their tenant).

    Only the person themselves may: nobody changes another person's language under them.
    """
    if actor_user(actor) != user:
        raise AccessDenied(_("You can only change your own language and time zone."))
    errors: dict[str, list[ValidationError]] = {}
    if language and language not in {code for code, _name in settings.LANGUAGES}:
        errors["language"] = [ValidationError(_("Keel does not speak %(language)s."), params={"language": language})]
    if time_zone:
        try:
            validate_time_zone(time_zone)
        except ValidationError as exc:
            errors["time_zone"] = [exc]
    if errors:
        raise ValidationError(errors)
    user.language, user.time_zone = language, time_zone
    user.save(update_fields=["language", "time_zone"])
    audit_record(actor=actor, action="user.preferences_updated", target=user, language=language, time_zone=time_zone)
    return user
