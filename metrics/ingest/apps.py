from django.apps import AppConfig

from portal.tenancy.export_rules import ExportRules


class IngestConfig(AppConfig):
    """The data-in API (events, tickets, seats, features) and the API keys it authenticates with."""

    name = "metrics.ingest"
    label = "ingest"
    verbose_name = "Ingest API"
    tenant_export = ExportRules(excluded_fields={"apikey": frozenset({"key_hash"})})
