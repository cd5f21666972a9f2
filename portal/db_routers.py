"""Read replicas: report reads go to the ``replica`` alias, everything else to ``default``.

The alias exists when ``KEEL_DB_REPLICA_HOST`` is set (portal/settings/base.py). Without it every
function here is a no-op and every query goes to ``default``, as before.

- Only code wrapped in ``reads_from_replica()`` (or decorated ``@replica_reads``) reads from the
  replica: the report paths (the console portfolio, published QBRs, tenant exports). A router
  that chose by model alone would also send reads made straight after a write to a replica that
  has not replayed the write yet.
- **Read your writes.** A request that writes (any ``db_for_write``, or a POST, PUT, PATCH or
  DELETE) reads from the primary for the rest of the request, and ``ReplicaPinMiddleware`` pins
  the browser to the primary for ``KEEL_DB_REPLICA_PIN_SECONDS`` after it with a cookie, so the
  redirect after a form and the next few pages show what the user just did. The cookie carries
  no authority: a client that forges it only moves its own reads to the primary.
- **Tenants.** django-tenants keeps a schema per alias, and Keel's middleware and Celery tasks set
  the tenant on ``default`` only. ``follow_tenant`` (django-tenants' EXTRA_SET_TENANT_METHOD_PATH
  hook, called on every ``set_tenant``) sets the same tenant on the replica, so a replica cursor
  gets the same ``SET search_path``.
- Writes always go to ``default``, also for a row read from the replica; migrations never run on
  the replica (``TenantSyncRouter.allow_migrate`` refuses every alias but ``default``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

if TYPE_CHECKING:
    from django.db.models import Model
    from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
PIN_COOKIE = "keel_primary"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# Per thread of execution (a request in a sync worker, a task): set by reads_from_replica(), and
# by a write. ReplicaPinMiddleware starts every request with them cleared (request_scope).
_wanted: ContextVar[bool] = ContextVar("keel_replica_wanted", default=False)
_pinned: ContextVar[bool] = ContextVar("keel_replica_pinned", default=False)
_wrote: ContextVar[bool] = ContextVar("keel_replica_wrote", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def reads_from_replica() -> Iterator[None]:
    """Send the reads of the block to the replica, unless this request or task has written."""
    token = _wanted.set(True)
    try:
        yield
    finally:
        _wanted.reset(token)


def replica_reads[**P, R](view: Callable[P, R]) -> Callable[P, R]:
    """Decorate a read-only view (a report): its reads go to the replica (``reads_from_replica``)."""

    @wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        with reads_from_replica():
            return view(*args, **kwargs)

    return wrapped


@contextmanager
def request_scope(*, pinned: bool = False) -> Iterator[None]:
    """Start a unit of work (a request) with no replica reads wanted and no write seen yet."""
    tokens = (_wanted.set(False), _pinned.set(pinned), _wrote.set(False))
    try:
        yield
    finally:
        for var, token in zip((_wanted, _pinned, _wrote), tokens, strict=True):
            var.reset(token)


def pin_to_primary() -> None:
    """Read from the primary for the rest of this request or task (a write has happened)."""
    _wrote.set(True)


def pinned_to_primary() -> bool:
    return _pinned.get() or _wrote.get()


def read_alias() -> str:
    """The alias a read made here would use: ``replica`` inside ``reads_from_replica()`` when not pinned."""
    if replica_configured() and _wanted.get() and not pinned_to_primary():
        return REPLICA
    return DEFAULT_DB_ALIAS


def follow_tenant(connection: Any, tenant: Any) -> None:
    """django-tenants' set_tenant hook: put the replica on the tenant the primary is on.

    ``connection`` is django-tenants' DatabaseWrapper (its ``set_tenant`` and schema attributes).
    """
    if connection.alias == DEFAULT_DB_ALIAS and replica_configured():
        replica: Any = connections[REPLICA]  # django-tenants' wrapper, as for default
        replica.set_tenant(tenant, connection.include_public_schema)


class ReplicaRouter:
    """Reads inside ``reads_from_replica()`` to the replica; every write, and every read after one, to default."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str | None:
        if not replica_configured():
            return None
        return read_alias()

    def db_for_write(self, model: type[Model], **hints: Any) -> str | None:
        if not replica_configured():
            return None
        pin_to_primary()
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        # The replica holds the primary's rows: an object read from either may point at one from the other.
        same_data = {DEFAULT_DB_ALIAS, REPLICA}
        if obj1._state.db in same_data and obj2._state.db in same_data:
            return True
        return None


class ReplicaPinMiddleware:
    """Start each request unpinned, or pinned when it writes or follows a write by this browser."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not replica_configured():
            return self.get_response(request)
        with request_scope(pinned=request.method in UNSAFE_METHODS or PIN_COOKIE in request.COOKIES):
            response = self.get_response(request)
            if _wrote.get() or request.method in UNSAFE_METHODS:
                response.set_cookie(
                    PIN_COOKIE,
                    "1",
                    max_age=settings.KEEL_DB_REPLICA_PIN_SECONDS,
                    secure=settings.SESSION_COOKIE_SECURE,
                    httponly=True,
                    samesite="Lax",
                )
            return response
