"""What the registry's writes share: the role groups, the household's fields, the checks of members, the
locked row and the moment a step is recorded."""

from datetime import date

from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fupin.core import access, clock, policy
from fupin.core.access import Action
from fupin.core.errors import DomainError
from fupin.core.models import Region

from .. import rules
from ..models import (
    Household,
    Income,
    Member,
)

# Who does what comes from the access policy (core/access.py); the steps below name these groups.
OFFICERS = access.roles_for(Action.APPROVE_REGISTRY)
VILLAGE_AND_UP = access.roles_for(Action.APPLY)
# The gates and the monitoring identification take their steps in order: one out of it is a conflict (409).
# Their steps follow one another, so the refusal names the step that comes next (their `state_label`).
OUT_OF_ORDER = gettext_lazy("Out of order: the next step is “%(state)s”, not “%(action)s”.")
HOUSEHOLD_FIELDS = [
    "attribute",
    "standard",
    "main_cause",
    "other_causes",
    "phone",
    "food_secure",
    "clothing_secure",
    "education_secure",
    "medical_secure",
    "housing_secure",
    "water_secure",
]
MEMBER_FIELDS = [
    "name",
    "id_number",
    "sex",
    "birth_date",
    "relation",
    "ethnicity",
    "education",
    "schooling",
    "health",
    "labour",
    "work",
    "months_worked",
    "serious_illness_insurance",
    "medical_insurance",
    "pension_insurance",
    "phone",
]


def _raise(problems: rules.Problems):
    if problems.errors:
        first = next(iter(problems.errors.values()))
        more = len(problems.errors) - 1
        message = (
            first if not more else _("%(first)s (and %(n)s more problems)") % {"first": first, "n": more}
        )
        raise DomainError(message, fields=problems.errors)


def _village(region_code: str) -> Region:
    region = Region.objects.filter(code=region_code, level="village").first()
    if region is None:
        raise DomainError(
            _("Choose a village: %(code)s is not a village code.") % {"code": region_code}, field="region"
        )
    return region


def _check_not_registered_elsewhere(
    actor, members: list[dict], problems: rules.Problems, exclude_household=None
) -> None:
    """One living person in one household only; the error names the other household if the actor sees it."""
    numbers = [m["id_number"] for m in members if m.get("id_number")]
    seen = {}
    for i, number in enumerate(numbers):
        if number in seen:
            problems.error(f"members.{i}.id_number", _("This ID number appears twice in the household."))
        seen[number] = i
    existing = Member.objects.living().filter(id_number__in=numbers).select_related("household")
    if exclude_household is not None:
        existing = existing.exclude(household=exclude_household)
    for id_number, message in already_registered_messages(actor, existing).items():
        problems.error(f"members.{numbers.index(id_number)}.id_number", message)


def already_registered_messages(actor, others) -> dict[str, str]:
    """ID number → the error its enterer reads, for living members already registered under those numbers.

    Inside what the actor may see, the message names the person and the household so that an officer can
    sort it out; outside, it names neither: who lives where in another area is not the actor's to learn.
    """
    others = list(others)
    visible = set(
        Household.objects.visible_to(actor)
        .filter(pk__in={other.household_id for other in others})
        .values_list("pk", flat=True)
    )
    return {
        other.id_number: _("%(name)s is already registered in household %(number)s.")
        % {"name": other.name, "number": other.household.number}
        if other.household_id in visible
        else _("This person is already registered in another household outside your area.")
        for other in others
    }


def next_household_number(village_code: str) -> str:
    """Village code's last six digits and a running number: unique in the county, readable on paper."""
    prefix = village_code[6:]
    last = Household.objects.filter(county_code=village_code[:6], number__startswith=prefix).aggregate(
        last=Max("number")
    )["last"]
    sequence = int(last[len(prefix) :]) + 1 if last and last[len(prefix) :].isdigit() else 1
    return f"{prefix}{sequence:04d}"


def _locked(household: Household) -> Household:
    """The household as stored now, locked until the transaction ends: the caller's copy may be stale."""
    return Household.objects.select_for_update(of=("self",)).select_related("head").get(pk=household.pk)


def household_snapshot(household: Household) -> dict:
    return {name: getattr(household, name) for name in HOUSEHOLD_FIELDS + ["status", "region_code", "number"]}


def _working_age_from(household: Household) -> int:
    return policy.value("working_age_from", household.region_code, clock.today().year)


def _store_income(household: Household, year: int, values: dict) -> Income:
    income, _created = Income.objects.update_or_create(household=household, year=year, defaults=values)
    latest = household.incomes.order_by("-year").first()
    household.income_year, household.per_capita_income = latest.year, latest.per_capita
    return income


def _moment(today: date):
    """When a step is recorded: now, or the given day (the demo writes the past) at the present time."""
    now = clock.now()
    return now if today == now.date() else now.replace(year=today.year, month=today.month, day=today.day)
