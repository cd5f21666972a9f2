"""A tenant's export holds its knowledge-base rows: its pages (tenant schema) and what its
people did with global articles (public rows about the tenant), and nothing of other tenants."""

import json
import zipfile

import pytest
from django.conf import settings
from django_tenants.utils import schema_context

from portal.kb.services import article_feedback_record, article_read_confirm, search_miss_record
from portal.tenancy.exports import tenant_export

pytestmark = pytest.mark.django_db


def test_the_export_holds_the_tenants_kb_rows(
    make_article, make_page, tenant_a, tenant_b, member_a, member_b, admin_user
):
    article = make_article("Agent upgrade")
    make_page(tenant_a, "Alpha runbook")
    make_page(tenant_b, "Beta runbook")
    article_feedback_record(tenant=tenant_a, user=member_a, article=article, helpful=True)
    article_feedback_record(tenant=tenant_b, user=member_b, article=article, helpful=False)
    article_read_confirm(tenant=tenant_a, user=member_a, article_id=article.pk)
    search_miss_record(tenant=tenant_a, query="kerberos")
    with schema_context("public"):
        export = tenant_export(tenant=tenant_a, actor=admin_user)
    with zipfile.ZipFile(settings.KEEL_EXPORT_ROOT / export.path) as archive:
        rows = {t["model"]: t["rows"] for t in json.loads(archive.read("manifest.json"))["tables"]}
        pages = json.loads(archive.read("tenant/kb_tenant.page.json"))
    assert [p["fields"]["title"] for p in pages] == ["Alpha runbook"]
    assert rows["kb_tenant.pagerevision"] == 1
    assert rows["kb.articlefeedback"] == 1
    assert rows["kb.articlereadconfirmation"] == 1
    assert rows["kb.searchmiss"] == 1
