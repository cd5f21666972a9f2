"""The language and time zone of every request.

Language: the signed-in user's choice, else the tenant's default, else what the browser asks
for (Accept-Language, or Django's language cookie), else ``LANGUAGE_CODE``. On the console
(public host) there is no tenant default: the user's choice, else the browser's.

Time zone: the user's, else the tenant's, else ``TIME_ZONE`` (UTC). Every date and time a page
shows is converted into it; ``timezone.localdate()`` in a view is the viewer's "today".
"""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import timezone, translation

from portal.tenancy.clock import zone

from .forms import _current_tenant


def request_language(request) -> str:
    """Return the language code this request is answered in."""
    user = getattr(request, "user", None)
    supported = {code for code, _name in settings.LANGUAGES}
    if user is not None and user.is_authenticated and user.language in supported:
        return user.language
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
