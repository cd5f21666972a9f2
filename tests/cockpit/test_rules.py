"""Each rule, table-tested on its facts: it fires, it does not fire at the boundary, it clears."""

from dataclasses import replace
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from metrics.cockpit.models import Priority, Rule
from metrics.cockpit.rules import Facts, default_thresholds, rule_evaluate, thresholds_clean

pytestmark = pytest.mark.pure

TODAY = date(2026, 12, 1)
BASE = Facts(
    tenant_id=1,
    slug="alpha",
    tier="key",
    csm_id=None,
    renewal_date=None,
    qbr_due=TODAY + timedelta(days=200),
    last_qbr_on=TODAY - timedelta(days=30),
    score=80,
    band="green",
    score_week_ago=80,
)


def run(rule: str, **changes):
    return rule_evaluate(rule, replace(BASE, **changes), default_thresholds(rule), TODAY)


@pytest.mark.parametrize(
    ("changes", "fires", "priority"),
    [
        ({"score": 70, "score_week_ago": 80}, True, Priority.HIGH),  # fell exactly 10: fires
        ({"score": 71, "score_week_ago": 80}, False, None),  # fell 9: the boundary
        ({"score": 35, "band": "red", "score_week_ago": 38}, True, Priority.URGENT),  # red
        ({"score": 40, "band": "yellow", "score_week_ago": 45}, False, None),  # yellow, small drop
        ({"score": 30, "band": "red", "score_week_ago": None}, True, Priority.URGENT),  # red, no history
        ({"score": None, "band": "unknown", "score_week_ago": None}, False, None),  # no data
        ({"score": 90, "score_week_ago": 60}, False, None),  # rose: cleared
    ],
)
def test_health_drop(changes, fires, priority):
    finding = run(Rule.HEALTH_DROP, **changes)
    assert (finding is not None) == fires
    if fires:
        assert finding.priority == priority
        assert finding.due == TODAY + timedelta(days=2)
        assert finding.figures["score"] == changes["score"]


def test_health_drop_reason_carries_the_figures():
    finding = run(Rule.HEALTH_DROP, score=58, score_week_ago=70, band="yellow")
    assert finding.reason == "Health fell 12 points in 7 days (70 → 58)."
    assert finding.figures["change"] == -12


@pytest.mark.parametrize(
    ("changes", "fires"),
    [
        ({"stall_id": 7, "stall_checklist": "Onboarding", "stall_since": TODAY - timedelta(days=3)}, True),
        ({"stall_id": None}, False),  # no open episode (never stalled, or it ended): cleared
    ],
)
def test_onboarding_stall(changes, fires):
    finding = run(Rule.ONBOARDING_STALL, **changes)
    assert (finding is not None) == fires
    if fires:
        assert finding.figures == {"stall_episode": 7, "stalled_days": 3, "checklist": "Onboarding"}
        assert ("Stall episode", "stalls:stall_list") in finding.evidence


@pytest.mark.parametrize(
    ("days", "band", "last_qbr_days_ago", "fires"),
    [
        (120, "yellow", 30, True),  # within 120 days, not green
        (121, "yellow", 30, False),  # one day too far: the boundary
        (120, "green", 30, False),  # green with a recent QBR
        (60, "green", 200, True),  # green but no QBR in two quarters
        (60, "green", 183, False),  # QBR on 1 Jun, exactly two quarters back: still recent
        (60, "green", 184, True),  # 31 May: one day older than two quarters
        (60, "green", None, True),  # never had a QBR
        (-1, "red", None, False),  # renewal passed: the renewal rule no longer applies
    ],
)
def test_renewal_at_risk(days, band, last_qbr_days_ago, fires):
    last = None if last_qbr_days_ago is None else TODAY - timedelta(days=last_qbr_days_ago)
    finding = run(Rule.RENEWAL_AT_RISK, renewal_date=TODAY + timedelta(days=days), band=band, last_qbr_on=last)
    assert (finding is not None) == fires


def test_renewal_without_a_date_never_fires():
    assert run(Rule.RENEWAL_AT_RISK, renewal_date=None, band="red") is None


def test_renewal_within_30_days_is_urgent_and_due_before_the_renewal():
    finding = run(Rule.RENEWAL_AT_RISK, renewal_date=TODAY + timedelta(days=3), band="red")
    assert finding.priority == Priority.URGENT
    assert finding.due == TODAY + timedelta(days=3)
    assert finding.reason.startswith("Renewal in 3 days (04 Dec 2026) and health is red")


@pytest.mark.parametrize(
    ("due_in", "fires", "priority"),
    [
        (31, False, None),  # the boundary: 30 days' lead
        (30, True, Priority.NORMAL),
        (0, True, Priority.NORMAL),
        (-1, True, Priority.HIGH),  # overdue
        (200, False, None),  # QBR published: next one far away (cleared)
    ],
)
def test_qbr_due(due_in, fires, priority):
    finding = run(Rule.QBR_DUE, qbr_due=TODAY + timedelta(days=due_in))
    assert (finding is not None) == fires
    if fires:
        assert finding.priority == priority
        assert finding.due == max(TODAY, TODAY + timedelta(days=due_in))


def test_thresholds_change_the_boundary():
    facts = replace(BASE, score=75, score_week_ago=80)
    assert rule_evaluate(Rule.HEALTH_DROP, facts, {"drop_points": 5, "due_days": 2}, TODAY) is not None


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"drop_points": 0}, "drop_points"),
        ({"drop_points": "10"}, "drop_points"),
        ({"drop_points": True}, "drop_points"),
        ({"due_days": 61}, "due_days"),
        ({"nonsense": 1}, "__all__"),
    ],
)
def test_thresholds_are_validated(values, field):
    with pytest.raises(ValidationError) as caught:
        thresholds_clean(Rule.HEALTH_DROP, values)
    assert field in caught.value.error_dict


def test_thresholds_fill_in_defaults():
    assert thresholds_clean(Rule.HEALTH_DROP, {"drop_points": 15}) == {"drop_points": 15, "due_days": 2}


# --- rules on facts copied from the tenant's schema ------------------------------------------
@pytest.mark.parametrize(
    ("score", "fires"),
    [(6, True), (0, True), (7, False)],  # 7 is a passive: the boundary
)
def test_nps_detractor(score, fires):
    answered = date(2026, 11, 27)  # a Friday: two business days later is Tuesday
    finding = run(Rule.NPS_DETRACTOR, detractor_id=3, detractor_score=score, detractor_on=answered)
    assert (finding is not None) == fires
    if fires:
        assert finding.due == date(2026, 12, 1)
        assert finding.figures["score"] == score


def test_nps_detractor_clears_when_no_recent_detractor_is_left():
    assert run(Rule.NPS_DETRACTOR, detractor_id=None) is None


def test_nps_detractor_quotes_the_comment():
    finding = run(Rule.NPS_DETRACTOR, detractor_id=3, detractor_score=2, detractor_on=TODAY, detractor_comment="Slow")
    assert finding.reason == "NPS answer 2 on 01 Dec 2026: “Slow”"


@pytest.mark.parametrize(
    ("live_days", "rates", "fires"),
    [
        (30, (("EDR", 0.59), ("Phishing", 0.9)), True),  # 30 days after go-live, one below 60 %
        (29, (("EDR", 0.10),), False),  # too early: the boundary
        (30, (("EDR", 0.60), ("Phishing", 0.61)), False),  # at target: cleared
        (30, (("EDR", None),), True),  # nobody active at all
        (30, (), False),  # no core features defined
    ],
)
def test_adoption_low(live_days, rates, fires):
    finding = run(Rule.ADOPTION_LOW, go_live_on=TODAY - timedelta(days=live_days), core_adoption=rates)
    assert (finding is not None) == fires


def test_adoption_low_needs_a_go_live():
    assert run(Rule.ADOPTION_LOW, go_live_on=None, core_adoption=(("EDR", 0.1),)) is None


@pytest.mark.parametrize(
    ("live_days", "active", "seats", "fires"),
    [
        (14, 19, 100, True),  # 19 % of seats, 14 days after go-live
        (14, 20, 100, False),  # exactly 20 %: the boundary
        (13, 5, 100, False),  # too soon after go-live
        (30, 5, None, False),  # no seat count
        (30, 0, 10, True),
    ],
)
def test_zombie_box(live_days, active, seats, fires):
    finding = run(Rule.ZOMBIE, go_live_on=TODAY - timedelta(days=live_days), active_users_14d=active, seats=seats)
    assert (finding is not None) == fires


@pytest.mark.parametrize(
    ("due_days_ago", "fires"),
    [(1, True), (0, False), (None, False)],  # due today is not overdue yet
)
def test_milestone_overdue(due_days_ago, fires):
    due = None if due_days_ago is None else TODAY - timedelta(days=due_days_ago)
    finding = run(
        Rule.MILESTONE_OVERDUE, milestone_id=None if due is None else 5, milestone_title="Go live", milestone_due=due
    )
    assert (finding is not None) == fires
    if fires:
        assert finding.reason == "Milestone “Go live” overdue by 1 day (due 30 Nov 2026)."


@pytest.mark.parametrize(
    ("active", "seats", "rates", "fires"),
    [
        (90, 100, (), True),  # 90 % of seats used
        (89, 100, (), False),  # the boundary
        (10, 100, (("EDR", 0.8), ("Phishing", 0.95)), True),  # every core feature at 80 %+
        (10, 100, (("EDR", 0.8), ("Phishing", 0.79)), False),
        (10, None, (("EDR", None),), False),
    ],
)
def test_expansion_signal(active, seats, rates, fires):
    finding = run(Rule.EXPANSION, active_users_28d=active, seats=seats, core_adoption=rates)
    assert (finding is not None) == fires
    if fires:
        assert finding.priority == Priority.LOW
