"""Monitoring against relapse (防返贫监测): the income trigger's candidates, the identification's steps,
assistance measures and clearing the risk."""

from datetime import date
from itertools import pairwise

from django.db import transaction
from django.utils.translation import gettext as _

from fupin.core import audit, clock, duties, inputs, policy, transitions, workdays
from fupin.core.enums import Role
from fupin.core.errors import DomainError, StateConflict, TransitionRefused
from fupin.core.scope import require_role
from fupin.core.transitions import Workflow

from .. import rules
from ..enums import (
    ABLE_TO_WORK,
    MONITORING_STEPS,
    MeasureKind,
    MonitoringSource,
    MonitoringState,
    MonitoringStep,
    MonitoringType,
    RiskType,
    Status,
)
from ..models import (
    Household,
    Measure,
    MonitoringCase,
)
from .common import OFFICERS, OUT_OF_ORDER, VILLAGE_AND_UP, _raise
from .households import create_household


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
# The identification's steps in their order, each after the one before it, by MONITORING_STEP_ROLES.
IDENTIFICATION = Workflow(
    "monitoring identification",
    [
        transitions.Step(
            step.value, frozenset({before.value}), step.value, MONITORING_STEP_ROLES[step], step.label
        )
        for before, step in pairwise(MONITORING_STEPS)
    ],
    refusal=OUT_OF_ORDER,
    state_of=lambda case: case.step,
    state_label=lambda case: MonitoringStep(next_monitoring_step(case) or case.step).label,
)


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
        raise StateConflict(_("This case is already identified."))
    IDENTIFICATION.check(actor, case, step)
    step = MonitoringStep(step)
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
