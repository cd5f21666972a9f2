from django.apps import AppConfig


class PortfolioConfig(AppConfig):
    """Public-schema health facts for cross-tenant pages: the latest snapshot, churn records.

    The label stays ``health`` (its first home was ``portal.health``), so its tables and migration
    history are untouched by the move.
    """

    name = "metrics.portfolio"
    label = "health"
    verbose_name = "Health (portfolio)"
