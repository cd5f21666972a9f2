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
    # Bumped by a database trigger whenever one of the user's memberships is added, changed or
    # removed (migration 0003), however it changes: the middleware's per-session cache of the
    # user's role on a tenant is valid only for the version it was read at.
    access_version = models.PositiveIntegerField(default=0, editable=False)
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


# --- Signing in -----------------------------------------------------------------------------------
class SignInMethods(models.TextChoices):
    PASSWORD = "password", gettext_lazy("Password only")
    PASSWORDLESS = "passwordless", gettext_lazy("E-mailed link or code only")
    BOTH = "both", gettext_lazy("Password or e-mailed link or code")


class SignInPolicy(models.Model):
    """How a tenant's own people sign in on its host (vendor staff always use password + MFA)."""

    tenant = models.OneToOneField("tenancy.Tenant", on_delete=models.CASCADE, related_name="sign_in_policy")
    methods = models.CharField(max_length=20, choices=SignInMethods.choices, default=SignInMethods.BOTH)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.tenant}: {self.get_methods_display()}"

    @property
    def allows_password(self) -> bool:
        return self.methods in (SignInMethods.PASSWORD, SignInMethods.BOTH)

    @property
    def allows_passwordless(self) -> bool:
        return self.methods in (SignInMethods.PASSWORDLESS, SignInMethods.BOTH)


def hash_secret(raw: str) -> str:
    """Return the SHA-256 of a one-time secret: only hashes are stored."""
    return _hash_token(raw)


class SignInCode(models.Model):
    """An e-mailed link and 6-digit code that sign one person in on one host, once.

    A row is written for every request, also for an address with no account on the host
    (``user`` is then empty and the row can never be redeemed): both answers cost the same.
    """

    tenant = models.ForeignKey("tenancy.Tenant", on_delete=models.CASCADE, related_name="+")
    email = models.EmailField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    link_hash = models.CharField(max_length=64, unique=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["tenant", "email"], name="signincode_tenant_email")]

    def __str__(self):
        return f"Sign-in code for {self.email} on {self.tenant_id}"

    @property
    def is_open(self) -> bool:
        return self.user_id is not None and self.used_at is None and self.expires_at > timezone.now()


# Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari", Android also says "Linux".
_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
_SYSTEMS = (
    ("Windows", "Windows"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Mac OS X", "macOS"),
    ("Android", "Android"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


class SignInMethod(models.TextChoices):
    PASSWORD = "password", gettext_lazy("Password")
    EMAIL_LINK = "email_link", gettext_lazy("E-mailed link")
    EMAIL_CODE = "email_code", gettext_lazy("E-mailed code")
    SSO = "sso", gettext_lazy("Single sign-on")
    HANDOFF = "handoff", gettext_lazy("From the console")
    INVITATION = "invitation", gettext_lazy("Invitation")


class UserSession(models.Model):
    """One signed-in browser on one host: what the user sees under "Your sessions" and can end."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sign_in_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    # The schema of the host it was made on ("public": the console).
    schema_name = models.CharField(max_length=63)
    host = models.CharField(max_length=255)
    method = models.CharField(max_length=20, choices=SignInMethod.choices)
    user_agent = models.CharField(max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    # The console session that handed this one off: signing out there ends this one too.
    handed_off_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="handed_off"
    )

    class Meta:
        ordering = ["-last_seen_at"]
        indexes = [models.Index(fields=["user", "ended_at"], name="usersession_user_open")]

    def __str__(self):
        return f"{self.user} on {self.host}"

    @property
    def device(self) -> str:
        """Return "Browser on system" from the User-Agent, in words a person recognises.

        Hand-written rather than a parsing library: only the big names matter here, and the
        full string is one hover away (the page's title attribute).
        """
        ua = self.user_agent
        browser = next(
            (name for token, name in _BROWSERS if token in ua),
            "Unknown browser",
        )
        system = next((name for token, name in _SYSTEMS if token in ua), "")
        return f"{browser} on {system}" if system else browser


class SignInHandoff(models.Model):
    """A console session's single-use pass to one customer host (the signed token names its nonce)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    tenant = models.ForeignKey("tenancy.Tenant", on_delete=models.CASCADE, related_name="+")
    nonce_hash = models.CharField(max_length=64, unique=True)
    from_session = models.ForeignKey(UserSession, on_delete=models.CASCADE, related_name="+")
    # The console session's verified MFA device, carried over so the CSM is not asked again.
    otp_device_id = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Handoff of {self.user} to {self.tenant_id}"


class SsoConfig(models.Model):
    """A tenant's OpenID Connect identity provider (its own people sign in through it).

    The client secret is stored encrypted (``portal.accounts.sso_crypto``); the key comes from the
    environment and can be rotated without a migration.
    """

    tenant = models.OneToOneField("tenancy.Tenant", on_delete=models.CASCADE, related_name="sso_config")
    enabled = models.BooleanField(default=False)
    issuer = models.URLField(max_length=300)
    client_id = models.CharField(max_length=200)
    client_secret_encrypted = models.TextField(blank=True)
    # Comma-separated domains whose addresses may sign in (empty: any address the IdP vouches for).
    allowed_domains = models.CharField(max_length=500, blank=True)
    jit_provisioning = models.BooleanField(default=False)
    default_role = models.CharField(
        max_length=20, choices=MembershipRole.choices, default=MembershipRole.CUSTOMER_MEMBER
    )
    sso_required = models.BooleanField(default=False)
    # Break glass: until then, the tenant's customer admins may sign in with a password again.
    break_glass_until = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"SSO of {self.tenant} via {self.issuer}"

    @property
    def domains(self) -> list[str]:
        return [d.strip().lower().lstrip("@") for d in self.allowed_domains.split(",") if d.strip()]

    def allows_email(self, email: str) -> bool:
        domains = self.domains
        return not domains or email.rsplit("@", 1)[-1].lower() in domains

    @property
    def break_glass_open(self) -> bool:
        return self.break_glass_until is not None and self.break_glass_until > timezone.now()
