"""CSV import of events, support tickets and seats: the API's validation, row by row.

Valid rows are stored, invalid ones reported with their line number; the whole import is one
transaction, so a failure part-way leaves nothing half-written.
"""

import csv
import io
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from portal.accounts.access import Actor, require_tenant_schema
from portal.audit.services import audit_record
from portal.tenancy.models import Tenant

from ..rows import BatchResult
from .ingest import usage_events_ingest
from .records import seat_counts_upsert, support_tickets_upsert

KINDS = {
    "events": (("feature", "user", "timestamp"), ("quantity", "idempotency_key")),
    "tickets": (("external_id", "severity", "status", "opened_at"), ("closed_at", "subject")),
    "seats": (("day", "seats"), ()),
}
# The first data row is line 2 of the file (line 1 is the header).
FIRST_DATA_LINE = 2


def _records(data: bytes, kind: str) -> list[dict[str, Any]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(gettext("The file is not UTF-8 text; export it as CSV (UTF-8).")) from None
    reader = csv.DictReader(io.StringIO(text))
    required, optional = KINDS[kind]
    header = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in required if name not in header]
    if missing:
        raise ValidationError(
            gettext("The header lacks %(join)s. A %(kind)s file has the columns %(join2)s and optionally %(value)s.")
            % {
                "join": ", ".join(missing),
                "kind": kind,
                "join2": ", ".join(required),
                "value": ", ".join(optional) or "nothing else",
            }
        )
    reader.fieldnames = header
    try:
        return [{k: v for k, v in row.items() if k in header} for row in reader]
    except csv.Error as exc:
        raise ValidationError(gettext("The file is not valid CSV: %(exc)s.") % {"exc": exc}) from None


@transaction.atomic
def csv_import(*, tenant: Tenant, kind: str, data: bytes, actor: Actor) -> BatchResult:
    """Import a CSV file of ``kind`` into ``tenant`` (its schema active); rejected rows carry a ``line``."""
    require_tenant_schema(tenant)
    if kind not in KINDS:
        raise ValidationError(
            gettext("Unknown kind %(kind)s; use one of %(join)s.") % {"kind": repr(kind), "join": ", ".join(KINDS)}
        )
    records = _records(data, kind)
    if not records:
        raise ValidationError(gettext("The file has a header but no rows."))
    chunk = settings.KEEL_EVENTS_MAX_BATCH
    store = {"events": usage_events_ingest, "tickets": support_tickets_upsert, "seats": seat_counts_upsert}[kind]
    result = BatchResult()
    for start in range(0, len(records), chunk):
        result.merge(store(items=records[start : start + chunk]), offset=start)
    for rejection in result.rejected:
        rejection["line"] = rejection["index"] + FIRST_DATA_LINE
    audit_record(
        actor=actor,
        action=f"metrics.{kind}_imported",
        tenant=tenant,
        accepted=result.accepted,
        duplicates=result.duplicates,
        rejected=len(result.rejected),
    )
    return result
