"""Django app configuration for the demo data generator."""

from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class DemoConfig(AppConfig):
    name = "weituo.demo"
    label = "demo"
    verbose_name = pgettext_lazy("app", "Demo")
