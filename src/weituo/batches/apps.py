"""Django app configuration for batches."""

from django.apps import AppConfig


class BatchesConfig(AppConfig):
    name = "weituo.batches"
    label = "batches"
    verbose_name = "批次与放行 Batches"
