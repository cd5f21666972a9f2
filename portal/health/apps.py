from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "portal.health"
    label = "health"
    verbose_name = "Health (portfolio)"

    def ready(self):
        from . import signals  # noqa: F401  (records churn dates when a tenant's stage changes)
