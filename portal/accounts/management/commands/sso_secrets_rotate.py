from django.core.management.base import BaseCommand
from django.db import transaction

from portal.accounts.access import SYSTEM
from portal.accounts.models import SsoConfig
from portal.accounts.sso_crypto import secret_rotate
from portal.audit.services import audit_record


class Command(BaseCommand):
    help = "Re-encrypt every single sign-on client secret with the first key of KEEL_SSO_SECRET_KEYS."

    @transaction.atomic
    def handle(self, *args, **opts):
        count = 0
        for config in SsoConfig.objects.select_for_update().exclude(client_secret_encrypted=""):
            config.client_secret_encrypted = secret_rotate(config.client_secret_encrypted)
            config.save(update_fields=["client_secret_encrypted"])
            count += 1
        audit_record(actor=SYSTEM, action="sso.secrets_rotated", count=count)
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {count} client secret{'s' if count != 1 else ''}."))
