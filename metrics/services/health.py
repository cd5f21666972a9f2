"""Compute the current tenant's health score for a day and store it.

In the tenant schema: one HealthScore row per day (history, explained). In public: the
tenant's HealthSnapshot (latest score, for the portfolio) and a HealthScoreDay row (the public
day-by-day history the predictiveness report reads). All in one transaction, all upserts,
so the nightly job can run any number of times with the same result.
"""

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django_tenants.utils import tenant_context

from metrics.portfolio.selectors import scorecard_rules_get
from metrics.portfolio.services import health_history_upsert, health_snapshot_upsert, scorecard_ensure
from metrics.retention.services import retention_account_ensure
from onboarding import selectors as onboarding
from portal.accounts.access import Actor, require_staff_on
from portal.audit.services import audit_record
from portal.tenancy.db import connection
from portal.tenancy.models import Tenant

from .. import kpi, scoring
from .. import selectors as metrics_selectors
from ..models import (
    DailyUsage,
    Feature,
    HealthScore,
    NpsResponse,
    SeatCount,
    SupportTicket,
    TicketSeverity,
    TicketStatus,
)
from ..sql import table

# Everything the score needs, in one round trip (the scorer runs once per tenant per night;
# a query per fact would be most of its cost). %(end)s is the scored day, inclusive. Distinct
# counts are GROUP BYs counted (hash aggregates): count(DISTINCT …) sorts.
FACTS_SQL = f"""
WITH win AS (
    SELECT day, feature_id, user_ref FROM {table(DailyUsage)}
    WHERE day > %(end)s::date - %(window)s AND day <= %(end)s
)
SELECT
    EXISTS (SELECT 1 FROM {table(DailyUsage)} WHERE day <= %(end)s) AS has_usage,
    (SELECT count(*) FROM (SELECT user_ref FROM win GROUP BY user_ref) AS u) AS active_users,
    (SELECT count(*) FROM (SELECT day, user_ref FROM win GROUP BY day, user_ref) AS d) AS active_user_days,
    (SELECT coalesce(json_agg(json_build_array(f.key, f.users) ORDER BY f.key), '[]')
       FROM (SELECT f.key, count(w.user_ref) AS users
               FROM {table(Feature)} f
               LEFT JOIN (SELECT feature_id, user_ref FROM win GROUP BY feature_id, user_ref) AS w
                 ON w.feature_id = f.id
              WHERE f.is_core GROUP BY f.key) AS f) AS core_feature_users,
    (SELECT seats FROM {table(SeatCount)} WHERE day <= %(end)s ORDER BY day DESC LIMIT 1) AS seats,
    EXISTS (SELECT 1 FROM {table(SupportTicket)}) AS has_tickets,
    (SELECT count(*) FROM {table(SupportTicket)}
      WHERE status = %(open)s AND severity = %(critical)s AND opened_at < %(end_ts)s) AS open_critical,
    (SELECT count(*) FROM {table(SupportTicket)}
      WHERE status = %(open)s AND severity = %(high)s AND opened_at < %(end_ts)s) AS open_high,
    (SELECT count(*) FROM {table(SupportTicket)}
      WHERE opened_at >= %(window_ts)s AND opened_at < %(end_ts)s) AS opened_in_window,
    (SELECT count(*) FILTER (WHERE score >= %(promoter_from)s) FROM {table(NpsResponse)}
      WHERE created_at >= %(nps_ts)s AND created_at < %(end_ts)s) AS promoters,
    (SELECT count(*) FILTER (WHERE score > %(detractor_until)s AND score < %(promoter_from)s) FROM {table(NpsResponse)}
      WHERE created_at >= %(nps_ts)s AND created_at < %(end_ts)s) AS passives,
    (SELECT count(*) FILTER (WHERE score <= %(detractor_until)s) FROM {table(NpsResponse)}
      WHERE created_at >= %(nps_ts)s AND created_at < %(end_ts)s) AS detractors,
    (SELECT json_build_array(score, components) FROM {table(HealthScore)} WHERE day = %(week_ago)s) AS week_ago
"""


def health_facts(*, day: date, config: dict[str, Any]) -> tuple[scoring.Facts, tuple[Any, ...] | None]:
    """Return the scorer's facts for ``day`` and the (score, components) of a week earlier."""
    window = config["window_days"]
    params = {
        "end": day,
        "window": window,
        "end_ts": f"{day + timedelta(days=1)}T00:00:00Z",
        "window_ts": f"{day - timedelta(days=window - 1)}T00:00:00Z",
        "nps_ts": f"{day - timedelta(days=config['nps_window_days'] - 1)}T00:00:00Z",
        "week_ago": day - timedelta(days=7),
        "open": TicketStatus.OPEN,
        "critical": TicketSeverity.CRITICAL,
        "high": TicketSeverity.HIGH,
        "promoter_from": kpi.PROMOTER_FROM,
        "detractor_until": kpi.DETRACTOR_UNTIL,
    }
    with connection.cursor() as cursor:
        cursor.execute(FACTS_SQL, params)
        row = dict(zip([c.name for c in cursor.description], cursor.fetchone(), strict=True))
    facts = scoring.Facts(
        window_days=window,
        has_usage=row["has_usage"],
        active_users=row["active_users"],
        active_user_days=row["active_user_days"],
        seats=row["seats"],
        core_feature_users=tuple((key, users) for key, users in row["core_feature_users"]),
        has_tickets=row["has_tickets"],
        open_critical=row["open_critical"],
        open_high=row["open_high"],
        opened_in_window=row["opened_in_window"],
        nps=kpi.nps_from_counts(promoters=row["promoters"], passives=row["passives"], detractors=row["detractors"]),
        nps_answers=row["promoters"] + row["passives"] + row["detractors"],
        onboarding=onboarding.checklist_plan_progress_get(day=day),
    )
    return facts, (tuple(row["week_ago"]) if row["week_ago"] else None)


@transaction.atomic
def health_score_compute(*, tenant: Tenant, day: date) -> HealthScore:
    """Score the current tenant (``tenant``'s schema must be active) for ``day``; store it."""
    if connection.schema_name != tenant.schema_name:
        raise RuntimeError(f"Scoring {tenant.slug} needs its schema active, not {connection.schema_name}.")
    # The current scorecard (version 1 is made from KEEL_HEALTH the first time): its tier's weights,
    # targets and bands; the version is stored with the score.
    scorecard_ensure()
    rules = scorecard_rules_get(tier=tenant.tier)
    config = rules.config(settings.KEEL_HEALTH)
    facts, week_ago = health_facts(day=day, config=config)
    parts = scoring.combine(scoring.component_scores(facts, config), rules.weights)
    score = scoring.total(parts) if scoring.enough_data(facts) else None
    band = scoring.band_for(score, rules.bands)
    components = [part.as_dict() for part in parts]
    drivers = scoring.drivers(components, week_ago[1] if week_ago else None)
    (history,) = HealthScore.objects.bulk_create(
        [
            HealthScore(
                day=day,
                score=score,
                band=band,
                tier=tenant.tier,
                components=components,
                drivers=drivers,
                scorecard_version=rules.version,
            )
        ],
        update_conflicts=True,
        unique_fields=["day"],
        update_fields=["score", "band", "tier", "components", "drivers", "scorecard_version", "computed_at"],
    )
    health_snapshot_upsert(
        tenant_id=tenant.pk,
        day=day,
        score=score,
        band=band,
        score_week_ago=week_ago[0] if week_ago else None,
        components=components,
        drivers=drivers,
        nps=kpi.nps_round(facts.nps),
        ttv_days=kpi.ttv_days(metrics_selectors.time_to_value_get(tenant=tenant)),
        active_users=facts.active_users,
        core_adoption=scoring.core_adoption(facts),
        scorecard_version=rules.version,
    )
    # The public day-by-day copy, keyed by the ledger account so it outlives the tenant.
    account = retention_account_ensure(tenant=tenant)
    health_history_upsert(account_id=account.pk, rows=[(day, score, band)])
    return history


def health_recompute_request(*, tenant: Tenant, actor: Actor) -> None:
    """Queue a fresh score for ``tenant`` now (console button); the task runs in its schema."""
    require_staff_on(actor, tenant, message="Only an admin or the tenant's assigned CSM may recompute its health.")
    with transaction.atomic():
        audit_record(actor=actor, action="health.recompute_requested", tenant=tenant, target=tenant)
        transaction.on_commit(lambda: _send_score_task(tenant))


def _send_score_task(tenant: Tenant) -> None:
    from ..tasks import health_score_task  # tasks import this module

    with tenant_context(tenant):  # the task records the schema it is sent from
        health_score_task.delay()


@transaction.atomic
def health_history_backfill(*, tenant: Tenant) -> int:
    """Copy ``tenant``'s daily scores from its schema into the public history; return how many days.

    For the days scored before the public history existed (the scorer writes both since). Safe
    to re-run: existing days are overwritten with the same values.
    """
    account = retention_account_ensure(tenant=tenant)
    with tenant_context(tenant):
        rows = list(HealthScore.objects.order_by("day").values_list("day", "score", "band"))
    return health_history_upsert(account_id=account.pk, rows=rows)
