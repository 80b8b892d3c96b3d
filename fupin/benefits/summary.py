"""What the benefits reached, per county, town, village and household, in the seed's terms: "发放分红金
X 万元，签订用工协议 Y 份；打造就业扶贫车间 A 处，设立扶贫岗 B 个，带动 C 人增收；使 D 户贫困家庭持续增收".

Each figure is counted where it lands: a dividend in the village of the household (the collective's and the
welfare posts' shares in the project's village), an agreement and a placement in the village of the
person's household, a workshop or a post where it is. Households reached are counted once however many
benefits they had. A year narrows payments to those paid in it, agreements and placements to those in
force at some time in it, workshops and posts to those open in it, wages to the wages of that year.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q, Sum

from fupin.core import money
from fupin.core.enums import PREFIX_LENGTH
from fupin.core.scope import within_lookup
from fupin.employment.models import EmploymentAgreement, Placement, Post, WorkRecord, Workshop
from fupin.registry.models import Household

from .distribution import to_fen
from .models import Payment

ZERO = Decimal("0.00")
TEN_THOUSAND = Decimal("10000")


@dataclass
class Figures:
    dividends: Decimal = ZERO  # yuan paid out, the fixed shares included
    dividend_households: set = field(default_factory=set)
    agreements: int = 0
    agreement_people: set = field(default_factory=set)
    workshops: int = 0
    posts: int = 0  # posts set up (扶贫岗 as the county counts them: 252), whatever their places
    employed: set = field(default_factory=set)  # people in workshops and posts
    wages: Decimal = ZERO  # wages paid in workshops and posts
    households: set = field(default_factory=set)

    def as_dict(self) -> dict:
        return {
            "dividends": self.dividends,
            "dividend_households": len(self.dividend_households),
            "agreements": self.agreements,
            "agreement_people": len(self.agreement_people),
            "workshops": self.workshops,
            "posts": self.posts,
            "employed": len(self.employed),
            "wages": self.wages,
            "households": len(self.households),
        }


def _in_year(queryset, start: str, end: str, year: int | None):
    """Rows in force at some time of `year` (an open end counts as still in force)."""
    if year is None:
        return queryset
    first, last = date(year, 1, 1), date(year, 12, 31)
    return queryset.filter(
        Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": first}), **{f"{start}__lte": last}
    )


def named_rows(result: dict) -> list[dict]:
    """The child rows with their regions' names, for the page and the API."""
    from fupin.core.models import Region

    codes = {code.ljust(12, "0"): code for code in result["rows"]}
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    return [
        {"code": full, "name": names.get(full, full), **result["rows"][code]} for full, code in codes.items()
    ]


def summary(prefix: str, year: int | None = None) -> dict:
    """Figures for the area of `prefix` (a region code prefix already checked against the user's scope),
    overall and per child region (towns of a county, villages of a town, households of a village)."""
    child_length = next((n for n in sorted(set(PREFIX_LENGTH.values())) if n > len(prefix)), 12)
    total, rows = Figures(), defaultdict(Figures)

    def key(region_code: str) -> str:
        return region_code[:child_length]

    payments = Payment.objects.within(prefix)
    if year is not None:
        payments = payments.filter(paid_on__year=year)
    for code, household_id, amount in payments.values_list("region_code", "line__household_id", "amount"):
        for figures in (total, rows[key(code)]):
            figures.dividends += amount
            if household_id:
                figures.dividend_households.add(household_id)
                figures.households.add(household_id)

    agreements = _in_year(
        EmploymentAgreement.objects.filter(**within_lookup(prefix, "member__household__region_code")),
        "starts_on",
        "ends_on",
        year,
    )
    for code, member_id, household_id in agreements.values_list(
        "member__household__region_code", "member_id", "member__household_id"
    ):
        for figures in (total, rows[key(code)]):
            figures.agreements += 1
            figures.agreement_people.add(member_id)
            figures.households.add(household_id)

    placements = _in_year(
        Placement.objects.filter(**within_lookup(prefix, "member__household__region_code")),
        "started_on",
        "ended_on",
        year,
    )
    for code, member_id, household_id in placements.values_list(
        "member__household__region_code", "member_id", "member__household_id"
    ):
        for figures in (total, rows[key(code)]):
            figures.employed.add(member_id)
            figures.households.add(household_id)

    wages = WorkRecord.objects.filter(**within_lookup(prefix, "placement__member__household__region_code"))
    if year is not None:
        wages = wages.filter(year=year)
    for code, amount in (
        wages.values_list("placement__member__household__region_code")
        .annotate(paid=Sum("wages"))
        .values_list("placement__member__household__region_code", "paid")
    ):
        for figures in (total, rows[key(code)]):
            figures.wages += to_fen(amount)

    for code in _in_year(Workshop.objects.within(prefix), "opened_on", "closed_on", year).values_list(
        "region_code", flat=True
    ):
        for figures in (total, rows[key(code)]):
            figures.workshops += 1
    for code in _in_year(Post.objects.within(prefix), "opened_on", "closed_on", year).values_list(
        "region_code", flat=True
    ):
        for figures in (total, rows[key(code)]):
            figures.posts += 1

    return {
        "prefix": prefix,
        "year": year,
        "total": total.as_dict(),
        "rows": {code: figures.as_dict() for code, figures in sorted(rows.items())},
    }


def in_words(total: dict) -> str:
    """The county's figures as the seed reports them."""
    from django.utils.translation import gettext as _

    return _(
        "Dividends paid: %(dividends)s ten-thousand yuan; employment agreements signed: %(agreements)s; "
        "poverty-alleviation workshops: %(workshops)s; posts: %(posts)s, employing %(employed)s people; "
        "%(households)s poor households reached."
    ) % {
        "dividends": money.grouped(total["dividends"] / TEN_THOUSAND),
        "agreements": total["agreements"],
        "workshops": total["workshops"],
        "posts": total["posts"],
        "employed": total["employed"],
        "households": total["households"],
    }


def household_benefits(household: Household) -> dict:
    """One household's benefits: dividends received, its members' agreements and placements, wages."""
    received = to_fen(Payment.objects.filter(line__household=household).aggregate(s=Sum("amount"))["s"])
    agreements = EmploymentAgreement.objects.filter(member__household=household).select_related(
        "project", "member"
    )
    placements = Placement.objects.filter(member__household=household).select_related(
        "member", "workshop", "post"
    )
    wages = WorkRecord.objects.filter(placement__member__household=household).aggregate(s=Sum("wages"))["s"]
    return {"received": received, "agreements": agreements, "placements": placements, "wages": to_fen(wages)}
