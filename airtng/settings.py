"""Airtng settings, read from the environment (and `.env` in the project root).

The variables and their defaults are the operator's contract: see the README.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

DEV_SECRET_KEY = "dev-only-insecure-key-change-me-in-production"

env = environ.Env(
    DEBUG=(bool, False),
    SECRET_KEY=(str, DEV_SECRET_KEY),
    ALLOWED_HOSTS=(list, ["localhost", "127.0.0.1"]),
    DATABASE_URL=(str, f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
    TWILIO_ACCOUNT_SID=(str, ""),
    TWILIO_AUTH_TOKEN=(str, ""),
    TWILIO_PHONE_NUMBER=(str, "+15005550006"),
    TWILIO_API_BASE_URL=(str, "https://api.twilio.com"),
    PUBLIC_BASE_URL=(str, ""),
    TWILIO_TIMEOUT_SECONDS=(float, 10.0),
    HOST_REPLY_WINDOW_MINUTES=(int, 1440),
    EMAIL_URL=(str, "consolemail://"),
    DEFAULT_FROM_EMAIL=(str, "Airtng <noreply@localhost>"),
    MEDIA_ROOT=(str, str(BASE_DIR / "media")),
    MEDIA_URL=(str, "media/"),
    STATIC_ROOT=(str, str(BASE_DIR / "staticfiles")),
    MAX_REQUEST_BYTES=(int, 6 * 1024 * 1024),
    TRUSTED_PROXY_COUNT=(int, 0),
    SMS_COUNTRIES=(list, ["US", "CA", "GB", "JP"]),
    SMS_ONE_WAY_COUNTRIES=(list, ["JP"]),
    TWILIO_PROXY_NUMBERS=(list, []),
    SMS_RECORD_ONLY=(bool, False),
    LOG_LEVEL=(str, "INFO"),
    PRUNE_AFTER_DAYS=(int, 30),
    WORKER_THREADS=(int, 0),
    IVR_TREE_CHECK_SECONDS=(float, 1.0),
    PHONE_BOOK_CHECK_SECONDS=(float, 1.0),
    CALL_LOG_BATCH=(int, 200),
    CALL_LOG_WAIT_SECONDS=(float, 1.0),
)
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env("DEBUG")
SECRET_KEY = env("SECRET_KEY")
if not DEBUG and SECRET_KEY == DEV_SECRET_KEY:
    raise ImproperlyConfigured("Set SECRET_KEY: production refuses to start with the dev key.")
# Django's own test of a strong key (security.W009): an empty or short one signs nothing safely.
if not DEBUG and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5):
    raise ImproperlyConfigured(
        "Set SECRET_KEY to 50 or more random characters: production refuses to start with an "
        "empty or short key."
    )
ALLOWED_HOSTS = env("ALLOWED_HOSTS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "phonenumber_field",
    "airtng",
    # Before django_tasks_db: its db_worker command is extended by ours.
    "airtng.messaging",
    "django_tasks_db",
    "airtng.simulator",
    "airtng.limits",
    "accounts",
    "properties",
    "reservations",
    "reservations.conversations",
    "ivr",
]

MIDDLEWARE = [
    # GET /healthz, before the HTTPS redirect and the host check: load balancers call it so.
    "airtng.health.answer_health_checks",
    "airtng.logs.log_context",
    "django.middleware.security.SecurityMiddleware",
    # Static files, hashed and compressed, straight from gunicorn: no web server to configure.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "airtng.middleware.RequestSizeLimitMiddleware",
    # Twilio's webhooks are answered here, without the browser's middleware below.
    "airtng.webhooks.answer_twilio_webhooks",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "airtng.sessions.SessionUserMiddleware",
    "accounts.middleware.person_language",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# A signed-in request reads its session and its user in one query (airtng.sessions).
SESSION_ENGINE = "airtng.sessions"
AUTHENTICATION_BACKENDS = ["airtng.sessions.UserBackend"]

ROOT_URLCONF = "airtng.urls"
WSGI_APPLICATION = "airtng.wsgi.application"

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
                "airtng.simulator.context_processors.simulator",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL")}
# Opening a connection per request costs as much as a phone-tree step; keep them, checked.
DATABASES["default"].setdefault("CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers queue up behind one another instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# SMS are sent by `manage.py db_worker`, from tasks stored in the database beside the
# messages themselves (django-tasks-db).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Tasks one db_worker runs at once, each in its own thread (an SMS mostly waits on Twilio).
# SQLite has one writer at a time, so there one thread; 0 means that default.
WORKER_THREADS = env("WORKER_THREADS") or (
    1 if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" else 4
)

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ja", _("Japanese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Named formats of our own (STAY_DATE_FORMAT), per language, beside Django's.
FORMAT_MODULE_PATH = ["airtng.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

PHONENUMBER_DEFAULT_REGION = "US"
PHONENUMBER_DB_FORMAT = "E164"

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env("STATIC_ROOT")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # collectstatic writes each file under a name with its hash, and its gzip and brotli copies.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploaded photos: Django answers /media/ from MEDIA_ROOT; a deployment that serves them from its
# proxy, a CDN or a bucket points MEDIA_URL there (an https:// address, which the CSP allows).
MEDIA_URL = env("MEDIA_URL")
MEDIA_ROOT = env("MEDIA_ROOT")


def mailer_from_url(url_setting):
    """EMAIL_URL (smtp://user:pass@host:587, consolemail://, …) as a MAILERS entry."""
    email = env.email_url(url_setting)
    options = {}
    if email["EMAIL_BACKEND"].endswith("smtp.EmailBackend"):
        options = {
            "host": email["EMAIL_HOST"],
            "port": email["EMAIL_PORT"],
            "username": email["EMAIL_HOST_USER"],
            "password": email["EMAIL_HOST_PASSWORD"],
            "use_tls": email.get("EMAIL_USE_TLS", False),
            "use_ssl": email.get("EMAIL_USE_SSL", False),
        }
    elif email.get("EMAIL_FILE_PATH"):
        options = {"file_path": email["EMAIL_FILE_PATH"]}
    return {"BACKEND": email["EMAIL_BACKEND"], "OPTIONS": options}


MAILERS = {"default": mailer_from_url("EMAIL_URL")}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL")

TWILIO_ACCOUNT_SID = env("TWILIO_ACCOUNT_SID")
TWILIO_AUTH_TOKEN = env("TWILIO_AUTH_TOKEN")
TWILIO_PHONE_NUMBER = env("TWILIO_PHONE_NUMBER")
TWILIO_API_BASE_URL = env("TWILIO_API_BASE_URL")
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL")
TWILIO_TIMEOUT_SECONDS = env("TWILIO_TIMEOUT_SECONDS")
# Countries whose numbers Airtng accepts at sign-up and texts (ISO 3166 codes).
SMS_COUNTRIES = [code.strip().upper() for code in env("SMS_COUNTRIES") if code.strip()]
# Countries whose numbers cannot reply by SMS: their hosts decide by link or by call.
SMS_ONE_WAY_COUNTRIES = [
    code.strip().upper() for code in env("SMS_ONE_WAY_COUNTRIES") if code.strip()
]
# Numbers of the account that mask guests' and hosts' numbers from each other (E.164).
TWILIO_PROXY_NUMBERS = [number.strip() for number in env("TWILIO_PROXY_NUMBERS") if number.strip()]

# A 5 MB photo plus the rest of its form; larger bodies get 413 before anything reads them.
MAX_REQUEST_BYTES = env("MAX_REQUEST_BYTES")
# How many proxies in front of gunicorn append to X-Forwarded-For: rate limits count per
# client address, which is REMOTE_ADDR when none is.
TRUSTED_PROXY_COUNT = env("TRUSTED_PROXY_COUNT")

# No inline script or style anywhere: every page's code is a static file of our own.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "https:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# How often each process asks whether the phone tree changed: an edit is heard within this.
IVR_TREE_CHECK_SECONDS = env("IVR_TREE_CHECK_SECONDS")
# How often each process asks whether a verified number changed (accounts/phone_book.py).
PHONE_BOOK_CHECK_SECONDS = env("PHONE_BOOK_CHECK_SECONDS")
# The call log writes each process's steps this many at a time, or this long after the first
# (ivr/call_log.py): what a killed process can lose.
CALL_LOG_BATCH = max(1, env("CALL_LOG_BATCH"))
CALL_LOG_WAIT_SECONDS = env("CALL_LOG_WAIT_SECONDS")

# How long a host has to answer a request before it expires.
HOST_REPLY_WINDOW_MINUTES = env("HOST_REPLY_WINDOW_MINUTES")

# With no Twilio credentials and DEBUG off, SMS are only recorded if the operator says so.
SMS_RECORD_ONLY = env("SMS_RECORD_ONLY")
# Finished task rows, delivered SMS bodies and call steps are pruned after this many days.
PRUNE_AFTER_DAYS = env("PRUNE_AFTER_DAYS")

if PUBLIC_BASE_URL:
    # Forms posted through an HTTPS tunnel or a proxy come from the public origin.
    CSRF_TRUSTED_ORIGINS = [PUBLIC_BASE_URL.rstrip("/")]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "airtng.logs.AddContext"}},
    "formatters": {
        "line": {
            "()": "airtng.logs.OneLineFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s [%(doing)s] %(message)s",
        }
    },
    "handlers": {
        "stdout": {
            "class": "airtng.logs.Stdout",
            "level": env("LOG_LEVEL"),
            "filters": ["context"],
            "formatter": "line",
        }
    },
    "root": {"handlers": ["stdout"], "level": env("LOG_LEVEL")},
    # Django's own handlers print to stderr only with DEBUG on; everything goes to stdout instead.
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        # twilio logs every request's fields (phone numbers, bodies) at INFO.
        "twilio": {"level": "WARNING"},
    },
}

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # __Host-: the browser keeps them to this host, over HTTPS, for every path.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
