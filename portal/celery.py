"""The Celery app. Tasks run in the schema of the tenant they were sent from."""

import os

from tenant_schemas_celery.app import CeleryApp

# Production unless told otherwise, as portal/wsgi.py: a worker must not run on dev settings.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.prod")


class KeelCelery(CeleryApp):
    def send_task(self, *args, **kwargs):
        # tenant-schemas-celery reads the database connection's schema to stamp the message.
        # In a web process or a worker Django is set up; under `celery -A portal call` it is
        # not, and the connection import failed with AppRegistryNotReady.
        _django_ready()
        return super().send_task(*args, **kwargs)


def _django_ready() -> None:
    from django.apps import apps

    if not apps.ready:
        import django

        django.setup()


app = KeelCelery("keel")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
