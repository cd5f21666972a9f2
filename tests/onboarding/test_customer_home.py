"""The customer home answers "where are we and what's next for me" (onboarding.home, qbr.home)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from metrics.qbr.services import report_create, report_publish
from onboarding.models import Checklist, Task
from tests.support.clients import client_for
from tests.support.factories import TaskFactory

pytestmark = pytest.mark.django_db


def test_home_shows_progress_my_next_steps_and_what_is_due_for_me(tenant_a, member_a, plan):
    today = timezone.localdate()
    with tenant_a:
        Task.objects.filter(pk=plan["first"].pk).update(due_date=today - timedelta(days=2))
        Task.objects.filter(pk=plan["proof"].pk).update(due_date=today + timedelta(days=3))
        Task.objects.filter(pk=plan["vendor"].pk).update(due_date=today + timedelta(days=1))
        TaskFactory(checklist=plan["checklist"], key="far-step", due_date=today + timedelta(days=30))
    html = client_for(member_a, tenant_a).get("/").text
    assert "0% done — 0 of 5 tasks" in html
    assert "Current phase: <strong>Only phase</strong>" in html
    next_steps = html.split('id="home-next"')[1].split("</section>")[0]
    assert "First Step" in next_steps and "Proof Step" in next_steps
    assert "Second Step" not in next_steps  # locked: it waits for the first step
    assert "Vendor Step" not in next_steps  # the vendor's, shown as what they are working on
    due = html.split('id="home-due"')[1].split("</section>")[0]
    assert "Overdue" in due and "First Step" in due and "Proof Step" in due
    assert "Far Step" not in due  # due in a month
    assert "is working on" in html and "Vendor Step" in html


def test_home_without_checklist_or_review_shows_the_csm_and_account_only(tenant_a, member_a):
    with tenant_a:
        Checklist.objects.all().delete()
    html = client_for(member_a, tenant_a).get("/").text
    assert 'id="home-progress"' not in html and 'id="home-review"' not in html
    assert "Your CSM" in html and "Your account" in html


def test_home_links_the_latest_published_review(tenant_a, member_a, csm_a):
    with tenant_a:
        draft = report_create(actor=csm_a, day=date(2026, 5, 17))
    assert 'id="home-review"' not in client_for(member_a, tenant_a).get("/").text  # a draft is not shown
    with tenant_a:
        report_publish(report=draft, actor=csm_a)
    review = client_for(member_a, tenant_a).get("/").text.split('id="home-review"')[1].split("</section>")[0]
    assert f"/reviews/{draft.pk}/" in review and "QBR 2026 Q2" in review
