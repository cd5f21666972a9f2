"""Health-score math: a hand-worked example, the missing-data rule, bounds and determinism."""

from types import MappingProxyType

import pytest
from django.conf import settings
from hypothesis import given
from hypothesis import strategies as st

from metrics import scoring
from metrics.scoring import Facts

pytestmark = pytest.mark.pure  # pure functions: no database (tests/conftest.py)

CONFIG = settings.KEEL_HEALTH
STANDARD = CONFIG["weights"]["standard"]  # usage 35, adoption 30, support 10, nps 10, onboarding 15


def worked_example() -> Facts:
    return Facts(
        window_days=28,
        has_usage=True,
        active_users=10,
        active_user_days=140,  # 5 a day on average
        seats=20,
        core_feature_users=(("alerts", 8), ("reports", 4)),
        has_tickets=True,
        open_critical=1,
        opened_in_window=5,
        nps=None,
        onboarding=(3, 4),
    )


def test_a_hand_worked_standard_tier_score():
    scores = scoring.component_scores(worked_example(), CONFIG)
    assert scores["usage"][0] == pytest.approx(50)  # 5 / 20 seats = 25 %, half the 50 % target
    assert scores["adoption"][0] == pytest.approx(75)  # mean(80 %, 40 %) = 60 % of an 80 % target
    assert scores["support"][0] == pytest.approx(65)  # 100 − 25 (critical) − 5 × 2 (opened)
    assert scores["nps"][0] is None
    assert scores["onboarding"][0] == pytest.approx(75)  # 3 of 4
    parts = scoring.combine(scores, STANDARD)
    # NPS is missing: 35 + 30 + 10 + 15 = 90 share the whole score.
    shares = {p.key: p.share for p in parts}
    assert shares == pytest.approx(
        {"usage": 35 / 90, "adoption": 30 / 90, "support": 10 / 90, "nps": 0, "onboarding": 15 / 90}
    )
    # 19.44 + 25 + 7.22 + 12.5 = 64.17
    assert scoring.total(parts) == 64
    assert scoring.band_for(64, CONFIG["bands"]) == "yellow"


def test_missing_components_are_reported_as_missing_with_a_reason():
    parts = scoring.combine(scoring.component_scores(Facts(window_days=28), CONFIG), STANDARD)
    assert all(p.missing for p in parts)
    assert scoring.total(parts) is None
    assert scoring.band_for(None, CONFIG["bands"]) == "unknown"
    details = {p.key: p.detail for p in parts}
    assert details["usage"] == "No usage events received yet."
    assert details["onboarding"] == "No onboarding task due yet."


def test_real_zero_usage_is_a_zero_not_missing():
    facts = Facts(window_days=28, has_usage=True, active_users=0, core_feature_users=(("a", 0),))
    scores = scoring.component_scores(facts, CONFIG)
    assert scores["usage"][0] == 0
    assert scores["adoption"][0] == 0


def test_usage_counts_seats_or_monthly_actives_whichever_is_larger():
    busy = Facts(window_days=28, has_usage=True, active_users=10, active_user_days=280, seats=None)
    assert scoring.usage_score(busy, target=0.5)[0] == 100  # 10 a day of 10 monthly: capped
    over_seats = Facts(window_days=28, has_usage=True, active_users=10, active_user_days=140, seats=4)
    assert scoring.usage_score(over_seats, target=0.5)[0] == pytest.approx(100)  # 5 of 10 actives


def test_bands_use_the_configured_thresholds():
    bands = {"green": 70, "yellow": 40}
    assert [scoring.band_for(s, bands) for s in (100, 70, 69, 40, 39, 0)] == [
        "green",
        "green",
        "yellow",
        "yellow",
        "red",
        "red",
    ]
    assert scoring.band_for(69, {"green": 60, "yellow": 30}) == "green"


def test_the_total_rounds_half_up():
    parts = [scoring.Part(key="usage", score=72.5, weight=1, share=1, detail="")]
    assert scoring.total(parts) == 73


def test_negative_weights_are_refused():
    with pytest.raises(ValueError, match="negative"):
        scoring.combine({"usage": (50.0, "")}, {"usage": -1})


def test_drivers_are_the_biggest_weighted_changes_since_last_week():
    before = [
        {"key": "usage", "label": "Usage frequency", "score": 80, "contribution": 28.0},
        {"key": "support", "label": "Support tickets", "score": 100, "contribution": 10.0},
        {"key": "nps", "label": "NPS", "score": 60, "contribution": 6.0},
    ]
    now = [
        {"key": "usage", "label": "Usage frequency", "score": 60, "contribution": 21.0},
        {"key": "support", "label": "Support tickets", "score": 50, "contribution": 5.0},
        {"key": "nps", "label": "NPS", "score": 62, "contribution": 6.2},
    ]
    drivers = scoring.drivers(now, before)
    assert [(d["key"], d["delta"]) for d in drivers] == [("usage", -7.0), ("support", -5.0)]
    assert drivers[0]["previous_score"] == 80
    assert scoring.drivers(now, None) == []


def test_a_component_that_became_missing_drives_the_change_by_its_whole_contribution():
    before = [{"key": "nps", "label": "NPS", "score": 80, "contribution": 12.0}]
    now = [{"key": "nps", "label": "NPS", "score": None, "contribution": 0.0}]
    assert scoring.drivers(now, before)[0]["delta"] == -12.0


component = st.one_of(st.none(), st.floats(min_value=0, max_value=100, allow_nan=False))
weights = st.fixed_dictionaries({key: st.integers(min_value=0, max_value=100) for key, _ in scoring.COMPONENTS})
components = st.fixed_dictionaries({key: component for key, _ in scoring.COMPONENTS})


@given(components, weights)
def test_the_score_is_within_0_and_100_or_missing(values, weight):
    score = scoring.total(scoring.combine({k: (v, "") for k, v in values.items()}, weight))
    present = [k for k, v in values.items() if v is not None and weight[k] > 0]
    if present:
        assert 0 <= score <= 100
    else:
        assert score is None


@given(components, weights)
def test_the_score_is_deterministic_and_ignores_the_order_of_inputs(values, weight):
    scores = {k: (v, "") for k, v in values.items()}
    first = scoring.combine(scores, weight)
    reordered = scoring.combine(dict(reversed(scores.items())), MappingProxyType(dict(reversed(weight.items()))))
    assert scoring.total(first) == scoring.total(reordered)
    assert [p.as_dict() for p in first] == [p.as_dict() for p in reordered]


@given(components, weights, st.integers(min_value=0, max_value=1000))
def test_a_missing_component_weight_does_not_change_the_score(values, weight, other_weight):
    scores = {k: (v, "") for k, v in values.items()}
    missing = [k for k, v in values.items() if v is None]
    for key in missing:
        assert scoring.total(scoring.combine(scores, {**weight, key: other_weight})) == scoring.total(
            scoring.combine(scores, weight)
        )


@given(components, weights)
def test_present_shares_add_up_to_one_and_the_score_is_their_weighted_mean(values, weight):
    parts = scoring.combine({k: (v, "") for k, v in values.items()}, weight)
    present = [p for p in parts if not p.missing and p.weight > 0]
    if not present:
        return
    assert sum(p.share for p in parts) == pytest.approx(1)
    expected = sum(p.weight * p.score for p in present) / sum(p.weight for p in present)
    assert abs(scoring.total(parts) - expected) <= 0.5 + 1e-6


@given(
    st.integers(min_value=0, max_value=500),
    st.integers(min_value=0, max_value=28 * 500),
    st.one_of(st.none(), st.integers(min_value=0, max_value=1000)),
    st.integers(min_value=0, max_value=20),
    st.integers(min_value=0, max_value=20),
    st.integers(min_value=0, max_value=200),
    st.one_of(st.none(), st.floats(min_value=-100, max_value=100)),
)
def test_every_component_stays_within_0_and_100(active, user_days, seats, critical, high, opened, nps):
    user_days = min(user_days, active * 28)
    facts = Facts(
        window_days=28,
        has_usage=True,
        active_users=active,
        active_user_days=user_days,
        seats=seats,
        core_feature_users=(("a", active), ("b", active // 2)),
        has_tickets=True,
        open_critical=critical,
        open_high=high,
        opened_in_window=opened,
        nps=nps,
        onboarding=(min(critical, 5), 5),
    )
    for key, (score, detail) in scoring.component_scores(facts, CONFIG).items():
        assert detail
        if score is not None:
            assert 0 <= score <= 100, key


# --- explanations in the reader's language ------------------------------------------------------
@pytest.mark.pure
def test_a_components_explanation_is_stored_in_english_and_shown_in_the_readers_language():
    from django.utils.translation import override

    facts = scoring.Facts(window_days=28, onboarding=(3, 4), has_tickets=True, opened_in_window=1)
    part = scoring.combine(scoring.component_scores(facts, CONFIG), STANDARD)
    stored = {p.key: p.as_dict() for p in part}
    assert stored["onboarding"]["detail"] == "3 of 4 onboarding tasks due so far are done."
    assert stored["onboarding"]["detail_params"] == {"done": 3, "due": 4}
    assert stored["support"]["detail"] == "0 open critical, 0 open high, 1 opened in the last 28 days."
    with override("zh-hans"):
        assert scoring.detail_text(stored["onboarding"]) == "截至目前应完成的 4 项上线任务中已完成 3 项。"
        assert scoring.detail_text(stored["usage"]) == "尚未收到任何使用事件。"
        # A snapshot stored before explanations had a kind keeps its English text.
        assert scoring.detail_text({"detail": "Old words."}) == "Old words."
        assert scoring.detail_text({"detail": "Old.", "detail_kind": "onboarding", "detail_params": {}}) == "Old."
    with override("en"):
        assert scoring.detail_text(stored["onboarding"]) == stored["onboarding"]["detail"]
