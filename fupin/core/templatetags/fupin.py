from django import template

from fupin.core import audit, masking

register = template.Library()

register.filter("mask_id", masking.mask_id_number)
register.filter("mask_phone", masking.mask_phone)
register.filter("mask_name", masking.mask_name)


@register.filter
def action_label(code: str) -> str:
    return audit.ACTION_LABELS.get(code, code)


register.filter("audit_changes", audit.changes)
