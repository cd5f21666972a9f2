"""Versions of what console reports show, read in one query each (for exact-version caches).

``public.keel_account_version`` holds one number per customer, set by database triggers in the
same statement as any write to its row, health snapshot, account facts, calls to action, notes,
stalls, audit events, memberships and sign-ins, and in its schema its NPS answers and QBRs
(cockpit migrations 0004–0005, metrics and qbr 0003). ``public.keel_user_names_version`` moves
with any person's name, e-mail or staff role. Read them before the data: a rendering kept under
them is never older than them. Read them on the connection the data comes from (a report under
``replica_reads`` reads both from the replica, whose state only moves forward).
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from django.db import connections, router

from portal.accounts.access import tenants_visible_to
from portal.tenancy.models import Tenant


def customer_versions(viewer: Any) -> tuple[Hashable, ...]:
    """Return (every customer ``viewer`` sees with its account version, the names' version), one query.

    The set itself is part of it: a customer assigned to or taken from a CSM changes it.
    """
    query = tenants_visible_to(viewer).values("pk")
    inner, params = query.query.sql_with_params()
    with connections[router.db_for_read(Tenant)].cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT coalesce(array_agg(ARRAY[t.id, coalesce(v.version, 0)] ORDER BY t.id), '{}')"  # noqa: S608
            f" FROM ({inner}) AS t (id) LEFT JOIN public.keel_account_version AS v ON v.tenant_id = t.id),"
            " (SELECT version FROM public.keel_user_names_version WHERE id = 1)",
            params,
        )
        customers, names = cursor.fetchone()
    return tuple(tuple(pair) for pair in customers), names


def ledger_version() -> tuple[Hashable, ...]:
    """Return (entries, the newest entry's id) of the retention ledger: entries are only ever added
    (a correction is a reversing entry), so the pair moves with every change to its figures."""
    from metrics.retention.models import Event

    with connections[router.db_for_read(Event)].cursor() as cursor:
        cursor.execute(f"SELECT count(*), coalesce(max(id), 0) FROM {Event._meta.db_table}")  # noqa: S608
        return tuple(cursor.fetchone())
