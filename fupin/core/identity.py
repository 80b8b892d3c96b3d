"""Resident ID numbers (GB 11643-1999): 18 characters, MOD 11-2 check digit, birth date and sex inside."""

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from . import clock

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK_CHARS = "10X98765432"


class InvalidIdNumber(ValueError):
    """The number is not a valid 18-character resident ID; the message says why, in Chinese."""


@dataclass(frozen=True)
class IdNumber:
    number: str
    birth_date: date
    sex: str  # "M" or "F"

    @property
    def area_code(self) -> str:
        return self.number[:6]


def check_digit(first17: str) -> str:
    return CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def parse(value, today: date | None = None) -> IdNumber:
    """Normalise (trim, upper-case x) and check a resident ID number, or raise InvalidIdNumber."""
    number = str(value or "").strip().upper()
    if not number:
        raise InvalidIdNumber(_("The ID number is empty."))
    if len(number) == 15 and number.isdigit():
        raise InvalidIdNumber(_("This is an old 15-digit number: enter the 18-digit ID number."))
    if len(number) != 18:
        raise InvalidIdNumber(_("An ID number has 18 characters; this one has %(n)s.") % {"n": len(number)})
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise InvalidIdNumber(_("An ID number is 17 digits followed by a digit or X."))
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdNumber(
            _("The birth date inside the ID number (%(d)s) does not exist.") % {"d": number[6:14]}
        ) from None
    if birth > (today or clock.today()) or birth.year < 1890:
        raise InvalidIdNumber(_("The birth date inside the ID number (%(d)s) is impossible.") % {"d": birth})
    expected = check_digit(number[:17])
    if number[17] != expected:
        raise InvalidIdNumber(
            _("The check digit is wrong (it should be %(expected)s): the number was mistyped.")
            % {"expected": expected}
        )
    return IdNumber(number=number, birth_date=birth, sex="M" if int(number[16]) % 2 else "F")


def make(area_code: str, birth: date, sequence: int, sex: str) -> str:
    """A valid number for tests and demo data: sequence 0–499, odd last-but-one digit for men."""
    order = sequence * 2 + (1 if sex == "M" else 0)
    first17 = f"{area_code}{birth:%Y%m%d}{order:03d}"
    return first17 + check_digit(first17)
