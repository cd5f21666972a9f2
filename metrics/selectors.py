"""Reads of the current tenant's metrics (its schema must be active), for pages and QBRs."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q

from . import kpi
from .models import DailyUsage, Feature, HealthScore, NpsResponse, SupportTicket
from .sql import table


def _window(day: date, days: int) -> tuple[date, date]:
    return day - timedelta(days=days - 1), day


def health_score_list(*, day: date, days: int = 90) -> list[HealthScore]:
    """Return the stored daily scores of the last ``days`` days ending on ``day``, oldest first."""
    start, end = _window(day, days)
    return list(HealthScore.objects.filter(day__gte=start, day__lte=end).order_by("day"))


def daily_active_user_list(*, day: date, days: int = 90) -> list[tuple[date, int]]:
    """Return (day, distinct active users) for every day of the window, zeros included."""
    start, end = _window(day, days)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT day, count(DISTINCT user_ref) FROM {table(DailyUsage)} WHERE day BETWEEN %s AND %s GROUP BY day",
            [start, end],
        )
        counts = dict(cursor.fetchall())
    return [(start + timedelta(days=n), counts.get(start + timedelta(days=n), 0)) for n in range(days)]


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
        open_critical=Count("pk", filter=Q(status="open", severity="critical")),
        open_high=Count("pk", filter=Q(status="open", severity="high")),
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


def nps_answer_list(*, limit: int = 20) -> list[NpsResponse]:
    """Return the current tenant's latest NPS answers (dismissals left out), newest first."""
    return list(NpsResponse.objects.filter(score__isnull=False).order_by("-created_at", "-pk")[:limit])
