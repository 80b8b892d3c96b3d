from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LecturesConfig(AppConfig):
    name = "fupin.lectures"
    label = "lectures"
    verbose_name = _("Clean-governance lectures")

    def ready(self):
        # Like every app, the lectures register their audit labels and policy numbers with core here,
        # so that core never has to know about them.
        from fupin.core import audit, policy

        from .enums import ACTION_LABELS
        from .scoring import WEIGHT_POLICIES

        audit.ACTION_LABELS.update(ACTION_LABELS)
        policy.POLICIES.update({p.key: p for p in WEIGHT_POLICIES})
