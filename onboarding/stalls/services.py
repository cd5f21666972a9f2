"""Stall detection and the staff's answers to it (snooze).

``stall_detect`` runs inside one tenant's schema. In one transaction it reads that tenant's
checklists and writes, in public, the episode rows and the notification outbox rows, plus
an internal timeline entry in the tenant schema. Both schemas live in one database, so the
decision and the messages it causes commit together or not at all.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from onboarding.activity import activity_summary, stall_summary
from onboarding.models import Activity, Checklist, Task
from portal.accounts.access import SYSTEM, Actor, actor_user, current_tenant, require_staff_on
from portal.accounts.models import StaffRole, User
from portal.audit.services import audit_record
from portal.notifications.models import Channel
from portal.notifications.services import notification_enqueue, team_chat_target
from portal.tenancy.clock import tenant_today
from portal.tenancy.models import Tenant, console_absolute_url

from .models import EndReason, EscalationLevel, StallEpisode
from .rules import StallRule, Verdict, checklist_verdict, rule_for_tier

# First key of the two-int advisory lock that serialises detection runs of one tenant.
DETECT_LOCK_NAMESPACE = 6_401_002
SNOOZE_MAX_DAYS = 30


@dataclass
class DetectResult:
    schema: str
    started: list[int] = field(default_factory=list)
    ended: list[int] = field(default_factory=list)
    escalated: list[int] = field(default_factory=list)
    notifications: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "schema": self.schema,
            "started": self.started,
            "ended": self.ended,
            "escalated": self.escalated,
            "notifications": self.notifications,
        }


def _lock(namespace: int, key: int) -> None:
    # Held to the end of the transaction: a second run (another beat, a retry) waits here,
    # then sees what the first committed and has nothing left to do.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [namespace, key])


@transaction.atomic
def stall_detect(*, now: datetime | None = None) -> DetectResult:
    """Open, refresh, escalate and close the current tenant's stall episodes; return what changed."""
    tenant = current_tenant(fresh=True)
    _lock(DETECT_LOCK_NAMESPACE, tenant.pk)
    now = now or timezone.now()
    rule = rule_for_tier(tenant.tier)
    result = DetectResult(schema=tenant.schema_name)
    episodes = {e.checklist_id: e for e in StallEpisode.objects.select_for_update().open().filter(tenant=tenant)}
    tasks_by_checklist: dict[int, list[Task]] = {}
    for task in Task.objects.select_related("phase").order_by("pk"):
        tasks_by_checklist.setdefault(task.checklist_id, []).append(task)
    deps: dict[int, list[int]] = {}
    for from_id, to_id in Task.depends_on.through.objects.values_list("from_task_id", "to_task_id"):
        deps.setdefault(from_id, []).append(to_id)
    seen = set()
    for checklist in Checklist.objects.all():
        seen.add(checklist.pk)
        tasks = tasks_by_checklist.get(checklist.pk, [])
        verdict = checklist_verdict(checklist=checklist, tasks=tasks, deps=deps, rule=rule, now=now)
        episode = episodes.get(checklist.pk)
        if episode is None:
            if verdict.stalled:
                _episode_start(tenant, checklist, verdict, now, result)
        elif verdict.stalled:
            _episode_refresh(tenant, episode, verdict, now)
            if _escalation_due(episode, rule, now):
                _escalate(tenant, episode, now, result)
        else:
            _episode_end(tenant, episode, _end_reason(episode, verdict), now, result, checklist=checklist)
    for checklist_id, episode in episodes.items():
        if checklist_id not in seen:
            _episode_end(tenant, episode, EndReason.REMOVED, now, result)
    return result


# --- episode lifecycle ---------------------------------------------------------------------
def _snapshot(episode: StallEpisode, verdict: Verdict, now: datetime) -> None:
    blocking = verdict.blocking
    episode.is_idle, episode.is_overdue = verdict.idle, verdict.overdue
    episode.last_checked_at, episode.last_progress_at = now, verdict.last_progress_at
    episode.open_tasks = verdict.open_tasks
    episode.blocking_task_id = blocking.pk if blocking else None
    episode.blocking_task_title = blocking.title[:200] if blocking else ""
    episode.blocking_task_due = blocking.due_date if blocking else None
    episode.blocking_task_side = blocking.owner_side if blocking else ""


SNAPSHOT_FIELDS = [
    "is_idle",
    "is_overdue",
    "last_checked_at",
    "last_progress_at",
    "open_tasks",
    "blocking_task_id",
    "blocking_task_title",
    "blocking_task_due",
    "blocking_task_side",
]


def _episode_start(tenant: Tenant, checklist: Checklist, verdict: Verdict, now: datetime, result: DetectResult) -> None:
    episode = StallEpisode(
        tenant=tenant,
        checklist_id=checklist.pk,
        checklist_name=checklist.name[:200],
        stalled_since=verdict.stalled_since,  # type: ignore[misc]  # set whenever verdict.stalled
        detected_at=now,
    )
    _snapshot(episode, verdict, now)
    csm = tenant.csm if tenant.csm is not None and tenant.csm.is_csm else None
    if csm is None:
        # Nobody to tell first: the ladder starts at the admins.
        episode.level, episode.escalated_at = EscalationLevel.ADMINS, now
    episode.save()
    summary = _summary(episode, now)
    figures = _stall_figures(episode, now)
    Activity.objects.create(
        checklist=checklist,
        task_id=episode.blocking_task_id,
        verb="checklist.stalled",
        internal=True,
        summary=activity_summary("checklist.stalled", figures),
        data=figures,
    )
    audit_record(actor=SYSTEM, action="stall.started", tenant=tenant, target=episode, summary=summary)
    recipients = [csm] if csm else _admins()
    result.notifications += _notify(tenant, episode, recipients, now, escalation=False)
    result.started.append(episode.pk)


def _episode_refresh(tenant: Tenant, episode: StallEpisode, verdict: Verdict, now: datetime) -> None:
    _snapshot(episode, verdict, now)
    episode.save(update_fields=SNAPSHOT_FIELDS)


def _escalation_due(episode: StallEpisode, rule: StallRule, now: datetime) -> bool:
    return (
        episode.level == EscalationLevel.CSM
        and not episode.is_snoozed(now)
        and now >= episode.detected_at + rule.escalate_after
    )


def _escalate(tenant: Tenant, episode: StallEpisode, now: datetime, result: DetectResult) -> None:
    episode.level, episode.escalated_at = EscalationLevel.ADMINS, now
    episode.save(update_fields=["level", "escalated_at"])
    audit_record(actor=SYSTEM, action="stall.escalated", tenant=tenant, target=episode, summary=_summary(episode, now))
    admins = [u for u in _admins() if u.pk != tenant.csm_id]
    result.notifications += _notify(tenant, episode, admins, now, escalation=True)
    result.escalated.append(episode.pk)


def _end_reason(episode: StallEpisode, verdict: Verdict) -> str:
    if verdict.open_tasks == 0:
        return EndReason.COMPLETED
    if verdict.last_progress_at > episode.last_progress_at:
        return EndReason.PROGRESS
    return EndReason.CLEARED


def _episode_end(
    tenant: Tenant,
    episode: StallEpisode,
    reason: str,
    now: datetime,
    result: DetectResult,
    checklist: Checklist | None = None,
) -> None:
    episode.ended_at, episode.end_reason, episode.last_checked_at = now, reason, now
    episode.save(update_fields=["ended_at", "end_reason", "last_checked_at"])
    days = episode.duration(now).days
    if checklist is not None:
        figures = {"days": days, "reason": reason}
        Activity.objects.create(
            checklist=checklist,
            verb="checklist.unstalled",
            internal=True,
            summary=activity_summary("checklist.unstalled", figures),
            data=figures,
        )
    audit_record(actor=SYSTEM, action="stall.ended", tenant=tenant, target=episode, reason=reason, days=days)
    result.ended.append(episode.pk)


def _admins() -> list[User]:
    return list(User.objects.filter(Q(staff_role=StaffRole.ADMIN) | Q(is_superuser=True), is_active=True))


# --- messages ------------------------------------------------------------------------------
def _stall_figures(episode: StallEpisode, now: datetime) -> dict[str, Any]:
    """What the stall line says: the blocking task, days overdue, days idle (None when not so)."""
    overdue = (episode.days_overdue(tenant_today(episode.tenant, now=now)) or 0) if episode.is_overdue else None
    return {
        "title": episode.blocking_task_title,
        "overdue_days": overdue,
        "idle_days": (now - episode.last_progress_at).days if episode.is_idle else None,
    }


def _summary(episode: StallEpisode, now: datetime) -> str:
    """Return one line saying why the checklist is stalled and what blocks it (active language)."""
    return stall_summary(**_stall_figures(episode, now))


def _notify(tenant: Tenant, episode: StallEpisode, recipients: list[User], now: datetime, *, escalation: bool) -> int:
    """Write the outbox rows telling ``recipients`` about ``episode`` at its current level.

    Each person is written to in their language (the team channel in ``KEEL_TEAM_LANGUAGE``):
    one enqueue per language, with the same decision key, so each row's key is what it was.
    """
    path = reverse("stalls:stall_list", urlconf=settings.PUBLIC_SCHEMA_URLCONF)
    link = console_absolute_url(f"{path}#episode-{episode.pk}")
    by_language: dict[str, list[User]] = {}
    for user in recipients:
        by_language.setdefault(user.language_for(tenant), []).append(user)
    team = team_chat_target() if settings.KEEL_STALL_TEAM_WEBHOOK_URL else None
    if team is not None:
        by_language.setdefault(team.language or settings.LANGUAGE_CODE, [])
    written = 0
    for language, people in sorted(by_language.items()):
        with translation.override(language):
            summary = _summary(episode, now)
            context = {"tenant": tenant, "episode": episode, "summary": summary, "link": link, "escalation": escalation}
            prefix = gettext("Still stalled") if escalation else gettext("Onboarding stalled")
            subject = gettext("%(prefix)s: %(tenant)s — %(summary)s") % {
                "prefix": prefix,
                "tenant": tenant.name,
                "summary": summary,
            }
            body = render_to_string("stalls/email/stall_alert.txt", context)
        hooks = [team] if team is not None and language == (team.language or settings.LANGUAGE_CODE) else []
        written += len(
            notification_enqueue(
                # One decision per episode and ladder step: re-running detection can never add a row.
                key=f"stall:{episode.pk}:{episode.level}",
                kind="stall.escalation" if escalation else "stall.alert",
                subject=subject,
                body=body,
                recipients=people,
                via=(Channel.IN_APP, Channel.EMAIL, Channel.WEBHOOK),
                webhooks=hooks,
                tenant=tenant,
                topic=episode.topic,
                link=link,
            )
        )
    return written


# --- staff actions -------------------------------------------------------------------------


@transaction.atomic
def stall_episode_snooze(*, episode: StallEpisode, actor: Actor, reason: str, days: int) -> StallEpisode:
    """Hold back escalation of an open episode for ``days``, saying why."""
    require_staff_on(actor, episode.tenant)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": gettext("Say why the escalation can wait.")})
    if not 1 <= days <= SNOOZE_MAX_DAYS:
        raise ValidationError(
            {"days": gettext("Snooze for 1 to %(SNOOZE_MAX_DAYS)s days.") % {"SNOOZE_MAX_DAYS": SNOOZE_MAX_DAYS}}
        )
    episode = StallEpisode.objects.select_for_update().select_related("tenant").get(pk=episode.pk)
    if not episode.is_open:
        raise ValidationError(gettext("This stall has already ended."))
    now = timezone.now()
    episode.snoozed_until, episode.snoozed_at = now + timedelta(days=days), now
    episode.snooze_reason, episode.snoozed_by = reason[:300], actor_user(actor)
    episode.save(update_fields=["snoozed_until", "snoozed_at", "snooze_reason", "snoozed_by"])
    audit_record(
        actor=actor,
        action="stall.snoozed",
        tenant=episode.tenant,
        target=episode,
        reason=episode.snooze_reason,
        until=episode.snoozed_until.isoformat(),
    )
    return episode


@transaction.atomic
def stall_episode_unsnooze(*, episode: StallEpisode, actor: Actor) -> StallEpisode:
    """End a snooze early: escalation resumes at the next detection."""
    require_staff_on(actor, episode.tenant)
    episode = StallEpisode.objects.select_for_update().select_related("tenant").get(pk=episode.pk)
    if episode.snoozed_until is None:
        return episode
    episode.snoozed_until = None
    episode.save(update_fields=["snoozed_until"])
    audit_record(actor=actor, action="stall.unsnoozed", tenant=episode.tenant, target=episode)
    return episode
