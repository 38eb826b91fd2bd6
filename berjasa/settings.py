"""Settings, read from the environment (see README "Configuration").

The defaults are for development (DEBUG on, SQLite, localhost only). Production sets DEBUG=false, and then
SECRET_KEY must be set and ALLOWED_HOSTS named, or the start fails with a message.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from berjasa.env import env_bool, env_int, env_list, env_networks, env_str
from berjasa.formats.id import formats as clerk_formats

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=True)

SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-key"  # noqa: S105 - DEBUG only

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "berjasa.apps.BerjasaAdminConfig",  # django.contrib.admin with our site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "import_export",
    "django_filters",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "berjasa",
    "programs",
    "enrollment",
    "reports",
    "privacy",
    "bpjs",
    "budget",
    "mailing",
    "compliance",
    "invitations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "berjasa.security.SecurityHeadersMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "berjasa.second_factor.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "berjasa.audit.AuditMiddleware",
    "axes.middleware.AxesMiddleware",
    "berjasa.security.StatementTimeoutMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "berjasa.urls"
WSGI_APPLICATION = "berjasa.wsgi.application"
ASGI_APPLICATION = "berjasa.asgi.application"

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

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the development server and a command share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
# A read replica (PostgreSQL streaming replication) answers the reports' reads when it is configured; the primary
# does otherwise. It is never migrated or written to (berjasa.routers).
if replica_url := env_str("DATABASE_REPLICA_URL", ""):
    DATABASES["replica"] = dj_database_url.parse(
        replica_url,
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
        test_options={"MIRROR": "default"},
    )
REPORTS_DATABASE = "replica" if replica_url else "default"
DATABASE_ROUTERS = ["berjasa.routers.ReportsRouter"]
# Our backends are Django's, with the coverage ledger settled before each commit (berjasa.db).
for database in DATABASES.values():
    database["ENGINE"] = {
        "django.db.backends.postgresql": "berjasa.db.postgresql",
        "django.db.backends.sqlite3": "berjasa.db.sqlite3",
    }.get(database["ENGINE"], database["ENGINE"])

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# membership_report_idx covers extra columns on PostgreSQL; SQLite builds it on the key columns alone, as intended.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Indonesian")), ("en", _("English"))]
# locale_packages: the Indonesian of packages that ship none (django-import-export), decision 51.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_packages"]
USE_I18N = True
TIME_ZONE = env_str("TIME_ZONE", "Asia/Makassar")
USE_TZ = True
FORMAT_MODULE_PATH = ["berjasa.formats"]  # dates 31/08/2025, times 23.59 WITA (decision 39)
# Where no language's formats apply (django-import-export's date widgets read these settings directly): day
# first as clerks write, then ISO; never Django's month-first defaults, which read 01/03/2026 as 3 January.
DATE_INPUT_FORMATS = [*clerk_formats.DATE_INPUT_FORMATS, "%Y-%m-%d"]
DATETIME_INPUT_FORMATS = [*clerk_formats.DATETIME_INPUT_FORMATS, "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "berjasa" / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# History tables are indexed by berjasa.audit.AuditTrail; nothing reads them by date alone.
SIMPLE_HISTORY_DATE_INDEX = False

# Login limits (django-axes with berjasa.login_limits): failed logins per account from any address, and per
# address at any account, within LOGIN_LOCKOUT_MINUTES; a lock ends that long after the failure that set it.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 20)
AXES_COOLOFF_TIME = env_int("LOGIN_LOCKOUT_MINUTES", 30) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "berjasa.login_limits.LoginLimitsHandler"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "berjasa.access.client_ip"
# Our admin of lock-outs (berjasa.admin.accounts) replaces axes' own.
AXES_ENABLE_ADMIN = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True

# Second factor (django-otp, berjasa.second_factor): required for administrators, operators and managers;
# for employers when OTP_REQUIRED_FOR_EMPLOYERS is on (else they may enrol of their own accord).
OTP_REQUIRED_FOR_EMPLOYERS = env_bool("OTP_REQUIRED_FOR_EMPLOYERS", default=False)
OTP_TOTP_ISSUER = "Makassar Berjasa"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows a device's secret or recovery codes
# Addresses or networks of the reverse proxies in front of the app; X-Forwarded-For is read only from them.
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES")
if "PROXY_COUNT" in os.environ:
    raise ImproperlyConfigured(
        "PROXY_COUNT was replaced by TRUSTED_PROXIES (the proxies' addresses or networks)."
    )

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# HTTPS only, on by default in production (the reverse proxy terminates TLS and sets X-Forwarded-Proto).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 60 * 60)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp; decision 32): scripts and styles from our own static files only. The
# one event handler and the style attributes of two library templates (django-import-export's export page,
# django-simple-history's list) are allowed by their hashes; report charts are images, so their SVG styles
# stay inside them.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": [
            "'self'",
            "'unsafe-hashes'",
            "'sha256-wid4zL8fR53ZYy1ljOepzR77Dn6vWUUxuNnnWWBP3I8='",  # onSelectToggleChange(event)
        ],
        "style-src": [
            "'self'",
            "'unsafe-hashes'",
            "'sha256-mHgUAqxc8GPXM/QhzkHrHujcrQTU9fd6ZjWz+icxKcA='",  # padding: 0;
            "'sha256-+YWRMZ88jMyO7jVlBA52tZADiPobPIUA8LAWee68Fvs='",  # font-weight: bold;
            "'sha256-XMXSevYjgSjXgRafBFDvtjwX+yyWLrxfso9DcNZ9UXM='",  # border-top: 0
        ],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# A web request's statement is cancelled after this many seconds (PostgreSQL; berjasa.security). Commands and
# the background worker are not limited.
WEB_STATEMENT_TIMEOUT_SECONDS = env_int("WEB_STATEMENT_TIMEOUT_SECONDS", 30)

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "noreply@berjasa.makassarkota.go.id")
# The portal's address as its users reach it: the links in e-mails (activation, reminders) start with it.
SITE_URL = env_str(
    "SITE_URL", "http://127.0.0.1:8000" if DEBUG else "https://berjasa.makassarkota.go.id"
)
# The monthly roster confirmation's reminder (send_roster_reminders, run daily): mailed to the users of employers
# that have not confirmed the month, from this many days before the month's end (and at most once a month).
ROSTER_REMINDER_DAYS_BEFORE = env_int("ROSTER_REMINDER_DAYS_BEFORE", 5)
# The right-hand side of every mail's Message-ID (<outbox-ID@domain>): one per outbox row, the same at each try.
MAIL_MESSAGE_ID_DOMAIN = env_str("MAIL_MESSAGE_ID_DOMAIN", "berjasa.makassarkota.go.id")
# The city's own mail relay (decision 71: SMTP, no third-party API handling personal data). EMAIL_USE_TLS is
# STARTTLS on port 587, EMAIL_USE_SSL TLS from the start (port 465); one of them at most.
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
# Seconds to wait for the mail server (connecting, each reply) before the mail is retried later.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured(
        "EMAIL_USE_TLS and EMAIL_USE_SSL exclude each other: set one of them."
    )
if not 1 <= EMAIL_PORT <= 65535:
    raise ImproperlyConfigured(f"EMAIL_PORT={EMAIL_PORT} is not a port (1-65535).")
if EMAIL_HOST_USER and not EMAIL_HOST_PASSWORD:
    raise ImproperlyConfigured("EMAIL_HOST_USER is set without EMAIL_HOST_PASSWORD.")
# The outbox (mailing.delivery): the background worker sends up to MAIL_BATCH_SIZE due mails per job over one
# connection. A mail the server could not take now (down, or a 4xx answer) is tried again after
# MAIL_RETRY_BASE_SECONDS × 2^(attempts-1), at most MAIL_RETRY_MAX_SECONDS; after MAIL_MAX_ATTEMPTS it has failed.
MAIL_BATCH_SIZE = env_int("MAIL_BATCH_SIZE", 500, minimum=1)
MAIL_RETRY_BASE_SECONDS = env_int("MAIL_RETRY_BASE_SECONDS", 60, minimum=1)
MAIL_RETRY_MAX_SECONDS = env_int("MAIL_RETRY_MAX_SECONDS", 3600, minimum=1)
MAIL_MAX_ATTEMPTS = env_int("MAIL_MAX_ATTEMPTS", 8, minimum=1)
if MAIL_RETRY_MAX_SECONDS < MAIL_RETRY_BASE_SECONDS:
    raise ImproperlyConfigured("MAIL_RETRY_MAX_SECONDS must not be below MAIL_RETRY_BASE_SECONDS.")
# Days an invitation's activation link stays valid (from sending, and again from each re-send).
INVITATION_VALID_DAYS = env_int("INVITATION_VALID_DAYS", 14, minimum=1)

IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
# The admin's Import needs the permission to add the model's records, Export the permission to view them.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"

# Background jobs (django-tasks): large imports run in `manage.py db_worker`, which `make run` starts beside the
# web server. TASKS_BACKEND=django_tasks.backends.immediate.ImmediateBackend runs them inside the request instead.
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Roster and DTSEN imports (enrollment.imports).
IMPORT_MAX_FILE_MB = env_int("IMPORT_MAX_FILE_MB", 100)
# Files up to this size are checked and imported inside the request; larger ones by the background worker.
IMPORT_INLINE_MAX_KB = env_int("IMPORT_INLINE_MAX_KB", 1024)
# A step run inside the request hands over to the background worker once it has taken this long, and waits at
# most this long for a lock: far below WEB_STATEMENT_TIMEOUT_SECONDS and the app server's timeout
# (docs/deployment.md, "Timeouts").
IMPORT_INLINE_SECONDS = env_int("IMPORT_INLINE_SECONDS", 5)
# The lease of a batch being checked or imported: renewed every third of it while the process works; a batch
# whose lease has expired is interrupted and retried in the background, at most IMPORT_MAX_ATTEMPTS starts.
IMPORT_LEASE_SECONDS = env_int("IMPORT_LEASE_SECONDS", 30)
IMPORT_MAX_ATTEMPTS = env_int("IMPORT_MAX_ATTEMPTS", 3)
# The background worker's import waits at most this long for a row lock held by someone else, then is
# interrupted (and retried).
IMPORT_LOCK_TIMEOUT_SECONDS = env_int("IMPORT_LOCK_TIMEOUT_SECONDS", 60)
# What any import file may hold, checked before and while it is read (enrollment.imports.workbook, decision 43):
# rows (every row of the file), columns, characters in a cell (Excel's own limit by default); for an XLSX, its
# total unpacked size (and each sheet's), the unpacked size of its table of texts (shared strings), how much more a
# part may unpack to than its packed size, and how many parts the zip may hold.
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 500_000, minimum=1)
IMPORT_MAX_COLUMNS = env_int("IMPORT_MAX_COLUMNS", 100, minimum=1)
IMPORT_MAX_CELL_CHARS = env_int("IMPORT_MAX_CELL_CHARS", 32_767, minimum=1)
IMPORT_MAX_UNPACKED_MB = env_int("IMPORT_MAX_UNPACKED_MB", 1_024, minimum=1)
IMPORT_MAX_SHARED_STRINGS_MB = env_int("IMPORT_MAX_SHARED_STRINGS_MB", 128, minimum=1)
IMPORT_MAX_COMPRESSION_RATIO = env_int("IMPORT_MAX_COMPRESSION_RATIO", 100, minimum=1)
IMPORT_MAX_XLSX_PARTS = env_int("IMPORT_MAX_XLSX_PARTS", 1_000, minimum=1)
# The admin's per-model imports (django-import-export, saved row by row inside the request) take files up to
# this many rows.
ADMIN_IMPORT_MAX_ROWS = env_int("ADMIN_IMPORT_MAX_ROWS", 5_000)
# Linking a person the city already knows needs proof of identity (enrollment.identity); after this many refused
# attempts in an hour by one user, or for one employer, further attempts are refused without being checked.
IDENTITY_PROOF_FAILURES_PER_HOUR = env_int("IDENTITY_PROOF_FAILURES_PER_HOUR", 5, minimum=1)
# DTSEN households at or below this desil (1 = poorest) are registered; the rest are skipped.
DTSEN_MAX_DECILE = env_int("DTSEN_MAX_DECILE", 5)
if not 1 <= DTSEN_MAX_DECILE <= 10:
    raise ImproperlyConfigured("DTSEN_MAX_DECILE must be a desil from 1 to 10.")
# The declared income of city-funded non-wage earners: Rp1,000,000 gives the Rp16,800 JKK + JKM package.
DTSEN_DECLARED_INCOME = env_int("DTSEN_DECLARED_INCOME", 1_000_000)

# Files with personal data (import uploads, previews, error reports) are deleted this many days after their
# batch finished (or was created, if it never did); access records after ACCESS_LOG_RETENTION_DAYS.
# `manage.py purge_personal_files` deletes them (docs/deployment.md).
PERSONAL_FILE_RETENTION_DAYS = env_int("PERSONAL_FILE_RETENTION_DAYS", 90)
ACCESS_LOG_RETENTION_DAYS = env_int("ACCESS_LOG_RETENTION_DAYS", 2 * 365)

# Where seed_demo writes generated files (the DTSEN candidate list).
GENERATED_DIR = Path(env_str("GENERATED_DIR", str(BASE_DIR / "seeds" / "generated")))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
