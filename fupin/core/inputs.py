"""Input as people and programs send it, checked the same way everywhere (issue: bad input never breaks
anything). Each check raises `DomainError` with the field and a Chinese message that says what the field
expects, so views show it next to the field and the API answers 400 with `fields`.

- `check_text`: no control characters (below U+0020 other than tab and line breaks, and DEL); a length limit.
  Applied to every text column on save (`check_columns`, a pre_save receiver connected in `core/signals.py`,
  which also keeps numbers inside their columns' range), to every form field and query parameter of a page
  (`core/middleware.py`) and to every string of an API body (`CheckedParser` in `fupin/api.py`).
- `date_value`, `month_value`, `year_value`, `int_value`: the GET filters and raw form values of the pages;
  `param()` turns a refusal of a filter into a message on the page and the filter's default.
- `phone_value`, `coordinate`, `payment_date`, `plain_decimal`: a phone number, a latitude or longitude,
  the day money moved, a number in plain digits.
"""

import re
import unicodedata
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Annotated

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from pydantic import Field

from . import clock
from .errors import DomainError

# Tab, line feed and carriage return (browsers send line breaks as CR LF) are text; the rest are not.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
FIRST_YEAR, LAST_YEAR = 2000, 2100  # the years a county's records and filters can be about
INT_LIMIT = 2**31 - 1  # the largest value of an integer column on PostgreSQL
ID_LIMIT = 2**63 - 1  # the largest id (bigint; SQLite's integers are as wide)
PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")
MOBILE = re.compile(r"1\d{10}")
LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}(-\d{1,6})?")


def check_text(value: str, field: str, label=None, max_length: int | None = None) -> str:
    """`value` unchanged if it holds no control character and fits `max_length`; refused otherwise."""
    name = label or field
    if CONTROL_CHARACTERS.search(value):
        raise DomainError(
            _("%(field)s contains invisible control characters; remove them and submit again.")
            % {"field": name},
            field=field,
        )
    if max_length is not None and len(value) > max_length:
        raise DomainError(
            _("%(field)s has at most %(max)s characters (%(length)s given).")
            % {"field": name, "max": max_length, "length": len(value)},
            field=field,
        )
    return value


TEXT_COLUMNS = {"CharField", "TextField", "SlugField", "EmailField"}
NUMBER_COLUMNS = {
    "IntegerField",
    "PositiveIntegerField",
    "SmallIntegerField",
    "PositiveSmallIntegerField",
    "BigIntegerField",
    "PositiveBigIntegerField",
}


def check_columns(sender, instance, raw=False, **kwargs) -> None:
    """pre_save: every text and number column of every model is checked before the database sees it, so
    that an overlong name, a NUL or a number too large for its column is a message naming the field,
    never a database error (PostgreSQL refuses them; SQLite would keep some)."""
    if raw or not type(instance).__module__.startswith("fupin."):  # fixtures; other libraries' rows
        return
    for model_field in instance._meta.concrete_fields:
        kind = model_field.get_internal_type()
        value = getattr(instance, model_field.attname)
        if kind in TEXT_COLUMNS and isinstance(value, str):
            check_text(value, model_field.name, model_field.verbose_name, model_field.max_length)
        elif kind in NUMBER_COLUMNS and isinstance(value, int):
            _check_column_range(value, model_field, kind)
        elif kind == "DecimalField" and isinstance(value, Decimal) and value.is_finite():
            limit = Decimal(10) ** (model_field.max_digits - model_field.decimal_places)
            if abs(value) >= limit:
                _out_of_range(model_field, limit - Decimal(10) ** -model_field.decimal_places)


def _check_column_range(value: int, model_field, kind: str) -> None:
    # The standard ranges (PostgreSQL's) on every database, so that what SQLite keeps PostgreSQL keeps too.
    from django.db.backends.base.operations import BaseDatabaseOperations

    low, high = BaseDatabaseOperations.integer_field_ranges[kind]
    if not low <= value <= high:
        _out_of_range(model_field, high)


def _out_of_range(model_field, high) -> None:
    raise DomainError(
        _("%(field)s: the number is out of range (at most %(max)s).")
        % {"field": model_field.verbose_name, "max": high},
        field=model_field.name,
    )


def checked(instances: list) -> list:
    """The same rows, each checked as `check_columns` checks a save: for `bulk_create`, which sends no
    pre_save."""
    for instance in instances:
        check_columns(type(instance), instance)
    return instances


def _range_error(field, label, message, low, high):
    return DomainError(message % {"field": label or field, "min": low, "max": high}, field=field)


def date_value(raw, field: str, label=None, *, first=date(1900, 1, 1), last=date(LAST_YEAR, 12, 31)):
    """A real date written 2026-05-01 between `first` and `last`; None when empty."""
    if isinstance(raw, date):
        day = raw
    else:
        text = unicodedata.normalize("NFKC", str(raw or "")).strip()
        if not text:
            return None
        try:
            day = date.fromisoformat(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None
        except ValueError:  # 2026-02-30: the right shape, no such day
            day = None
        if day is None:
            raise DomainError(
                _("%(field)s: enter a real date like 2026-05-01.") % {"field": label or field}, field=field
            )
    if not first <= day <= last:
        raise _range_error(
            field, label, _("%(field)s: enter a date between %(min)s and %(max)s."), first, last
        )
    return day


def payment_date(raw, field: str, label=None) -> date | None:
    """The day money was paid or received: a real date from 2000 up to a year from today (a ledger does
    not go back to 1900, nor forward to 2099)."""
    last = clock.today() + timedelta(days=366)
    return date_value(raw, field, label, first=date(FIRST_YEAR, 1, 1), last=last)


def datetime_value(raw, field: str, label=None):
    """A local time written 2026-05-01T09:00 (as a datetime-local field sends it), made aware; None when
    empty."""
    text = unicodedata.normalize("NFKC", str(raw or "")).strip()
    if not text:
        return None
    try:
        moment = parse_datetime(text)
    except ValueError:  # the right shape, no such day or hour
        moment = None
    if moment is None or not FIRST_YEAR - 100 <= moment.year <= LAST_YEAR:
        raise DomainError(
            _("%(field)s: enter a real time like 2026-05-01 09:00.") % {"field": label or field}, field=field
        )
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def month_value(raw, field: str, label=None) -> date | None:
    """The first day of a month written 2026-05; None when empty."""
    raw = unicodedata.normalize("NFKC", str(raw or "")).strip()
    if not raw:
        return None
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", raw)
    if not match or not 1 <= int(match[2]) <= 12 or not FIRST_YEAR <= int(match[1]) <= LAST_YEAR:
        raise DomainError(
            _("%(field)s: enter a month between %(min)s-01 and %(max)s-12, like 2026-05.")
            % {"field": label or field, "min": FIRST_YEAR, "max": LAST_YEAR},
            field=field,
        )
    return date(int(match[1]), int(match[2]), 1)


def int_value(raw, field: str, label=None, *, low: int = 0, high: int = INT_LIMIT) -> int | None:
    """A whole number between `low` and `high`; None when empty."""
    raw = unicodedata.normalize("NFKC", str(raw if raw is not None else "")).strip()
    if not raw:
        return None
    if not re.fullmatch(r"[+-]?\d{1,12}", raw) or not low <= int(raw) <= high:
        raise _range_error(
            field, label, _("%(field)s: enter a whole number between %(min)s and %(max)s."), low, high
        )
    return int(raw)


def year_value(raw, field: str, label=None, *, low: int = FIRST_YEAR, high: int = LAST_YEAR) -> int | None:
    """A year between `low` and `high`; None when empty."""
    try:
        return int_value(raw, field, label, low=low, high=high)
    except DomainError:
        raise _range_error(
            field, label, _("%(field)s: enter a year between %(min)s and %(max)s."), low, high
        ) from None


def plain_decimal(raw) -> Decimal | None:
    """A number as people write it: digits with an optional sign, decimal point and thousands commas;
    full-width digits (１２３．５) are read as digits. No exponent (1e5), no NaN or Infinity: None."""
    text = unicodedata.normalize("NFKC", str(raw if raw is not None else "")).strip().replace(",", "")
    if not PLAIN_NUMBER.fullmatch(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover (the pattern admits only what Decimal reads)
        return None


def decimal_value(raw, field: str, label=None, *, low, high, places: int = 6) -> Decimal | None:
    """A plain decimal number (see `plain_decimal`) between `low` and `high`; None when empty."""
    if not unicodedata.normalize("NFKC", str(raw if raw is not None else "")).strip():
        return None
    number = plain_decimal(raw)
    if number is None or not low <= number <= high or -number.as_tuple().exponent > places:
        raise _range_error(
            field, label, _("%(field)s: enter a number between %(min)s and %(max)s."), low, high
        )
    return number


def coordinate(raw, field: str, label=None, *, latitude: bool) -> Decimal | None:
    """A latitude (−90 to 90) or longitude (−180 to 180) in decimal degrees; None when empty."""
    limit = 90 if latitude else 180
    return decimal_value(raw, field, label, low=-limit, high=limit)


def phone_value(raw, field: str = "phone", label=None) -> str:
    """A mobile number (11 digits starting with 1) or a landline with its area code; "" when empty."""
    phone = unicodedata.normalize("NFKC", raw or "").strip().replace(" ", "")
    if phone.startswith("+86"):
        phone = phone[3:]
    if MOBILE.fullmatch(phone.replace("-", "")):
        phone = phone.replace("-", "")  # 138-0000-1111 is how many write a mobile
    if phone and not (MOBILE.fullmatch(phone) or LANDLINE.fullmatch(phone)):
        raise DomainError(
            _(
                "%(field)s: enter a mobile number of 11 digits starting with 1, or a landline with its "
                "area code such as 0537-8712345."
            )
            % {"field": label or field},
            field=field,
        )
    return phone


def param(request, parse, name: str, label=None, default=None, **options):
    """A GET filter parsed by `parse` (one of the *_value functions); a bad value is a message on the page
    and the filter's default, never an error page."""
    from django.contrib import messages

    try:
        value = parse(request.GET.get(name, ""), name, label, **options)
    except DomainError as refused:
        messages.error(request, refused.message)
        return default
    return default if value is None else value


# Integers of the API's queries and bodies, bounded so that a database never sees one it cannot hold.
Id = Annotated[int, Field(ge=1, le=ID_LIMIT, description="An id")]
PageNumber = Annotated[int, Field(ge=1, le=INT_LIMIT, description="1, 2, …")]
Offset = Annotated[int, Field(ge=0, le=INT_LIMIT, description="Rows to skip (0 or more)")]
Year = Annotated[int, Field(ge=FIRST_YEAR, le=LAST_YEAR, description=f"{FIRST_YEAR}–{LAST_YEAR}")]
