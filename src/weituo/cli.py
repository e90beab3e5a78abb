"""The ``weituo`` command: weituo's own commands and every Django management command, passed through.

``weituo demo``, ``weituo calendar load FILE``, ``weituo migrate``, ``weituo createsuperuser`` … all
run ``django-admin`` with weituo's settings (``config.settings.local`` unless
``DJANGO_SETTINGS_MODULE`` says otherwise).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["weituo", *argv])
    args[0] = "weituo"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
