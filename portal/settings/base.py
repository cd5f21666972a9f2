"""Settings shared by every environment; dev/test/prod override a few."""

from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab

from .env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("KEEL_SECRET_KEY", "insecure-dev-key-only-for-local-use")
DEBUG = env_bool("KEEL_DEBUG", False)

# Tenants live on subdomains of this domain; the console lives on the domain itself.
KEEL_BASE_DOMAIN = env_str("KEEL_BASE_DOMAIN", "localhost")
KEEL_PORT = env_str("KEEL_PORT", "8000")
KEEL_SCHEME = env_str("KEEL_SCHEME", "http")
ALLOWED_HOSTS = env_list("KEEL_ALLOWED_HOSTS", [KEEL_BASE_DOMAIN, f".{KEEL_BASE_DOMAIN}"])

# --- Tenancy (django-tenants) --------------------------------------------------------------
# Public schema: everything that spans tenants. contenttypes/auth/sessions live here only.
SHARED_APPS = [
    "django_tenants",
    "portal.tenancy",
    "portal.accounts",
    "portal.audit",
    "portal.console",
    "portal.customer",
    "portal.api",
    "onboarding.playbooks",
    "portal.demo",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]
# Tenant schemas: one copy per customer.
TENANT_APPS = [
    "onboarding",
    "metrics",
    "metrics.qbr",
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenancy.Tenant"
TENANT_DOMAIN_MODEL = "tenancy.Domain"
PUBLIC_SCHEMA_NAME = "public"
PUBLIC_SCHEMA_URLCONF = "portal.urls_public"
ROOT_URLCONF = "portal.urls_tenant"
# Unknown hosts are a 404, never the public site (DESIGN.md: do not reveal existence).
SHOW_PUBLIC_IF_NO_TENANT_FOUND = False
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
# New tenants are cloned from this schema (kept migrated by migrate_schemas and checked before
# every clone, portal/tenancy/template_schema.py) instead of being migrated one by one.
TENANT_BASE_SCHEMA = "tenant_template"
TENANT_CREATION_FAKES_MIGRATIONS = True

MIDDLEWARE = [
    "django_tenants.middleware.main.TenantMainMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.tenancy.middleware.TenantAccessMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as its docs require: it turns lockouts raised by authenticate() into responses.
    "axes.middleware.AxesMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "portal.tenancy.context_processors.tenancy",
            ],
        },
    },
]

WSGI_APPLICATION = "portal.wsgi.application"

DATABASES = {
    "default": {
        "ENGINE": "django_tenants.postgresql_backend",
        "NAME": env_str("KEEL_DB_NAME", "keel"),
        "USER": env_str("KEEL_DB_USER", "postgres"),
        "PASSWORD": env_str("KEEL_DB_PASSWORD", ""),
        "HOST": env_str("KEEL_DB_HOST", "127.0.0.1"),
        "PORT": env_str("KEEL_DB_PORT", "5432"),
        "CONN_MAX_AGE": env_int("KEEL_DB_CONN_MAX_AGE", 60),
        "CONN_HEALTH_CHECKS": True,
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("KEEL_REDIS_URL", "redis://127.0.0.1:6379/0")

# Cache keys carry the schema name so one tenant can never read another's entries.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env_str("KEEL_CACHE_URL", "redis://127.0.0.1:6379/1"),
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
    }
}

# --- Accounts ------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it counts failures and refuses locked-out credentials.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "accounts:login"
KEEL_INVITATION_DAYS = env_int("KEEL_INVITATION_DAYS", 7)

# Failed-login lockout (django-axes), across every host.
AXES_FAILURE_LIMIT = env_int("KEEL_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("KEEL_LOGIN_COOLOFF_MINUTES", 15))
# Lock an e-mail after N failures from anywhere, and an address after N failures on any e-mail.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# --- Tenant business rules -----------------------------------------------------------------
# ARR (whole currency units) at or above which a tenant gets the tier; an admin may override.
KEEL_TIER_THRESHOLDS = {
    "strategic": env_int("KEEL_TIER_STRATEGIC_ARR", 250_000),
    "key": env_int("KEEL_TIER_KEY_ARR", 50_000),
}
# QBR cadence in months per tier (strategic quarterly, key half-yearly, standard yearly).
KEEL_QBR_CADENCE_MONTHS = {
    "strategic": env_int("KEEL_QBR_MONTHS_STRATEGIC", 3),
    "key": env_int("KEEL_QBR_MONTHS_KEY", 6),
    "standard": env_int("KEEL_QBR_MONTHS_STANDARD", 12),
}
# A tenant may be deleted only if an export newer than this exists.
KEEL_DELETE_EXPORT_MAX_AGE = timedelta(hours=env_int("KEEL_DELETE_EXPORT_MAX_AGE_HOURS", 24))
KEEL_EXPORT_ROOT = Path(env_str("KEEL_EXPORT_ROOT", str(BASE_DIR / "var" / "exports")))

# --- Static and media ----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("KEEL_STATIC_ROOT", str(BASE_DIR / "var" / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("KEEL_MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
# Media paths are prefixed with the tenant's schema name.
MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"
STORAGES = {
    "default": {"BACKEND": "django_tenants.files.storage.TenantFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Security headers ----------------------------------------------------------------------
from django.utils.csp import CSP  # noqa: E402  (kept next to the policy it builds)

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Load balancers probe nodes over plain HTTP behind TLS termination; a redirect reads as "down".
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- E-mail --------------------------------------------------------------------------------
# Django 6.1 mailers (EMAIL_BACKEND is deprecated). Dev prints mail to the console.
MAILERS = {"default": {"BACKEND": env_str("KEEL_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")}}
DEFAULT_FROM_EMAIL = env_str("KEEL_FROM_EMAIL", "Keel <no-reply@keel.localhost>")

# --- API -----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Keel API",
    "DESCRIPTION": "Tenant-scoped API of the Keel customer-success portal.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the drf-spectacular-sidecar package: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Celery (tenant-schemas-celery pins each task to the schema it was sent from) -----------
CELERY_BROKER_URL = env_str("KEEL_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Time limits sit well below the broker's visibility timeout, or Redis would hand a
# still-running task to a second worker.
CELERY_TASK_SOFT_TIME_LIMIT = env_int("KEEL_TASK_SOFT_TIME_LIMIT", 240)
CELERY_TASK_TIME_LIMIT = env_int("KEEL_TASK_TIME_LIMIT", 300)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "tenant-storage-measure-nightly": {
        "task": "tenancy.tenant_storage_measure_all_task",
        "schedule": crontab(hour=2, minute=15),
    },
    "invitation-expire-hourly": {
        "task": "accounts.invitation_expire_all_task",
        "schedule": crontab(minute=5),
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("KEEL_LOG_LEVEL", "INFO")},
}

# Evidence uploads on onboarding tasks.
KEEL_EVIDENCE_MAX_BYTES = env_int("KEEL_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)
