"""Django app configuration for api."""

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "weituo.api"
    label = "api"
    verbose_name = "接口 API"
