"""Every setting of the playground, read from the environment in this one module.

PLAYGROUND_MODE=local (the default) gives safe local defaults: SQLite in WAL mode, an embedded
Celery transport under var/, generated secrets kept in git-ignored files under var/, and the
gateway simulator as the upstream. PLAYGROUND_MODE=production refuses to start without real
secrets.
"""

import json
import os
import secrets
from pathlib import Path

import dj_database_url
import django_stubs_ext
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PLAYGROUND_VAR_DIR", BASE_DIR / "var"))

MODE = os.environ.get("PLAYGROUND_MODE", "local")
if MODE not in ("local", "production"):
    raise ImproperlyConfigured("PLAYGROUND_MODE must be 'local' or 'production'.")
PRODUCTION = MODE == "production"


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_float(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


def local_secret(filename: str, make: str) -> str:
    """Reads a generated secret from var/, creating it on first use (local mode only)."""
    path = VAR_DIR / filename
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(make + "\n")
        path.chmod(0o600)
    return path.read_text().strip()


def required_in_production(name: str, filename: str, make: str) -> str:
    value = os.environ.get(name, "")
    if value:
        return value
    if PRODUCTION:
        raise ImproperlyConfigured(
            f"{name} is not set. Production mode needs it: set it in the environment."
        )
    return local_secret(filename, make)


SECRET_KEY = required_in_production("SECRET_KEY", "secret_key", secrets.token_urlsafe(50))
# Fernet keys for the team key, newest first; their own variable, never derived from SECRET_KEY.
ENCRYPTION_KEYS = required_in_production(
    "PLAYGROUND_ENCRYPTION_KEYS", "encryption_keys", Fernet.generate_key().decode()
).split(",")

# Off unless asked for, in every mode: a member never sees a traceback or the URL patterns.
DEBUG = os.environ.get("PLAYGROUND_DEBUG", "0") == "1"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # The stock admin, on a site that answers members with 403 (see accounts/sites.py).
    "playground.accounts.sites.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Before staticfiles: runserver leaves static files to WhiteNoise, even with debug on.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # SearchVectorField and its lookups for the history's search; harmless on SQLite, where the
    # column stays empty and the search falls back to icontains.
    "django.contrib.postgres",
    "django_htmx",
    "playground.accounts",
    "playground.teamkey",
    "playground.chat",
    "playground.uploads",
    "playground.videos",
    "playground.images",
    "playground.history",
    "playground.usage",
    "playground.prompts",
    "playground.compare",
    "playground.notices",
    "playground.inspector",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files come from WhiteNoise in every mode, under runserver as under gunicorn.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The browser's language (or the language cookie); a logged-in user's saved choice wins.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "playground.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "playground.urls"
WSGI_APPLICATION = "playground.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "chat:page"
LOGOUT_REDIRECT_URL = "login"
# Login throttling, counted in the cache: after this many failed logins for one username, or
# from one address, within the window, every attempt is refused until the window ends.
LOGIN_THROTTLE_USERNAME_FAILURES = int(os.environ.get("LOGIN_THROTTLE_USERNAME_FAILURES", "5"))
LOGIN_THROTTLE_IP_FAILURES = int(os.environ.get("LOGIN_THROTTLE_IP_FAILURES", "20"))
LOGIN_THROTTLE_WINDOW_SECONDS = int(os.environ.get("LOGIN_THROTTLE_WINDOW_SECONDS", "900"))

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
            ],
            # `|translate_stored` in every template: stored English sentences, translated on show.
            "builtins": ["playground.stored_text"],
        },
    },
]

if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "db.sqlite3"),
            "OPTIONS": {
                # WAL lets the web server and the worker read while the other writes.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
# Uploads and archived videos: local files under MEDIA_ROOT by default; any Django storage
# backend (an object store through django-storages, say) is a setting away.
STORAGES = {
    "default": {
        "BACKEND": os.environ.get(
            "MEDIA_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"
        ),
        "OPTIONS": json.loads(os.environ.get("MEDIA_STORAGE_OPTIONS", "{}")),
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Local mode serves static/ as it is, edits included, with no collectstatic; production serves
# the hashed, compressed copies collectstatic made.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION

# No inline scripts or styles anywhere: every page runs under this policy.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "media-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

SESSION_COOKIE_HTTPONLY = True
SECURE_COOKIES = os.environ.get("SECURE_COOKIES", "1" if PRODUCTION else "0") == "1"
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_SSL_REDIRECT = PRODUCTION and os.environ.get("SECURE_SSL_REDIRECT", "1") == "1"
# X-Forwarded-Proto is trusted only when a proxy that sets it itself, overwriting whatever the
# client sent, is the only way in (docker-compose.yml's nginx, deploy/nginx.conf).
BEHIND_PROXY = os.environ.get("PLAYGROUND_BEHIND_PROXY", "0") == "1"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
# The container health check asks web directly, over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# With the proxy serving files, media views check the login and hand the file over with
# X-Accel-Redirect to this internal location (see playground/ranges.py).
ACCEL_REDIRECT = os.environ.get("PLAYGROUND_ACCEL_REDIRECT", "0") == "1"
ACCEL_REDIRECT_PREFIX = "/_protected/media/"  # deploy/nginx.conf has the same
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31536000 if PRODUCTION else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# The Starrise gateway, or the local simulator that stands in for it.
SIMULATOR_PORT = int(os.environ.get("SIMULATOR_PORT", "8001"))
STARRISE_BASE_URL = os.environ.get(
    "STARRISE_BASE_URL",
    "https://ai.alad.com" if PRODUCTION else f"http://127.0.0.1:{SIMULATOR_PORT}",
).rstrip("/")
STARRISE_CONNECT_TIMEOUT = env_float("STARRISE_CONNECT_TIMEOUT", 5)
# Locally shorter than the simulator's `timeout` stall (SIM_TIMEOUT_SECONDS=45 in the Procfile),
# so a [fault:timeout] ends in the client's timeout error rather than a late normal answer.
STARRISE_READ_TIMEOUT = env_float("STARRISE_READ_TIMEOUT", 120 if PRODUCTION else 30)
STARRISE_MAX_RETRIES = int(os.environ.get("STARRISE_MAX_RETRIES", "3"))
STARRISE_BACKOFF_BASE = env_float("STARRISE_BACKOFF_BASE", 1)
STARRISE_BACKOFF_MAX = env_float("STARRISE_BACKOFF_MAX", 30)
# Kling's query path: "short" (/kling/v1/videos/{id}) or "action" (/kling/v1/videos/{action}/{id}).
STARRISE_KLING_QUERY_PATH = os.environ.get("STARRISE_KLING_QUERY_PATH", "short")

# Celery: Redis when REDIS_URL is set, else kombu's filesystem transport, which needs no server.
REDIS_URL = os.environ.get("REDIS_URL", "")
BROKER_DIR = VAR_DIR / "broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        # No unacked bookkeeping in Redis: every task's work is found again in the database by
        # a beat sweeper, so a message lost with a worker costs nothing. kombu's restore of
        # unacked messages, run as a connection to a restarting Redis closes, could itself
        # crash the worker ("'NoneType' object has no attribute 'hostname'"), seen in CI.
        "ack_emulation": False,
        # Message priorities (0 first): polls and submits before downloads, so that a wave of
        # archives never delays the moment other jobs are seen to end.
        "priority_steps": list(range(10)),
        "sep": ":",
        "queue_order_strategy": "priority",
    }
else:
    for sub in ("queue", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
# The cache (the chat's model list, mostly): Redis when REDIS_URL is set, so every web
# process shares it; else each process keeps its own in memory.
# Sessions are read on every request: from the cache first when it is shared (Redis).
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL
    else "django.contrib.sessions.backends.db"
)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "playground",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# Video jobs. The sweeper (beat, every VIDEO_SWEEP_SECONDS) wakes every job whose next check is
# due; polls are scheduled between the min and max interval, aimed at when the job should end.
PUBLIC_URL = os.environ.get(
    "PLAYGROUND_PUBLIC_URL", "" if PRODUCTION else "http://127.0.0.1:8000"
).rstrip("/")
VIDEO_CALLBACKS = os.environ.get("VIDEO_CALLBACKS", "1") == "1" and bool(PUBLIC_URL)
VIDEO_SWEEP_SECONDS = env_float("VIDEO_SWEEP_SECONDS", 0.5)
VIDEO_POLL_FIRST_SECONDS = env_float("VIDEO_POLL_FIRST_SECONDS", 10)
VIDEO_POLL_MIN_SECONDS = env_float("VIDEO_POLL_MIN_SECONDS", 2)
VIDEO_POLL_MAX_SECONDS = env_float("VIDEO_POLL_MAX_SECONDS", 60)
# With callbacks on, polling is only the fallback and runs this much less often.
VIDEO_CALLBACK_FALLBACK_SECONDS = env_float("VIDEO_CALLBACK_FALLBACK_SECONDS", 60)
VIDEO_DEADLINE_SEEDANCE_SECONDS = env_float("VIDEO_DEADLINE_SEEDANCE_SECONDS", 30 * 60)
VIDEO_DEADLINE_KLING_SECONDS = env_float("VIDEO_DEADLINE_KLING_SECONDS", 60 * 60)
# How long a worker's claim on a job lasts before the sweeper takes it back.
VIDEO_LEASE_SECONDS = env_float("VIDEO_LEASE_SECONDS", 60)
VIDEO_MAX_SUBMIT_ATTEMPTS = int(os.environ.get("VIDEO_MAX_SUBMIT_ATTEMPTS", "5"))
VIDEO_MAX_POLL_ERRORS = int(os.environ.get("VIDEO_MAX_POLL_ERRORS", "5"))
VIDEO_MAX_ARCHIVE_ATTEMPTS = int(os.environ.get("VIDEO_MAX_ARCHIVE_ATTEMPTS", "5"))
# Video jobs in flight at the gateway at once, team-wide (0: no cap), to stay under the
# account's concurrency limit (Kling's 1303); jobs over it wait queued, in order.
VIDEO_TEAM_MAX_IN_FLIGHT = int(os.environ.get("VIDEO_TEAM_MAX_IN_FLIGHT", "0"))
# Archives running at once, team-wide: downloads and poster frames must not starve the polls.
VIDEO_ARCHIVE_CONCURRENCY = int(os.environ.get("VIDEO_ARCHIVE_CONCURRENCY", "3"))
VIDEO_MAX_BYTES = int(os.environ.get("VIDEO_MAX_BYTES", str(2 * 1024**3)))
UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", str(10 * 1024**2)))
# The largest generated image the playground downloads and keeps (a 4K PNG is ~30 MB at most).
IMAGES_MAX_BYTES = int(os.environ.get("IMAGES_MAX_BYTES", str(64 * 1024**2)))
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
CELERY_BEAT_SCHEDULE = {
    "chat-sweep": {"task": "chat.sweep", "schedule": 30, "options": {"expires": 30}},
    "images-sweep": {"task": "images.sweep", "schedule": 60, "options": {"expires": 60}},
    "compare-sweep": {"task": "compare.sweep", "schedule": 10, "options": {"expires": 10}},
    "videos-sweep": {
        "task": "videos.sweep",
        "schedule": VIDEO_SWEEP_SECONDS,
        # A sweep that waited this long is stale: the next one does the same work.
        "options": {"expires": VIDEO_SWEEP_SECONDS * 5},
    },
    "inspector-prune": {"task": "inspector.prune", "schedule": 3600, "options": {"expires": 3600}},
}

# The request inspector keeps each gateway call this many days, its texts cut to this many
# bytes in all (a long chat stream is a few hundred KiB of events).
INSPECTOR_RETENTION_DAYS = int(os.environ.get("INSPECTOR_RETENTION_DAYS", "7"))
INSPECTOR_MAX_BYTES = int(os.environ.get("INSPECTOR_MAX_BYTES", str(256 * 1024)))

# Chat. The model list is asked for once, briefly and without retries, and kept in the cache
# (a failure too, for less time, so a hanging gateway is not asked on every page).
CHAT_DEFAULT_MODEL = os.environ.get("CHAT_DEFAULT_MODEL", "gpt-4o-mini")
CHAT_MODELS_TIMEOUT = env_float("CHAT_MODELS_TIMEOUT", 3)
CHAT_MODELS_CACHE_SECONDS = env_float("CHAT_MODELS_CACHE_SECONDS", 300)
CHAT_MODELS_FAILURE_CACHE_SECONDS = env_float("CHAT_MODELS_FAILURE_CACHE_SECONDS", 15)
# Beat answers a message whose stream was never opened after this long, and fails one still
# "answering" after the deadline (its web process died).
CHAT_UNSTARTED_SECONDS = env_float("CHAT_UNSTARTED_SECONDS", 30)
CHAT_STREAM_DEADLINE_SECONDS = env_float("CHAT_STREAM_DEADLINE_SECONDS", 15 * 60)
# How often a running answer checks whether its Stop button was pressed (any web process).
CHAT_STOP_POLL_SECONDS = env_float("CHAT_STOP_POLL_SECONDS", 0.25)

# The first run creates this admin; without a password one is generated and printed once.
ADMIN_USERNAME = os.environ.get("PLAYGROUND_ADMIN_USERNAME", "admin")
ADMIN_EMAIL = os.environ.get("PLAYGROUND_ADMIN_EMAIL", "admin@example.com")
ADMIN_PASSWORD = os.environ.get("PLAYGROUND_ADMIN_PASSWORD", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(levelname)s %(name)s: %(message)s"}},
    "filters": {"no_traceback_for_refusals": {"()": "playground.errors.NoTracebackForRefusals"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.utils.autoreload": {"level": "WARNING"},
        # A member's 403 is one line, not a traceback; 500s keep theirs.
        "django.request": {"filters": ["no_traceback_for_refusals"]},
    },
}

# In local mode the simulator accepts the key in this file, and the first run makes it the team key.
SIMULATOR_KEY_FILE = VAR_DIR / "simulator.key"

# Finished-job notices. Every open tab asks for its badge this often (seconds): the playground's
# own database, one indexed query, never the gateway. An image request raises a notice only when
# it took at least NOTICE_IMAGE_AFTER_SECONDS: a quicker one is answered on the page that asked.
NOTICE_POLL_SECONDS = int(os.environ.get("NOTICE_POLL_SECONDS", "10"))
NOTICE_IMAGE_AFTER_SECONDS = env_float("NOTICE_IMAGE_AFTER_SECONDS", 20)
# E-mail (notices, for those who ask for them): SMTP in production (to localhost unless
# SMTP_HOST says otherwise; a failed send is logged and never fails a job), printed by the
# console backend locally unless SMTP_HOST is set.
smtp_host = os.environ.get("SMTP_HOST", "localhost" if PRODUCTION else "")
MAILERS = {
    "default": (
        {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": smtp_host,
                "port": int(os.environ.get("SMTP_PORT", "587")),
                "username": os.environ.get("SMTP_USERNAME", ""),
                "password": os.environ.get("SMTP_PASSWORD", ""),
                "use_tls": os.environ.get("SMTP_USE_TLS", "1") == "1",
                "timeout": 10,
            },
        }
        if smtp_host
        else {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    )
}
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Starrise Playground <playground@localhost>"
)
