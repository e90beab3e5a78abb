"""Django app configuration for compliance."""

from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "weituo.compliance"
    label = "compliance"
    verbose_name = "合规 Compliance"
