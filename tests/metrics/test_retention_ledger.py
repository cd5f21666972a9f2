"""The retention ledger: recording and reversing events, the stage following it, its console pages."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from metrics.retention.models import Account, Event
from metrics.retention.services import retention_account_open, retention_event_record, retention_event_reverse
from portal.accounts.access import SYSTEM, AccessDenied
from portal.audit.models import AuditEvent
from portal.tenancy.models import Tenant
from tests.support.clients import client_for
from tests.support.factories import RetentionAccountFactory, RetentionEventFactory, TenantFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _start(tenant, *, on=date(2025, 1, 1), arr="10000", actor=SYSTEM):
    return retention_event_record(
        tenant=tenant, kind="contract_start", occurred_on=on, arr=Decimal(arr), term_end=date(2026, 1, 1), actor=actor
    )


def test_a_churn_is_dated_audited_and_moves_the_stage(tenant_a):
    _start(tenant_a)
    event = retention_event_record(
        tenant=tenant_a, kind="churn", occurred_on=date(2026, 2, 3), reason="price", note="Budget cut", actor=SYSTEM
    )
    assert (event.occurred_on, event.reason, event.arr) == (date(2026, 2, 3), "price", None)
    tenant_a.refresh_from_db()
    assert tenant_a.lifecycle_stage == "churned"
    assert AuditEvent.objects.filter(action="retention.churn", tenant=tenant_a).count() == 1


def test_events_may_be_backdated_but_never_future_dated(tenant_a):
    _start(tenant_a, on=date(2020, 1, 1))
    with pytest.raises(ValidationError, match="future"):
        retention_event_record(
            tenant=tenant_a, kind="churn", occurred_on=TODAY() + timedelta(days=1), reason="price", actor=SYSTEM
        )


def test_a_churn_needs_a_reason_and_an_active_customer(tenant_a):
    with pytest.raises(ValidationError, match="not active"):
        retention_event_record(
            tenant=tenant_a, kind="churn", occurred_on=date(2026, 1, 1), reason="price", actor=SYSTEM
        )
    _start(tenant_a)
    with pytest.raises(ValidationError, match="why"):
        retention_event_record(tenant=tenant_a, kind="churn", occurred_on=date(2026, 1, 1), actor=SYSTEM)


def test_expansion_raises_and_contraction_lowers_the_arr(tenant_a):
    _start(tenant_a, arr="10000")
    with pytest.raises(ValidationError, match="raises"):
        retention_event_record(
            tenant=tenant_a, kind="expansion", occurred_on=date(2025, 6, 1), arr=Decimal(9000), actor=SYSTEM
        )
    with pytest.raises(ValidationError, match="lowers"):
        retention_event_record(
            tenant=tenant_a, kind="contraction", occurred_on=date(2025, 6, 1), arr=Decimal(12000), actor=SYSTEM
        )


def test_only_the_accounts_csm_or_an_admin_writes_the_ledger(tenant_a, csm_b, member_a):
    for actor in (csm_b, member_a):
        with pytest.raises(AccessDenied):
            _start(tenant_a, actor=actor)
    assert not Event.objects.filter(account__tenant=tenant_a).exists()


def test_a_reversing_entry_cancels_a_churn_and_the_stage_follows(tenant_a):
    _start(tenant_a)
    churn = retention_event_record(
        tenant=tenant_a, kind="churn", occurred_on=date(2026, 2, 3), reason="other", actor=SYSTEM
    )
    reversal = retention_event_reverse(event=churn, actor=SYSTEM, note="Wrong customer")
    tenant_a.refresh_from_db()
    assert tenant_a.lifecycle_stage == "adoption"
    assert reversal.reverses == churn
    assert Event.objects.filter(account__tenant=tenant_a).count() == 3  # the original stays
    with pytest.raises(ValidationError, match="already reversed"):
        retention_event_reverse(event=churn, actor=SYSTEM)
    with pytest.raises(ValidationError, match="cannot itself be reversed"):
        retention_event_reverse(event=reversal, actor=SYSTEM)


def test_a_win_back_follows_a_churn_and_returns_the_customer(tenant_a):
    _start(tenant_a)
    retention_event_record(tenant=tenant_a, kind="churn", occurred_on=date(2025, 6, 1), reason="price", actor=SYSTEM)
    with pytest.raises(ValidationError, match="follows a churn"):
        retention_event_record(
            tenant=tenant_a, kind="win_back", occurred_on=date(2025, 3, 1), arr=Decimal(1), actor=SYSTEM
        )
    retention_event_record(tenant=tenant_a, kind="win_back", occurred_on=date(2025, 9, 1), arr=Decimal(5), actor=SYSTEM)
    tenant_a.refresh_from_db()
    assert tenant_a.lifecycle_stage == "adoption"


def test_the_renewal_date_follows_the_ledgers_latest_term(tenant_a):
    _start(tenant_a)  # term ends 2026-01-01
    tenant_a.refresh_from_db()
    assert tenant_a.renewal_date == date(2026, 1, 1)
    event = retention_event_record(
        tenant=tenant_a,
        kind="renewal",
        occurred_on=date(2025, 12, 15),
        arr=Decimal("10000"),
        term_end=date(2027, 1, 1),
        actor=SYSTEM,
    )
    tenant_a.refresh_from_db()
    assert tenant_a.renewal_date == date(2027, 1, 1)
    retention_event_reverse(event=event, actor=SYSTEM, note="entered twice")
    tenant_a.refresh_from_db()
    assert tenant_a.renewal_date == date(2026, 1, 1)  # the reversal takes the renewal back


def test_a_deleted_tenant_leaves_a_tombstone_with_its_history(admin_user):
    tenant = TenantFactory(name="Gone Ltd", slug="gone")
    account = RetentionAccountFactory(tenant=tenant)
    RetentionEventFactory(account=account, occurred_on=date(2025, 1, 1))
    Tenant.objects.filter(pk=tenant.pk).delete()
    account.refresh_from_db()
    assert (account.tenant, account.slug, account.name, account.is_tombstone) == (None, "gone", "Gone Ltd", True)
    assert account.events.count() == 1


def test_provisioning_opens_the_account_with_the_contract_start():
    tenant = TenantFactory(contract_start=date(2025, 3, 1), arr=Decimal(50000), renewal_date=date(2026, 3, 1))
    retention_account_open(tenant=tenant, actor=SYSTEM)
    retention_account_open(tenant=tenant, actor=SYSTEM)  # again: nothing more
    event = Event.objects.get(account__tenant=tenant)
    assert (event.kind, event.occurred_on, event.arr, event.term_end) == (
        "contract_start",
        date(2025, 3, 1),
        Decimal(50000),
        date(2026, 3, 1),
    )
    later = TenantFactory(contract_start=TODAY() + timedelta(days=10))
    retention_account_open(tenant=later, actor=SYSTEM)
    assert Account.objects.filter(tenant=later).exists()
    assert not Event.objects.filter(account__tenant=later).exists()


# --- the console pages ------------------------------------------------------------------------
LEDGER = "/console/tenants/alpha/retention/"


def test_the_csm_records_an_event_on_the_ledger_page(tenant_a, csm_a):
    client = client_for(csm_a)
    assert client.get(LEDGER).status_code == 200
    response = client.post(
        LEDGER, {"kind": "contract_start", "occurred_on": "2025-02-01", "arr": "12000", "term_end": "2026-02-01"}
    )
    assert response.status_code == 302
    assert Event.objects.get(account__tenant=tenant_a).arr == Decimal(12000)
    page = client.get(LEDGER).text
    assert "Contract start" in page
    assert "12,000" in page


def test_the_ledger_page_says_what_was_wrong(tenant_a, csm_a):
    response = client_for(csm_a).post(LEDGER, {"kind": "churn", "occurred_on": "2025-02-01"})
    assert response.status_code == 400
    assert "Choose why the customer left." in response.text
    future = (TODAY() + timedelta(days=2)).isoformat()
    response = client_for(csm_a).post(LEDGER, {"kind": "contract_start", "occurred_on": future, "arr": "1"})
    assert response.status_code == 400
    assert "future" in response.text


def test_the_ledger_page_reverses_an_entry(tenant_a, csm_a):
    event = _start(tenant_a)
    response = client_for(csm_a).post(f"{LEDGER}{event.pk}/reverse/", {"note": "Typo in the ARR"})
    assert response.status_code == 302
    assert Event.objects.get(reverses=event).note == "Typo in the ARR"


def test_other_csms_and_customers_cannot_see_the_ledger(tenant_a, csm_a, csm_b, member_a):
    assert client_for(csm_b).get(LEDGER).status_code == 404
    assert client_for(member_a).get(LEDGER).status_code == 403


def test_the_retention_page_and_its_csv(tenant_a, admin_user):
    _start(tenant_a, on=date(2025, 1, 1))
    retention_event_record(tenant=tenant_a, kind="churn", occurred_on=date(2025, 8, 1), reason="price", actor=SYSTEM)
    client = client_for(admin_user)
    response = client.get("/console/retention/?start=2025-07-01&end=2025-09-30")
    assert response.status_code == 200
    period = response.context["period"]
    assert (len(period.lost), len(period.at_start) >= 1) == (1, True)
    assert "Alpha" in response.text or tenant_a.name in response.text
    csv = client.get("/console/retention/?start=2025-07-01&end=2025-09-30&format=csv").content.decode()
    assert csv.splitlines()[0] == "kpi,period_start,period_end,value,detail"
    assert "logo_churn_annualised" in csv


def test_the_retention_page_refuses_a_backwards_or_future_period(admin_user):
    client = client_for(admin_user)
    assert client.get("/console/retention/?start=2025-09-30&end=2025-07-01").status_code == 400
    future = (TODAY() + timedelta(days=3)).isoformat()
    assert client.get(f"/console/retention/?start=2025-01-01&end={future}").status_code == 400
    assert client.get("/console/retention/?preset=last_quarter").status_code == 200


# --- time to value from the kickoff --------------------------------------------------------------
def test_ttv_counts_from_the_kickoff_which_defaults_to_the_contract_start(tenant_a, csm_a, csm_b):
    from datetime import UTC, datetime

    from django_tenants.utils import tenant_context

    from metrics.retention.services import retention_kickoff_set
    from metrics.selectors import time_to_value_get
    from onboarding.models import Checklist
    from tests.support.factories import ChecklistFactory

    with tenant_context(tenant_a):
        assert time_to_value_get(tenant=tenant_a) is None  # not reached yet
        ChecklistFactory()
        Checklist.objects.update(
            started_at=datetime(2026, 3, 10, tzinfo=UTC), first_value_at=datetime(2026, 3, 25, 12, tzinfo=UTC)
        )
        # no contract start anywhere: from the onboarding start, 15.5 days
        assert time_to_value_get(tenant=tenant_a) == timedelta(days=15, hours=12)
    _start(tenant_a, on=date(2026, 3, 1))
    with tenant_context(tenant_a):
        assert time_to_value_get(tenant=tenant_a) == timedelta(days=24, hours=12)  # from the contract start
    retention_kickoff_set(tenant=tenant_a, kickoff_on=date(2026, 3, 5), actor=csm_a)
    with tenant_context(tenant_a):
        assert time_to_value_get(tenant=tenant_a) == timedelta(days=20, hours=12)  # from the kickoff
    assert AuditEvent.objects.filter(action="retention.kickoff_set", tenant=tenant_a).count() == 1
    with pytest.raises(AccessDenied):
        retention_kickoff_set(tenant=tenant_a, kickoff_on=date(2026, 3, 6), actor=csm_b)
    with pytest.raises(ValidationError, match="future"):
        retention_kickoff_set(tenant=tenant_a, kickoff_on=TODAY() + timedelta(days=1), actor=csm_a)
    retention_kickoff_set(tenant=tenant_a, kickoff_on=date(2026, 4, 1), actor=csm_a)  # after first value
    with tenant_context(tenant_a):
        assert time_to_value_get(tenant=tenant_a) == timedelta(0)


def test_the_csm_sets_the_kickoff_on_the_ledger_page(tenant_a, csm_a, member_a):
    client = client_for(csm_a)
    assert client.post(LEDGER + "kickoff/", {"kickoff_on": "2026-02-01"}).status_code == 302
    assert Account.objects.get(tenant=tenant_a).kickoff_on == date(2026, 2, 1)
    assert "the kickoff set here" in client.get(LEDGER).text
    client.post(LEDGER + "kickoff/", {"kickoff_on": ""})  # back to the contract start
    assert Account.objects.get(tenant=tenant_a).kickoff_on is None
    assert client_for(member_a).post(LEDGER + "kickoff/", {"kickoff_on": "2026-02-01"}).status_code == 403
