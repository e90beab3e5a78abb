"""Django app configuration for batches."""

from django.apps import AppConfig


class BatchesConfig(AppConfig):
    name = "weituo.batches"
    label = "batches"
    verbose_name = "批次与放行 Batches"

    def ready(self) -> None:
        # Register this app's visibility rules with the policy (access imports no domain model).
        from . import visibility

        visibility.register()
