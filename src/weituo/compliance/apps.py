"""Django app configuration for compliance: re-checks after every commit that changes a fact."""

from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class ComplianceConfig(AppConfig):
    name = "weituo.compliance"
    label = "compliance"
    verbose_name = pgettext_lazy("app", "Compliance")

    def ready(self) -> None:
        # integrity sits below compliance and imports none of it: it tells registered observers
        # what each commit changed, and a change that feeds a fact re-checks what depends on it.
        from weituo.integrity import committed

        from .services import compliance_recheck_committed

        committed.register("compliance", compliance_recheck_committed)
