"""``runserver`` that refuses to start while an audit-trail guard is missing."""

from django.contrib.staticfiles.management.commands.runserver import Command as StaticfilesRunserver
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import CommandError

from weituo.integrity.guards import require_guards


class Command(StaticfilesRunserver):
    def inner_run(self, *args, **options):
        try:
            require_guards()
        except ImproperlyConfigured as e:
            raise CommandError(str(e)) from None
        return super().inner_run(*args, **options)
