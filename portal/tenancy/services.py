"""Writes about tenants: provision, suspend, resume, export, delete."""

import re
import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from portal.accounts.access import Access, Actor, require_role, require_staff
from portal.accounts.models import Invitation, MembershipRole, User
from portal.accounts.services import invitation_create
from portal.accounts.signin import tenant_sessions_end
from portal.actions import actions_run
from portal.audit.services import audit_record
from portal.tenancy.db import connection

from .branding import accent_problem, logo_png
from .clock import default_time_zone_for, validate_time_zone
from .models import Domain, Tenant, TenantExport, TenantStatus, Tier

SLUG_RE = re.compile(r"^[a-z][a-z0-9-]{1,38}[a-z0-9]$")
# Host names that must never become a tenant.
RESERVED_SLUGS = {"www", "public", "admin", "api", "static", "media", "console", "mail", "keel", "template"}


def tier_for_arr(arr: Decimal) -> str:
    """Return the tier an ARR earns under the configured thresholds."""
    thresholds = settings.KEEL_TIER_THRESHOLDS
    if arr >= thresholds["strategic"]:
        return Tier.STRATEGIC
    if arr >= thresholds["key"]:
        return Tier.KEY
    return Tier.STANDARD


def schema_name_for(slug: str) -> str:
    return "t_" + slug.replace("-", "_")


def _validate_slug(slug: str) -> None:
    if not SLUG_RE.match(slug):
        raise ValidationError(
            {"slug": gettext("Use 3–40 lowercase letters, digits or hyphens, starting with a letter.")}
        )
    if slug in RESERVED_SLUGS:
        raise ValidationError({"slug": gettext("'%(slug)s' is reserved.") % {"slug": slug}})
    if Tenant.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": gettext("A tenant with the slug '%(slug)s' already exists.") % {"slug": slug}})


def _validate_language_and_zone(*, language: str, time_zone: str) -> None:
    errors: dict[str, list[ValidationError]] = {}
    if language not in {code for code, _name in settings.LANGUAGES}:
        errors["language"] = [ValidationError(_("Keel does not speak %(language)s."), params={"language": language})]
    try:
        validate_time_zone(time_zone)
    except ValidationError as exc:
        errors["time_zone"] = [exc]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def tenant_locale_update(*, tenant: Tenant, language: str, time_zone: str, actor: Actor) -> Tenant:
    """Set the tenant's default language and its time zone (its customer admin, CSM or an admin).

    The zone moves the tenant's business days (due dates, "today", usage days) from now on;
    usage days already rolled up keep the boundaries they were computed with (docs/kpis.md).
    """
    require_role(actor, Access.CUSTOMER_ADMIN, tenant)
    _validate_language_and_zone(language=language, time_zone=time_zone)
    before = {"language": tenant.language, "time_zone": tenant.time_zone}
    tenant.language, tenant.time_zone = language, time_zone
    tenant.save(update_fields=["language", "time_zone"])
    audit_record(
        actor=actor,
        action="tenant.locale_updated",
        tenant=tenant,
        target=tenant,
        before=before,
        after={"language": language, "time_zone": time_zone},
    )
    return tenant


@dataclass(frozen=True)
class ProvisionResult:
    tenant: Tenant
    invitation: Invitation | None
    invitation_token: str | None
    seconds: float


def tenant_provision(
    *,
    name: str,
    slug: str,
    actor: Actor,
    arr: Decimal = Decimal(0),
    tier: str | None = None,
    contract_start: date | None = None,
    renewal_date: date | None = None,
    csm: User | None = None,
    admin_email: str | None = None,
    language: str = "",
    time_zone: str = "",
) -> ProvisionResult:
    """Create a tenant: row, schema (migrated), domain and the first customer-admin invitation.

    All of it commits together or not at all: PostgreSQL DDL is transactional, so a
    failed migration leaves no half-made schema behind.
    """
    require_staff(actor, admin_only=True)
    started = time.perf_counter()
    slug = slug.strip().lower()
    _validate_slug(slug)
    if not name.strip():
        raise ValidationError({"name": gettext("A name is required.")})
    if tier is not None and tier not in Tier.values:
        raise ValidationError({"tier": gettext("Unknown tier %(tier)s.") % {"tier": repr(tier)}})
    if renewal_date and contract_start and renewal_date <= contract_start:
        raise ValidationError({"renewal_date": gettext("The renewal date must come after the contract start.")})
    if csm is not None and not csm.is_csm:
        raise ValidationError({"csm": gettext("%(email)s is not a CSM.") % {"email": csm.email}})
    arr = Decimal(arr)
    if arr < 0:
        raise ValidationError({"arr": gettext("ARR cannot be negative.")})
    language = language or settings.KEEL_TENANT_DEFAULT_LANGUAGE
    time_zone = time_zone or default_time_zone_for(language)
    _validate_language_and_zone(language=language, time_zone=time_zone)

    with transaction.atomic():
        tenant = Tenant(
            schema_name=schema_name_for(slug),
            name=name.strip(),
            slug=slug,
            arr=arr,
            tier=tier or tier_for_arr(arr),
            tier_overridden=tier is not None and tier != tier_for_arr(arr),
            contract_start=contract_start,
            renewal_date=renewal_date,
            csm=csm,
            language=language,
            time_zone=time_zone,
        )
        tenant.save(verbosity=0)  # creates and migrates the schema (django-tenants)
        Domain.objects.create(domain=tenant.primary_domain_name, tenant=tenant, is_primary=True)
        invitation, token = None, None
        if admin_email:
            invitation, token = invitation_create(
                tenant=tenant, email=admin_email, role=MembershipRole.CUSTOMER_ADMIN, actor=actor
            )
        actions_run("KEEL_ON_TENANT_PROVISIONED", tenant=tenant, actor=actor)
        tenant.ready = True
        tenant.save(update_fields=["ready"])
        seconds = time.perf_counter() - started
        audit_record(actor=actor, action="tenant.provisioned", tenant=tenant, target=tenant, seconds=round(seconds, 3))
    if not connection.in_atomic_block:
        # The session that made the schema keeps catalog cache entries for all its relations;
        # one that made hundreds got slower at each (0.1 s a tenant at first, 0.5 s after
        # 900, bench/tenants.py; flat at 0.1 s with this). Django reconnects on the next query.
        connection.close()
    return ProvisionResult(tenant=tenant, invitation=invitation, invitation_token=token, seconds=seconds)


@transaction.atomic
def tenant_suspend(*, tenant: Tenant, actor: Actor, reason: str) -> Tenant:
    """Make a tenant read-only and close it to customer logins."""
    require_staff(actor, admin_only=True)
    if not reason.strip():
        raise ValidationError({"reason": gettext("Say why the tenant is suspended.")})
    tenant.status = TenantStatus.SUSPENDED
    tenant.suspended_at = timezone.now()
    tenant.suspension_reason = reason.strip()
    tenant.save(update_fields=["status", "suspended_at", "suspension_reason"])
    audit_record(actor=actor, action="tenant.suspended", tenant=tenant, target=tenant, reason=reason.strip())
    # Customers are out at once, not at their next click.
    tenant_sessions_end(tenant=tenant, actor=actor, reason="tenant suspended")
    return tenant


@transaction.atomic
def tenant_brand_set(*, tenant: Tenant, actor: Actor, accent: str) -> Tenant:
    """Set the tenant's accent colour ("" for Keel's); refused unless it meets WCAG AA contrast."""
    require_role(actor, Access.CUSTOMER_ADMIN, tenant)
    accent = accent.strip().lower()
    if accent and (problem := accent_problem(accent)):
        raise ValidationError({"accent": problem})
    tenant.brand_accent = accent
    tenant.save(update_fields=["brand_accent"])
    audit_record(actor=actor, action="tenant.branded", tenant=tenant, target=tenant, accent=accent)
    return tenant


@transaction.atomic
# ``upload`` is a form's UploadedFile; Any because django-stubs types its name and size as optional.
def tenant_logo_set(*, tenant: Tenant, actor: Actor, upload: Any) -> Tenant:
    """Set (or with None remove) the tenant's logo, re-encoded as a PNG (branding.logo_png)."""
    require_role(actor, Access.CUSTOMER_ADMIN, tenant)
    if tenant.brand_logo:
        tenant.brand_logo.delete(save=False)
    if upload is not None:
        try:
            png = logo_png(upload.read())
        except ValueError as exc:
            raise ValidationError({"logo": str(exc)}) from exc
        tenant.brand_logo.save("logo.png", ContentFile(png), save=False)
    tenant.save(update_fields=["brand_logo"])
    audit_record(actor=actor, action="tenant.logo_set", tenant=tenant, target=tenant, removed=upload is None)
    return tenant


@transaction.atomic
def tenant_resume(*, tenant: Tenant, actor: Actor) -> Tenant:
    require_staff(actor, admin_only=True)
    tenant.status = TenantStatus.ACTIVE
    tenant.suspended_at = None
    tenant.suspension_reason = ""
    tenant.save(update_fields=["status", "suspended_at", "suspension_reason"])
    audit_record(actor=actor, action="tenant.resumed", tenant=tenant, target=tenant)
    return tenant


def tenant_recent_export(tenant: Tenant) -> TenantExport | None:
    """Return an export recent enough (and still on disk) to allow deletion."""
    cutoff = timezone.now() - settings.KEEL_DELETE_EXPORT_MAX_AGE
    for export in tenant.exports.filter(created_at__gte=cutoff):
        if (settings.KEEL_EXPORT_ROOT / export.path).is_file():
            return export
    return None


def tenant_delete(*, tenant: Tenant, actor: Actor, confirm: str) -> None:
    """Drop a tenant's schema and rows, only after a recent export and a typed confirmation."""
    require_staff(actor, admin_only=True)
    if tenant.is_public:
        raise ValidationError(gettext("The public tenant cannot be deleted."))
    if confirm.strip() != tenant.slug:
        raise ValidationError(
            {"confirm": gettext("Type the tenant's slug (%(slug)s) to confirm.") % {"slug": tenant.slug}}
        )
    export = tenant_recent_export(tenant)
    if export is None:
        hours = int(settings.KEEL_DELETE_EXPORT_MAX_AGE.total_seconds() // 3600)
        raise ValidationError(
            gettext("Export the tenant first: no export from the last %(hours)s h exists.") % {"hours": hours}
        )
    connection.set_schema_to_public()
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="tenant.deleted",
            tenant=None,
            target=tenant,
            slug=tenant.slug,
            schema=tenant.schema_name,
            export=export.path,
        )
        with connection.cursor() as cursor:
            # PostgreSQL refuses to drop tables with deferred FK checks still pending in this
            # transaction (rows written earlier in it); run those checks now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        tenant.delete()  # drops the schema (auto_drop_schema)


@transaction.atomic
def public_tenant_ensure() -> Tenant:
    """Return the public (console) tenant and its domain, creating them if missing."""
    from django_tenants.utils import get_public_schema_name

    tenant, _ = Tenant.objects.get_or_create(
        schema_name=get_public_schema_name(),
        defaults={"name": "Keel console", "slug": "public", "ready": True},
    )
    Domain.objects.get_or_create(domain=settings.KEEL_BASE_DOMAIN, defaults={"tenant": tenant, "is_primary": True})
    return tenant
