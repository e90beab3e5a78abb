"""Settings shared by every environment.

The database comes from ``DATABASE_URL`` (``sqlite:////path/db.sqlite3`` or ``postgres://…``);
without it weituo keeps a SQLite file in its data directory (``WEITUO_DATA_DIR``, default ``./var``),
so that a first run needs no set-up at all.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("WEITUO_DATA_DIR", "var")).resolve()

SECRET_KEY = os.environ.get("WEITUO_SECRET_KEY", "insecure-development-key-change-me")
DEBUG = False
ALLOWED_HOSTS: list[str] = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    # First, so that its runserver (which refuses to start without the audit guards) takes precedence.
    "weituo.integrity",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "weituo.core",
    "weituo.accounts",
    "weituo.registry",
    "weituo.contracts",
    "weituo.quality",
    "weituo.batches",
    "weituo.exchange",
    "weituo.compliance",
    "weituo.web",
    "weituo.api",
    "weituo.demo",
    "django_htmx",
    # For its templates and static files: the API docs page (Swagger UI) served locally, no CDN.
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.actor: the logged-in user as the Actor every service and selector takes.
    "weituo.accounts.middleware.ActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # request.htmx: the web pages answer an htmx request with the fragment it swaps in.
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes requires: turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
            ],
        },
    },
]


def database_from_env() -> dict:
    """The default database: ``DATABASE_URL`` if set, else SQLite in the data directory."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{DATA_DIR / 'weituo.sqlite3'}"
    config = dj_database_url.parse(url, conn_max_age=0)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # A writer waits for another instead of failing at once with "database is locked"; in WAL
        # mode readers never wait for a writer's commit (every logged-in request saves its session).
        config.setdefault("OPTIONS", {}).update(
            {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            }
        )
    return config


DATABASES = {"default": database_from_env()}

# The Ed25519 key that signs ledger checkpoints lives in files, never in the database it vouches for.
WEITUO_KEY_DIR = Path(os.environ.get("WEITUO_KEY_DIR", DATA_DIR / "keys"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Lockout is by username on purpose (see AXES_LOCKOUT_PARAMETERS): locking by address would lock a
# whole plant out behind one NAT address. axes warns about that choice on every command.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# The UI speaks Chinese first, English second.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
# Times are stored in UTC and shown in China Standard Time.
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
# One zh-Hans catalogue for all of weituo (src/weituo/locale): English msgids, Chinese translations.
LOCALE_PATHS = [BASE_DIR.parent / "weituo" / "locale"]
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = DATA_DIR / "media"

# Attachments beside structured records (quality agreements…): a bounded size.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# --- authentication: individual accounts, Argon2, lockout, sessions ------------------------------
# axes first: it refuses a locked-out username before any backend checks the password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Argon2 for new and changed passwords; the others only verify (and upgrade) older hashes.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# The web app's login page; after logging in, the workspace; after logging out, the login page again.
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"
# Lockout (django-axes): 5 failed logins lock the username for 30 minutes, from whatever address
# they come; a successful login clears the count.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
# Sessions: at most 8 hours without a request (each request renews the expiry: an idle timeout),
# and none survives closing the browser.
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
# Electronic signatures of releases: the page on which a QP reviews the package and re-enters the
# password is valid this long; a release signed on an older page is refused (issue #6 item 10).
WEITUO_SIGNING_WINDOW_SECONDS = int(os.environ.get("WEITUO_SIGNING_WINDOW_SECONDS", "300"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
