from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WarningsConfig(AppConfig):
    name = "fupin.warnings"
    label = "warnings"
    verbose_name = _("Risk early warning")

    def ready(self):
        # Like every app, warnings register their audit labels and their rules' thresholds with core here.
        from fupin.core import audit, policy

        from . import signals  # noqa: F401 (connects the inbox count at login)
        from .enums import ACTION_LABELS
        from .rules import THRESHOLD_POLICIES

        audit.ACTION_LABELS.update(ACTION_LABELS)
        policy.POLICIES.update({p.key: p for p in THRESHOLD_POLICIES})
