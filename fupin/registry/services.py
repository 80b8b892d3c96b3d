"""Writes of the registry. One function per write; each checks its guard, writes, and audits, atomically."""

from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, Max, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from fupin.core import access, audit, clock, duties, inputs, policy, scope, uploads, workdays
from fupin.core.access import Action, Kind, Read
from fupin.core.enums import Role
from fupin.core.errors import DomainError, TransitionRefused
from fupin.core.models import Region
from fupin.core.scope import require_role

from . import rules
from .enums import (
    ABLE_TO_WORK,
    GATE_STEPS,
    MONITORING_STEPS,
    NOTICE_STEPS,
    ChangeKind,
    ChangeState,
    Gate,
    MeasureKind,
    MonitoringSource,
    MonitoringState,
    MonitoringStep,
    MonitoringType,
    Relation,
    RiskType,
    Status,
    Step,
)
from .models import (
    ChangeRequest,
    HelperPair,
    Household,
    Income,
    Measure,
    Member,
    MonitoringCase,
    Objection,
    Procedure,
    ProcedureEvent,
    Visit,
    VisitPhoto,
)

# Who does what comes from the access policy (core/access.py); the steps below name these groups.
OFFICERS = access.roles_for(Action.APPROVE_REGISTRY)
VILLAGE_AND_UP = access.roles_for(Action.APPLY)
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


def _working_age_from(household: Household) -> int:
    return policy.value("working_age_from", household.region_code, clock.today().year)


def _store_income(household: Household, year: int, values: dict) -> Income:
    income, _created = Income.objects.update_or_create(household=household, year=year, defaults=values)
    latest = household.incomes.order_by("-year").first()
    household.income_year, household.per_capita_income = latest.year, latest.per_capita
    return income


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


def monitoring_candidates(prefix: str, year: int):
    """Registered households whose per-capita income of `year` is below that year's monitoring line and who
    are not monitored yet: the list to look at first (防返贫 income trigger)."""
    line = policy.value("monitoring_line", prefix.ljust(12, "0"), year)
    open_cases = MonitoringCase.objects.exclude(state=MonitoringState.CLEARED).values("household_id")
    return (
        Household.objects.within(prefix)
        .filter(income_year=year, per_capita_income__lt=line)
        .filter(status__in=[Status.NOT_LIFTED, Status.LIFTED_WITH_POLICY, Status.LIFTED, Status.RELAPSED])
        .exclude(pk__in=open_cases)
        .select_related("head")
    ), line


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


# --- The gates -------------------------------------------------------------------------------------
STEP_ROLES = {
    Step.VILLAGE_REVIEW: VILLAGE_AND_UP,
    Step.FIRST_NOTICE: VILLAGE_AND_UP,
    Step.TOWN_REVIEW: OFFICERS,
    Step.SECOND_NOTICE: OFFICERS,
    Step.COUNTY_APPROVAL: (Role.COUNTY_ADMIN,),
    Step.VERIFICATION: OFFICERS,
    Step.CONSENT: VILLAGE_AND_UP,
    Step.NOTICE: VILLAGE_AND_UP,
    Step.ANNOUNCEMENT: (Role.COUNTY_ADMIN,),
}


# The approval steps of each gate in order: two consecutive ones never by the same person (职责分离).
APPROVAL_STEPS = {
    Gate.ENTRY: [Step.VILLAGE_REVIEW, Step.TOWN_REVIEW, Step.COUNTY_APPROVAL],
    Gate.EXIT: [Step.VILLAGE_REVIEW, Step.VERIFICATION, Step.ANNOUNCEMENT],
}


def _moment(today: date):
    """When a step is recorded: now, or the given day (the demo writes the past) at the present time."""
    now = clock.now()
    return now if today == now.date() else now.replace(year=today.year, month=today.month, day=today.day)


def _last_event(procedure: Procedure) -> ProcedureEvent | None:
    return procedure.events.order_by("-at", "-id").first()


def _check_duties(actor, procedure: Procedure, step: Step) -> None:
    """The person who took the previous approval step of this procedure may not take this one."""
    approvals = APPROVAL_STEPS[procedure.gate]
    if step not in approvals or approvals.index(step) == 0:
        return
    earlier = approvals[approvals.index(step) - 1]
    event = procedure.events.filter(step=earlier).order_by("-at", "-id").first()
    if event is not None:
        duties.ensure_different_person(
            actor,
            event.actor_id,
            _("“%(earlier)s” and “%(later)s” are taken by different people")
            % {"earlier": earlier.label, "later": step.label},
        )


def _notice_start(procedure: Procedure, data: dict, today: date) -> date:
    """A notice starts on the day it is recorded or later, never before the step before it (no backdating)."""
    start = inputs.date_value(data.get("start"), "start", _("Notice start")) or today
    if start < today:
        raise DomainError(
            _(
                "Notice start: %(start)s is before the day the notice is recorded (%(today)s); "
                "a notice cannot be backdated."
            )
            % {"start": start, "today": today},
            field="start",
        )
    previous = _last_event(procedure)
    if previous is not None:
        previous_day = timezone.localtime(previous.at).date()
        if start < previous_day:
            raise DomainError(
                _("Notice start: %(start)s is before the previous step “%(step)s” of %(day)s.")
                % {"start": start, "step": Step(previous.step).label, "day": previous_day},
                field="start",
            )
    return start


def next_step(procedure: Procedure) -> Step | None:
    steps = GATE_STEPS[procedure.gate]
    index = steps.index(procedure.step)
    return steps[index + 1] if index + 1 < len(steps) else None


def exit_blockers(household: Household, year: int) -> list[str]:
    """Why a household may not exit this year; empty when it may (DESIGN.md §4, 退出关突出“严”)."""
    blockers = []
    income = household.incomes.filter(year=year).first()
    per_capita = income.per_capita if income else None
    if per_capita is None and household.income_year == year:
        per_capita = (
            household.per_capita_income
        )  # imported: the national export gives the per-capita figure only
    line = policy.value("poverty_line", household.region_code, year)
    if per_capita is None:
        blockers.append(_("No income is recorded for %(year)s.") % {"year": year})
    elif per_capita <= line:
        blockers.append(
            _("Per-capita net income %(income)s is not above the %(year)s poverty line of %(line)s yuan.")
            % {"income": per_capita, "year": year, "line": line}
        )
    blockers.extend(
        _("Not guaranteed: %(flag)s.") % {"flag": flag} for flag in household.failing_guarantees()
    )
    return blockers


@transaction.atomic
def start_exit(actor, household: Household, today: date | None = None) -> Procedure:
    require_role(actor, *VILLAGE_AND_UP)
    today = today or clock.today()
    household = _locked(household)
    if household.status not in (Status.NOT_LIFTED, Status.RELAPSED):
        raise TransitionRefused(_("Only a registered household not yet lifted out can apply to exit."))
    blockers = exit_blockers(household, today.year)
    if blockers:
        raise TransitionRefused(_("The household cannot exit: %(reasons)s") % {"reasons": " ".join(blockers)})
    try:
        with transaction.atomic():
            procedure = Procedure.objects.create(household=household, gate=Gate.EXIT, year=today.year)
    except IntegrityError:
        raise TransitionRefused(_("An exit procedure is already under way.")) from None
    ProcedureEvent.objects.create(procedure=procedure, step=Step.APPLIED, actor=actor, at=_moment(today))
    audit.record(
        actor=actor,
        action="household.gate_step",
        region_code=household.region_code,
        target=household,
        after={"gate": Gate.EXIT, "step": Step.APPLIED},
    )
    return procedure


def _check_step_data(procedure: Procedure, step: Step, data: dict, today: date) -> dict:
    """What each step must record; returns the details to store."""
    household = procedure.household
    if step == Step.VILLAGE_REVIEW:
        try:
            eligible, present, votes_for = (int(data.get(k)) for k in ("eligible", "present", "votes_for"))
        except (TypeError, ValueError):
            raise DomainError(
                _("Enter the number entitled to vote, present and in favour."), field="present"
            ) from None
        if eligible <= 0 or not 0 <= votes_for <= present <= eligible:
            raise DomainError(
                _("The numbers do not add up: in favour ≤ present ≤ entitled."), field="votes_for"
            )
        if present * 3 < eligible * 2:
            raise DomainError(
                _("No quorum: %(present)s of %(eligible)s present, two thirds are needed.")
                % {"present": present, "eligible": eligible},
                field="present",
            )
        return {
            "eligible": eligible,
            "present": present,
            "votes_for": votes_for,
            "passed": votes_for * 2 > present,
        }
    if step in NOTICE_STEPS:
        start = _notice_start(procedure, data, today)
        days = policy.value("household_notice_days", household.region_code, procedure.year)
        return {"start": start, "end": workdays.add_working_days(start, days), "days": days}
    if step in (Step.TOWN_REVIEW, Step.VERIFICATION):
        if household.data_warnings and household.warnings_confirmed_by_id is None:
            raise DomainError(_("Confirm the household's data warnings first."), field="warnings")
        # Until the comparison step exists, an officer ticks it by hand: nothing assumes it was done.
        if not rules.as_bool(data.get("compared", False)):
            raise DomainError(
                _("Compared with department data: tick it once the officer has compared the household."),
                field="compared",
            )
        checked = {}
        if procedure.gate == Gate.EXIT:
            blockers = exit_blockers(household, procedure.year)
            if blockers:
                raise TransitionRefused(" ".join(blockers))
        else:
            checked = _entry_income_allowed(procedure, data)
        return {"opinion": str(data.get("opinion") or _("Agreed")), "compared": True, **checked}
    if step == Step.COUNTY_APPROVAL:
        # The county approves seeing the application's income against the identification line.
        return {"opinion": str(data.get("opinion") or _("Agreed")), **(entry_income_check(procedure) or {})}
    if step == Step.CONSENT:
        if not data.get("consent"):
            raise DomainError(_("The household has to agree to exit (signed consent)."), field="consent")
        return {"consent": True}
    return {"opinion": str(data.get("opinion") or _("Agreed"))}


def entry_income_check(procedure: Procedure) -> dict | None:
    """The application's per-capita net income against the year's identification line (None: no income)."""
    if procedure.gate != Gate.ENTRY:
        return None
    household = procedure.household
    income = household.incomes.filter(year__lte=procedure.year).order_by("-year").first()
    if income is None and household.per_capita_income is not None and household.income_year:
        # Imported: the national system's file gives the per-capita figure and its year only.
        income = Income(year=household.income_year, per_capita=household.per_capita_income)
    if income is None:
        return None
    line = policy.value("identification_line", household.region_code, income.year)
    town = procedure.events.filter(step=Step.TOWN_REVIEW).order_by("-at", "-id").first()
    return {
        "income_year": income.year,
        "per_capita": str(income.per_capita),
        "identification_line": str(line),
        "above_line": income.per_capita > line,
        "exception_reason": (town.details.get("exception_reason", "") if town else ""),
    }


def _entry_income_allowed(procedure: Procedure, data: dict) -> dict:
    """Entry needs income at or below the year's identification line, or a recorded exception reason."""
    check = entry_income_check(procedure)
    if check is None:
        raise DomainError(
            _("Per-capita net income: the application records no income for %(year)s or earlier.")
            % {"year": procedure.year},
            field="income",
        )
    reason = inputs.check_text(
        str(data.get("exception_reason") or "").strip(), "exception_reason", _("Exception reason"), 500
    )
    if check["above_line"] and not reason:
        raise DomainError(
            _(
                "Per-capita net income %(income)s yuan (%(year)s) is above the identification line of "
                "%(line)s yuan; record the exception reason to go on."
            )
            % {
                "income": check["per_capita"],
                "year": check["income_year"],
                "line": check["identification_line"],
            },
            field="exception_reason",
        )
    return {**check, "exception_reason": reason if check["above_line"] else ""}


def may_take_step(user, step) -> bool:
    """Does one of the user's roles take this step of the gates? The pages offer the step only then."""
    return step is not None and user.has_role(*STEP_ROLES.get(step, ()))


@transaction.atomic
def take_step(actor, procedure: Procedure, step: str, data: dict | None = None, today: date | None = None):
    """Take the next step of a gate procedure, in order, by a role allowed to take it."""
    data = data or {}
    today = today or clock.today()
    procedure = Procedure.objects.select_for_update().select_related("household").get(pk=procedure.pk)
    household = procedure.household
    if not procedure.is_open:
        raise TransitionRefused(_("This procedure is finished."))
    expected = next_step(procedure)
    if step != expected:
        raise TransitionRefused(
            _("Out of order: the next step is “%(expected)s”.") % {"expected": Step(expected).label}
        )
    require_role(actor, *STEP_ROLES[step])
    _check_duties(actor, procedure, Step(step))
    if procedure.objections.filter(resolved_at__isnull=True).exists():
        raise TransitionRefused(_("An objection raised during the notice is not resolved yet."))
    if procedure.step in NOTICE_STEPS and procedure.notice_end and today < procedure.notice_end:
        raise TransitionRefused(
            _("The notice runs until %(end)s; the next step can be taken after it.")
            % {"end": procedure.notice_end}
        )
    details = _check_step_data(procedure, step, data, today)
    procedure.step = step
    if step in NOTICE_STEPS:
        procedure.notice_start, procedure.notice_end = details["start"], details["end"]
    if step == Step.VILLAGE_REVIEW and not details["passed"]:
        _finish(procedure, household, refused=True)
    elif next_step(procedure) == Step.DONE:
        _finish(procedure, household, refused=False)
    procedure.save()
    ProcedureEvent.objects.create(
        procedure=procedure,
        step=step,
        actor=actor,
        at=_moment(today),
        details=_plain(details),
        comment=str(data.get("comment", "")),
    )
    audit.record(
        actor=actor,
        action="household.gate_step",
        region_code=household.region_code,
        target=household,
        after={"gate": procedure.gate, "step": step, **_plain(details), "status": household.status},
    )
    return procedure


def _plain(details: dict) -> dict:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in details.items()}


def _finish(procedure: Procedure, household: Household, refused: bool) -> None:
    procedure.finished_at = clock.now()
    if refused:
        procedure.step = Step.REFUSED
        if procedure.gate == Gate.ENTRY:
            household.status = Status.REJECTED
    else:
        procedure.step = Step.DONE
        if procedure.gate == Gate.ENTRY:
            household.status, household.identified_year = Status.NOT_LIFTED, procedure.year
        else:
            household.status, household.exit_year = Status.LIFTED_WITH_POLICY, procedure.year
    household.save(update_fields=["status", "identified_year", "exit_year", "updated_at"])


@transaction.atomic
def raise_objection(actor, procedure: Procedure, raised_by: str, content: str, today: date | None = None):
    today = today or clock.today()
    require_role(actor, *VILLAGE_AND_UP)
    procedure = Procedure.objects.select_for_update().select_related("household").get(pk=procedure.pk)
    if procedure.step not in NOTICE_STEPS or not procedure.is_open:
        raise TransitionRefused(_("Objections are recorded while a notice is posted."))
    if not (raised_by or "").strip() or not (content or "").strip():
        raise DomainError(_("Say who objects and what the objection is."), field="content")
    objection = Objection.objects.create(
        procedure=procedure,
        raised_by=raised_by.strip(),
        content=content.strip(),
        raised_on=today,
        recorded_by=actor,
    )
    audit.record(
        actor=actor,
        action="household.objection",
        region_code=procedure.household.region_code,
        target=procedure.household,
        after={"raised_by": objection.raised_by, "content": objection.content},
    )
    return objection


@transaction.atomic
def resolve_objection(actor, objection: Objection, resolution: str, upheld: bool):
    """Settle an objection. Upheld, it ends the procedure as refused; dismissed, the procedure goes on."""
    require_role(actor, *OFFICERS)
    objection = (
        Objection.objects.select_for_update().select_related("procedure__household").get(pk=objection.pk)
    )
    if objection.resolved_at:
        raise TransitionRefused(_("This objection is already resolved."))
    if not (resolution or "").strip():
        raise DomainError(_("Record how the objection was resolved."), field="resolution")
    objection.resolution, objection.upheld, objection.resolved_at = resolution.strip(), upheld, clock.now()
    objection.save()
    procedure = objection.procedure
    if upheld:
        _finish(procedure, procedure.household, refused=True)
        procedure.save()
    audit.record(
        actor=actor,
        action="household.objection_resolved",
        region_code=procedure.household.region_code,
        target=procedure.household,
        after={"upheld": upheld, "resolution": objection.resolution},
    )
    return objection


@transaction.atomic
def pair_helper(actor, household: Household, helper, start: date | None = None) -> HelperPair:
    """结对帮扶: the town pairs a helper with a household from `start` (today by default)."""
    access.require(actor, Action.APPROVE_REGISTRY)
    today = clock.today()
    start = inputs.date_value(start, "start", _("Paired from")) or today
    if start > today:
        raise DomainError(_("Paired from: %(day)s is in the future.") % {"day": start}, field="start")
    if helper is None or not helper.has_role(Role.HELPER):
        raise DomainError(_("%(name)s does not hold the helper role.") % {"name": helper}, field="helper")
    if not scope.covers(helper, household.region_code):
        raise DomainError(
            _("%(name)s works outside this household's area.") % {"name": helper}, field="helper"
        )
    if (
        helper.phone
        and Member.objects.living()
        .filter(phone=helper.phone, household__status__in=[Status.NOT_LIFTED, Status.RELAPSED])
        .exists()
    ):
        raise DomainError(
            _("%(name)s is registered as poor and cannot be a helper.") % {"name": helper}, field="helper"
        )
    household = _locked(household)
    if HelperPair.objects.filter(household=household, helper=helper, end__isnull=True).exists():
        raise DomainError(_("%(name)s already helps this household.") % {"name": helper}, field="helper")
    pair = HelperPair.objects.create(household=household, helper=helper, start=start)
    audit.record(
        actor=actor,
        action="helper.assign",
        region_code=household.region_code,
        target=household,
        after={"helper": helper.username, "start": start},
    )
    return pair


def helpers_for(household: Household):
    """Users the town can pair with this household: active helpers whose area covers it."""
    from fupin.core.models import User

    prefixes = {household.region_code[:n].ljust(12, "0") for n in (6, 9, 12)}
    return User.objects.filter(is_active=True, region_id__in=prefixes, roles__code=Role.HELPER).order_by(
        "username"
    )


@transaction.atomic
def end_pair(actor, pair: HelperPair, end: date | None = None, reason: str = "") -> HelperPair:
    """The town ends a pairing on a date (no later than today, not before it began); the history stays."""
    access.require(actor, Action.APPROVE_REGISTRY)
    pair = HelperPair.objects.select_for_update().select_related("household", "helper").get(pk=pair.pk)
    if pair.end is not None:
        raise DomainError(_("This pairing already ended on %(day)s.") % {"day": pair.end}, field="end")
    today = clock.today()
    end = inputs.date_value(end, "end", _("Paired until")) or today
    if end > today or end < pair.start:
        raise DomainError(
            _("Paired until: enter a day from %(start)s to %(today)s.")
            % {"start": pair.start, "today": today},
            field="end",
        )
    reason = inputs.check_text(str(reason or "").strip(), "reason", _("Reason"), 200)
    pair.end = end
    pair.save(update_fields=["end"])
    audit.record(
        actor=actor,
        action="helper.unassign",
        region_code=pair.household.region_code,
        target=pair.household,
        before={"helper": pair.helper.username, "start": pair.start},
        after={"helper": pair.helper.username, "end": end, "reason": reason},
    )
    return pair


@transaction.atomic
def record_visit(
    actor,
    household: Household,
    *,
    visited_on: date,
    findings: str,
    help_given: str = "",
    latitude=None,
    longitude=None,
    photos=(),
    today: date | None = None,
) -> Visit:
    """A monthly visit (每月走访) by a paired helper, or by a village or town cadre."""
    today = today or clock.today()
    paired = HelperPair.objects.filter(household=household, helper=actor, end__isnull=True).exists()
    if not paired and not actor.has_role(*VILLAGE_AND_UP):
        raise DomainError(_("Only the household's helpers and cadres record its visits."), field="helper")
    if visited_on > today:
        raise DomainError(_("The visit date cannot be in the future."), field="visited_on")
    if visited_on < today - timedelta(days=62):
        raise DomainError(_("Record a visit within two months of it."), field="visited_on")
    if not (findings or "").strip():
        raise DomainError(_("Write down what you found."), field="findings")
    latitude = inputs.coordinate(latitude, "latitude", _("latitude"), latitude=True)
    longitude = inputs.coordinate(longitude, "longitude", _("longitude"), latitude=False)
    if (latitude is None) != (longitude is None):
        raise DomainError(_("Give both latitude and longitude, or neither."), field="latitude")
    checked = [
        uploads.checked_file(photo, uploads.VISIT_PHOTO, field="photos", label=_("Photos"))
        for photo in photos
    ]
    visit = Visit.objects.create(
        household=household,
        helper=actor,
        visited_on=visited_on,
        findings=findings.strip(),
        help_given=(help_given or "").strip(),
        latitude=latitude,
        longitude=longitude,
    )
    for stored, found in checked:
        VisitPhoto.objects.create(visit=visit, image=stored, content_type=found.kind.content_type)
    audit.record(
        actor=actor,
        action="visit.create",
        region_code=household.region_code,
        target=household,
        after={"visited_on": visited_on, "findings": visit.findings, "photos": len(checked)},
    )
    return visit


def not_visited(prefix: str, month: date):
    """Registered households of the area with no visit in the month of `month` (本月未走访).

    NOT EXISTS per household uses the (household, visited_on) index, so the cost follows the town's
    households, not the county's visits.
    """
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    visited = Visit.objects.filter(household=OuterRef("pk"), visited_on__gte=first, visited_on__lt=following)
    return (
        Household.objects.within(prefix)
        .filter(status__in=[Status.NOT_LIFTED, Status.LIFTED_WITH_POLICY, Status.RELAPSED])
        .filter(~Exists(visited))
        .select_related("head")
    )


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


# --- Dynamic changes (maker-checker) ---------------------------------------------------------------
@transaction.atomic
def request_change(
    actor,
    household: Household,
    kind: str,
    effective_on: date,
    member: Member | None = None,
    payload: dict | None = None,
) -> ChangeRequest:
    require_role(actor, *VILLAGE_AND_UP, Role.HELPER)
    if kind not in ChangeKind.values:
        raise DomainError(_("Unknown kind of change."), field="kind")
    payload = payload or {}
    needs_member = kind in (ChangeKind.DEATH, ChangeKind.MARRIAGE_OUT, ChangeKind.MOVE_OUT)
    if needs_member and (
        member is None or member.household_id != household.pk or not member.is_living_member
    ):
        raise DomainError(_("Choose a living member of this household."), field="member")
    if kind in (ChangeKind.BIRTH, ChangeKind.MARRIAGE_IN):
        problems = rules.Problems()
        cleaned = rules.clean_member(payload, "payload.", problems, None, _working_age_from(household))
        _check_not_registered_elsewhere(actor, [cleaned], problems)
        _raise(problems)
    if kind == ChangeKind.SPLIT:
        ids = set(payload.get("member_ids") or [])
        living = set(household.members.living().values_list("pk", flat=True))
        if not ids or not ids <= living or ids == living:
            raise DomainError(
                _("Choose some, not all, living members for the new household."), field="member_ids"
            )
    change = ChangeRequest.objects.create(
        household=household,
        kind=kind,
        member=member,
        payload=payload,
        effective_on=effective_on,
        requested_by=actor,
    )
    audit.record(
        actor=actor,
        action="change.request",
        region_code=household.region_code,
        target=household,
        after={"kind": kind, "member": member.name if member else None, "effective_on": effective_on},
    )
    return change


@transaction.atomic
def decide_change(actor, change: ChangeRequest, approve: bool, reason: str = "") -> ChangeRequest:
    """A town officer approves or rejects a change someone else requested; approval applies it."""
    require_role(actor, *OFFICERS)
    change = ChangeRequest.objects.select_for_update().get(pk=change.pk)
    if change.state != ChangeState.PENDING:
        raise TransitionRefused(_("This change was already decided."))
    if change.requested_by_id == actor.pk:
        raise TransitionRefused(_("A change is approved by someone other than who requested it."))
    if not approve and not (reason or "").strip():
        raise DomainError(_("Give the reason for rejecting."), field="reason")
    household = change.household
    if approve:
        _apply_change(actor, change)
    change.state = ChangeState.APPROVED if approve else ChangeState.REJECTED
    change.decided_by, change.decided_at, change.reason = actor, clock.now(), (reason or "").strip()
    change.save()
    audit.record(
        actor=actor,
        action="change.decide",
        region_code=household.region_code,
        target=household,
        after={"kind": change.kind, "state": change.state, "reason": change.reason},
    )
    return change


def _apply_change(actor, change: ChangeRequest) -> None:
    household = change.household
    if change.kind in (ChangeKind.BIRTH, ChangeKind.MARRIAGE_IN):
        problems = rules.Problems()
        cleaned = rules.clean_member(
            change.payload, "payload.", problems, None, _working_age_from(change.household)
        )
        _check_not_registered_elsewhere(actor, [cleaned], problems)
        _raise(problems)
        Member.objects.create(household=household, **cleaned)
    elif change.kind == ChangeKind.DEATH:
        Member.objects.filter(pk=change.member_id).update(deceased=True, deceased_on=change.effective_on)
    elif change.kind in (ChangeKind.MARRIAGE_OUT, ChangeKind.MOVE_OUT):
        Member.objects.filter(pk=change.member_id).update(left_household=True, left_on=change.effective_on)
    elif change.kind == ChangeKind.SPLIT:
        new = Household.objects.create(
            number=next_household_number(household.region_code),
            county_code=household.county_code,
            region_code=household.region_code,
            main_cause=household.main_cause,
            status=household.status,
            identified_year=household.identified_year,
        )
        Member.objects.filter(pk__in=change.payload["member_ids"]).update(household=new)
        new.head = new.members.order_by("birth_date").first()
        new.save(update_fields=["head"])
        audit.record(
            actor=actor,
            action="household.create",
            region_code=new.region_code,
            target=new,
            after={"split_from": household.number},
        )
    if household.head_id and not household.members.living().filter(pk=household.head_id).exists():
        household.head = household.members.living().order_by("birth_date").first()
        household.save(update_fields=["head"])


MONITORING_STEP_ROLES = {
    MonitoringStep.VILLAGE_REVIEW: VILLAGE_AND_UP,
    MonitoringStep.NOTICE: VILLAGE_AND_UP,
    MonitoringStep.TOWN_CHECK: OFFICERS,
    MonitoringStep.COUNTY_APPROVAL: (Role.COUNTY_ADMIN,),
}
# Consecutive approvals of a monitoring identification are never taken by the same person (职责分离).
MONITORING_APPROVALS = [
    MonitoringStep.VILLAGE_REVIEW,
    MonitoringStep.TOWN_CHECK,
    MonitoringStep.COUNTY_APPROVAL,
]


def _monitoring_open_checks(type: str, risks: list[str], source: str, found_on: date) -> None:
    if type not in MonitoringType.values:
        raise DomainError(_("Choose a monitoring type."), field="type")
    unknown = [r for r in risks if r not in RiskType.values]
    if not risks or unknown:
        raise DomainError(_("Name at least one known risk."), field="risks")
    if source not in MonitoringSource.values:
        raise DomainError(_("Say how the risk was found."), field="source")
    if found_on > clock.today():
        raise DomainError(_("Found on: %(day)s is in the future.") % {"day": found_on}, field="found_on")


@transaction.atomic
def open_monitoring(
    actor,
    household: Household,
    *,
    type: str,
    risks: list[str],
    found_on: date,
    source: str = MonitoringSource.VISIT,
) -> MonitoringCase:
    """Record a household at risk; its identification must be approved within the policy's working days."""
    require_role(actor, *VILLAGE_AND_UP)
    _monitoring_open_checks(type, risks, source, found_on)
    if MonitoringCase.objects.filter(household=household).exclude(state=MonitoringState.CLEARED).exists():
        raise DomainError(_("This household is already being monitored."), field="household")
    days = policy.value("monitoring_identification_days", household.region_code, found_on.year)
    case = MonitoringCase.objects.create(
        household=household,
        type=type,
        risks=risks,
        source=source,
        found_on=found_on,
        identify_by=workdays.add_working_days(found_on, days),
        steps=[{"step": MonitoringStep.FOUND, "actor": actor.pk, "on": found_on.isoformat()}],
    )
    audit.record(
        actor=actor,
        action="monitoring.open",
        region_code=household.region_code,
        target=household,
        after={"type": type, "risks": risks, "source": source, "identify_by": case.identify_by},
    )
    return case


@transaction.atomic
def monitor_new_household(
    actor,
    *,
    region_code: str,
    data: dict,
    members: list[dict],
    income: dict | None,
    type: str,
    risks: list[str],
    found_on: date,
    source: str = MonitoringSource.VISIT,
) -> MonitoringCase:
    """A household never registered (边缘易致贫户, 突发严重困难户) put under monitoring: its members are
    checked like an application's, but no entry gate is opened."""
    if type == MonitoringType.UNSTABLE:
        raise DomainError(
            _("Monitoring type: a household never registered is marginal or in sudden hardship."),
            field="type",
        )
    _monitoring_open_checks(type, risks, source, found_on)
    household = create_household(
        actor, region_code=region_code, data=data, members=members, income=income, monitoring=True
    )
    return open_monitoring(actor, household, type=type, risks=risks, found_on=found_on, source=source)


def next_monitoring_step(case: MonitoringCase) -> MonitoringStep | None:
    index = MONITORING_STEPS.index(case.step)
    return MONITORING_STEPS[index + 1] if index + 1 < len(MONITORING_STEPS) else None


@transaction.atomic
def monitoring_step(
    actor, case: MonitoringCase, step: str, data: dict | None = None, today: date | None = None
):
    """Take the next identification step: village review → notice → town check → county approval."""
    data = data or {}
    today = today or clock.today()
    case = MonitoringCase.objects.select_for_update().select_related("household").get(pk=case.pk)
    if case.state != MonitoringState.IDENTIFYING:
        raise TransitionRefused(_("This case is already identified."))
    expected = next_monitoring_step(case)
    if step != expected:
        raise TransitionRefused(
            _("Out of order: the next step is “%(expected)s”.") % {"expected": MonitoringStep(expected).label}
        )
    step = MonitoringStep(step)
    require_role(actor, *MONITORING_STEP_ROLES[step])
    if step in MONITORING_APPROVALS and MONITORING_APPROVALS.index(step) > 0:
        earlier = MONITORING_APPROVALS[MONITORING_APPROVALS.index(step) - 1]
        taken = next((s for s in reversed(case.steps) if s["step"] == earlier), None)
        duties.ensure_different_person(
            actor,
            taken and taken["actor"],
            _("“%(earlier)s” and “%(later)s” are taken by different people")
            % {"earlier": earlier.label, "later": step.label},
        )
    if case.notice_end and today < case.notice_end:
        raise TransitionRefused(
            _("The notice runs until %(end)s; the next step can be taken after it.")
            % {"end": case.notice_end}
        )
    previous_day = date.fromisoformat(case.steps[-1]["on"]) if case.steps else case.found_on
    record = {"step": step.value, "actor": actor.pk, "on": today.isoformat()}
    if step == MonitoringStep.NOTICE:
        start = inputs.date_value(data.get("start"), "start", _("Notice start")) or today
        if start < today or start < previous_day:
            raise DomainError(
                _(
                    "Notice start: %(start)s is before the day the notice is recorded (%(today)s); "
                    "a notice cannot be backdated."
                )
                % {"start": start, "today": max(today, previous_day)},
                field="start",
            )
        days = policy.value("household_notice_days", case.household.region_code, today.year)
        case.notice_start, case.notice_end = start, workdays.add_working_days(start, days)
        record.update(start=start.isoformat(), end=case.notice_end.isoformat())
    else:
        record["opinion"] = inputs.check_text(
            str(data.get("opinion") or _("Agreed")), "opinion", _("Opinion"), 500
        )
    case.step = step
    case.steps = [*case.steps, record]
    if step == MonitoringStep.COUNTY_APPROVAL:
        case.state, case.identified_on = MonitoringState.MONITORED, today
    case.save()
    audit.record(
        actor=actor,
        action="monitoring.step",
        region_code=case.household.region_code,
        target=case.household,
        after={**record, "late": step == MonitoringStep.COUNTY_APPROVAL and today > case.identify_by},
    )
    return case


def identify_monitoring(actor, case: MonitoringCase, on: date) -> MonitoringCase:
    """The county's approval, the last step of the identification; the steps before it are required."""
    return monitoring_step(actor, case, MonitoringStep.COUNTY_APPROVAL, today=on)


@transaction.atomic
def add_measure(
    actor,
    case: MonitoringCase,
    kind: str,
    description: str,
    taken_on: date,
    until: date | None = None,
) -> Measure:
    """An assistance measure (帮扶措施) of a known kind, in effect from `taken_on` (to `until` if it ends)."""
    require_role(actor, *VILLAGE_AND_UP, Role.HELPER)
    case = MonitoringCase.objects.select_for_update().select_related("household").get(pk=case.pk)
    if case.state == MonitoringState.CLEARED:
        raise TransitionRefused(_("The risk of this case is already cleared."))
    problems = rules.Problems()
    kind = rules.choice(kind, MeasureKind, "kind", problems, _("Assistance measure"))
    _raise(problems)
    description = inputs.check_text(str(description or "").strip(), "description", _("Description"), 2000)
    if not description:
        raise DomainError(_("Name the measure and describe it."), field="description")
    taken_on = inputs.date_value(taken_on, "taken_on", _("Date")) or clock.today()
    until = inputs.date_value(until, "until", _("In effect until"))
    if taken_on > clock.today():
        raise DomainError(_("Date: %(day)s is in the future.") % {"day": taken_on}, field="taken_on")
    if until is not None and until < taken_on:
        raise DomainError(_("In effect until: not before the measure's date."), field="until")
    measure = Measure.objects.create(
        case=case, kind=kind, description=description, taken_on=taken_on, until=until, recorded_by=actor
    )
    audit.record(
        actor=actor,
        action="monitoring.measure",
        region_code=case.household.region_code,
        target=case.household,
        after={"kind": measure.kind, "taken_on": taken_on, "until": until},
    )
    return measure


def _measure_blocker(case: MonitoringCase, today: date) -> str | None:
    """Clearing needs help that worked: one measure in effect for the policy's months (帮扶措施落实)."""
    months = policy.value("monitoring_measure_months", case.household.region_code, today.year)
    for measure in case.measures.all():
        in_effect_until = min(measure.until or today, today)
        if _add_months(measure.taken_on, months) <= in_effect_until:
            return None
    return _("No assistance measure has been in effect for %(months)s months.") % {"months": months}


def clearing_blockers(case: MonitoringCase, today: date) -> list[str]:
    """Why the risk may not be cleared yet (six months above the line, every guarantee, labour)."""
    household = case.household
    blockers = []
    if case.state != MonitoringState.MONITORED:
        blockers.append(_("The case has to be identified first."))
        return blockers
    measure = _measure_blocker(case, today)
    if measure:
        blockers.append(measure)
    six_months_after = _add_months(case.identified_on, 6)
    if today < six_months_after:
        blockers.append(
            _("Income has to stay above the line for six months: not before %(day)s.")
            % {"day": six_months_after}
        )
    line = policy.value("monitoring_line", household.region_code, today.year)
    recent = household.incomes.filter(year__gte=case.identified_on.year).order_by("year")
    if not recent or any(income.per_capita <= line for income in recent):
        blockers.append(
            _("Per-capita income has not stayed above the monitoring line of %(line)s yuan.") % {"line": line}
        )
    blockers.extend(
        _("Not guaranteed: %(flag)s.") % {"flag": flag} for flag in household.failing_guarantees()
    )
    if not household.members.living().filter(labour__in=ABLE_TO_WORK).exists():
        blockers.append(_("A household without labour stays under monitoring with basic support."))
    return blockers


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for candidate in range(day.day, 27, -1):
        try:
            return date(year, month, candidate)
        except ValueError:
            continue
    return date(year, month, min(day.day, 28))


@transaction.atomic
def clear_risk(actor, case: MonitoringCase, today: date | None = None) -> MonitoringCase:
    require_role(actor, *OFFICERS)
    today = today or clock.today()
    case = MonitoringCase.objects.select_for_update().select_related("household").get(pk=case.pk)
    blockers = clearing_blockers(case, today)
    if blockers:
        raise TransitionRefused(
            _("The risk cannot be cleared: %(reasons)s") % {"reasons": " ".join(blockers)}
        )
    case.state, case.cleared_on = MonitoringState.CLEARED, today
    case.save()
    audit.record(
        actor=actor,
        action="monitoring.clear",
        region_code=case.household.region_code,
        target=case.household,
        after={"cleared_on": today},
    )
    return case
