"""Small HTTP helpers shared by the apps' views."""

from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme


def redirect_next(request, fallback: str, *args, **kwargs):
    """Redirect to the form's ``next`` when it points into this host; otherwise to ``fallback``.

    ``next`` comes from the browser, so anything else (another site, a scheme-relative URL) is
    an open redirect waiting to happen and is ignored.
    """
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(fallback, *args, **kwargs)


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
