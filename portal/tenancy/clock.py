"""Time zones: which zone a tenant's "today" is in, and checking a zone name.

Pages show dates and times in the viewer's zone (portal/accounts/middleware.py). Business days
(due dates, overdue, stall detection, usage days) are the tenant's: every reader of one tenant
sees the same "today" whatever their own zone (docs/kpis.md, "Time zones and usage days").
"""

from datetime import date, datetime, time
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


@cache
def time_zone_names() -> tuple[str, ...]:
    """Return every IANA zone name this machine knows, sorted (the choices a form offers)."""
    return tuple(sorted(available_timezones()))


# The regions of the IANA database's own zones. Its other names (Cuba, Japan, GB-Eire, localtime,
# Factory) are backward-compatible aliases: still valid, but not worth offering in a list.
ZONE_REGIONS = frozenset(
    {"Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific"}
)


def time_zone_choices() -> tuple[str, ...]:
    """Return the zones a form offers: UTC, then every ``Region/City`` name, sorted."""
    regional = (name for name in time_zone_names() if name.split("/", 1)[0] in ZONE_REGIONS and "/" in name)
    return ("UTC", *regional)


def validate_time_zone(value: str) -> None:
    """Refuse a name that is not an IANA time zone (``Asia/Shanghai``, ``UTC``)."""
    if value not in time_zone_names():
        raise ValidationError(
            _("%(value)s is not a time zone; use a name such as Asia/Shanghai or Europe/Berlin."),
            code="invalid_time_zone",
            params={"value": value},
        )


def zone(name: str) -> ZoneInfo:
    """Return the zone named ``name``; UTC for an empty or unknown name (never raises)."""
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def default_time_zone_for(language: str) -> str:
    """Return the zone a new tenant gets: the setting, else the language's usual zone, else UTC."""
    if settings.KEEL_TENANT_DEFAULT_TIME_ZONE:
        return settings.KEEL_TENANT_DEFAULT_TIME_ZONE
    by_language: dict[str, str] = settings.KEEL_TIME_ZONE_BY_LANGUAGE
    return by_language.get(language, "UTC")


def tenant_zone(tenant: object | None = None) -> ZoneInfo:
    """Return ``tenant``'s zone (default: the tenant of the current schema); UTC on the public schema."""
    if tenant is None:
        from .db import connection

        tenant = getattr(connection, "tenant", None)
        if not hasattr(tenant, "time_zone"):
            # schema_context() and Celery's tenant tasks point the connection at a schema with a
            # stand-in tenant object: read the zone from the row.
            from .models import Tenant

            names = Tenant.objects.filter(schema_name=connection.schema_name).values_list("time_zone", flat=True)
            return zone(next(iter(names), ""))
    return zone(getattr(tenant, "time_zone", "") or "")


def tenant_today(tenant: object | None = None, *, now: datetime | None = None) -> date:
    """Return today's date (or ``now``'s) in ``tenant``'s zone."""
    return timezone.localtime(now or timezone.now(), tenant_zone(tenant)).date()


def day_start(day: date, tz: ZoneInfo) -> datetime:
    """Return the instant ``day`` starts in ``tz`` (2026-03-01 in Shanghai: 2026-02-28 16:00 UTC)."""
    return datetime.combine(day, time.min, tzinfo=tz)
