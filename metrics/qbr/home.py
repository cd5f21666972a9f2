"""The latest published review on the customer home page (a ``KEEL_CUSTOMER_HOME_PANELS`` entry)."""

from typing import Any

from .models import Report


def latest_review_panel(request: Any) -> dict[str, Any] | None:
    # What the card shows only: a report's texts and figures stay in the database.
    latest = Report.objects.filter(published_at__isnull=False).order_by("-period_start")
    report = latest.only("pk", "period_start", "published_at").first()
    if report is None:
        return None
    return {"template": "qbr/_home_panel.html", "report": report}
