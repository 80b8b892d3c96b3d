"""Households and members: the application, corrections of the household, its members and its income,
the data warnings and the revealed ID number."""

from datetime import date

from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from fupin.core import access, audit, clock, inputs, policy, scope
from fupin.core.access import Kind, Read
from fupin.core.errors import DomainError
from fupin.core.scope import require_role

from .. import rules
from ..enums import (
    Gate,
    Relation,
    Status,
    Step,
)
from ..models import (
    Household,
    Income,
    Member,
    Procedure,
    ProcedureEvent,
)
from .common import (
    HOUSEHOLD_FIELDS,
    OFFICERS,
    VILLAGE_AND_UP,
    _check_not_registered_elsewhere,
    _locked,
    _moment,
    _raise,
    _store_income,
    _village,
    _working_age_from,
    household_snapshot,
    next_household_number,
)


@transaction.atomic
def create_household(
    actor,
    *,
    region_code: str,
    data: dict,
    members: list[dict],
    income: dict | None = None,
    today: date | None = None,
    monitoring: bool = False,
) -> Household:
    """Register an application (申请): the household, its members and, if given, this year's income.

    Opens the entry-gate procedure. Hard errors refuse everything; soft warnings are stored on the
    household for a town officer to confirm.
    """
    require_role(actor, *VILLAGE_AND_UP)
    today = today or clock.today()
    village = _village(region_code)
    if not scope.covers(actor, village.code):
        raise DomainError(_("This village is outside your area."), field="region")
    problems = rules.Problems()
    main_cause, other_causes = rules.clean_causes(data, problems)
    if "phone" in data:
        data = {**data, "phone": rules.clean_phone(data["phone"], "phone", problems)}
    youngest = policy.value("working_age_from", village.code, today.year)
    cleaned = [
        rules.clean_member(m, f"members.{i}.", problems, today, youngest) for i, m in enumerate(members)
    ]
    if not cleaned:
        problems.error("members", _("A household has at least one member."))
    heads = [m for m in cleaned if m.get("relation") == Relation.HEAD]
    if cleaned and len(heads) != 1:
        problems.error("members", _("Exactly one member must be the head of household."))
    _check_not_registered_elsewhere(actor, cleaned, problems)
    income_values = rules.clean_income(income, len(cleaned), problems) if income else None
    number = str(data.get("number") or "").strip() or next_household_number(village.code)
    if Household.objects.filter(county_code=village.code[:6], number=number).exists():
        problems.error(
            "number", _("Household number %(number)s is already used in the county.") % {"number": number}
        )
    _raise(problems)

    household = Household.objects.create(
        status=Status.MONITORED if monitoring else Status.APPLYING,
        number=number,
        county_code=village.code[:6],
        region_code=village.code,
        main_cause=main_cause,
        other_causes=other_causes,
        **{k: data[k] for k in HOUSEHOLD_FIELDS if k in data and k not in ("main_cause", "other_causes")},
    )
    created = Member.objects.bulk_create(inputs.checked([Member(household=household, **m) for m in cleaned]))
    household.head = next(m for m in created if m.relation == Relation.HEAD)
    if income_values:
        _store_income(household, today.year, income_values)
    household.data_warnings = rules.consistency_warnings(
        main_cause, cleaned, income_values["per_capita"] if income_values else None
    )
    household.save()
    if not monitoring:  # a household put under monitoring is not applying to be registered
        procedure = Procedure.objects.create(household=household, gate=Gate.ENTRY, year=today.year)
        ProcedureEvent.objects.create(procedure=procedure, step=Step.APPLIED, actor=actor, at=_moment(today))
    audit.record(
        actor=actor,
        action="household.create",
        region_code=household.region_code,
        target=household,
        after={**household_snapshot(household), "members": [m.name for m in created]},
    )
    return household


@transaction.atomic
def update_household(actor, household: Household, data: dict) -> Household:
    require_role(actor, *VILLAGE_AND_UP)
    household = _locked(household)
    before = household_snapshot(household)
    problems = rules.Problems()
    if "main_cause" in data or "other_causes" in data:
        merged = {"main_cause": household.main_cause, "other_causes": household.other_causes, **data}
        household.main_cause, household.other_causes = rules.clean_causes(merged, problems)
    if "phone" in data:
        data = {**data, "phone": rules.clean_phone(data["phone"], "phone", problems)}
    _raise(problems)
    for name in HOUSEHOLD_FIELDS:
        if name in data and name not in ("main_cause", "other_causes"):
            setattr(household, name, data[name])
    _refresh_warnings(household)
    household.save()
    after = household_snapshot(household)
    changed = {k: v for k, v in after.items() if before.get(k) != v}
    audit.record(
        actor=actor,
        action="household.update",
        region_code=household.region_code,
        target=household,
        before={k: before[k] for k in changed},
        after=changed,
    )
    return household


EDITABLE_MEMBER_FIELDS = [
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
    "ethnicity",
]


@transaction.atomic
def update_members(actor, household: Household, changes: list[dict]) -> list[Member]:
    """Correct members' circumstances (health, labour, work, schooling …). Identity, births, deaths and moves
    go through change requests instead, so that another person approves them."""
    require_role(actor, *VILLAGE_AND_UP)
    household = _locked(household)
    members = {m.pk: m for m in household.members.all()}
    problems, updated, before, after = rules.Problems(), [], {}, {}
    for i, change in enumerate(changes):
        member = members.get(change.get("id"))
        if member is None:
            problems.error(f"members.{i}.id", _("Not a member of this household."))
            continue
        forbidden = set(change) - {"id", *EDITABLE_MEMBER_FIELDS}
        if forbidden:
            problems.error(f"members.{i}", _("Change names, ID numbers and relations with a change request."))
            continue
        merged = {f: getattr(member, f) for f in ["name", "id_number", "relation", *EDITABLE_MEMBER_FIELDS]}
        merged.update({k: v for k, v in change.items() if k != "id"})
        cleaned = rules.clean_member(merged, f"members.{i}.", problems, None, _working_age_from(household))
        fields = [
            f
            for f in EDITABLE_MEMBER_FIELDS
            if f in change and cleaned.get(f, merged[f]) != getattr(member, f)
        ]
        before[member.name] = {f: getattr(member, f) for f in fields}
        for name in fields:
            setattr(member, name, cleaned.get(name, merged[name]))
        after[member.name] = {f: getattr(member, f) for f in fields}
        updated.append((member, fields))
    _raise(problems)
    for member, fields in updated:
        if fields:
            member.save(update_fields=fields)
    _refresh_warnings(household)
    household.save(update_fields=["data_warnings", "warnings_confirmed_by"])
    audit.record(
        actor=actor,
        action="household.member_update",
        region_code=household.region_code,
        target=household,
        before=before,
        after=after,
    )
    return [member for member, _fields in updated]


@transaction.atomic
def change_household(
    actor,
    household: Household,
    *,
    data: dict,
    members: list[dict] | None = None,
    income: tuple[int, dict] | None = None,
) -> Household:
    """One edit of a household from the API: its fields, its members' circumstances and a year's income,
    all written or none."""
    if data:
        update_household(actor, household, data)
    if members:
        update_members(actor, household, members)
    if income:
        set_income(actor, household, *income)
    return household


def _refresh_warnings(household: Household) -> None:
    members = list(household.members.living().values("health", "labour"))
    warnings = rules.consistency_warnings(household.main_cause, members, household.per_capita_income)
    if warnings != household.data_warnings:
        household.data_warnings = warnings
        household.warnings_confirmed_by = None


@transaction.atomic
def set_income(actor, household: Household, year: int, values: dict) -> Income:
    require_role(actor, *VILLAGE_AND_UP)
    household = _locked(household)
    problems = rules.Problems()
    members = household.members.living().count()
    cleaned = rules.clean_income(values, members, problems, prefix="")
    _raise(problems)
    income = _store_income(household, year, cleaned)
    _refresh_warnings(household)
    household.save()
    audit.record(
        actor=actor,
        action="household.update",
        region_code=household.region_code,
        target=household,
        after={"income_year": year, **{k: cleaned[k] for k in ["net", "per_capita"]}},
    )
    return income


@transaction.atomic
def confirm_warnings(actor, household: Household) -> Household:
    require_role(actor, *OFFICERS)
    household = _locked(household)
    if not household.data_warnings:
        raise DomainError(_("There are no warnings to confirm."))
    household.warnings_confirmed_by = actor
    household.save(update_fields=["warnings_confirmed_by"])
    audit.record(
        actor=actor,
        action="household.warnings_confirmed",
        region_code=household.region_code,
        target=household,
        after={"warnings": household.data_warnings},
    )
    return household


@transaction.atomic
def reveal_id_number(actor, member: Member) -> str:
    """Show a full ID number. Allowed to officers and inspectors, and always written to the audit chain."""
    if not access.can_read(actor, Kind.REGISTRY, Read.PERSONAL):
        raise access.refused()
    audit.record(
        actor=actor,
        action="household.id_revealed",
        region_code=member.household.region_code,
        target=member.household,
        after={"member": member.name},
    )
    return member.id_number


def attach_sizes(households) -> list[Household]:
    """Each household's number of living members, counted for these rows only (one query)."""
    households = list(households)
    counts = dict(
        Member.objects.living()
        .filter(household_id__in=[h.pk for h in households])
        .values("household_id")
        .annotate(n=Count("id"))
        .values_list("household_id", "n")
    )
    for household in households:
        household.size = counts.get(household.pk, 0)
    return households
