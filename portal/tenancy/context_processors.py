"""Template context every page needs: the tenant and the viewer's level on it."""

from django.conf import settings

from portal.accounts.access import Access


def tenancy(request):
    tenant = getattr(request, "tenant", None)
    access = getattr(request, "tenant_access", None)
    return {
        "current_tenant": tenant if tenant is not None and not tenant.is_public else None,
        "tenant_access": access,
        # Vendor staff (CSM, admin) on this tenant: edit controls and internal notes.
        "tenant_staff": access is not None and access >= Access.CSM,
        "tenant_customer_admin": access is not None and access >= Access.CUSTOMER_ADMIN,
        "keel_base_domain": settings.KEEL_BASE_DOMAIN,
    }
