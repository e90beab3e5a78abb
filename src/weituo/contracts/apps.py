"""Django app configuration for contracts."""

from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "weituo.contracts"
    label = "contracts"
    verbose_name = "委托协议 Contracts"
