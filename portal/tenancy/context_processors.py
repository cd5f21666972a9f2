"""Template context every page needs: the tenant and the viewer's level on it."""

from django.conf import settings


def tenancy(request):
    tenant = getattr(request, "tenant", None)
    return {
        "current_tenant": tenant if tenant is not None and not tenant.is_public else None,
        "tenant_access": getattr(request, "tenant_access", None),
        "keel_base_domain": settings.KEEL_BASE_DOMAIN,
    }
