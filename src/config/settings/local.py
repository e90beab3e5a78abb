"""Settings for a developer's machine and for ``weituo demo``: debug on, SQLite by default."""

from .base import *  # noqa: F403

DEBUG = True
