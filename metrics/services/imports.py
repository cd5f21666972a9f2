"""CSV import of events, support tickets and seats: the API's validation, row by row.

The file is read as a stream, a chunk of rows at a time, up to KEEL_IMPORT_MAX_ROWS rows.
Valid rows are stored, invalid ones reported with their line number; the whole import is one
transaction, so a failure part-way (a bad byte on line 90,000, too many rows) leaves nothing
half-written.
"""

import codecs
import csv
import io
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext, ngettext

from portal.accounts.access import Actor, require_tenant_schema
from portal.audit.services import audit_record
from portal.tenancy.models import Tenant

from ..rows import EVENT_COLUMNS, SEAT_COLUMNS, TICKET_COLUMNS, BatchResult, shown
from .ingest import usage_events_ingest
from .records import seat_counts_upsert, support_tickets_upsert

_COLUMNS = {"events": EVENT_COLUMNS, "tickets": TICKET_COLUMNS, "seats": SEAT_COLUMNS}
# Per kind: (required columns, optional columns), from the same declarations the API validates with.
KINDS = {
    kind: (
        tuple(name for name, column in columns.items() if column.required),
        tuple(name for name, column in columns.items() if not column.required),
    )
    for kind, columns in _COLUMNS.items()
}
# Free-text columns: a cell there that a spreadsheet would run as a formula is refused, so the
# value never travels on into an export someone opens in Excel (CSV injection).
TEXT_COLUMNS = frozenset(
    name for columns in _COLUMNS.values() for name, column in columns.items() if column.kind == "text"
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
OTHER_DELIMITERS = (";", "\t", "|")


def _text_lines(stream: BinaryIO) -> Iterator[str]:
    """Yield the file's lines as UTF-8 text; a byte-order mark (Excel's "CSV UTF-8") is dropped."""
    for number, raw in enumerate(stream, start=1):
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValidationError(
                gettext(
                    "Line %(line)s is not UTF-8 text (byte %(byte)s); "
                    "export the file as CSV UTF-8 and import it again. Nothing was imported."
                )
                % {"line": number, "byte": f"0x{raw[exc.start]:02x}"}
            ) from None


def _read_header(reader: Iterator[list[str]], kind: str) -> list[str]:
    raw = next(reader, None)
    if not raw or not any(cell.strip() for cell in raw):
        raise ValidationError(gettext("The file is empty: the first line must be the header row."))
    header = [name.strip().lower() for name in raw]
    required, optional = KINDS[kind]
    columns = gettext("A %(kind)s file has the columns %(required)s and optionally %(optional)s.") % {
        "kind": kind,
        "required": ", ".join(required),
        "optional": ", ".join(optional) or gettext("no others"),
    }
    if len(header) == 1:
        used = next((d for d in OTHER_DELIMITERS if d in raw[0]), None)
        if used:
            raise ValidationError(
                gettext(
                    "The header is one column, %(header)s: the file separates columns with %(delimiter)s. "
                    "Save it as CSV with commas between columns. %(columns)s"
                )
                % {"header": shown(raw[0]), "delimiter": repr(used), "columns": columns}
            )
    missing = [name for name in required if name not in header]
    if missing:
        raise ValidationError(
            gettext("The header lacks %(missing)s. %(columns)s") % {"missing": ", ".join(missing), "columns": columns}
        )
    unknown = [name for name in header if name not in required + optional]
    if unknown:
        raise ValidationError(
            ngettext("Unknown column %(names)s. %(columns)s", "Unknown columns %(names)s. %(columns)s", len(unknown))
            % {"names": ", ".join(map(shown, unknown)), "columns": columns}
        )
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise ValidationError(gettext("The header names %(names)s more than once.") % {"names": ", ".join(repeated)})
    return header


def _formula_errors(row: dict[str, str]) -> dict[str, list[str]]:
    return {
        name: [
            gettext("Starts with %(character)s, like a spreadsheet formula; remove the leading character.")
            % {"character": repr(value[0])}
        ]
        for name, value in row.items()
        if name in TEXT_COLUMNS and value and value.startswith(FORMULA_STARTS)
    }


def _records(stream: BinaryIO, kind: str) -> Iterator[tuple[int, dict[str, str] | None, dict[str, list[str]]]]:
    """Yield (line, row, {}) or (line, None, errors) for each data row of the file."""
    reader = csv.reader(_text_lines(stream))
    try:
        header = _read_header(reader, kind)
        for values in reader:
            line = reader.line_num
            if not any(value.strip() for value in values):
                continue  # a blank line (often the last one)
            if len(values) > len(header):
                message = gettext("%(values)s values on a line of %(columns)s columns.") % {
                    "values": len(values),
                    "columns": len(header),
                }
                yield line, None, {"non_field_errors": [message]}
                continue
            row = dict(zip(header, values, strict=False))
            errors = _formula_errors(row)
            yield (line, None, errors) if errors else (line, row, {})
    except csv.Error as exc:
        raise ValidationError(
            gettext("Line %(line)s is not valid CSV: %(error)s. Nothing was imported.")
            % {"line": reader.line_num, "error": exc}
        ) from None


def _store_chunk(
    store: Callable[..., BatchResult], chunk: list[tuple[int, int, dict[str, str] | None, dict[str, list[str]]]]
) -> BatchResult:
    """Store a chunk of (index, line, row, errors); return its result with file-wide index and line."""
    valid = [(index, line, row) for index, line, row, errors in chunk if row is not None]
    stored = store(items=[row for _, _, row in valid]) if valid else BatchResult()
    rejected: list[dict[str, Any]] = [
        {"index": index, "line": line, "errors": errors} for index, line, row, errors in chunk if row is None
    ]
    for rejection in stored.rejected:
        index, line, _ = valid[rejection["index"]]
        rejected.append({**rejection, "index": index, "line": line})
    rejected.sort(key=lambda r: r["index"])
    return BatchResult(accepted=stored.accepted, duplicates=stored.duplicates, rejected=rejected)


@transaction.atomic
def csv_import(*, tenant: Tenant, kind: str, data: bytes | BinaryIO, actor: Actor) -> BatchResult:
    """Import a CSV file of ``kind`` into ``tenant`` (its schema active); rejected rows carry a ``line``."""
    require_tenant_schema(tenant)
    if kind not in KINDS:
        raise ValidationError(
            gettext("Unknown kind %(kind)s; use one of %(kinds)s.") % {"kind": shown(kind), "kinds": ", ".join(KINDS)}
        )
    stream = io.BytesIO(data) if isinstance(data, bytes) else data
    store = {"events": usage_events_ingest, "tickets": support_tickets_upsert, "seats": seat_counts_upsert}[kind]
    limit, size = settings.KEEL_IMPORT_MAX_ROWS, settings.KEEL_EVENTS_MAX_BATCH
    result, chunk, count = BatchResult(), [], 0
    for line, row, errors in _records(stream, kind):
        if count == limit:
            raise ValidationError(
                gettext(
                    "The file has more than %(limit)s rows (line %(line)s is past the limit). "
                    "Split it into files of at most %(limit)s rows. Nothing was imported."
                )
                % {"limit": f"{limit:,}", "line": line}
            )
        chunk.append((count, line, row, errors))
        count += 1
        if len(chunk) == size:
            result.merge(_store_chunk(store, chunk), offset=0)
            chunk = []
    if count == 0:
        raise ValidationError(gettext("The file has a header but no rows."))
    if chunk:
        result.merge(_store_chunk(store, chunk), offset=0)
    audit_record(
        actor=actor,
        action=f"metrics.{kind}_imported",
        tenant=tenant,
        accepted=result.accepted,
        duplicates=result.duplicates,
        rejected=len(result.rejected),
    )
    return result
