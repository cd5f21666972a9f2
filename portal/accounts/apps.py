from django.apps import AppConfig

from portal.tenancy.export_rules import ExportRules


class AccountsConfig(AppConfig):
    name = "portal.accounts"
    label = "accounts"
    verbose_name = "Accounts"
    # Sign-in links, codes and handoff passes go out as the record of who signed in when, without
    # the hashes of their secrets.
    tenant_export = ExportRules(
        excluded_fields={
            "invitation": frozenset({"token_hash"}),
            "signincode": frozenset({"link_hash", "code_hash"}),
            "signinhandoff": frozenset({"nonce_hash", "otp_device_id"}),
            "ssoconfig": frozenset({"client_secret_encrypted"}),
        },
    )

    def ready(self):
        from . import signals  # noqa: F401  (connects the login handler)
