from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "portal.tenancy"
    label = "tenancy"
    verbose_name = "Tenancy"

    def ready(self):
        from . import receivers  # noqa: F401  (keeps the template schema migrated)
