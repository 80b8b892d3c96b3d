from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BenefitsConfig(AppConfig):
    name = "fupin.benefits"
    label = "benefits"
    verbose_name = _("Benefits")

    def ready(self):
        from fupin.core.audit import ACTION_LABELS

        from .enums import AUDIT_ACTIONS

        ACTION_LABELS.update(AUDIT_ACTIONS)
