"""The Celery app. Tasks run in the schema of the tenant they were sent from."""

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")

app = CeleryApp("keel")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
