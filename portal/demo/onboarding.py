"""Give each demo tenant a checklist with believable progress."""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.db.models import F
from django.utils import timezone

from onboarding.choices import EvidenceKind, OwnerSide
from onboarding.models import Activity, Checklist, Task, TaskStatus
from onboarding.services import checklist_instantiate, evidence_add, playbook_for_tier, task_complete


def seed_checklist(
    *, tenant, customer_admin, csm, started_days_ago: int, done_fraction: float, idle_days: int = 0
) -> Checklist | None:
    """Date the tier's checklist ``started_days_ago`` back and complete the first ``done_fraction`` of its tasks.

    Provisioning has usually started the checklist already, "now": it is moved back in time (its
    start and due dates) before any progress is seeded. Completion times are spread between the
    start and ``idle_days`` ago, so TTV and stall figures look real (a stalled tenant: no progress
    for ``idle_days``). A checklist with completed tasks was seeded before and is left alone.
    """
    with tenant:
        started = timezone.now() - timedelta(days=started_days_ago)
        checklist = Checklist.objects.first()
        if checklist is None:
            playbook = playbook_for_tier(tenant.tier)
            if playbook is None:
                return None
            checklist = checklist_instantiate(playbook=playbook, actor=csm, started_at=started)
        elif checklist.tasks.filter(status=TaskStatus.DONE).exists():
            return checklist
        else:
            shift = timedelta(days=(timezone.localdate(checklist.started_at) - timezone.localdate(started)).days)
            Checklist.objects.filter(pk=checklist.pk).update(started_at=started)
            checklist.tasks.exclude(due_date=None).update(due_date=F("due_date") - shift)
        tasks = list(checklist.tasks.order_by("due_date", "phase__position", "position"))
        target = int(len(tasks) * done_fraction)
        completed: list[Task] = []
        progress = True
        while len(completed) < target and progress:  # repeat passes: each may unlock more tasks
            progress = False
            for task in tasks:
                if len(completed) >= target:
                    break
                task.refresh_from_db(fields=["status"])
                if task.is_done or any(dep.status != TaskStatus.DONE for dep in task.depends_on.all()):
                    continue
                _complete(task, customer_admin=customer_admin, csm=csm)
                completed.append(task)
                progress = True
        last = timezone.now() - timedelta(days=idle_days)
        for n, task in enumerate(completed, start=1):
            when = started + (last - started) * (0.9 * n / max(len(completed), 1))
            Task.objects.filter(pk=task.pk).update(completed_at=when)
            Activity.objects.filter(task=task).update(created_at=when)
            if task.is_first_value:
                Checklist.objects.filter(pk=checklist.pk).update(first_value_at=when)
        return checklist


def _complete(task: Task, *, customer_admin, csm) -> None:
    actor = csm if task.owner_side == OwnerSide.VENDOR else customer_admin
    if task.evidence == EvidenceKind.FILE:
        upload = ContentFile(b"%PDF-1.4\n% demo report\n", name=f"{task.key}-report.pdf")
        evidence_add(task=task, actor=actor, upload=upload)
    elif task.evidence == EvidenceKind.TEXT:
        evidence_add(task=task, actor=actor, text=f"Done as agreed: {task.title.lower()}.")
    task_complete(task=task, actor=actor)
