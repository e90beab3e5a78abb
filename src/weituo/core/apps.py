"""Django app configuration for core."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "weituo.core"
    label = "core"
    verbose_name = "基础 Core"
