"""Find every HTML form a person can post: walk the URL resolver, then the links of each page.

Routes without parameters are the seeds; links and form actions found on the pages give the
parameterised routes their real ids. A form reached by no page is still caught: the
``unreached`` routes are reported by the caller's coverage assertion.
"""

import re
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

from django.urls import URLPattern, URLResolver, get_resolver

SKIP = re.compile(r"^/(static|admin|api|media)/|^/logout/|\.pdf$|/(export|download)s?/|/pdf/")


def routes(urlconf: str) -> list[str]:
    """Return every route pattern of ``urlconf`` ("onboarding/tasks/<int:pk>/complete/")."""

    def walk(patterns, prefix=""):
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, route)
            elif isinstance(entry, URLPattern):
                yield route

    return sorted(set(walk(get_resolver(urlconf).url_patterns)))


class Form:
    def __init__(self, page: str, action: str, fields: dict[str, str]):
        self.page, self.action, self.fields = page, action, fields

    def __repr__(self):
        return f"Form({self.action} on {self.page}: {sorted(self.fields)})"


class _PageParser(HTMLParser):
    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page, self.links, self.forms, self._form = page, set(), [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.add(attrs["href"])
        elif tag == "form" and (attrs.get("method") or "get").lower() == "post":
            action = attrs.get("action") or self.page
            self._form = Form(self.page, action, {})
            self.forms.append(self._form)
        elif tag in ("input", "textarea", "select") and self._form is not None and self._is_input(attrs):
            self._form.fields.setdefault(attrs["name"], attrs.get("value") or "")

    @staticmethod
    def _is_input(attrs) -> bool:
        name = attrs.get("name")
        return bool(name) and name != "csrfmiddlewaretoken" and attrs.get("type") not in ("submit", "button", "file")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def _local(href: str, page: str) -> str | None:
    href = urldefrag(href).url
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not href:
        return None
    path = href if href.startswith("/") else page.rsplit("/", 1)[0] + "/" + href
    return path


def crawl(client, seeds, *, limit: int = 200) -> tuple[list[Form], set[str]]:
    """GET pages from ``seeds`` outwards as ``client``; return the POST forms found (field-less
    buttons included) and the local paths seen (downloads linked to but not fetched included)."""
    queue, seen, forms = list(seeds), set(), {}
    while queue and len(seen) < limit:
        page = queue.pop(0)
        if page in seen:
            continue
        if SKIP.search(urlsplit(page).path):
            seen.add(page)  # a download or the admin: its route is reached, its body not read
            continue
        seen.add(page)
        response = client.get(page)
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        parser = _PageParser(page)
        parser.feed(response.content.decode())
        for form in parser.forms:
            action = _local(form.action, page)
            if action:
                forms.setdefault((action.split("?")[0], tuple(sorted(form.fields))), Form(page, action, form.fields))
        queue.extend(link for link in map(lambda h: _local(h, page), parser.links) if link and link not in seen)
    return list(forms.values()), seen
