"""The figures of a QBR, gathered from live data for a period.

Every section is plain JSON (strings, numbers, lists) because a published report stores
it as its frozen snapshot. A section with no data says so instead of showing zeros.
"""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from onboarding import selectors as onboarding

from .models import Outcome


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _num(value) -> float | None:
    return None if value is None else float(value)


def onboarding_section(*, start: date, end: date) -> dict:
    progress = onboarding.checklist_progress()
    if progress is None:
        return {"available": False}
    done, total = progress
    ttv = onboarding.time_to_value()
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
    overdue = onboarding.overdue_tasks(today=min(end - timedelta(days=1), timezone.localdate()))
    return {
        "overdue_tasks": [
            {"title": t.title, "due_date": t.due_date.isoformat(), "owner_side": t.owner_side} for t in overdue[:20]
        ],
        "overdue_count": len(overdue),
    }


def report_figures(*, period_start: date, period_end: date) -> dict:
    """Return every figure of a QBR for [period_start, period_end) in the current tenant."""
    return {
        "period": {"start": period_start.isoformat(), "end": period_end.isoformat()},
        "generated_at": timezone.now().isoformat(),
        "onboarding": onboarding_section(start=period_start, end=period_end),
        "outcomes": outcomes_section(),
        "risks": risks_section(end=period_end),
    }


def figure_rows(figures: dict) -> list[tuple[str, str, str]]:
    """Flatten figures into (section, figure, value) rows for the CSV export."""
    rows = []
    for section, content in figures.items():
        if not isinstance(content, dict):
            rows.append(("report", section, str(content)))
            continue
        for key, value in content.items():
            if isinstance(value, list):
                for i, item in enumerate(value, start=1):
                    for sub, sub_value in item.items():
                        rows.append((section, f"{key}[{i}].{sub}", "" if sub_value is None else str(sub_value)))
            else:
                rows.append((section, key, "" if value is None else str(value)))
    return rows
