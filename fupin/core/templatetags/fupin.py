import functools

from django import template
from django.utils.translation import gettext

from fupin.core import audit, masking
from fupin.core import money as fupin_money

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


# --- Money as people write it: 52,033,000.00 元, or 5,203.30 万元 in summaries -------------------------
@register.filter
def money(value) -> str:
    """52033000 → "52,033,000.00": grouped by thousands, two decimals (for a column headed 元)."""
    return fupin_money.grouped(value)


@register.filter
def yuan(value) -> str:
    """52033000 → "52,033,000.00 元"."""
    return fupin_money.in_yuan(value)


@register.filter
def wan(value) -> str:
    """52033000 → "5,203.30 万元" (summaries and large figures)."""
    return fupin_money.in_wan(value)


@register.filter
def role_label(code: str) -> str:
    """A role code as people read it ("grid_staff" → 网格员; "system" → 系统); never the code itself."""
    from fupin.core.enums import Role

    if code == "system":
        return gettext("System")
    try:
        return Role(code).label
    except ValueError:
        return ""


# --- The audit log in words: field names and coded values as the pages call them ------------------
def _field_of(target_type: str, key: str):
    """The model field `key` of the event's target (app_label.model), else of any model that has a field
    of that name (the same names mean the same things across the apps); None when no model has it."""
    return _fields_by_name(target_type).get(key) or _fields_by_name("").get(key)


@functools.cache
def _fields_by_name(target_type: str) -> dict:
    from django.apps import apps

    if target_type:
        try:
            models = [apps.get_model(target_type)]
        except (LookupError, ValueError):
            return {}
    else:
        models = apps.get_models()
    found = {}
    for model in models:
        for model_field in model._meta.get_fields():
            if hasattr(model_field, "verbose_name") and not model_field.name.endswith("_ptr"):
                found.setdefault(model_field.name, model_field)
                found.setdefault(getattr(model_field, "attname", model_field.name), model_field)
    return found


def _value_label(model_field, value):
    choices = dict(getattr(model_field, "flatchoices", None) or ())
    if isinstance(value, str) and value in choices:
        return choices[value]
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    return value


@register.filter
def audit_rows(event) -> list[tuple[str, object, object]]:
    """(label, before, after) of each field the event touched: "状态：已收到 → 已驳回", never
    "state: received → dismissed". Masking as in audit.changes."""
    rows = []
    for key, old, new in audit.changes(event):
        model_field = _field_of(event.target_type, key) if key else None
        if model_field is None:
            rows.append((key, old, new))
            continue
        label = str(model_field.verbose_name)
        label = label[:1].upper() + label[1:]
        rows.append((label, _value_label(model_field, old), _value_label(model_field, new)))
    return rows
