"""Django app configuration for accounts."""

from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class AccountsConfig(AppConfig):
    name = "weituo.accounts"
    label = "accounts"
    verbose_name = pgettext_lazy("app", "Accounts")
