"""ApiKey moves here from the portfolio app (label ``health``) with its table and rows kept.

Only Django's idea of which app owns the model changes: the table stays ``health_apikey``
(database_operations is empty), and the content type is relabelled so the admin's log entries
and permissions follow the model. ``health.0002`` drops the model from that app's state.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def relabel_content_type(apps, schema_editor, *, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label=new, model="apikey").exists():
        ContentType.objects.filter(app_label=old, model="apikey").update(app_label=new)


def forwards(apps, schema_editor):
    relabel_content_type(apps, schema_editor, old="health", new="ingest")


def backwards(apps, schema_editor):
    relabel_content_type(apps, schema_editor, old="ingest", new="health")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("health", "0001_initial"),
        ("tenancy", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ApiKey",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("name", models.CharField(max_length=100)),
                        ("prefix", models.CharField(max_length=16)),
                        ("key_hash", models.CharField(max_length=64, unique=True)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("last_used_at", models.DateTimeField(blank=True, null=True)),
                        ("revoked_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "tenant",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="api_keys", to="tenancy.tenant"
                            ),
                        ),
                    ],
                    options={"verbose_name": "API key", "ordering": ["-created_at"], "db_table": "health_apikey"},
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
