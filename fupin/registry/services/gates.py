"""The two gates (识别 entry and 退出 exit): their steps in order, by the roles that take them, with the
notices, the objections and the income checks of each step."""

from datetime import date
from itertools import pairwise

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fupin.core import audit, clock, duties, inputs, policy, transitions, workdays
from fupin.core.enums import Role
from fupin.core.errors import DomainError, StateConflict, TransitionRefused
from fupin.core.scope import require_role
from fupin.core.transitions import Workflow

from .. import rules
from ..enums import (
    GATE_STEPS,
    NOTICE_STEPS,
    Gate,
    Status,
    Step,
)
from ..models import (
    Household,
    Income,
    Objection,
    Procedure,
    ProcedureEvent,
)
from .common import OFFICERS, OUT_OF_ORDER, VILLAGE_AND_UP, _locked, _moment

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


def _gate(gate: Gate) -> Workflow:
    """A gate's steps in their order (enums.GATE_STEPS), each taken after the one before it by STEP_ROLES."""
    order = GATE_STEPS[gate]
    return Workflow(
        f"{gate.value} gate",
        [
            transitions.Step(step.value, frozenset({before.value}), step.value, STEP_ROLES[step], step.label)
            for before, step in pairwise(order)
            if step != Step.DONE
        ],
        refusal=OUT_OF_ORDER,
        state_of=lambda procedure: procedure.step,
        state_label=lambda procedure: Step(next_step(procedure) or procedure.step).label,
    )


GATES = {gate: _gate(gate) for gate in Gate}
# A registered household not yet lifted out applies to exit; the exit gate then takes its steps.
HOUSEHOLD_GATES = Workflow(
    "household",
    [
        transitions.Step(
            "start_exit",
            frozenset({Status.NOT_LIFTED.value, Status.RELAPSED.value}),
            None,  # the household's status changes when the exit gate is passed
            VILLAGE_AND_UP,
            gettext_lazy("Start the exit procedure"),
        )
    ],
    refusal=gettext_lazy("Only a registered household not yet lifted out can apply to exit."),
    state_of=lambda household: household.status,
    state_label=lambda household: household.get_status_display(),
)


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
    today = today or clock.today()
    household = _locked(household)
    HOUSEHOLD_GATES.check(actor, household, "start_exit")
    blockers = exit_blockers(household, today.year)
    if blockers:
        raise TransitionRefused(_("The household cannot exit: %(reasons)s") % {"reasons": " ".join(blockers)})
    try:
        with transaction.atomic():
            procedure = Procedure.objects.create(household=household, gate=Gate.EXIT, year=today.year)
    except IntegrityError:
        raise StateConflict(_("An exit procedure is already under way.")) from None
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


@transaction.atomic
def take_step(actor, procedure: Procedure, step: str, data: dict | None = None, today: date | None = None):
    """Take the next step of a gate procedure, in order, by a role allowed to take it."""
    data = data or {}
    today = today or clock.today()
    procedure = Procedure.objects.select_for_update().select_related("household").get(pk=procedure.pk)
    household = procedure.household
    if not procedure.is_open:
        raise StateConflict(_("This procedure is finished."))
    GATES[procedure.gate].check(actor, procedure, step)
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
