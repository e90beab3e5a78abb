"""Settings of the web benchmark's server (``benchmarks/web.py``): the local settings, as in production
where it matters for speed (``DEBUG = False``: no query log, no debug pages), plus a trivial view.

Used with ``DJANGO_SETTINGS_MODULE=benchmarks.settings`` and the repository root on ``PYTHONPATH``.
"""

from config.settings.local import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "benchmarks.trivial_urls"
ALLOWED_HOSTS = ["127.0.0.1"]
