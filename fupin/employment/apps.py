from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmploymentConfig(AppConfig):
    name = "fupin.employment"
    label = "employment"
    verbose_name = _("Employment")

    def ready(self):
        from fupin.core.audit import ACTION_LABELS

        from .enums import AUDIT_ACTIONS

        ACTION_LABELS.update(AUDIT_ACTIONS)
