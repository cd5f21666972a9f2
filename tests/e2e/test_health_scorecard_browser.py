"""The health scorecard in Chromium: an admin previews a change of band thresholds, then saves it.

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

# Every demo customer scored 66 from the same components, so "green from 65" moves them all.
SEED = """
from django.utils import timezone
from metrics.portfolio.models import HealthSnapshot
from portal.tenancy.models import Tenant
parts = [{"key": k, "score": 66} for k in ("usage", "adoption", "support", "nps", "onboarding")]
for tenant in Tenant.objects.customers():
    HealthSnapshot.objects.update_or_create(
        tenant=tenant, defaults={"day": timezone.localdate(), "score": 66, "band": "yellow", "components": parts}
    )
"""


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def _shoot(page, name: str) -> None:
    shots = os.environ.get("KEEL_SCREENSHOTS")
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        if shots:
            page.screenshot(path=str(Path(shots) / f"{name}-{width}.png"), full_page=True)
        assert _fits(page), f"horizontal scroll at {width} px"
    page.set_viewport_size({"width": 1366, "height": 900})


def test_an_admin_previews_and_saves_a_new_scorecard_version(keel_server, page):
    keel_server.manage("shell", "-c", SEED)
    base = f"http://localhost:{keel_server.port}"
    staff_sign_in(page, f"{base}/login/", ADMIN, DEMO_PASSWORD)
    page.goto(f"{base}/console/kpis/")
    page.get_by_role("link", name="Health scorecard").click()
    expect(page.get_by_role("heading", name="Health scorecard", exact=True)).to_be_visible()
    for tier in ("strategic", "key", "standard"):
        page.locator(f"#id_{tier}-green_from").fill("65")
    page.get_by_role("button", name="Preview the band changes").click()
    expect(page.get_by_role("heading", name="would change band")).to_be_visible()
    _shoot(page, "scorecard-preview")
    page.get_by_label("Why it changes").fill("Green from 65 after the Q3 review")
    page.get_by_role("button", name="Save as version 2").click()
    expect(page.get_by_text("Scorecard version 2 saved")).to_be_visible()
    expect(page.get_by_role("cell", name="Green from 65 after the Q3 review")).to_be_visible()
