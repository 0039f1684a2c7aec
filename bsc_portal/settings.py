"""BSC Portal settings: one module, driven by the environment.

With no environment at all the portal runs embedded: SQLite under ``var/``, Celery tasks
run eagerly, email goes to the console and the cache lives in local memory. Set
``DATABASE_URL`` and ``REDIS_URL`` for the real stack; see README.md for every variable.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from bsc_portal.env import (
    env_bool,
    env_int,
    env_list,
    env_str,
    env_url,
    is_loopback_host,
    redis_sibling_db,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("BSC_VAR_DIR", str(BASE_DIR / "var")))

# Off unless asked for: a deployment that forgets the variable must not show tracebacks and
# settings to the world. `make run` asks for it, and debug is refused on any host but this
# machine (below), so it cannot be left on in a deployment either.
DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is required when DJANGO_DEBUG=false (the default). For the embedded "
            "demo on this machine, use `make run` or set DJANGO_DEBUG=true."
        )
    # Only ever used by the embedded demo; deployments must set their own.
    SECRET_KEY = "embedded-demo-only-not-for-deployment-" + "x" * 40

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS is required when DJANGO_DEBUG=false.")
if DEBUG and (exposed := [host for host in ALLOWED_HOSTS if not is_loopback_host(host)]):
    raise ImproperlyConfigured(
        "DJANGO_DEBUG=true shows tracebacks and settings to anyone who reaches the portal, so "
        f"it serves only this machine; DJANGO_ALLOWED_HOSTS has {', '.join(exposed)}. "
        "Set DJANGO_DEBUG=false (with SECRET_KEY) for a deployment."
    )
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "rest_framework",
    # No rest_framework.authtoken: its keys never expired and were stored in plain text.
    # API tokens are collaboratives.ApiToken (hashed, expiring); an old authtoken_token
    # table is left unread.
    "drf_spectacular",
    "axes",
    # Two-factor sign-in (collaboratives/two_factor.py): authenticator apps and recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "simple_history",
    "csp",
    "django_celery_beat",
    "bsc_portal",  # its own plumbing only: the session refresh stamp at sign-in
    "collaboratives",
    "teams",
    "measures",
    "pdsa",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Faults: a request that lost its database connection gets a 503 page, not a 500.
    "bsc_portal.faults.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compresses pages and API answers. After WhiteNoise, which answers static files itself
    # (pre-compressed by collectstatic), and before everything that reads or writes the
    # body. Since Django 4.2 it pads each response at random against BREACH.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Slides the idle timeout, writing the session row at most once a minute.
    "bsc_portal.middleware.SessionIdleRefreshMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A signed-in person's saved language over the browser's (collaboratives.language).
    "collaboratives.language.UserLanguageMiddleware",
    # Marks a session verified once its second factor is given; the next one keeps a
    # session that has given only the password (or must set a factor up) on those pages.
    "django_otp.middleware.OTPMiddleware",
    "collaboratives.two_factor_middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Rate limits and privacy (bsc_portal.middleware): no-store on private answers, 403s and
    # 429s logged without personal data, the API closed to an address after too many failed
    # authentications. In this order, so the last one's 429s are logged and not stored.
    "bsc_portal.middleware.PrivateNoStoreMiddleware",
    "bsc_portal.middleware.SecurityEventLogMiddleware",
    "bsc_portal.middleware.ApiAuthFailureLimitMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes must come last so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "bsc_portal.urls"
WSGI_APPLICATION = "bsc_portal.wsgi.application"

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
                "django.template.context_processors.i18n",
                "teams.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASE_URL = env_url("DATABASE_URL", schemes=("postgres", "postgresql", "sqlite"))
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0),
            conn_health_checks=True,
        )
    }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": VAR_DIR / "db.sqlite3"}
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: Celery broker and cache ---------------------------------------------------
REDIS_URL = env_url("REDIS_URL", schemes=("redis", "rediss"))
# Parallel test workers (pytest-xdist) share one Redis: each takes its own pair of
# databases, because every test clears the cache (FLUSHDB) and some count cold queries.
if REDIS_URL and (_worker := os.environ.get("PYTEST_XDIST_WORKER", "")).startswith("gw"):
    REDIS_URL = redis_sibling_db(REDIS_URL, 2 * int(_worker[2:]))
# The cache gets its own Redis database: clearing it (tests do, before each one) must never
# drop the broker's queued or unacknowledged tasks.
REDIS_CACHE_URL = env_url("REDIS_CACHE_URL", schemes=("redis", "rediss")) or redis_sibling_db(REDIS_URL)
if REDIS_URL:
    # Faults: a Redis that is down is an empty cache (pages slower, never a 500), and a
    # blackholed one costs at most a second per call (bsc_portal.faults).
    CACHES = {"default": {"BACKEND": "bsc_portal.faults.TolerantRedisCache",
                          "LOCATION": REDIS_CACHE_URL,
                          "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}}
    CELERY_BROKER_URL = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = env_str("TIME_ZONE", "America/New_York")
# With late acks, a task whose worker dies is redelivered after the Redis visibility timeout;
# it is far above the longest retry back-off (300 s), so a live task is never run twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# The beat schedule lives here, in one place; django-celery-beat copies it into the
# database, where the admin shows each schedule and can pause it.
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    # Faults: tasks whose changes committed while the broker was down (collaboratives.outbox).
    "relay-outbox": {
        "task": "collaboratives.tasks.relay_outbox",
        "schedule": 60.0,
    },
    "monthly-reports": {
        "task": "reports.tasks.build_previous_month_reports",
        "schedule": crontab(minute=0, hour=3, day_of_month=1),  # reports of last month, on the 1st
    },
    "due-reminders": {
        "task": "reports.tasks.send_due_reminders",
        "schedule": crontab(minute=0, hour=7),  # daily: months due in three days
    },
    "weekly-digests": {
        "task": "reports.tasks.send_weekly_digests",
        "schedule": crontab(minute=0, hour=7, day_of_week="mon"),
    },
    # Hourly: invitations the broker never received (it was down when someone was added).
    "pending-invitations": {
        "task": "teams.tasks.send_pending_invitations",
        "schedule": crontab(minute=15),
    },
}

# --- Authentication, sessions and lock-out ------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend that also takes the email address (collaboratives.auth_backends).
    "collaboratives.auth_backends.EmailOrUsernameBackend",
]
# OWASP ASVS 2.1: at least 8 characters, long passphrases welcome (up to 128; no form caps
# them lower), no common or breached passwords (Django's list of 20,000), none like the
# person's name or email, not digits only.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 8, minimum=8)}},
    {"NAME": "collaboratives.profile.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT_HOURS", 72, minimum=1) * 3600
# --- API tokens (collaboratives.tokens) ---
# Every token expires: this many days after it is made at most (the default when made).
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 90, minimum=1)

# Idle timeout: the session expires this long after the last request (at most a minute
# sooner), because SessionIdleRefreshMiddleware saves it again once a minute while it is in
# use, not on every request. Shared classroom devices are common in ECE programs.
SESSION_IDLE_TIMEOUT_MINUTES = env_int("SESSION_IDLE_TIMEOUT_MINUTES", 120, minimum=5)
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True

AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 30, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# One counter per person whether they type their email or their username.
AXES_USERNAME_CALLABLE = "collaboratives.auth_backends.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Wrong two-factor codes count as failed sign-ins; axes must not keep the codes themselves.
AXES_SENSITIVE_PARAMETERS = ["password", "code", "recovery_code"]

# --- Rate limits (bsc_portal.throttling) --------------------------------------------
# Besides the lock per username and address above: failures from one address across all
# usernames, within the same cool-off, lock that address out (guessing a few passwords for
# each of many accounts). Large enough for a school whose staff share one address.
SIGN_IN_ADDRESS_FAILURE_LIMIT = env_int("SIGN_IN_ADDRESS_FAILURE_LIMIT", 20, minimum=2)
AXES_HANDLER = "bsc_portal.throttling.SignInLimitHandler"
AXES_LOCKOUT_CALLABLE = "bsc_portal.throttling.sign_in_locked_out"  # 429, says when to retry
AXES_CLIENT_IP_CALLABLE = "bsc_portal.security_log.client_address"
# Attempts during a lock do not extend it, so the page can say when it ends.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Proxies of our own in front of the portal: X-Forwarded-For is believed this many hops
# deep, and no further (a client can write anything there). Behind the TLS proxy: one.
BSC_TRUSTED_PROXY_COUNT = env_int(
    "TRUSTED_PROXY_COUNT", 1 if env_bool("DJANGO_BEHIND_TLS_PROXY", False) else 0, minimum=0
)


def _env_rate(name: str, default: str) -> str | None:
    """A DRF rate such as ``120/min`` (per s, min, hour or day); ``off`` for none."""
    value = env_str(name, default).strip().lower()
    if value == "off":
        return None
    count, _sep, period = value.partition("/")
    if not count.isdigit() or int(count) < 1 or period not in {
        "s", "sec", "second", "m", "min", "minute", "h", "hour", "d", "day"
    }:
        raise ImproperlyConfigured(f"{name}={value!r} is not a rate such as 120/min, or off.")
    return value


# A script pulling a collaborative's data page by page lives well within these.
API_THROTTLE_RATES = {
    "user_burst": _env_rate("API_THROTTLE_USER_BURST", "120/min"),
    "user": _env_rate("API_THROTTLE_USER", "2400/hour"),
    # Calls without credentials to the few endpoints that allow them, per address.
    "anon": _env_rate("API_THROTTLE_ANON", "30/min"),
    # Failed or missing API authentication per address; then 429 until the hour is over.
    "auth_failure": _env_rate("API_THROTTLE_AUTH_FAILURE", "30/hour"),
}

# --- Two-factor sign-in (collaboratives/two_factor.py) ------------------------------
# When true, advisors, coaches, faculty, state viewers and staff must set up an
# authenticator app before they can reach anything else.
BSC_REQUIRE_2FA_FOR_LEADERS = env_bool("BSC_REQUIRE_2FA_FOR_LEADERS", False)
# Wrong codes allowed in one half-signed-in session before it is ended (each also counts
# towards the axes lock-out, and django-otp slows every device down after each failure).
BSC_TWO_FACTOR_MAX_FAILURES = 5
OTP_TOTP_ISSUER = "BSC Portal"

# --- Security headers -----------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # Only `make up` on plain-http loopback turns these off; a deployment never should.
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    if env_bool("DJANGO_BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# No inline scripts or styles without a nonce, no eval, nothing from other origins.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# US Spanish: Spanish dates, US decimal point (bsc_portal/formats/es/formats.py).
FORMAT_MODULE_PATH = ["bsc_portal.formats"]
TIME_ZONE = env_str("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

# --- Static files: all local, served by WhiteNoise ------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
_manifest = env_bool("STATIC_MANIFEST", not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if _manifest
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Without collectstatic (the demo, the tests) WhiteNoise serves straight from the app folders.
WHITENOISE_USE_FINDERS = DEBUG or not _manifest

# --- Photos and files on PDSA cycles (pdsa.attachments) --------------------------------
# Private: no URL serves this storage; pdsa:attachment streams each file after the access
# check. On disk under the var directory (never under static), or, with BSC_S3_BUCKET, in a
# private S3-compatible bucket (django-storages; boto3 is imported only when it is used).
BSC_ATTACHMENT_MAX_BYTES = env_int("BSC_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
BSC_ATTACHMENTS_PER_CYCLE = env_int("BSC_ATTACHMENTS_PER_CYCLE", 10, minimum=1)
BSC_S3_BUCKET = env_str("BSC_S3_BUCKET")
if BSC_S3_BUCKET:
    STORAGES["attachments"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": BSC_S3_BUCKET,
            "endpoint_url": env_str("BSC_S3_ENDPOINT_URL") or None,
            "region_name": env_str("BSC_S3_REGION") or None,
            # Unset: boto3 finds credentials itself (AWS_* variables, an instance role).
            "access_key": env_str("BSC_S3_ACCESS_KEY_ID") or None,
            "secret_key": env_str("BSC_S3_SECRET_ACCESS_KEY") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
            "location": env_str("BSC_S3_PREFIX", "attachments"),
        },
    }
else:
    STORAGES["attachments"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(Path(env_str("BSC_ATTACHMENT_DIR", str(VAR_DIR / "media")))),
                    "base_url": None, "file_permissions_mode": 0o640,
                    "directory_permissions_mode": 0o750},
    }

# --- Email ----------------------------------------------------------------------------
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "BSC Portal <no-reply@bsc-portal.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Links in emails sent from Celery have no request to build an absolute URL from.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Forms and API --------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

REST_FRAMEWORK = {
    # Token first: DRF takes the WWW-Authenticate header of the first class, so a caller
    # without credentials gets 401 and is told how to authenticate (session auth has no
    # header and would make it 403). Browsers still sign in by session, with its CSRF check.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "collaboratives.tokens.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # JSON only in production: the browsable API's inline styles break the CSP. Debug (the
    # embedded demo) keeps it for exploring.
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        *(["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Rate limits (bsc_portal.throttling): per user when signed in, per address otherwise;
    # the handler also counts failed authentication, which DRF checks before throttling.
    "DEFAULT_THROTTLE_CLASSES": [
        "bsc_portal.throttling.UserBurstThrottle",
        "bsc_portal.throttling.UserSustainedThrottle",
        "bsc_portal.throttling.AnonymousAddressThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": API_THROTTLE_RATES,
    "EXCEPTION_HANDLER": "bsc_portal.throttling.api_exception_handler",
}
# The schema maps every endpoint and filter: signed-in callers only, unless debug is on or
# the deployment publishes it on purpose.
API_SCHEMA_PUBLIC = env_bool("API_SCHEMA_PUBLIC", False)
SPECTACULAR_SETTINGS = {
    "TITLE": "BSC Portal API",
    "DESCRIPTION": "Collaboratives, teams and their work, under the portal's access rules.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": [
        "rest_framework.permissions.AllowAny" if DEBUG or API_SCHEMA_PUBLIC
        else "rest_framework.permissions.IsAuthenticated"
    ],
    "COMPONENT_SPLIT_REQUEST": True,
    # Three models have a "status": each gets its own named enum in the schema.
    "ENUM_NAME_OVERRIDES": {
        "CollaborativeStatusEnum": "collaboratives.models.Collaborative.Status",
        "CycleStatusEnum": "pdsa.models.Cycle.Status",
        "ReportStatusEnum": "reports.models.MonthlyReport.Status",
    },
    # The error answers (400/401/403/404/415/429) are added to every operation in one place.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "bsc_portal.schema.document_error_responses",
    ],
}

# --- Collaborative figures (measures.aggregates) ------------------------------------
# For anyone who does not lead a collaborative, a figure about several teams is shown only
# when at least this many teams contributed to it (never one or two teams' own numbers).
BSC_MIN_TEAMS_IN_AGGREGATE = env_int("BSC_MIN_TEAMS_IN_AGGREGATE", 3, minimum=2)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Axes announces itself at INFO on every start, and its warnings name the username and
    # address: bsc_portal.security logs the same events without them. WeasyPrint logs each
    # step of a PDF.
    "loggers": {"axes": {"level": "ERROR"}, "weasyprint": {"level": "WARNING"},
                "fontTools": {"level": "WARNING"},
                "bsc_portal.security": {"level": "INFO"}},
}
