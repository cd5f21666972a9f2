"""redirect_next: a form's ``next`` is followed only when it is a path on this host."""

import pytest
from django.test import RequestFactory

from portal.http import redirect_next

pytestmark = pytest.mark.django_db


def _redirect(next_value: str) -> str:
    request = RequestFactory(HTTP_HOST="alpha.localhost").post("/nps/dismiss/", {"next": next_value})
    return redirect_next(request, "/fallback/")["Location"]


@pytest.mark.parametrize("target", ["/onboarding/", "/kb/?q=a"])
def test_it_follows_a_path_on_this_host(target):
    assert _redirect(target) == target


@pytest.mark.parametrize("target", ["overview", "https://evil.example/", "//evil.example/", "", "\x00"])
def test_anything_but_a_local_path_goes_to_the_fallback_instead_of_failing(target):
    assert _redirect(target) == "/fallback/"
