from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "fupin.funds"
    label = "funds"
    verbose_name = _("Special funds")

    def ready(self):
        from fupin.core.audit import ACTION_LABELS

        from .enums import AUDIT_ACTIONS

        ACTION_LABELS.update(AUDIT_ACTIONS)
