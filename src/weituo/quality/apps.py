"""Django app configuration for quality."""

from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "weituo.quality"
    label = "quality"
    verbose_name = "质量事件 Quality"
