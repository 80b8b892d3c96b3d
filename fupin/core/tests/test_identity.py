"""GB 11643 resident ID numbers."""

from datetime import date

import pytest

from fupin.core import identity


def test_valid_number_gives_birth_date_and_sex():
    number = identity.make("370828", date(1965, 3, 9), 12, "M")
    parsed = identity.parse(number)
    assert (parsed.birth_date, parsed.sex, parsed.area_code) == (date(1965, 3, 9), "M", "370828")
    assert identity.parse(identity.make("370828", date(1990, 1, 1), 7, "F")).sex == "F"


def test_lower_case_x_is_accepted_and_normalised():
    # 11010519491231002X is the standard's own example.
    assert identity.parse(" 11010519491231002x ").number == "11010519491231002X"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "为空"),
        ("370828650309123", "15 位"),
        ("3708281965030912", "18 位"),
        ("37082819650309A23X", "17 位数字"),
        ("370828196502301234", "不存在"),
        ("370828209901011234", "不可能"),
    ],
)
def test_invalid_numbers_say_why(value, reason):
    with pytest.raises(identity.InvalidIdNumber, match=reason):
        identity.parse(value, today=date(2026, 11, 29))


def test_wrong_check_digit_names_the_right_one():
    number = identity.make("370828", date(1965, 3, 9), 12, "M")
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    with pytest.raises(identity.InvalidIdNumber, match=f"应为 {number[17]}"):
        identity.parse(wrong)
