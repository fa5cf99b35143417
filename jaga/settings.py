"""Django settings, read from the environment through :mod:`jaga.conf`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext

from jaga import conf
from jaga.datadir import ensure_data_dir, ensure_sqlite_file, read_or_create_key

django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent

DATA_DIR: Path = ensure_data_dir(conf.read("JAGA_DATA_DIR"))
JAGA_DISK_FREE_MIN_MB: int = conf.read("JAGA_DISK_FREE_MIN_MB")
DEBUG: bool = conf.read("JAGA_DEBUG")
SECRET_KEY: str = conf.read("JAGA_SECRET_KEY") or read_or_create_key(DATA_DIR / "secret_key")
JAGA_ENCRYPTION_KEY: str = conf.read("JAGA_ENCRYPTION_KEY") or read_or_create_key(
    DATA_DIR / "encryption_key", fernet=True
)
JAGA_LISTEN: tuple[str, int] = conf.read("JAGA_LISTEN")
ALLOWED_HOSTS: list[str] = conf.read("JAGA_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS: list[str] = conf.read("JAGA_CSRF_TRUSTED_ORIGINS")
JAGA_TRUSTED_PROXIES: list[str] = conf.read("JAGA_TRUSTED_PROXIES")
if JAGA_TRUSTED_PROXIES:  # TrustedProxyMiddleware removes the header from every other sender
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = conf.read("JAGA_SECURE_COOKIES")
SESSION_COOKIE_HTTPONLY = True
# A sign-in lasts a working day, not Django's two weeks, and ends with the browser (a shared office computer).
SESSION_COOKIE_AGE: int = conf.read("JAGA_SESSION_HOURS") * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SECURE_SSL_REDIRECT: bool = conf.read("JAGA_SSL_REDIRECT")
if SECURE_SSL_REDIRECT and not JAGA_TRUSTED_PROXIES:
    # waitress speaks plain HTTP: without a proxy saying "https" every request would redirect to itself.
    raise conf.ConfigError(
        "JAGA_SSL_REDIRECT=true memerlukan JAGA_TRUSTED_PROXIES (proksi TLS di depan Jaga) / "
        "JAGA_SSL_REDIRECT=true needs JAGA_TRUSTED_PROXIES (the TLS proxy in front of Jaga)"
    )
SECURE_HSTS_SECONDS: int = conf.read("JAGA_HSTS_SECONDS")
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD: bool = conf.read("JAGA_HSTS_PRELOAD")
SECURE_REDIRECT_EXEMPT = [r"^metrics$"]  # scraped on loopback, past the proxy
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

_database_url: str = conf.read("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'jaga.sqlite3'}"
DATABASES: dict[str, dict[str, Any]] = {"default": dict(dj_database_url.parse(_database_url, conn_max_age=60))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    ensure_sqlite_file(Path(DATABASES["default"]["NAME"]))
    DATABASES["default"]["OPTIONS"] = {
        # WAL and a busy timeout let web, probe, worker and scheduler share one SQLite file.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    # First, so that its commands stand in front of Django's (createsuperuser with Jaga's password rules).
    "jaga.core",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # the form templates below override Django's (TemplatesSetting renderer)
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "jaga.sop",
    "jaga.monitoring",
    "jaga.backups",
    "jaga.traffic",
    "jaga.renewals",
    "jaga.incidents",
    "jaga.reports",
    "jaga.ops",  # up, bootstrap, demo: above the apps
]

MIDDLEWARE = [
    "jaga.core.middleware.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "jaga.core.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Instead of Django's LocaleMiddleware: the user's choice, else JAGA_LANGUAGE; never Accept-Language.
    "jaga.core.language.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # core: who acts (audit trail), the institution's time zone, and the 2FA requirement.
    "jaga.core.middleware.AuditContextMiddleware",
    "jaga.core.middleware.InstitutionTimeZoneMiddleware",
    "jaga.core.middleware.RequireTwoFactorMiddleware",
    "jaga.core.passwords.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    # A full disk or a damaged SQLite file: a 503 page saying so, not a 500 (jaga.core.storage).
    "jaga.core.storage.StorageErrorMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Every password set anywhere (memberships, password change and reset, admin, createsuperuser).
JAGA_PASSWORD_MIN_LENGTH: int = conf.read("JAGA_PASSWORD_MIN_LENGTH")
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "jaga.core.passwords.UserAttributeSimilarityValidator"},
    {"NAME": "jaga.core.passwords.MinimumLengthValidator"},
    {"NAME": "jaga.core.passwords.CommonPasswordValidator"},
    {"NAME": "jaga.core.passwords.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 2 * 60 * 60  # a reset link works for two hours

ROOT_URLCONF = "jaga.urls"
WSGI_APPLICATION = "jaga.wsgi.application"

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
                "jaga.core.storage.storage_banner",
            ],
        },
    },
]
# Forms render each error next to its field, and a summary of every invalid field (core/forms/*.html).
FORM_RENDERER = "jaga.core.forms_rendering.JagaFormRenderer"
CSRF_FAILURE_VIEW = "jaga.core.views.errors.csrf_failure"

# Language and formats: Indonesian first. Dates read "24 November 2026", times "14.05".
LANGUAGE_CODE: str = conf.read("JAGA_LANGUAGE")
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60  # the switcher's choice outlives the session
FORMAT_MODULE_PATH = ["jaga.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE: str = conf.read("JAGA_TIME_ZONE")

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns about a missing folder; files come from the finders
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
# Evidence files are as private as the rest of the data folder (Django's default is 0644).
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:login"

# Failed-login throttling (django-axes, see jaga/core/throttle.py): per user name and address together, and
# per address across user names.
AXES_FAILURE_LIMIT: int = conf.read("JAGA_LOGIN_ATTEMPTS")
JAGA_LOGIN_ADDRESS_ATTEMPTS: int = conf.read("JAGA_LOGIN_ADDRESS_ATTEMPTS")
AXES_COOLOFF_TIME: float = conf.read("JAGA_LOCKOUT_MINUTES") / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "jaga.core.throttle.LoginThrottleHandler"
AXES_LOCKOUT_CALLABLE = "jaga.core.throttle.lockout_response"
AXES_RESET_ON_SUCCESS = True
# A refused attempt during a lock does not prolong it: "try again after 15 minutes" stays true.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_VERBOSE = False

OTP_TOTP_ISSUER = "Jaga"

# Two queues, each with its own worker under `jaga up`: "quick" for what must not wait (notifications,
# rollups, diagnostics, the sweeps) and "long" for what may take an hour (backups, log ingestion, reports,
# look-ups). A task must name one: django-tasks refuses any other queue when the task is defined.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["quick", "long"]}}

JAGA_EMAIL_URL: str = conf.read("JAGA_EMAIL_URL")
_email_url = JAGA_EMAIL_URL
if _email_url:
    from urllib.parse import unquote, urlsplit

    _email = urlsplit(_email_url)
    EMAIL_HOST = _email.hostname or "localhost"
    EMAIL_PORT = _email.port or 25
    EMAIL_HOST_USER = unquote(_email.username or "")
    EMAIL_HOST_PASSWORD = unquote(_email.password or "")
    EMAIL_USE_TLS = _email.scheme == "smtp+tls" or EMAIL_PORT == 587
    EMAIL_USE_SSL = _email.scheme == "smtps"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL: str = conf.read("JAGA_DEFAULT_FROM_EMAIL")
# Where people open Jaga: notifications link back to the object they are about (empty: no links).
JAGA_BASE_URL: str = conf.read("JAGA_BASE_URL")

JAGA_PROBE_CONCURRENCY: int = conf.read("JAGA_PROBE_CONCURRENCY")
JAGA_PROBE_NAME: str = conf.read("JAGA_PROBE_NAME")
JAGA_PROBE_CONTROL_URL: str = conf.read("JAGA_PROBE_CONTROL_URL")
JAGA_RESULTS_RETENTION_HOURS: int = conf.read("JAGA_RESULTS_RETENTION_HOURS")
JAGA_ROLLUP_MINUTE_RETENTION_HOURS: int = conf.read("JAGA_ROLLUP_MINUTE_RETENTION_HOURS")
JAGA_ROLLUP_HOUR_RETENTION_DAYS: int = conf.read("JAGA_ROLLUP_HOUR_RETENTION_DAYS")
JAGA_PROBE_BODY_BUDGET_MB: int = conf.read("JAGA_PROBE_BODY_BUDGET_MB")
JAGA_LIVE_SECONDS: int = conf.read("JAGA_LIVE_SECONDS")
JAGA_INCIDENT_RESOLVE_CHECKS: int = conf.read("JAGA_INCIDENT_RESOLVE_CHECKS")
JAGA_INCIDENT_ESCALATE_AFTER: dict[str, int] = conf.read("JAGA_INCIDENT_ESCALATE_AFTER")
JAGA_HTTP_ALLOW_PRIVATE: bool = conf.read("JAGA_HTTP_ALLOW_PRIVATE")
JAGA_TRAFFIC_RULES_DIR: str = conf.read("JAGA_TRAFFIC_RULES_DIR")
JAGA_TRAFFIC_INTERVAL: int = conf.read("JAGA_TRAFFIC_INTERVAL")
JAGA_TRAFFIC_BLOCK_HOURS: int = conf.read("JAGA_TRAFFIC_BLOCK_HOURS")
JAGA_TRAFFIC_RETENTION_DAYS: int = conf.read("JAGA_TRAFFIC_RETENTION_DAYS")
JAGA_TRAFFIC_CRAWLER_DNS: str = conf.read("JAGA_TRAFFIC_CRAWLER_DNS")
JAGA_TRAFFIC_TRUSTED_PROXIES: list[str] = conf.read("JAGA_TRAFFIC_TRUSTED_PROXIES")
JAGA_HTTP_ALLOW_INTERNAL: bool = conf.read("JAGA_HTTP_ALLOW_INTERNAL")
JAGA_TRAFFIC_S3_URL: str = conf.read("JAGA_TRAFFIC_S3_URL")
JAGA_TRAFFIC_S3_ACCESS_KEY: str = conf.read("JAGA_TRAFFIC_S3_ACCESS_KEY")
JAGA_TRAFFIC_S3_SECRET_KEY: str = conf.read("JAGA_TRAFFIC_S3_SECRET_KEY")
JAGA_TRAFFIC_S3_REGION: str = conf.read("JAGA_TRAFFIC_S3_REGION")
JAGA_TRAFFIC_S3_QUERY: bool = conf.read("JAGA_TRAFFIC_S3_QUERY")
if JAGA_TRAFFIC_S3_URL and not (JAGA_TRAFFIC_S3_ACCESS_KEY and JAGA_TRAFFIC_S3_SECRET_KEY):
    raise conf.ConfigError(
        "JAGA_TRAFFIC_S3_URL diisi tanpa JAGA_TRAFFIC_S3_ACCESS_KEY dan JAGA_TRAFFIC_S3_SECRET_KEY / "
        "JAGA_TRAFFIC_S3_URL is set without JAGA_TRAFFIC_S3_ACCESS_KEY and JAGA_TRAFFIC_S3_SECRET_KEY"
    )
if JAGA_TRAFFIC_S3_QUERY and not JAGA_TRAFFIC_S3_URL:
    raise conf.ConfigError(
        "JAGA_TRAFFIC_S3_QUERY=true tanpa JAGA_TRAFFIC_S3_URL / JAGA_TRAFFIC_S3_QUERY=true without JAGA_TRAFFIC_S3_URL"
    )
JAGA_USER_AGENT: str = conf.read("JAGA_USER_AGENT")
JAGA_SCHEDULER_INTERVAL: int = conf.read("JAGA_SCHEDULER_INTERVAL")
JAGA_HEARTBEAT_SECONDS: int = conf.read("JAGA_HEARTBEAT_SECONDS")
JAGA_PROCESSES: list[str] = conf.read("JAGA_PROCESSES")
JAGA_WORKER_CONCURRENCY: int = conf.read("JAGA_WORKER_CONCURRENCY")
JAGA_WEB_THREADS: int = conf.read("JAGA_WEB_THREADS")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": conf.read("JAGA_LOG_LEVEL")},
    # WeasyPrint says each step of each PDF at INFO (over a hundred lines for one `jaga demo`).
    "loggers": {"django.db.backends": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}},
}
