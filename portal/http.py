"""Small HTTP helpers shared by the apps' views."""

from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme


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
