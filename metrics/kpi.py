"""Customer-success KPI formulas as seed 002 defines them, every one of them. Pure: numbers in, numbers out."""

from collections.abc import Iterable
from datetime import timedelta

PROMOTER_FROM = 9  # 9-10
DETRACTOR_UNTIL = 6  # 0-6; 7-8 are passives


def nps(scores: Iterable[int]) -> float | None:
    """Return % promoters (9-10) − % detractors (0-6) of ``scores``, or None with no answers."""
    promoters = detractors = total = 0
    for score in scores:
        if not 0 <= score <= 10:
            raise ValueError(f"An NPS answer is 0-10, not {score}.")
        total += 1
        if score >= PROMOTER_FROM:
            promoters += 1
        elif score <= DETRACTOR_UNTIL:
            detractors += 1
    return nps_from_counts(promoters=promoters, passives=total - promoters - detractors, detractors=detractors)


def nps_from_counts(*, promoters: int, passives: int, detractors: int) -> float | None:
    """Return the NPS from answer counts, or None when nobody answered."""
    total = promoters + passives + detractors
    if total == 0:
        return None
    return (promoters - detractors) / total * 100


def adoption_rate(*, feature_users: int, active_users: int) -> float | None:
    """Return users of a feature in the window / active users in the window (0-1), or None."""
    if feature_users < 0 or active_users < 0:
        raise ValueError("Counts cannot be negative.")
    if feature_users > active_users:
        raise ValueError("A feature cannot have more users than the product has active users.")
    if active_users == 0:
        return None
    return feature_users / active_users


def average_daily_active(*, active_user_days: int, window_days: int) -> float:
    """Return the mean daily active users over a window (sum of daily actives / days)."""
    if window_days <= 0:
        raise ValueError("A window has at least one day.")
    return active_user_days / window_days


def ttv_days(ttv: timedelta | None) -> float | None:
    """Return a time to value in days (one decimal), or None while first value is not reached."""
    if ttv is None:
        return None
    if ttv < timedelta(0):
        raise ValueError("First value cannot come before the start.")
    return round(ttv.total_seconds() / 86_400, 1)


def trend_percent(*, current: float, previous: float) -> float | None:
    """Return the change from ``previous`` to ``current`` in %, or None when previous is 0."""
    if previous == 0:
        return None
    return (current - previous) / previous * 100


def churn_rate(*, lost: int, at_start: int) -> float | None:
    """Return customers lost in a period / customers at its start × 100, or None with no customers."""
    if lost < 0 or at_start < 0:
        raise ValueError("Counts cannot be negative.")
    if at_start == 0:
        return None
    return lost / at_start * 100


def share_percent(*, part: int, whole: int) -> float | None:
    """Return part / whole × 100 (e.g. the share of customers in the green band), or None for 0/0."""
    if whole == 0:
        return None
    return part / whole * 100
