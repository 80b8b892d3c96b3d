from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "fupin.supervision"
    label = "supervision"
    verbose_name = _("Supervision")

    def ready(self):
        from fupin.core.audit import ACTION_LABELS

        from .enums import AUDIT_ACTIONS

        ACTION_LABELS.update(AUDIT_ACTIONS)

        from . import services, subjects

        subjects.register(services.SUBJECT_SOURCES)
