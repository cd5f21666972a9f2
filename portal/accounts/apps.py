from django.apps import AppConfig

from portal.tenancy.export_rules import ExportRules


class AccountsConfig(AppConfig):
    name = "portal.accounts"
    label = "accounts"
    verbose_name = "Accounts"
    tenant_export = ExportRules(excluded_fields={"invitation": frozenset({"token_hash"})})

    def ready(self):
        from . import signals  # noqa: F401  (connects the login handler)
