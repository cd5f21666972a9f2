from django.apps import AppConfig


class RetentionConfig(AppConfig):
    """The retention ledger (public schema): dated contract, renewal, ARR and churn events per customer.

    Logo churn, GRR/NRR and the renewal rate are computed from it (docs/kpis.md). It outlives a
    deleted tenant: the account row keeps the slug and name, its events stay.
    """

    name = "metrics.retention"
    label = "retention"
    verbose_name = "Retention ledger"
