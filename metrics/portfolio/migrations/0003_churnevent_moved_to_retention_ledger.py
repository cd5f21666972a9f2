"""Churn records now live in the retention ledger (retention.0002 copied every row): drop the old table."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("health", "0002_apikey_moved_to_ingest"),
        ("retention", "0002_from_churn_events"),
    ]

    operations = [migrations.DeleteModel(name="ChurnEvent")]
