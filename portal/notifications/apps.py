from django.apps import AppConfig

from portal.tenancy.export_rules import ExportRules


class NotificationsConfig(AppConfig):
    name = "portal.notifications"
    label = "notifications"
    verbose_name = "Notifications"
    # An address is a staff e-mail or a webhook URL, and a webhook URL is a credential (Slack's carry the token).
    tenant_export = ExportRules(excluded_fields={"notification": frozenset({"address", "chat_secret"})})
