"""Money as people write it (52,033,000.00 元; 5,203.30 万元 in summaries). A core filter for every page is
coming from another change; these two serve the insights pages until then."""

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()

CENT = Decimal("0.01")
TEN_THOUSAND = Decimal("10000")


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def yuan_text(value) -> str:
    number = _decimal(value)
    return "—" if number is None else f"{number.quantize(CENT):,} 元"


def wan_text(value) -> str:
    number = _decimal(value)
    return "—" if number is None else f"{(number / TEN_THOUSAND).quantize(CENT):,} 万元"


register.filter("yuan", yuan_text)
register.filter("wan", wan_text)


@register.filter
def percent(value) -> str:
    number = _decimal(value)
    return "—" if number is None else f"{number.quantize(Decimal('0.1'))}%"
