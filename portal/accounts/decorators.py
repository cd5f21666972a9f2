"""View guards. Existence is hidden with 404 by the middleware; these answer 403."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext

from .access import Access


def tenant_access_required(minimum: Access = Access.MEMBER):
    """Require at least ``minimum`` on the current tenant (set by TenantAccessMiddleware)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            access = getattr(request, "tenant_access", None)
            if access is None:
                return redirect_to_login(request.get_full_path())
            if access < minimum:
                raise PermissionDenied(gettext("Requires %(label)s access.") % {"label": minimum.label})
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def staff_required(*, admin_only: bool = False):
    """Require a CSM or admin (or only an admin) on the console."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            allowed = user.is_keel_admin if admin_only else user.is_vendor_staff
            if not allowed:
                raise PermissionDenied(gettext("Vendor staff only.") if not admin_only else gettext("Admins only."))
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
