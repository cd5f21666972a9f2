"""The rules that raise CTAs: pure functions of one customer's facts, thresholds and today.

Each rule returns a ``Finding`` while its condition holds and None once it clears; the
evaluation service (services.py) opens, keeps and closes CTAs from that alone. Facts come
from public tables (selectors.rule_work_list), so evaluating every customer never visits a
tenant schema.

Each rule also has a ``Candidate``: its condition as a SQL filter over the same facts, so one
statement finds the few customers a run must look at (the condition may hold and no CTA is
live) and Python decides only for those. The function stays the definition: the filter must
hold whenever the function fires (a superset, checked by tests/cockpit/test_rule_candidates.py);
it may be looser, which only costs time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from .models import Priority, Rule
from .reasons import Reason

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise


@dataclass(frozen=True, slots=True)
class Facts:
    """What the rules know about one customer, all read from public tables."""

    tenant_id: int
    slug: str
    tier: str
    csm_id: int | None
    renewal_date: date | None
    qbr_due: date
    last_qbr_on: date | None
    score: int | None = None
    band: str = "unknown"
    score_week_ago: int | None = None
    stall_id: int | None = None
    stall_checklist: str = ""
    stall_since: date | None = None
    stall_blocking_task: str = ""
    # Copied from the tenant's schema by facts.account_facts_refresh (None: not computed yet).
    go_live_on: date | None = None
    seats: int | None = None
    active_users_14d: int = 0
    active_users_28d: int = 0
    core_adoption: tuple[tuple[str, float | None], ...] = ()
    detractor_id: int | None = None
    detractor_score: int | None = None
    detractor_comment: str = ""
    detractor_on: date | None = None
    milestone_id: int | None = None
    milestone_title: str = ""
    milestone_due: date | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    priority: int
    due: date
    reason: str
    figures: dict[str, Any] = field(default_factory=dict)
    # (label, URL name on the console, uses the tenant's slug)
    evidence: tuple[tuple[str, str], ...] = ()


def _thresholds_and_today(t: dict[str, int], today: date) -> dict[str, Any]:
    return {**t, "today": today}


@dataclass(frozen=True, slots=True)
class Candidate:
    """A rule's condition as a SQL filter over the facts (selectors.rule_work_list).

    ``sql`` names the facts' columns as ``Facts`` names its fields (two are bounds: see
    selectors._FACTS_FOR_RULES) and ``{placeholders}`` filled from ``values(thresholds, today)``.
    It must hold whenever the rule's function fires.
    """

    sql: str
    values: Callable[[dict[str, int], date], dict[str, Any]] = _thresholds_and_today


@dataclass(frozen=True, slots=True)
class Threshold:
    label: str | _StrPromise  # shown to admins on the rule's edit page (gettext_lazy)
    minimum: int
    maximum: int


# Every rule's thresholds: what admins may set, within which bounds. Defaults: settings.KEEL_CTA_RULES.
THRESHOLDS: dict[str, dict[str, Threshold]] = {
    Rule.HEALTH_DROP: {
        "drop_points": Threshold(gettext_lazy("Weekly drop that raises a CTA (points)"), 1, 100),
        "due_days": Threshold(gettext_lazy("Days to act"), 0, 60),
    },
    Rule.ONBOARDING_STALL: {"due_days": Threshold(gettext_lazy("Days to act"), 0, 60)},
    Rule.RENEWAL_AT_RISK: {
        "within_days": Threshold(gettext_lazy("Renewal within (days)"), 1, 730),
        "qbr_quarters": Threshold(gettext_lazy("Quarters without a QBR that put a renewal at risk"), 1, 8),
        "due_days": Threshold(gettext_lazy("Days to act"), 0, 60),
    },
    Rule.QBR_DUE: {"lead_days": Threshold(gettext_lazy("Raise this many days before the QBR is due"), 0, 180)},
    Rule.NPS_DETRACTOR: {
        "max_score": Threshold(gettext_lazy("Highest score that counts as a detractor"), 0, 10),
        "business_days": Threshold(gettext_lazy("Business days to follow up"), 1, 10),
    },
    Rule.ADOPTION_LOW: {
        "after_go_live_days": Threshold(gettext_lazy("Days after go-live before adoption is judged"), 1, 365),
        "target_percent": Threshold(gettext_lazy("Adoption target of each core feature (%)"), 1, 100),
        "due_days": Threshold(gettext_lazy("Days to act"), 0, 60),
    },
    Rule.ZOMBIE: {
        "after_go_live_days": Threshold(gettext_lazy("Days after go-live before seats are judged"), 1, 365),
        "active_percent": Threshold(gettext_lazy("Active users (last 14 days) below this share of seats (%)"), 1, 100),
        "due_days": Threshold(gettext_lazy("Days to act"), 0, 60),
    },
    Rule.MILESTONE_OVERDUE: {
        "grace_days": Threshold(gettext_lazy("Days overdue before a CTA opens"), 0, 60),
        "due_days": Threshold(gettext_lazy("Days to act"), 0, 60),
    },
    Rule.EXPANSION: {
        "seats_percent": Threshold(gettext_lazy("Seats used (active in 28 days) from this share (%)"), 1, 200),
        "adoption_percent": Threshold(gettext_lazy("…or every core feature adopted from this share (%)"), 1, 100),
        "due_days": Threshold(gettext_lazy("Days to act"), 0, 90),
    },
}
HEALTH_URL = "metrics_console:tenant_health"
STALLS_URL = "stalls:stall_list"
ACCOUNT_URL = "cockpit:account"
REVIEWS_URL = "qbr_console:tenant_reports"


def default_thresholds(rule: str) -> dict[str, int]:
    return dict(settings.KEEL_CTA_RULES[rule])


def thresholds_clean(rule: str, values: dict[str, Any]) -> dict[str, int]:
    """Return ``values`` checked against the rule's thresholds, or raise ValidationError naming each bad one."""
    spec = THRESHOLDS[rule]
    unknown = set(values) - set(spec)
    errors: dict[str, list[str]] = {}
    if unknown:
        errors["__all__"] = [gettext("Unknown thresholds: %(names)s.") % {"names": ", ".join(sorted(unknown))}]
    cleaned = {}
    for key, limits in spec.items():
        value = values.get(key, default_thresholds(rule)[key])
        if isinstance(value, bool) or not isinstance(value, int):
            errors[key] = [gettext("%(label)s: enter a whole number.") % {"label": limits.label}]
        elif not limits.minimum <= value <= limits.maximum:
            errors[key] = [
                gettext("%(label)s: enter a number from %(minimum)s to %(maximum)s.")
                % {"label": limits.label, "minimum": limits.minimum, "maximum": limits.maximum}
            ]
        else:
            cleaned[key] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


def _health_drop(f: Facts, t: dict[str, int], today: date) -> Finding | None:
    change = None if f.score is None or f.score_week_ago is None else f.score - f.score_week_ago
    red = f.band == "red"
    dropped = change is not None and change <= -t["drop_points"]
    if not (red or dropped):
        return None
    return Finding(
        priority=Priority.URGENT if red else Priority.HIGH,
        due=today + timedelta(days=t["due_days"]),
        reason=Reason(
            "health",
            red=red,
            points=-change if dropped else None,  # type: ignore[operator]  # dropped: change is a number
            before=f.score_week_ago,
            now=f.score,
        ),
        figures={"score": f.score, "band": f.band, "score_7_days_ago": f.score_week_ago, "change": change},
        evidence=((gettext_noop("Health score and its components"), HEALTH_URL),),
    )


_HEALTH_DROP_SQL = Candidate("band = 'red' OR score_week_ago - score >= {drop_points}")


def _onboarding_stall(f: Facts, t: dict[str, int], today: date) -> Finding | None:
    if f.stall_id is None:
        return None
    since = f.stall_since or today
    return Finding(
        priority=Priority.HIGH,
        due=today + timedelta(days=t["due_days"]),
        reason=Reason("stall", checklist=f.stall_checklist, task=f.stall_blocking_task, since=since.isoformat()),
        figures={"stall_episode": f.stall_id, "stalled_days": (today - since).days, "checklist": f.stall_checklist},
        evidence=(
            (gettext_noop("Stall episode"), STALLS_URL),
            (gettext_noop("Onboarding in the account 360"), ACCOUNT_URL),
        ),
    )


_ONBOARDING_STALL_SQL = Candidate("stall_id IS NOT NULL")


def _renewal_at_risk(f: Facts, t: dict[str, int], today: date) -> Finding | None:
    if f.renewal_date is None or f.renewal_date < today:
        return None
    days = (f.renewal_date - today).days
    if days > t["within_days"]:
        return None
    qbr_since = today - relativedelta(months=3 * t["qbr_quarters"])
    no_qbr = f.last_qbr_on is None or f.last_qbr_on < qbr_since
    not_green = f.band != "green"
    if not (not_green or no_qbr):
        return None
    return Finding(
        priority=Priority.URGENT if days <= 30 else Priority.HIGH,
        due=min(today + timedelta(days=t["due_days"]), f.renewal_date),
        reason=Reason(
            "renewal",
            days=days,
            date=f.renewal_date.isoformat(),
            not_green=not_green,
            band=f.band,
            no_qbr=no_qbr,
            quarters=t["qbr_quarters"],
        ),
        figures={
            "renewal_in_days": days,
            "band": f.band,
            "last_qbr": f.last_qbr_on.isoformat() if f.last_qbr_on else None,
        },
        evidence=(
            (gettext_noop("Renewal and health in the account 360"), ACCOUNT_URL),
            (gettext_noop("QBRs"), REVIEWS_URL),
        ),
    )


# last_qbr_on_earliest: the earliest the tenant's day of the last QBR can be (exact in UTC).
_RENEWAL_AT_RISK_SQL = Candidate(
    "renewal_date BETWEEN {today} AND {today} + {within_days}"
    " AND (band <> 'green' OR last_qbr_on_earliest IS NULL OR last_qbr_on_earliest < {qbr_since})",
    lambda t, today: {**t, "today": today, "qbr_since": today - relativedelta(months=3 * t["qbr_quarters"])},
)


def _qbr_due(f: Facts, t: dict[str, int], today: date) -> Finding | None:
    days = (f.qbr_due - today).days
    if days > t["lead_days"]:
        return None
    overdue = days < 0
    return Finding(
        priority=Priority.HIGH if overdue else Priority.NORMAL,
        due=max(f.qbr_due, today),
        reason=Reason("qbr", days=days, date=f.qbr_due.isoformat(), tier=f.tier),
        figures={"qbr_due": f.qbr_due.isoformat(), "days_to_due": days},
        evidence=((gettext_noop("QBRs"), REVIEWS_URL),),
    )


# qbr_due_earliest: the earliest the QBR due date can be (exact for a tenant on UTC).
_QBR_DUE_SQL = Candidate("qbr_due_earliest - {today} <= {lead_days}")


def add_business_days(day: date, days: int) -> date:
    """Return the day ``days`` working days (Monday to Friday) after ``day``."""
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def _nps_detractor(f: Facts, t: dict[str, int], today: date) -> Finding | None:
    if f.detractor_id is None or f.detractor_score is None or f.detractor_score > t["max_score"]:
        return None
    answered = f.detractor_on or today
    return Finding(
        priority=Priority.HIGH,
        due=add_business_days(answered, t["business_days"]),
        reason=Reason("nps", score=f.detractor_score, date=answered.isoformat(), comment=f.detractor_comment[:200]),
        figures={"score": f.detractor_score, "answered_on": answered.isoformat(), "answer": f.detractor_id},
        evidence=((gettext_noop("NPS answers in the account 360"), ACCOUNT_URL),),
    )


_NPS_DETRACTOR_SQL = Candidate("detractor_id IS NOT NULL AND detractor_score <= {max_score}")


def _live_for(f: Facts, days: int, today: date) -> bool:
    return f.go_live_on is not None and f.go_live_on <= today - timedelta(days=days)


def _adoption_low(f: Facts, t: dict[str, int], today: date) -> Finding | None:
    if not _live_for(f, t["after_go_live_days"], today) or not f.core_adoption:
        return None
    target = t["target_percent"] / 100
    below = [(name, rate) for name, rate in f.core_adoption if rate is None or rate < target]
    if not below:
        return None
    return Finding(
        priority=Priority.NORMAL,
        due=today + timedelta(days=t["due_days"]),
        reason=Reason(
            "adoption",
            target=t["target_percent"],
            below=[[name, 0 if rate is None else round(rate * 100)] for name, rate in below],
        ),
        figures={
            "below_target": len(below),
            "core_features": len(f.core_adoption),
            "target_percent": t["target_percent"],
        },
        evidence=((gettext_noop("Feature adoption"), HEALTH_URL),),
    )


# Rates compared as float8, as Python compares them.
_ADOPTION_LOW_SQL = Candidate(
    "go_live_on <= {today} - {after_go_live_days} AND jsonb_array_length(core_adoption) > 0"
    " AND EXISTS (SELECT 1 FROM jsonb_array_elements(core_adoption) c"
    " WHERE c->>'rate' IS NULL OR (c->>'rate')::float8 < {target})",
    lambda t, today: {**t, "today": today, "target": t["target_percent"] / 100},
)


def _zombie(f: Facts, t: dict[str, int], today: date) -> Finding | None:
    if not _live_for(f, t["after_go_live_days"], today) or not f.seats:
        return None
    share = f.active_users_14d / f.seats * 100
    if share >= t["active_percent"]:
        return None
    return Finding(
        priority=Priority.HIGH,
        due=today + timedelta(days=t["due_days"]),
        reason=Reason("zombie", active=f.active_users_14d, seats=f.seats, share=f"{share:.0f}"),
        figures={"active_users_14d": f.active_users_14d, "seats": f.seats, "active_percent": round(share, 1)},
        evidence=((gettext_noop("Usage and health"), HEALTH_URL),),
    )


# The share in float8, computed in Python's order, so the boundary falls on the same side.
_ZOMBIE_SQL = Candidate(
    "go_live_on <= {today} - {after_go_live_days} AND seats > 0"
    " AND active_users_14d::float8 / seats * 100 < {active_percent}"
)


def _milestone_overdue(f: Facts, t: dict[str, int], today: date) -> Finding | None:
    if f.milestone_id is None or f.milestone_due is None:
        return None
    late = (today - f.milestone_due).days
    if late <= t["grace_days"]:
        return None
    return Finding(
        priority=Priority.HIGH,
        due=today + timedelta(days=t["due_days"]),
        reason=Reason("milestone", title=f.milestone_title, days=late, date=f.milestone_due.isoformat()),
        figures={"milestone": f.milestone_id, "days_overdue": late},
        evidence=((gettext_noop("Onboarding in the account 360"), ACCOUNT_URL),),
    )


_MILESTONE_OVERDUE_SQL = Candidate(
    "milestone_id IS NOT NULL AND milestone_due IS NOT NULL AND {today} - milestone_due > {grace_days}"
)


def _expansion(f: Facts, t: dict[str, int], today: date) -> Finding | None:
    seats_share = f.active_users_28d / f.seats * 100 if f.seats else None
    full_seats = seats_share is not None and seats_share >= t["seats_percent"]
    target = t["adoption_percent"] / 100
    adopted = bool(f.core_adoption) and all(rate is not None and rate >= target for _, rate in f.core_adoption)
    if not (full_seats or adopted):
        return None
    return Finding(
        priority=Priority.LOW,
        due=today + timedelta(days=t["due_days"]),
        reason=Reason(
            "expansion",
            seats_full=full_seats,
            used=f.active_users_28d,
            seats=f.seats,
            share=f"{seats_share:.0f}" if seats_share is not None else "",
            adopted=adopted,
            target=t["adoption_percent"],
        ),
        figures={"seats": f.seats, "active_users_28d": f.active_users_28d, "all_core_adopted": adopted},
        evidence=((gettext_noop("Usage and adoption"), HEALTH_URL),),
    )


_EXPANSION_SQL = Candidate(
    "(seats > 0 AND active_users_28d::float8 / seats * 100 >= {seats_percent})"
    " OR (jsonb_array_length(core_adoption) > 0 AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(core_adoption) c"
    " WHERE c->>'rate' IS NULL OR (c->>'rate')::float8 < {target}))",
    lambda t, today: {**t, "target": t["adoption_percent"] / 100},
)


RULES: dict[str, Callable[[Facts, dict[str, int], date], Finding | None]] = {
    Rule.HEALTH_DROP: _health_drop,
    Rule.ONBOARDING_STALL: _onboarding_stall,
    Rule.RENEWAL_AT_RISK: _renewal_at_risk,
    Rule.QBR_DUE: _qbr_due,
    Rule.NPS_DETRACTOR: _nps_detractor,
    Rule.ADOPTION_LOW: _adoption_low,
    Rule.ZOMBIE: _zombie,
    Rule.MILESTONE_OVERDUE: _milestone_overdue,
    Rule.EXPANSION: _expansion,
}
CANDIDATES: dict[str, Candidate] = {
    Rule.HEALTH_DROP: _HEALTH_DROP_SQL,
    Rule.ONBOARDING_STALL: _ONBOARDING_STALL_SQL,
    Rule.RENEWAL_AT_RISK: _RENEWAL_AT_RISK_SQL,
    Rule.QBR_DUE: _QBR_DUE_SQL,
    Rule.NPS_DETRACTOR: _NPS_DETRACTOR_SQL,
    Rule.ADOPTION_LOW: _ADOPTION_LOW_SQL,
    Rule.ZOMBIE: _ZOMBIE_SQL,
    Rule.MILESTONE_OVERDUE: _MILESTONE_OVERDUE_SQL,
    Rule.EXPANSION: _EXPANSION_SQL,
}
# The stall already told the CSM (onboarding.stalls): its CTA is the stall's evidence, not a second alert.
SILENT_RULES = {Rule.ONBOARDING_STALL}


def rule_evaluate(rule: str, facts: Facts, thresholds: dict[str, int], today: date) -> Finding | None:
    return RULES[rule](facts, thresholds, today)
