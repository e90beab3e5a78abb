"""Django app configuration for registry import and export."""

from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "weituo.exchange"
    label = "exchange"
    verbose_name = "导入导出 Import and export"
