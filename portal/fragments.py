"""Rendered page fragments kept under keys that name every input, so a cached one is never stale.

A fragment is cached under the exact versions of what it shows, never for a while: the caller's
key holds a version that the database moves in the same statement as any change to the data
(e.g. ``Checklist.version``, set by triggers), plus everything else the HTML depends on (the
language, the time zone, today's date there, the viewer's role and id). A change makes a new
key; an old entry is simply never asked for again and ages out of the bounded store.

The store is the ``fragments`` cache (portal/settings/base.py): the worker's own memory, so a
deploy or restart starts it empty and an entry never outlives the code and catalogues that
rendered it. Point it at a shared cache only with a release in its KEY_PREFIX.

Forms in a cached fragment carry ``CSRF_PLACEHOLDER`` instead of a token (render with
``fragment_context``); ``with_csrf`` puts this request's token in on the way out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable

from django.conf import settings
from django.core.cache import caches
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

CACHE_ALIAS = "fragments"
# Renders where {% csrf_token %} would put the token (its value attribute): no real token is
# ever stored, since a token belongs to one session and a fragment may be shared.
CSRF_PLACEHOLDER = "keel-csrf-placeholder"


def viewer_parts() -> tuple[Hashable, ...]:
    """Return the request-wide inputs every fragment depends on: language, zone and today there."""
    return (get_language(), timezone.get_current_timezone_name(), timezone.localdate().isoformat())


def fragment_key(name: str, parts: tuple[Hashable, ...]) -> str:
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=20).hexdigest()
    return f"{name}:{digest}"


def cached_fragment[T](name: str, parts: tuple[Hashable, ...], render: Callable[[], T]) -> T:
    """Return the fragment for ``parts`` (every input of ``render`` and its version) from the
    store, or ``render()`` it and keep it. Under DEBUG, always render (templates change under a
    running dev server). A fragment is its HTML, or a tuple of plain values holding it (e.g. what
    the caller still looks up on every request)."""
    if settings.DEBUG:
        return render()
    cache = caches[CACHE_ALIAS]
    key = fragment_key(name, parts)
    html = cache.get(key)
    if html is None:
        html = render()
        cache.set(key, html)
    return html


def fragment_context(context: dict) -> dict:
    """``context`` for a fragment rendered without a request: forms get the CSRF placeholder."""
    return {**context, "csrf_token": CSRF_PLACEHOLDER}


def with_csrf(html: str, request) -> SafeString:
    """Put ``request``'s CSRF token where the fragment's forms hold the placeholder.

    ``html`` is a rendered template's output, safe as it is; the token is letters and digits.
    """
    if CSRF_PLACEHOLDER in html:
        html = html.replace(CSRF_PLACEHOLDER, get_token(request))
    return mark_safe(html)  # noqa: S308
