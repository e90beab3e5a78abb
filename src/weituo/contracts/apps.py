"""Django app configuration for contracts."""

from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class ContractsConfig(AppConfig):
    name = "weituo.contracts"
    label = "contracts"
    verbose_name = pgettext_lazy("app", "Contracts")

    def ready(self) -> None:
        # Register this app's visibility rules with the policy (access imports no domain model).
        from . import visibility

        visibility.register()
