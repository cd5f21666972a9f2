"""The one base every tenant API view inherits: authentication, tenant scoping, roles.

After PostHog's routing mixin: a view cannot forget the tenant check, because the
permission class lives here and views only declare the level they need.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.views import APIView

from portal.accounts.access import Access, tenant_access_for


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
        # Services raise Django's ValidationError; answer it as a 400 that says what was wrong.
        # (AccessDenied is a Django PermissionDenied, which DRF already answers with 403.)
        if isinstance(exc, DjangoValidationError):
            exc = ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})
        return super().handle_exception(exc)
