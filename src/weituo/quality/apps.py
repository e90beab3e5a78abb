"""Django app configuration for quality."""

from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class QualityConfig(AppConfig):
    name = "weituo.quality"
    label = "quality"
    verbose_name = pgettext_lazy("app", "Quality")

    def ready(self) -> None:
        # Register with the floors below: visibility rules (access imports no domain model), the release
        # checks and the art. 11 duties of new batches (batches imports no quality module), and the
        # deadlines of 我的待办 (aggregated in core).
        from weituo.batches.checks import register_release_check
        from weituo.batches.hooks import register_on_created
        from weituo.core.deadlines import register_deadlines

        from . import release_checks, visibility
        from .choices import DeadlineKind
        from .selectors.audits import audit_deadlines
        from .selectors.changes import change_deadlines
        from .selectors.events import event_deadlines
        from .selectors.shared_line import assessment_deadlines
        from .services.changes import obligations_for_new_batch

        visibility.register()
        labels = {kind.value: kind.label for kind in DeadlineKind}
        for provider in (event_deadlines, audit_deadlines, change_deadlines, assessment_deadlines):
            register_deadlines(provider, labels=labels)
        register_release_check(blocks=release_checks.open_events, package=release_checks.missing_deviation_records)
        register_on_created(obligations_for_new_batch)
