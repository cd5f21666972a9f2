"""A checklist step that asks the customer to read and confirm a knowledge-base page."""

import pytest
from django.core.exceptions import ValidationError

from onboarding.models import Task
from onboarding.services import task_complete, task_update
from portal.kb.selectors import kb_ref
from portal.kb.services import article_read_confirm
from tests.support.clients import client_for
from tests.support.factories import ChecklistFactory, TaskFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def read_step(tenant_a, make_article, csm_a):
    article = make_article(title="Rollback runbook", body="Step one: breathe.")
    with tenant_a:
        task = TaskFactory(checklist=ChecklistFactory(), key="read-runbook")
        task_update(task=task, actor=csm_a, read_confirm_ref=kb_ref(article=article))
    return article, task


def test_confirming_the_page_completes_the_step(tenant_a, member_a, read_step, django_capture_on_commit_callbacks):
    article, task = read_step
    with django_capture_on_commit_callbacks(execute=True):
        article_read_confirm(tenant=tenant_a, user=member_a, article_id=article.pk)
    with tenant_a:
        task.refresh_from_db()
        assert task.is_done and task.completed_by_id == member_a.pk


def test_the_step_cannot_be_ticked_without_reading(tenant_a, member_a, csm_a, read_step):
    _, task = read_step
    with tenant_a:
        with pytest.raises(ValidationError, match="read the linked page"):
            task_complete(task=task, actor=member_a)
        assert task_complete(task=task, actor=csm_a).is_done  # vendor staff may override


def test_a_locked_step_stays_open_after_confirming(tenant_a, member_a, read_step, django_capture_on_commit_callbacks):
    article, task = read_step
    with tenant_a:
        blocker = TaskFactory(checklist=task.checklist, key="blocker")
        task.depends_on.add(blocker)
    with django_capture_on_commit_callbacks(execute=True):
        article_read_confirm(tenant=tenant_a, user=member_a, article_id=article.pk)
    with tenant_a:
        assert Task.objects.get(pk=task.pk).status == "todo"


def test_the_task_page_links_the_article_and_shows_the_confirmation(tenant_a, member_a, read_step):
    article, task = read_step
    page = client_for(member_a, tenant_a).get(f"/onboarding/tasks/{task.pk}/").text
    assert f'href="/kb/articles/{article.slug}/"' in page and "Rollback runbook" in page
    assert "this step then completes itself" in page


def test_a_malformed_reference_is_refused(tenant_a, csm_a, read_step):
    _, task = read_step
    with tenant_a, pytest.raises(ValidationError, match="Not a knowledge-base reference"):
        task_update(task=task, actor=csm_a, read_confirm_ref="articles/12")
