"""Tenants (customer accounts), their domains and their exports. Public schema."""

from typing import Self

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin
from django_tenants.postgresql_backend.base import _check_schema_name
from django_tenants.utils import get_creation_fakes_migrations, get_public_schema_name, schema_exists

from .clock import validate_time_zone


class Tier(models.TextChoices):
    """Customer tiers, most demanding first: the declaration order is the display order."""

    STRATEGIC = "strategic", gettext_lazy("Strategic")
    KEY = "key", gettext_lazy("Key")
    STANDARD = "standard", gettext_lazy("Standard")

    @classmethod
    def rank(cls, value: str) -> int:
        """Return ``value``'s position (strategic first); unknown values sort last."""
        return cls.values.index(value) if value in cls.values else len(cls.values)


class LifecycleStage(models.TextChoices):
    ONBOARDING = "onboarding", gettext_lazy("Onboarding")
    ADOPTION = "adoption", gettext_lazy("Adoption")
    VALUE = "value", gettext_lazy("Value realisation")
    RENEWAL = "renewal", gettext_lazy("Renewal")
    CHURNED = "churned", gettext_lazy("Churned")


class TenantStatus(models.TextChoices):
    ACTIVE = "active", gettext_lazy("Active")
    SUSPENDED = "suspended", gettext_lazy("Suspended")


def _absolute_url(host: str, path: str) -> str:
    port = f":{settings.KEEL_PORT}" if settings.KEEL_PORT not in ("", "80", "443") else ""
    return f"{settings.KEEL_SCHEME}://{host}{port}{path}"


def console_absolute_url(path: str = "/") -> str:
    """Return the full URL of ``path`` on the console (public) host, for links in e-mails."""
    return _absolute_url(settings.KEEL_BASE_DOMAIN, path)


class TenantQuerySet(models.QuerySet["Tenant"]):
    def customers(self) -> Self:
        """Return every tenant except the public (console) one."""
        return self.exclude(schema_name=get_public_schema_name())


class Tenant(TenantMixin):
    """A customer account, with its own PostgreSQL schema."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=40, unique=True)
    tier = models.CharField(max_length=20, choices=Tier.choices, default=Tier.STANDARD)
    tier_overridden = models.BooleanField(
        default=False, help_text=gettext_lazy("Set when an admin chose the tier instead of deriving it from ARR.")
    )
    arr = models.DecimalField(gettext_lazy("ARR"), max_digits=14, decimal_places=2, default=0)
    contract_start = models.DateField(null=True, blank=True)
    renewal_date = models.DateField(null=True, blank=True)
    lifecycle_stage = models.CharField(max_length=20, choices=LifecycleStage.choices, default=LifecycleStage.ONBOARDING)
    csm = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="csm_tenants",
        verbose_name=gettext_lazy("assigned CSM"),
    )
    ready = models.BooleanField(default=False, help_text=gettext_lazy("Provisioning finished."))
    status = models.CharField(max_length=20, choices=TenantStatus.choices, default=TenantStatus.ACTIVE)
    suspended_at = models.DateTimeField(null=True, blank=True)
    suspension_reason = models.CharField(max_length=500, blank=True)
    last_qbr_published_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Branding set by the customer admin: the accent of the portal and the QBR outputs ("#rrggbb", or Keel's).
    # db_default: rows written by code that predates the column (a rolling deploy) get it too.
    brand_accent = models.CharField(max_length=7, blank=True, default="", db_default="")
    # Stored as a PNG re-encoded by Keel (tenant_logo_set), in the tenant's media folder.
    brand_logo = models.FileField(upload_to="branding/", blank=True, default="", db_default="")
    storage_bytes = models.BigIntegerField(null=True, blank=True)
    storage_measured_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # The tenant's default language (a user may choose another) and the zone of its business
    # days: due dates, "today", usage days (clock.py). Chosen at provisioning, then by its admin.
    # db_default too: rows written by code that predates these fields (a rolling deploy, an older
    # migration's historical model) still get a value.
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="en", db_default="en")
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", db_default="UTC", validators=[validate_time_zone]
    )

    # Deleting a tenant row drops its schema; the delete service guards this.
    auto_drop_schema = True
    auto_create_schema = True
    # New schemas are cloned from the template (settings.TENANT_BASE_SCHEMA) as structure only:
    # no template row can reach a customer (template_schema.py explains the trade-off).
    clone_mode = "NODATA"

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def is_public(self) -> bool:
        return self.schema_name == get_public_schema_name()

    @property
    def is_suspended(self) -> bool:
        return self.status == TenantStatus.SUSPENDED

    @property
    def primary_domain_name(self) -> str:
        # Tenants are provisioned as <slug>.<base domain>; avoid a query per row in lists.
        return f"{self.slug}.{settings.KEEL_BASE_DOMAIN}"

    def create_schema(self, check_if_exists=False, sync_schema=True, verbosity=1):
        # Copy the template when it can be done fast (template_schema.py says how and why);
        # otherwise django-tenants clones it, which fakes every migration after the clone. The
        # copy function has caught the template up on migrations either way.
        if sync_schema and get_creation_fakes_migrations():
            from .template_schema import tenant_schema_copy_template

            _check_schema_name(self.schema_name)
            if check_if_exists and schema_exists(self.schema_name):
                return False
            if tenant_schema_copy_template(self.schema_name):
                return True
        return super().create_schema(check_if_exists=check_if_exists, sync_schema=sync_schema, verbosity=verbosity)

    def absolute_url(self, path: str = "/") -> str:
        """Return the full URL of ``path`` on this tenant's host."""
        return _absolute_url(self.primary_domain_name, path)


class Domain(DomainMixin):
    """A host name that routes to a tenant."""

    def __str__(self):
        return self.domain


class TenantExport(models.Model):
    """A complete archive of one tenant's data, kept on disk."""

    tenant = models.ForeignKey(Tenant, on_delete=models.SET_NULL, null=True, blank=True, related_name="exports")
    # Kept as text so the record outlives the tenant it describes.
    tenant_slug = models.SlugField(max_length=40)
    path = models.CharField(max_length=500)
    size_bytes = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    row_count = models.IntegerField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.tenant_slug} export {self.created_at:%Y-%m-%d %H:%M}"
