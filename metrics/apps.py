from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "metrics"

    def ready(self):
        from . import checks  # noqa: F401  (registers the health-settings check)
