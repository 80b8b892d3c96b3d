from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "fupin.funds"
    label = "funds"
    verbose_name = _("Special funds")

    def ready(self):
        from fupin.core.audit import ACTION_LABELS
        from fupin.projects import funding

        from . import queries
        from .enums import AUDIT_ACTIONS

        ACTION_LABELS.update(AUDIT_ACTIONS)
        funding.register(allocated_total=queries.allocated_total, allocations=queries.project_allocations)
