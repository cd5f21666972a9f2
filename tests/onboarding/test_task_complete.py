from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from onboarding.choices import EvidenceKind, OwnerSide
from onboarding.models import Activity
from onboarding.selectors import checklist_progress_get, time_to_value_get
from onboarding.services import evidence_add, task_complete, task_reopen
from portal.accounts.access import AccessDenied
from tests.support.factories import ChecklistFactory, TaskFactory

pytestmark = pytest.mark.django_db


def test_a_task_waits_for_its_prerequisites(in_a, member_a):
    checklist = ChecklistFactory()
    first = TaskFactory(checklist=checklist, key="first")
    second = TaskFactory(checklist=checklist, key="second", depends_on=[first])
    with pytest.raises(ValidationError, match="locked until these are done: “First”"):
        task_complete(task=second, actor=member_a)
    task_complete(task=first, actor=member_a)
    task_complete(task=second, actor=member_a)
    second.refresh_from_db()
    assert second.is_done and second.completed_by == member_a and second.completed_at is not None


def test_required_evidence_comes_first(in_a, member_a):
    checklist = ChecklistFactory()
    note = TaskFactory(checklist=checklist, key="note", evidence=EvidenceKind.TEXT)
    report = TaskFactory(checklist=checklist, key="report", evidence=EvidenceKind.FILE)
    with pytest.raises(ValidationError, match="needs evidence first: add a written note"):
        task_complete(task=note, actor=member_a)
    evidence_add(task=note, actor=member_a, text="Done on Tuesday")
    task_complete(task=note, actor=member_a)
    evidence_add(task=report, actor=member_a, text="a note is not a file")
    with pytest.raises(ValidationError, match="needs a file"):
        task_complete(task=report, actor=member_a)
    evidence_add(task=report, actor=member_a, upload=SimpleUploadedFile("r.pdf", b"%PDF-1.7 report"))
    assert task_complete(task=report, actor=member_a).is_done


def test_only_vendor_staff_sign_off_vendor_tasks(in_a, member_a, customer_admin_a, csm_a):
    task = TaskFactory(checklist=ChecklistFactory(), key="vendor-step", owner_side=OwnerSide.VENDOR)
    for customer in (member_a, customer_admin_a):
        with pytest.raises(AccessDenied):
            task_complete(task=task, actor=customer)
    assert task_complete(task=task, actor=csm_a).is_done


def test_an_outsider_cannot_complete_anything(in_a, member_b):
    task = TaskFactory(checklist=ChecklistFactory(), key="step")
    with pytest.raises(AccessDenied):
        task_complete(task=task, actor=member_b)


def test_first_value_records_the_time_to_value(in_a, member_a):
    start = timezone.now()
    checklist = ChecklistFactory()
    checklist.started_at = start
    checklist.save()
    milestone = TaskFactory(checklist=checklist, key="first-value", is_first_value=True)
    with time_machine.travel(start + timedelta(days=12, hours=6)):
        task_complete(task=milestone, actor=member_a)
    checklist.refresh_from_db()
    assert checklist.time_to_value == timedelta(days=12, hours=6)
    assert time_to_value_get() is not None
    task_reopen(task=milestone, actor=member_a)
    checklist.refresh_from_db()
    assert checklist.time_to_value == timedelta(days=12, hours=6)  # reached once stays reached


def test_finishing_the_last_task_completes_the_checklist(in_a, member_a):
    checklist = ChecklistFactory()
    only = TaskFactory(checklist=checklist, key="only")
    task_complete(task=only, actor=member_a)
    checklist.refresh_from_db()
    assert checklist.completed_at is not None
    task_reopen(task=only, actor=member_a)
    checklist.refresh_from_db()
    assert checklist.completed_at is None


def test_reopening_is_refused_while_a_done_task_depends_on_it(in_a, member_a):
    checklist = ChecklistFactory()
    first = TaskFactory(checklist=checklist, key="first")
    second = TaskFactory(checklist=checklist, key="second", depends_on=[first])
    task_complete(task=first, actor=member_a)
    task_complete(task=second, actor=member_a)
    with pytest.raises(ValidationError, match="Reopen “Second” first"):
        task_reopen(task=first, actor=member_a)
    task_reopen(task=second, actor=member_a)
    assert not task_reopen(task=first, actor=member_a).is_done


def test_every_change_leaves_an_activity_with_the_actor(in_a, member_a):
    task = TaskFactory(checklist=ChecklistFactory(), key="step")
    task_complete(task=task, actor=member_a)
    task_reopen(task=task, actor=member_a)
    verbs = list(Activity.objects.filter(task=task).order_by("id").values_list("verb", "actor"))
    assert verbs == [("task.completed", member_a.pk), ("task.reopened", member_a.pk)]


def test_progress_counts_every_checklist_task(in_a, checklist_a, member_a):
    done, total = checklist_progress_get()
    assert total == checklist_a.tasks.count()
    assert done == 0
    task = checklist_a.tasks.get(key="env-inventory")  # the playbook's first step: no prerequisites
    evidence_add(task=task, actor=member_a, text="dev, test, prod")
    task_complete(task=task, actor=member_a)
    assert checklist_progress_get() == (1, total)
