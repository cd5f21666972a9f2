"""Writes on checklists. Every change checks the actor's access and writes an activity row."""

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import slugify
from django.utils.translation import gettext, gettext_lazy

from portal.accounts.access import Access, Actor, actor_user, current_tenant, require_role, tenant_access_for
from portal.accounts.models import Membership, User
from portal.kb.rendering import markdown_render
from portal.tenancy.clock import tenant_zone
from portal.tenancy.models import Tenant

from .activity import activity_summary
from .choices import EvidenceKind, OwnerSide
from .models import Activity, Checklist, Comment, Evidence, Phase, Task, TaskStatus
from .playbooks.models import Playbook
from .uploads import validate_evidence_file

StrOrPromise = str | Promise

# Length limits the forms and the API state too; enforced here so no caller skips them.
TITLE_MAX_LENGTH = 200
COMMENT_MAX_LENGTH = 5000
EVIDENCE_NOTE_MAX_LENGTH = 5000
INSTRUCTIONS_MAX_LENGTH = 20_000


def _activity(
    *,
    checklist: Checklist,
    actor: Actor,
    verb: str,
    task: Task | None = None,
    internal: bool = False,
    **data: Any,
) -> Activity:
    """Record what happened: its kind and figures, and the English line they make (onboarding/activity.py)."""
    return Activity.objects.create(
        checklist=checklist,
        task=task,
        actor=actor_user(actor),
        verb=verb,
        summary=activity_summary(verb, {**data, "internal": internal}),
        internal=internal,
        data=data,
    )


def required_access_to_complete(task: Task) -> Access:
    """Customer tasks: any member. Vendor tasks: only vendor staff sign them off."""
    return Access.CSM if task.owner_side == OwnerSide.VENDOR else Access.MEMBER


# --- instantiate ---------------------------------------------------------------------------
def playbook_for_tier(tier: str) -> Playbook | None:
    return Playbook.objects.filter(default_for_tier=tier).first()


def onboarding_start(*, tenant: Tenant, actor: Actor) -> Checklist | None:
    """Start the tier's onboarding in a newly provisioned tenant (a KEEL_ON_TENANT_PROVISIONED action)."""
    playbook = playbook_for_tier(tenant.tier)
    if playbook is None:
        return None
    with tenant:
        return checklist_instantiate(playbook=playbook, actor=actor)


def task_read_steps_complete(*, tenant: Tenant, user: User, ref: str) -> list[Task]:
    """Complete the open "read and confirm" steps pointing at ``ref`` (a KEEL_ON_KB_READ_CONFIRMED action).

    A step that cannot be completed yet (locked, evidence missing, a vendor step the customer does
    not sign off) stays open and its page says why; anything else that goes wrong is raised.
    Return the completed tasks.
    """
    done: list[Task] = []
    with tenant:
        for task in Task.objects.filter(read_confirm_ref=ref, status=TaskStatus.TODO):
            access = tenant_access_for(user, tenant)
            if access is None or access < required_access_to_complete(task):
                continue
            if task_completion_blocker(task=task, actor=user) is None:
                done.append(task_complete(task=task, actor=user))
    return done


@transaction.atomic
def checklist_instantiate(*, playbook: Playbook, actor: Actor, started_at: datetime | None = None) -> Checklist:
    """Copy ``playbook`` into the current tenant schema as a new checklist.

    A copy, so later playbook edits never rewrite a running checklist.
    """
    current_tenant()
    started_at = started_at or timezone.now()
    start_day = timezone.localdate(started_at, tenant_zone())  # due dates are the tenant's days
    checklist = Checklist.objects.create(
        name=playbook.name, playbook_id=playbook.pk, playbook_version=playbook.version, started_at=started_at
    )
    source_phases = list(playbook.phases.prefetch_related("tasks__depends_on"))
    phases = Phase.objects.bulk_create(
        [Phase(checklist=checklist, title=p.title, position=p.position) for p in source_phases]
    )
    tasks, sources = [], []
    for phase, source_phase in zip(phases, source_phases, strict=True):
        for source in source_phase.tasks.all():
            sources.append(source)
            tasks.append(
                Task(
                    checklist=checklist,
                    phase=phase,
                    key=source.key,
                    title=source.title,
                    instructions=source.instructions,
                    instructions_html=markdown_render(source.instructions),
                    owner_side=source.owner_side,
                    assignee_role=source.assignee_role,
                    due_date=start_day + timedelta(days=source.due_offset_days),
                    kb_links=source.kb_links,
                    evidence=source.evidence,
                    is_milestone=source.is_milestone,
                    is_first_value=source.is_first_value,
                    position=source.position,
                )
            )
    Task.objects.bulk_create(tasks)
    by_key = {t.key: t for t in tasks}
    Through = Task.depends_on.through
    Through.objects.bulk_create(
        [
            Through(from_task_id=by_key[s.key].pk, to_task_id=by_key[dep.key].pk)
            for s in sources
            for dep in s.depends_on.all()
        ]
    )
    _activity(checklist=checklist, actor=actor, verb="checklist.started", playbook=playbook.name)
    return checklist


# --- complete / reopen ---------------------------------------------------------------------
def _unmet_prerequisites(task: Task) -> list[Task]:
    return [dep for dep in task.depends_on.all() if dep.status != TaskStatus.DONE]


def task_completion_blocker(*, task: Task, actor: Actor) -> str | None:
    """Return why ``task`` cannot be completed yet (locked, evidence missing, not read), or None."""
    waiting = _unmet_prerequisites(task)
    if waiting:
        names = gettext(", ").join(gettext("“%(title)s”") % {"title": t.title} for t in waiting)
        return gettext("“%(title)s” is locked until these are done: %(names)s.") % {"title": task.title, "names": names}
    if task.evidence and not task.evidence_items.exists():
        if task.evidence == EvidenceKind.FILE:
            return gettext("“%(title)s” needs evidence first: add a file.") % {"title": task.title}
        return gettext("“%(title)s” needs evidence first: add a written note.") % {"title": task.title}
    if task.evidence == EvidenceKind.FILE and not task.evidence_items.exclude(file="").exists():
        return gettext("“%(title)s” needs a file as evidence.") % {"title": task.title}
    return _read_confirmation_missing(task, actor)


@transaction.atomic
def task_complete(*, task: Task, actor: Actor) -> Task:
    """Mark ``task`` done, enforcing prerequisites, evidence and who may sign it off."""
    require_role(actor, required_access_to_complete(task), current_tenant())
    task = Task.objects.select_for_update().select_related("checklist").get(pk=task.pk)
    if task.is_done:
        return task
    if blocker := task_completion_blocker(task=task, actor=actor):
        raise ValidationError(blocker)
    now = timezone.now()
    task.status, task.completed_at, task.completed_by = TaskStatus.DONE, now, actor_user(actor)
    task.save(update_fields=["status", "completed_at", "completed_by"])
    checklist = task.checklist
    _activity(checklist=checklist, actor=actor, verb="task.completed", task=task, title=task.title)
    changed = []
    if task.is_first_value and checklist.first_value_at is None:
        checklist.first_value_at = now
        changed.append("first_value_at")
        _activity(
            checklist=checklist,
            actor=actor,
            verb="checklist.first_value",
            task=task,
            days=(now - checklist.started_at).days,
        )
    if not checklist.tasks.exclude(status=TaskStatus.DONE).exists():
        checklist.completed_at = now
        changed.append("completed_at")
        _activity(checklist=checklist, actor=actor, verb="checklist.completed")
    if changed:
        checklist.save(update_fields=changed)
    return task


@transaction.atomic
def task_reopen(*, task: Task, actor: Actor) -> Task:
    """Mark ``task`` not done. Refused while a done task depends on it (reopen that first)."""
    require_role(actor, required_access_to_complete(task), current_tenant())
    task = Task.objects.select_for_update().select_related("checklist").get(pk=task.pk)
    if not task.is_done:
        return task
    done_dependents = list(task.unlocks.filter(status=TaskStatus.DONE))
    if done_dependents:
        names = ", ".join(f"“{t.title}”" for t in done_dependents)
        raise ValidationError(
            gettext("Reopen %(names)s first: they depend on “%(title)s”.") % {"names": names, "title": task.title}
        )
    task.status, task.completed_at, task.completed_by = TaskStatus.TODO, None, None
    task.save(update_fields=["status", "completed_at", "completed_by"])
    checklist = task.checklist
    if checklist.completed_at is not None:
        checklist.completed_at = None
        checklist.save(update_fields=["completed_at"])
    # First value, once reached, stays reached: TTV measures the first time it happened.
    _activity(checklist=checklist, actor=actor, verb="task.reopened", task=task, title=task.title)
    return task


def _read_confirmation_missing(task: Task, actor: Actor) -> str | None:
    """A "read and confirm" task is done when the customer confirmed reading (staff may override)."""
    from portal.kb.selectors import kb_read_confirmed

    if not task.read_confirm_ref:
        return None
    access = tenant_access_for(actor, current_tenant())
    if access is not None and access >= Access.CSM:
        return None
    if not kb_read_confirmed(actor, task.read_confirm_ref, tenant=current_tenant()):
        return gettext("“%(title)s”: read the linked page and press “I have read this” first.") % {"title": task.title}
    return None


# --- comments and evidence -----------------------------------------------------------------
@transaction.atomic
def comment_add(*, task: Task, actor: Actor, body: str, internal: bool = False) -> Comment:
    access = require_role(actor, Access.MEMBER, current_tenant())
    body = body.strip()
    if not body:
        raise ValidationError({"body": gettext("Write something first.")})
    _check_length("body", body, COMMENT_MAX_LENGTH, gettext_lazy("A comment"))
    if internal and access < Access.CSM:
        raise ValidationError({"internal": gettext("Only vendor staff can write internal comments.")})
    comment = Comment.objects.create(task=task, author=actor_user(actor), body=body, internal=internal)
    _activity(
        checklist=task.checklist,
        actor=actor,
        verb="comment.added",
        task=task,
        internal=internal,
        title=task.title,
    )
    return comment


def _check_length(field: str, text: str, limit: int, what: StrOrPromise) -> None:
    if len(text) > limit:
        raise ValidationError(
            {
                field: gettext("%(what)s is at most %(limit)s characters; this one has %(length)s.")
                % {"what": what, "limit": f"{limit:,}", "length": f"{len(text):,}"}
            }
        )


# ``upload`` is a form's UploadedFile; Any because django-stubs types its name and size as optional.
@transaction.atomic
def evidence_add(*, task: Task, actor: Actor, upload: Any = None, text: str = "") -> Evidence:
    require_role(actor, Access.MEMBER, current_tenant())
    text = text.strip()
    if upload is None and not text:
        raise ValidationError(gettext("Attach a file or write a note."))
    _check_length("text", text, EVIDENCE_NOTE_MAX_LENGTH, gettext_lazy("A note"))
    evidence = Evidence(task=task, uploaded_by=actor_user(actor), text=text)
    if upload is not None:
        evidence.content_type = validate_evidence_file(upload)
        evidence.original_name = upload.name[:255]
        evidence.size_bytes = upload.size
        evidence.file.save(upload.name, upload, save=False)
    evidence.save()
    _activity(
        checklist=task.checklist,
        actor=actor,
        verb="evidence.added",
        task=task,
        title=task.title,
        file=evidence.original_name,
    )
    return evidence


# --- CSM editing ---------------------------------------------------------------------------
EDITABLE_FIELDS = ("title", "instructions", "assignee", "due_date", "owner_side", "evidence", "read_confirm_ref")


def _check_kb_ref(ref: str) -> None:
    from portal.kb.selectors import kb_ref_parse

    if ref:
        try:
            kb_ref_parse(ref)
        except ValueError as exc:
            raise ValidationError({"read_confirm_ref": str(exc)}) from None


def _check_assignee(assignee: User | None) -> None:
    if assignee is None:
        return
    if tenant_access_for(assignee, current_tenant()) is None:
        raise ValidationError(
            {"assignee": gettext("%(email)s has no access to this account.") % {"email": assignee.email}}
        )


@transaction.atomic
def _check_due_date(checklist: Checklist, due_date: date | None) -> None:
    start = timezone.localdate(checklist.started_at)
    if due_date is not None and due_date < start:
        message = f"A due date cannot be before the checklist started ({start:%Y-%m-%d}); pick that day or later."
        raise ValidationError({"due_date": message})


def task_update(*, task: Task, actor: Actor, **changes: Any) -> Task:
    """Change a task's editable fields (CSM and admin only)."""
    require_role(actor, Access.CSM, current_tenant())
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(
            gettext("These fields cannot be edited: %(join)s.") % {"join": ", ".join(sorted(unknown))}
        )
    if "title" in changes and not str(changes["title"]).strip():
        raise ValidationError({"title": gettext("A task needs a title.")})
    _check_length("title", str(changes.get("title", "")), TITLE_MAX_LENGTH, gettext_lazy("A title"))
    _check_length(
        "instructions", str(changes.get("instructions", "")), INSTRUCTIONS_MAX_LENGTH, gettext_lazy("Instructions")
    )
    _check_kb_ref(changes.get("read_confirm_ref", ""))
    _check_assignee(changes.get("assignee"))
    if "due_date" in changes:
        _check_due_date(task.checklist, changes["due_date"])
    changed: dict[str, Any] = {}
    for field, value in changes.items():
        if getattr(task, field) != value:
            changed[field] = value
            setattr(task, field, value)
    if not changed:
        return task
    if "instructions" in changed:
        task.instructions_html = markdown_render(task.instructions)
    task.save(update_fields=[*changed, *(["instructions_html"] if "instructions" in changed else [])])
    _activity(
        checklist=task.checklist,
        actor=actor,
        verb="task.updated",
        task=task,
        title=task.title,
        fields=sorted(changed),
    )
    return task


@transaction.atomic
def task_add(
    *,
    phase: Phase,
    actor: Actor,
    title: str,
    instructions: str = "",
    owner_side: str = OwnerSide.CUSTOMER,
    due_date: date | None = None,
    assignee: User | None = None,
    evidence: str = "",
    depends_on: Iterable[Task] = (),
    read_confirm_ref: str = "",
) -> Task:
    """Add a task to a running checklist (CSM and admin only)."""
    require_role(actor, Access.CSM, current_tenant())
    title = title.strip()
    if not title:
        raise ValidationError({"title": gettext("A task needs a title.")})
    _check_length("title", title, TITLE_MAX_LENGTH, gettext_lazy("A title"))
    _check_length("instructions", instructions, INSTRUCTIONS_MAX_LENGTH, gettext_lazy("Instructions"))
    _check_assignee(assignee)
    _check_kb_ref(read_confirm_ref)
    checklist = phase.checklist
    _check_due_date(checklist, due_date)
    base = slugify(title)[:50] or "task"
    key, n = base, 1
    while checklist.tasks.filter(key=key).exists():
        n += 1
        key = f"{base}-{n}"
    position = (phase.tasks.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    task = Task.objects.create(
        checklist=checklist,
        phase=phase,
        key=key,
        title=title,
        instructions=instructions,
        instructions_html=markdown_render(instructions),
        owner_side=owner_side,
        due_date=due_date,
        assignee=assignee,
        evidence=evidence,
        position=position,
        read_confirm_ref=read_confirm_ref,
    )
    deps = [d for d in depends_on if d.checklist_id == checklist.pk]
    task.depends_on.set(deps)
    if checklist.completed_at is not None:
        checklist.completed_at = None
        checklist.save(update_fields=["completed_at"])
    _activity(checklist=checklist, actor=actor, verb="task.added", task=task, title=title)
    return task


def assignable_users() -> QuerySet[Membership]:
    """Return the customer users of the current tenant (for assignee pickers)."""
    return Membership.objects.filter(tenant=current_tenant()).select_related("user")
