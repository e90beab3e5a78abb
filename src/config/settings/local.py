"""Settings for a developer's machine and for ``weituo demo``: debug on, SQLite by default."""

from .base import *  # noqa: F403

DEBUG = True

# Quality-event notifications are printed to the console on a developer's machine.
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
