"""The Chinese demo tenant's admin signs in from a Chinese browser and reads Keel in Chinese, on Shanghai time.

The page templates are translated in the template pass (issue 17 rewrites them); here the
account page (already marked for translation), the form labels and messages from Python, and
the tenant's own Chinese content carry the language.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import formats, translation
from playwright.sync_api import expect

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

ADMIN = "wang.wei@huaan.example.com"
PASSWORD = "keel-demo-2026"  # seed_demo's default


def test_the_chinese_admin_sees_chinese_pages_and_shanghai_time(keel_server, browser, tmp_path):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(keel_server.url("huaan", "/login/"))
    # Anonymous: the browser asks for Chinese, and the labels come from Python's catalogue.
    page.get_by_label("电子邮箱").fill(ADMIN)
    page.get_by_label("密码").fill(PASSWORD)
    # The password form's button: the log-in page also holds the e-mailed-link form and the confirmation dialog.
    page.locator("form:has(input[type=password]) button[type=submit]").click()

    page.goto(keel_server.url("huaan", "/account/"))
    expect(page.get_by_role("heading", name="您的语言和时区")).to_be_visible()
    text = page.locator("main").inner_text()
    assert "Asia/Shanghai" in text
    now = datetime.now(ZoneInfo("Asia/Shanghai"))
    with translation.override("zh-hans"):
        shown_date = formats.date_format(now, "DATE_FORMAT")
    assert shown_date in text, text  # today in Shanghai, in Chinese date format
    page.screenshot(path=str(tmp_path / "account-1366.png"), full_page=True)

    page.goto(keel_server.url("huaan", "/onboarding/"))
    expect(page.get_by_text("部署探针").first).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "zh-hans"

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(keel_server.url("huaan", "/account/"))
    expect(page.get_by_role("heading", name="您的语言和时区")).to_be_visible()
    page.screenshot(path=str(tmp_path / "account-390.png"), full_page=True)
    context.close()
