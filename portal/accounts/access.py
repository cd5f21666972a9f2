"""Who may do what on a tenant. One place, used by pages, the API and services."""

from enum import IntEnum

from django.core.exceptions import PermissionDenied

from .models import Membership, MembershipRole


class Access(IntEnum):
    """A user's effective level on one tenant; higher includes lower."""

    MEMBER = 10
    CUSTOMER_ADMIN = 20
    CSM = 30
    ADMIN = 40

    @property
    def label(self) -> str:
        return {10: "Customer member", 20: "Customer admin", 30: "CSM", 40: "Admin"}[self.value]


_ROLE_ACCESS = {
    MembershipRole.CUSTOMER_MEMBER: Access.MEMBER,
    MembershipRole.CUSTOMER_ADMIN: Access.CUSTOMER_ADMIN,
}


def tenant_access_for(user, tenant) -> Access | None:
    """Return ``user``'s level on ``tenant``, or None when they have no business there."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or tenant is None:
        return None
    if tenant.is_public:
        return None
    if user.is_keel_admin:
        return Access.ADMIN
    if user.is_csm:
        return Access.CSM if tenant.csm_id == user.pk else None
    role = Membership.objects.filter(user=user, tenant=tenant).values_list("role", flat=True).first()
    return _ROLE_ACCESS.get(role)


class AccessDenied(PermissionDenied):
    """The actor may see the object but not perform this change (HTTP 403 in pages and API)."""


def require_access(user, tenant, minimum: Access) -> Access:
    """Return the user's access, raising AccessDenied when below ``minimum``.

    Services call this too, so a command or task cannot skip the rule a view enforces.
    Callers that must hide existence check ``tenant_access_for`` first and 404.
    """
    access = tenant_access_for(user, tenant)
    if access is None or access < minimum:
        raise AccessDenied(f"Requires {minimum.label} access.")
    return access
