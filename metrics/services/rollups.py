"""Daily usage rollups: rebuilt per day from the events, so a re-run gives the same rows.

A usage day is a day in the tenant's time zone (docs/kpis.md, "Time zones and usage days").
"""

from datetime import date, timedelta

from django.db import connection, transaction

from portal.tenancy.clock import day_start, tenant_zone

from ..models import DailyUsage, RollupState, UsageEvent
from ..sql import table

# Events are stamped received_at = now() by a transaction that may commit a moment later; the
# watermark stays this far behind so such an event is never skipped (re-doing a day is harmless).
IN_FLIGHT_MARGIN = timedelta(minutes=5)


@transaction.atomic
def usage_rollup_days(*, days: list[date]) -> int:
    """Rebuild the daily rollup rows of ``days`` (the tenant's days) from the events; return rows written."""
    if not days:
        return 0
    tz = tenant_zone()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table(DailyUsage)} WHERE day = ANY(%s)", [days])
        cursor.execute(
            f"""
            INSERT INTO {table(DailyUsage)} (day, feature_id, user_ref, events, quantity)
            SELECT (occurred_at AT TIME ZONE %s)::date, feature_id, user_ref, count(*), sum(quantity)
            FROM {table(UsageEvent)}
            WHERE (occurred_at AT TIME ZONE %s)::date = ANY(%s)
              AND occurred_at >= %s AND occurred_at < %s
            GROUP BY 1, 2, 3
            """,
            [tz.key, tz.key, days, day_start(min(days), tz), day_start(max(days) + timedelta(days=1), tz)],
        )
        rebuilt: int = cursor.rowcount
        return rebuilt


@transaction.atomic
def usage_rollup_refresh() -> list[date]:
    """Rebuild every day that received events since the last refresh; return those days."""
    state, _ = RollupState.objects.select_for_update().get_or_create(id=1)
    with connection.cursor() as cursor:
        # The database's clock, the one that stamped received_at: app servers' clocks drift.
        cursor.execute("SELECT clock_timestamp()")
        (started,) = cursor.fetchone()
        zone_name = tenant_zone().key
        if state.covered_until is None:
            cursor.execute(f"SELECT DISTINCT (occurred_at AT TIME ZONE %s)::date FROM {table(UsageEvent)}", [zone_name])
        else:
            cursor.execute(
                f"SELECT DISTINCT (occurred_at AT TIME ZONE %s)::date FROM {table(UsageEvent)} WHERE received_at >= %s",
                [zone_name, state.covered_until],
            )
        days = sorted(row[0] for row in cursor.fetchall())
    usage_rollup_days(days=days)
    state.covered_until = started - IN_FLIGHT_MARGIN
    state.refreshed_at = started
    state.save(update_fields=["covered_until", "refreshed_at"])
    return days
