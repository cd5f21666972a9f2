"""Reads of the cockpit: the facts rules run on, the queue, the book, one account, effectiveness.

Public tables only, a constant number of queries whatever the size of the book.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from metrics.portfolio.models import Band, HealthSnapshot
from metrics.qbr.selectors import qbr_due_date_get
from onboarding.stalls.models import StallEpisode
from portal.accounts.access import Actor, tenants_visible_to
from portal.accounts.models import User
from portal.audit.models import AuditEvent
from portal.tenancy.models import LifecycleStage, Tenant

from .models import AccountFacts, Cta, CtaStatus, Rule, RuleSetting
from .rules import Facts, default_thresholds


def renewal_date_for(tenant: Tenant) -> date | None:
    """Return the customer's next renewal date: the one place the cockpit reads it."""
    return tenant.renewal_date


def _open_stall(field: str) -> Subquery:
    episodes = StallEpisode.objects.filter(tenant=OuterRef("pk"), ended_at__isnull=True).order_by("stalled_since")
    return Subquery(episodes.values(field)[:1])


def customers_for_rules(tenants: QuerySet[Tenant] | None = None) -> QuerySet[Tenant]:
    """Return the ready, living customers with what the rules read, annotated in one query."""
    qs = tenants if tenants is not None else Tenant.objects.customers()
    return (
        qs.filter(ready=True)
        .exclude(lifecycle_stage=LifecycleStage.CHURNED)
        .select_related("health_snapshot", "account_facts")
        .annotate(
            stall_id=_open_stall("pk"),
            stall_checklist=_open_stall("checklist_name"),
            stall_since=_open_stall("stalled_since"),
            stall_blocking_task=_open_stall("blocking_task_title"),
        )
    )


def facts_for(tenant: Tenant) -> Facts:
    """Return the rules' view of one customer annotated by ``customers_for_rules``."""
    snapshot: HealthSnapshot | None = getattr(tenant, "health_snapshot", None)
    stall_since = getattr(tenant, "stall_since", None)
    extra: AccountFacts | None = getattr(tenant, "account_facts", None)
    return Facts(
        tenant_id=tenant.pk,
        slug=tenant.slug,
        tier=tenant.tier,
        csm_id=tenant.csm_id,
        renewal_date=renewal_date_for(tenant),
        qbr_due=qbr_due_date_get(tenant),
        last_qbr_on=timezone.localdate(tenant.last_qbr_published_at) if tenant.last_qbr_published_at else None,
        score=snapshot.score if snapshot else None,
        band=snapshot.band if snapshot else Band.UNKNOWN,
        score_week_ago=snapshot.score_week_ago if snapshot else None,
        stall_id=getattr(tenant, "stall_id", None),
        stall_checklist=getattr(tenant, "stall_checklist", None) or "",
        stall_since=timezone.localdate(stall_since) if stall_since else None,
        stall_blocking_task=getattr(tenant, "stall_blocking_task", None) or "",
        **(_schema_facts(extra) if extra else {}),
    )


def _schema_facts(row: AccountFacts) -> dict[str, Any]:
    return {
        "go_live_on": row.go_live_on,
        "seats": row.seats,
        "active_users_14d": row.active_users_14d,
        "active_users_28d": row.active_users_28d,
        "core_adoption": tuple((c["name"], c["rate"]) for c in row.core_adoption),
        "detractor_id": row.detractor_id,
        "detractor_score": row.detractor_score,
        "detractor_comment": row.detractor_comment,
        "detractor_on": row.detractor_on,
        "milestone_id": row.milestone_id,
        "milestone_title": row.milestone_title,
        "milestone_due": row.milestone_due,
    }


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
        tenants.select_related("health_snapshot", "csm")
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
        renewal = renewal_date_for(tenant)
        rows.append(
            BookRow(
                tenant=tenant,
                score=snapshot.score if snapshot else None,
                band=snapshot.band if snapshot else Band.UNKNOWN,
                change=snapshot.change if snapshot else None,
                renewal_date=renewal,
                renewal_in_days=(renewal - today).days if renewal else None,
                onboarding_progress=_onboarding_progress(snapshot),
                open_stalls=tenant.open_stalls,
                last_touch=tenant.last_touch,
                qbr_due=qbr_due_date_get(tenant),
                live_ctas=tenant.live_ctas,
            )
        )
    return rows


def _onboarding_progress(snapshot: HealthSnapshot | None) -> int | None:
    """Return the onboarding component's value (% of tasks done) from the health snapshot, if scored."""
    for component in (snapshot.components if snapshot else None) or []:
        if component.get("key") == "onboarding" and component.get("score") is not None:
            return round(float(component["score"]))
    return None


def staff_list() -> QuerySet[User]:
    return User.objects.filter(is_active=True).filter(Q(staff_role__in=["csm", "admin"]) | Q(is_superuser=True))
