"""Django app configuration for integrity."""

from django.apps import AppConfig


class IntegrityConfig(AppConfig):
    name = "weituo.integrity"
    label = "integrity"
    verbose_name = "审计追踪 Integrity"
