"""Settings, read from the environment.

Development defaults work with no configuration at all (SQLite under ``var/``, DEBUG on, console
e-mail). Production is ``DEBUG=false`` plus a real ``SECRET_KEY`` and ``ALLOWED_HOSTS``; with those
``partnerdesk check --deploy`` reports no warnings. Every variable is listed in the README.
"""

import os
import warnings
from decimal import Decimal
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from exc


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
VAR_DIR = Path(os.environ.get("PARTNERDESK_VAR_DIR", Path.cwd() / "var")).resolve()

_DEV_SECRET = "partnerdesk-development-only-secret-key-never-use-in-production-0123456789"  # noqa: S105 (development only)
SECRET_KEY = os.environ.get("SECRET_KEY") or (_DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_countries",
    "django_htmx",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "partnerdesk.core",
    "partnerdesk.accounts",
    "partnerdesk.audit",
    "partnerdesk.organisation",
    "partnerdesk.partners",
    "partnerdesk.contracts",
    "partnerdesk.performance",
    "partnerdesk.finance",
    "partnerdesk.quality",
    "partnerdesk.regrind",
    "partnerdesk.notifications",
    "partnerdesk.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "partnerdesk.core.middleware.RequestIdMiddleware",
    "partnerdesk.core.middleware.ApiErrorShapeMiddleware",
    "partnerdesk.core.middleware.RejectNulCharactersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "partnerdesk.core.middleware.LoginRequiredMiddleware",
]

ROOT_URLCONF = "partnerdesk.urls"
WSGI_APPLICATION = "partnerdesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "partnerdesk.core.context_processors.navigation",
            ],
        },
    },
]

# --- Database ------------------------------------------------------------------------------
VAR_DIR_SQLITE = VAR_DIR / "partnerdesk.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR_SQLITE}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside one writer; IMMEDIATE transactions take the write lock at
    # BEGIN so two writers queue on the busy timeout instead of failing half-way.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        "PRAGMA foreign_keys=ON; "
        # A larger page cache (SQLite's default is 2 MB) and memory-mapped reads: the index
        # probes of a run over millions of rows stop copying pages through read() calls.
        f"PRAGMA cache_size=-{env_int('SQLITE_CACHE_KB', 65536)}; "
        f"PRAGMA mmap_size={env_int('SQLITE_MMAP_BYTES', 1 << 30)};",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
# The page cache of a bulk operation's connection while it runs (``core.bulk``), in KB.
SQLITE_BULK_CACHE_KB = env_int("SQLITE_BULK_CACHE_KB", 2 << 20)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and security -----------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
# Failed logins per username and per client address within the window before refusing.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60)
API_TOKEN_PREFIX = "pd_"  # noqa: S105 (a prefix, not a secret)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    if env_bool("SECURE_PROXY_SSL_HEADER", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Internationalisation ------------------------------------------------------------------
LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "en")
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True
DEFAULT_CURRENCY = os.environ.get("DEFAULT_CURRENCY", "CNY")
# Accepting an invoice exception with more than this much at stake needs a second person's
# approval: FINANCE_APPROVAL_THRESHOLD in DEFAULT_CURRENCY, the others per currency
# (FINANCE_APPROVAL_THRESHOLDS="USD=700,EUR=650"). In a currency with no threshold, every
# acceptance needs the second approval.
FINANCE_APPROVAL_THRESHOLD = Decimal(os.environ.get("FINANCE_APPROVAL_THRESHOLD", "5000"))
FINANCE_APPROVAL_THRESHOLDS = {
    code.strip().upper(): Decimal(amount)
    for code, _sep, amount in (
        pair.partition("=")
        for pair in os.environ.get(
            "FINANCE_APPROVAL_THRESHOLDS", "USD=700,EUR=650,GBP=550,HKD=5500,JPY=100000"
        ).split(",")
        if pair.strip()
    )
}
# Document imports (order, receipt and invoice lines): the largest file and row count.
FINANCE_IMPORT_MAX_BYTES = int(os.environ.get("FINANCE_IMPORT_MAX_BYTES", str(256 * 1024 * 1024)))
FINANCE_IMPORT_MAX_ROWS = int(os.environ.get("FINANCE_IMPORT_MAX_ROWS", "1000000"))
# An invoice file with more new lines than this is reviewed and matched by the worker after the
# import, not inside it.
FINANCE_IMPORT_INLINE_LINES = int(os.environ.get("FINANCE_IMPORT_INLINE_LINES", "20000"))

# --- Static and uploaded files -------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Uploaded files are never served by URL: a permission-checked view streams them.
MEDIA_URL = None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
DOCUMENT_MAX_UPLOAD_BYTES = env_int("DOCUMENT_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Background work and e-mail ------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "partnerdesk@localhost")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# --- API -------------------------------------------------------------------------------------
NINJA_PAGINATION_PER_PAGE = 50
NINJA_MAX_PER_PAGE_SIZE = 500

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "partnerdesk.core.request_context.RequestIdLogFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Static files come from the app folders through the finders until `collectstatic` has run;
# whitenoise's warning about the still-missing STATIC_ROOT says nothing useful then.
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
