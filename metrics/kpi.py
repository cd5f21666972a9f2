"""Customer-success KPI formulas as seed 002 defines them, every one of them. Pure: numbers in, numbers out."""

from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext

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
    return float(round_half_up(ttv.total_seconds() / 86_400, 1))


def ttv_from_kickoff(*, kickoff: datetime, first_value: datetime) -> timedelta:
    """Return first value − kickoff; a first value before the kickoff (a proof of concept) is 0."""
    return max(first_value - kickoff, timedelta(0))


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


# --- Retention (docs/kpis.md, "Retention"): from the ledger's per-customer facts ------------------
DAYS_PER_YEAR = 365.25
# The seed-002 target for yearly logo churn: below 5-7 %. The KPI pages compare the annualised rate with it.
CHURN_TARGET_YEARLY = (5.0, 7.0)
GREEN_SHARE_TARGET = 80.0
NPS_TARGET = 50.0
ADOPTION_TARGET = (60.0, 80.0)


def annualised_churn_rate(*, rate: float | None, days: int) -> float | None:
    """Return a period's logo churn rate (%) as a yearly rate: 1 − (1 − r)^(365.25 / days), in %.

    Compounded, so a quarter's 2 % becomes 7.8 % a year (not 8 %), and a year's rate stays itself.
    """
    if rate is None:
        return None
    if days <= 0:
        raise ValueError("A period has at least one day.")
    if not 0 <= rate <= 100:
        raise ValueError(f"A churn rate is 0-100 %, not {rate}.")
    return (1 - (1 - rate / 100) ** (DAYS_PER_YEAR / days)) * 100


def churn_target_status(annualised: float | None) -> str:
    """Return "met" (below 5 %), "near" (5-7 %), "missed" (above 7 %) or "" without a rate."""
    if annualised is None:
        return ""
    low, high = CHURN_TARGET_YEARLY
    if annualised < low:
        return "met"
    return "near" if annualised <= high else "missed"


def gross_revenue_retention(*, start_arr: float, retained_arr: float) -> float | None:
    """Return GRR in %: ARR kept from the customers active at the start, each capped at its start ARR."""
    if start_arr < 0 or retained_arr < 0:
        raise ValueError("ARR cannot be negative.")
    if retained_arr > start_arr:
        raise ValueError("GRR caps each customer at its starting ARR: it cannot exceed 100 %.")
    return None if start_arr == 0 else retained_arr / start_arr * 100


def net_revenue_retention(*, start_arr: float, end_arr: float) -> float | None:
    """Return NRR in %: the period-end ARR of the customers active at the start over their start ARR."""
    if start_arr < 0 or end_arr < 0:
        raise ValueError("ARR cannot be negative.")
    return None if start_arr == 0 else end_arr / start_arr * 100


def renewal_rate(*, renewed: int, due: int) -> float | None:
    """Return contracts renewed / contracts due in the period × 100, or None when none was due."""
    if renewed < 0 or due < 0:
        raise ValueError("Counts cannot be negative.")
    if renewed > due:
        raise ValueError("More renewals than contracts due.")
    return None if due == 0 else renewed / due * 100


# --- Rounding and display: one rounding rule, one formatter per KPI (docs/kpis.md, "Display") ------
MISSING = "—"


def round_half_up(value: float, places: int = 0) -> Decimal:
    """Return ``value`` rounded half away from zero (12.5 → 13, −12.5 → −13) to ``places`` decimals.

    Python's round() and Django's floatformat disagree on halves (banker's vs half-up); every KPI
    goes through this one rule instead. Float noise is removed first (0.145 × 100 is
    14.499999999999998 in binary), so a value that is a half on paper rounds as a half.
    """
    exact = Decimal(repr(float(value))).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def nps_round(value: float | None) -> int | None:
    """Return an NPS as the whole number every page shows (half away from zero), or None."""
    return None if value is None else int(round_half_up(value))


def format_nps(value: float | None) -> str:
    """Return an NPS for display: a whole number ("13", "0", "-40"), or "—" without answers."""
    rounded = nps_round(value)
    return MISSING if rounded is None else str(rounded)


def format_percent(value: float | None, places: int = 0) -> str:
    """Return a 0-100 figure as "82 %" (``places`` decimals), or "—" when it is not defined."""
    if value is None:
        return MISSING
    return f"{round_half_up(value, places)} %"


def format_share(value: float | None) -> str:
    """% green, core-feature adoption, renewal rate: whole per cent."""
    return format_percent(value, 0)


def format_rate(value: float | None) -> str:
    """Churn (period and annualised), GRR and NRR: one decimal, as retention figures are quoted."""
    return format_percent(value, 1)


def format_adoption(rate: float | None) -> str:
    """An adoption rate kept as 0-1 (adoption_rate): whole per cent."""
    return format_share(None if rate is None else rate * 100)


def format_ttv(days: float | None) -> str:
    """A time to value in days: one decimal, trailing ".0" dropped ("12 d", "12.5 d")."""
    if days is None:
        return MISSING
    rounded = round_half_up(days, 1)
    text = f"{rounded:f}".removesuffix(".0")
    return gettext("%(days)s d") % {"days": text}


def format_arr(value: float | Decimal | None) -> str:
    """An ARR amount: whole units, grouped as the active language groups digits ("180,000"), or "—"."""
    if value is None:
        return MISSING
    return number_format(round_half_up(float(value)), decimal_pos=0, force_grouping=True)


def format_auc(value: float | None) -> str:
    """A ROC AUC (0-1, "Is the score predictive?"): two decimals, half up ("0.75"), or "—"."""
    return MISSING if value is None else f"{round_half_up(value, 2)}"
