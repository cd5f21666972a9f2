"""Production: every secret from the environment, HTTPS everywhere."""

from .base import *  # noqa: F403
from .env import env_bool, env_int, env_str

DEBUG = False
SECRET_KEY = env_str("KEEL_SECRET_KEY")  # no default: refuse to start without one
if SECRET_KEY.startswith("insecure") or len(SECRET_KEY) < 50:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("KEEL_SECRET_KEY must be a random string of 50+ characters.")

KEEL_SCHEME = "https"
SECURE_SSL_REDIRECT = env_bool("KEEL_SSL_REDIRECT", True)
# X-Forwarded-Proto is believed only from a proxy Keel trusts: with none in front, any client
# could send "https" and pass for a secure request (Secure cookies, no redirect to HTTPS).
if KEEL_TRUSTED_PROXIES > 0:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("KEEL_HSTS_SECONDS", 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
STORAGES = {
    "default": {"BACKEND": "django_tenants.files.storage.TenantFileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MAILERS = {
    "default": {
        "BACKEND": env_str("KEEL_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"),
        "OPTIONS": {
            "host": env_str("KEEL_SMTP_HOST", "localhost"),
            "port": env_int("KEEL_SMTP_PORT", 587),
            "username": env_str("KEEL_SMTP_USER", ""),
            "password": env_str("KEEL_SMTP_PASSWORD", ""),
            "use_tls": env_bool("KEEL_SMTP_TLS", True),
            "timeout": env_int("KEEL_SMTP_TIMEOUT", 10),
        },
    }
}

# Single sign-on secrets need real keys (KEEL_SSO_SECRET_KEYS), never one derived from SECRET_KEY.
KEEL_SSO_DERIVE_KEY_FROM_SECRET_KEY = False
