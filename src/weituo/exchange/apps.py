"""Django app configuration for registry import and export."""

from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class ExchangeConfig(AppConfig):
    name = "weituo.exchange"
    label = "exchange"
    verbose_name = pgettext_lazy("app", "Import and export")
