"""Django app configuration for web."""

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "weituo.web"
    label = "web"
    verbose_name = "网页 Web"
