"""Local development: debug on, mail to the console."""

from .base import *  # noqa: F403
from .env import env_bool

DEBUG = True

# Serve static files straight from the app and project folders; no collectstatic step.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Local webhook receivers (a chat bridge on 127.0.0.1) are fine in development.
KEEL_WEBHOOK_ALLOW_HTTP = env_bool("KEEL_WEBHOOK_ALLOW_HTTP", True)
KEEL_WEBHOOK_ALLOW_PRIVATE = env_bool("KEEL_WEBHOOK_ALLOW_PRIVATE", True)

# A local identity provider on 127.0.0.1 over http is fine in development.
KEEL_SSO_ALLOW_HTTP = env_bool("KEEL_SSO_ALLOW_HTTP", True)
KEEL_SSO_ALLOW_PRIVATE = env_bool("KEEL_SSO_ALLOW_PRIVATE", True)
