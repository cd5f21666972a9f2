"""The escalation ladder: the CSM first, admins once the tier's further interval has passed; snoozing holds it."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from onboarding.stalls.models import EscalationLevel, StallEpisode
from onboarding.stalls.services import stall_detect, stall_episode_snooze, stall_episode_unsnooze
from portal.accounts.access import AccessDenied
from portal.audit.models import AuditEvent
from portal.notifications.models import Channel, Notification
from tests.support.factories import AdminFactory, ChecklistFactory
from tests.support.onboarding import T0, set_tier

pytestmark = pytest.mark.django_db


@pytest.fixture
def stalled(stall_a, csm_a, clock):
    """An episode of tenant A detected at T0 + 8 days (standard tier: escalation 72 h later)."""
    ChecklistFactory(n_tasks=1)
    clock.shift(timedelta(days=8))
    stall_detect()
    return StallEpisode.objects.get()


def admin_rows():
    return Notification.objects.filter(kind="stall.escalation")


def test_admins_hear_nothing_before_the_interval_has_passed(stalled, clock):
    AdminFactory()
    clock.shift(timedelta(hours=72) - timedelta(minutes=1))
    assert stall_detect().escalated == []
    assert not admin_rows().exists()
    stalled.refresh_from_db()
    assert stalled.level == EscalationLevel.CSM


def test_admins_are_told_once_the_interval_has_passed(stalled, csm_a, clock):
    first, second = AdminFactory(), AdminFactory()
    clock.shift(timedelta(hours=72))
    assert stall_detect().escalated == [stalled.pk]
    stalled.refresh_from_db()
    assert stalled.level == EscalationLevel.ADMINS
    assert stalled.escalated_at == T0 + timedelta(days=8, hours=72)
    assert {(r.recipient, r.channel) for r in admin_rows()} == {
        (first, Channel.IN_APP),
        (first, Channel.EMAIL),
        (second, Channel.IN_APP),
        (second, Channel.EMAIL),
    }
    assert admin_rows().first().subject.startswith("Still stalled: Alpha Corp")
    assert not admin_rows().filter(recipient=csm_a).exists()
    assert AuditEvent.objects.filter(action="stall.escalated", target_id=str(stalled.pk)).count() == 1


def test_escalation_happens_once(stalled, clock):
    AdminFactory()
    clock.shift(timedelta(hours=72))
    stall_detect()
    count = admin_rows().count()
    clock.shift(timedelta(days=5))
    assert stall_detect().escalated == []
    assert admin_rows().count() == count == 2


def test_the_interval_follows_the_tier(stall_a, csm_a, clock):
    set_tier(stall_a, "strategic")  # idle 3 days, escalation after 24 h
    AdminFactory()
    ChecklistFactory(n_tasks=1)
    clock.shift(timedelta(days=3))
    stall_detect()
    clock.shift(timedelta(hours=23))
    assert stall_detect().escalated == []
    clock.shift(timedelta(hours=1))
    assert len(stall_detect().escalated) == 1


def test_a_snooze_holds_escalation_until_it_ends(stalled, csm_a, clock):
    AdminFactory()
    stall_episode_snooze(episode=stalled, actor=csm_a, reason="Customer on holiday until the 20th", days=7)
    clock.shift(timedelta(days=6, hours=23))
    assert stall_detect().escalated == []
    clock.shift(timedelta(hours=1))
    assert stall_detect().escalated == [stalled.pk]


def test_ending_a_snooze_lets_the_next_run_escalate(stalled, csm_a, clock):
    AdminFactory()
    stall_episode_snooze(episode=stalled, actor=csm_a, reason="Waiting for their change window", days=14)
    clock.shift(timedelta(hours=80))
    assert stall_detect().escalated == []
    stall_episode_unsnooze(episode=stalled, actor=csm_a)
    assert stall_detect().escalated == [stalled.pk]


def test_a_snooze_records_who_why_and_until_when(stalled, csm_a):
    episode = stall_episode_snooze(episode=stalled, actor=csm_a, reason="  Budget sign-off next week ", days=3)
    assert episode.snoozed_by == csm_a
    assert episode.snooze_reason == "Budget sign-off next week"
    assert episode.snoozed_until == T0 + timedelta(days=11)
    event = AuditEvent.objects.get(action="stall.snoozed")
    assert event.actor == csm_a and event.data["reason"] == "Budget sign-off next week"


@pytest.mark.parametrize(
    ("reason", "days", "message"),
    [("   ", 3, "Say why"), ("ok", 0, "1 to 30 days"), ("ok", 31, "1 to 30 days")],
)
def test_a_snooze_needs_a_reason_and_a_sensible_length(stalled, csm_a, reason, days, message):
    with pytest.raises(ValidationError, match=message):
        stall_episode_snooze(episode=stalled, actor=csm_a, reason=reason, days=days)


def test_only_the_accounts_csm_or_an_admin_may_snooze(stalled, csm_b, member_a):
    for actor in (csm_b, member_a):
        with pytest.raises(AccessDenied):
            stall_episode_snooze(episode=stalled, actor=actor, reason="not mine", days=1)
    stall_episode_snooze(episode=stalled, actor=AdminFactory(), reason="admin call", days=1)


def test_an_ended_episode_cannot_be_snoozed(stalled, csm_a):
    StallEpisode.objects.filter(pk=stalled.pk).update(ended_at=stalled.detected_at, end_reason="progress")
    with pytest.raises(ValidationError, match="already ended"):
        stall_episode_snooze(episode=stalled, actor=csm_a, reason="late", days=1)
