"""The onboarding hook: ``article_read_confirm`` records "read and confirmed" once, only for what
the person may read, and ``kb_read_confirmed`` answers for a checklist task's reference."""

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import schema_context

from portal.accounts.access import AccessDenied
from portal.kb.models import ArticleReadConfirmation, DocumentStatus, Visibility
from portal.kb.selectors import kb_read_confirmed, kb_ref, kb_ref_parse
from portal.kb.services import article_read_confirm

RECEIVED: list[dict] = []


def record_action(**kwargs):
    RECEIVED.append(kwargs)


def failing_action(**kwargs):
    raise RuntimeError("onboarding broke")


@pytest.fixture
def received(settings):
    RECEIVED.clear()
    settings.KEEL_ON_KB_READ_CONFIRMED = [f"{__name__}.record_action"]
    yield RECEIVED
    RECEIVED.clear()


def test_confirming_an_article_is_idempotent_and_runs_its_actions_once(make_article, tenant_a, member_a, received):
    article = make_article("Security checks")
    first = article_read_confirm(tenant=tenant_a, user=member_a, article_id=article.pk)
    again = article_read_confirm(tenant=tenant_a, user=member_a, article_id=article.pk)
    assert first.pk == again.pk
    assert ArticleReadConfirmation.objects.count() == 1
    assert received == [{"tenant": tenant_a, "user": member_a, "ref": kb_ref(article=article)}]


def test_an_action_that_fails_fails_the_confirmation_too(make_article, tenant_a, member_a, settings):
    # Explicit actions, not a receiver that swallows errors: nothing is half-recorded.
    settings.KEEL_ON_KB_READ_CONFIRMED = [f"{__name__}.failing_action"]
    article = make_article("Security checks")
    with pytest.raises(RuntimeError, match="onboarding broke"):
        article_read_confirm(tenant=tenant_a, user=member_a, article_id=article.pk)
    assert not ArticleReadConfirmation.objects.exists()


def test_kb_read_confirmed_answers_per_user_and_per_tenant(make_article, tenant_a, tenant_b, member_a, admin_user):
    article = make_article("Security checks")
    ref = kb_ref(article=article)
    assert kb_read_confirmed(member_a, ref, tenant=tenant_a) is False
    article_read_confirm(tenant=tenant_a, user=member_a, article_id=article.pk)
    assert kb_read_confirmed(member_a, ref, tenant=tenant_a) is True
    article_read_confirm(tenant=tenant_b, user=admin_user, article_id=article.pk)
    assert kb_read_confirmed(admin_user, ref, tenant=tenant_a) is False  # confirmed on beta only
    with schema_context(tenant_a.schema_name):
        assert kb_read_confirmed(member_a, ref) is True  # tenant taken from the connection


def test_pages_are_confirmed_in_the_tenant_schema(make_page, tenant_a, member_a, received):
    page = make_page(tenant_a, "Alpha runbook")
    ref = kb_ref(page=page)
    assert ref == f"page:{page.pk}"
    with schema_context(tenant_a.schema_name):
        article_read_confirm(tenant=tenant_a, user=member_a, page_id=page.pk)
        assert kb_read_confirmed(member_a, ref) is True
    assert kb_read_confirmed(member_a, ref, tenant=tenant_a) is True  # from the public schema too


def test_only_what_the_person_may_read_can_be_confirmed(make_article, make_page, tenant_a, tenant_b, member_a):
    hidden = make_article("Beta only", visibility=Visibility.TENANTS, tenants=[tenant_b])
    draft = make_article("Draft", status=DocumentStatus.DRAFT)
    for article in (hidden, draft):
        with pytest.raises(ValidationError, match="not available"):
            article_read_confirm(tenant=tenant_a, user=member_a, article_id=article.pk)
    draft_page = make_page(tenant_a, "Draft page", status=DocumentStatus.DRAFT)
    with schema_context(tenant_a.schema_name), pytest.raises(ValidationError, match="not available"):
        article_read_confirm(tenant=tenant_a, user=member_a, page_id=draft_page.pk)
    assert not ArticleReadConfirmation.objects.exists()


def test_a_stranger_cannot_confirm_on_a_tenant(make_article, tenant_a, member_b):
    article = make_article("Security checks")
    with pytest.raises(AccessDenied):
        article_read_confirm(tenant=tenant_a, user=member_b, article_id=article.pk)


def test_exactly_one_reference_is_required(tenant_a, member_a):
    with pytest.raises(ValueError, match="exactly one"):
        article_read_confirm(tenant=tenant_a, user=member_a)
    with pytest.raises(ValueError, match="exactly one"):
        article_read_confirm(tenant=tenant_a, user=member_a, article_id=1, page_id=1)


@pytest.mark.pure
@pytest.mark.parametrize("bad", ["", "article", "article:", "article:x", "task:3", "page:-1"])
def test_malformed_references_are_refused(bad):
    with pytest.raises(ValueError, match="Not a knowledge-base reference"):
        kb_ref_parse(bad)


@pytest.mark.pure
def test_references_round_trip():
    assert kb_ref_parse("article:12") == ("article", 12)
    assert kb_ref_parse("page:3") == ("page", 3)
