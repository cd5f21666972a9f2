"""Writes to the retention ledger: record an event, reverse one, open a new customer's account.

Every write is atomic and audited, and the tenant's lifecycle stage follows the ledger (a churn
moves it to churned, a win-back out of it), never the other way round.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from portal.accounts.access import Actor, actor_user, require_staff_on
from portal.audit.services import audit_record
from portal.tenancy.models import LifecycleStage, Tenant

from . import ledger
from .models import SETS_ARR, STARTS, Account, Event, EventKind
from .selectors import account_facts_get

# Where a won-back customer goes: they use the product again, onboarding is behind them.
WON_BACK_STAGE = LifecycleStage.ADOPTION


def retention_account_ensure(*, tenant: Tenant) -> Account:
    """Return the tenant's ledger account, creating it (or refreshing its slug and name)."""
    account, created = Account.objects.get_or_create(tenant=tenant, defaults={"slug": tenant.slug, "name": tenant.name})
    if not created and (account.slug, account.name) != (tenant.slug, tenant.name):
        account.slug, account.name = tenant.slug, tenant.name
        account.save(update_fields=["slug", "name"])
    return account


def _validate(*, facts: list[ledger.Fact], kind: str, occurred_on: date, arr: Decimal | None, reason: str) -> None:
    if occurred_on > timezone.localdate():
        raise ValidationError(
            {"occurred_on": gettext("An event cannot be dated in the future; backdating is allowed.")}
        )
    # The state the day after the event: every earlier or same-day event counts.
    active = ledger.active_at_start_of(facts, occurred_on + timedelta(days=1))
    current_arr = ledger.arr_at_start_of(facts, occurred_on + timedelta(days=1))
    if kind == EventKind.CONTRACT_START and any(f.kind == ledger.CONTRACT_START for f in facts):
        raise ValidationError(
            {"kind": gettext("This customer already has a contract start; a returning customer is a win-back.")}
        )
    if kind == EventKind.WIN_BACK and active:
        raise ValidationError(
            {
                "kind": gettext("A win-back follows a churn; the customer is active on %(occurred_on)s.")
                % {"occurred_on": occurred_on}
            }
        )
    if kind not in STARTS and not active:
        raise ValidationError(
            {
                "kind": gettext(
                    "The customer is not active on %(occurred_on)s: record a contract start or win-back first."
                )
                % {"occurred_on": occurred_on}
            }
        )
    if kind in SETS_ARR and arr is None:
        raise ValidationError({"arr": gettext("Give the customer's ARR after this event.")})
    if kind == EventKind.EXPANSION and arr is not None and arr <= current_arr:
        raise ValidationError(
            {"arr": gettext("An expansion raises the ARR above %(current_arr)s.") % {"current_arr": current_arr}}
        )
    if kind == EventKind.CONTRACTION and arr is not None and arr >= current_arr:
        raise ValidationError(
            {"arr": gettext("A contraction lowers the ARR below %(current_arr)s.") % {"current_arr": current_arr}}
        )
    if kind == EventKind.CHURN and not reason:
        raise ValidationError({"reason": gettext("Choose why the customer left.")})


def _stage_follow(account: Account) -> None:
    """Move the tenant's lifecycle stage and renewal date to what the ledger says today.

    The renewal date is the end of the latest term the ledger records (contract start, renewal or
    win-back with a term end), so every page that shows "renews on" (the console, the CSM's book
    and its renewal rule) reads the ledger's date.
    """
    tenant = account.tenant
    if tenant is None:
        return
    facts = account_facts_get(account=account)
    changed = []
    active = ledger.active_at_start_of(facts, timezone.localdate() + timedelta(days=1))
    stage = tenant.lifecycle_stage
    if not active and any(f.kind == ledger.CHURN for f in facts):
        stage = LifecycleStage.CHURNED
    elif tenant.lifecycle_stage == LifecycleStage.CHURNED:
        stage = WON_BACK_STAGE
    if tenant.lifecycle_stage != stage:
        tenant.lifecycle_stage = stage
        changed.append("lifecycle_stage")
    terms = [f for f in facts if f.term_end is not None]
    if terms:
        renewal = max(terms, key=lambda f: f.occurred_on).term_end
        if tenant.renewal_date != renewal:
            tenant.renewal_date = renewal
            changed.append("renewal_date")
    if changed:
        tenant.save(update_fields=changed)


@transaction.atomic
def retention_event_record(
    *,
    tenant: Tenant,
    kind: str,
    occurred_on: date,
    actor: Actor,
    arr: Decimal | None = None,
    term_end: date | None = None,
    reason: str = "",
    note: str = "",
) -> Event:
    """Record a dated event in ``tenant``'s ledger (backdating allowed, never future); audited."""
    require_staff_on(actor, tenant, message="Only an admin or the account's CSM may change its retention ledger.")
    if kind not in EventKind.values:
        raise ValidationError({"kind": gettext("Unknown event %(kind)s.") % {"kind": repr(kind)}})
    account = retention_account_ensure(tenant=tenant)
    Account.objects.select_for_update().filter(pk=account.pk).get()  # one writer per account at a time
    if kind == EventKind.CHURN:
        arr = None
    _validate(facts=account_facts_get(account=account), kind=kind, occurred_on=occurred_on, arr=arr, reason=reason)
    event = Event.objects.create(
        account=account,
        kind=kind,
        occurred_on=occurred_on,
        arr=arr,
        term_end=term_end if kind in (*STARTS, EventKind.RENEWAL) else None,
        reason=reason if kind == EventKind.CHURN else "",
        note=note,
        recorded_by=actor_user(actor),
    )
    _stage_follow(account)
    audit_record(
        actor=actor,
        action=f"retention.{kind}",
        tenant=tenant,
        target=event,
        occurred_on=str(occurred_on),
        arr=None if arr is None else str(arr),
        reason=event.reason,
    )
    return event


@transaction.atomic
def retention_event_reverse(*, event: Event, actor: Actor, note: str = "") -> Event:
    """Cancel ``event`` with a reversing entry (the original stays in the history); audited."""
    account = Account.objects.select_for_update(of=("self",)).select_related("tenant").get(pk=event.account_id)
    if account.tenant is None:
        raise ValidationError(gettext("A deleted customer's history is kept as it was."))
    require_staff_on(
        actor, account.tenant, message="Only an admin or the account's CSM may change its retention ledger."
    )
    if event.reverses_id is not None:
        raise ValidationError(gettext("A reversing entry cannot itself be reversed: record the event again."))
    if Event.objects.filter(reverses=event).exists():
        raise ValidationError(gettext("This event is already reversed."))
    reversal = Event.objects.create(
        account=account,
        kind=event.kind,
        occurred_on=event.occurred_on,
        arr=event.arr,
        term_end=event.term_end,
        reason=event.reason,
        note=note,
        reverses=event,
        recorded_by=actor_user(actor),
    )
    _stage_follow(account)
    audit_record(actor=actor, action="retention.reversed", tenant=account.tenant, target=reversal, reverses=event.pk)
    return reversal


def retention_account_open(*, tenant: Tenant, actor: Actor) -> None:
    """KEEL_ON_TENANT_PROVISIONED: open the ledger account, with the contract start when it is known.

    A contract start still in the future is left for the CSM to record on the day.
    """
    account = retention_account_ensure(tenant=tenant)
    if tenant.contract_start is None or tenant.contract_start > timezone.localdate():
        return
    if account.events.exists():
        return
    event = Event.objects.create(
        account=account,
        kind=EventKind.CONTRACT_START,
        occurred_on=tenant.contract_start,
        arr=tenant.arr,
        term_end=tenant.renewal_date,
        recorded_by=actor_user(actor),
    )
    audit_record(
        actor=actor, action="retention.contract_start", tenant=tenant, target=event, occurred_on=str(event.occurred_on)
    )


@transaction.atomic
def retention_kickoff_set(*, tenant: Tenant, kickoff_on: date | None, actor: Actor) -> Account:
    """Set the day ``tenant``'s time to value starts (None: back to the contract start); audited."""
    require_staff_on(actor, tenant, message="Only an admin or the account's CSM may set the kickoff.")
    if kickoff_on is not None and kickoff_on > timezone.localdate():
        raise ValidationError({"kickoff_on": gettext("The kickoff cannot be in the future.")})
    account = retention_account_ensure(tenant=tenant)
    before = account.kickoff_on
    if before != kickoff_on:
        account.kickoff_on = kickoff_on
        account.save(update_fields=["kickoff_on"])
        audit_record(
            actor=actor,
            action="retention.kickoff_set",
            tenant=tenant,
            target=account,
            before=None if before is None else str(before),
            after=None if kickoff_on is None else str(kickoff_on),
        )
    return account
