"""The "is the score predictive?" report in Chromium: reached from the KPI board, readable at 390 px.

Set KEEL_SCREENSHOTS to a directory to keep full-page screenshots at 1366 and 390 px.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.support.e2e import staff_sign_in

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

DEMO_PASSWORD = "keel-demo-2026"  # noqa: S105 (the demo seed's)
ADMIN = "admin@example.com"

# Twelve former customers with a year of ledger and weekly scores: the lower scorers churn.
SEED = """
from datetime import date, timedelta
from decimal import Decimal
from metrics.retention.models import Account, Event
from metrics.portfolio.models import HealthScoreDay
for n in range(12):
    account = Account.objects.create(slug=f"former-{n}", name=f"Former customer {n}")
    Event.objects.create(account=account, kind="contract_start", occurred_on=date(2025, 1, 1), arr=Decimal(12000))
    score = 20 + 6 * n
    if n < 4:
        lost_on = date(2026, 5, 1) + timedelta(days=n)
        Event.objects.create(account=account, kind="churn", occurred_on=lost_on, reason="price")
    band = "green" if score >= 70 else "yellow" if score >= 40 else "red"
    HealthScoreDay.objects.bulk_create(
        HealthScoreDay(account=account, day=date(2025, 12, 31) - timedelta(days=7 * w), score=score, band=band)
        for w in range(-30, 5)
    )
"""


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_the_report_opens_from_the_kpi_board_and_fits_a_phone(keel_server, page):
    keel_server.manage("shell", "-c", SEED)
    base = f"http://localhost:{keel_server.port}"
    staff_sign_in(page, f"{base}/login/", ADMIN, DEMO_PASSWORD)
    page.goto(f"{base}/console/kpis/?start=2026-01-01&end=2026-06-30")
    page.get_by_role("link", name="Is the health score predictive?").click()
    expect(page.get_by_role("heading", name="Is the health score predictive?")).to_be_visible()
    expect(page.get_by_text("Too few churns to judge")).to_be_visible()  # 4 churns
    shots = os.environ.get("KEEL_SCREENSHOTS")
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        assert _fits(page), f"horizontal scroll at {width} px"
        if shots:
            page.screenshot(path=str(Path(shots) / f"predictive-{width}.png"), full_page=True)
