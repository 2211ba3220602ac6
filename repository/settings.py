"""Settings for the research insight repository, read from environment variables.

Every deployment-specific value comes from the environment so that one module serves
development, tests and production. See README.md ("Configuration") for the variables.
"""

import os
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    """Read a yes/no environment variable ("1", "true", "yes", "on" mean yes)."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    """Read a comma-separated environment variable as a list of non-empty items."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_lockout_parameters(name: str, default: str) -> list:
    """Read django-axes lockout parameters: "a+b" locks the combination, "a,b" either one."""
    known = {"username", "ip_address", "user_agent"}
    parameters = []
    for item in env_list(name) or [default]:
        fields = [field.strip() for field in item.split("+")]
        if not set(fields) <= known:
            raise ImproperlyConfigured(
                f"{name} names {item!r}; use {', '.join(sorted(known))}, "
                "joined with + (all together) or , (any one)."
            )
        parameters.append(fields if len(fields) > 1 else fields[0])
    return parameters


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set in the environment when DEBUG is off. "
            "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))' "
            "or set DEBUG=true for local development."
        )
    # Development only: a fixed key is harmless while DEBUG is on and never used in production.
    SECRET_KEY = "django-insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "repository.apps.LoginAttemptsConfig",  # axes
    "csp",
    "django_tasks",
    "repository.apps.BackgroundTasksConfig",  # django_tasks_db
    "simple_history",
    "insights",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Health checks first: any Host, no login, no session, not in the request log.
    "repository.health.HealthCheckMiddleware",
    "repository.request_context.RequestContextMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # The change history learns who changed what (the user) and from where (the surface).
    "simple_history.middleware.HistoryRequestMiddleware",
    "insights.history.HistorySurfaceMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: it turns a refused login into the lockout page (see "Login attempts" below).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "repository.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "repository.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Write-ahead logging: pages keep reading while a background import holds the one write
    # lock for its whole transaction (without it, a large import locks readers out too).
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL;"
    # One writer at a time: a transaction takes SQLite's write lock when it begins, so a second
    # import waits for the first and then updates its rows. Begun as a reader, it would fail at
    # once with "database is locked" when it came to write.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": int(os.environ.get("SQLITE_TIMEOUT", "60"))}
    )
# An optional PostgreSQL streaming replica serves the reads of read-only pages and API reads;
# see repository/routers.py for what stays on the primary. Tests use the primary's test
# database for it.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=DATABASES["default"]["CONN_MAX_AGE"],
        test_options={"MIRROR": "default"},
    )
    DATABASE_ROUTERS = ["repository.routers.ReplicaRouter"]


def cache_from_url(url: str) -> dict:
    """CACHE_URL: empty or locmem:// (one process), db:// (a table), redis://host:port/db."""
    if url in ("", "locmem://"):
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if url == "db://":
        # Throttling keeps one row per user; culling below that would forget counts.
        return {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "django_cache",
            "OPTIONS": {"MAX_ENTRIES": 10000},
        }
    if url.startswith(("redis://", "rediss://", "unix://")):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    raise ImproperlyConfigured(
        "CACHE_URL must be empty, locmem://, db:// or a redis:// URL "
        "(several app servers need db:// or redis:// to share API throttling counts)."
    )


CACHES = {
    # API throttling counts per user, which several app servers must share (CACHE_URL).
    "default": cache_from_url(os.environ.get("CACHE_URL", "").strip()),
    # What every worker process must see alike whatever CACHE_URL says: counts of requests
    # without valid credentials. Its table is made by `migrate`.
    "shared": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "insights_shared_cache",
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    },
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out login is refused before its password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
# Logging out (from the site or the admin) lands on the site's login page, not on the admin's
# stock "Logged out" page.
LOGOUT_REDIRECT_URL = "login"
# Everything needs a login unless a view says otherwise; ANONYMOUS_READ=true lets visitors
# without an account read published insights (and nothing else).
ANONYMOUS_READ = env_bool("ANONYMOUS_READ", False)
# Did a decision move its metric? Days of answers compared on each side of its ship date
# (a page or API request can ask for another window with ?window=).
IMPACT_WINDOW_DAYS = int(os.environ.get("IMPACT_WINDOW_DAYS", "90"))

# Uploaded import files wait here between their check and their import (cleared after a day).
IMPORT_DIR = Path(os.environ.get("IMPORT_DIR", Path(tempfile.gettempdir()) / "insight-imports"))
# Background work (insights/tasks.py) waits in a database table until a `manage.py db_worker`
# process runs it (quickstart starts one beside the development server).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# A running import job that gave no sign of life for this long is shown as failed: its worker
# has gone (its transaction, and so everything it read so far, was rolled back).
IMPORT_JOB_TIMEOUT = int(os.environ.get("IMPORT_JOB_TIMEOUT", "300"))
# Seconds between a running job's progress records (the import page refreshes every 2).
IMPORT_JOB_HEARTBEAT = float(os.environ.get("IMPORT_JOB_HEARTBEAT", "2"))
# Imports upload files far larger than a form post; the file is streamed to disk, not memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Internationalisation: English and Russian are both first-class.
LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "en")
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "insights" / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Security: strict unless DEBUG is on; each switch can be overridden for a given deployment
# (for example SECURE_SSL_REDIRECT=false behind a proxy that already redirects).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Load balancers probe the health checks over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$", r"^readyz/?$"]
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
if env_bool("BEHIND_HTTPS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts and styles only from this site's own files, or
# inline where the template marks them with the request's nonce; never inline event handlers
# or javascript: links. The admin, the API docs (Swagger UI) and the SVG charts work under it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        # Django's admin and Swagger UI draw their icons as data: URIs in their stylesheets.
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Reverse proxies in front of the application that append the client's address to
# X-Forwarded-For. With none, the connection's address is the client's, so a forged header
# changes nothing. Login lockouts and API rate limits both count by this address.
PROXY_COUNT = int(
    os.environ.get("PROXY_COUNT", "1" if env_bool("BEHIND_HTTPS_PROXY", False) else "0")
)

# Login attempts (django-axes), on the site's and the admin's login alike: after
# LOGIN_FAILURE_LIMIT failed logins, logging in is refused for LOGIN_COOLOFF_MINUTES (a failure
# while refused starts the wait again). LOGIN_LOCKOUT_BY says what is locked: by default a
# username from one address ("username+ip_address"), so that nobody can lock a colleague out
# from elsewhere and one person's typos do not lock out a whole office behind one address.
# "username,ip_address" locks a username everywhere and an address for every username.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = env_lockout_parameters("LOGIN_LOCKOUT_BY", "username+ip_address")
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "insights.login_attempts.client_address"
AXES_LOCKOUT_CALLABLE = "insights.login_attempts.lockout_response"
# Failed attempts are kept only until their cool-off ends; successful logins are not logged.
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ADMIN = False  # the admin lists the attempts only (insights/admin/login_attempts.py)


# E-mail (the digests). EMAIL_URL names the whole transport in one variable:
# smtp://user:password@host:587 (STARTTLS), smtps://...:465 (TLS), console:// (print mail to
# the log: the default with DEBUG on), locmem:// (tests) or dummy:// (drop it). Without
# EMAIL_URL, Django's EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD,
# EMAIL_USE_TLS and EMAIL_USE_SSL variables are read.
def email_from_url(url: str) -> dict:
    """Django's EMAIL_* settings for an EMAIL_URL."""
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    backends = {
        "console": "django.core.mail.backends.console.EmailBackend",
        "locmem": "django.core.mail.backends.locmem.EmailBackend",
        "dummy": "django.core.mail.backends.dummy.EmailBackend",
    }
    if parts.scheme in backends:
        return {"EMAIL_BACKEND": backends[parts.scheme]}
    if parts.scheme not in ("smtp", "smtps"):
        raise ImproperlyConfigured(
            "EMAIL_URL must start with smtp://, smtps://, console://, locmem:// or dummy://."
        )
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname or "localhost",
        "EMAIL_PORT": parts.port or (465 if parts.scheme == "smtps" else 587),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_SSL": parts.scheme == "smtps",
        "EMAIL_USE_TLS": parts.scheme == "smtp" and parts.port != 25,
    }


if os.environ.get("EMAIL_URL", "").strip():
    globals().update(email_from_url(os.environ["EMAIL_URL"].strip()))
else:
    EMAIL_BACKEND = (
        "django.core.mail.backends.console.EmailBackend"
        if DEBUG and not os.environ.get("EMAIL_HOST")
        else "django.core.mail.backends.smtp.EmailBackend"
    )
    EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "insights@localhost")
# Where the site lives, for the links in e-mail (which has no request to build them from).
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000").rstrip("/")

# An API bulk import of 5,000 observations with paragraph-long (Cyrillic) texts is 5-10 MB of
# JSON; larger bodies are refused with 413 before they are parsed.
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: a request without credentials then gets 401 with WWW-Authenticate.
        "insights.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["insights.api.permissions.RolePermission"],
    "DEFAULT_PAGINATION_CLASS": "insights.api.pagination.ApiCursorPagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "insights.api.schema.ApiAutoSchema",
    "EXCEPTION_HANDLER": "insights.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON only, in and out: a form or multipart body is a 415, and the schema lists one
    # request content type, so generated clients send JSON (nested bulk rows need it). The
    # parser bounds how deeply a body may nest.
    "DEFAULT_PARSER_CLASSES": ["insights.api.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_THROTTLE_ANON", "60/minute"),
        "user": os.environ.get("API_THROTTLE_USER", "1200/minute"),
    },
    "NUM_PROXIES": PROXY_COUNT,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Insight repository API",
    "DESCRIPTION": (
        "Pull and push studies, observations, insights, tags and decisions. Authenticate with "
        "`Authorization: Token <key>` (create keys on /account/tokens/). Every error has the "
        'form {"error": {"code", "message", "fields"}}, in the language of Accept-Language.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "StudyStatusEnum": "insights.models.Study.Status",
        "InsightStatusEnum": "insights.models.Insight.Status",
        "DecisionStatusEnum": "insights.models.Decision.Status",
        "StudyMethodEnum": "insights.models.Study.Method",
        "ObservationKindEnum": "insights.models.Observation.Kind",
        "InsightConfidenceEnum": "insights.models.Insight.Confidence",
        "RelationEnum": "insights.models.Evidence.Relation",
        "MetricEnum": "insights.models.Observation.Metric",
        "TargetMetricEnum": "insights.models.Decision.TargetMetric",
        "ImpactVerdictEnum": "insights.api.serializers.impact.VERDICTS",
    },
}

LOG_FORMAT = os.environ.get("LOG_FORMAT", "text").strip().lower()
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured("LOG_FORMAT must be text or json.")
# Every line carries the request id and user id; LOG_LEVEL=INFO adds one line per request.
LOGGING_CONFIG = "repository.logs.configure"
LOGGING = logging_config(
    json_lines=LOG_FORMAT == "json", level=os.environ.get("LOG_LEVEL", "WARNING").upper()
)
