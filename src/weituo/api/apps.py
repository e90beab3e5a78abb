"""Django app configuration for api."""

from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class ApiConfig(AppConfig):
    name = "weituo.api"
    label = "api"
    verbose_name = pgettext_lazy("app", "API")
