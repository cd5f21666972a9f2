"""Validate incoming rows (API JSON objects or CSV records) one by one, collecting errors.

Each parser returns (clean row, {}) or (None, {field: [messages]}), so a batch can store
its valid rows and report each invalid one by index with the reason. They are written
for speed: the event parser runs 5,000 times per API call.
"""

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.utils.translation import gettext

from .models import TicketSeverity, TicketStatus

MAX_INT = 2_147_483_647
# Clocks differ; an event a little in the future is accepted, a day ahead is a bug.
FUTURE_TOLERANCE = timedelta(minutes=10)
# PostgreSQL stores UTC offsets up to 15:59 either way; Python accepts up to 23:59.
MAX_OFFSET = timedelta(hours=15, minutes=59)
# Echo at most this much of a bad value in an error message (a 1 MB string is not echoed).
SHOWN = 40
_SEVERITIES = frozenset(TicketSeverity.values)
_STATUSES = frozenset(TicketStatus.values)
# A choice longer than every choice is reported as too long before it is reported as unknown.
_CHOICE_MAX = 10


@dataclass(frozen=True, slots=True)
class Column:
    """One field of an incoming row, declared once: the parsers below enforce it, the API's
    OpenAPI schema is generated from it (metrics/ingest/api.py) and the CSV import takes its
    header rules from it (metrics/services/imports.py)."""

    name: str
    kind: str  # "text", "integer", "datetime", "date" or "choice"
    required: bool = True
    max_length: int = 0  # text only
    minimum: int | None = None  # integer only
    default: int | None = None
    choices: tuple[str, ...] = ()
    help: str = ""


def _columns(*columns: Column) -> dict[str, Column]:
    return {column.name: column for column in columns}


EVENT_COLUMNS = _columns(
    Column("feature", "text", max_length=80, help="A key from the feature catalog."),
    Column("user", "text", max_length=200, help="The customer's own user reference."),
    Column("timestamp", "datetime", help="ISO 8601 with a zone, e.g. 2026-11-23T09:30:00Z."),
    Column("quantity", "integer", required=False, minimum=0, default=1),
    Column(
        "idempotency_key",
        "text",
        required=False,
        max_length=200,
        help="Stored once; derived from the event's content when omitted.",
    ),
)
TICKET_COLUMNS = _columns(
    Column("external_id", "text", max_length=100),
    Column("severity", "choice", choices=tuple(TicketSeverity.values)),
    Column("status", "choice", choices=tuple(TicketStatus.values)),
    Column("opened_at", "datetime"),
    Column("closed_at", "datetime", required=False, help="Required when status is closed."),
    Column("subject", "text", required=False, max_length=300),
)
SEAT_COLUMNS = _columns(
    Column("day", "date", help="YYYY-MM-DD."),
    Column("seats", "integer", minimum=0),
)
_EV, _TK, _ST = EVENT_COLUMNS, TICKET_COLUMNS, SEAT_COLUMNS


def shown(value) -> str:
    """Return ``value`` as an error message may quote it: repr (control characters and lone
    surrogates escaped), cut to a few dozen characters."""
    text = repr(value)
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"


def text_problem(text: str) -> str | None:
    """Return why ``text`` cannot be stored in a PostgreSQL text column, or None."""
    if "\x00" in text:
        return gettext("Must not contain NUL (U+0000) characters.")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return gettext("Must be valid Unicode text (it holds a lone UTF-16 surrogate).")
    return None


def _text(value, *, field: str, max_length: int, errors: dict, required: bool = True) -> str:
    if value is None or value == "":
        if required:
            errors[field] = [gettext("This field is required.")]
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        errors[field] = [_not_a_string(value)]
        return ""
    text = str(value).strip()
    problem = text_problem(text)
    if problem:
        errors[field] = [problem]
    elif required and not text:
        errors[field] = [gettext("This field is required.")]
    elif len(text) > max_length:
        errors[field] = [
            gettext("At most %(limit)s characters (this one has %(length)s).")
            % {"limit": max_length, "length": f"{len(text):,}"}
        ]
    return text


def _not_a_string(value) -> str:
    """Say what the JSON value is instead of a string."""
    if isinstance(value, dict):
        return gettext("Must be a string, not an object.")
    if isinstance(value, list):
        return gettext("Must be a string, not a list.")
    if isinstance(value, bool):
        return gettext("Must be a string, not a boolean.")
    return gettext("Must be a string, not a number.")


def _int(value, *, field: str, default: int | None, errors: dict, minimum: int = 0) -> int | None:
    if value is None or value == "":
        if default is None:
            errors[field] = [gettext("This field is required.")]
        return default
    if isinstance(value, str):
        try:
            value = int(value.strip())
        except ValueError:
            errors[field] = [gettext("%(value)s is not a whole number.") % {"value": shown(value)}]
            return None
    if isinstance(value, bool) or not isinstance(value, int):
        errors[field] = [gettext("Must be a whole number.")]
        return None
    if not minimum <= value <= MAX_INT:
        errors[field] = [
            gettext("Must be between %(minimum)s and %(maximum)s.") % {"minimum": minimum, "maximum": MAX_INT}
        ]
        return None
    return value


def _datetime(value, *, field: str, errors: dict, now: datetime, required: bool = True) -> datetime | None:
    if value is None or value == "":
        if required:
            errors[field] = [gettext("This field is required.")]
        return None
    if not isinstance(value, str):
        errors[field] = [gettext("Must be an ISO 8601 date-time string, e.g. 2026-11-23T09:30:00Z.")]
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        errors[field] = [
            gettext("%(value)s is not an ISO 8601 date-time (e.g. 2026-11-23T09:30:00Z).") % {"value": shown(value)}
        ]
        return None
    problem = instant_problem(parsed, now=now)
    if problem:
        errors[field] = [problem]
        return None
    return parsed


def instant_problem(parsed: datetime, *, now: datetime) -> str | None:
    """Return why the parsed date-time cannot be stored as an event's instant, or None."""
    offset = parsed.utcoffset()
    if offset is None:
        return gettext("Give a time zone (e.g. a trailing Z for UTC or +01:00).")
    if abs(offset) > MAX_OFFSET:
        return gettext("The UTC offset must be between -15:59 and +15:59.")
    try:
        parsed.astimezone(UTC)
    except OverflowError:
        return gettext("Is out of range: in UTC it falls outside years 1 to 9999.")
    if parsed > now + FUTURE_TOLERANCE:
        return gettext("Is in the future.")
    return None


def derived_event_key(feature: str, user_ref: str, occurred_at: datetime, quantity: int) -> str:
    """Return the idempotency key of an event sent without one: its content, hashed.

    The instant is normalised to UTC, so the same event re-sent in another offset still
    matches; two truly separate uses at the same microsecond by the same user collapse.
    """
    instant = occurred_at.astimezone(UTC).isoformat()
    digest = hashlib.sha256(f"{feature}\x1f{user_ref}\x1f{instant}\x1f{quantity}".encode()).hexdigest()
    return "auto:" + digest[:40]


def parse_event(item, *, features: Mapping[str, int], now: datetime) -> tuple[tuple | None, dict]:
    """Return ((feature_id, user_ref, occurred_at, quantity, idempotency_key), {}) or (None, errors).

    The common, well-formed event takes a short path of exact type checks; anything unusual
    falls through to the field-by-field checks that explain what is wrong.
    """
    if type(item) is dict:
        feature = item.get("feature")
        feature_id = features.get(feature) if type(feature) is str else None
        user_ref, stamp = item.get("user"), item.get("timestamp")
        quantity, key = item.get("quantity", 1), item.get("idempotency_key")
        if (
            feature_id is not None
            and type(user_ref) is str
            and 0 < len(user_ref) <= _EV["user"].max_length
            and user_ref == user_ref.strip()
            # Printable excludes NUL and lone surrogates; the rare other text takes the long path.
            and user_ref.isprintable()
            and type(stamp) is str
            and type(quantity) is int
            and 0 <= quantity <= MAX_INT
            and type(key) is str
            and 0 < len(key) <= _EV["idempotency_key"].max_length
            and key == key.strip()
            and key.isprintable()
        ):
            try:
                occurred_at = datetime.fromisoformat(stamp)
            except ValueError:
                occurred_at = None
            # instant_problem's checks, inlined for speed: an offset PostgreSQL stores, a year
            # that cannot overflow when converted to UTC, not in the future.
            offset = occurred_at.utcoffset() if occurred_at is not None else None
            if (
                occurred_at is not None
                and offset is not None
                and -MAX_OFFSET <= offset <= MAX_OFFSET
                and 1 < occurred_at.year < 9999
                and occurred_at <= now + FUTURE_TOLERANCE
            ):
                return (feature_id, user_ref, occurred_at, quantity, key), {}
    return _parse_event_checked(item, features=features, now=now)


def _parse_event_checked(item, *, features: Mapping[str, int], now: datetime) -> tuple[tuple | None, dict]:
    if not isinstance(item, dict):
        return None, {"non_field_errors": [gettext("Each event must be a JSON object.")]}
    errors: dict = {}
    feature = _text(item.get("feature"), field="feature", max_length=_EV["feature"].max_length, errors=errors)
    feature_id = features.get(feature)
    if feature and feature_id is None and "feature" not in errors:
        errors["feature"] = [
            gettext("Unknown feature %(feature)s; add it to the feature catalog first.") % {"feature": shown(feature)}
        ]
    user_ref = _text(item.get("user"), field="user", max_length=_EV["user"].max_length, errors=errors)
    occurred_at = _datetime(item.get("timestamp"), field="timestamp", errors=errors, now=now)
    quantity = _int(item.get("quantity"), field="quantity", default=_EV["quantity"].default, errors=errors)
    key = _text(
        item.get("idempotency_key"),
        field="idempotency_key",
        max_length=_EV["idempotency_key"].max_length,
        errors=errors,
        required=False,
    )
    if errors or occurred_at is None or quantity is None:  # without errors both were parsed
        return None, errors
    if not key:
        key = derived_event_key(feature, user_ref, occurred_at, quantity)
    return (feature_id, user_ref, occurred_at, quantity, key), {}


def parse_ticket(item, *, now: datetime) -> tuple[dict | None, dict]:
    """Return (ticket fields, {}) or (None, errors)."""
    if not isinstance(item, dict):
        return None, {"non_field_errors": [gettext("Each ticket must be a JSON object.")]}
    errors: dict = {}
    external_id = _text(
        item.get("external_id"), field="external_id", max_length=_TK["external_id"].max_length, errors=errors
    )
    severity = _text(item.get("severity"), field="severity", max_length=_CHOICE_MAX, errors=errors).lower()
    if severity and severity not in _SEVERITIES and "severity" not in errors:
        errors["severity"] = [gettext("Use one of: %(values)s.") % {"values": ", ".join(TicketSeverity.values)}]
    status = _text(item.get("status"), field="status", max_length=_CHOICE_MAX, errors=errors).lower()
    if status and status not in _STATUSES and "status" not in errors:
        errors["status"] = [gettext("Use one of: %(values)s.") % {"values": ", ".join(TicketStatus.values)}]
    opened_at = _datetime(item.get("opened_at"), field="opened_at", errors=errors, now=now)
    closed_at = _datetime(item.get("closed_at"), field="closed_at", errors=errors, now=now, required=False)
    if opened_at and closed_at and closed_at < opened_at:
        errors["closed_at"] = [gettext("Cannot be before opened_at.")]
    if status == TicketStatus.CLOSED and closed_at is None and "closed_at" not in errors:
        errors["closed_at"] = [gettext("A closed ticket needs closed_at.")]
    subject = _text(
        item.get("subject"), field="subject", max_length=_TK["subject"].max_length, errors=errors, required=False
    )
    if errors:
        return None, errors
    return {
        "external_id": external_id,
        "severity": severity,
        "status": status,
        "opened_at": opened_at,
        "closed_at": closed_at if status == TicketStatus.CLOSED else None,
        "subject": subject,
    }, {}


def parse_seats(item, *, now: datetime) -> tuple[dict | None, dict]:
    """Return ({"day", "seats"}, {}) or (None, errors)."""
    if not isinstance(item, dict):
        return None, {"non_field_errors": [gettext("Each seat record must be a JSON object.")]}
    errors: dict = {}
    raw_day = item.get("day")
    day = None
    if raw_day in (None, ""):
        errors["day"] = [gettext("This field is required.")]
    else:
        try:
            if not isinstance(raw_day, str):
                raise ValueError
            day = date.fromisoformat(raw_day.strip())
        except ValueError:
            errors["day"] = [gettext("%(value)s is not a date (YYYY-MM-DD).") % {"value": shown(raw_day)}]
        else:
            if day > now.date() + timedelta(days=1):
                errors["day"] = [gettext("Is in the future.")]
    seats = _int(item.get("seats"), field="seats", default=None, errors=errors)
    if errors:
        return None, errors
    return {"day": day, "seats": seats}, {}


class BatchResult:
    """What happened to a batch: stored, already there (duplicates), rejected by index."""

    __slots__ = ("accepted", "duplicates", "rejected")

    def __init__(self, *, accepted: int = 0, duplicates: int = 0, rejected: list[dict] | None = None):
        self.accepted = accepted
        self.duplicates = duplicates
        self.rejected = rejected or []

    def as_dict(self) -> dict:
        return {"accepted": self.accepted, "duplicates": self.duplicates, "rejected": self.rejected}

    @property
    def http_status(self) -> int:
        """201 when every row was valid, 207 when some were, 400 when none was."""
        if not self.rejected:
            return 201
        return 207 if self.accepted or self.duplicates else 400

    def merge(self, other: "BatchResult", *, offset: int) -> None:
        """Add ``other`` (a later chunk starting at row ``offset``) to this result."""
        self.accepted += other.accepted
        self.duplicates += other.duplicates
        self.rejected.extend({**r, "index": r["index"] + offset} for r in other.rejected)
