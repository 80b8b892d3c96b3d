"""Dividing a distribution plan's money to the fen, so that the lines add up to the plan exactly.

The arithmetic is in whole fen (integers): each line gets the floor of its exact share, and the fen left
over from rounding go one each to the lines with the largest cut-off fractions (ties: the earlier line,
which is the order of the household numbers). No float is involved anywhere.
"""

from decimal import Decimal

from django.utils.translation import gettext as _

from fupin.core.errors import DomainError

CENT = Decimal("0.01")


def to_fen(value) -> Decimal:
    """A sum from the database as yuan to the fen (SQLite hands back sums with stray digits)."""
    return Decimal(value or 0).quantize(CENT)


def split(total: Decimal, weights: list[int]) -> list[Decimal]:
    """`total` yuan divided in proportion to the positive integer `weights`; the parts add up to `total`."""
    if not weights:
        raise DomainError(_("The plan has no beneficiary households."), field="households")
    if any(w <= 0 for w in weights):
        raise ValueError("weights must be positive")
    fen = int((Decimal(total) / CENT).to_integral_exact())
    whole = sum(weights)
    floors = [fen * w // whole for w in weights]
    left = fen - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-(fen * weights[i] % whole), i))
    for i in order[:left]:
        floors[i] += 1
    return [(Decimal(f) * CENT).quantize(CENT) for f in floors]


def household_pool(total: Decimal, collective: Decimal, welfare: Decimal, *, shares_only: bool) -> Decimal:
    """What is left for the households after the fixed shares of the village collective and the
    public-welfare posts; refused when the shares do not add up with the plan."""
    rest = total - collective - welfare
    if rest < 0:
        raise DomainError(
            _("The fixed shares (%(shares)s yuan) exceed the plan's total of %(total)s yuan.")
            % {"shares": collective + welfare, "total": total},
            field="collective_share",
            code="shares_do_not_add_up",
        )
    if shares_only and rest != 0:
        raise DomainError(
            _("The shares add up to %(shares)s yuan, not to the plan's total of %(total)s yuan.")
            % {"shares": collective + welfare, "total": total},
            field="collective_share",
            code="shares_do_not_add_up",
        )
    return rest
