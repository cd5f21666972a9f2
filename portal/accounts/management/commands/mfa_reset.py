from django.core.management.base import BaseCommand, CommandError

from portal.accounts.access import SYSTEM
from portal.accounts.mfa import mfa_reset
from portal.accounts.models import StaffRole, User


class Command(BaseCommand):
    help = (
        "Remove a staff member's authenticator app and recovery codes and sign them out everywhere "
        "(for the last admin who lost their phone; other cases: Console -> Staff). Audited."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, **opts):
        user = User.objects.exclude(staff_role=StaffRole.NONE).filter(email=opts["email"].strip().lower()).first()
        if user is None:
            raise CommandError(f"No vendor staff member with e-mail {opts['email']!r}.")
        mfa_reset(user=user, actor=SYSTEM)
        self.stdout.write(self.style.SUCCESS(f"{user.email} sets up a new authenticator app at next sign-in."))
