"""Django app configuration for accounts."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "weituo.accounts"
    label = "accounts"
    verbose_name = "账户 Accounts"
