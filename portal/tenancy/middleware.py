"""Gatekeeping for every request on a tenant host.

Runs after authentication. On a tenant host it:
- drops a session that was made on another host (a copied cookie is worth nothing);
- answers 404 to a signed-in user with no business on this tenant (not 403: do not
  reveal that the tenant exists to outsiders, DESIGN.md);
- sends anonymous visitors to the login page, except on the few public paths;
- keeps a suspended tenant read-only and closed to customers.
The health probe (/healthz) is the one exception: it reveals nothing and must always answer.
"""

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import render

from portal.accounts.access import Access, tenant_access_for
from portal.probes import HEALTH_PATH

SESSION_SCHEMA_KEY = "keel_schema"
# A customer's role on this tenant, as [tenant pk, the user's access_version, Access or None].
SESSION_ACCESS_KEY = "keel_access"

# Reachable without a session on a tenant host. The API answers 401/403 itself (DRF).
ANONYMOUS_PREFIXES = (
    "/login/",
    "/logout/",
    "/password-reset/",
    "/reset/",
    "/invite/",
    "/handoff/",
    "/static/",
    "/api/",
)
# Still allowed on a suspended tenant, whatever the method.
SUSPENDED_ALLOWED_PREFIXES = ("/login/", "/logout/", "/handoff/", "/mfa/", "/static/")
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def _is_anonymous_path(path: str) -> bool:
    return path.startswith(ANONYMOUS_PREFIXES)


class TenantAccessMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.tenant_access = None
        if request.path_info == HEALTH_PATH:
            # The exact path only: a prefix would also open any later route that starts with it.
            # The probe reads no tenant data, so it needs no member, session or live tenant.
            return self.get_response(request)
        tenant = getattr(request, "tenant", None)
        self._drop_foreign_session(request, tenant)
        if tenant is None or tenant.is_public:
            return self.get_response(request)

        if request.user.is_authenticated:
            request.tenant_access = self._tenant_access(request, tenant)
            if request.tenant_access is None:
                raise Http404("No such page.")
        elif not _is_anonymous_path(request.path_info):
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)

        if tenant.is_suspended:
            refusal = self._suspended_refusal(request)
            if refusal is not None:
                return refusal
        return self.get_response(request)

    @staticmethod
    def _tenant_access(request, tenant) -> Access | None:
        """The user's access, the customer's membership read once per session and version.

        Staff access follows from the user and tenant rows, which every request reads anyway.
        A customer's role comes from their membership row: the session keeps it with the user's
        ``access_version``, which a database trigger bumps on any change to their memberships,
        so a changed or removed membership is seen on the very next request.
        """
        user = request.user
        if user.is_vendor_staff or not user.is_active:
            return tenant_access_for(user, tenant)
        cached = request.session.get(SESSION_ACCESS_KEY)
        if isinstance(cached, list) and cached[:2] == [tenant.pk, user.access_version]:
            return None if cached[2] is None else Access(cached[2])
        return remember_tenant_access(request.session, user, tenant)

    @staticmethod
    def _drop_foreign_session(request, tenant) -> None:
        if not request.user.is_authenticated or tenant is None:
            return
        if request.session.get(SESSION_SCHEMA_KEY) != tenant.schema_name:
            logout(request)

    @staticmethod
    def _suspended_refusal(request):
        path = request.path_info
        if path.startswith(SUSPENDED_ALLOWED_PREFIXES):
            return None
        access = request.tenant_access
        if access is not None and access < Access.CSM:
            logout(request)
            access = None
        if access is None and path.startswith("/api/"):
            return None  # DRF refuses the anonymous request with its own status
        if access is None or request.method not in SAFE_METHODS:
            return render(request, "tenancy/suspended.html", {"tenant": request.tenant}, status=403)
        return None


def remember_tenant_access(session, user, tenant, *, version: int | None = None) -> Access | None:
    """Read ``user``'s access to ``tenant`` and keep it in ``session`` with their access_version.

    Called at login (portal/accounts/signals.py), so a session starts with its role, and again
    whenever the version moved on. ``version``: the user's access_version read with the role,
    when ``user`` may be an older copy of the row.
    """
    access = tenant_access_for(user, tenant)
    version = user.access_version if version is None else version
    session[SESSION_ACCESS_KEY] = [tenant.pk, version, None if access is None else int(access)]
    return access


class NulCharacterGuardMiddleware:
    """Answer 400 to a path or query string holding a NUL character.

    PostgreSQL text cannot contain NUL: such a value reaching a filter fails inside the
    database (a 500). Forms and serializers already refuse NUL; raw query parameters do not.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        params = request.GET.lists()
        if "\x00" in request.path or any("\x00" in key or any("\x00" in v for v in values) for key, values in params):
            return HttpResponseBadRequest("The request contains a NUL character.", content_type="text/plain")
        return self.get_response(request)
