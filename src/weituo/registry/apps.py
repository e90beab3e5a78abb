"""Django app configuration for the registry."""

from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class RegistryConfig(AppConfig):
    name = "weituo.registry"
    label = "registry"
    verbose_name = pgettext_lazy("app", "Registry")

    def ready(self) -> None:
        # Register this app's visibility rules with the policy (access imports no domain model).
        from . import visibility

        visibility.register()
