"""Per-request rules: language and time zone, then the sign-in rules after the tenant gate.

LocaleAndTimeZoneMiddleware (after authentication, before the tenant gate):

Language: the signed-in user's choice, else the tenant's default, else what the browser asks
for (Accept-Language, or Django's language cookie), else ``LANGUAGE_CODE``. On the console
(public host) there is no tenant default: the user's choice, else the browser's.

Time zone: the user's, else the tenant's, else ``TIME_ZONE`` (UTC). Every date and time a page
shows is converted into it; ``timezone.localdate()`` in a view is the viewer's "today".

SignInSessionMiddleware (after the tenant gate):

- Vendor staff who must use a second factor (KEEL_MFA_REQUIRED_ROLES) and have not confirmed a
  code in this session reach only the MFA pages and "log out": everything else sends them there
  (the API answers 403).
- A session made through Keel's sign-in records when it was last used, at most once a minute,
  for "Your sessions". Ended sessions need no check here: ending one deletes its session row.
"""

from django.conf import settings
from django.http import JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext

from portal.tenancy.clock import zone

from .forms import _current_tenant
from .mfa import mfa_required_for
from .models import UserSession
from .signin import SESSION_MFA_KEY, SESSION_ROW_KEY, SESSION_SEEN_KEY

MFA_OPEN_PREFIXES = ("/mfa/", "/logout/", "/static/")
SEEN_EVERY_SECONDS = 60


def request_language(request) -> str:
    """Return the language code this request is answered in."""
    user = getattr(request, "user", None)
    supported = {code for code, _name in settings.LANGUAGES}
    if user is not None and user.is_authenticated and user.language in supported:
        return user.language
    if request.path_info.startswith("/api/") and not (user is not None and user.is_authenticated):
        # Programs (API keys) get the language they ask for, else English (the API's documented
        # default), whatever language the tenant's people read the portal in.
        if _browser_asks_for_a_supported_language(request):
            return translation.get_language_from_request(request)
        return settings.LANGUAGE_CODE
    tenant = _current_tenant(request)
    if tenant is not None and tenant.language in supported:
        # A signed-in member follows the tenant; an anonymous visitor (sign-in page, invitation)
        # gets the browser's language when it asks for one Keel speaks, else the tenant's.
        if user is not None and user.is_authenticated:
            return tenant.language
        if _browser_asks_for_a_supported_language(request):
            return translation.get_language_from_request(request)
        return tenant.language
    return translation.get_language_from_request(request)


def _browser_asks_for_a_supported_language(request) -> bool:
    """Whether the language cookie or any Accept-Language entry names a language Keel speaks."""
    codes = [request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")]
    codes += [part.split(";")[0].strip() for part in request.META.get("HTTP_ACCEPT_LANGUAGE", "").split(",")]
    for code in codes:
        if not code or code == "*":
            continue
        try:
            translation.get_supported_language_variant(code.lower())
        except LookupError:
            continue
        return True
    return False


def request_time_zone(request) -> str:
    """Return the name of the zone this request shows dates and times in."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.time_zone:
        return user.time_zone
    tenant = _current_tenant(request)
    if tenant is not None and tenant.time_zone:
        return tenant.time_zone
    return settings.TIME_ZONE


class LocaleAndTimeZoneMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware (Content-Language, Vary) choosing as the module says."""

    def process_request(self, request):
        language = request_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        timezone.activate(zone(request_time_zone(request)))

    def process_response(self, request, response):
        response = super().process_response(request, response)
        # The next request on this thread (or a test's next line) starts from the defaults.
        translation.deactivate()
        timezone.deactivate()
        return response


class SignInSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            refusal = self._mfa_refusal(request, user)
            if refusal is not None:
                return refusal
            self._mark_seen(request)
        return self.get_response(request)

    @staticmethod
    def _mfa_refusal(request, user):
        if not user.is_vendor_staff or request.session.get(SESSION_MFA_KEY) or not mfa_required_for(user):
            return None
        if request.path_info.startswith(MFA_OPEN_PREFIXES):
            return None
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": gettext("Confirm your second factor first.")}, status=403)
        return redirect(f"{reverse('accounts:mfa_verify')}?{urlencode({'next': request.get_full_path()})}")

    @staticmethod
    def _mark_seen(request):
        row_id = request.session.get(SESSION_ROW_KEY)
        if row_id is None:
            return
        now = timezone.now().timestamp()
        if now - request.session.get(SESSION_SEEN_KEY, 0) < SEEN_EVERY_SECONDS:
            return
        request.session[SESSION_SEEN_KEY] = now
        UserSession.objects.filter(pk=row_id, ended_at__isnull=True).update(last_seen_at=timezone.now())
