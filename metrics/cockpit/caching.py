"""What a cached rendering of the account 360 depends on, read in one query.

The page's sections (everything under its heading but the note form's errors) are kept in the
``fragments`` store (portal/fragments.py) under a key that names every input:

- the customer's row and its health snapshot, every column (already read with the tenant);
- ``public.keel_account_version``: a fresh number, set by database triggers in the same
  statement as any write to the customer's calls to action, notes, stalls, audit events,
  memberships, its people's last sign-in, and in its schema its NPS answers and QBRs (cockpit
  migration 0004, metrics and qbr migrations 0003);
- every checklist's ``Checklist.version`` in the customer's schema (progress, next steps);
- the users' names' version (the CSM, owners, authors, people, respondents);
- the language, the viewer's zone and today there, the viewer, the base domain (links).

The versions are read before the data, so a rendering kept under them is never older than them.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from django.conf import settings
from django.db import connection

from metrics.versions import customer_versions
from portal import fragments
from portal.tenancy.models import Tenant

_VERSIONS = (
    "SELECT (SELECT version FROM public.keel_account_version WHERE tenant_id = %s),"
    " (SELECT version FROM public.keel_user_names_version WHERE id = 1), "
)


def _row(obj: Any) -> tuple[Hashable, ...]:
    if obj is None:
        return ()
    return tuple(repr(getattr(obj, field.attname)) for field in obj._meta.concrete_fields)


def account_versions(tenant: Tenant) -> tuple[Hashable, ...]:
    """Return (the customer's account version, the names' version, its checklists' versions)."""
    checklists = "'{}'::bigint[]"
    if tenant.ready:  # a tenant still being provisioned has no tables to read yet
        schema = connection.ops.quote_name(tenant.schema_name)
        # The schema is the tenant's own name, quoted as an identifier: no value of a user's.
        checklists = f"(SELECT coalesce(array_agg(version ORDER BY id), '{{}}') FROM {schema}.onboarding_checklist)"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(_VERSIONS + checklists, [tenant.pk])
        account, names, checklist_versions = cursor.fetchone()
    return account, names, tuple(checklist_versions)


def book_parts(request: Any, csm: Any) -> tuple[Hashable, ...]:
    """Return every input of the book's two sections for this request, versions included.

    The viewer (who they are, their role: what they may see), the CSM whose book it is (None:
    everyone's), the query string (both pages, and every parameter the pagers' links keep), the language, zone and today
    (overdue, days to renewal), and the versions of every customer the viewer sees (their CTAs,
    rows, snapshots, facts, stalls and audit events) with the users' version (names, staff roles).
    """
    user = request.user
    return (
        user.pk,
        user.staff_role,
        user.is_keel_admin,
        csm.pk if csm is not None else None,
        tuple(sorted(request.GET.lists())),
        *fragments.viewer_parts(),
        *customer_versions(user),
    )


def account_parts(request: Any, tenant: Tenant) -> tuple[Hashable, ...]:
    """Return every input of the account 360's sections for ``tenant`` seen by this request."""
    return (
        _row(tenant),
        _row(getattr(tenant, "health_snapshot", None)),
        *account_versions(tenant),
        settings.KEEL_BASE_DOMAIN,
        *fragments.viewer_parts(),
        request.user.pk,
    )
