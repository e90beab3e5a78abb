"""Django app configuration for core."""

from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class CoreConfig(AppConfig):
    name = "weituo.core"
    label = "core"
    verbose_name = pgettext_lazy("app", "Core")
