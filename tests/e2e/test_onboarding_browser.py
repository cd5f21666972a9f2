"""A customer works through onboarding in Chromium; the CSM sees it."""

import re

import pytest
from playwright.sync_api import expect

from tests.support.e2e import invitation_path, staff_sign_in

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

CUSTOMER = "ops.lead@e2e.example"
PASSWORD = "a-long-e2e-passphrase"
CSM = "ada.csm@example.com"


def _progress(page) -> str:
    return page.locator(".progress-figure").inner_text()


def test_a_customer_completes_tasks_and_the_csm_sees_it(keel_server, page, browser, tmp_path):
    out = keel_server.manage(
        "tenant_create", "e2e", "--name", "E2E Corp", "--arr", "1000", "--csm", CSM, "--admin-email", CUSTOMER
    )

    # The customer accepts the e-mailed invitation on their subdomain and sets a password.
    page.goto(keel_server.url("e2e", invitation_path(out)))
    page.get_by_label("Your name").fill("Olive Ops")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Join").click()
    expect(page.get_by_role("heading", name="Welcome, Olive")).to_be_visible()

    # Onboarding: nothing done yet; the first step needs a written note as evidence.
    page.get_by_role("link", name="Onboarding", exact=True).click()
    expect(page.locator(".progress-figure")).to_contain_text("0%")
    before = _progress(page)
    page.locator(".task-title", has_text="List your dev, test and production environments").click()
    page.get_by_label("Or a note").fill("dev: eu-dev-1, test: eu-test-1, prod: eu-prod-1")
    page.get_by_role("button", name="Add evidence").click()
    expect(page.get_by_text("Evidence added.")).to_be_visible()
    page.get_by_role("button", name="Mark complete").click()

    # Upload a file as evidence on the next step, then complete it in place (htmx).
    page.get_by_role("link", name="Onboarding", exact=True).click()
    after_first = _progress(page)
    assert after_first != before
    # "Your next step" now points at the step the first one unlocked.
    next_step = page.get_by_role("region", name="Your next step").get_by_role("link")
    expect(next_step).to_have_text("Grant the vendor access to the test environment")
    next_step.click()
    report = tmp_path / "access-approval.pdf"
    report.write_bytes(b"%PDF-1.4\n% approval of vendor access\n")
    page.get_by_label("File").set_input_files(str(report))
    page.get_by_role("button", name="Add evidence").click()
    expect(page.get_by_role("link", name="access-approval.pdf")).to_be_visible()
    page.get_by_role("link", name="← Onboarding").click()
    url_before = page.url
    page.get_by_role("button", name="Complete Grant the vendor access to the test environment").click()
    expect(page.get_by_role("button", name="Reopen Grant the vendor access to the test environment")).to_be_visible()
    assert page.url == url_before  # updated in place, no reload
    expect(page.locator(".progress-figure")).not_to_have_text(after_first)
    done_figure = _progress(page)
    assert re.match(r"\d+% done — 2 of \d+ tasks", done_figure), done_figure

    # The CSM logs in on the same subdomain and sees the progress, the activity and the evidence.
    csm = browser.new_context().new_page()
    staff_sign_in(csm, keel_server.url("e2e", "/login/"), CSM, "keel-demo-2026")
    csm.goto(keel_server.url("e2e", "/onboarding/"))
    expect(csm.locator(".progress-figure")).to_have_text(done_figure)
    expect(csm.locator(".timeline")).to_contain_text(
        "Olive Ops — Completed “Grant the vendor access to the test environment”"
    )
    csm.locator(".task-title", has_text="Grant the vendor access to the test environment").click()
    expect(csm.get_by_role("link", name="access-approval.pdf")).to_be_visible()
    csm.context.close()
