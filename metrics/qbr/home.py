"""The latest published review on the customer home page (a ``KEEL_CUSTOMER_HOME_PANELS`` entry)."""

from typing import Any

from .models import Report


def latest_review_panel(request: Any) -> dict[str, Any] | None:
    report = Report.objects.filter(published_at__isnull=False).order_by("-period_start").first()
    if report is None:
        return None
    return {"template": "qbr/_home_panel.html", "report": report}
