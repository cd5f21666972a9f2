"""Reads of the retention ledger: a constant number of queries, the arithmetic in ledger.py."""

from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet

from portal.accounts.access import Actor, tenants_visible_to
from portal.tenancy.models import Tenant

from . import ledger
from .models import Account, Event


def _effective(events: QuerySet[Event]) -> QuerySet[Event]:
    """Events that count: not a reversing entry and not reversed."""
    return events.filter(reverses__isnull=True, reversed_by__isnull=True)


def account_facts_get(*, account: Account) -> list[ledger.Fact]:
    """Return the account's effective events in date order (1 query)."""
    rows = _effective(account.events.all()).values_list("kind", "occurred_on", "arr", "term_end")
    return [ledger.Fact(*row) for row in rows]


def account_list(*, viewer: Actor) -> QuerySet[Account]:
    """Return the ledger accounts ``viewer`` sees: their customers' (admins: also deleted customers')."""
    visible = Q(tenant__in=tenants_visible_to(viewer))
    if viewer.is_keel_admin:
        visible |= Q(tenant__isnull=True)
    return Account.objects.filter(visible)


def event_list(*, account: Account) -> QuerySet[Event]:
    """Return every entry of the account's history, reversals included, newest first."""
    reversed_ = Exists(Event.objects.filter(reverses=OuterRef("pk")))
    return (
        account.events.select_related("recorded_by", "reverses")
        .annotate(is_reversed=reversed_)
        .order_by("-occurred_on", "-recorded_at", "-pk")
    )


def retention_facts_get(*, viewer: Actor) -> dict[int, list[ledger.Fact]]:
    """Return account id → effective events in date order, over the accounts ``viewer`` sees (1 query)."""
    rows = _effective(Event.objects.filter(account__in=account_list(viewer=viewer))).order_by(
        "account_id", "occurred_on", "recorded_at", "pk"
    )
    return ledger.group_facts(rows.values_list("account_id", "kind", "occurred_on", "arr", "term_end"))


def retention_period_get(*, viewer: Actor, start: date, end: date) -> ledger.Period:
    """Return logo churn, GRR/NRR and renewal rate for [start, end] over what ``viewer`` sees (1 query)."""
    return ledger.period_figures(retention_facts_get(viewer=viewer), start=start, end=end)


def kickoff_get(*, tenant: Tenant) -> date | None:
    """Return the day ``tenant``'s time to value starts: the kickoff set by the CSM, else the contract
    start (the ledger's, else the tenant's), else None (then TTV counts from the onboarding start)."""
    account = Account.objects.filter(tenant=tenant).first()
    if account is not None:
        if account.kickoff_on is not None:
            return account.kickoff_on
        starts = _effective(account.events.filter(kind="contract_start")).order_by("occurred_on")
        first = starts.values_list("occurred_on", flat=True).first()
        if first is not None:
            return first
    return tenant.contract_start
