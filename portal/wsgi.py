"""WSGI entry point."""

import os

from django.core.wsgi import get_wsgi_application

# Production unless told otherwise: a server started without DJANGO_SETTINGS_MODULE must not
# come up with DEBUG and the development secret key (prod.py refuses to start without its own).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.prod")

application = get_wsgi_application()

from portal.warmup import warm  # noqa: E402 (needs the app registry get_wsgi_application sets up)

warm()
