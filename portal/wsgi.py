"""WSGI entry point."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")

application = get_wsgi_application()

from portal.warmup import warm  # noqa: E402 (needs the app registry get_wsgi_application sets up)

warm()
