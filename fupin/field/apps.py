from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldConfig(AppConfig):
    """The phone pages as an installable offline app (DESIGN.md: not a domain of its own). It holds no
    rule: it packs what a helper reads offline and hands each synced record to the service that writes it
    online (registry, supervision), once per uuid."""

    name = "fupin.field"
    label = "field"
    verbose_name = _("Field app")

    def ready(self):
        from fupin.core.audit import ACTION_LABELS

        from .models import AUDIT_ACTIONS

        ACTION_LABELS.update(AUDIT_ACTIONS)
