"""Small HTTP helpers shared by the apps' views."""

from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme

PRIVATE = "private, no-store"


def redirect_next(request, fallback: str, *args, **kwargs):
    """Redirect to the form's ``next`` when it points into this host; otherwise to ``fallback``.

    ``next`` comes from the browser, so anything else (another site, a scheme-relative URL) is
    an open redirect waiting to happen and is ignored.
    """
    target = request.POST.get("next", "")
    # A path only: redirect() would try "overview" (no slash) as a URL name and fail with a 500.
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return redirect(fallback, *args, **kwargs)


class PrivateCacheMiddleware:
    """Mark every answer to a signed-in person or an API caller ``Cache-Control: private, no-store``.

    Pages, API answers and downloads (evidence, exports, PDFs) hold one account's data: no
    shared cache may keep them, and the browser must not keep them on disk after log-out.
    ``Vary: Cookie`` tells any cache the answer depends on who asked. Static files never get
    here (WhiteNoise answers them earlier).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)  # DRF sets it here too for API-key callers
        if (user is not None and user.is_authenticated) or request.path_info.startswith("/api/"):
            response["Cache-Control"] = PRIVATE
            response.headers.pop("Expires", None)
            patch_vary_headers(response, ["Cookie"])
        return response


def origin_of(url: str) -> str:
    """Return ``scheme://host[:port]`` of ``url``."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def csp_allow_form_action(response, *urls: str):
    """Let this page's forms lead to ``urls``' origins too (browsers apply form-action to redirects).

    For forms that post here and are redirected on purpose: single sign-on to the identity provider,
    the console's handoff to a customer host.
    """
    from django.conf import settings
    from django.utils.csp import CSP

    config = dict(getattr(response, "_csp_config", None) or settings.SECURE_CSP)
    config["form-action"] = [CSP.SELF, *sorted({origin_of(url) for url in urls})]
    response._csp_config = config
    return response
