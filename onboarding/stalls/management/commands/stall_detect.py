"""Run stall detection (and customer reminders) now, here or through the workers."""

from django.core.management.base import BaseCommand, CommandError

from onboarding.stalls.reminders import task_reminders_enqueue
from onboarding.stalls.services import stall_detect
from onboarding.stalls.tasks import stall_detect_all_task
from portal.tenancy.tasks import ready_tenants


class Command(BaseCommand):
    help = "Detect stalled onboardings in every ready tenant (or one) and write the notifications."

    def add_arguments(self, parser):
        parser.add_argument("--tenant", help="Only this tenant (slug).")
        parser.add_argument(
            "--via-celery", action="store_true", help="Send the hourly fan-out task to the workers instead."
        )

    def handle(self, *args, **opts):
        if opts["via_celery"]:
            stall_detect_all_task.delay()
            self.stdout.write("Sent the stall detection fan-out to the workers.")
            return
        tenants = ready_tenants()
        if opts["tenant"]:
            tenants = tenants.filter(slug=opts["tenant"])
            if not tenants.exists():
                raise CommandError(f"No ready, active tenant {opts['tenant']!r}.")
        for tenant in tenants:
            with tenant:
                result = stall_detect()
                reminders = task_reminders_enqueue()
            self.stdout.write(
                f"{tenant.slug}: {len(result.started)} started, {len(result.ended)} ended, "
                f"{len(result.escalated)} escalated, {result.notifications + reminders} notifications"
            )
