"""Knowledge-base fixtures: articles and pages are made through the services (rendered,
indexed, versioned), as the product makes them."""

import pytest
from django_tenants.utils import schema_context

from portal.kb import services
from portal.kb.models import DocumentStatus, Visibility
from tests.support.factories import AdminFactory


@pytest.fixture
def kb_author(db):
    return AdminFactory(email="author@keel.example")


@pytest.fixture
def category(kb_author):
    return services.category_create(actor=kb_author, name="Deployment", description="Getting it running.")


@pytest.fixture
def make_article(kb_author, category):
    def make(title="An article", body="Some text.", **kwargs):
        kwargs.setdefault("status", DocumentStatus.PUBLISHED)
        kwargs.setdefault("visibility", Visibility.ALL)
        kwargs.setdefault("category", category)
        return services.article_create(actor=kwargs.pop("actor", kb_author), title=title, body_markdown=body, **kwargs)

    return make


@pytest.fixture
def make_page(kb_author):
    """Return a maker of pages in ``tenant``'s schema (connection back on public afterwards)."""

    def make(tenant, title="A page", body="Page text.", **kwargs):
        kwargs.setdefault("status", DocumentStatus.PUBLISHED)
        with schema_context(tenant.schema_name):
            return services.page_create(
                tenant=tenant, actor=kwargs.pop("actor", kb_author), title=title, body_markdown=body, **kwargs
            )

    return make
