"""cta_evaluate: CTAs open once, carry their figures, refresh, wake, close themselves and cool down."""

import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from metrics.cockpit.models import Cta, CtaStatus, Outcome, Rule
from metrics.cockpit.services import CLEARED_NOTE, DISABLED_NOTE, cta_close, cta_evaluate, rule_setting_update
from metrics.cockpit.tasks import cta_evaluate_task
from metrics.portfolio.models import HealthSnapshot
from portal.audit.models import AuditEvent
from portal.notifications.models import Channel, Notification, Status
from portal.tenancy.models import Tenant
from tests.support.factories import CtaFactory, HealthSnapshotFactory, StallEpisodeFactory


def alpha_only():
    return Tenant.objects.filter(slug="alpha")


def live(tenant, rule=Rule.HEALTH_DROP):
    return Cta.objects.live().filter(tenant=tenant, rule=rule)


def test_it_opens_one_cta_with_owner_figures_and_evidence(tenant_a, csm_a):
    HealthSnapshotFactory(tenant=tenant_a, score=35, score_week_ago=50)
    result = cta_evaluate(tenants=alpha_only())
    cta = live(tenant_a).get()
    assert result.opened == [cta.pk]
    assert cta.owner == csm_a
    assert cta.health_at_open == 35
    assert cta.reason == "Health is red and fell 15 points in 7 days (50 → 35)."
    assert cta.figures == {"score": 35, "band": "red", "score_7_days_ago": 50, "change": -15}
    assert cta.evidence == [{"label": "Health score and its components", "url": "/console/tenants/alpha/health/"}]
    assert AuditEvent.objects.filter(action="cta.opened", tenant=tenant_a, target_id=str(cta.pk)).exists()


def test_a_second_run_opens_nothing_and_refreshes_the_figures(tenant_a):
    snapshot = HealthSnapshotFactory(tenant=tenant_a, score=35, score_week_ago=50)
    cta_evaluate(tenants=alpha_only())
    HealthSnapshot.objects.filter(pk=snapshot.pk).update(score=30)
    result = cta_evaluate(tenants=alpha_only())
    assert result.opened == []
    assert result.refreshed == 1
    assert live(tenant_a).get().figures["score"] == 30


def test_it_closes_itself_with_a_note_when_the_condition_clears(tenant_a):
    snapshot = HealthSnapshotFactory(tenant=tenant_a, score=35, score_week_ago=50)
    cta_evaluate(tenants=alpha_only())
    HealthSnapshot.objects.filter(pk=snapshot.pk).update(score=75, band="green", score_week_ago=70)
    result = cta_evaluate(tenants=alpha_only())
    cta = Cta.objects.get(tenant=tenant_a, rule=Rule.HEALTH_DROP)
    assert result.closed == [cta.pk]
    assert (cta.status, cta.outcome, cta.note) == (CtaStatus.CLOSED, Outcome.CLEARED, CLEARED_NOTE)
    assert cta.closed_by is None


def test_it_reopens_only_after_the_cooldown(tenant_a, csm_a):
    HealthSnapshotFactory(tenant=tenant_a, score=35, score_week_ago=50)
    cta_evaluate(tenants=alpha_only())
    cta_close(cta=live(tenant_a).get(), actor=csm_a, outcome=Outcome.RISK_ACCEPTED, note="Budget cut, known.")
    now = timezone.now()
    assert cta_evaluate(tenants=alpha_only(), now=now + timedelta(days=13)).opened == []
    assert len(cta_evaluate(tenants=alpha_only(), now=now + timedelta(days=14, minutes=1)).opened) == 1


def test_a_snoozed_cta_wakes_on_its_day(tenant_a):
    HealthSnapshotFactory(tenant=tenant_a, score=35, score_week_ago=50)
    cta = CtaFactory(tenant=tenant_a, status=CtaStatus.SNOOZED, snoozed_until=timezone.localdate() + timedelta(days=1))
    assert cta_evaluate(tenants=alpha_only()).woken == 0
    result = cta_evaluate(tenants=alpha_only(), now=timezone.now() + timedelta(days=1))
    cta.refresh_from_db()
    assert (result.woken, cta.status, cta.snoozed_until) == (1, CtaStatus.OPEN, None)


def test_an_open_stall_becomes_a_cta_without_a_second_alert(tenant_a, csm_a):
    episode = StallEpisodeFactory(tenant=tenant_a, blocking_task_title="Deploy the agent")
    cta_evaluate(tenants=alpha_only())
    cta = live(tenant_a, Rule.ONBOARDING_STALL).get()
    assert cta.figures["stall_episode"] == episode.pk
    assert "Deploy the agent" in cta.reason
    assert not Notification.objects.filter(topic=cta.topic).exists()


def test_urgent_ctas_go_out_at_once_and_the_rest_wait_for_the_digest(tenant_a, tenant_b, csm_a, csm_b):
    HealthSnapshotFactory(tenant=tenant_a, score=30, score_week_ago=31)  # red: urgent
    HealthSnapshotFactory(tenant=tenant_b, score=60, score_week_ago=75)  # fell 15: high
    cta_evaluate(tenants=Tenant.objects.filter(slug__in=["alpha", "beta"]))
    urgent = Notification.objects.get(recipient=csm_a, channel=Channel.EMAIL, kind="cta")
    later = Notification.objects.get(recipient=csm_b, channel=Channel.EMAIL, kind="cta")
    assert urgent.status == Status.PENDING
    assert urgent.subject == "Urgent: Alpha Corp: Health entered red or dropped"
    assert later.status == Status.HELD
    assert urgent.link.endswith(f"/console/tenants/alpha/ctas/{live(tenant_a).get().pk}/")


def test_turning_a_rule_off_closes_its_ctas(tenant_a, admin_user):
    HealthSnapshotFactory(tenant=tenant_a, score=35, score_week_ago=50)
    cta_evaluate(tenants=alpha_only())
    rule_setting_update(
        rule=Rule.HEALTH_DROP,
        actor=admin_user,
        enabled=False,
        thresholds={"drop_points": 10, "due_days": 2},
        cooldown_days=14,
        playbook="",
    )
    cta_evaluate(tenants=alpha_only())
    assert Cta.objects.get(tenant=tenant_a).note == DISABLED_NOTE


def test_new_ctas_carry_the_rule_s_playbook(tenant_a, admin_user):
    rule_setting_update(
        rule=Rule.HEALTH_DROP,
        actor=admin_user,
        enabled=True,
        thresholds={"drop_points": 10},
        cooldown_days=14,
        playbook="Read the drivers\n\nCall the sponsor",
    )
    HealthSnapshotFactory(tenant=tenant_a, score=35, score_week_ago=50)
    cta_evaluate(tenants=alpha_only())
    assert live(tenant_a).get().steps == [
        {"text": "Read the drivers", "done": False},
        {"text": "Call the sponsor", "done": False},
    ]


def test_the_database_refuses_a_second_live_cta_per_customer_and_rule(tenant_a):
    CtaFactory(tenant=tenant_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        CtaFactory(tenant=tenant_a, status=CtaStatus.SNOOZED, snoozed_until=timezone.localdate())
    CtaFactory(tenant=tenant_a, rule=Rule.QBR_DUE)  # another rule is fine


def test_the_task_evaluates_every_customer(tenant_a):
    HealthSnapshotFactory(tenant=tenant_a, score=35, score_week_ago=50)
    assert cta_evaluate_task.apply().get()["opened"] >= 1
    assert live(tenant_a).count() == 1


# --- two evaluations at once ------------------------------------------------------------------
def _in_thread(work):
    """Run ``work`` on a connection of its own (autocommit: what it writes is committed)."""
    errors = []

    def target():
        try:
            work()
        except Exception as exc:  # noqa: BLE001 - re-raised in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=target)
    thread.start()
    return thread, errors


def test_two_evaluations_at_once_open_exactly_one_cta_per_condition(tenant_a):
    # Committed rows, so both evaluations' connections see them; removed again at the end.
    alpha = tenant_a.pk

    def arrange():
        HealthSnapshot.objects.update_or_create(
            tenant_id=alpha, defaults={"day": timezone.localdate(), "score": 35, "band": "red", "score_week_ago": 50}
        )

    def clean():
        Cta.objects.filter(tenant_id=alpha).delete()
        AuditEvent.objects.filter(tenant_id=alpha, action="cta.opened").delete()
        HealthSnapshot.objects.filter(tenant_id=alpha).delete()

    thread, errors = _in_thread(arrange)
    thread.join()
    try:
        barrier = threading.Barrier(2)
        results = []

        def evaluate():
            barrier.wait()
            results.append(cta_evaluate(tenants=Tenant.objects.filter(pk=alpha)))

        runs = [_in_thread(evaluate) for _ in range(2)]
        for run_thread, _ in runs:
            run_thread.join(timeout=30)
        assert not [e for _, errs in runs for e in errs]
        counts = {}

        def count():
            counts.update({rule: Cta.objects.filter(tenant_id=alpha, rule=rule).count() for rule in Rule.values})

        thread, errs = _in_thread(count)
        thread.join()
        assert counts[Rule.HEALTH_DROP] == 1
        assert all(n <= 1 for n in counts.values())
        assert sorted(len(r.opened) for r in results) == [0, sum(counts.values())]
    finally:
        thread, errs = _in_thread(clean)
        thread.join()
        assert not errs


# --- a run decides only what changed -----------------------------------------------------------
def test_a_run_where_nothing_changed_reads_one_statement_and_writes_nothing(tenant_a, django_assert_num_queries):
    HealthSnapshotFactory(tenant=tenant_a, score=35, score_week_ago=50)
    StallEpisodeFactory(tenant=tenant_a)
    cta_evaluate(tenants=alpha_only())
    # The lock, the rule settings, the rules' statement, waking snoozed CTAs, health 30 days on
    # (and the savepoint of the test's transaction, released).
    with django_assert_num_queries(7):
        result = cta_evaluate(tenants=alpha_only())
    assert result.as_dict() == {"customers": 1, "opened": 0, "closed": 0, "refreshed": 0, "woken": 0}


def test_a_new_threshold_is_decided_on_at_the_next_run(tenant_a, admin_user):
    HealthSnapshotFactory(tenant=tenant_a, score=58, score_week_ago=70, band="yellow")  # fell 12
    cta_evaluate(tenants=alpha_only())
    rule_setting_update(
        rule=Rule.HEALTH_DROP,
        actor=admin_user,
        enabled=True,
        thresholds={"drop_points": 15, "due_days": 2},
        cooldown_days=14,
        playbook="",
    )
    result = cta_evaluate(tenants=alpha_only())
    assert result.closed == [Cta.objects.get(tenant=tenant_a, rule=Rule.HEALTH_DROP).pk]


def test_a_cta_opened_by_hand_is_decided_on_though_no_fact_changed(tenant_a):
    cta_evaluate(tenants=alpha_only())
    cta = CtaFactory(tenant=tenant_a)  # health rule, but the customer has no score at all
    result = cta_evaluate(tenants=alpha_only())
    cta.refresh_from_db()
    assert result.closed == [cta.pk]
    assert cta.note == CLEARED_NOTE


def test_a_new_day_decides_the_live_ctas_again(tenant_a):
    StallEpisodeFactory(tenant=tenant_a, stalled_since=timezone.now() - timedelta(days=3))
    cta_evaluate(tenants=alpha_only())
    result = cta_evaluate(tenants=alpha_only(), now=timezone.now() + timedelta(days=1))
    assert result.refreshed == 1
    assert live(tenant_a, Rule.ONBOARDING_STALL).get().figures["stalled_days"] == 4


def test_it_evaluates_a_scope_through_a_join_or_an_empty_one(tenant_a, csm_a):
    HealthSnapshotFactory(tenant=tenant_a, score=35, score_week_ago=50)
    assert cta_evaluate(tenants=Tenant.objects.none()).as_dict()["customers"] == 0
    result = cta_evaluate(tenants=Tenant.objects.filter(csm__email=csm_a.email))
    assert live(tenant_a).get().pk in result.opened


def test_a_cta_nobody_owns_goes_to_the_admins(tenant_a, csm_a, admin_user):
    Tenant.objects.filter(pk=tenant_a.pk).update(csm=None)
    HealthSnapshotFactory(tenant=tenant_a, score=30, score_week_ago=31)  # red: urgent
    cta_evaluate(tenants=alpha_only())
    cta = live(tenant_a).get()
    assert cta.owner is None
    told = Notification.objects.filter(kind="cta", channel=Channel.EMAIL)
    assert [n.recipient for n in told] == [admin_user]
    assert told.get().subject == "Urgent: Alpha Corp: Health entered red or dropped"
