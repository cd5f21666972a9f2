"""Helpers for the end-to-end tests (fixtures are in tests/e2e/conftest.py)."""

import re


def invitation_path(output: str) -> str:
    """Return the /invite/<token>/ path in a command's output."""
    found = re.search(r"https?://[^/\s]+(/invite/\S+/)", output)
    assert found, f"No invitation link in:\n{output}"
    return found.group(1)


LINK = re.compile(r"https?://[^/\s]+(/login/email/[\w-]+/)")

# TOTP secrets of the staff who enrolled in this test session (the e2e database lives as long).
_TOTP_SECRETS: dict[str, str] = {}
_LAST_CODE: dict[str, str] = {}


def sign_in_link_path(output: str, email: str) -> str:
    """Return the last sign-in link the server e-mailed to ``email`` (printed by the console mail backend)."""
    import email as email_lib
    from email import policy

    bodies = []
    for chunk in output.split("-" * 79):
        first_header = re.search(r"^(Content-Type|MIME-Version|Subject|From|To):", chunk, re.MULTILINE)
        if first_header is None or f"To: {email}" not in chunk:
            continue
        message = email_lib.message_from_string(chunk[first_header.start() :], policy=policy.default)
        bodies.append(message.get_body(("plain",)).get_content())  # the text part: the HTML one is quoted-printable
    assert bodies, f"No e-mail to {email} in the server output"
    found = LINK.findall(bodies[-1])
    assert found, f"No sign-in link in:\n{bodies[-1]}"
    return found[-1]


def totp_code(email: str) -> str:
    """Return the current code for ``email``, computed by pyotp; wait for a fresh one if it was used."""
    import time

    import pyotp

    totp = pyotp.TOTP(_TOTP_SECRETS[email])
    code = totp.now()
    while code == _LAST_CODE.get(email):  # a code is accepted once (django-otp): wait for the next step
        time.sleep(1)
        code = totp.now()
    _LAST_CODE[email] = code
    return code


def staff_sign_in(page, url: str, email: str, password: str) -> None:
    """Sign in at ``url`` (a /login/ page) with a password, then the TOTP step: set-up the first time.

    Fields are found by name, not by label, so it works in every language the person reads Keel in.
    """
    from playwright.sync_api import expect

    _password_step(page, url, email, password)
    if email not in _TOTP_SECRETS:
        expect(page.locator("#totp-secret")).to_be_visible()
        _TOTP_SECRETS[email] = page.locator("#totp-secret").inner_text().replace(" ", "")
        page.locator("input[name=token]").fill(totp_code(email))
        page.locator("form:has(input[name=token]) button[type=submit]").click()
        expect(page.locator(".recovery-codes")).to_be_visible()
        page.locator(".recovery-codes ~ p a").click()
        return
    expect(page.locator("input[name=token]")).to_be_visible()
    page.locator("input[name=token]").fill(totp_code(email))
    page.locator("form:has(input[name=token]) button[type=submit]").click()


def _password_step(page, url: str, email: str, password: str) -> None:
    page.goto(url)
    page.locator("input[name=username]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("form:has(input[name=password]) button[type=submit]").click()


def is_staff_address(email: str) -> bool:
    """The demo's vendor staff sign in as <name>@example.com; customers at <name>@<tenant>.example.com."""
    return email.rsplit("@", 1)[-1] == "example.com"


def sign_in(page, url: str, email: str, password: str) -> None:
    """Sign in at ``url`` (a /login/ page): staff with their password and a TOTP code, customers with a password."""
    if is_staff_address(email):
        staff_sign_in(page, url, email, password)
        return
    _password_step(page, url, email, password)
