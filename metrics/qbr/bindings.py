"""Outcomes bound to a metric: the metric's current value becomes the outcome's value."""

from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from metrics import selectors as metrics
from metrics.models import Feature
from portal.tenancy.clock import tenant_today

SIMPLE = {"nps", "active_users", "open_critical_tickets"}


def validate_metric(metric: str) -> None:
    """Raise ValidationError unless ``metric`` names something Keel measures for this tenant."""
    if not metric or metric in SIMPLE:
        return
    kind, _, key = metric.partition(":")
    if kind == "adoption" and Feature.objects.filter(key=key).exists():
        return
    raise ValidationError(
        {
            "metric": gettext(
                "Unknown metric %(metric)s: use nps, active_users, open_critical_tickets or adoption:<feature>."
            )
            % {"metric": repr(metric)}
        }
    )


def metric_value(metric: str) -> Decimal | None:
    """Return the metric's value as of yesterday (the last complete day), or None without data."""
    day = tenant_today() - timedelta(days=1)
    if metric == "nps":
        value = metrics.nps_summary_get(day=day)["nps"]
    elif metric == "active_users":
        value, _ = metrics.feature_adoption_list(day=day)
    elif metric == "open_critical_tickets":
        value = metrics.ticket_facts_get(day=day)["open_critical"]
    else:
        key = metric.partition(":")[2]
        _, rows = metrics.feature_adoption_list(day=day)
        rate = next((r.rate for r in rows if r.key == key), None)
        value = None if rate is None else rate * 100
    return None if value is None else Decimal(str(round(value, 2)))
