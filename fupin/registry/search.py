"""Finding households: by area, status, cause, and one search box that understands what was typed.

张三 → name; zs or zhangs → pinyin initials or full pinyin; 18 characters → ID number; 6 digits/X → the
last six digits of an ID number; other digits → household number.
"""

import re

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from fupin.core import access
from fupin.core.access import Kind, Read
from fupin.core.errors import DomainError

from .models import Member

PINYIN = re.compile(r"^[a-zA-Z]+$")
LAST6 = re.compile(r"^\d{5}[\dXx]$")
ID18 = re.compile(r"^\d{17}[\dXx]$")


def member_match(q: str) -> Q | None:
    """A condition on members for the search text, or None when the text is a household number."""
    q = q.strip()
    if ID18.match(q):
        return Q(id_number=q.upper())
    if LAST6.match(q):
        return Q(id_last6=q.upper())
    if q.isdigit():
        return None
    if PINYIN.match(q):
        q = q.lower()
        return Q(name_initials__startswith=q) | Q(name_pinyin__startswith=q)
    # People type a name from its start (the surname); a prefix search can use an index.
    return Q(name__startswith=q)


def is_id_query(q: str | None) -> bool:
    return bool(q) and bool(ID18.match(q.strip()) or LAST6.match(q.strip()))


def check_query(user, q: str | None) -> None:
    """A search by ID number (whole or its last six digits) answers "this person is here" or not: beside
    the masked number and the birth year on screen, a few dozen such searches rebuild a whole number. So
    only the roles that may reveal an ID number search by one; the others search by name or number."""
    if is_id_query(q) and not access.can_read(user, Kind.REGISTRY, Read.PERSONAL):
        raise DomainError(
            _("Searching by ID number is for the roles that may see full ID numbers; search by name."),
            field="q",
        )


def filter_households(households, *, region=None, status=None, cause=None, q=None):
    if region:  # a prefix the caller checked against the user's area (scope.region_param)
        households = households.within(region)
    if status:
        households = households.filter(status=status)
    if cause:
        households = households.filter(Q(main_cause=cause))
    if q and q.strip():
        condition = member_match(q)
        if condition is None:
            households = households.filter(number__startswith=q.strip())
        else:
            matching = Member.objects.filter(condition).values("household_id")
            households = households.filter(pk__in=matching)
    return households


def likely_duplicates(households, limit: int = 200) -> list[list[Member]]:
    """Living members who may be one person in two households: the same birth date and the same name, or
    names that sound the same (same pinyin). Exact ID duplicates are refused when they are written."""
    living = Member.objects.living().filter(household__in=households)
    keys = (
        living.values("birth_date", "name_pinyin")
        .annotate(households=Count("household", distinct=True))
        .filter(households__gt=1)
        .order_by("birth_date", "name_pinyin")[:limit]
    )
    wanted = [(key["birth_date"], key["name_pinyin"]) for key in keys]
    if not wanted:
        return []
    condition = Q()
    for birth_date, pinyin in wanted:
        condition |= Q(birth_date=birth_date, name_pinyin=pinyin)
    groups: dict[tuple, list[Member]] = {key: [] for key in wanted}
    for member in living.filter(condition).select_related("household").order_by("household__number"):
        groups[(member.birth_date, member.name_pinyin)].append(member)
    return list(groups.values())
