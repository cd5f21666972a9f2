"""Test settings: fast hashing, in-memory mail, eager Celery, its own database."""

from .base import *  # noqa: F403
from .base import BASE_DIR, SILENCED_SYSTEM_CHECKS

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
# Webhook tests post to a receiver on 127.0.0.1.
KEEL_WEBHOOK_ALLOW_HTTP = True
KEEL_WEBHOOK_ALLOW_PRIVATE = True
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
    },
    "limits": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "limits"},
    "fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "keel-fragments",
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
    },
}
# The test process counts password-reset requests in its own memory: nothing else shares them.
SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "django_ratelimit.E003"]
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
KEEL_EXPORT_ROOT = BASE_DIR / "var" / "test-exports"
STORAGES = {
    "default": {"BACKEND": "django_tenants.files.storage.TenantFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Serve static files straight from the app and project folders; no collectstatic step.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": "WARNING"}}  # noqa: F405

# The test identity provider runs on 127.0.0.1 over http (tests/support/oidc_provider.py).
KEEL_SSO_ALLOW_HTTP = True
KEEL_SSO_ALLOW_PRIVATE = True
