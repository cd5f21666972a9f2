"""People: one user table for customers and vendor staff, memberships, invitations."""

import hashlib
import secrets
from typing import TYPE_CHECKING, Self

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from portal.tenancy.clock import validate_time_zone

if TYPE_CHECKING:
    from portal.tenancy.models import Tenant


class StaffRole(models.TextChoices):
    NONE = "", gettext_lazy("Customer")
    CSM = "csm", gettext_lazy("CSM")
    ADMIN = "admin", gettext_lazy("Admin")


class MembershipRole(models.TextChoices):
    CUSTOMER_ADMIN = "customer_admin", gettext_lazy("Customer admin")
    CUSTOMER_MEMBER = "customer_member", gettext_lazy("Customer member")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True, staff_role=StaffRole.ADMIN)
        return self._create(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone who logs in: customer users, CSMs and admins. Logs in with an e-mail."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    staff_role = models.CharField(max_length=10, choices=StaffRole.choices, default=StaffRole.NONE, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text=gettext_lazy("May log in to the Django admin."))
    date_joined = models.DateTimeField(default=timezone.now)
    # Empty: follow the tenant's default (language) or the tenant's zone (time zone).
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, blank=True, default="", db_default=""
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, blank=True, default="", db_default="", validators=[validate_time_zone]
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def language_for(self, tenant: "Tenant | None" = None) -> str:
        """Return the language to write to this person in: theirs, else the tenant's, else the site's.

        Without ``tenant``, the tenant of their first membership (vendor staff have none).
        """
        if self.language:
            return self.language
        if tenant is None:
            membership = self.memberships.select_related("tenant").order_by("pk").first() if self.pk else None
            tenant = membership.tenant if membership is not None else None
        return tenant.language if tenant is not None and tenant.language else settings.LANGUAGE_CODE

    @property
    def is_keel_admin(self) -> bool:
        return self.is_active and (self.staff_role == StaffRole.ADMIN or self.is_superuser)

    @property
    def is_csm(self) -> bool:
        return self.is_active and self.staff_role == StaffRole.CSM

    @property
    def is_vendor_staff(self) -> bool:
        return self.is_keel_admin or self.is_csm


class Membership(models.Model):
    """A customer user's role in one tenant."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    tenant = models.ForeignKey("tenancy.Tenant", on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=MembershipRole.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "tenant"], name="membership_one_per_user_tenant"),
        ]

    def __str__(self):
        return f"{self.user} in {self.tenant} ({self.get_role_display()})"


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def pending(self) -> Self:
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())

    def by_token(self, raw: str) -> Self:
        """Return the invitation a raw token points at (only its hash is stored)."""
        return self.filter(token_hash=_hash_token(raw))


class Invitation(models.Model):
    """An e-mailed link that sets a password and joins a tenant."""

    tenant = models.ForeignKey("tenancy.Tenant", on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=MembershipRole.choices)
    # Only the SHA-256 of the token is stored: a database leak gives no working links.
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "email"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_email_tenant",
            ),
        ]

    def __str__(self):
        return f"Invitation of {self.email} to {self.tenant}"

    @staticmethod
    def new_token() -> tuple[str, str]:
        """Return a fresh (raw token, hash) pair."""
        raw = secrets.token_urlsafe(32)
        return raw, _hash_token(raw)

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and not self.is_expired
