"""Fill the ledger from what Keel knew before it: every customer's contract start and every churn record.

- each customer tenant gets an account and a contract start (its contract start, else the day it
  was created; ARR and renewal date as they are now); a start still in the future is left out;
- each health.ChurnEvent becomes a churn (reason "other": none was asked before), and a churn of
  a deleted tenant becomes a tombstone account (slug as name) with its contract start on the day
  the old record kept as "customer since".
"""

from datetime import date

from django.db import migrations
from django.utils import timezone

NOTE = "Carried over from the churn record kept before the retention ledger (no reason was asked then)."


def forwards(apps, schema_editor):
    Tenant = apps.get_model("tenancy", "Tenant")
    Account = apps.get_model("retention", "Account")
    Event = apps.get_model("retention", "Event")
    ChurnEvent = apps.get_model("health", "ChurnEvent")
    today = timezone.localdate()
    churns = list(ChurnEvent.objects.order_by("churned_on", "pk"))
    first_since: dict[str, date] = {}
    for churn in churns:
        first_since[churn.tenant_slug] = min(first_since.get(churn.tenant_slug, churn.customer_since), churn.customer_since)
    accounts = {}
    for tenant in Tenant.objects.exclude(schema_name="public"):
        account = Account.objects.create(tenant=tenant, slug=tenant.slug, name=tenant.name)
        accounts[tenant.slug] = account
        start = first_since.get(tenant.slug) or tenant.contract_start or timezone.localdate(tenant.created_at)
        if start <= today:
            Event.objects.create(
                account=account, kind="contract_start", occurred_on=start, arr=tenant.arr, term_end=tenant.renewal_date
            )
    for churn in churns:
        account = accounts.get(churn.tenant_slug) if churn.tenant_id else None
        if account is None:
            account = accounts.get(f"deleted:{churn.tenant_slug}")
        if account is None:
            account = Account.objects.create(tenant=None, slug=churn.tenant_slug, name=churn.tenant_slug)
            accounts[f"deleted:{churn.tenant_slug}"] = account
            Event.objects.create(account=account, kind="contract_start", occurred_on=first_since[churn.tenant_slug], arr=0)
        elif Event.objects.filter(account=account, kind="churn").exists():
            # A second churn record of the same customer: it came back in between.
            previous = Event.objects.filter(account=account).order_by("-occurred_on").first()
            Event.objects.create(account=account, kind="win_back", occurred_on=previous.occurred_on, arr=0, note=NOTE)
        Event.objects.create(
            account=account, kind="churn", occurred_on=churn.churned_on, reason="other", note=NOTE, recorded_at=churn.recorded_at
        )


def backwards(apps, schema_editor):
    Event = apps.get_model("retention", "Event")
    Account = apps.get_model("retention", "Account")
    Event.objects.filter(reverses__isnull=False).delete()
    Event.objects.all().delete()
    Account.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("retention", "0001_initial"),
        ("health", "0002_apikey_moved_to_ingest"),
        ("tenancy", "0002_tenant_last_qbr_published_at"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
