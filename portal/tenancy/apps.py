from django.apps import AppConfig

from .export_rules import ExportRules


class TenancyConfig(AppConfig):
    name = "portal.tenancy"
    label = "tenancy"
    verbose_name = "Tenancy"
    tenant_export = ExportRules(skipped={"tenantexport": "the archives' own records: the console lists them"})

    def ready(self):
        from . import receivers  # noqa: F401  (keeps the template schema migrated)
