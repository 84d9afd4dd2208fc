"""Django settings, driven by environment variables (every one is in docs/configuration.md).

A bad value raises ImproperlyConfigured naming the variable, so start-up stops with one line.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from runlocal.catalog import CATALOG_DIR
from runlocal_web.env import (
    check_redis_url,
    envbool,
    envint,
    envlist,
    envpath,
    envsecret,
    envstr,
    envurl_origins,
    parse_database_url,
)

BASE_DIR = Path(__file__).resolve().parent

DEBUG = envbool("DEBUG", False)

SECRET_KEY = envsecret("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY (or SECRET_KEY_FILE) must be set when DEBUG is off; "
            "`runlocal serve` creates one in the data directory"
        )
    SECRET_KEY = "runlocal-development-only-not-secret"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envurl_origins("CSRF_TRUSTED_ORIGINS")

# Where the SQLite database (and `runlocal serve`'s generated secret key) live.
RUNLOCAL_DATA_DIR = envpath("RUNLOCAL_DATA_DIR", "data")
# The TOML catalog that `sync_catalog` loads into the database.
RUNLOCAL_CATALOG_DIR = envpath("RUNLOCAL_CATALOG_DIR", str(CATALOG_DIR))
# Absolute base of canonical links ("https://runlocal.example"); from the request when unset.
SITE_URL = envstr("SITE_URL").rstrip("/")
if SITE_URL and not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"SITE_URL={SITE_URL!r}: must start with http:// or https://")

INSTALLED_APPS = [
    "whitenoise.runserver_nostatic",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "runlocal_web.catalogdb",
    "runlocal_web.checker",
    "runlocal_web.pages",
    "runlocal_web.tools",
    "runlocal_web.reference",
    "runlocal_web.community",
    "runlocal_web.drafts",
    "runlocal_web.api",
    "runlocal_web.ops",
    "ninja",
    "axes",
    "django_tasks",
    "django_tasks_db",
]

# Background tasks (e-mail): kept in the database, run by the worker `runlocal serve` starts
# (`runlocal manage db_worker`). A task is stored in the same transaction as the sign-up
# that queued it.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# A form without its token: one line in the site's words (ops.methods).
CSRF_FAILURE_VIEW = "runlocal_web.ops.methods.csrf_failure"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # CSP and the body limit; then a 503 page when the database or Redis is down.
    "runlocal_web.ops.middleware.SecurityHeadersMiddleware",
    "runlocal_web.ops.middleware.ServiceUnavailableMiddleware",
    # A GET reads the catalog's version once, however many parts of the page ask for it.
    "runlocal_web.ops.middleware.OneCatalogPerRequestMiddleware",
    # Whole pages for anonymous GETs, shared by every worker (RUNLOCAL_PAGE_CACHE_SECONDS).
    "runlocal_web.ops.pagecache.PageCacheMiddleware",
    # After a database failure, 503 at once for a second, then one request at a time tries.
    "runlocal_web.ops.middleware.DatabaseBreakerMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before CSRF's check: a page that only reads answers other methods with a 405.
    "runlocal_web.ops.methods.ReadOnlyPagesMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Admin log-ins: locked per account and per address (below).
    "axes.middleware.AxesMiddleware",
    # Remote models (RUNLOCAL_REMOTE_MODELS): the fetch policy and rate limit per request.
    "runlocal_web.api.remote.RemoteModelsMiddleware",
]

# django-axes counts failed log-ins in the database (so it holds with Redis down) and locks
# the account, and separately the client address, after 10 failures for 15 minutes; a
# success clears the count. 429 with Retry-After (ops.middleware.login_locked).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "runlocal_web.ops.middleware.login_locked"
AXES_CLIENT_IP_CALLABLE = "runlocal_web.ops.limits.login_client_ip"
AXES_VERBOSE = False

ROOT_URLCONF = "runlocal_web.urls"
WSGI_APPLICATION = "runlocal_web.wsgi.application"

# Form widgets: Django's templates, with the common widgets written in Python (same HTML).
FORM_RENDERER = "runlocal_web.lib.formrender.FastWidgetRenderer"

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
                "runlocal_web.lib.context.site",
            ],
            "builtins": [
                "django.templatetags.static",
                "runlocal_web.lib.templatetags",
                "runlocal_web.lib.markuptags",
                "runlocal_web.lib.sheettags",
                "runlocal_web.lib.frametags",
            ],
        },
    }
]

# A database that hangs must cost a request seconds, not a worker: libpq's connect timeout,
# the server's statement timeout, and a client-side deadline a little later for a server that
# answers nothing at all (ops/dbdeadline.py). A timeout answers 503 like a refusal.
DB_CONNECT_TIMEOUT = envint("DB_CONNECT_TIMEOUT", 3, minimum=1, maximum=60)
DB_STATEMENT_TIMEOUT = envint("DB_STATEMENT_TIMEOUT", 5, minimum=1, maximum=600)
_database_url = envstr("DATABASE_URL")
if _database_url:
    _db = parse_database_url(_database_url)
    _db["OPTIONS"].setdefault("connect_timeout", DB_CONNECT_TIMEOUT)
    _server_options = f"-c statement_timeout={DB_STATEMENT_TIMEOUT * 1000}"
    _db["OPTIONS"]["options"] = f"{_db['OPTIONS'].get('options', '')} {_server_options}".strip()
    _db["QUERY_DEADLINE_SECONDS"] = DB_STATEMENT_TIMEOUT + 2
else:
    _db = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(RUNLOCAL_DATA_DIR / "runlocal.sqlite3"),
        # Readers never wait on the sync's write transaction for long.
        "OPTIONS": {"timeout": 20},
    }
_db["CONN_MAX_AGE"] = envint("DB_CONN_MAX_AGE", 0, minimum=0, maximum=3600)
_db["CONN_HEALTH_CHECKS"] = True
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Engine answers are cached by catalog digest and engine version, so entries never go stale.
RUNLOCAL_CHECK_CACHE_SECONDS = envint("RUNLOCAL_CHECK_CACHE_SECONDS", 86400, minimum=0)

# Models not in the catalog, read from the Hugging Face Hub (HF_ENDPOINT) or the Ollama
# registry (RUNLOCAL_OLLAMA_REGISTRY) when a visitor names one (owner/name, a Hub URL,
# hf.co/owner/name:QUANT, name:tag): off unless turned on, since it makes the server fetch.
# Redirects are followed only to these hosts (".example" = any subdomain); the Hub's CDN
# hosts are subdomains of its own domains, the Ollama registry's blobs live on R2.
RUNLOCAL_REMOTE_MODELS = envbool("RUNLOCAL_REMOTE_MODELS", True)
_REDIRECTS = ".huggingface.co,.hf.co,.r2.cloudflarestorage.com"
RUNLOCAL_REMOTE_REDIRECT_HOSTS = envlist("RUNLOCAL_REMOTE_REDIRECT_HOSTS", _REDIRECTS)
RUNLOCAL_REMOTE_TIMEOUT_SECONDS = envint("RUNLOCAL_REMOTE_TIMEOUT_SECONDS", 5, minimum=1)
_MIB = 1 << 20
RUNLOCAL_REMOTE_MAX_BYTES = envint("RUNLOCAL_REMOTE_MAX_BYTES", 64 * _MIB, minimum=_MIB)
# Where the admin's "export as TOML draft" writes draft catalog entries for an editor to
# complete (never into the catalog itself).
RUNLOCAL_DRAFTS_DIR = envpath("RUNLOCAL_DRAFTS_DIR", str(RUNLOCAL_DATA_DIR / "drafts"))

# Whole rendered pages for anonymous visitors (ops/pagecache.py), keyed by the catalog digest
# and the site's code, so a re-sync or a deploy never serves an old page; 0 turns it off (the
# default with DEBUG, where templates change under a running server).
RUNLOCAL_PAGE_CACHE_SECONDS = envint("RUNLOCAL_PAGE_CACHE_SECONDS", 0 if DEBUG else 600, minimum=0)

_redis_url = envstr("REDIS_URL")
if _redis_url:
    CACHES = {
        "default": {
            # RedisCache that misses instead of failing while Redis is unreachable.
            "BACKEND": "runlocal_web.ops.cache.TolerantRedisCache",
            "LOCATION": check_redis_url(_redis_url),
            "KEY_PREFIX": "runlocal",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        },
        # Rate-limit counters (ops/limits.py): this process's memory while Redis is down.
        "limits": {
            "BACKEND": "runlocal_web.ops.cache.FallbackRedisCache",
            "LOCATION": check_redis_url(_redis_url),
            "KEY_PREFIX": "runlocal-limits",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        },
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "runlocal",
            # Django's default of 300 entries is less than one catalog's worth of pages.
            "OPTIONS": {"MAX_ENTRIES": 3000},
        },
        "limits": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "runlocal-limits",
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        },
    }
RATELIMIT_USE_CACHE = "limits"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
# Only for `collectstatic` (optional): without it, files are served from the package.
STATIC_ROOT = envpath("STATIC_ROOT", "") if envstr("STATIC_ROOT") else None
STATICFILES_DIRS = [BASE_DIR / "static"]
# Serve straight from the package: no collectstatic step is needed to run the site.
WHITENOISE_USE_FINDERS = True
WHITENOISE_MAX_AGE = 3600

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if envbool("SECURE_PROXY_SSL_HEADER", False):
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# Every record goes through a filter that blanks secrets (keys, passwords, URL credentials).
LOGGING["filters"] = {"redact_secrets": {"()": "runlocal_web.ops.logs.RedactSecrets"}}
LOGGING["handlers"]["console"]["filters"] = ["redact_secrets"]

# Request bodies: form fields and JSON beyond 1 MiB are refused (the API has its own 64 KiB).
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024

# Production (DEBUG off): HTTPS-only cookies, HSTS, hashed static files cached for a year.
if not DEBUG:
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
    # Off by default: the TLS-terminating proxy redirects http:// to https://.
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", False)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    # Hashed names once collected (`runlocal serve --production` collects into
    # RUNLOCAL_DATA_DIR/static unless STATIC_ROOT is set); plain names before that.
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "runlocal_web.ops.storage.StaticStorage"},
    }
    # Both are deliberate, documented choices (docs/configuration.md, "Security"), not gaps.
    SILENCED_SYSTEM_CHECKS = [
        *([] if SECURE_SSL_REDIRECT else ["security.W008"]),
        *([] if SECURE_HSTS_PRELOAD else ["security.W021"]),
    ]

# Reverse proxies in front of the site: the API's rate limits count the client address that
# many hops back in X-Forwarded-For (0: use the connection's address).
API_TRUSTED_PROXIES = envint("API_TRUSTED_PROXIES", 0, minimum=0, maximum=5)

# E-mail (digest confirmations and issues): EMAIL_URL or EMAIL_HOST and friends, parsed as
# strictly as the rest (runlocal_web/community/mailconfig.py); console in DEBUG, else SMTP.
from runlocal_web.community.mailconfig import email_settings  # noqa: E402

_email = email_settings(DEBUG)
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email["EMAIL_HOST"]
EMAIL_PORT = _email["EMAIL_PORT"]
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"]
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"]
EMAIL_USE_TLS = _email["EMAIL_USE_TLS"]
EMAIL_USE_SSL = _email["EMAIL_USE_SSL"]
EMAIL_TIMEOUT = _email["EMAIL_TIMEOUT"]
DEFAULT_FROM_EMAIL = _email["DEFAULT_FROM_EMAIL"]
SERVER_EMAIL = _email["SERVER_EMAIL"]
