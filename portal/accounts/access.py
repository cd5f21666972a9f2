"""The gate: which tenant is this, and may this actor act on it. One module, used by every view,
API view, service, task and command.

- ``current_tenant()`` / ``require_tenant_schema()``: code that reads or writes tenant-schema rows
  refuses to run on the wrong schema instead of reading another tenant's (or no) tables.
- ``tenant_access_for()`` / ``require_role()``: the actor's level on a tenant; 403 below the level.
- ``tenants_visible_to()`` / ``tenant_for_staff_or_404()``: which customers a CSM or admin sees
  in the console; anything else is 404, so existence is not revealed.
- ``SYSTEM``: Keel itself (Celery tasks, management commands). A caller states it explicitly;
  ``actor=None`` is refused rather than silently allowed.
"""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING, Final

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django_tenants.utils import get_public_schema_name

from portal.tenancy.db import connection
from portal.tenancy.models import Tenant

from .models import Membership, MembershipRole, User

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.db.models import QuerySet


class Access(IntEnum):
    """An actor's effective level on one tenant; higher includes lower."""

    MEMBER = 10
    CUSTOMER_ADMIN = 20
    CSM = 30
    ADMIN = 40
    SYSTEM = 50

    @property
    def label(self) -> str:
        return {10: "Customer member", 20: "Customer admin", 30: "CSM", 40: "Admin", 50: "Keel (system)"}[self.value]


class SystemActor:
    """Keel acting on its own behalf: a scheduled task, a command run by an operator.

    It passes every access check and is recorded as "system" in audit and activity rows. It is a
    value, not a user: it cannot sign in and has no row.
    """

    is_authenticated: Final = False
    is_anonymous: Final = False
    is_active: Final = True
    is_keel_admin: Final = True
    is_csm: Final = False
    is_vendor_staff: Final = True
    pk: Final = None
    email: Final = ""

    def __repr__(self) -> str:
        return "SYSTEM"

    __str__ = __repr__


SYSTEM: Final = SystemActor()

# Who may act: a person, or Keel itself. API-key callers are checked by the API's own permission.
type Actor = User | SystemActor
type Viewer = User | AnonymousUser

_ROLE_ACCESS: dict[str, Access] = {
    MembershipRole.CUSTOMER_MEMBER: Access.MEMBER,
    MembershipRole.CUSTOMER_ADMIN: Access.CUSTOMER_ADMIN,
}


def _check_actor(actor: object) -> None:
    if actor is None:
        raise TypeError("actor=None: pass the user, or portal.accounts.access.SYSTEM for Keel itself.")


def actor_user(actor: Actor | None) -> User | None:
    """Return the person behind ``actor`` (None for SYSTEM), for audit and activity rows."""
    _check_actor(actor)
    return actor if isinstance(actor, User) else None


# --- which tenant ------------------------------------------------------------------------------
def current_tenant(*, fresh: bool = False) -> Tenant:
    """Return the tenant whose schema the connection is on; refuse the public schema.

    ``fresh`` reads the row again (with its CSM), for long-running tasks where an admin may have
    changed the tier or the CSM since the connection was pointed at the schema.
    """
    tenant: Tenant | None = getattr(connection, "tenant", None)
    # In the public schema django-tenants may set a FakeTenant: test the schema name, not the object.
    if tenant is None or connection.schema_name == get_public_schema_name():
        raise RuntimeError("This runs inside a tenant schema; the connection is on the public schema.")
    if fresh:
        return Tenant.objects.select_related("csm").get(schema_name=connection.schema_name)
    return tenant


def require_tenant_schema(tenant: Tenant) -> None:
    """Refuse to go on unless the connection is on ``tenant``'s schema."""
    if connection.schema_name != tenant.schema_name:
        raise RuntimeError(
            f"Rows of {tenant.slug} live in schema {tenant.schema_name}; the connection is on "
            f"{connection.schema_name}. Wrap the call in schema_context({tenant.schema_name!r})."
        )


# --- which customers a member of staff sees (the CSM-visibility rule, once) --------------------
# Admins see every customer; a CSM sees the customers assigned to them and no other.
_ASSIGNED_CSM = "csm_id"


def _staff_sees(user: Actor, tenant: Tenant) -> bool:
    if user.is_keel_admin:
        return True
    return bool(user.is_csm and getattr(tenant, _ASSIGNED_CSM) == user.pk)


def tenants_visible_to(user: Actor) -> QuerySet[Tenant]:
    """Return the customer tenants ``user`` may see in the console (none for customers)."""
    qs = Tenant.objects.customers()
    if user.is_keel_admin:
        return qs
    if user.is_csm:
        return qs.filter(**{_ASSIGNED_CSM: user.pk})
    return qs.none()


def tenant_for_staff_or_404(user: Actor, slug: str, *, queryset: QuerySet[Tenant] | None = None) -> Tenant:
    """Return the tenant ``slug`` if ``user`` may see it in the console; Http404 otherwise."""
    qs = tenants_visible_to(user).select_related("csm") if queryset is None else queryset & tenants_visible_to(user)
    tenant = qs.filter(slug=slug).first()
    if tenant is None:
        raise Http404("No such customer.")
    return tenant


# --- may this actor -----------------------------------------------------------------------------
def tenant_access_for(actor: Actor | Viewer | None, tenant: Tenant | None) -> Access | None:
    """Return ``actor``'s level on ``tenant``, or None when they have no business there."""
    if isinstance(actor, SystemActor):  # SYSTEM, the one instance
        return Access.SYSTEM
    if actor is None or not actor.is_authenticated or not actor.is_active or tenant is None:
        return None
    if tenant.is_public:
        return None
    if actor.is_vendor_staff:
        if not _staff_sees(actor, tenant):
            return None
        return Access.ADMIN if actor.is_keel_admin else Access.CSM
    role = Membership.objects.filter(user=actor, tenant=tenant).values_list("role", flat=True).first()
    return _ROLE_ACCESS.get(role) if role is not None else None


class AccessDenied(PermissionDenied):
    """The actor may see the object but not perform this change (HTTP 403 in pages and API)."""


def require_role(actor: Actor | Viewer | None, role: Access, tenant: Tenant | None, *, message: str = "") -> Access:
    """Return the actor's access to ``tenant``, raising AccessDenied when below ``role``.

    Services call this too, so a command or task cannot skip the rule a view enforces.
    Callers that must hide existence check ``tenant_access_for`` first and 404.
    """
    _check_actor(actor)
    access = tenant_access_for(actor, tenant)
    if access is None or access < role:
        raise AccessDenied(message or f"Requires {role.label} access.")
    return access


def require_staff(actor: Actor, *, admin_only: bool = False, message: str = "") -> None:
    """Refuse anyone but vendor staff (or, with ``admin_only``, admins and SYSTEM): 403."""
    _check_actor(actor)  # an untyped caller may still pass None
    allowed = actor.is_keel_admin if admin_only else actor.is_vendor_staff
    if not allowed:
        raise AccessDenied(message or ("Only Keel admins may do this." if admin_only else "Vendor staff only."))


def require_staff_on(actor: Actor | Viewer | None, tenant: Tenant, *, message: str = "") -> Access:
    """Refuse anyone but an admin or the tenant's assigned CSM: 403."""
    return require_role(actor, Access.CSM, tenant, message=message or "Only the account's CSM or an admin may do this.")


def require_customer(actor: Actor | Viewer | None, tenant: Tenant, *, message: str = "") -> Access:
    """Refuse anyone but the customer's own people (members and customer admins): 403.

    For what only the customer can say about themselves (an NPS answer): staff may see the
    tenant but do not speak for it.
    """
    _check_actor(actor)
    access = tenant_access_for(actor, tenant)
    if access is None or access >= Access.CSM:
        raise AccessDenied(message or "Only the customer's own people may do this.")
    return access
