"""The warm-up portal/wsgi.py runs at start: views imported, templates compiled, no database."""

import pytest
from django.template import engines
from django.urls import get_resolver

from portal.warmup import warm

pytestmark = pytest.mark.django_db


def test_warm_compiles_every_template_and_builds_both_url_confs_without_a_query(settings, django_assert_num_queries):
    with django_assert_num_queries(0):  # under gunicorn it runs in the master: nothing to fork
        names = warm()
    assert {"base.html", "onboarding/checklist.html", "kb/search.html"} <= set(names)
    assert any(name.endswith(".txt") for name in names)  # e-mail bodies too
    for urlconf in (settings.ROOT_URLCONF, settings.PUBLIC_SCHEMA_URLCONF):
        assert get_resolver(urlconf)._populated
    cached = engines["django"].engine.template_loaders[0].get_template_cache
    assert set(names) <= set(cached)
