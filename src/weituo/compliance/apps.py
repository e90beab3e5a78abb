"""Django app configuration for compliance."""

from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class ComplianceConfig(AppConfig):
    name = "weituo.compliance"
    label = "compliance"
    verbose_name = pgettext_lazy("app", "Compliance")
