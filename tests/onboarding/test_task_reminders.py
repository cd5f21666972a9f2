"""Customer nudges: the assignee of an overdue customer task gets one reminder per due date, unless opted out."""

from datetime import date

import pytest
from django.core import mail

from onboarding.choices import OwnerSide
from onboarding.models import Task
from onboarding.stalls.reminders import task_reminders_enqueue
from portal.notifications.models import Channel, Notification, NotificationPreference
from tests.support.factories import ChecklistFactory, TaskFactory, UserFactory
from tests.support.onboarding import complete

pytestmark = pytest.mark.django_db

YESTERDAY = date(2026, 3, 1)


def test_the_assignee_of_an_overdue_customer_task_gets_a_reminder(stall_a, member_a):
    checklist = ChecklistFactory()
    task = TaskFactory(checklist=checklist, key="upload-scan-report", assignee=member_a, due_date=YESTERDAY)
    assert task_reminders_enqueue() == 1
    row = Notification.objects.get(kind="task.reminder")
    assert (row.recipient, row.channel, row.address) == (member_a, Channel.EMAIL, member_a.email)
    assert row.subject == "Reminder: “Upload Scan Report” was due 2026-03-01"
    assert row.link == f"http://alpha.localhost:8000/onboarding/tasks/{task.pk}/"
    assert "http://alpha.localhost:8000/notifications/preferences/" in row.body


def test_a_reminder_is_delivered_by_email_once_the_transaction_commits(
    stall_a, member_a, django_capture_on_commit_callbacks
):
    TaskFactory(checklist=ChecklistFactory(), key="sign-runbook", assignee=member_a, due_date=YESTERDAY)
    with django_capture_on_commit_callbacks(execute=True):
        task_reminders_enqueue()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [member_a.email]
    assert "Sign Runbook" in mail.outbox[0].body


def test_one_reminder_per_due_date_however_often_detection_runs(stall_a, member_a):
    task = TaskFactory(checklist=ChecklistFactory(), key="sign-runbook", assignee=member_a, due_date=YESTERDAY)
    task_reminders_enqueue()
    assert task_reminders_enqueue() == 0
    Task.objects.filter(pk=task.pk).update(due_date=date(2026, 2, 27))
    assert task_reminders_enqueue() == 1
    assert Notification.objects.filter(kind="task.reminder").count() == 2


def test_a_user_who_opted_out_gets_no_reminder(stall_a, member_a):
    NotificationPreference.objects.create(user=member_a, task_reminders=False)
    TaskFactory(checklist=ChecklistFactory(), key="sign-runbook", assignee=member_a, due_date=YESTERDAY)
    assert task_reminders_enqueue() == 0
    assert not Notification.objects.exists()


def test_no_reminder_for_tasks_not_overdue_done_vendor_side_or_unassigned(stall_a, member_a):
    checklist = ChecklistFactory()
    TaskFactory(checklist=checklist, key="due-today", assignee=member_a, due_date=date(2026, 3, 2))
    complete(TaskFactory(checklist=checklist, key="done", assignee=member_a, due_date=YESTERDAY))
    TaskFactory(
        checklist=checklist, key="vendor-job", assignee=member_a, due_date=YESTERDAY, owner_side=OwnerSide.VENDOR
    )
    TaskFactory(checklist=checklist, key="nobody", due_date=YESTERDAY)
    assert task_reminders_enqueue() == 0


def test_no_reminder_to_someone_who_is_not_a_member_of_this_tenant(stall_a, member_b):
    TaskFactory(checklist=ChecklistFactory(), key="sign-runbook", assignee=member_b, due_date=YESTERDAY)
    assert task_reminders_enqueue() == 0


def test_no_reminder_to_a_deactivated_user(stall_a, member_a):
    member_a.is_active = False
    member_a.save(update_fields=["is_active"])
    TaskFactory(checklist=ChecklistFactory(), key="sign-runbook", assignee=member_a, due_date=YESTERDAY)
    assert task_reminders_enqueue() == 0


def test_an_opted_out_teammate_does_not_stop_the_others(stall_a, member_a, customer_admin_a):
    NotificationPreference.objects.create(user=member_a, task_reminders=False)
    checklist = ChecklistFactory()
    TaskFactory(checklist=checklist, key="a", assignee=member_a, due_date=YESTERDAY)
    TaskFactory(checklist=checklist, key="b", assignee=customer_admin_a, due_date=YESTERDAY)
    assert task_reminders_enqueue() == 1
    assert Notification.objects.get().recipient == customer_admin_a


def test_reminders_never_reach_outsiders(stall_a):
    outsider = UserFactory()
    TaskFactory(checklist=ChecklistFactory(), key="sign-runbook", assignee=outsider, due_date=YESTERDAY)
    assert task_reminders_enqueue() == 0


def test_a_reminder_is_in_the_assignees_language(stall_a, member_a):
    member_a.language = "zh-hans"
    member_a.save(update_fields=["language"])
    TaskFactory(checklist=ChecklistFactory(), key="upload-scan-report", assignee=member_a, due_date=YESTERDAY)
    assert task_reminders_enqueue() == 1
    row = Notification.objects.get(kind="task.reminder")
    assert row.subject == "提醒：“Upload Scan Report”已于 2026-03-01 到期"
    assert row.language == "zh-hans"
