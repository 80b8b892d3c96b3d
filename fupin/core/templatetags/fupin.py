from django import template

from fupin.core import audit, masking

register = template.Library()

register.filter("mask_id", masking.mask_id_number)
register.filter("mask_phone", masking.mask_phone)
register.filter("mask_name", masking.mask_name)
register.filter("mask_birth", masking.mask_birth_date)


@register.filter
def action_label(code: str) -> str:
    return audit.ACTION_LABELS.get(code, code)


register.filter("audit_changes", audit.changes)


@register.filter
def get_item(mapping, key):
    return mapping.get(key, "") if mapping else ""


@register.filter
def split(value: str):
    return value.split()


@register.filter
def field(form, name: str):
    """form|field:"name": a bound field by a name held in a variable."""
    return form[name]


@register.filter
def startswith(value: str, prefix: str) -> bool:
    return str(value).startswith(str(prefix))
