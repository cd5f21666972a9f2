"""The design system's behaviours in Chromium: confirmation dialogs, the phone menu, keyboard use."""

import pytest
from playwright.sync_api import expect

from tests.support.e2e import sign_in

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

PASSWORD = "keel-demo-2026"


def _log_in(page, server, host: str, email: str) -> None:
    sign_in(page, server.url(host, "/login/") if host else f"http://localhost:{server.port}/login/", email, PASSWORD)
    page.wait_for_load_state()


def test_reopening_a_task_asks_first_and_cancel_sends_nothing(keel_server, page):
    _log_in(page, keel_server, "globex", "it.director@globex.example.com")
    page.goto(keel_server.url("globex", "/onboarding/"))
    sent = []
    page.on("request", lambda r: "/reopen/" in r.url and sent.append(r.url))
    page.get_by_role("button", name="Reopen").last.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Reopen")
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()  # the safe choice has the focus
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert sent == []
    page.get_by_role("button", name="Reopen").last.click()
    with page.expect_response(lambda r: "/reopen/" in r.url):  # confirmed: sent, answered in place (htmx)
        page.get_by_role("dialog").get_by_role("button", name="Reopen").click()
    assert len(sent) == 1


def test_suspending_a_tenant_is_confirmed_in_red(keel_server, page):
    _log_in(page, keel_server, "", "admin@example.com")
    page.goto(f"http://localhost:{keel_server.port}/console/tenants/initech/")
    page.get_by_label("Reason").fill("Contract ended")
    page.get_by_role("button", name="Suspend").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Suspend Initech Health?")
    confirm = dialog.get_by_role("button", name="Suspend")
    expect(confirm).to_have_class("danger")
    dialog.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("button", name="Suspend (read-only, no customer logins)")).to_be_visible()


def test_on_a_phone_the_menu_opens_with_the_keyboard_and_the_skip_link_works(keel_server, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    _log_in(page, keel_server, "acme", "analyst@acme.example.com")
    page.goto(keel_server.url("acme", "/"))
    team = page.get_by_role("link", name="Team")
    expect(team).to_be_hidden()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_be_focused()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(team).to_be_visible()
    page.keyboard.press("Escape")
    expect(team).to_be_hidden()
    context.close()
