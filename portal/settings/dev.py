"""Local development: debug on, mail to the console."""

from .base import *  # noqa: F403

DEBUG = True

# Serve static files straight from the app and project folders; no collectstatic step.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
