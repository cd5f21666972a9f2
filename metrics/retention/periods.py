"""Reporting periods for the retention figures: quarter and year presets, last four quarters."""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext


@dataclass(frozen=True, slots=True)
class Span:
    key: str
    label: str
    start: date
    end: date


def quarter_of(day: date) -> tuple[date, date]:
    """Return the first and last day of the calendar quarter holding ``day``."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    last_month = first_month + 2
    return date(day.year, first_month, 1), date(day.year, last_month, calendar.monthrange(day.year, last_month)[1])


def quarter_label(start: date) -> str:
    return f"{start.year} Q{(start.month - 1) // 3 + 1}"


def last_quarters(today: date, count: int = 4) -> list[Span]:
    """Return the last ``count`` complete quarters before ``today``, oldest first."""
    spans = []
    start, _ = quarter_of(today)
    for _ in range(count):
        start, end = quarter_of(start - timedelta(days=1))
        spans.append(
            Span(key=f"q{start.year}{(start.month - 1) // 3 + 1}", label=quarter_label(start), start=start, end=end)
        )
    return spans[::-1]


def presets(today: date) -> list[Span]:
    """Return the period presets offered next to the date pickers, the default first."""
    last_q = last_quarters(today, 1)[0]
    q_start, _ = quarter_of(today)
    return [
        Span("last_12_months", gettext("Last 12 months"), today - timedelta(days=364), today),
        Span(
            "last_quarter",
            gettext("Last quarter (%(quarter)s)") % {"quarter": last_q.label},
            last_q.start,
            last_q.end,
        ),
        Span("quarter_to_date", gettext("This quarter to date"), q_start, today),
        Span(
            "last_year",
            gettext("Last year (%(year)s)") % {"year": today.year - 1},
            date(today.year - 1, 1, 1),
            date(today.year - 1, 12, 31),
        ),
        Span("year_to_date", gettext("This year to date"), date(today.year, 1, 1), today),
    ]
