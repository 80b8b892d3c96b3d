from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "fupin.projects"
    label = "projects"
    verbose_name = _("Project library")

    def ready(self):
        from fupin.core.audit import ACTION_LABELS

        from .enums import AUDIT_ACTIONS

        ACTION_LABELS.update(AUDIT_ACTIONS)
