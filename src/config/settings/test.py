"""Settings for the test suite: same database selection as base (CI sets ``DATABASE_URL`` for PostgreSQL)."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed: tests hash many passwords
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="weituo-test-media-"))
WEITUO_KEY_DIR = Path(tempfile.mkdtemp(prefix="weituo-test-keys-"))
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
