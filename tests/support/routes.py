"""Every route Keel serves, found from the URL resolvers, with sample values in its parameters.

The route matrix (tests/security/test_route_matrix.py) and the cross-tenant tests
(tests/security/test_cross_tenant.py) walk these: a new route joins them by existing.
"""

import re

from django.urls import URLPattern, URLResolver, get_resolver

SAMPLE = {"int": "1", "slug": "alpha", "str": "x", "path": "x", "uuid": "00000000-0000-0000-0000-000000000001"}


def _routes(patterns, prefix=""):
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route


def _concrete(route: str) -> str:
    path = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE[m.group(1) or "str"], route)
    return "/" + path.lstrip("^").rstrip("$")


# Open to everyone on every host by design, revealing nothing: tests/portal/test_healthz.py.
PROBES = {"/healthz"}
TENANT_ROUTES = sorted({_concrete(r) for r in _routes(get_resolver("portal.urls_tenant").url_patterns)} - PROBES)
PUBLIC_ROUTES = sorted(
    {_concrete(r) for r in _routes(get_resolver("portal.urls_public").url_patterns) if not r.startswith("admin/")}
    - PROBES
)
