"""Stall detection: episode boundaries, per-tier thresholds, and the outbox rows it writes."""

from datetime import date, timedelta

import pytest
from django.db import connection

from onboarding.models import Activity, Checklist
from onboarding.stalls.models import EndReason, EscalationLevel, StallEpisode
from onboarding.stalls.services import stall_detect
from portal.audit.models import AuditEvent
from portal.notifications.models import Channel, Notification, NotificationPreference, Status
from tests.support.factories import AdminFactory, ChecklistFactory, TaskFactory
from tests.support.onboarding import RULES, T0, complete, set_tier

pytestmark = pytest.mark.django_db


def open_episode() -> StallEpisode | None:
    return StallEpisode.objects.open().filter(tenant__slug="alpha").first()


def test_a_checklist_stalls_on_the_day_no_progress_reaches_the_idle_limit(stall_a, csm_a, clock):
    checklist = ChecklistFactory(n_tasks=3)
    clock.shift(timedelta(days=7) - timedelta(minutes=1))
    assert stall_detect().started == []
    clock.shift(timedelta(minutes=1))
    result = stall_detect()
    episode = open_episode()
    assert result.started == [episode.pk]
    assert episode.checklist_id == checklist.pk
    assert episode.is_idle and not episode.is_overdue
    assert episode.stalled_since == T0 + timedelta(days=7)
    assert episode.last_progress_at == T0
    assert episode.open_tasks == 3
    assert episode.blocking_task_title == "Task 0"  # the next open task in checklist order


def test_the_idle_clock_restarts_at_the_last_completed_task(stall_a, csm_a, clock):
    checklist = ChecklistFactory(n_tasks=2)
    clock.shift(timedelta(days=5))
    complete(checklist.tasks.get(key="t0"))
    clock.shift(timedelta(days=6))
    assert stall_detect().started == []
    clock.shift(timedelta(days=1))
    stall_detect()
    assert open_episode().stalled_since == T0 + timedelta(days=12)


def test_an_overdue_task_stalls_the_checklist_only_beyond_the_tiers_limit(stall_a, csm_a, clock):
    checklist = ChecklistFactory()
    TaskFactory(
        checklist=checklist, key="deploy-agent", due_date=date(2026, 2, 27)
    )  # 3 days late: at the standard limit
    TaskFactory(checklist=checklist, key="later", due_date=date(2026, 3, 20))
    assert stall_detect().started == []
    clock.shift(timedelta(days=1))  # 4 days late
    stall_detect()
    episode = open_episode()
    assert episode.is_overdue and not episode.is_idle
    assert episode.blocking_task_title == "Deploy Agent"
    assert episode.blocking_task_due == date(2026, 2, 27)
    assert episode.days_overdue(date(2026, 3, 3)) == 4
    assert episode.stalled_since.date() == date(2026, 3, 3)


@pytest.mark.parametrize("tier", ["strategic", "key", "standard"])
def test_each_tier_uses_its_own_idle_and_overdue_limits(stall_a, csm_a, clock, tier):
    set_tier(stall_a, tier)
    idle, overdue = RULES[tier]["idle_days"], RULES[tier]["overdue_days"]
    checklist = ChecklistFactory(n_tasks=1)
    clock.shift(timedelta(days=idle - 1))
    assert stall_detect().started == [], "one day short of the idle limit"
    clock.shift(timedelta(days=1))
    assert len(stall_detect().started) == 1
    StallEpisode.objects.all().delete()
    complete(checklist.tasks.get())
    TaskFactory(checklist=checklist, key="late", due_date=date(2026, 3, 2) + timedelta(days=idle - overdue))
    assert stall_detect().started == [], "overdue by exactly the limit"
    clock.shift(timedelta(days=1))
    started = stall_detect().started
    assert len(started) == 1
    assert StallEpisode.objects.get(pk=started[0]).is_overdue


def test_the_episode_ends_when_progress_resumes_and_a_new_stall_is_a_new_episode(stall_a, csm_a, clock):
    checklist = ChecklistFactory(n_tasks=3)
    clock.shift(timedelta(days=8))
    stall_detect()
    first = open_episode()
    clock.shift(timedelta(hours=5))
    complete(checklist.tasks.get(key="t0"))
    clock.shift(timedelta(hours=1))
    assert stall_detect().ended == [first.pk]
    first.refresh_from_db()
    assert first.end_reason == EndReason.PROGRESS
    assert first.ended_at == T0 + timedelta(days=8, hours=6)
    assert open_episode() is None
    clock.shift(timedelta(days=7))
    stall_detect()
    second = open_episode()
    assert second.pk != first.pk
    csm_rows = Notification.objects.filter(recipient=csm_a, channel=Channel.EMAIL)
    assert sorted(csm_rows.values_list("topic", flat=True)) == sorted([first.topic, second.topic])


def test_completing_the_last_task_ends_the_episode_as_completed(stall_a, csm_a, clock):
    checklist = ChecklistFactory(n_tasks=1)
    clock.shift(timedelta(days=8))
    stall_detect()
    episode = open_episode()
    complete(checklist.tasks.get())
    stall_detect()
    episode.refresh_from_db()
    assert episode.end_reason == EndReason.COMPLETED


def test_a_deleted_checklist_ends_its_episode(stall_a, csm_a, clock):
    checklist = ChecklistFactory(n_tasks=1)
    clock.shift(timedelta(days=8))
    stall_detect()
    episode = open_episode()
    checklist.delete()
    stall_detect()
    episode.refresh_from_db()
    assert episode.end_reason == EndReason.REMOVED


def test_a_checklist_with_nothing_left_to_do_is_never_stalled(stall_a, csm_a, clock):
    checklist = ChecklistFactory(n_tasks=1)
    complete(checklist.tasks.get())
    ChecklistFactory(name="Empty")
    clock.shift(timedelta(days=60))
    assert stall_detect().started == []


def test_the_snapshot_follows_the_blocking_task_every_run(stall_a, csm_a, clock):
    checklist = ChecklistFactory()
    first = TaskFactory(checklist=checklist, key="first", due_date=date(2026, 2, 20))
    TaskFactory(checklist=checklist, key="second", due_date=date(2026, 2, 24))
    stall_detect()
    assert open_episode().blocking_task_title == "First"
    complete(first)  # progress, but "second" is still 6 days late: the stall goes on
    clock.shift(timedelta(hours=1))
    assert stall_detect().ended == []
    episode = open_episode()
    assert episode.blocking_task_title == "Second"
    assert episode.last_progress_at == T0


def test_the_csm_is_told_once_per_episode_in_app_and_by_email(stall_a, csm_a, clock):
    ChecklistFactory(n_tasks=1)
    clock.shift(timedelta(days=8))
    result = stall_detect()
    episode = open_episode()
    rows = Notification.objects.filter(topic=episode.topic)
    assert result.notifications == 2
    assert {(r.recipient, r.channel, r.status) for r in rows} == {
        (csm_a, Channel.IN_APP, Status.PENDING),
        (csm_a, Channel.EMAIL, Status.PENDING),
    }
    email = rows.get(channel=Channel.EMAIL)
    assert email.address == csm_a.email
    assert email.kind == "stall.alert"
    assert email.subject.startswith("Onboarding stalled: Alpha Corp — no task completed for 8 days")
    assert f"/console/stalls/#episode-{episode.pk}" in email.link
    assert "Blocking task: Task 0" in email.body
    assert episode.level == EscalationLevel.CSM


def test_running_detection_again_adds_no_rows(stall_a, csm_a, clock):
    ChecklistFactory(n_tasks=1)
    clock.shift(timedelta(days=8))
    stall_detect()
    counts = (StallEpisode.objects.count(), Notification.objects.count(), AuditEvent.objects.count())
    for _ in range(3):
        clock.shift(timedelta(hours=1))
        again = stall_detect()
        assert again.started == again.ended == again.escalated == []
        assert again.notifications == 0
    assert (StallEpisode.objects.count(), Notification.objects.count(), AuditEvent.objects.count()) == counts


def test_a_csm_with_a_webhook_and_a_team_webhook_each_get_a_webhook_row(stall_a, csm_a, clock, settings):
    settings.KEEL_STALL_TEAM_WEBHOOK_URL = "https://hooks.example.com/team"
    NotificationPreference.objects.create(user=csm_a, webhook_url="https://hooks.example.com/ada")
    ChecklistFactory(n_tasks=1)
    clock.shift(timedelta(days=8))
    stall_detect()
    hooks = Notification.objects.filter(channel=Channel.WEBHOOK)
    assert sorted(hooks.values_list("address", flat=True)) == [
        "https://hooks.example.com/ada",
        "https://hooks.example.com/team",
    ]
    assert hooks.get(recipient__isnull=True).address.endswith("/team")


def test_a_tenant_without_a_csm_goes_straight_to_the_admins(stall_a, clock):
    admin = AdminFactory()
    ChecklistFactory(n_tasks=1)
    clock.shift(timedelta(days=8))
    stall_detect()
    episode = open_episode()
    assert episode.level == EscalationLevel.ADMINS
    assert episode.escalated_at == T0 + timedelta(days=8)
    assert set(Notification.objects.values_list("recipient", flat=True)) == {admin.pk}


def test_detection_records_the_episode_in_the_audit_log_and_the_internal_timeline(stall_a, csm_a, clock):
    checklist = ChecklistFactory(n_tasks=1)
    clock.shift(timedelta(days=8))
    stall_detect()
    episode = open_episode()
    activity = Activity.objects.get(checklist=checklist, verb="checklist.stalled")
    assert activity.internal
    assert "no task completed for 8 days" in activity.summary
    event = AuditEvent.objects.get(action="stall.started")
    assert event.tenant_slug == "alpha"
    assert event.target_id == str(episode.pk)


def test_a_failure_after_the_episode_is_written_leaves_nothing_behind(stall_a, csm_a, clock, monkeypatch):
    checklist = ChecklistFactory(n_tasks=1)
    clock.shift(timedelta(days=8))

    def explode(rows):
        raise RuntimeError("disk full")

    monkeypatch.setattr("portal.notifications.services._insert_new", explode)
    with pytest.raises(RuntimeError, match="disk full"):
        stall_detect()
    assert StallEpisode.objects.count() == 0
    assert Notification.objects.count() == 0
    assert not Activity.objects.filter(checklist=checklist, verb="checklist.stalled").exists()
    assert not AuditEvent.objects.filter(action="stall.started").exists()


def test_each_tenant_has_its_own_episodes(stall_a, csm_a, tenant_b, clock):
    ChecklistFactory(n_tasks=1)
    clock.shift(timedelta(days=8))
    stall_detect()
    with tenant_b:
        Checklist.objects.all().delete()
        assert stall_detect().started == []
    assert list(StallEpisode.objects.values_list("tenant__slug", flat=True)) == ["alpha"]


def test_detection_refuses_to_run_in_public(db):
    connection.set_schema_to_public()
    with pytest.raises(RuntimeError, match="inside a tenant schema"):
        stall_detect()


def test_each_person_and_the_team_are_told_in_their_own_language(stall_a, csm_a, clock, settings):
    settings.KEEL_STALL_TEAM_WEBHOOK_URL = "https://hooks.example.com/team"
    settings.KEEL_TEAM_LANGUAGE = "zh-hans"
    csm_a.language = "zh-hans"
    csm_a.save(update_fields=["language"])
    admin = AdminFactory(language="en")
    ChecklistFactory(n_tasks=1)
    clock.shift(timedelta(days=8))
    stall_detect()
    mine = Notification.objects.get(recipient=csm_a, channel=Channel.EMAIL)
    assert mine.subject.startswith("上线停滞：Alpha Corp — ")
    assert "天内没有完成任何任务" in mine.subject
    assert mine.dedupe_key.endswith(f":u{csm_a.pk}:email")  # the key is what it always was
    team = Notification.objects.get(recipient__isnull=True, channel=Channel.WEBHOOK)
    assert (team.language, team.subject[:4]) == ("zh-hans", "上线停滞")
    clock.shift(timedelta(days=4))
    assert stall_detect().escalated  # escalation reaches the admin, in English
    theirs = Notification.objects.get(recipient=admin, channel=Channel.EMAIL)
    assert theirs.subject.startswith("Still stalled: Alpha Corp — ")
