"""Settings for every environment, read from the environment (no per-environment copies).

The defaults make the zero-setup demo work (SQLite, eager Celery, console email);
production differs only by environment variables (see README, "Running it for real").
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
NODE_MODULES = BASE_DIR / "node_modules"


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


# --- Core -------------------------------------------------------------------------------------------------
DEBUG = env_bool("DEBUG", default=False)

# A development key is only acceptable while DEBUG is on; production refuses to start without a real one.
_DEV_SECRET_KEY = "dev-insecure-kkureomi-key-for-local-demo-only"  # noqa: S105 - refused when DEBUG is off
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET_KEY if DEBUG else "")
if not DEBUG and (len(SECRET_KEY) < 50 or SECRET_KEY == _DEV_SECRET_KEY or SECRET_KEY.startswith("django-insecure")):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 50 characters when DEBUG is off. "
        "운영 환경에서는 SECRET_KEY 환경 변수를 50자 이상의 임의 값으로 설정해야 합니다."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_celery_beat",
    "django_tables2",
    "django_filters",
    # Project apps, lowest floor first (a lower app never imports a higher one).
    "core",
    "accounts",
    "municipalities",
    "notifications",
    "bundles",
    "tourism",
    "kiosk",
    "subscriptions",
    "delivery",
    "settlement",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "municipalities.middleware.TenantMiddleware",
    "kiosk.middleware.SourceVisitMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "municipalities.context_processors.tenant",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------------------
# SQLite is only the zero-setup default of the demo; PostgreSQL (psycopg2) everywhere else.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'demo.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (login throttling, rate limits) -------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "kkureomi"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Accounts ---------------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
FORM_RENDERER = "core.forms.KrdsFormRenderer"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Failed log-ins allowed per e-mail address and per client IP within the window before log-in is refused.
LOGIN_THROTTLE_MAX_FAILURES = env_int("LOGIN_THROTTLE_MAX_FAILURES", 5)
LOGIN_THROTTLE_WINDOW_SECONDS = env_int("LOGIN_THROTTLE_WINDOW_SECONDS", 15 * 60)

# --- E-mail -----------------------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# Where the file-based e-mail backend (the demo's) writes messages.
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(BASE_DIR / ".run" / "mail"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "꾸러미 <no-reply@kkureomi.kr>")

# --- Internationalisation ---------------------------------------------------------------------------------
LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("한국어")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True

# --- Static and media -------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "config.staticfinders.NpmFinder",
]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Security (production values unless DEBUG) -------------------------------------------------------------
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Celery -----------------------------------------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
# Without a broker (the demo) tasks run in-process so the site works with no services at all.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND") or None
CELERY_TASK_ACKS_LATE = True
# A task whose worker dies is redelivered rather than lost; tasks are written to be safe to run twice.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# WeasyPrint keeps memory between renders (its issue #611): recycle worker processes.
CELERY_WORKER_MAX_TASKS_PER_CHILD = env_int("CELERY_WORKER_MAX_TASKS_PER_CHILD", 200)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE

# --- Payments (Stripe) ------------------------------------------------------------------------------------
STRIPE_SECRET_KEY = env_str("STRIPE_SECRET_KEY", "sk_test_kkureomi_demo")
STRIPE_PUBLISHABLE_KEY = env_str("STRIPE_PUBLISHABLE_KEY", "pk_test_kkureomi_demo")
STRIPE_WEBHOOK_SECRET = env_str("STRIPE_WEBHOOK_SECRET", "whsec_kkureomi_demo")
# Points the client at a Stripe-compatible server (localstripe in the demo and tests); empty means Stripe.
STRIPE_API_BASE = env_str("STRIPE_API_BASE")
# Stripe.js for the card form; localstripe serves a stand-in at <its base>/js.stripe.com/v3/.
STRIPE_JS_URL = env_str(
    "STRIPE_JS_URL", f"{STRIPE_API_BASE}/js.stripe.com/v3/" if STRIPE_API_BASE else "https://js.stripe.com/v3/"
)

# Gateway calls per second across all workers (Stripe allows 25/s in test mode, 100/s live).
PAYMENT_RATE_LIMIT_PER_S = env_int("PAYMENT_RATE_LIMIT_PER_S", 25)
# How long a subscriber has to complete 3-D Secure before the attempt counts as failed.
PAYMENT_ACTION_HOURS = env_int("PAYMENT_ACTION_HOURS", 48)
# Orders charged per Celery task when a cycle's charges are fanned out.
BILLING_CHUNK_SIZE = env_int("BILLING_CHUNK_SIZE", 200)

# --- Notifications ------------------------------------------------------------------------------------
# The 알림톡·문자 backend (notifications/channels/sms.py). The database backend sends nothing and keeps the
# record: the default until a 카카오 비즈메시지 provider is configured. E-mail uses EMAIL_BACKEND above.
NOTIFICATION_SMS_BACKEND = env_str("NOTIFICATION_SMS_BACKEND", "notifications.channels.sms.DatabaseSmsBackend")
# Messages handed to one Celery task when a batch (a cycle's notices) is sent.
NOTIFICATION_SEND_CHUNK_SIZE = env_int("NOTIFICATION_SEND_CHUNK_SIZE", 200)
# Seconds after which a still-pending message (its task lost) is sent by the sweep.
NOTIFICATION_PENDING_GRACE = env_int("NOTIFICATION_PENDING_GRACE", 5 * 60)
# Seconds after which a message still "sending" (its worker died) is logged as failed, never resent.
NOTIFICATION_SENDING_TIMEOUT = env_int("NOTIFICATION_SENDING_TIMEOUT", 60 * 60)

# --- Settlement -------------------------------------------------------------------------------------------
# Day of the month after a period ends on which the scheduled close runs (5: October closes on 5 November),
# leaving a few days for late refunds and redemptions to land in their own month.
SETTLEMENT_CLOSE_DAY = env_int("SETTLEMENT_CLOSE_DAY", 5)

# --- Logging ----------------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # The stripe client logs every request at INFO; keep its warnings only.
        "stripe": {"level": "WARNING"},
        # Django's own console handler (DEBUG only) would print each line a second time beside the root's.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
    },
}
