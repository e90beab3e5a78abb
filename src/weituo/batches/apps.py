"""Django app configuration for batches."""

from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class BatchesConfig(AppConfig):
    name = "weituo.batches"
    label = "batches"
    verbose_name = pgettext_lazy("app", "Batches")

    def ready(self) -> None:
        # Register this app's visibility rules with the policy (access imports no domain model).
        from . import visibility

        visibility.register()
