"""Signing in as enterprises expect, in Chromium: an e-mailed link, OpenID Connect through a real
provider process, SSO required, and a CSM with TOTP reaching a customer host through the handoff."""

import re

import pytest
from playwright.sync_api import expect

from tests.support.e2e import sign_in_link_path, staff_sign_in
from tests.support.oidc import CLIENT_ID, CLIENT_SECRET, start_provider, stop_provider

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

DEMO_PASSWORD = "keel-demo-2026"  # noqa: S105 (the demo seed's)
CUSTOMER = "soc.lead@acme.example.com"
CUSTOMER_ADMIN = "ciso@acme.example.com"
CSM = "ada.csm@example.com"


def test_a_customer_signs_in_with_an_e_mailed_link(keel_server, page):
    page.goto(keel_server.url("acme", "/login/"))
    page.get_by_label("Your address").fill(CUSTOMER)
    page.get_by_role("button", name="E-mail me a sign-in link").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    link = sign_in_link_path(keel_server.output(), CUSTOMER)
    page.goto(keel_server.url("acme", link))
    page.get_by_role("button", name=f"Sign in as {CUSTOMER}").click()
    expect(page.get_by_role("heading", name="Welcome, Dev")).to_be_visible()
    # The link was used up: it cannot sign anyone in again.
    other = page.context.browser.new_context().new_page()
    other.goto(keel_server.url("acme", link))
    expect(other.get_by_role("heading", name="This sign-in link does not work")).to_be_visible()
    other.context.close()


def test_a_csm_signs_in_with_totp_and_opens_a_customer_host_without_signing_in_again(keel_server, page):
    staff_sign_in(page, f"http://localhost:{keel_server.port}/login/", CSM, DEMO_PASSWORD)
    page.goto(f"http://localhost:{keel_server.port}/console/tenants/acme/")
    page.get_by_role("button", name="Open Acme Security's site").click()
    expect(page).to_have_url(re.compile(r"^http://acme\.localhost:\d+/$"))
    expect(page.get_by_role("heading", name="Welcome, Ada")).to_be_visible()
    # Signing out of the console ends the session it handed off.
    page.goto(f"http://localhost:{keel_server.port}/console/")
    page.get_by_role("button", name="Log out").click()
    page.goto(keel_server.url("acme", "/"))
    expect(page.get_by_role("heading", name="Log in to Acme Security")).to_be_visible()


@pytest.fixture
def provider(keel_server):
    running = start_provider([keel_server.url("acme", "/login/sso/callback/")])
    yield running
    stop_provider(running)
    # The server is shared by every end-to-end test: Acme's people sign in with passwords again.
    forget = "from portal.accounts.models import SsoConfig; SsoConfig.objects.filter(tenant__slug='acme').delete()"
    keel_server.manage("shell", "-c", forget)


def test_a_customer_signs_in_through_the_company_provider_and_then_only_that_way(keel_server, browser, provider):
    admin = browser.new_context().new_page()
    admin.goto(keel_server.url("acme", "/login/"))
    admin.get_by_label("E-mail").fill(CUSTOMER_ADMIN)
    admin.get_by_label("Password").fill(DEMO_PASSWORD)
    admin.get_by_role("button", name="Log in").click()
    admin.goto(keel_server.url("acme", "/account/sso/"))
    admin.get_by_label("Offer single sign-on").check()
    admin.get_by_label("Issuer URL").fill(provider.issuer)
    admin.get_by_label("Client ID").fill(CLIENT_ID)
    admin.get_by_label("Client secret").fill(CLIENT_SECRET)
    admin.get_by_label("Allowed e-mail domains").fill("acme.example.com")
    admin.get_by_role("button", name="Save").click()
    expect(admin.get_by_text("Single sign-on settings saved.")).to_be_visible()

    customer = browser.new_context().new_page()
    customer.goto(keel_server.url("acme", "/login/"))
    customer.get_by_role("button", name="Sign in with your company account").click()
    expect(customer.get_by_role("heading", name="Test identity provider")).to_be_visible()
    customer.get_by_label("Work e-mail").fill(CUSTOMER)
    customer.get_by_role("button", name="Continue").click()
    expect(customer.get_by_role("heading", name="Welcome, Dev")).to_be_visible()
    customer.context.close()

    admin.get_by_label("Require single sign-on").check()
    admin.get_by_role("button", name="Save").click()
    expect(admin.get_by_text("Single sign-on settings saved.")).to_be_visible()
    admin.context.close()

    refused = browser.new_context().new_page()
    refused.goto(keel_server.url("acme", "/login/"))
    refused.get_by_label("E-mail").fill(CUSTOMER)
    refused.get_by_label("Password").fill(DEMO_PASSWORD)
    refused.get_by_role("button", name="Log in").click()
    expect(refused.get_by_text("Acme Security requires single sign-on")).to_be_visible()
    expect(refused.get_by_label("Your address")).to_have_count(0)  # no e-mailed codes either
    refused.context.close()
