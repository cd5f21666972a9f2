"""Is the health score predictive? The AUC and churn per band, hand-computed; the report page."""

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context
from hypothesis import given
from hypothesis import strategies as st

from metrics import kpi
from metrics.portfolio.models import HealthScoreDay
from metrics.portfolio.predictive import predictive_report, roc_auc, score_on
from metrics.retention.ledger import Fact
from tests.support.clients import client_for
from tests.support.factories import (
    HealthScoreDayFactory,
    HealthScoreFactory,
    RetentionAccountFactory,
    RetentionEventFactory,
)

URL = "/console/kpis/predictive/"
H1 = "?start=2026-01-01&end=2026-06-30"
SINCE = date(2025, 1, 1)


# --- the arithmetic ---------------------------------------------------------------------------
@pytest.mark.pure
def test_auc_counts_pairs_won_by_the_kept_customer_and_ties_as_half():
    # pairs (kept, churned): (80,50) 1, (80,70) 1, (70,50) 1, (70,70) ½, (60,50) 1, (60,70) 0 → 4.5 / 6
    assert roc_auc(retained=[80, 70, 60], churned=[50, 70]) == 0.75


@pytest.mark.pure
@pytest.mark.parametrize(
    ("retained", "churned", "expected"),
    [
        ([90, 80], [10, 20], 1.0),  # every churned customer scored lower
        ([10, 20], [90, 80], 0.0),  # the score points the wrong way
        ([50, 50], [50], 0.5),  # all tied: a coin toss
        ([60, 40], [50, 50], 0.5),  # (60,50)×2 = 2, (40,50)×2 = 0 → 2 / 4
    ],
)
def test_auc_hand_computed(retained, churned, expected):
    assert roc_auc(retained=retained, churned=churned) == expected


@pytest.mark.pure
def test_auc_with_ties_on_both_sides():
    # kept 70, 70, 30; churned 70, 30. Pairs: 70 vs 70 → ½ (twice), 70 vs 30 → 1 (twice),
    # 30 vs 70 → 0, 30 vs 30 → ½. Sum 1 + 2 + 0 + ½ = 3.5 of 6.
    assert roc_auc(retained=[70, 70, 30], churned=[70, 30]) == pytest.approx(3.5 / 6)


@pytest.mark.pure
def test_auc_is_not_defined_without_both_sides():
    assert roc_auc(retained=[], churned=[40]) is None
    assert roc_auc(retained=[40], churned=[]) is None


@pytest.mark.pure
def test_auc_is_shown_with_two_decimals_half_up():
    assert kpi.format_auc(0.875) == "0.88"
    assert kpi.format_auc(0.5) == "0.50"
    assert kpi.format_auc(None) == "—"


scores = st.lists(st.integers(min_value=0, max_value=100), min_size=1, max_size=30)


@pytest.mark.pure
@given(retained=scores, churned=scores)
def test_auc_is_a_probability_and_swapping_the_labels_gives_its_complement(retained, churned):
    auc = roc_auc(retained=retained, churned=churned)
    assert auc is not None
    assert 0.0 <= auc <= 1.0
    assert roc_auc(retained=churned, churned=retained) == pytest.approx(1 - auc)


@pytest.mark.pure
@given(retained=scores, churned=scores)
def test_auc_equals_the_share_of_pairs_counted_one_by_one(retained, churned):
    wins = sum(1.0 if r > c else 0.5 if r == c else 0.0 for r in retained for c in churned)
    assert roc_auc(retained=retained, churned=churned) == pytest.approx(wins / (len(retained) * len(churned)))


@pytest.mark.pure
def test_the_score_of_a_day_is_the_latest_within_a_week_and_never_not_enough_data():
    history = [(date(2026, 3, 1), 40, "yellow"), (date(2026, 3, 5), 80, "green"), (date(2026, 3, 9), None, "unknown")]
    assert score_on(history, date(2026, 3, 10)) == (80, "green")  # the 9th has no score
    assert score_on(history, date(2026, 3, 4)) == (40, "yellow")
    assert score_on(history, date(2026, 3, 12)) == (80, "green")  # 7 days older: still counts
    assert score_on(history, date(2026, 3, 13)) is None  # 8 days: stale
    assert score_on(history, date(2026, 2, 28)) is None  # nothing before


def _dataset():
    """Six customers over H1 2026 with a 90-day lead (hand-computed in the tests below).

    a: churns 2026-05-01 → scored 2026-01-31: 30 (from the 29th); red (35) on 2025-12-31
    b: churns 2026-03-31 → scored 2025-12-31: 60; yellow at the start
    c: kept → scored 2026-04-01 (end − 90): 60; green (80) at the start
    d: kept, last score 12 days before 2026-04-01 (stale): no score; green (85 on 2025-12-28)
    e: kept, 75 on 2026-03-30; no score at the start
    f: joins 2026-02-01: in neither
    """
    start = Fact("contract_start", SINCE, Decimal(1000))
    accounts = {
        1: [start, Fact("churn", date(2026, 5, 1))],
        2: [start, Fact("churn", date(2026, 3, 31))],
        3: [start],
        4: [start],
        5: [start],
        6: [Fact("contract_start", date(2026, 2, 1), Decimal(1000))],
    }
    history = {
        1: [(date(2025, 12, 31), 35, "red"), (date(2026, 1, 29), 30, "red")],
        2: [(date(2025, 12, 31), 60, "yellow")],
        3: [(date(2025, 12, 31), 80, "green"), (date(2026, 4, 1), 60, "yellow")],
        4: [(date(2025, 12, 28), 85, "green"), (date(2026, 3, 20), 90, "green")],
        5: [(date(2026, 3, 30), 75, "green")],
        6: [(date(2026, 3, 30), 10, "red")],
    }
    return accounts, history


@pytest.mark.pure
def test_the_report_is_hand_computed():
    accounts, history = _dataset()
    report = predictive_report(accounts, history, start=date(2026, 1, 1), end=date(2026, 6, 30), lead_days=90)
    assert sorted(report.churned_scores) == [30, 60]
    assert sorted(report.retained_scores) == [60, 75]
    # (60,30) 1, (60,60) ½, (75,30) 1, (75,60) 1 → 3.5 / 4
    assert report.auc == 0.875
    assert (report.churns, report.churned_unscored, report.retained_unscored) == (2, 0, 1)
    assert report.too_few
    bands = {row.band: (row.customers, row.lost, row.churn_rate) for row in report.bands}
    assert bands == {"green": (2, 0, 0.0), "yellow": (1, 1, 100.0), "red": (1, 1, 100.0), "unknown": (1, 0, 0.0)}
    assert 6 not in report.accounts
    assert report.accounts[1] == (date(2026, 5, 1), 30)


@pytest.mark.pure
def test_a_churn_outside_the_period_or_its_reversal_leaves_the_customer_kept():
    start = Fact("contract_start", SINCE, Decimal(1000))
    accounts = {1: [start, Fact("churn", date(2026, 7, 2))]}
    history = {1: [(date(2026, 4, 1), 50, "yellow")]}
    report = predictive_report(accounts, history, start=date(2026, 1, 1), end=date(2026, 6, 30))
    assert (report.retained_scores, report.churned_scores) == ([50], [])


@pytest.mark.pure
def test_the_lead_moves_the_day_whose_score_counts():
    accounts, history = _dataset()
    report = predictive_report(accounts, history, start=date(2026, 1, 1), end=date(2026, 6, 30), lead_days=1)
    # kept customers scored on 2026-06-29: nobody has a score within the week before it
    assert report.retained_scores == []
    assert report.auc is None


# --- the page -----------------------------------------------------------------------------------
def _seed(tenant=None, *, churn_on=None, days=()):
    account = RetentionAccountFactory(tenant=tenant)
    RetentionEventFactory(account=account, occurred_on=SINCE, arr=Decimal(1000))
    if churn_on:
        RetentionEventFactory(account=account, kind="churn", occurred_on=churn_on)
    for day, score in days:
        HealthScoreDayFactory(account=account, day=day, score=score)
    return account


@pytest.fixture
def world(db):
    """The pure dataset's a-e as deleted customers' tombstones (admins see them)."""
    return [
        _seed(churn_on=date(2026, 5, 1), days=[(date(2025, 12, 31), 35), (date(2026, 1, 29), 30)]),
        _seed(churn_on=date(2026, 3, 31), days=[(date(2025, 12, 31), 60)]),
        _seed(days=[(date(2025, 12, 31), 80), (date(2026, 4, 1), 60)]),
        _seed(days=[(date(2025, 12, 28), 85), (date(2026, 3, 20), 90)]),
        _seed(days=[(date(2026, 3, 30), 75)]),
    ]


@pytest.mark.django_db
@time_machine.travel("2026-12-01 12:00Z", tick=False)
def test_the_page_shows_the_hand_computed_report_with_its_warning(world, admin_user):
    response = client_for(admin_user).get(URL + H1)
    assert response.status_code == 200
    report = response.context["report"]
    assert (report.auc, report.churns) == (0.875, 2)
    body = response.content.decode()
    assert "<strong>0.88</strong>" in body
    assert "Too few churns to judge" in body
    assert "100.0 %" in body  # yellow and red: 1 of 1 lost
    # the lost first, in the order they left, then the kept
    lost_on = [churned_on for _, churned_on, _ in response.context["customers"]]
    assert lost_on == [date(2026, 3, 31), date(2026, 5, 1), None, None, None]
    assert 'name="lead_days" value="90"' in body  # the default is shown, not an empty field


@pytest.mark.django_db
@time_machine.travel("2026-12-01 12:00Z", tick=False)
def test_ten_scored_churns_lift_the_warning(world, admin_user):
    for n in range(8):
        _seed(churn_on=date(2026, 6, 1), days=[(date(2026, 3, 3), 20 + n)])
    response = client_for(admin_user).get(URL + H1)
    assert response.context["report"].churns == 10
    assert "Too few churns to judge" not in response.content.decode()


@pytest.mark.django_db
@time_machine.travel("2026-12-01 12:00Z", tick=False)
def test_the_page_reads_a_constant_number_of_queries(world, admin_user):
    client = client_for(admin_user)
    with CaptureQueriesContext(connection) as few:
        client.get(URL + H1)
    for _ in range(5):
        _seed(churn_on=date(2026, 4, 1), days=[(date(2026, 1, 1), 50)])
    with CaptureQueriesContext(connection) as many:
        client.get(URL + H1)
    assert len(many) == len(few)


@pytest.mark.django_db
@time_machine.travel("2026-12-01 12:00Z", tick=False)
def test_a_csm_sees_only_their_customers(world, tenant_a, tenant_b, csm_a):
    mine = _seed(tenant_a, churn_on=date(2026, 2, 1), days=[(date(2025, 11, 3), 20)])
    _seed(tenant_b, churn_on=date(2026, 2, 1), days=[(date(2025, 11, 3), 20)])
    response = client_for(csm_a).get(URL + H1)
    assert response.status_code == 200
    assert [account.pk for account, *_ in response.context["customers"]] == [mine.pk]


@pytest.mark.django_db
@time_machine.travel("2026-12-01 12:00Z", tick=False)
def test_a_bad_lead_says_what_was_wrong(admin_user):
    response = client_for(admin_user).get(URL + "?lead_days=0")
    assert response.status_code == 400
    assert "greater than or equal to 1" in response.content.decode()
    assert response.context["report"].lead_days == 90


@pytest.mark.django_db
@time_machine.travel("2026-12-01 12:00Z", tick=False)
def test_the_kpi_board_links_to_the_report(admin_user):
    body = client_for(admin_user).get("/console/kpis/?start=2026-01-01&end=2026-06-30").content.decode()
    assert f'href="{URL}?start=2026-01-01&amp;end=2026-06-30"' in body


# --- where the history comes from -----------------------------------------------------------------
@pytest.mark.django_db
def test_the_backfill_copies_each_tenant_s_scores_into_the_public_history(tenant_a):
    with schema_context(tenant_a.schema_name):
        HealthScoreFactory(day=date(2026, 3, 1), score=42)
        HealthScoreFactory(day=date(2026, 3, 2), score=None, band="unknown")
    out = io.StringIO()
    call_command("health_history_backfill", "alpha", stdout=out)
    call_command("health_history_backfill", "alpha", stdout=out)  # re-running changes nothing
    assert "alpha: 2 days" in out.getvalue()
    rows = HealthScoreDay.objects.filter(account__tenant=tenant_a).order_by("day")
    assert [(r.day, r.score, r.band) for r in rows] == [
        (date(2026, 3, 1), 42, "yellow"),
        (date(2026, 3, 2), None, "unknown"),
    ]


@pytest.mark.django_db
def test_the_backfill_names_an_unknown_tenant():
    with pytest.raises(CommandError, match="No tenant nope"):
        call_command("health_history_backfill", "nope")


def test_scoring_a_day_writes_it_to_the_public_history(tenant_a, monkeypatch, db):
    monkeypatch.setattr("onboarding.selectors.checklist_plan_progress_get", lambda **_: None)
    monkeypatch.setattr("onboarding.selectors.first_value_get", lambda: None)
    from metrics.services.health import health_score_compute

    day = date(2026, 11, 20)
    with schema_context(tenant_a.schema_name):
        connection.set_tenant(tenant_a)
        health_score_compute(tenant=tenant_a, day=day)
        health_score_compute(tenant=tenant_a, day=day + timedelta(days=1))
    rows = HealthScoreDay.objects.filter(account__tenant=tenant_a).order_by("day")
    assert [(r.day, r.score, r.band) for r in rows] == [
        (day, None, "unknown"),
        (day + timedelta(days=1), None, "unknown"),
    ]
