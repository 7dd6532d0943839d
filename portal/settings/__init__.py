"""Settings of the 先丰港 portal, read from the environment only.

Production is the default: with nothing set, DEBUG is off, SECRET_KEY must be given and the
security settings (HTTPS redirect, HSTS, secure cookies) are on. `DEV=1` (what `make run` sets)
is the embedded development default: DEBUG on, a development key, plain HTTP. Without
DATABASE_URL, CELERY_BROKER_URL and REDIS_URL the portal uses an SQLite file, runs Celery tasks
in-process, a local-memory cache, and prints e-mail to the console.
Bad values stop the start with a message that names the variable.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from portal.settings.environment import DEV, env
from portal.settings.environment import read_bool as _bool

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DEBUG = _bool("DEBUG", DEV)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEV:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set: production is the default and needs its own key "
            "(export SECRET_KEY=<50 or more random characters>), or set DEV=1 for a development run."
        )
    SECRET_KEY = "insecure-development-key-only-for-dev-runs"

# Production answers only the host names it is told (no default); development answers locally.
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"] if DEV else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- Database -------------------------------------------------------------------------
_KNOWN_ENGINES = {
    "django.db.backends.postgresql",
    "django.db.backends.sqlite3",
}


def _database(url: str) -> dict:
    config = environ.Env.db_url_config(url)
    if config.get("ENGINE") not in _KNOWN_ENGINES:
        raise ImproperlyConfigured(
            f"DATABASE_URL={url!r} is not understood: use postgres://user@host:port/name "
            "or sqlite:///path/to/file.sqlite3."
        )
    if config["ENGINE"] == "django.db.backends.postgresql" and not config.get("NAME"):
        raise ImproperlyConfigured(f"DATABASE_URL={url!r} names no database.")
    config["ATOMIC_REQUESTS"] = False
    # Persistent connections: opening one costs more than most requests' own queries (bench/RESULTS.md).
    # Seconds a connection is kept (0: one per request); health checks drop a broken one first.
    config["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    config["CONN_HEALTH_CHECKS"] = config["CONN_MAX_AGE"] > 0
    return config


DATABASES = {
    "default": _database(env.str("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # `make run` has a web server and a worker writing one file: wait for the lock instead of
    # failing at once, take it when a transaction starts (no deadlock on upgrading a read lock),
    # and let readers go on while one writes (WAL).
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;",
    })

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "portal.User"

# --- Applications ---------------------------------------------------------------------
INSTALLED_APPS = [
    # The admin, requiring a session confirmed with a one-time code (portal/core/admin_site.py).
    "portal.core.admin_site.OfficialsAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "django_celery_beat",
    "axes",
    # The second factor of officials and administrators: TOTP apps, and recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "portal",
    "services",
    "notifications",
    "enterprises",
    "talent",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "portal.core.security.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "portal.core.api.middleware.ApiErrorMiddleware",
    "portal.core.input_checks.UnstorableInputMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session was confirmed with a one-time code; staff
    # whose session is not reach only the second-factor pages.
    "django_otp.middleware.OTPMiddleware",
    "portal.core.security.SecondFactorMiddleware",
    "portal.core.security.IdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "portal.context_processors.inbox",
                "services.calendar.working_days.admin_calendar_warning",
            ],
            # `bilingual` and its siblings on every page without a {% load %}: content in the reader's language.
            "builtins": ["portal.templatetags.bilingual"],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # At least ten characters, as the district's password rules (等保 2.0) ask.
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Backends, lockout and the city's unified login: portal/settings/sign_in.py.
# The name authenticator apps show beside an official's codes.
OTP_TOTP_ISSUER = "先丰港"
# Wrong one-time codes have their own lockout, django-otp's back-off per device: after n wrong codes
# in a row the next is refused for 2^(n-1) seconds (10 wrong: 8½ minutes; 15: 4½ hours); a right
# code, or a superuser's reset of the second factor, ends it.
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "my_enterprises"
LOGOUT_REDIRECT_URL = "home"

# --- Language and time ----------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "portal" / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

# --- Files ----------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Uploaded materials and licences are private: they live outside any served folder and are
# streamed only by views that check who is asking.
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "private_media")))
MAX_UPLOAD_MB = env.int("MAX_UPLOAD_MB", default=20)
# All the files of one application together: a handful of scans, not an archive of the enterprise.
MAX_APPLICATION_UPLOAD_MB = env.int("MAX_APPLICATION_UPLOAD_MB", default=100)
# What a ZIP-based document (OFD) may unpack to; more is an archive bomb.
MAX_ARCHIVE_UNCOMPRESSED_MB = env.int("MAX_ARCHIVE_UNCOMPRESSED_MB", default=50)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Checked by content in portal/core/files.py; a material may narrow them (MaterialRequirement.accepted_types).
ALLOWED_UPLOAD_EXTENSIONS = ["pdf", "jpg", "jpeg", "png", "ofd"]
# The virus scanner: "" (off) or "clamd://host:port". An infected upload is refused and kept in
# QUARANTINE_ROOT, never under PRIVATE_MEDIA_ROOT; an unreachable scanner refuses uploads.
VIRUS_SCAN = env.str("VIRUS_SCAN", default="")
VIRUS_SCAN_TIMEOUT = env.float("VIRUS_SCAN_TIMEOUT", default=30.0)
QUARANTINE_ROOT = Path(env.str("QUARANTINE_ROOT", default=str(BASE_DIR / "quarantine")))

# --- Cache ----------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    # Short timeouts: a request must not hang on a Redis that is down (the rate limits then lapse).
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                          "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The catalogue's API answers are kept this long at most (they are retired at once when it changes).
CATALOGUE_CACHE_SECONDS = env.int("CATALOGUE_CACHE_SECONDS", default=300)

# --- Celery ---------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
# Unset broker = the embedded default: tasks run in-process, right after the commit.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Installed into the database schedule by beat at start; editable in the admin afterwards.
CELERY_BEAT_SCHEDULE = {
    "auto-accept": {"task": "services.timers.auto_accept", "schedule": 15 * 60},
    "deferred-reminders": {"task": "services.timers.deferred_reminders", "schedule": 60 * 60},
    "suspend-overdue": {"task": "services.timers.suspend_overdue", "schedule": 60 * 60},
    "revoke-after-grace": {"task": "services.timers.revoke_after_grace", "schedule": 60 * 60},
    "sla-levels": {"task": "services.timers.sla_levels", "schedule": 30 * 60},
    "close-unanswered-corrections": {"task": "services.timers.close_unanswered_corrections", "schedule": 60 * 60},
    "sample-post-checks": {"task": "services.timers.sample_post_checks", "schedule": 15 * 60},
    "overdue-post-checks": {"task": "services.timers.overdue_post_checks", "schedule": 60 * 60},
    "overdue-rectifications": {"task": "services.timers.overdue_rectifications", "schedule": 60 * 60},
    "issue-missing-notices": {"task": "services.timers.issue_missing_notices", "schedule": 10 * 60},
    # 免申即享: every night, after the day's changes to talent and enterprises.
    "match-policies": {"task": "talent.match_policies", "schedule": crontab(hour=2, minute=30)},
    # The service managers' workbench and the obligations calendar (enterprises/tasks.py).
    "manager-alerts": {"task": "enterprises.manager_alerts", "schedule": 30 * 60},
    "manager-digest": {"task": "enterprises.manager_digest", "schedule": crontab(hour=8, minute=15)},
    "obligation-reminders": {"task": "enterprises.obligation_reminders", "schedule": crontab(hour=7, minute=30)},
    "sweep-notifications": {"task": "services.sweep_notifications", "schedule": 60},
    "notification-failure-digest": {"task": "services.notification_failure_digest",
                                    "schedule": crontab(hour=8, minute=0)},
}
# A demonstration (or a test) may run every interval timer more often: TIMER_SECONDS=10.
if _timer_seconds := env.int("TIMER_SECONDS", default=0):
    for _entry in CELERY_BEAT_SCHEDULE.values():
        if isinstance(_entry["schedule"], int):
            _entry["schedule"] = _timer_seconds
# One queue per channel, so a slow webhook receiver cannot hold up e-mail or SMS;
# timers and sweeps have their own. `make serve` runs a worker on all of them.
CELERY_TASK_DEFAULT_QUEUE = "periodic"
CELERY_TASK_ROUTES = {
    "services.deliver_notifications": {"queue": "email"},  # enqueue() names the channel's queue
    "services.deliver_notification": {"queue": "email"},
    "services.timers.*": {"queue": "periodic"},
    "services.sweep_notifications": {"queue": "periodic"},
    "talent.*": {"queue": "periodic"},
    "enterprises.*": {"queue": "periodic"},
}
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # An unacknowledged message (its worker died) goes back to the queue after this long.
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    # A web request publishing to a broker that is down must fail fast (the row stays in the
    # outbox for the sweeper) instead of retrying the connection for seconds.
    "max_retries": 0,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
if CELERY_BROKER_URL.startswith("filesystem://"):
    # The embedded default of `make run`: a broker that is a folder, so the worker and beat run
    # beside the web server with no service to install. Web and worker share the folder.
    BROKER_FOLDER = Path(env.str("BROKER_FOLDER", default=str(BASE_DIR / "var" / "broker")))
    for _sub in ("messages", "control"):
        (BROKER_FOLDER / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_FOLDER / "messages"),
        "data_folder_out": str(BROKER_FOLDER / "messages"),
        "control_folder": str(BROKER_FOLDER / "control"),
        "store_processed": False,
    }

# --- Notifications and e-mail: retries, batches, SMS, webhooks (portal/settings/notifications.py)
from portal.settings.notifications import *  # noqa: E402, F403

# --- REST API -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Both refuse staff whose token or session was not confirmed with a one-time code.
        "portal.core.api.authentication.TokenAuthentication",
        "portal.core.api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "portal.core.api.schema.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "portal.core.api.pagination.OrderingFilter",
    ],
    "EXCEPTION_HANDLER": "portal.core.api.errors.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "portal.core.input_checks.CheckedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "portal.core.api.throttling.AnonThrottle",
        "portal.core.api.throttling.UserThrottle",
        "portal.core.api.throttling.ScopedThrottle",
    ],
    # Requests per period (second, minute, hour or day); an empty variable turns a limit off.
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="200/hour") or None,
        "user": env.str("API_THROTTLE_USER", default="2000/hour") or None,
        # Scoped limits, on top of the two above: per IP for tokens, per user for submissions.
        "token": env.str("API_THROTTLE_TOKEN", default="10/min") or None,
        "submissions": env.str("API_THROTTLE_SUBMISSIONS", default="60/hour") or None,
        # The public verification page of notices, per address: codes cannot be walked through.
        "notice_verify": env.str("NOTICE_VERIFY_THROTTLE", default="30/min") or None,
    },
    # Behind a reverse proxy, how many X-Forwarded-For hops to trust for the client's IP.
    "NUM_PROXIES": env.int("API_NUM_PROXIES", default=0),
}
# knox's own token model, named here because TokenVerification points to it (a swappable model).
KNOX_TOKEN_MODEL = "knox.AuthToken"
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=env.int("API_TOKEN_DAYS", default=30)),
    "AUTH_HEADER_PREFIX": "Token",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "先丰港 API",
    "DESCRIPTION": (
        "The enterprise-service portal's REST API, version 1. Authenticate with "
        "`Authorization: Token <token>` from `POST /api/v1/auth/token/`. Errors are JSON "
        "`{code, message, field, errors}`; POSTs accept an `Idempotency-Key` header. "
        "See the README's API section."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Tags and operation ids by resource ("applications"), not by the version prefix.
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Swagger UI and ReDoc from drf-spectacular-sidecar's bundled files: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a field called "status" with different choices.
    "ENUM_NAME_OVERRIDES": {
        "ApplicationStatusEnum": "services.models.State",
        "TaskStatusEnum": "services.models.Task.Status",
        "TaskKindEnum": "services.models.Task.Kind", "FormFieldKindEnum": "services.models.FieldKind",
        "EnterpriseStatusEnum": "enterprises.models.Enterprise.Status",
        "RectificationStatusEnum": "services.models.Rectification.Status",
        "RatingScoreEnum": "services.ratings.models.Score",
    },
    "COMPONENT_SPLIT_REQUEST": True,
    # Production: signed-in users only (API_DOCS_PUBLIC, read at each request).
    "SERVE_PERMISSIONS": ["portal.core.api.docs.DocsPermission"],
}

# The benchmarks' floor endpoint (portal/api/floor.py, bench/): off unless asked for.
BENCH_FLOOR = _bool("BENCH_FLOOR", False)

# --- API: request limits and idempotency ----------------------------------------------
# An Idempotency-Key is remembered this long; afterwards it may be reused for a new request.
IDEMPOTENCY_KEY_TTL = timedelta(hours=env.int("IDEMPOTENCY_KEY_HOURS", default=24))
# How long a request waits for a concurrent one with the same key before answering 409.
IDEMPOTENCY_WAIT_SECONDS = env.float("IDEMPOTENCY_WAIT_SECONDS", default=10.0)
CELERY_BEAT_SCHEDULE["purge-idempotency-keys"] = {"task": "portal.purge_idempotency_keys", "schedule": 60 * 60}
CELERY_BEAT_SCHEDULE["purge-expired-tokens"] = {"task": "portal.purge_expired_tokens", "schedule": 60 * 60}
# Rehashes the whole audit trail: at night, after the policy matching of 02:30.
CELERY_BEAT_SCHEDULE["verify-audit-chain"] = {
    "task": "portal.verify_audit_chain", "schedule": crontab(hour=3, minute=30),
}

# --- Portal rules: the department that verifies, the portal's address, password resets --
from portal.settings.portal_rules import *  # noqa: E402, F403

LOGGING = {
    "version": 1, "disable_existing_loggers": False, "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# The security settings (HTTPS, headers, CSP, the admin's address, the API docs), signing in, retention.
from portal.settings.retention import *  # noqa: E402, F403
from portal.settings.security import *  # noqa: E402, F403
from portal.settings.sign_in import *  # noqa: E402, F403

CELERY_BEAT_SCHEDULE["apply-retention"] = RETENTION_SCHEDULE  # noqa: F405
