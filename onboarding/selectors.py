"""Read-side of onboarding, for views and other apps (metrics may import this; never the reverse)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Count, F, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.utils import timezone

from portal.accounts.access import Access, current_tenant, require_tenant_schema

from .choices import OwnerSide
from .models import Activity, Checklist, Comment, Evidence, Phase, Task, TaskStatus

if TYPE_CHECKING:
    from portal.accounts.access import Actor, Viewer
    from portal.tenancy.models import Tenant


# --- the contract used by metrics ----------------------------------------------------------
def checklist_progress_get() -> tuple[int, int] | None:
    """Return (completed, total) tasks of the current tenant's checklists, or None if it has none."""
    counts = Task.objects.aggregate(total=Count("id"), done=Count("id", filter=Q(status=TaskStatus.DONE)))
    return (counts["done"], counts["total"]) if counts["total"] else None


def checklist_plan_progress_get(*, day: date) -> tuple[int, int] | None:
    """Return (done, due) over the tasks due on or before ``day``, or None while none is due yet.

    Onboarding measured against its plan: on day 0 nothing is due, so nothing is behind (the
    health score leaves the component out instead of scoring 0 of 13 as red). A task counts as
    done when it was completed by the end of ``day``.
    """
    end = timezone.make_aware(datetime.combine(day + timedelta(days=1), datetime.min.time()))
    counts = Task.objects.filter(due_date__lte=day).aggregate(
        due=Count("id"), done=Count("id", filter=Q(status=TaskStatus.DONE, completed_at__lt=end))
    )
    return (counts["done"], counts["due"]) if counts["due"] else None


def first_value_get() -> tuple[datetime, datetime] | None:
    """Return (onboarding start, first value reached) of the current tenant's first checklist to reach it."""
    checklist = Checklist.objects.filter(first_value_at__isnull=False).order_by("first_value_at").first()
    return (checklist.started_at, checklist.first_value_at) if checklist and checklist.first_value_at else None


def time_to_value_get() -> timedelta | None:
    """Return the current tenant's time to first value, or None while the milestone is not reached."""
    checklist = Checklist.objects.filter(first_value_at__isnull=False).order_by("first_value_at").first()
    return checklist.time_to_value if checklist else None


# --- the checklist page --------------------------------------------------------------------
@dataclass
class TaskView:
    task: Task
    locked: bool
    waiting_on: list[Task]
    overdue: bool
    can_toggle: bool
    comment_count: int


@dataclass
class PhaseView:
    phase: Phase
    tasks: list[TaskView] = field(default_factory=list)

    @property
    def done(self) -> int:
        return sum(1 for t in self.tasks if t.task.is_done)


@dataclass
class Board:
    checklist: Checklist
    phases: list[PhaseView]
    done: int
    total: int
    next_step: TaskView | None
    # When nothing is open on the viewer's side: what the other side is working on.
    other_side_step: TaskView | None
    activities: list[Activity]

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def checklist_list() -> QuerySet[Checklist]:
    return Checklist.objects.all()


def _names_version() -> RawSQL:
    return RawSQL("SELECT version FROM public.keel_user_names_version WHERE id = 1", ())


def checklist_page_get() -> tuple[Checklist, int] | None:
    """Return the checklist the page shows and the version of the users' names, or None.

    With ``Checklist.version`` the two name every change to what the page shows from the
    database (users are in the public schema: a rename moves the names' version, accounts
    migration 0006). One query.
    """
    checklist = checklist_list().annotate(names_version=_names_version()).first()
    return None if checklist is None else (checklist, checklist.names_version)


def checklist_home_get() -> tuple[Checklist, int, int] | None:
    """Return the checklist the customer home shows (the first started), the users' names'
    version and the knowledge base's version (its reading card), or None. One query."""
    from portal.kb.search import kb_version_sql

    first = checklist_list().order_by("started_at", "id")
    checklist = first.annotate(names_version=_names_version(), kb_version=kb_version_sql()).first()
    return None if checklist is None else (checklist, checklist.names_version, checklist.kb_version)


def _can_toggle(task: Task, access: Access) -> bool:
    needed = Access.CSM if task.owner_side == OwnerSide.VENDOR else Access.MEMBER
    return access >= needed


def _shown_overdue(task: Task, waiting: list[Task], access: Access, today: date | None = None) -> bool:
    """Return whether to mark ``task`` overdue for this viewer.

    A customer's task still locked behind a vendor task is late because of the vendor: the
    customer is not shown a red "Overdue" for it (staff still are).
    """
    if access < Access.CSM and any(w.owner_side == OwnerSide.VENDOR for w in waiting):
        return False
    return task.is_overdue(today)


# ``tasks``: Task rows annotated with ``visible_comments`` and given ``_dep_ids`` (checklist_board_get).
def _task_views(tasks: list[Any], access: Access, today: date) -> dict[int, TaskView]:
    by_id = {t.pk: t for t in tasks}
    views: dict[int, TaskView] = {}
    for t in tasks:
        waiting = [by_id[d] for d in t._dep_ids if by_id[d].status != TaskStatus.DONE]
        views[t.pk] = TaskView(
            task=t,
            locked=bool(waiting) and not t.is_done,
            waiting_on=waiting,
            overdue=_shown_overdue(t, waiting, access, today),
            can_toggle=_can_toggle(t, access),
            comment_count=t.visible_comments,
        )
    return views


def checklist_board_get(*, checklist: Checklist, access: Access, today: date | None = None) -> Board:
    """Return everything the checklist page shows, in a fixed number of queries."""
    today = today or timezone.localdate()
    comment_filter = Q() if access >= Access.CSM else Q(comments__internal=False)
    # One query for the rows, their visible comments and their prerequisites (both counted
    # distinct: the two joins multiply each other's rows).
    tasks: list[Any] = list(
        checklist.tasks.select_related("assignee")
        .annotate(
            visible_comments=Count("comments", filter=comment_filter, distinct=True),
            _dep_ids=ArrayAgg("depends_on", filter=Q(depends_on__isnull=False), distinct=True, default=Value([])),
        )
        .order_by("phase__position", "position", "id")
    )
    views = _task_views(tasks, access, today)
    phases = {p.pk: PhaseView(phase=p) for p in checklist.phases.all()}
    for t in tasks:
        phases[t.phase_id].tasks.append(views[t.pk])
    done = sum(1 for t in tasks if t.is_done)
    return Board(
        checklist=checklist,
        phases=list(phases.values()),
        done=done,
        total=len(tasks),
        next_step=_next_step(views.values(), side=_side(access)),
        other_side_step=_next_step(views.values(), side=_other(_side(access))),
        activities=list(activity_list(checklist=checklist, access=access)[:15]),
    )


def my_task_ids(*, board: Board, user: Actor | Viewer, access: Access) -> set[int]:
    """The tasks of ``board`` that are the viewer's: assigned to them, or unassigned on their side."""
    side = _side(access)
    return {
        v.task.pk
        for phase in board.phases
        for v in phase.tasks
        if v.task.assignee_id == user.pk or (v.task.assignee_id is None and v.task.owner_side == side)
    }


@dataclass
class TimelineRow:
    title: str
    done: int
    total: int
    x: float  # start, in % of the timeline's width
    width: float
    milestones: list[tuple[float, str, bool]]  # (x, title, done)


@dataclass
class Timeline:
    start: date
    end: date
    today_x: float | None
    rows: list[TimelineRow]


def timeline_get(*, board: Board, today: date | None = None) -> Timeline:
    """Phases as bars from their first to their last due date, milestones as marks (the timeline view)."""
    today = today or timezone.localdate()
    start = timezone.localdate(board.checklist.started_at)
    dues = [v.task.due_date for phase in board.phases for v in phase.tasks if v.task.due_date]
    end = max([*dues, start + timedelta(days=1)])
    span = (end - start).days or 1

    def x(day: date) -> float:
        return round(100 * min(max((day - start).days, 0), span) / span, 1)

    rows = []
    for phase in board.phases:
        phase_dues = [v.task.due_date for v in phase.tasks if v.task.due_date] or [start]
        first, last = x(min(phase_dues)), x(max(phase_dues))
        rows.append(
            TimelineRow(
                title=phase.phase.title,
                done=phase.done,
                total=len(phase.tasks),
                x=first,
                width=max(last - first, 1.0),
                milestones=[
                    (x(v.task.due_date), v.task.title, v.task.is_done)
                    for v in phase.tasks
                    if v.task.is_milestone and v.task.due_date
                ],
            )
        )
    return Timeline(start=start, end=end, today_x=x(today) if start <= today <= end else None, rows=rows)


def _side(access: Access) -> str:
    return OwnerSide.VENDOR if access >= Access.CSM else OwnerSide.CUSTOMER


def _other(side: str) -> str:
    return OwnerSide.CUSTOMER if side == OwnerSide.VENDOR else OwnerSide.VENDOR


def _next_step(views: Iterable[TaskView], *, side: str) -> TaskView | None:
    """Return the open, unlocked task of ``side`` to do next, earliest due first."""
    open_ = [v for v in views if not v.task.is_done and not v.locked and v.task.owner_side == side]
    return min(open_, key=lambda v: (v.task.due_date or date.max, v.task.phase_id, v.task.position), default=None)


def activity_list(*, checklist: Checklist, access: Access, task: Task | None = None) -> QuerySet[Activity]:
    qs = checklist.activities.select_related("actor")
    if task is not None:
        qs = qs.filter(task=task)
    return qs if access >= Access.CSM else qs.filter(internal=False)


def task_get(*, pk: int) -> Task | None:
    return Task.objects.select_related("checklist", "phase", "assignee", "completed_by").filter(pk=pk).first()


def task_detail_get(*, task: Task, access: Access) -> dict[str, Any]:
    comments = task.comments.select_related("author")
    if access < Access.CSM:
        comments = comments.filter(internal=False)
    deps = list(task.depends_on.all())
    waiting = [d for d in deps if not d.is_done]
    return {
        "task": task,
        "prerequisites": deps,
        "waiting_on": waiting,
        "unlocks": list(task.unlocks.all()),
        "comments": list(comments),
        "evidence_items": list(Evidence.objects.filter(task=task).select_related("uploaded_by")),
        "activities": list(activity_list(checklist=task.checklist, access=access, task=task)[:30]),
        "can_toggle": _can_toggle(task, access),
        "overdue": _shown_overdue(task, waiting, access),
    }


def comment_list(*, task: Task, access: Access) -> QuerySet[Comment]:
    qs = Comment.objects.filter(task=task).select_related("author")
    return qs if access >= Access.CSM else qs.filter(internal=False)


def task_overdue_list(*, today: date) -> list[Task]:
    """Return open tasks whose due date has passed, oldest first."""
    return list(Task.objects.filter(status=TaskStatus.TODO, due_date__lt=today).order_by("due_date", "id"))


def tasks_completed_between(*, start: datetime, end: datetime) -> int:
    """Return how many tasks were completed in [start, end)."""
    return Task.objects.filter(status=TaskStatus.DONE, completed_at__gte=start, completed_at__lt=end).count()


@dataclass
class ReadStep:
    title: str
    url: str
    confirmed: bool


def read_step_get(*, task: Task, user: Actor | Viewer, tenant: Tenant) -> ReadStep | None:
    """Return the knowledge-base page a "read and confirm" task points at, for this viewer."""
    from portal.kb.selectors import kb_read_confirmed

    if not task.read_confirm_ref:
        return None
    target = read_target_get(ref=task.read_confirm_ref, tenant=tenant)
    if target is None:
        return None
    title, url = target
    return ReadStep(title=title, url=url, confirmed=kb_read_confirmed(user, task.read_confirm_ref, tenant=tenant))


def read_target_get(*, ref: str, tenant: Tenant) -> tuple[str, str] | None:
    """Return the title and address of the knowledge-base page ``ref`` names, if ``tenant`` sees it."""
    from django.urls import reverse

    from portal.kb.models import Article
    from portal.kb.selectors import kb_ref_parse
    from portal.kb.tenant.models import Page

    kind, pk = kb_ref_parse(ref)
    target: Article | Page | None
    if kind == "article":
        target = Article.objects.visible_to_tenant(tenant).filter(pk=pk).only("title", "slug").first()
        name = "kb:article_detail"
    else:
        target = Page.objects.filter(pk=pk).only("title", "slug").first()
        name = "kb:page_detail"
    if target is None:
        return None
    return target.title, reverse(name, kwargs={"slug": target.slug}, urlconf="portal.urls_tenant")


def next_task_list(*, limit: int = 5) -> list[Task]:
    """Return the current tenant's open tasks in the order they are due (undated last)."""
    require_tenant_schema(current_tenant())
    return list(
        Task.objects.filter(status=TaskStatus.TODO)
        .select_related("checklist")
        .order_by(F("due_date").asc(nulls_last=True), "checklist_id", "position", "pk")[:limit]
    )
