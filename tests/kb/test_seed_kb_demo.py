"""The demo knowledge base: idempotent, and it exercises every kind of audience."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_tenants.utils import schema_context

from portal.kb.models import Article, Category
from portal.kb.tenant.models import Page
from portal.tenancy.models import Tenant

pytestmark = pytest.mark.django_db


def test_it_needs_the_demo_first():
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("seed_kb_demo")


@pytest.mark.slow  # provisions the three demo tenants
def test_it_is_idempotent_and_respects_visibility(capsys):
    call_command("seed_demo", verbosity=0)
    call_command("seed_kb_demo")
    call_command("seed_kb_demo")
    assert "(0 new objects)" in capsys.readouterr().out
    # seed_kb_demo's 3 categories and 7 articles, plus the Chinese tenant's 1 and 3 (portal/demo/chinese.py)
    assert Category.objects.count() == 3 + 1
    assert Article.objects.count() == 7 + 3
    visible = {
        t.slug: set(Article.objects.visible_to_tenant(t).values_list("title", flat=True))
        for t in Tenant.objects.customers()
    }
    assert "Your dedicated success team and escalation path" in visible["acme"]  # strategic
    assert "Your dedicated success team and escalation path" not in visible["initech"]
    assert "Globex: payment network integration notes" in visible["globex"]
    assert "Globex: payment network integration notes" not in visible["acme"]
    assert not any("coming soon" in title for titles in visible.values() for title in titles)
    assert "探针部署指南" in visible["huaan"]
    assert "探针部署指南" not in visible["acme"]
    with schema_context("t_acme"):
        assert Page.objects.count() == 2
