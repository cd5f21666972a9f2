"""Reads of the cockpit: the facts rules run on, the queue, the book, one account, effectiveness.

Public tables only, a constant number of queries whatever the size of the book.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connection
from django.db.models import Avg, Count, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from metrics.portfolio.models import Band, HealthSnapshot
from metrics.qbr.selectors import qbr_due_date_for, qbr_due_date_get
from metrics.sql import table
from onboarding.stalls.models import StallEpisode
from portal.accounts.access import Actor, tenants_visible_to
from portal.accounts.models import User
from portal.audit.models import AuditEvent
from portal.tenancy.clock import zone
from portal.tenancy.models import LifecycleStage, Tenant

from .models import AccountFacts, Cta, CtaStatus, Outcome, Rule, RuleSetting
from .rules import CANDIDATES, Facts, default_thresholds

# The one place the cockpit reads the renewal date (a row, or the field for set-based reads). The
# retention ledger keeps the tenant's renewal date at its latest term's end (metrics/retention/services.py).
RENEWAL_DATE_FIELD = "renewal_date"


def renewal_date_for(tenant: Tenant) -> date | None:
    """Return the customer's next renewal date."""
    renewal: date | None = getattr(tenant, RENEWAL_DATE_FIELD)
    return renewal


# The rules' inputs, one row per customer, in the order _facts() reads them. The same list is
# the fingerprint of what the rules last decided on (Cta.basis), so a new input cannot be missed.
_FACT_COLUMNS = (
    "t.id",
    "t.slug",
    "t.tier",
    "t.csm_id",
    f"t.{RENEWAL_DATE_FIELD}",
    "t.last_qbr_published_at",
    "t.contract_start",
    "t.created_at",
    "s.score",
    "s.band",
    "s.score_week_ago",
    "f.go_live_on",
    "f.seats",
    "f.active_users_14d",
    "f.active_users_28d",
    "f.core_adoption",
    "f.detractor_id",
    "f.detractor_score",
    "f.detractor_comment",
    "f.detractor_on",
    "f.milestone_id",
    "f.milestone_title",
    "f.milestone_due",
    "t.time_zone",  # the tenant's days: its QBR due date, last review and stall start
    # The oldest open stall episode, if any.
    "e.id",
    "e.checklist_name",
    "e.stalled_since",
    "e.blocking_task_title",
)
_UTC_NAMES = ("", "UTC", "Etc/UTC")
_JOINS = """
LEFT JOIN {snapshots} s ON s.tenant_id = t.id
LEFT JOIN {facts} f ON f.tenant_id = t.id
LEFT JOIN (
  SELECT DISTINCT ON (tenant_id) tenant_id, id, checklist_name, stalled_since, blocking_task_title
  FROM {stalls} WHERE ended_at IS NULL ORDER BY tenant_id, stalled_since, id
) e ON e.tenant_id = t.id"""
_FACTS = "SELECT {fact_columns} FROM {tenants} t {joins} WHERE {scope}"
# Per customer: a bit per enabled rule whose filter holds ("expected") and a fingerprint of every
# input with the thresholds and day; against the live CTAs' rules and stored fingerprints.
# Returns the number of customers, then the customers whose CTAs may have to change (few).
_CHANGED = """
WITH facts AS MATERIALIZED (
  SELECT tenant_id, {expected} AS expected, fingerprint
  FROM (
    SELECT {rule_columns}, hash_record_extended(ROW({fact_columns}), 0)::text || ':' || %s AS fingerprint
    FROM {tenants} t {joins} WHERE {scope}
  ) x
),
live AS (
  SELECT tenant_id, bit_or(CASE rule {bits} ELSE 0 END) AS bits, min(basis) AS low, max(basis) AS high
  FROM {ctas} WHERE status <> %s GROUP BY tenant_id
),
changed AS (
  SELECT x.tenant_id, x.expected, x.fingerprint FROM facts x LEFT JOIN live l ON l.tenant_id = x.tenant_id
  WHERE x.expected <> coalesce(l.bits, 0) OR l.low <> x.fingerprint OR l.high <> x.fingerprint
)
SELECT n.customers, c.tenant_id, c.expected, c.fingerprint
FROM (SELECT count(*) AS customers FROM facts) n LEFT JOIN changed c ON true"""
_TABLES = {"tenants": Tenant, "snapshots": HealthSnapshot, "facts": AccountFacts, "stalls": StallEpisode, "ctas": Cta}


class _Sql:
    """Text and its parameters, appended in the order they appear (positional placeholders)."""

    def __init__(self) -> None:
        self.params: list[Any] = []

    def __call__(self, text: str, *params: Any) -> str:
        self.params.extend(params)
        return text

    def bind(self, template: str, values: dict[str, Any]) -> str:
        """Return ``template`` with each ``{name}`` a placeholder for ``values[name]``."""

        def one(match: re.Match[str]) -> str:
            self.params.append(values[match.group(1)])
            return "%s"

        return re.sub(r"\{(\w+)\}", one, template)


def _scope(q: _Sql, scope: QuerySet[Tenant]) -> str:
    """Return ``scope`` as a condition on ``t`` (the tenants' table in the statement).

    A filter on the tenants' own columns is inlined (it saves a second scan of the table);
    one through a join becomes ``t.id IN (subquery)``.
    """
    query = scope.query.clone()
    if len(query.alias_map) != 1:
        inner, params = scope.order_by().values("pk").query.sql_with_params()
        return q(f"t.id IN ({inner})", *params)
    query.change_aliases({Tenant._meta.db_table: "t"})  # Django's own relabelling, as for subqueries
    try:
        sql, params = query.get_compiler(connection=connection).compile(query.where)
    except EmptyResultSet:
        return "FALSE"
    except FullResultSet:
        return "TRUE"
    return q(sql or "TRUE", *params)


def _earliest_day(q: _Sql, column: str) -> str:
    # A tenant's day is at most one before the UTC day: exact for a tenant on UTC, else the earliest.
    return f"({column} AT TIME ZONE 'UTC')::date - " + q(
        "(CASE WHEN t.time_zone = ANY(%s) THEN 0 ELSE 1 END)", list(_UTC_NAMES)
    )


def _rule_columns(q: _Sql) -> str:
    """Return what the rules' SQL filters (rules.CANDIDATES) read, named as Facts names its fields.

    Two are bounds rather than values (``*_earliest``): the filter may let through a customer the
    rule's function then turns down, never the reverse.
    """
    cadence = settings.KEEL_QBR_CADENCE_MONTHS
    return ", ".join(
        [
            "t.id AS tenant_id",
            "t.tier",
            f"t.{RENEWAL_DATE_FIELD} AS renewal_date",
            "s.score",
            q("coalesce(s.band, %s) AS band", Band.UNKNOWN),
            "s.score_week_ago",
            "e.id AS stall_id",
            "f.go_live_on",
            "f.seats",
            "coalesce(f.active_users_14d, 0) AS active_users_14d",
            "coalesce(f.active_users_28d, 0) AS active_users_28d",
            "coalesce(f.core_adoption, '[]'::jsonb) AS core_adoption",
            "f.detractor_id",
            "f.detractor_score",
            "f.milestone_id",
            "f.milestone_due",
            f"{_earliest_day(q, 't.last_qbr_published_at')} AS last_qbr_on_earliest",
            # metrics.qbr.selectors.qbr_due_date_for: months added as relativedelta adds them (clipped
            # to the month's end), 12 for a tier without a cadence.
            f"(coalesce({_earliest_day(q, 't.last_qbr_published_at')}, t.contract_start,"
            f" {_earliest_day(q, 't.created_at')})"
            + q(
                " + make_interval(months => CASE t.tier " + "WHEN %s THEN %s " * len(cadence) + "ELSE 12 END))::date",
                *[value for item in cadence.items() for value in item],
            )
            + " AS qbr_due_earliest",
        ]
    )


def rule_scope(tenants: QuerySet[Tenant] | None = None) -> QuerySet[Tenant]:
    """Return the customers rules run on: ready and not churned (of ``tenants`` when given)."""
    qs = tenants if tenants is not None else Tenant.objects.customers()
    return qs.filter(ready=True).exclude(lifecycle_stage=LifecycleStage.CHURNED)


def facts_list(scope: QuerySet[Tenant]) -> list[Facts]:
    """Return the rules' view of every customer in ``scope`` (1 query)."""
    tables = {name: table(model) for name, model in _TABLES.items()}
    q = _Sql()
    sql = _FACTS.format(
        fact_columns=", ".join(_FACT_COLUMNS), joins=_JOINS.format(**tables), scope=_scope(q, scope), **tables
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, q.params)
        return [_facts(row) for row in cursor.fetchall()]


@dataclass(frozen=True, slots=True)
class LiveCta:
    pk: int
    reason: str
    figures: dict[str, Any]
    priority: int
    basis: str


@dataclass(frozen=True, slots=True)
class RuleWork:
    """One customer and rule that an evaluation must decide on."""

    facts: Facts
    rule: str
    live: LiveCta | None  # the open or snoozed CTA, if any
    basis: str  # the fingerprint of the facts, thresholds and day, stored on the CTA


RuleConfig = dict[str, tuple[bool, dict[str, int], int, list[str]]]


def rule_basis_key(config: RuleConfig, today: date) -> str:
    """Return a digest of what, besides a customer's facts, the findings depend on (part of Cta.basis)."""
    thresholds = {rule: (enabled, values) for rule, (enabled, values, _, _) in config.items()}
    key = json.dumps([thresholds, today.isoformat(), settings.KEEL_QBR_CADENCE_MONTHS], sort_keys=True)
    return hashlib.md5(key.encode(), usedforsecurity=False).hexdigest()


def _changed_customers(
    scope: QuerySet[Tenant], config: RuleConfig, today: date
) -> tuple[int, dict[int, tuple[int, str]]]:
    """Return how many customers ``scope`` has, and {customer: (expected bits, fingerprint)} of
    those whose live CTAs may no longer match the rules (1 query)."""
    tables = {name: table(model) for name, model in _TABLES.items()}
    bits = _rule_bits(config)
    # Parameters in the order their placeholders appear in _CHANGED; the rules' bits are written
    # in (our own integers), which keeps the parameters under psycopg's 50, so it caches the parse.
    q = _Sql()
    expected = " | ".join(
        "(CASE WHEN "
        + q.bind(CANDIDATES[rule].sql, CANDIDATES[rule].values(thresholds, today))
        + f" THEN {bits[rule]:d} ELSE 0 END)"
        for rule, (enabled, thresholds, _, _) in config.items()
        if enabled
    )
    rule_columns = _rule_columns(q)
    q.params.append(rule_basis_key(config, today))
    scope_sql = _scope(q, scope)
    live_bits = " ".join(q(f"WHEN %s THEN {bit:d}", rule) for rule, bit in bits.items())
    q.params.append(CtaStatus.CLOSED)
    sql = _CHANGED.format(
        expected=expected or "0",
        rule_columns=rule_columns,
        fact_columns=", ".join(_FACT_COLUMNS),
        joins=_JOINS.format(**tables),
        scope=scope_sql,
        bits=live_bits,
        **tables,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, q.params)
        rows = cursor.fetchall()
    # One row when nothing changed: the count, and NULLs.
    return rows[0][0], {tenant_id: (mask, fingerprint) for _, tenant_id, mask, fingerprint in rows if tenant_id}


def _rule_bits(config: RuleConfig) -> dict[str, int]:
    return {rule: 1 << n for n, rule in enumerate(config)}


def _cooled_down(last_closed: datetime | None, cooldown_days: int, now: datetime) -> bool:
    return last_closed is None or last_closed <= now - timedelta(days=cooldown_days)


def rule_work_list(
    *, scope: QuerySet[Tenant], config: RuleConfig, today: date, now: datetime
) -> tuple[int, list[RuleWork]]:
    """Return how many customers ``scope`` has and the (customer, rule) pairs to decide on.

    A pair is returned when the rule's SQL filter holds (rules.CANDIDATES), no CTA is live and
    the cooldown since the last one closed has passed (a CTA may open); or when a CTA is live
    and the filter no longer holds, the rule is off, or the facts, thresholds or day changed
    since the CTA was last decided on (Cta.basis). Nothing else changes a finding, so a run
    where nothing changed costs one statement (a pass over the facts and the live CTAs); the
    customers with changes cost three more queries in all.
    """
    customers, changed = _changed_customers(scope, config, today)
    if not changed:
        return customers, []
    facts = {f.tenant_id: f for f in facts_list(scope.filter(pk__in=changed))}
    live = {
        (tenant_id, rule): LiveCta(pk, reason, figures, priority, basis)
        for pk, tenant_id, rule, reason, figures, priority, basis in Cta.objects.live()
        .filter(tenant_id__in=changed)
        .values_list("pk", "tenant_id", "rule", "reason", "figures", "priority", "basis")
    }
    last_closed: dict[tuple[int, str], datetime] = {}
    longest = max(cooldown for _, _, cooldown, _ in config.values())
    recent = Cta.objects.filter(
        tenant_id__in=changed, status=CtaStatus.CLOSED, closed_at__gt=now - timedelta(days=longest)
    )
    for tenant_id, rule, closed_at in recent.values_list("tenant_id", "rule", "closed_at"):
        if closed_at is None:  # a closed CTA has its time (constraint cta_closed_has_outcome)
            continue
        key = (tenant_id, rule)
        last_closed[key] = max(closed_at, last_closed.get(key, closed_at))
    bits = _rule_bits(config)
    work = []
    for tenant_id, (expected, fingerprint) in changed.items():
        if tenant_id not in facts:  # left the scope since the first query
            continue
        for rule, (_, _, cooldown, _) in config.items():
            cta = live.get((tenant_id, rule))
            candidate = bool(expected & bits[rule])  # enabled, and the filter holds
            if cta is None:
                decide = candidate and _cooled_down(last_closed.get((tenant_id, rule)), cooldown, now)
            else:
                decide = not candidate or cta.basis != fingerprint
            if decide:
                work.append(RuleWork(facts=facts[tenant_id], rule=rule, live=cta, basis=fingerprint))
    return customers, work


def _facts(row: tuple[Any, ...]) -> Facts:
    (pk, slug, tier, csm_id, renewal, last_qbr, contract_start, created_at, score, band, week_ago) = row[:11]
    (go_live, seats, active14, active28, core) = row[11:16]
    (detractor_id, detractor_score, detractor_comment, detractor_on) = row[16:20]
    (milestone_id, milestone_title, milestone_due, time_zone) = row[20:24]
    (stall_id, stall_checklist, stall_since, stall_task) = row[24:]
    tz = zone(time_zone)
    core = json.loads(core) if core else ()  # jsonb, as text from a raw cursor
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
        core_adoption=tuple((c["name"], c["rate"]) for c in core),
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
    return book_rows(book_tenants(viewer=viewer, csm=csm), today=today)


def book_tenants(*, viewer: Actor, csm: User | None = None) -> QuerySet[Tenant]:
    """The customers of ``csm`` (all ``viewer`` sees when None) with what the book shows, by name.

    A queryset, so a page of it is one query (book_rows reads the rows it holds).
    """
    tenants = tenants_visible_to(viewer).filter(ready=True).exclude(lifecycle_stage=LifecycleStage.CHURNED)
    if csm is not None:
        tenants = tenants.filter(csm=csm)
    return (
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
        .order_by("name", "pk")
    )


def book_rows(tenants: Iterable[Any], *, today: date | None = None) -> list[BookRow]:
    """The book's rows for ``tenants`` (book_tenants' annotated tenants, whole or a page of them)."""
    today = today or timezone.localdate()
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
