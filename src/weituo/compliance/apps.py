"""Django app configuration for compliance: re-checks after every commit that changes a fact, and
the findings not met in 我的待办."""

from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class ComplianceConfig(AppConfig):
    name = "weituo.compliance"
    label = "compliance"
    verbose_name = pgettext_lazy("app", "Compliance")

    def ready(self) -> None:
        # integrity sits below compliance and imports none of it: it tells registered observers
        # what each commit changed, and a change that feeds a fact re-checks what depends on it.
        from django.utils.translation import gettext_lazy

        from weituo.core.deadlines import register_deadlines
        from weituo.integrity import committed

        from .selectors import FINDING_KIND, finding_deadlines
        from .services import compliance_recheck_committed

        committed.register("compliance", compliance_recheck_committed)
        # the findings not met are in 我的待办 of whoever must act on them
        register_deadlines(finding_deadlines, labels={FINDING_KIND: gettext_lazy("rectify a compliance finding")})
