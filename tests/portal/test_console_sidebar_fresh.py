"""The console's side navigation is kept (portal/ui/templatetags/console_sidebar.py), and never stale.

Each test loads a console page, checks that a second load took the navigation from the cache,
changes one thing it shows, and loads again with the same session: the change shows at once.
"""

import re

import pytest
from django.utils import timezone

from portal.accounts.models import StaffRole, User
from portal.notifications.models import Notification
from tests.support import fragments
from tests.support.clients import client_for
from tests.support.factories import NotificationFactory

pytestmark = pytest.mark.django_db

SIDEBAR = "console/_sidebar.html"


def _load(client, path="/console/"):
    return fragments.load(client, path)


def _rendered(response) -> bool:
    return fragments.rendered(response, SIDEBAR)


def _warm(client, path="/console/") -> str:
    return fragments.warm(client, path, SIDEBAR)


def _nav(html: str) -> str:
    return html.split('<aside class="sidebar">')[1].split("</aside>")[0]


def _without_token(nav: str) -> str:
    """Every response masks the CSRF token afresh."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", nav)


def test_the_cached_navigation_is_the_one_the_template_renders(admin_user):
    client = client_for(admin_user)
    first = _load(client).text
    assert _without_token(_nav(first)) == _without_token(_nav(_load(client).text))


def test_the_current_page_is_marked_on_each_page(admin_user):
    client = client_for(admin_user)
    assert 'href="/console/portfolio/" aria-current="page"' not in _nav(_warm(client))
    assert 'href="/console/portfolio/" aria-current="page"' in _nav(_warm(client, "/console/portfolio/"))
    assert 'href="/console/portfolio/" aria-current="page"' not in _nav(_load(client).text)


def test_the_unread_count_shows_at_once(admin_user):
    client = client_for(admin_user)
    assert "badge count" not in _nav(_warm(client))
    note = NotificationFactory(recipient=admin_user, delivered_in_app=True)
    assert re.search(r'badge count">1<span class="visually-hidden"> unread', _nav(_load(client).text))
    Notification.objects.filter(pk=note.pk).update(read_at=timezone.now())
    assert "badge count" not in _nav(_load(client).text)


def test_the_viewers_new_name_and_language_show_at_once(admin_user):
    client = client_for(admin_user)
    _warm(client)
    User.objects.filter(pk=admin_user.pk).update(full_name="Ada Renamed")
    assert "Ada Renamed" in _nav(_load(client).text)
    User.objects.filter(pk=admin_user.pk).update(language="zh-hans")
    nav = _nav(_load(client).text)
    assert "Portfolio" not in nav and "Log out" not in nav


def test_the_administration_links_follow_the_role_at_once(admin_user):
    client = client_for(admin_user)
    assert "Administration" in _nav(_warm(client))
    User.objects.filter(pk=admin_user.pk).update(staff_role=StaffRole.CSM, is_superuser=False)
    assert "Administration" not in _nav(_load(client).text)


def test_each_session_gets_its_own_csrf_token_in_the_logout_form(admin_user):
    client_for(admin_user).get("/console/")  # another session renders and keeps the navigation
    client = client_for(admin_user)
    client.handler.enforce_csrf_checks = True
    html = _load(client).text
    assert not _rendered(client.get("/console/"))
    action, token = re.search(
        r'<form method="post" action="([^"]+)"><input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)"',
        _nav(html),
    ).groups()
    assert token != "keel-csrf-placeholder"
    assert client.post(action, {"csrfmiddlewaretoken": token}).status_code == 302
