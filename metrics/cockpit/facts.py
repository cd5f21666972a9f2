"""Copy what the rules need from the current tenant's schema into public ``AccountFacts``.

Runs inside one tenant's schema (a per-tenant task, fanned out by beat before evaluation),
so ``cta_evaluate`` never visits schemas and stays one set-based pass over public rows.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Count, Min
from django.utils import timezone

from metrics.models import DailyUsage, Feature, NpsResponse, SeatCount
from onboarding.models import Checklist, Task, TaskStatus
from onboarding.selectors import checklist_progress_get
from portal.accounts.access import current_tenant

from .models import AccountFacts

DETRACTOR_MAX = 6
# A detractor answer older than this no longer raises a follow-up.
DETRACTOR_LOOKBACK_DAYS = 30


def _active_users(since: date, until: date) -> int:
    return DailyUsage.objects.filter(day__range=(since, until)).values("user_ref").distinct().count()


def _core_adoption(since: date, until: date, active: int) -> list[dict]:
    core = list(Feature.objects.filter(is_core=True).order_by("key"))
    if not core:
        return []
    users = dict(
        DailyUsage.objects.filter(day__range=(since, until), feature__in=core)
        .values("feature_id")
        .annotate(users=Count("user_ref", distinct=True))
        .values_list("feature_id", "users")
    )
    return [
        {"key": f.key, "name": f.name, "rate": round(users.get(f.pk, 0) / active, 4) if active else None} for f in core
    ]


@transaction.atomic
def account_facts_refresh(*, today: date | None = None) -> AccountFacts:
    """Recompute the current tenant's facts and store them in public; return the row."""
    tenant = current_tenant()
    today = today or timezone.localdate()
    progress = checklist_progress_get() or (0, 0)
    go_live = Checklist.objects.aggregate(first=Min("first_value_at"))["first"]
    seats = SeatCount.objects.order_by("-day").values_list("seats", flat=True).first()
    active_28 = _active_users(today - timedelta(days=27), today)
    detractor = (
        NpsResponse.objects.filter(
            score__lte=DETRACTOR_MAX, created_at__date__gte=today - timedelta(days=DETRACTOR_LOOKBACK_DAYS)
        )
        .order_by("-created_at", "-pk")
        .first()
    )
    milestone = (
        Task.objects.filter(is_milestone=True, status=TaskStatus.TODO, due_date__lt=today)
        .order_by("due_date", "pk")
        .first()
    )
    facts, _ = AccountFacts.objects.update_or_create(
        tenant_id=tenant.pk,
        defaults={
            "computed_at": timezone.now(),
            "go_live_on": timezone.localdate(go_live) if go_live else None,
            "onboarding_done": progress[0],
            "onboarding_total": progress[1],
            "seats": seats,
            "active_users_14d": _active_users(today - timedelta(days=13), today),
            "active_users_28d": active_28,
            "core_adoption": _core_adoption(today - timedelta(days=27), today, active_28),
            "detractor_id": detractor.pk if detractor else None,
            "detractor_score": detractor.score if detractor else None,
            "detractor_comment": detractor.comment[:2000] if detractor else "",
            "detractor_on": timezone.localdate(detractor.created_at) if detractor else None,
            "milestone_id": milestone.pk if milestone else None,
            "milestone_title": milestone.title if milestone else "",
            "milestone_due": milestone.due_date if milestone else None,
        },
    )
    return facts
