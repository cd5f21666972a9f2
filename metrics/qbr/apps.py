from django.apps import AppConfig


class QbrConfig(AppConfig):
    """Success plans (proof-of-value outcomes) and quarterly business reviews. Tenant schema."""

    name = "metrics.qbr"
    label = "qbr"
    verbose_name = "Outcomes and QBRs"
