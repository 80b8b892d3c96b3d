"""Dividing a plan to the fen: the parts always add up to the plan exactly."""

from decimal import Decimal

import pytest

from fupin.benefits.distribution import household_pool, split
from fupin.core.errors import DomainError


def test_17830_yuan_over_7_households_adds_up_exactly():
    parts = split(Decimal("17830.00"), [1] * 7)
    assert sum(parts) == Decimal("17830.00")
    assert parts == [Decimal("2547.15")] * 2 + [Decimal("2547.14")] * 5


def test_per_capita_gives_the_fen_left_over_to_the_largest_fractions():
    assert split(Decimal("100.00"), [1, 2, 3]) == [Decimal("16.67"), Decimal("33.33"), Decimal("50.00")]


@pytest.mark.parametrize(
    ("total", "weights"),
    [("0.01", [1, 1, 1]), ("1000000.00", [3, 7, 11, 13]), ("9999.99", [1] * 97), ("0.05", [5, 1])],
)
def test_the_parts_always_add_up(total, weights):
    parts = split(Decimal(total), weights)
    assert sum(parts) == Decimal(total)
    assert all(p.as_tuple().exponent == -2 for p in parts)
    assert max(parts) - min(parts) <= Decimal(total)


def test_no_households_is_refused_in_chinese():
    with pytest.raises(DomainError) as refused:
        split(Decimal("10.00"), [])
    assert refused.value.message == "该分配方案没有受益户。"
    with pytest.raises(ValueError):
        split(Decimal("10.00"), [1, 0])


def test_fixed_shares_must_add_up():
    assert household_pool(Decimal("100.00"), Decimal("20.00"), Decimal("10.00"), shares_only=False) == 70
    assert household_pool(Decimal("100.00"), Decimal("60.00"), Decimal("40.00"), shares_only=True) == 0
    with pytest.raises(DomainError) as over:
        household_pool(Decimal("100.00"), Decimal("60.00"), Decimal("40.01"), shares_only=False)
    assert over.value.code == "shares_do_not_add_up"
    assert over.value.message == "固定份额（100.01 元）超过方案总额 100.00 元。"
    with pytest.raises(DomainError) as short:
        household_pool(Decimal("100.00"), Decimal("60.00"), Decimal("39.99"), shares_only=True)
    assert short.value.message == "各份额合计 99.99 元，与方案总额 100.00 元不符。"
