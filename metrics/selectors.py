"""Reads of the current tenant's metrics (its schema must be active), for pages and QBRs."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import CharField, Count, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

from onboarding import selectors as onboarding
from portal.tenancy.clock import tenant_today
from portal.tenancy.models import Tenant

from . import kpi
from .models import DailyUsage, Feature, HealthScore, NpsResponse, SupportTicket
from .retention.selectors import kickoff_get
from .sql import table


def _window(day: date, days: int) -> tuple[date, date]:
    return day - timedelta(days=days - 1), day


def health_score_list(*, day: date, days: int = 90) -> list[HealthScore]:
    """Return the stored daily scores of the last ``days`` days ending on ``day``, oldest first."""
    start, end = _window(day, days)
    return list(HealthScore.objects.filter(day__gte=start, day__lte=end).order_by("day"))


def daily_active_user_list(*, day: date, days: int = 90) -> list[tuple[date, int | None]]:
    """Return (day, distinct active users) for every day of the window ending on ``day``.

    A day before the tenant's first usage data is None (no data: a gap in a chart), not 0; from
    the first data on, a day without activity is a real 0. Callers pass the last complete day.
    """
    start, end = _window(day, days)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT day, count(DISTINCT user_ref) FROM {table(DailyUsage)} WHERE day BETWEEN %s AND %s GROUP BY day"
            f" UNION ALL SELECT min(day), NULL FROM {table(DailyUsage)}",
            [start, end],
        )
        rows = cursor.fetchall()
    counts = {d: n for d, n in rows if n is not None}
    first = next((d for d, n in rows if n is None), None)
    series: list[tuple[date, int | None]] = []
    for n in range(days):
        current = start + timedelta(days=n)
        series.append((current, None if first is None or current < first else counts.get(current, 0)))
    return series


def last_complete_day(tenant: Tenant | None = None) -> date:
    """Return the tenant's yesterday: the newest day whose data is complete (today's is still arriving).

    Days are the tenant's (default: the tenant of the current schema; docs/kpis.md, "Time zones").
    """
    return tenant_today(tenant) - timedelta(days=1)


@dataclass(frozen=True)
class FeatureAdoption:
    key: str
    name: str
    is_core: bool
    users: int
    rate: float | None  # 0-1, None without active users


def feature_adoption_list(*, day: date, days: int | None = None) -> tuple[int, list[FeatureAdoption]]:
    """Return (active users, adoption of every catalog feature) over the window ending on ``day``."""
    days = days or settings.KEEL_HEALTH["window_days"]
    start, end = _window(day, days)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(DISTINCT user_ref) FROM {table(DailyUsage)} WHERE day BETWEEN %s AND %s", [start, end]
        )
        (active,) = cursor.fetchone()
        cursor.execute(
            f"SELECT feature_id, count(DISTINCT user_ref) FROM {table(DailyUsage)}"
            " WHERE day BETWEEN %s AND %s GROUP BY feature_id",
            [start, end],
        )
        users = dict(cursor.fetchall())
    rows = [
        FeatureAdoption(
            key=f.key,
            name=f.name,
            is_core=f.is_core,
            users=users.get(f.pk, 0),
            rate=kpi.adoption_rate(feature_users=users.get(f.pk, 0), active_users=active),
        )
        for f in Feature.objects.all()
    ]
    return active, rows


def usage_trend_get(*, day: date, days: int | None = None) -> dict[str, Any]:
    """Return active user-days in this window and the one before it, and the change in %."""
    days = days or settings.KEEL_HEALTH["window_days"]
    start, end = _window(day, days)
    previous_start = start - timedelta(days=days)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FILTER (WHERE day >= %s), count(*) FILTER (WHERE day < %s)"
            f" FROM (SELECT DISTINCT day, user_ref FROM {table(DailyUsage)} WHERE day BETWEEN %s AND %s) d",
            [start, start, previous_start, end],
        )
        current, previous = cursor.fetchone()
    return {"current": current, "previous": previous, "change": kpi.trend_percent(current=current, previous=previous)}


def ticket_facts_get(*, day: date, days: int | None = None) -> dict[str, Any]:
    """Return tickets opened in the window and the one before, and open criticals/highs."""
    days = days or settings.KEEL_HEALTH["window_days"]
    start, end = _window(day, days)
    previous_start = start - timedelta(days=days)
    counts = SupportTicket.objects.aggregate(
        opened=Count("pk", filter=Q(opened_at__date__gte=start, opened_at__date__lte=end)),
        opened_before=Count("pk", filter=Q(opened_at__date__gte=previous_start, opened_at__date__lt=start)),
        # As the score counts them: tickets opened by the end of ``day`` (the last complete day), so the
        # page and the score's explanation agree (they once said "0 opened" and "1 opened").
        open_critical=Count("pk", filter=Q(status="open", severity="critical", opened_at__date__lte=end)),
        open_high=Count("pk", filter=Q(status="open", severity="high", opened_at__date__lte=end)),
        total=Count("pk"),
    )
    counts["change"] = kpi.trend_percent(current=counts["opened"], previous=counts["opened_before"])
    return counts


def nps_summary_get(*, day: date, days: int | None = None) -> dict[str, Any]:
    """Return the NPS of the answers in the survey window and how they split."""
    days = days or settings.KEEL_HEALTH["nps_window_days"]
    start, end = _window(day, days)
    counts = NpsResponse.objects.filter(created_at__date__gte=start, created_at__date__lte=end).aggregate(
        promoters=Count("pk", filter=Q(score__gte=9)),
        passives=Count("pk", filter=Q(score__gte=7, score__lte=8)),
        detractors=Count("pk", filter=Q(score__lte=6)),
    )
    counts["answers"] = counts["promoters"] + counts["passives"] + counts["detractors"]
    counts["nps"] = kpi.nps_from_counts(**{k: counts[k] for k in ("promoters", "passives", "detractors")})
    counts["days"] = days
    return counts


def nps_asked(*, respondent_id: int, period: str) -> bool:
    """Return True when this person already answered or dismissed the survey for ``period``."""
    return NpsResponse.objects.filter(respondent_id=respondent_id, period=period).exists()


def time_to_value_get(*, tenant: Tenant) -> timedelta | None:
    """Return the current tenant's time to value: kickoff (else contract start, else onboarding start)
    to the first-value milestone; None while it is not reached (docs/kpis.md, "Time to value")."""
    reached = onboarding.first_value_get()
    if reached is None:
        return None
    started, first_value = reached
    kickoff = kickoff_get(tenant=tenant)
    start = started if kickoff is None else timezone.make_aware(datetime.combine(kickoff, time.min))
    return kpi.ttv_from_kickoff(kickoff=start, first_value=first_value)


def nps_answer_list(*, limit: int = 20) -> list[NpsResponse]:
    """Return the current tenant's latest NPS answers (dismissals left out), newest first.

    Each carries ``respondent_name``: the respondent as ``str(user)`` shows them (their name, or
    their e-mail), read in the same query (users are in the public schema, on the search path);
    None when the user is gone.
    """
    from portal.accounts.models import User

    respondent = User.objects.filter(pk=OuterRef("respondent_id"))
    shown = Coalesce(NullIf("full_name", Value("")), "email", output_field=CharField())
    name = respondent.annotate(shown=shown).values("shown")
    answers = NpsResponse.objects.filter(score__isnull=False).annotate(respondent_name=Subquery(name[:1]))
    return list(answers.order_by("-created_at", "-pk")[:limit])
