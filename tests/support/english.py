"""Find English left on a page rendered in Chinese, and crawl every page a user can reach.

``english_in(html)`` reads what a person sees or hears — text nodes, the page title and the
``title``, ``aria-label``, ``placeholder`` and ``alt`` attributes and button values — and returns
each run of Latin-letter words that is not a product name, an acronym or a code. ``crawl``
follows the same-host links of a signed-in (or anonymous) client, breadth first, from some
start pages, and returns each HTML page it reached with the English found on it.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

# Names and codes that stay as they are in every language.
ALLOWED = {
    "Keel",
    "Feishu",
    "Lark",
    "DingTalk",
    "WeCom",
    "Slack",
    "Markdown",
    "Chromium",
    "Google",
    "Microsoft",
    "Okta",
    "Authenticator",
    "English",  # a language's own name in the language picker
    "huaan",  # the tenant's slug
    "webhook",
    "Webhook",
    # Products named on the sign-in and branding pages.
    "PowerPoint",
    "OpenID Connect",
    "Entra",
    "Google Workspace",
    "Keycloak",
    "FreeOTP",
    "/.well-known/openid-configuration",  # a URL path in the single sign-on help
    "Django",  # the framework's own name: "Django 管理后台" links to its admin site
}
# Text inside these elements is code, data or machine output, not sentences to translate.
SKIP_ELEMENTS = {"script", "style", "code", "kbd", "samp", "pre", "svg", "template"}
READ_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt", "aria-description"}
# Words: Latin letters with inner apostrophes or hyphens. Acronyms (NPS, ARR, CSV, QBR, TOTP) pass.
WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*[A-Za-z]|[A-Za-z]")
RUN = re.compile(r"[A-Za-z][A-Za-z'’\-]*(?:[ \t\r\n,;:.!?()/&]+[A-Za-z][A-Za-z'’\-]*)*")
NOT_WORDS = re.compile(
    r"\S+@\S+"  # e-mail addresses
    r"|\b(?:https?://|www\.)\S+"  # addresses
    r"|\b[\w-]+(?:\.[\w-]+)+\b"  # host names, dotted codes, file names
    r"|\b\w*\d\w*\b"  # codes with digits (ISO dates, keys, versions)
    r"|\b\w+_\w+\b"  # identifiers: setting names such as KEEL_HEALTH, field names
    r"|\b[A-Z][\w\-]*(?:/[\w\-]+)+"  # time zone names such as Asia/Shanghai, America/Port-au-Prince
    r"|\b[A-Z]{2,}s?\b"  # acronyms
)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.links: list[str] = []
        self._skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in SKIP_ELEMENTS or values.get("translate") == "no":
            self._skipping.append(tag)
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")
        if self._skipping:
            return
        self.texts.extend(value for name, value in attrs if name in READ_ATTRIBUTES and value)
        # An input button shows its value; a <button>'s value is only submitted (its content is what shows).
        if tag == "input" and values.get("type") in {"submit", "button", "reset"} and values.get("value"):
            self.texts.append(values["value"] or "")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if self._skipping and self._skipping[-1] == tag:
            self._skipping.pop()

    def handle_endtag(self, tag: str) -> None:
        if self._skipping and self._skipping[-1] == tag:
            self._skipping.pop()

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.texts.append(data)


def _read(html: str) -> _Reader:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader


def english_in(html: str, *, allowed: Iterable[str] = ()) -> list[str]:
    """Return the English phrases on the page (sorted, each once)."""
    allow = ALLOWED | set(allowed)
    found: set[str] = set()
    # A name counts where it stands alone (Chinese text may touch it: "通过Feishu通知"); inside an
    # address or a host name (the slug in http://huaan.localhost/) it is part of that code, which
    # NOT_WORDS then removes whole.
    names = [
        re.compile(rf"(?<![A-Za-z0-9_@/.-]){re.escape(phrase)}(?![A-Za-z0-9_@/-]|\.[A-Za-z0-9])")
        for phrase in sorted(allow, key=len, reverse=True)  # "Google Workspace" before "Google"
    ]
    for text in _read(html).texts:
        for name in names:
            text = name.sub(" ", text)
        text = NOT_WORDS.sub(" ", text)
        for run in RUN.finditer(text):
            words = WORD.findall(run.group())
            # One letter (a list marker, a unit) is not a sentence.
            if any(len(word) > 1 for word in words):
                found.add(" ".join(run.group().split()))
    return sorted(found)


SKIP_PATHS = ("/static/", "/media/", "/admin/", "/logout", "/accounts/logout", "/i18n/")


def crawl(client, starts: Iterable[str], *, limit: int = 400, per_path: int = 2, allowed: Iterable[str] = ()):
    """Visit every same-host page linked from ``starts``; return ``{url: [english phrases]}`` for HTML pages.

    Each path is visited with at most ``per_path`` different query strings (filters and pages
    render the same template). Downloads and non-HTML answers are visited but not read.
    """
    queue = deque(starts)
    seen: set[str] = set()
    queries: dict[str, int] = {}
    pages: dict[str, list[str]] = {}
    while queue and len(seen) < limit:
        url = queue.popleft()
        parts = urlsplit(url)
        if parts.netloc or url in seen or parts.path.startswith(SKIP_PATHS):
            continue
        if parts.query:
            if queries.get(parts.path, 0) >= per_path:
                continue
            queries[parts.path] = queries.get(parts.path, 0) + 1
        seen.add(url)
        response = client.get(url)
        if response.status_code in {301, 302, 303, 307, 308}:
            queue.append(response["Location"])
            continue
        if not response.get("Content-Type", "").startswith("text/html") or response.streaming:
            continue
        html = response.content.decode()
        pages[url] = english_in(html, allowed=allowed)
        for href in _read(html).links:
            target = urljoin(url, href.split("#")[0])
            if target.startswith("/") and not target.startswith("//"):  # this host only: no mailto:, no other site
                queue.append(target)
    return pages
