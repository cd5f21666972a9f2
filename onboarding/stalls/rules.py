"""The stall rule for one checklist, as a pure function of its tasks and the clock."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from onboarding.models import Checklist, Task
from portal.tenancy.clock import tenant_today


@dataclass(frozen=True)
class StallRule:
    idle_days: int
    overdue_days: int
    escalate_after: timedelta


def rule_for_tier(tier: str) -> StallRule:
    """Return the configured thresholds of ``tier`` (standard's for an unknown tier)."""
    rules = settings.KEEL_STALL_RULES
    values = rules.get(tier) or rules["standard"]
    return StallRule(
        idle_days=values["idle_days"],
        overdue_days=values["overdue_days"],
        escalate_after=timedelta(hours=values["escalate_after_hours"]),
    )


@dataclass(frozen=True)
class Verdict:
    idle: bool
    overdue: bool
    stalled_since: datetime | None
    last_progress_at: datetime
    open_tasks: int
    blocking: Task | None

    @property
    def stalled(self) -> bool:
        return self.idle or self.overdue


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def checklist_verdict(
    *, checklist: Checklist, tasks: list[Task], deps: dict[int, list[int]], rule: StallRule, now: datetime
) -> Verdict:
    """Decide whether ``checklist`` is stalled at ``now``.

    Stalled: tasks remain and none was completed for ``idle_days`` (counting from the start
    when none ever was), or an open task is overdue by more than ``overdue_days``.
    """
    open_tasks = [t for t in tasks if not t.is_done]
    last_progress = max([t.completed_at for t in tasks if t.completed_at] + [checklist.started_at])
    if not open_tasks:
        return Verdict(False, False, None, last_progress, 0, None)
    today = tenant_today(now=now)
    idle_from = last_progress + timedelta(days=rule.idle_days)
    idle = now >= idle_from
    late = sorted(
        (t for t in open_tasks if t.due_date and (today - t.due_date).days > rule.overdue_days),
        key=lambda t: (t.due_date, t.pk),
    )
    onsets = [idle_from] if idle else []
    if late and (first_due := late[0].due_date) is not None:  # late tasks all have a due date
        onsets.append(_start_of(first_due + timedelta(days=rule.overdue_days + 1)))
    blocking = late[0] if late else _next_open(open_tasks, tasks, deps)
    return Verdict(
        idle=idle,
        overdue=bool(late),
        stalled_since=min(onsets) if onsets else None,
        last_progress_at=last_progress,
        open_tasks=len(open_tasks),
        blocking=blocking,
    )


def _next_open(open_tasks: list[Task], tasks: list[Task], deps: dict[int, list[int]]) -> Task:
    """Return the open task everyone waits for: unlocked, earliest due, in checklist order."""
    done = {t.pk for t in tasks if t.is_done}
    unlocked = [t for t in open_tasks if all(d in done for d in deps.get(t.pk, []))] or open_tasks
    return min(unlocked, key=lambda t: (t.due_date or date.max, t.phase.position, t.position, t.pk))
