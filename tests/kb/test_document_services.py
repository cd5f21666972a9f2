"""Article and page services: rules a view cannot skip, and the traps of two schemas."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection
from django_tenants.utils import schema_context

from portal.accounts.access import AccessDenied
from portal.audit.models import AuditEvent
from portal.kb.models import Article, DocumentStatus, Visibility
from portal.kb.services import article_create, page_create, tags_parse
from portal.kb.tenant.models import Page
from portal.tenancy.models import Tier
from tests.support.factories import CsmFactory


def test_customers_cannot_write_articles(category, member_a):
    with pytest.raises(AccessDenied):
        article_create(actor=member_a, title="x", category=category)


def test_a_csm_cannot_name_another_csms_customer_even_without_the_form(category, csm_a, tenant_b):
    with pytest.raises(ValidationError, match="beta"):
        article_create(actor=csm_a, title="x", category=category, visibility=Visibility.TENANTS, tenants=[tenant_b])


def test_slugs_are_made_unique_and_explicit_clashes_refused(make_article):
    first = make_article("Install the agent")
    second = make_article("Install the agent")
    assert (first.slug, second.slug) == ("install-the-agent", "install-the-agent-2")
    with pytest.raises(ValidationError, match="already used"):
        make_article("Other", slug="install-the-agent")


def test_tiers_and_tenants_are_dropped_when_the_audience_does_not_use_them(make_article, tenant_a):
    article = make_article("For all", visibility=Visibility.ALL, tiers=[Tier.KEY], tenants=[tenant_a])
    assert article.tiers == []
    assert not article.tenants.exists()


def test_the_database_refuses_a_tier_article_without_tiers(make_article):
    article = make_article("Tiered", visibility=Visibility.TIERS, tiers=[Tier.KEY])
    with pytest.raises(IntegrityError):
        Article.objects.filter(pk=article.pk).update(tiers=[])


def test_unknown_tiers_and_statuses_are_refused(make_article):
    with pytest.raises(ValidationError, match="Unknown tier"):
        make_article("x", visibility=Visibility.TIERS, tiers=["gold"])
    with pytest.raises(ValidationError, match="Unknown status"):
        make_article("x", status="archived")


def test_writing_an_article_is_audited(make_article, kb_author):
    article = make_article("Audited")
    event = AuditEvent.objects.get(action="kb.article.created")
    assert (event.actor, event.target_id, event.data["revision"]) == (kb_author, str(article.pk), 1)


@pytest.mark.pure
def test_tags_are_normalised_and_bounded():
    assert tags_parse(" SSO, okta ,,sso,  Single  Sign-on ") == ["sso", "okta", "single sign-on"]
    with pytest.raises(ValidationError, match="at most 10"):
        tags_parse(",".join(f"t{n}" for n in range(11)))
    with pytest.raises(ValidationError, match="under 41"):
        tags_parse("x" * 41)


# --- tenant pages --------------------------------------------------------------------------
def test_page_services_refuse_to_write_into_the_wrong_schema(tenant_a, tenant_b, admin_user):
    with pytest.raises(RuntimeError, match="schema_context"):
        page_create(tenant=tenant_a, actor=admin_user, title="Lost page")  # connection on public
    with schema_context(tenant_b.schema_name), pytest.raises(RuntimeError, match="t_alpha"):
        page_create(tenant=tenant_a, actor=admin_user, title="Lost page")


def test_only_the_tenants_csm_and_admins_write_pages(tenant_a, customer_admin_a, csm_b, csm_a):
    with schema_context(tenant_a.schema_name):
        for actor in (customer_admin_a, csm_b):
            with pytest.raises(AccessDenied):
                page_create(tenant=tenant_a, actor=actor, title="x")
        page = page_create(tenant=tenant_a, actor=csm_a, title="Runbook", status=DocumentStatus.PUBLISHED)
        assert page.published_at is not None
    assert AuditEvent.objects.get(action="kb.page.created").tenant == tenant_a


def test_deleting_a_user_who_wrote_pages_works_from_the_public_schema(make_page, tenant_a):
    # Trap: a normal FK from a tenant table would make Django query it from the public schema.
    author = CsmFactory()
    from portal.tenancy.models import Tenant

    Tenant.objects.filter(pk=tenant_a.pk).update(csm=author)
    tenant_a.refresh_from_db()
    page = make_page(tenant_a, "Runbook", actor=author)
    assert connection.schema_name == "public"
    author.delete()
    with schema_context(tenant_a.schema_name):
        kept = Page.objects.get(pk=page.pk)
        assert kept.updated_by_email == author.email
        assert kept.revisions.get().changed_by_email == author.email
