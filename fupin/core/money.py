"""Money in and out: Decimal yuan with two places, never float (DESIGN.md §3)."""

from decimal import Decimal
from typing import Annotated

from django.utils.translation import gettext as _
from pydantic import PlainSerializer, PlainValidator, ValidationInfo, WithJsonSchema

from fupin.core import inputs
from fupin.core.errors import DomainError

CENT = Decimal("0.01")
LIMIT = Decimal("999999999999.99")


class Amount(Decimal):
    """An amount `parse_amount` has already checked (positive, two places, within the limit): the API's
    schemas hand it to the services, which take it as it is instead of reading a string a second time."""


def parse_amount(value, field: str = "amount", *, allow_zero: bool = False) -> Decimal:
    """A positive amount of yuan with at most two decimals; anything else is refused, naming the field."""
    if isinstance(value, Amount) and (allow_zero or value > 0):
        return value
    if value is None or (isinstance(value, str) and not value.strip()):
        raise DomainError(_("The amount is required."), field=field)
    if isinstance(value, float):
        value = repr(value)
    # Plain digits only: 1e5 is refused (nobody writes money so), full-width digits are read as digits.
    number = inputs.plain_decimal(value)
    if number is None:
        raise DomainError(
            _("“%(value)s” is not an amount of money; write it in digits like 1234.56.") % {"value": value},
            field=field,
        )
    if number.as_tuple().exponent < -2:
        raise DomainError(_("An amount has at most 2 decimal places (fen)."), field=field)
    if number < 0 or (number == 0 and not allow_zero):
        raise DomainError(_("The amount must be greater than zero."), field=field)
    if number > LIMIT:
        raise DomainError(_("The amount is too large."), field=field)
    return Amount(number.quantize(CENT))


def yuan(value) -> str:
    """Two decimals as a string, as the API gives money."""
    return str(Decimal(value).quantize(CENT)) if value is not None else None


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


def grouped(value) -> str:
    """52033000 → "52,033,000.00"; nothing → "—". How pages show money (templatetag `money`)."""
    number = _decimal(value)
    return "—" if number is None else f"{number.quantize(CENT):,}"


def in_yuan(value) -> str:
    """52033000 → "52,033,000.00 元" (templatetag `yuan`)."""
    text = grouped(value)
    return text if text == "—" else _("%(amount)s yuan") % {"amount": text}


def in_wan(value) -> str:
    """52033000 → "5,203.30 万元" (templatetag `wan`): summaries, where 万元 is how figures are read."""
    number = _decimal(value)
    if number is None:
        return "—"
    return _("%(amount)s 10k yuan") % {"amount": f"{(number / 10000).quantize(CENT):,}"}


def _checked_amount(value, info: ValidationInfo) -> Amount:
    # A DomainError, not a ValueError: the API answers it as the services would, naming the field.
    return parse_amount(value, info.field_name or "amount")


# An amount in an API body: written as a string ("50000.00"), checked once by `parse_amount` on the way in.
MONEY_PATTERN = r"^-?\d{1,12}(\.\d{1,2})?$"
MoneyIn = Annotated[
    Amount,
    PlainValidator(_checked_amount),
    PlainSerializer(yuan, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": MONEY_PATTERN,
            "description": "Yuan as a string, at most two decimals",
            "examples": ["50000.00"],
        }
    ),
]
