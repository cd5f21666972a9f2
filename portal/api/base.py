"""The one base every tenant API view inherits: authentication, tenant scoping, roles.

After PostHog's routing mixin: a view cannot forget the tenant check, because the
permission class lives here and views only declare the level they need.

Two kinds of caller reach these views: people (session) and machine credentials such as
per-tenant API keys. A machine credential is any authenticated principal with
``is_api_key = True`` and the ``tenant_id`` it is bound to; it is accepted only by views
that set ``allow_api_keys`` and only on its own tenant's host.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext
from rest_framework.exceptions import NotAuthenticated, NotFound, PermissionDenied, ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.views import APIView

from portal.accounts.access import Access, tenant_access_for

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class TenantMemberPermission(BasePermission):
    """404 for anyone with no access to this tenant, 403 below the view's level."""

    message = "Your role on this account does not allow this."

    def has_permission(self, request, view) -> bool:
        tenant = getattr(request, "tenant", None)
        if tenant is None or tenant.is_public:
            raise NotFound()
        if not request.user or not request.user.is_authenticated:
            return False  # DRF answers 401/403 for anonymous callers
        if getattr(request.user, "is_api_key", False):
            return self._machine_may(request, view, tenant)
        access = tenant_access_for(request.user, tenant)
        if access is None:
            raise NotFound()
        request.tenant_access = access
        return access >= view.get_required_access(request)

    @staticmethod
    def _machine_may(request, view, tenant) -> bool:
        if request.user.tenant_id != tenant.pk:
            # Authentication already binds keys to the host; this is the second lock.
            raise NotAuthenticated("This API key belongs to another account.")
        if not getattr(view, "allow_api_keys", False):
            raise PermissionDenied(gettext("API keys cannot call this endpoint; sign in instead."))
        if tenant.is_suspended and request.method not in SAFE_METHODS:
            raise PermissionDenied(gettext("This account is suspended and read-only."))
        request.tenant_access = None
        return True


class TenantAPIView(APIView):
    permission_classes = [TenantMemberPermission]
    read_access = Access.MEMBER
    write_access = Access.CUSTOMER_ADMIN
    # Machine callers (per-tenant API keys) are refused unless a view opts in.
    allow_api_keys = False

    def get_required_access(self, request) -> Access:
        return self.read_access if request.method in SAFE_METHODS else self.write_access

    def handle_exception(self, exc):
        # Services raise Django's ValidationError; answer it as a 400 that says what was wrong.
        # (AccessDenied is a Django PermissionDenied, which DRF already answers with 403.)
        if isinstance(exc, DjangoValidationError):
            exc = ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})
        return super().handle_exception(exc)
