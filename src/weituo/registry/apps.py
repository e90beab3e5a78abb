"""Django app configuration for the registry."""

from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "weituo.registry"
    label = "registry"
    verbose_name = "企业登记 Registry"

    def ready(self) -> None:
        # Register this app's visibility rules with the policy (access imports no domain model).
        from . import visibility

        visibility.register()
