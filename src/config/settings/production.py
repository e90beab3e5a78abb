"""Settings for a real deployment: secrets and hosts from the environment, secure cookies."""

import os

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = os.environ["WEITUO_SECRET_KEY"]
ALLOWED_HOSTS = [h for h in os.environ.get("WEITUO_ALLOWED_HOSTS", "").split(",") if h]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
