"""Settings shared by every environment; dev/test/prod override a few."""

from datetime import timedelta
from pathlib import Path
from typing import Any

from celery.schedules import crontab

from .env import env_bool, env_int, env_list, env_rate, env_str

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
    "portal.kb",
    "portal.notifications",
    "onboarding.playbooks",
    "onboarding.stalls",
    "portal.demo",
    "portal.ui",
    "metrics.portfolio",
    "metrics.ingest",
    "metrics.retention",
    "metrics.cockpit",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Full-text search and trigram similarity (pg_trgm lives in public, on every search_path).
    "django.contrib.postgres",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_ratelimit",  # its system checks: the cache it counts in must be shared and atomic
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]
# Tenant schemas: one copy per customer.
TENANT_APPS = [
    "portal.kb.tenant",
    "onboarding",
    "metrics",
    "metrics.qbr",
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenancy.Tenant"
TENANT_DOMAIN_MODEL = "tenancy.Domain"
PUBLIC_SCHEMA_NAME = "public"
PUBLIC_SCHEMA_URLCONF = "portal.urls_public"

# Wiring: what other apps do when the core reports a business event (portal/actions.py). Plain
# calls in the caller's transaction, not signals: an action's error fails the change that ran it.
KEEL_ON_TENANT_PROVISIONED = [
    "onboarding.services.onboarding_start",
    "metrics.retention.services.retention_account_open",
]
KEEL_ON_KB_READ_CONFIRMED = ["onboarding.services.task_read_steps_complete"]
# Cards of the customer home page from other apps: each ``(request) -> dict | None`` with a "template".
KEEL_CUSTOMER_HOME_PANELS = ["onboarding.home.onboarding_panel", "metrics.qbr.home.latest_review_panel"]
ROOT_URLCONF = "portal.urls_tenant"
# Unknown hosts are a 404, never the public site (DESIGN.md: do not reveal existence).
SHOW_PUBLIC_IF_NO_TENANT_FOUND = False
# ReplicaRouter sends report reads to the `replica` alias when one is configured (below), and
# changes nothing without one (portal/db_routers.py).
DATABASE_ROUTERS = ["portal.db_routers.ReplicaRouter", "django_tenants.routers.TenantSyncRouter"]
# Every set_tenant() on `default` sets the same tenant on the replica, so its search_path follows.
EXTRA_SET_TENANT_METHOD_PATH = "portal.db_routers.follow_tenant"
# New tenants are cloned from this schema (kept migrated by migrate_schemas and checked before
# every clone, portal/tenancy/template_schema.py) instead of being migrated one by one.
TENANT_BASE_SCHEMA = "tenant_template"
# Issue `SET search_path` once per schema switch, not before every query (it halved the
# checklist page's round trips). Safe here: django-tenants forgets the setting on rollback,
# savepoint rollback, close and every set_tenant(), and Keel never sets search_path itself.
TENANT_LIMIT_SET_CALLS = True
# migrate_schemas skips the tenant schemas that already hold every migration (seconds instead
# of minutes with a thousand tenants; portal/tenancy/migration_executor.py).
GET_EXECUTOR_FUNCTION = "portal.tenancy.migration_executor.get_executor"
TENANT_CREATION_FAKES_MIGRATIONS = True
# pg_dump (PostgreSQL client, same major version as the server or newer) makes the copy fast;
# empty: found on PATH. Without one, provisioning falls back to django-tenants' slower clone.
KEEL_PG_DUMP = env_str("KEEL_PG_DUMP", "")

MIDDLEWARE = [
    # Outside everything that can answer an error (an unknown tenant host included), so each
    # /api/ error is problem details.
    "portal.api.problems.ApiProblemMiddleware",
    "django_tenants.middleware.main.TenantMainMiddleware",
    "portal.tenancy.middleware.NulCharacterGuardMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before the session: its save after a write counts as a write (read-your-writes).
    "portal.db_routers.ReplicaPinMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Outside everything below, so it sees every answer made for a signed-in caller.
    "portal.http.PrivateCacheMiddleware",
    # After sessions, authentication and the tenant (the choice needs all three); before every
    # middleware or view that renders text. Django's LocaleMiddleware plus the user's and the
    # tenant's choice, and the time zone.
    "portal.accounts.middleware.LocaleAndTimeZoneMiddleware",
    "portal.tenancy.middleware.TenantAccessMiddleware",
    # After the tenant gate: staff without a verified second factor reach only the MFA pages.
    "portal.accounts.middleware.SignInSessionMiddleware",
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
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "portal.tenancy.context_processors.tenancy",
                "portal.notifications.context_processors.notifications",
                "metrics.context_processors.nps_prompt",
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
# A hot standby of `default` (PostgreSQL streaming replication) for the report paths: the
# portfolio, published QBRs, tenant exports (portal/db_routers.py). Unset: no replica, every
# read goes to `default`. Name, user and password default to the primary's.
if KEEL_DB_REPLICA_HOST := env_str("KEEL_DB_REPLICA_HOST", ""):
    DATABASES["replica"] = {
        **DATABASES["default"],
        "HOST": KEEL_DB_REPLICA_HOST,
        "PORT": env_str("KEEL_DB_REPLICA_PORT", env_str("KEEL_DB_PORT", "5432")),
        "NAME": env_str("KEEL_DB_REPLICA_NAME", env_str("KEEL_DB_NAME", "keel")),
        "USER": env_str("KEEL_DB_REPLICA_USER", env_str("KEEL_DB_USER", "postgres")),
        "PASSWORD": env_str("KEEL_DB_REPLICA_PASSWORD", env_str("KEEL_DB_PASSWORD", "")),
        # Test runs: no test database of its own (tests/support/replica.py starts a real standby).
        "TEST": {"MIRROR": "default"},
    }
# After a write, the browser reads from the primary for this long (longer than the replica's lag).
KEEL_DB_REPLICA_PIN_SECONDS = env_int("KEEL_DB_REPLICA_PIN_SECONDS", 10)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("KEEL_REDIS_URL", "redis://127.0.0.1:6379/0")

# Cache keys carry the schema name so one tenant can never read another's entries.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env_str("KEEL_CACHE_URL", "redis://127.0.0.1:6379/1"),
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
    },
    # Counters whose subject is not a tenant (an e-mail address, a client: password resets, sign-in
    # e-mails): one key across every host, so each tenant's host does not hand out its own budget.
    # Prefixed per installation (default: its database name) so two Keels on one Redis do not mix.
    "limits": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env_str("KEEL_CACHE_URL", "redis://127.0.0.1:6379/1"),
        "KEY_PREFIX": env_str("KEEL_CACHE_KEY_PREFIX", env_str("KEEL_DB_NAME", "keel")) + "-limits",
    },
    # Rendered fragments under exact versions of their inputs (portal/fragments.py), in each
    # worker's memory: no network round trip, and a restart or deploy starts it empty, so an
    # entry never outlives the templates and catalogues that rendered it. Bounded: a full store
    # drops a third of its entries (each a few tens of kB).
    "fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "keel-fragments",
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        "TIMEOUT": 24 * 3600,  # "today" is in every key: older entries are never asked for again
        "OPTIONS": {"MAX_ENTRIES": env_int("KEEL_FRAGMENT_CACHE_ENTRIES", 2000)},
    },
}
RATELIMIT_USE_CACHE = "limits"

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
# Proxies (load balancers) in front of Keel that append to X-Forwarded-For; 0: none, so the
# client is REMOTE_ADDR. Lockout and API throttling then count the real client's address.
KEEL_TRUSTED_PROXIES = env_int("KEEL_TRUSTED_PROXIES", 0)
AXES_CLIENT_IP_CALLABLE = "portal.accounts.client_ip.client_ip"

# Passwordless sign-in (tenant hosts): an e-mailed link or 6-digit code, valid this long, once.
KEEL_SIGNIN_CODE_MINUTES = env_int("KEEL_SIGNIN_CODE_MINUTES", 15)
# Wrong codes tried against one e-mailed code before it stops working.
KEEL_SIGNIN_CODE_MAX_ATTEMPTS = env_int("KEEL_SIGNIN_CODE_MAX_ATTEMPTS", 5)
# Sign-in e-mails per address (counted across every host) and per client, per period.
KEEL_SIGNIN_RATE_PER_EMAIL = env_rate("KEEL_SIGNIN_RATE_PER_EMAIL", "5/h")
KEEL_SIGNIN_RATE_PER_CLIENT = env_rate("KEEL_SIGNIN_RATE_PER_CLIENT", "30/h")
# Staff who must confirm a TOTP code after their password (any of "admin", "csm"; empty: nobody).
KEEL_MFA_REQUIRED_ROLES = env_list("KEEL_MFA_REQUIRED_ROLES", ["admin", "csm"])
OTP_TOTP_ISSUER = env_str("KEEL_MFA_ISSUER", "Keel")
# Console -> customer host handoff: the signed pass is good for this many seconds (at most 60).
KEEL_HANDOFF_SECONDS = min(env_int("KEEL_HANDOFF_SECONDS", 60), 60)

# Per-tenant OpenID Connect single sign-on. Client secrets are encrypted with these Fernet keys
# (comma-separated; the first encrypts, all decrypt: docs/sign-in.md says how to rotate).
KEEL_SSO_SECRET_KEYS = env_list("KEEL_SSO_SECRET_KEYS", [])
# Without keys, development and tests derive one from SECRET_KEY; production refuses (prod.py).
KEEL_SSO_DERIVE_KEY_FROM_SECRET_KEY = True
# Clock skew tolerated on ID-token times (iat, exp), at most 5 minutes.
KEEL_SSO_CLOCK_SKEW_SECONDS = min(env_int("KEEL_SSO_CLOCK_SKEW_SECONDS", 60), 300)
KEEL_SSO_HTTP_TIMEOUT_SECONDS = env_int("KEEL_SSO_HTTP_TIMEOUT_SECONDS", 10)
# Identity providers must use https on public addresses unless these are on (development, tests).
KEEL_SSO_ALLOW_HTTP = env_bool("KEEL_SSO_ALLOW_HTTP", False)
KEEL_SSO_ALLOW_PRIVATE = env_bool("KEEL_SSO_ALLOW_PRIVATE", False)

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

# --- Usage metrics and health (metrics app, metrics.portfolio) --------------------------------
# One POST /api/v1/events carries at most this many events and this many bytes (JSON).
KEEL_EVENTS_MAX_BATCH = env_int("KEEL_EVENTS_MAX_BATCH", 5_000)
KEEL_EVENTS_MAX_BODY_BYTES = env_int("KEEL_EVENTS_MAX_BODY_BYTES", 5 * 1024 * 1024)
# A CSV import (console or manage.py metrics_import) is streamed; it may hold this many rows.
KEEL_IMPORT_MAX_ROWS = env_int("KEEL_IMPORT_MAX_ROWS", 100_000)
# DRF streams JSON bodies past Django's check, so the events endpoint enforces its own bound
# above; this one guards form posts (CSV files are uploads and do not count against it).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("KEEL_DATA_UPLOAD_MAX_BYTES", 5 * 1024 * 1024)
# Health score: component weights per tier (re-normalised over the components that have
# data), band thresholds, and the targets that map a raw figure onto 0-100.
KEEL_HEALTH: dict[str, Any] = {
    "weights": {
        "strategic": {"usage": 25, "adoption": 25, "support": 15, "nps": 20, "onboarding": 15},
        "key": {"usage": 30, "adoption": 25, "support": 15, "nps": 15, "onboarding": 15},
        "standard": {"usage": 35, "adoption": 30, "support": 10, "nps": 10, "onboarding": 15},
    },
    "bands": {
        "green": env_int("KEEL_HEALTH_GREEN_FROM", 70),
        "yellow": env_int("KEEL_HEALTH_YELLOW_FROM", 40),
    },
    # Usage and adoption are measured over this many days ending on the scored day.
    "window_days": 28,
    # Average daily active users / (seats, or monthly actives) that earns the full usage score.
    "stickiness_target": 0.5,
    # Mean core-feature adoption that earns the full adoption score (top of the 60-80 % target).
    "adoption_target": 0.8,
    # Support score: 100 minus these points, floored at 0.
    "ticket_penalty": {"open_critical": 25, "open_high": 10, "opened_in_window": 2},
    "nps_window_days": 180,
}
# Customers are asked for an NPS answer at most once per period of this many months.
KEEL_NPS_PERIOD_MONTHS = env_int("KEEL_NPS_PERIOD_MONTHS", 3)
# A new user is not asked for an NPS score in their first days: they have nothing to judge yet.
KEEL_NPS_GRACE_DAYS = env_int("KEEL_NPS_GRACE_DAYS", 14)

# --- Static and media ----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT: Path | None = Path(env_str("KEEL_STATIC_ROOT", str(BASE_DIR / "var" / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("KEEL_MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
# Media paths are prefixed with the tenant's schema name.
MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"
STORAGES = {
    "default": {"BACKEND": "django_tenants.files.storage.TenantFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Languages and time zones --------------------------------------------------------------
# The language a page is in: the user's choice, else their tenant's default, else the browser's
# Accept-Language, else LANGUAGE_CODE (portal/accounts/middleware.py). Dates and times show in
# the user's zone, else the tenant's; "today" in services is the tenant's (portal/tenancy/clock.py).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
# Keel's own number formats where Django's differ (portal/formats/zh_Hans: digits grouped by thousands).
FORMAT_MODULE_PATH = ["portal.formats"]
USE_TZ = True
# What a new tenant gets unless the admin provisioning it chooses (both editable later by the
# tenant's admin). An empty zone means: Asia/Shanghai for a Chinese tenant, UTC otherwise.
KEEL_TENANT_DEFAULT_LANGUAGE = env_str("KEEL_TENANT_DEFAULT_LANGUAGE", "en")
KEEL_TENANT_DEFAULT_TIME_ZONE = env_str("KEEL_TENANT_DEFAULT_TIME_ZONE", "")
KEEL_TIME_ZONE_BY_LANGUAGE = {"zh-hans": "Asia/Shanghai", "en": "UTC"}

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
# Django 6.1 mailers (EMAIL_BACKEND is deprecated). Dev prints mail to the console; pointing
# KEEL_EMAIL_BACKEND at the SMTP backend reads the server from KEEL_SMTP_*.
MAILERS: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": env_str("KEEL_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")}
}
if MAILERS["default"]["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend":
    MAILERS["default"]["OPTIONS"] = {
        "host": env_str("KEEL_SMTP_HOST", "localhost"),
        "port": env_int("KEEL_SMTP_PORT", 587),
        "username": env_str("KEEL_SMTP_USER", ""),
        "password": env_str("KEEL_SMTP_PASSWORD", ""),
        "use_tls": env_bool("KEEL_SMTP_TLS", True),
        "timeout": env_int("KEEL_SMTP_TIMEOUT", 10),
    }
DEFAULT_FROM_EMAIL = env_str("KEEL_FROM_EMAIL", "Keel <no-reply@keel.localhost>")

# --- API -----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Session first: its 403 (no WWW-Authenticate) stays the answer to anonymous browser calls.
    # API keys are refused by TenantMemberPermission on every view that does not opt in.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "metrics.ingest.authentication.ApiKeyAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "portal.api.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_THROTTLE_CLASSES": ["portal.api.throttling.TenantUserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"tenant_user": env_str("KEEL_API_RATE", "600/min")},
    "NUM_PROXIES": KEEL_TRUSTED_PROXIES or None,
    # Every error answer is RFC 9457 problem details (portal/api/problems.py).
    "EXCEPTION_HANDLER": "portal.api.problems.problem_exception_handler",
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
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "portal.api.schema.add_error_responses",
    ],
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
# Queues split by kind of work, so each can get its own workers and hosts (docs/scaling.md);
# one worker may consume them all (the Procfile's does). Anything not listed goes to "default".
CELERY_TASK_ROUTES = {
    "metrics.usage_rollup_all_task": {"queue": "ingest"},
    "metrics.usage_rollup_task": {"queue": "ingest"},
    "metrics.health_score_all_task": {"queue": "scoring"},
    "metrics.health_score_task": {"queue": "scoring"},
    "metrics.health_score_sweep_task": {"queue": "scoring"},
    "qbr.outcomes_sync_all_task": {"queue": "scoring"},
    "qbr.outcomes_sync_task": {"queue": "scoring"},
    "cockpit.cta_evaluate_task": {"queue": "scoring"},
    "cockpit.account_facts_refresh_task": {"queue": "scoring"},
    "cockpit.account_facts_refresh_all_task": {"queue": "scoring"},
    "notifications.notification_deliver_task": {"queue": "notify"},
    "notifications.notification_sweep_task": {"queue": "notify"},
    "notifications.notification_digest_send_all_task": {"queue": "notify"},
}
KEEL_CELERY_QUEUES = ["default", "ingest", "scoring", "notify"]
CELERY_TIMEZONE = "UTC"
# The nightly scoring starts at this hour (UTC); from then on today's score is due.
KEEL_HEALTH_SCORE_HOUR = 3
# How often the scoring sweep looks for tenants without the due day's score (seconds).
KEEL_HEALTH_SWEEP_SECONDS = env_int("KEEL_HEALTH_SWEEP_SECONDS", 900)
CELERY_BEAT_SCHEDULE = {
    "tenant-storage-measure-nightly": {
        "task": "tenancy.tenant_storage_measure_all_task",
        "schedule": crontab(hour=2, minute=15),
    },
    "invitation-expire-hourly": {
        "task": "accounts.invitation_expire_all_task",
        "schedule": crontab(minute=5),
    },
    "sign-in-rows-prune-daily": {
        "task": "accounts.sign_in_rows_prune_task",
        "schedule": crontab(hour=4, minute=10),
    },
    "stall-detect-hourly": {
        "task": "stalls.stall_detect_all_task",
        # Hourly; a positive KEEL_STALL_DETECT_EVERY_SECONDS replaces the crontab (demos, fault tests).
        "schedule": timedelta(seconds=env_int("KEEL_STALL_DETECT_EVERY_SECONDS", 0)) or crontab(minute=10),
    },
    "notification-sweep": {
        "task": "notifications.notification_sweep_task",
        "schedule": timedelta(seconds=env_int("KEEL_NOTIFY_SWEEP_SECONDS", 60)),
    },
    "notification-digest-daily": {
        "task": "notifications.notification_digest_send_all_task",
        "schedule": crontab(hour=env_int("KEEL_NOTIFY_DIGEST_HOUR", 7), minute=0),
    },
    "usage-rollup-hourly": {
        "task": "metrics.usage_rollup_all_task",
        "schedule": crontab(minute=20),
    },
    "outcomes-sync-nightly": {
        "task": "qbr.outcomes_sync_all_task",
        "schedule": crontab(hour=3, minute=30),  # after usage rollups and scoring
    },
    "health-score-nightly": {
        "task": "metrics.health_score_all_task",
        "schedule": crontab(hour=KEEL_HEALTH_SCORE_HOUR, minute=0),
    },
    # Catch-up: every tenant still without a score for the due day is sent again (docs/scaling.md).
    "health-score-sweep": {
        "task": "metrics.health_score_sweep_task",
        "schedule": timedelta(seconds=KEEL_HEALTH_SWEEP_SECONDS),
    },
    "account-facts-hourly": {
        "task": "cockpit.account_facts_refresh_all_task",
        "schedule": crontab(minute=30),  # before the evaluation reads them
    },
    "cta-evaluate-hourly": {
        "task": "cockpit.cta_evaluate_task",
        # Hourly, after stall detection (minute 10); the nightly scores are in by 03:40.
        "schedule": crontab(minute=40),
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


# --- Stalled onboardings -------------------------------------------------------------------
# A checklist is stalled when no task was completed for `idle_days` while tasks remain, or an
# open task is overdue by more than `overdue_days`. The assigned CSM is told when the episode
# starts; admins when it is still stalled `escalate_after_hours` later.
def _stall_rule(tier: str, idle_days: int, overdue_days: int, escalate_after_hours: int) -> dict:
    prefix = f"KEEL_STALL_{tier.upper()}_"
    rule = {
        "idle_days": env_int(prefix + "IDLE_DAYS", idle_days),
        "overdue_days": env_int(prefix + "OVERDUE_DAYS", overdue_days),
        "escalate_after_hours": env_int(prefix + "ESCALATE_AFTER_HOURS", escalate_after_hours),
    }
    if rule["idle_days"] < 1 or rule["overdue_days"] < 0 or rule["escalate_after_hours"] < 1:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"{prefix}*: idle days and escalation hours must be >= 1, overdue days >= 0.")
    return rule


KEEL_STALL_RULES = {
    "strategic": _stall_rule("strategic", idle_days=5, overdue_days=2, escalate_after_hours=24),
    "key": _stall_rule("key", idle_days=7, overdue_days=3, escalate_after_hours=48),
    "standard": _stall_rule("standard", idle_days=10, overdue_days=5, escalate_after_hours=72),
}
# Optional team channel (Slack-compatible incoming webhook) told about every stall and escalation.
KEEL_STALL_TEAM_WEBHOOK_URL = env_str("KEEL_STALL_TEAM_WEBHOOK_URL", "")
# Which chat tool that URL is (slack, feishu, dingtalk, wecom), its signing secret (Feishu and
# DingTalk robots with signature verification) and the language the team reads.
KEEL_STALL_TEAM_WEBHOOK_KIND = env_str("KEEL_STALL_TEAM_WEBHOOK_KIND", "slack")
KEEL_STALL_TEAM_WEBHOOK_SECRET = env_str("KEEL_STALL_TEAM_WEBHOOK_SECRET", "")
KEEL_TEAM_LANGUAGE = env_str("KEEL_TEAM_LANGUAGE", "en")
# Messages per robot per window (count, seconds) Keel keeps under; the tools' documented limits.
KEEL_CHAT_RATE_LIMITS = {"dingtalk": (20, 60), "wecom": (20, 60), "feishu": (100, 60), "slack": (60, 60)}

# --- Notifications outbox ------------------------------------------------------------------
# A row that failed this many delivery attempts becomes a dead letter (shown in the console).
KEEL_NOTIFY_MAX_ATTEMPTS = env_int("KEEL_NOTIFY_MAX_ATTEMPTS", 5)
# Retry n waits base * 2**(n-1) seconds, at most an hour; the sweep picks the row up after that.
KEEL_NOTIFY_RETRY_BASE_SECONDS = env_int("KEEL_NOTIFY_RETRY_BASE_SECONDS", 60)
# The sweep re-sends rows still pending (or stuck mid-attempt) this long after they were due:
# long enough that a message still sitting in the broker is not doubled for nothing.
KEEL_NOTIFY_SWEEP_GRACE_SECONDS = env_int("KEEL_NOTIFY_SWEEP_GRACE_SECONDS", 120)
KEEL_WEBHOOK_TIMEOUT_SECONDS = env_int("KEEL_WEBHOOK_TIMEOUT_SECONDS", 10)
# Webhooks must use https unless this is on (development and tests post to 127.0.0.1).
KEEL_WEBHOOK_ALLOW_HTTP = env_bool("KEEL_WEBHOOK_ALLOW_HTTP", False)
# Webhooks go only to public addresses unless this is on: a URL whose host is (or resolves to)
# a loopback, private, link-local or other non-public address is refused, so nobody who can set
# a webhook can make the worker POST into the vendor's own network or a cloud metadata service.
# Turn it on for an internal relay (development and tests post to 127.0.0.1).
KEEL_WEBHOOK_ALLOW_PRIVATE = env_bool("KEEL_WEBHOOK_ALLOW_PRIVATE", False)

# --- Password reset ------------------------------------------------------------------------
# How many reset e-mails one address may be sent, and one client may ask for, per period
# (django-ratelimit "count/period": s, m, h or d). Past either, the form answers 429: nobody can
# flood a person's inbox, and the answer is the same whether the address has an account or not.
KEEL_PASSWORD_RESET_RATE_PER_EMAIL = env_rate("KEEL_PASSWORD_RESET_RATE_PER_EMAIL", "3/h")
KEEL_PASSWORD_RESET_RATE_PER_CLIENT = env_rate("KEEL_PASSWORD_RESET_RATE_PER_CLIENT", "20/h")
# django-ratelimit 4.1 warns about any cache it does not list, Django's own RedisCache included;
# that one counts with Redis INCR, atomic across processes. Its errors (a cache that is not shared
# or does not count) stay on.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]


# --- Calls to action (metrics.cockpit) -----------------------------------------------------
# Defaults of each rule's thresholds; admins override them in the console (cockpit.RuleSetting).
KEEL_CTA_RULES: dict[str, dict[str, int]] = {
    "health_drop": {
        "drop_points": env_int("KEEL_CTA_HEALTH_DROP_POINTS", 10),
        "due_days": env_int("KEEL_CTA_HEALTH_DUE_DAYS", 2),
    },
    "onboarding_stall": {"due_days": env_int("KEEL_CTA_STALL_DUE_DAYS", 2)},
    "renewal_at_risk": {
        "within_days": env_int("KEEL_CTA_RENEWAL_WITHIN_DAYS", 120),
        "qbr_quarters": env_int("KEEL_CTA_RENEWAL_QBR_QUARTERS", 2),
        "due_days": env_int("KEEL_CTA_RENEWAL_DUE_DAYS", 7),
    },
    "qbr_due": {"lead_days": env_int("KEEL_CTA_QBR_LEAD_DAYS", 30)},
    "nps_detractor": {"max_score": 6, "business_days": env_int("KEEL_CTA_NPS_BUSINESS_DAYS", 2)},
    "adoption_low": {
        "after_go_live_days": env_int("KEEL_CTA_ADOPTION_AFTER_DAYS", 30),
        "target_percent": env_int("KEEL_CTA_ADOPTION_TARGET_PERCENT", 60),
        "due_days": 7,
    },
    "zombie": {
        "after_go_live_days": env_int("KEEL_CTA_ZOMBIE_AFTER_DAYS", 14),
        "active_percent": env_int("KEEL_CTA_ZOMBIE_ACTIVE_PERCENT", 20),
        "due_days": 3,
    },
    "milestone_overdue": {"grace_days": 0, "due_days": 2},
    "expansion": {
        "seats_percent": env_int("KEEL_CTA_EXPANSION_SEATS_PERCENT", 90),
        "adoption_percent": env_int("KEEL_CTA_EXPANSION_ADOPTION_PERCENT", 80),
        "due_days": 14,
    },
}
# Where the console sends staff after sign-in: the CSM's book.
KEEL_CONSOLE_HOME = "cockpit:book"
