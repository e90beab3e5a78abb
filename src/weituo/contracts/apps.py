"""Django app configuration for contracts."""

from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "weituo.contracts"
    label = "contracts"
    verbose_name = "委托协议 Contracts"

    def ready(self) -> None:
        # Register this app's visibility rules with the policy (access imports no domain model).
        from . import visibility

        visibility.register()
