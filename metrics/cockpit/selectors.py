"""Reads of the cockpit: the facts rules run on, the queue, the book, one account, effectiveness.

Public tables only, a constant number of queries whatever the size of the book.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Avg, Count, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from metrics.portfolio.models import Band
from metrics.qbr.selectors import qbr_due_date_for, qbr_due_date_get
from onboarding.stalls.models import StallEpisode
from portal.accounts.access import Actor, tenants_visible_to
from portal.accounts.models import User
from portal.audit.models import AuditEvent
from portal.tenancy.clock import zone
from portal.tenancy.models import LifecycleStage, Tenant

from .models import AccountFacts, Cta, CtaStatus, Outcome, Rule, RuleSetting
from .rules import Facts, default_thresholds

# The one place the cockpit reads the renewal date (a row, or the field for set-based reads). The
# retention ledger keeps the tenant's renewal date at its latest term's end (metrics/retention/services.py).
RENEWAL_DATE_FIELD = "renewal_date"


def renewal_date_for(tenant: Tenant) -> date | None:
    """Return the customer's next renewal date."""
    renewal: date | None = getattr(tenant, RENEWAL_DATE_FIELD)
    return renewal


_FACT_FIELDS = (
    "pk",
    "slug",
    "tier",
    "csm_id",
    RENEWAL_DATE_FIELD,
    "last_qbr_published_at",
    "contract_start",
    "created_at",
    "health_snapshot__score",
    "health_snapshot__band",
    "health_snapshot__score_week_ago",
    "account_facts__go_live_on",
    "account_facts__seats",
    "account_facts__active_users_14d",
    "account_facts__active_users_28d",
    "account_facts__core_adoption",
    "account_facts__detractor_id",
    "account_facts__detractor_score",
    "account_facts__detractor_comment",
    "account_facts__detractor_on",
    "account_facts__milestone_id",
    "account_facts__milestone_title",
    "account_facts__milestone_due",
    "time_zone",  # the tenant's days: its QBR due date, last review and stall start
)


def rule_scope(tenants: QuerySet[Tenant] | None = None) -> QuerySet[Tenant]:
    """Return the customers rules run on: ready and not churned (of ``tenants`` when given)."""
    qs = tenants if tenants is not None else Tenant.objects.customers()
    return qs.filter(ready=True).exclude(lifecycle_stage=LifecycleStage.CHURNED)


def facts_list(scope: QuerySet[Tenant]) -> list[Facts]:
    """Return the rules' view of every customer in ``scope`` (2 queries).

    Values, not model instances: evaluating 1,000 customers is dominated by building rows.
    """
    stalls: dict[int, tuple[Any, ...]] = {}
    episodes = StallEpisode.objects.open().filter(tenant__in=scope).order_by("-stalled_since", "-pk")
    for row in episodes.values_list("tenant_id", "pk", "checklist_name", "stalled_since", "blocking_task_title"):
        stalls[row[0]] = row[1:]  # the oldest open episode wins: it is written last
    return [_facts(row, stalls.get(row[0])) for row in scope.values_list(*_FACT_FIELDS)]


def _facts(row: tuple[Any, ...], stall: tuple[Any, ...] | None) -> Facts:
    (pk, slug, tier, csm_id, renewal, last_qbr, contract_start, created_at, score, band, week_ago) = row[:11]
    (go_live, seats, active14, active28, core) = row[11:16]
    (detractor_id, detractor_score, detractor_comment, detractor_on) = row[16:20]
    (milestone_id, milestone_title, milestone_due, time_zone) = row[20:]
    tz = zone(time_zone)
    stall_id, stall_checklist, stall_since, stall_task = stall or (None, "", None, "")
    return Facts(
        tenant_id=pk,
        slug=slug,
        tier=tier,
        csm_id=csm_id,
        renewal_date=renewal,
        qbr_due=qbr_due_date_for(
            tier=tier, last_published_at=last_qbr, contract_start=contract_start, created_at=created_at, zone=tz
        ),
        last_qbr_on=timezone.localdate(last_qbr, tz) if last_qbr else None,
        score=score,
        band=band or Band.UNKNOWN,
        score_week_ago=week_ago,
        stall_id=stall_id,
        stall_checklist=stall_checklist or "",
        stall_since=timezone.localdate(stall_since, tz) if stall_since else None,
        stall_blocking_task=stall_task or "",
        go_live_on=go_live,
        seats=seats,
        active_users_14d=active14 or 0,
        active_users_28d=active28 or 0,
        core_adoption=tuple((c["name"], c["rate"]) for c in core or ()),
        detractor_id=detractor_id,
        detractor_score=detractor_score,
        detractor_comment=detractor_comment or "",
        detractor_on=detractor_on,
        milestone_id=milestone_id,
        milestone_title=milestone_title or "",
        milestone_due=milestone_due,
    )


def rule_thresholds_get() -> dict[str, tuple[bool, dict[str, int], int, list[str]]]:
    """Return each rule's (enabled, thresholds, cooldown days, playbook steps): stored, else defaults (1 query)."""
    stored = {s.rule: s for s in RuleSetting.objects.all()}
    result = {}
    for rule in Rule.values:
        setting = stored.get(rule)
        thresholds = {**default_thresholds(rule), **(setting.thresholds if setting else {})}
        if setting:
            result[rule] = (setting.enabled, thresholds, setting.cooldown_days, setting.steps)
        else:
            result[rule] = (True, thresholds, 14, [])
    return result


def cta_queue_list(*, viewer: Actor, owner: User | None = None) -> QuerySet[Cta]:
    """Return the live CTAs ``viewer`` may see (of ``owner`` when given), by priority then due (1 query)."""
    qs = Cta.objects.live().visible_to(viewer).select_related("tenant", "owner")
    if owner is not None:
        qs = qs.filter(owner=owner)
    return qs.order_by("priority", "due", "pk")


def cta_get(*, tenant: Tenant, pk: int) -> Cta:
    """Return the tenant's CTA ``pk`` (Cta.DoesNotExist for another tenant's)."""
    return Cta.objects.select_related("tenant", "owner", "closed_by").get(tenant=tenant, pk=pk)


@dataclass(frozen=True, slots=True)
class BookRow:
    tenant: Tenant
    score: int | None
    band: str
    change: int | None
    renewal_date: date | None
    renewal_in_days: int | None
    onboarding_progress: int | None
    open_stalls: int
    last_touch: Any
    qbr_due: date
    live_ctas: int

    @property
    def trend_arrow(self) -> str:
        if self.change is None:
            return ""
        return "↑" if self.change >= 3 else "↓" if self.change <= -3 else "→"


def book_list(*, viewer: Actor, csm: User | None = None, today: date | None = None) -> list[BookRow]:
    """Return the accounts of ``csm`` (all ``viewer`` sees when None) for the book (1 query)."""
    today = today or timezone.localdate()
    tenants = tenants_visible_to(viewer).filter(ready=True).exclude(lifecycle_stage=LifecycleStage.CHURNED)
    if csm is not None:
        tenants = tenants.filter(csm=csm)
    tenants = (
        tenants.select_related("health_snapshot", "account_facts", "csm")
        .annotate(
            open_stalls=Count("stall_episodes", filter=Q(stall_episodes__ended_at__isnull=True), distinct=True),
            live_ctas=Count("ctas", filter=~Q(ctas__status=CtaStatus.CLOSED), distinct=True),
            last_touch=Subquery(
                AuditEvent.objects.filter(tenant=OuterRef("pk"), actor__staff_role__in=["csm", "admin"])
                .order_by("-created_at")
                .values("created_at")[:1]
            ),
        )
        .order_by("name")
    )
    rows = []
    for tenant in tenants:
        snapshot = getattr(tenant, "health_snapshot", None)
        facts: AccountFacts | None = getattr(tenant, "account_facts", None)
        renewal = renewal_date_for(tenant)
        rows.append(
            BookRow(
                tenant=tenant,
                score=snapshot.score if snapshot else None,
                band=snapshot.band if snapshot else Band.UNKNOWN,
                change=snapshot.change if snapshot else None,
                renewal_date=renewal,
                renewal_in_days=(renewal - today).days if renewal else None,
                onboarding_progress=facts.onboarding_percent if facts else None,
                open_stalls=tenant.open_stalls,
                last_touch=tenant.last_touch,
                qbr_due=qbr_due_date_get(tenant),
                live_ctas=tenant.live_ctas,
            )
        )
    return rows


def staff_list() -> QuerySet[User]:
    return User.objects.filter(is_active=True).filter(Q(staff_role__in=["csm", "admin"]) | Q(is_superuser=True))


@dataclass(frozen=True, slots=True)
class EffectivenessRow:
    rule: str
    outcome: str
    closed: int
    measured: int
    improved: int
    mean_change: float | None

    @property
    def rule_label(self) -> str:
        return str(Rule(self.rule).label)

    @property
    def outcome_label(self) -> str:
        return str(Outcome(self.outcome).label) if self.outcome in Outcome.values else self.outcome


def cta_effectiveness_list(*, viewer: Actor) -> list[EffectivenessRow]:
    """Return, per rule and outcome of the closed CTAs ``viewer`` sees, the health change 30 days on (1 query).

    A CTA's change is ``health_after_30 - health_at_open`` (docs/cockpit.md, "CTA effectiveness");
    CTAs without a score at either end count as closed but not measured.
    """
    measured = Q(health_at_open__isnull=False, health_after_30__isnull=False)
    rows = (
        Cta.objects.visible_to(viewer)
        .filter(status=CtaStatus.CLOSED)
        .values("rule", "outcome")
        .annotate(
            closed=Count("pk"),
            measured=Count("pk", filter=measured),
            improved=Count("pk", filter=measured & Q(health_after_30__gt=F("health_at_open"))),
            mean_change=Avg(F("health_after_30") - F("health_at_open"), filter=measured),
        )
        .order_by("rule", "outcome")
    )
    return [
        EffectivenessRow(
            rule=r["rule"],
            outcome=r["outcome"],
            closed=r["closed"],
            measured=r["measured"],
            improved=r["improved"],
            mean_change=None if r["mean_change"] is None else round(float(r["mean_change"]), 1),
        )
        for r in rows
    ]
