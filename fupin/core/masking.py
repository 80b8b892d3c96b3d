"""Personal numbers are masked on screen (DESIGN.md §1); revealing one in full is an audited action."""


def mask_id_number(value: str | None) -> str:
    """110101199003071234 → 110101********1234: the area code and the last four stay readable."""
    if not value:
        return ""
    value = str(value)
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str:
    """13812345678 → 138****5678."""
    if not value:
        return ""
    value = str(value)
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str | None) -> str:
    """张三丰 → 张**: for public notices, where a full name is more than the law asks to disclose."""
    if not value:
        return ""
    return value[0] + "*" * (len(value) - 1)
