"""A CSM's day in Chromium: the CTA of a stalled customer, the account 360, a QBR from the console."""

import re

import pytest
from playwright.sync_api import expect

from tests.support.e2e import sign_in

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

CSM = "ada.csm@example.com"
PASSWORD = "keel-demo-2026"  # the demo seed's password for everyone
CUSTOMER_ADMIN = {"acme": "ciso", "globex": "it.director", "initech": "cto"}


def _log_in(page, url: str, email: str) -> None:
    sign_in(page, url, email, PASSWORD)


def test_a_csm_works_a_stall_cta_through_the_360_and_a_console_qbr(keel_server, page, browser):
    # Arrange a stalled onboarding: Acme's open tasks are ten days overdue.
    keel_server.manage(
        "shell",
        "-c",
        "from datetime import timedelta; from django.utils import timezone;"
        "from onboarding.models import Task; from portal.tenancy.models import Tenant\n"
        "with Tenant.objects.get(slug='acme'):\n"
        "    Task.objects.filter(status='todo').update(due_date=timezone.localdate() - timedelta(days=10))",
    )
    keel_server.manage("stall_detect", "--tenant", "acme")
    out = keel_server.manage("cta_evaluate")
    assert "CTAs opened" in out

    # The CSM signs in on the console and lands on their book, the queue first.
    console = f"http://localhost:{keel_server.port}"
    _log_in(page, console + "/login/", CSM)
    expect(page.get_by_role("heading", name="My book")).to_be_visible()
    queue = page.get_by_role("region", name=re.compile("call.* to action"))
    stall = queue.get_by_role("link", name="Onboarding stalled").first
    expect(stall).to_be_visible()
    slug = re.search(r"/tenants/([\w-]+)/ctas/", stall.get_attribute("href")).group(1)
    cta_path = stall.get_attribute("href")

    # The CTA says why, with the stall as evidence; the CSM opens the account 360.
    stall.click()
    expect(page.get_by_role("heading", name=re.compile("Onboarding stalled"))).to_be_visible()
    expect(page.get_by_role("link", name="Stall episode")).to_be_visible()
    page.get_by_role("link", name="Onboarding in the account 360").click()
    expect(page.get_by_role("heading", name="Health", exact=True)).to_be_visible()
    expect(page.get_by_role("region", name="Onboarding")).to_contain_text("stalled since")

    # A QBR drafted, edited and published from the console: no second sign-in.
    page.get_by_role("link", name="Prepare a QBR").click()
    page.get_by_role("button", name="Start the draft").click()
    expect(page.get_by_text("Draft QBR")).to_be_visible()
    page.get_by_label("Summary").fill("Onboarding slowed down; we agreed a **recovery plan**.")
    page.get_by_role("button", name="Save narrative").click()
    expect(page.get_by_text("Narrative saved.")).to_be_visible()
    page.get_by_role("button", name=re.compile("Publish QBR")).click()
    expect(page.get_by_text(re.compile("sees it on their site now"))).to_be_visible()
    review_link = page.get_by_role("link", name="The customer's view").get_attribute("href")

    # Back to the CTA: closed with an outcome, it leaves the queue.
    page.goto(console + cta_path)
    page.get_by_label("Resolved", exact=True).check()
    page.get_by_label("Note").fill("Recovery plan agreed in the QBR.")
    page.get_by_role("button", name="Close the CTA").click()
    expect(page.get_by_text("CTA closed.")).to_be_visible()
    expect(page.get_by_text(re.compile("Closed: Resolved"))).to_be_visible()

    # The customer signs in on their own host and reads the published QBR.
    customer = browser.new_context().new_page()
    _log_in(customer, keel_server.url(slug, "/login/"), f"{CUSTOMER_ADMIN[slug]}@{slug}.example.com")
    customer.goto(review_link)
    expect(customer.get_by_role("heading", name=re.compile("QBR"))).to_be_visible()
    expect(customer.locator("strong", has_text="recovery plan")).to_be_visible()
    customer.context.close()
