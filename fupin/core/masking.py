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


def mask_birth_date(value) -> str:
    """1965-03-09 → 1965: wherever an ID number is shown masked, the birth date shows only its year.

    The masked ID keeps the area code and the last four characters; the eight hidden ones are the birth
    date. A full birth date beside it would give the whole number back; the year leaves 365 days open.
    """
    if not value:
        return ""
    return str(value.year) if hasattr(value, "year") else str(value)[:4]
