"""Refresh the account facts and run the CTA rules now, here or through the workers."""

from django.core.management.base import BaseCommand, CommandError

from metrics.cockpit.facts import account_facts_refresh
from metrics.cockpit.services import cta_evaluate
from metrics.cockpit.tasks import account_facts_refresh_all_task, cta_evaluate_task
from portal.tenancy.tasks import ready_tenants


class Command(BaseCommand):
    help = "Copy each customer's facts to public, then open, refresh and close calls to action."

    def add_arguments(self, parser):
        parser.add_argument("--tenant", help="Only this tenant (slug).")
        parser.add_argument("--via-celery", action="store_true", help="Send the tasks to the workers instead.")

    def handle(self, *args, **opts):
        if opts["via_celery"]:
            account_facts_refresh_all_task.delay()
            cta_evaluate_task.apply_async(countdown=60)
            self.stdout.write("Sent the facts fan-out, and the evaluation a minute later, to the workers.")
            return
        tenants = ready_tenants()
        if opts["tenant"]:
            tenants = tenants.filter(slug=opts["tenant"])
            if not tenants.exists():
                raise CommandError(f"No ready, active tenant {opts['tenant']!r}.")
        for tenant in tenants:
            with tenant:
                account_facts_refresh()
        result = cta_evaluate(tenants=tenants)
        self.stdout.write(
            f"{result.customers} customers: {len(result.opened)} CTAs opened, {len(result.closed)} closed, "
            f"{result.refreshed} refreshed, {result.woken} woken"
        )
