"""The figures of a QBR, gathered from live data for a period.

Every section is plain JSON (strings, numbers, lists) because a published report stores
it as its frozen snapshot. A section with no data says so instead of showing zeros.
"""

from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import pgettext_lazy

from metrics import kpi
from metrics import selectors as metrics
from metrics.models import NpsResponse, SeatCount
from metrics.portfolio.selectors import scorecard_rules_get
from onboarding import selectors as onboarding
from portal.accounts.access import current_tenant
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
    ttv = metrics.time_to_value_get(tenant=current_tenant())
    return {
        "available": True,
        "completed": done,
        "total": total,
        "percent": int(kpi.round_half_up(100 * done / total)) if total else 0,
        "completed_in_period": onboarding.tasks_completed_between(start=_aware(start), end=_aware(end)),
        "ttv_days": kpi.ttv_days(ttv),
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
    # The bands of the scorecard version the latest score used (docs/kpis.md, "Health scorecard").
    bands = scorecard_rules_get(tier=latest.tier, version=latest.scorecard_version).bands
    red_below = bands["yellow"]
    return {
        "available": True,
        "bands": bands,
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
        # Over the licence is not "near the limit": the page says which, with the multiple.
        "seats_near_limit": seat_use is not None and SEATS_NEAR_LIMIT <= seat_use <= 1,
        "seats_over_limit": seat_use is not None and seat_use > 1,
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


CSV_HEADER = (
    pgettext_lazy("QBR CSV column", "section"),
    pgettext_lazy("QBR CSV column", "metric"),
    pgettext_lazy("QBR CSV column", "period"),
    pgettext_lazy("QBR CSV column", "value"),
    pgettext_lazy("QBR CSV column", "unit"),
)


def figure_rows(figures: dict, *, label: str) -> list[tuple[str, str, str, object, str]]:
    """The figures in tidy long form for the CSV: one (section, metric, period, value, unit) row per figure.

    ``period`` is the review's quarter (``label``, e.g. "2026 Q3") for quarter figures, the day for
    daily ones, "previous quarter" for comparisons and "now" for states at the time of the figures.
    A figure that has no value (no answers, not measured) is left out rather than written empty.
    """
    rows: list[tuple[str, str, str, object, str]] = []

    def add(section: str, metric: str, period: str, value: object, unit: str) -> None:
        if value is not None:
            rows.append((section, metric, period, value, unit))

    # A section missing from ``figures`` is skipped (a partial report, or a test of one section).
    health = figures.get("health") or {}
    if health.get("available"):
        add("health", "score at the start", label, health["first"], "points")
        add("health", "score", health["latest"]["day"], health["latest"]["score"], "points")
        for day, score in health["series"]:
            add("health", "daily score", day, score, "points")
    adoption = figures.get("adoption") or {}
    add("adoption", "active users", label, adoption.get("active_users"), "users")
    for feature in adoption.get("features", []):
        add("adoption", f"{feature['name']}: users", label, feature["users"], "users")
        add("adoption", f"{feature['name']}: adoption", label, _percent(feature["rate"]), "percent")
    usage = figures.get("usage") or {}
    add("usage", "active user-days", label, usage.get("current"), "user-days")
    add("usage", "active user-days", "previous quarter", usage.get("previous"), "user-days")
    add("usage", "change on the previous quarter", label, usage.get("change"), "percent")
    for day, users in usage.get("series", []):
        add("usage", "daily active users", day, users, "users")
    nps = figures.get("nps") or {}
    if nps.get("answers"):
        add("nps", "NPS", label, kpi.nps_round(nps["nps"]), "score")  # rounded as every page shows it
        for key in ("answers", "promoters", "passives", "detractors"):
            add("nps", key, label, nps[key], "answers")
    tickets = figures.get("tickets") or {}
    add("tickets", "opened", label, tickets.get("opened"), "tickets")
    add("tickets", "opened", "previous quarter", tickets.get("opened_before"), "tickets")
    add("tickets", "critical still open", "now", tickets.get("open_critical"), "tickets")
    add("tickets", "high still open", "now", tickets.get("open_high"), "tickets")
    onboarding = figures.get("onboarding") or {}
    if onboarding.get("available"):
        add("onboarding", "done", "now", onboarding["percent"], "percent")
        add("onboarding", "tasks completed", "now", onboarding["completed"], "tasks")
        add("onboarding", "tasks", "now", onboarding["total"], "tasks")
        add("onboarding", "tasks completed", label, onboarding["completed_in_period"], "tasks")
        add("onboarding", "time to first value", "now", onboarding["ttv_days"], "days")
    outcomes = figures.get("outcomes") or {}
    add("outcomes", "outcomes achieved", "now", outcomes.get("achieved"), "outcomes")
    add("outcomes", "outcomes promised", "now", outcomes.get("promised"), "outcomes")
    for outcome in outcomes.get("rows", []):
        for key, metric in (("baseline", "baseline"), ("target", "target"), ("current", "now")):
            add("outcomes", f"{outcome['title']}: {metric}", "now", outcome[key], outcome["unit"])
        add("outcomes", f"{outcome['title']}: progress", "now", outcome["progress_percent"], "percent")
    add("risks", "overdue onboarding tasks", "now", (figures.get("risks") or {}).get("overdue_count"), "tasks")
    expansion = figures.get("expansion") or {}
    add("expansion", "seats", "now", expansion.get("seats"), "seats")
    add("expansion", "seats in use", "now", _percent(expansion.get("seat_use")), "percent")
    return rows


def _percent(rate: float | None) -> float | None:
    return None if rate is None else round(100 * rate, 1)
