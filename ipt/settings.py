"""Settings for IPT, read from the environment.

Local use needs nothing but ``DEBUG=1`` (``make run`` sets it). A production deployment sets
``SECRET_KEY``, ``ALLOWED_HOSTS`` and ``DATABASE_URL`` and leaves ``DEBUG`` unset.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=1 for local use).")
    SECRET_KEY = "local-development-only-not-secret-" + "x" * 20

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

CLINIC_NAME = os.environ.get("CLINIC_NAME", "Riverside IPT Clinic")
# The number a patient calls the clinic on: printed on every page of every patient document.
CLINIC_PHONE = os.environ.get("CLINIC_PHONE", "01632 960 000")

# Measurement-based care: a repeat PHQ-9 at least every this many sessions (1: weekly).
PHQ9_EVERY_SESSIONS = max(1, int(os.environ.get("PHQ9_EVERY_SESSIONS", "4")))

# IPT-A: a parent or carer signs an adolescent's treatment contract beside the adolescent
# and the therapist (the contract's form and PDF then carry their signature line).
IPTA_PARENT_SIGNS_CONTRACT = env_bool("IPTA_PARENT_SIGNS_CONTRACT", True)

# The patient's questionnaire link before a session (sessions_app/selfreport/): single use,
# working for this many hours after it is made.
QUESTIONNAIRE_LINK_HOURS = max(1, int(os.environ.get("QUESTIONNAIRE_LINK_HOURS", "72")))
# Requests to the patient's pages: (requests, per seconds) per address, per link, and unknown
# links per address. Generous per address: a clinic tablet, or a mobile network's shared one.
QUESTIONNAIRE_RATE_PER_ADDRESS = (200, 600)
QUESTIONNAIRE_RATE_PER_LINK = (100, 600)
QUESTIONNAIRE_RATE_UNKNOWN_PER_ADDRESS = (20, 600)

# The therapist's calendar feed (sessions_app/calendarfeed/): how long a session's event lasts,
# and reads per feed (a calendar app polls every few minutes at most); the address limits above
# apply to it too, unknown addresses counted with the questionnaire's.
CALENDAR_SESSION_MINUTES = int(os.environ.get("CALENDAR_SESSION_MINUTES", "50"))
CALENDAR_RATE_PER_FEED = (60, 600)

# The patient's reminder email (sessions_app/reminders.py), for patients who agreed to it: sent
# this many hours before a planned session, by a task the worker runs every few minutes. Links
# in it (the questionnaire's) start with SITE_URL, the address patients reach the app at.
REMINDER_HOURS_BEFORE = int(os.environ.get("REMINDER_HOURS_BEFORE", "24"))
REMINDER_EVERY_MINUTES = int(os.environ.get("REMINDER_EVERY_MINUTES", "10"))
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Email: the questionnaire link to a patient, "a questionnaire needs your attention" to a
# therapist. In DEBUG the messages are printed on the console (EMAIL_HOST sends them for real);
# otherwise SMTP to EMAIL_HOST, with STARTTLS unless EMAIL_USE_TLS=0.
if DEBUG and not os.environ.get("EMAIL_HOST"):
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ.get("EMAIL_HOST", "localhost"),
                "port": int(os.environ.get("EMAIL_PORT", "587")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", default=True),
                "timeout": 10,
            },
        }
    }
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", f"{CLINIC_NAME} <noreply@localhost>")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "django.contrib.postgres",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "pgtrigger",
    "pghistory",
    "django_tasks_db",
    "ipt",
    "ipt.devtools",
    "patients",
    "sessions_app",
    "groups",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "ipt.accounts.sessions.RenewingSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Ties every change a request makes to the record to the signed-in user (ipt/accounts/history.py).
    "pghistory.middleware.HistoryMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "ipt.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "ipt.accounts.sessions.session_lifetime_middleware",
    "ipt.accounts.mfa.mfa_middleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "ipt.middleware.patient_data_headers",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# Second factor (django-otp, ipt/accounts/mfa.py): every staff account signs in with a TOTP
# code after the password whenever DEBUG is off. The demo clinic (DEBUG) leaves it optional so
# that its users sign in with a password alone; MFA_REQUIRED=1 turns it on locally too.
MFA_REQUIRED = env_bool("MFA_REQUIRED", default=not DEBUG)
OTP_TOTP_ISSUER = "IPT"

# Lockout (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username, or from one
# address, logins are refused for the cool-off time, whatever the password; a clinic admin
# unlocks an account early in the admin ("Access attempts") or with `manage.py axes_reset`.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one alone locks
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_SENSITIVE_PARAMETERS = ["password"]
AXES_VERBOSE = False  # the audit (AuthEvent) records what matters

# Long renders (the course summary PDF) run in the background: Django's tasks framework, queued
# in the database (django-tasks-db) and run by `manage.py db_worker`, which `make run` starts
# beside the server. TASKS_IMMEDIATE=1 runs every task inside the request instead (no worker).
TASKS = {
    "default": {
        "BACKEND": (
            "django.tasks.backends.immediate.ImmediateBackend"
            if env_bool("TASKS_IMMEDIATE")
            else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default"],
    }
}

ROOT_URLCONF = "ipt.urls"
WSGI_APPLICATION = "ipt.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ipt.context_processors.clinic",
            ],
            "builtins": ["django_htmx.templatetags.django_htmx"],
        },
    },
]

# Our field template (label, help, error next to the field) is used by every form.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# A project-local cluster is the default for `make run`; anything else comes in DATABASE_URL.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", "postgres://ipt@127.0.0.1:54329/ipt"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("IPT runs on PostgreSQL only: DATABASE_URL must be postgres://")

# Connection pooling (README, Deployment, "Connection pooling"). DATABASE_POOL=1: psycopg's
# pool in each worker process, which keeps, checks and replaces the connections itself, so the
# persistent connections of CONN_MAX_AGE are turned off (Django refuses the two together).
if env_bool("DATABASE_POOL"):
    from psycopg_pool import ConnectionPool

    DATABASES["default"].update(CONN_MAX_AGE=0, CONN_HEALTH_CHECKS=False)
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": int(os.environ.get("DATABASE_POOL_MIN_SIZE", "1")),
        "max_size": int(os.environ.get("DATABASE_POOL_MAX_SIZE", "4")),
        "timeout": float(os.environ.get("DATABASE_POOL_TIMEOUT", "10")),  # waiting for one
        "max_idle": 300,  # an idle connection beyond min_size is closed after five minutes
        "check": ConnectionPool.check_connection,  # a dead connection is never handed out
    }
# PGBOUNCER=1: the app talks to PgBouncer in transaction mode, where consecutive transactions
# may run on different server connections. A server-side cursor (QuerySet.iterator()) lives in
# one server session across fetches, so Django must not use them. Prepared statements, the
# other session-bound feature, are already off (Django sets psycopg's prepare_threshold=None).
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool("PGBOUNCER")

# Per-process memory caches. "rows": the caseload review's rendered rows, keyed by every value
# a row shows (its stored watch's refresh time among them), so a change is a new key, never a
# stale row; one worker keeps the rows of a few large caseloads (about 3 kB each).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "rows": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "rows",
        "TIMEOUT": 24 * 3600,
        "OPTIONS": {"MAX_ENTRIES": 5000},
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "ipt.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

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

# Clinical records on a shared clinic computer: an idle session ends after two hours.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(2 * 60 * 60)))
# Each request renews the idle time, written at most once a minute (ipt/accounts/sessions.py).
SESSION_SAVE_EVERY_REQUEST = False
SESSION_RENEW_SECONDS = 60
# However active, a login ends this long after the sign-in (ipt/accounts/sessions.py).
SESSION_ABSOLUTE_SECONDS = int(os.environ.get("SESSION_ABSOLUTE_SECONDS", str(12 * 60 * 60)))

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# In DEBUG, whitenoise serves straight from the finders; production serves collectstatic's output.
STATIC_ROOT = None if DEBUG else BASE_DIR / "var" / "staticfiles"
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

# No inline script or style anywhere: everything comes from our own static files.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    if env_bool("BEHIND_TLS_PROXY"):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint and fontTools narrate every PDF at INFO; only their warnings matter.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
