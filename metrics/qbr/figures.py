"""The figures of a QBR, gathered from live data for a period.

Every section is plain JSON (strings, numbers, lists) because a published report stores
it as its frozen snapshot. A section with no data says so instead of showing zeros.
"""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from metrics import selectors as metrics
from metrics.models import NpsResponse, SeatCount
from onboarding import selectors as onboarding
from portal.tenancy.clock import tenant_today

from .models import Outcome

# Core-feature adoption target (seed 002: 60–80 %); below it a feature is an expansion lead.
ADOPTION_TARGET = 0.6
# Seat use at or above this share of the licence is an expansion lead.
SEATS_NEAR_LIMIT = 0.9


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _num(value) -> float | None:
    return None if value is None else float(value)


def onboarding_section(*, start: date, end: date) -> dict:
    progress = onboarding.checklist_progress_get()
    if progress is None:
        return {"available": False}
    done, total = progress
    ttv = onboarding.time_to_value_get()
    return {
        "available": True,
        "completed": done,
        "total": total,
        "percent": round(100 * done / total) if total else 0,
        "completed_in_period": onboarding.tasks_completed_between(start=_aware(start), end=_aware(end)),
        "ttv_days": round(ttv.total_seconds() / 86400, 1) if ttv is not None else None,
    }


def outcomes_section() -> dict:
    rows = [
        {
            "title": o.title,
            "unit": o.unit,
            "direction": o.direction,
            "baseline": _num(o.baseline),
            "target": _num(o.target),
            "current": _num(o.current_value),
            "achieved": o.achieved,
            "progress_percent": o.progress_percent,
            "due_date": o.due_date.isoformat() if o.due_date else None,
            "signed_off": o.signed_off_at is not None,
        }
        for o in Outcome.objects.all()
    ]
    return {"promised": len(rows), "achieved": sum(r["achieved"] for r in rows), "rows": rows}


def risks_section(*, end: date) -> dict:
    overdue = onboarding.task_overdue_list(today=_last_day(end))
    return {
        "overdue_tasks": [
            {"title": t.title, "due_date": t.due_date.isoformat(), "owner_side": t.owner_side}  # type: ignore[union-attr]  # overdue: has a due date
            for t in overdue[:20]
        ],
        "overdue_count": len(overdue),
    }


def _last_day(end: date) -> date:
    """The period's last complete day: a draft of the running quarter stops yesterday."""
    return min(end - timedelta(days=1), tenant_today() - timedelta(days=1))


def _days(start: date, end: date) -> int:
    return max((_last_day(end) - start).days + 1, 1)


def health_section(*, start: date, end: date) -> dict:
    history = metrics.health_score_list(day=_last_day(end), days=_days(start, end))
    if not history:
        return {"available": False}
    latest = history[-1]
    red_below = settings.KEEL_HEALTH["bands"]["yellow"]
    return {
        "available": True,
        "series": [[h.day.isoformat(), h.score] for h in history],
        "latest": {"day": latest.day.isoformat(), "score": latest.score, "band": latest.band},
        "first": history[0].score,
        "drivers": latest.drivers[:3],
        "red_components": [c["label"] for c in latest.components if c["score"] is not None and c["score"] < red_below],
    }


def adoption_section(*, start: date, end: date) -> dict:
    active, rows = metrics.feature_adoption_list(day=_last_day(end), days=_days(start, end))
    return {
        "active_users": active,
        "features": [
            {"name": r.name, "core": r.is_core, "users": r.users, "rate": None if r.rate is None else round(r.rate, 3)}
            for r in rows
        ],
    }


def usage_section(*, start: date, end: date) -> dict:
    series = metrics.daily_active_user_list(day=_last_day(end), days=_days(start, end))
    trend = metrics.usage_trend_get(day=_last_day(end), days=_days(start, end))
    return {"series": [[d.isoformat(), n] for d, n in series], **trend}


def nps_section(*, start: date, end: date) -> dict:
    summary = metrics.nps_summary_get(day=_last_day(end), days=_days(start, end))
    comments = (
        NpsResponse.objects.filter(created_at__gte=_aware(start), created_at__lt=_aware(end), score__isnull=False)
        .exclude(comment="")
        .order_by("-created_at")
        .values_list("score", "comment")[:5]
    )
    return {**summary, "comments": [{"score": score, "comment": comment} for score, comment in comments]}


def tickets_section(*, start: date, end: date) -> dict:
    return metrics.ticket_facts_get(day=_last_day(end), days=_days(start, end))


def expansion_section(adoption: dict) -> dict:
    not_adopted = [
        f["name"] for f in adoption["features"] if f["core"] and (f["rate"] is None or f["rate"] < ADOPTION_TARGET)
    ]
    unused = [f["name"] for f in adoption["features"] if not f["core"] and f["users"] == 0]
    seats = SeatCount.objects.order_by("-day").first()
    seat_use = None
    if seats and seats.seats:
        seat_use = round(adoption["active_users"] / seats.seats, 3)
    return {
        "core_below_target": not_adopted,
        "unused_features": unused,
        "seats": seats.seats if seats else None,
        "seat_use": seat_use,
        "seats_near_limit": seat_use is not None and seat_use >= SEATS_NEAR_LIMIT,
    }


def report_figures(*, period_start: date, period_end: date) -> dict:
    """Return every figure of a QBR for [period_start, period_end) in the current tenant."""
    adoption = adoption_section(start=period_start, end=period_end)
    return {
        "period": {"start": period_start.isoformat(), "end": period_end.isoformat()},
        "generated_at": timezone.now().isoformat(),
        "health": health_section(start=period_start, end=period_end),
        "adoption": adoption,
        "usage": usage_section(start=period_start, end=period_end),
        "onboarding": onboarding_section(start=period_start, end=period_end),
        "nps": nps_section(start=period_start, end=period_end),
        "tickets": tickets_section(start=period_start, end=period_end),
        "outcomes": outcomes_section(),
        "risks": risks_section(end=period_end),
        "expansion": expansion_section(adoption),
    }


def figure_rows(figures: dict) -> list[tuple[str, str, str]]:
    """Flatten figures into (section, figure, value) rows for the CSV export."""
    rows = []
    for section, content in figures.items():
        if not isinstance(content, dict):
            rows.append(("report", section, str(content)))
            continue
        for key, value in content.items():
            if isinstance(value, dict):
                for sub, sub_value in value.items():
                    rows.append((section, f"{key}.{sub}", "" if sub_value is None else str(sub_value)))
            elif isinstance(value, list):
                for i, item in enumerate(value, start=1):
                    if isinstance(item, dict):
                        for sub, sub_value in item.items():
                            rows.append((section, f"{key}[{i}].{sub}", "" if sub_value is None else str(sub_value)))
                    elif isinstance(item, list):  # a time series: [day, value]
                        rows.append((section, f"{key}[{item[0]}]", "" if item[1] is None else str(item[1])))
                    else:
                        rows.append((section, f"{key}[{i}]", str(item)))
            else:
                rows.append((section, key, "" if value is None else str(value)))
    return rows
