"""Django app configuration for integrity: the guards are reinstalled after every migrate."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import pgettext_lazy


def _install_guards(sender, using: str = "default", **kwargs) -> None:
    from .guards import install_guards

    install_guards(using)


class IntegrityConfig(AppConfig):
    name = "weituo.integrity"
    label = "integrity"
    verbose_name = pgettext_lazy("app", "Integrity")

    def ready(self) -> None:
        # Sent once per app after migrate; tied to this app so the guards are installed once, after
        # every table (of every app) exists.
        post_migrate.connect(_install_guards, sender=self, dispatch_uid="weituo-integrity-guards")
