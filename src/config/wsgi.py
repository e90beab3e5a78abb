"""WSGI entry point for production servers (gunicorn/uwsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()

# A server must not run with the audit trail's database guards missing.
from weituo.integrity.guards import require_guards  # noqa: E402 - needs Django set up first

require_guards()
