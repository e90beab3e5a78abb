"""Django app configuration for web."""

from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class WebConfig(AppConfig):
    name = "weituo.web"
    label = "web"
    verbose_name = pgettext_lazy("app", "Web")
