"""KPI formulas against hand-worked examples of the textbook definitions (seed 002)."""

from datetime import UTC, datetime, timedelta

import pytest

from metrics import kpi
from metrics.kpi import churn_rate, share_percent

pytestmark = pytest.mark.pure  # pure functions: no database (tests/conftest.py)


def test_nps_is_percent_promoters_minus_percent_detractors():
    # 3 promoters (9, 10, 10), 1 passive (7), 1 detractor (2): 60 % − 20 % = 40.
    assert kpi.nps([9, 10, 10, 7, 2]) == pytest.approx(40)
    # 70 promoters, 20 passives, 10 detractors out of 100: 70 − 10 = 60.
    assert kpi.nps([10] * 70 + [8] * 20 + [4] * 10) == pytest.approx(60)


def test_nps_counts_7_and_8_as_passives_and_6_as_a_detractor():
    assert kpi.nps([7, 8]) == 0
    assert kpi.nps([6]) == -100
    assert kpi.nps([9]) == 100
    assert kpi.nps([10, 9, 9, 8, 7, 6, 3, 0, 10, 5]) == 0  # 4 promoters, 4 detractors of 10


def test_nps_without_answers_is_missing_not_zero():
    assert kpi.nps([]) is None
    assert kpi.nps_from_counts(promoters=0, passives=0, detractors=0) is None


def test_nps_rejects_answers_outside_0_to_10():
    with pytest.raises(ValueError, match="0-10"):
        kpi.nps([11])


def test_adoption_is_feature_users_over_active_users():
    assert kpi.adoption_rate(feature_users=12, active_users=40) == pytest.approx(0.30)
    assert kpi.adoption_rate(feature_users=40, active_users=40) == 1
    assert kpi.adoption_rate(feature_users=0, active_users=0) is None
    with pytest.raises(ValueError, match="more users"):
        kpi.adoption_rate(feature_users=5, active_users=4)


def test_churn_is_lost_over_customers_at_start_times_100():
    assert churn_rate(lost=3, at_start=60) == pytest.approx(5.0)
    assert churn_rate(lost=1, at_start=8) == pytest.approx(12.5)
    assert churn_rate(lost=0, at_start=10) == 0
    assert churn_rate(lost=0, at_start=0) is None


def test_share_green_is_a_percentage_of_scored_customers():
    assert share_percent(part=4, whole=5) == pytest.approx(80)
    assert share_percent(part=0, whole=0) is None


def test_ttv_is_reported_in_days_from_start_to_first_value():
    start = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
    first_value = datetime(2026, 1, 15, 21, 0, tzinfo=UTC)
    assert kpi.ttv_days(first_value - start) == 14.5
    # 0.25 d: halves round away from zero everywhere (docs/kpis.md), not to even as round() does.
    assert kpi.ttv_days(timedelta(hours=6)) == 0.3
    assert kpi.ttv_days(timedelta(hours=3)) == 0.1  # 0.125 d
    assert kpi.ttv_days(None) is None
    with pytest.raises(ValueError, match="before the start"):
        kpi.ttv_days(timedelta(days=-1))


def test_average_daily_active_and_trend():
    assert kpi.average_daily_active(active_user_days=140, window_days=28) == 5
    assert kpi.trend_percent(current=120, previous=100) == pytest.approx(20)
    assert kpi.trend_percent(current=5, previous=0) is None
