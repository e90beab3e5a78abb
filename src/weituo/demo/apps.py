"""Django app configuration for the demo data generator."""

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "weituo.demo"
    label = "demo"
    verbose_name = "演示数据 Demo"
