"""The one base every tenant API view inherits: authentication, tenant scoping, roles.

After PostHog's routing mixin: a view cannot forget the tenant check, because the
permission class lives here and views only declare the level they need.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.views import APIView

from portal.accounts.access import Access, AccessDenied, tenant_access_for


class TenantMemberPermission(BasePermission):
    """404 for anyone with no access to this tenant, 403 below the view's level."""

    message = "Your role on this account does not allow this."

    def has_permission(self, request, view) -> bool:
        tenant = getattr(request, "tenant", None)
        if tenant is None or tenant.is_public:
            raise NotFound()
        if not request.user or not request.user.is_authenticated:
            return False  # DRF answers 401/403 for anonymous callers
        access = tenant_access_for(request.user, tenant)
        if access is None:
            raise NotFound()
        request.tenant_access = access
        return access >= view.get_required_access(request)


class TenantAPIView(APIView):
    permission_classes = [TenantMemberPermission]
    read_access = Access.MEMBER
    write_access = Access.CUSTOMER_ADMIN

    def get_required_access(self, request) -> Access:
        return self.read_access if request.method in ("GET", "HEAD", "OPTIONS") else self.write_access

    def handle_exception(self, exc):
        # Services speak Django (ValidationError, AccessDenied); answer them as 400 and 403.
        if isinstance(exc, DjangoValidationError):
            exc = ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})
        elif isinstance(exc, AccessDenied):
            exc = PermissionDenied(str(exc))
        return super().handle_exception(exc)
