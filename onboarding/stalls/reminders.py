"""Customer-side nudges: the assignee of an overdue customer task gets one reminder e-mail per due date."""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from onboarding.choices import OwnerSide
from onboarding.models import Task, TaskStatus
from portal.accounts.access import current_tenant
from portal.accounts.models import Membership
from portal.notifications.models import Channel, NotificationPreference
from portal.notifications.services import notification_enqueue
from portal.tenancy.clock import tenant_today


@transaction.atomic
def task_reminders_enqueue(*, now: datetime | None = None) -> int:
    """Write a reminder for each overdue customer task's assignee who has not opted out; return how many."""
    tenant = current_tenant(fresh=True)
    today = tenant_today(tenant, now=now)
    overdue = list(
        Task.objects.filter(
            status=TaskStatus.TODO,
            owner_side=OwnerSide.CUSTOMER,
            due_date__lt=today,
            assignee__isnull=False,
            checklist__completed_at__isnull=True,
        ).select_related("assignee")
    )
    # Only customers of this tenant: a reminder never goes to someone who lost access.
    members = set(
        Membership.objects.filter(tenant=tenant, user_id__in={t.assignee_id for t in overdue}).values_list(
            "user_id", flat=True
        )
    )
    opted_out = set(
        NotificationPreference.objects.filter(user_id__in=members, task_reminders=False).values_list(
            "user_id", flat=True
        )
    )
    preferences_link = tenant.absolute_url(reverse("notifications:customer_preferences", urlconf=settings.ROOT_URLCONF))
    written = 0
    for task in overdue:
        user = task.assignee
        if user.pk not in members or user.pk in opted_out or not user.is_active:
            continue
        link = tenant.absolute_url(reverse("onboarding:task_detail", args=[task.pk], urlconf=settings.ROOT_URLCONF))
        context = {"user": user, "task": task, "tenant": tenant, "link": link, "preferences_link": preferences_link}
        with translation.override(user.language_for(tenant)):  # in the assignee's language
            subject = gettext("Reminder: “%(title)s” was due %(due_date)s") % {
                "title": task.title,
                "due_date": task.due_date.isoformat(),  # type: ignore[union-attr]  # overdue: has a due date
            }
            body = render_to_string("stalls/email/task_reminder.txt", context)
        written += len(
            notification_enqueue(
                # Once per task and due date: moving the date earns a new reminder, re-running does not.
                key=f"reminder:t{tenant.pk}:{task.pk}:{task.due_date.isoformat()}",  # type: ignore[union-attr]  # overdue: has a due date
                kind="task.reminder",
                subject=subject,
                body=body,
                recipients=[user],
                via=(Channel.EMAIL,),
                tenant=tenant,
                topic=f"task:t{tenant.pk}:{task.pk}",
                link=link,
            )
        )
    return written
