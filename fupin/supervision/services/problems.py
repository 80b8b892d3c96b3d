"""The problem ledger: opening a problem (numbered, dispatched, with its deadline), the transitions of its
workflow with the timeline event of each, and the daily escalation of problems past their deadline."""

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from fupin.core import access, audit, clock, policy, uploads, workdays
from fupin.core.enums import Role
from fupin.core.errors import DomainError
from fupin.core.models import Region, User
from fupin.core.scope import county_of, covers, within_lookup

from ..enums import (
    CATEGORIES,
    CLOCK_STATES,
    ESCALATION_ORDER,
    PROBLEMS,
    RESPONSIBLE,
    SUPERVISORS,
    USE_KINDS,
    Action,
    Escalation,
    State,
    Use,
)
from ..models import (
    Attachment,
    Campaign,
    CheckResult,
    Complaint,
    Grid,
    Problem,
    ProblemEvent,
)
from .grids import staff_on_shift


def _next_number(use: str, year: int) -> str:
    prefix = f"{'XM' if use == Use.PROJECTS else 'CG'}{year}"
    last = Problem.objects.filter(number__startswith=prefix).aggregate(last=Max("number"))["last"]
    return f"{prefix}{int(last[len(prefix) :]) + 1 if last else 1:05d}"


def _dispatcher(region_code: str) -> User | None:
    county = county_of(region_code)
    return (
        User.objects.filter(
            roles__code=Role.DISPATCHER, is_active=True, **within_lookup(county, "region__code")
        )
        .order_by("pk")
        .first()
    )


def default_deadline(region_code: str, start: date) -> date:
    return workdays.add_working_days(start, policy.value("problem_deadline_days", region_code, start.year))


@transaction.atomic
def open_problem(
    actor,
    *,
    use: str,
    category: str,
    title: str,
    region_code: str,
    found_on: date,
    description: str = "",
    campaign: Campaign | None = None,
    grid: Grid | None = None,
    complaint: Complaint | None = None,
    check_result: CheckResult | None = None,
    subject_label: str = "",
) -> Problem:
    """Register a problem. A patrol problem in a grid goes to the staff on shift there, else to the
    dispatcher."""
    if use not in Use.values:
        raise DomainError(_("Unknown use."), field="use")
    if category not in CATEGORIES[use].values:
        raise DomainError(_("Unknown category for this use."), field="category")
    if not (title or "").strip():
        raise DomainError(_("Say what the problem is."), field="title")
    if found_on > clock.today():
        raise DomainError(_("The date found cannot be in the future."), field="found_on")
    if not Region.objects.filter(code=region_code).exists():
        raise DomainError(_("Unknown area."), field="region")
    if actor is not None and not covers(actor, region_code):
        raise DomainError(_("This area is outside yours."), field="region")
    if actor is not None and not access.can_read(actor, USE_KINDS[use]):
        raise access.refused()  # a grid worker reports urban problems, not project inspections
    responsible, state, deadline = None, State.REGISTERED, None
    if grid is not None:
        staff = staff_on_shift(grid, clock.now())
        if staff is not None:
            responsible, state = staff, State.ASSIGNED
            deadline = default_deadline(region_code, found_on)
        else:
            responsible = _dispatcher(region_code)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                problem = Problem.objects.create(
                    number=_next_number(use, found_on.year),
                    use=use,
                    category=category,
                    title=title.strip()[:200],
                    description=(description or "").strip(),
                    region_code=region_code,
                    campaign=campaign,
                    grid=grid,
                    complaint=complaint,
                    check_result=check_result,
                    subject_label=subject_label[:200],
                    state=state,
                    responsible=responsible,
                    deadline=deadline,
                    first_deadline=deadline,
                    found_on=found_on,
                    reported_by=actor,
                )
            break
        except IntegrityError:
            continue  # another writer took the number: take the next
    else:
        raise DomainError(_("The problem could not be numbered; please try again."))
    _event(problem, actor, Action.REGISTER, "", {"state": state, "responsible": str(responsible or "")})
    if state == State.ASSIGNED:
        _event(
            problem,
            None,
            Action.ASSIGN,
            _("Assigned automatically to the staff on shift."),
            {"responsible": str(responsible), "deadline": deadline},
        )
    audit.record(
        actor=actor,
        action="problem.open",
        region_code=region_code,
        target=problem,
        after={
            "number": problem.number,
            "category": category,
            "state": state,
            "responsible": responsible.username if responsible else None,
        },
    )
    return problem


def _role_of(actor) -> str:
    if actor is None:
        return "system"
    for role in [*SUPERVISORS, *RESPONSIBLE, *Role.values]:
        if actor.has_role(role):
            return role
    return ""


def _event(problem, actor, action, comment="", data=None) -> ProblemEvent:
    plain = {k: v.isoformat() if isinstance(v, date) else v for k, v in (data or {}).items()}
    return ProblemEvent.objects.create(
        problem=problem,
        action=action,
        actor=actor,
        actor_role=_role_of(actor),
        comment=comment or "",
        data=plain,
    )


def check_evidence(upload):
    """An evidence file (an image or a PDF, by its content) under the name it is stored as; others are
    refused with the field's name."""
    return uploads.checked_file(upload, uploads.EVIDENCE, field="attachments", label=_("Evidence"))


@transaction.atomic
def transition(
    actor,
    problem: Problem,
    action: str,
    *,
    comment: str = "",
    attachments=(),
    unit: str = "",
    person: User | None = None,
    deadline: date | None = None,
    duplicate_of: Problem | None = None,
    beyond_campaign_end: bool = False,
    today: date | None = None,
) -> Problem:
    """Take one action on a problem; every action is an event on its timeline (and in the audit chain)."""
    today = today or clock.today()
    problem = Problem.objects.select_for_update(of=("self",)).select_related("campaign").get(pk=problem.pk)
    step = PROBLEMS.check(actor, problem, action, reason=comment)
    comment = (comment or "").strip()
    checked = [check_evidence(upload) for upload in attachments]
    if action == Action.SUBMIT and not checked:
        raise DomainError(
            _("A rectification report needs at least one photo or PDF as evidence."), field="attachments"
        )
    before = {
        "state": problem.state,
        "deadline": problem.deadline,
        "responsible": str(problem.responsible or ""),
    }
    data = _apply(
        actor,
        problem,
        action,
        today,
        unit=unit,
        person=person,
        deadline=deadline,
        duplicate_of=duplicate_of,
        beyond_campaign_end=beyond_campaign_end,
    )
    if step.target is not None:
        problem.state = step.target
    problem.save()
    event = _event(problem, actor, action, comment, data)
    for stored, found in checked:
        Attachment.objects.create(
            event=event,
            file=stored,
            name=found.original_name or stored.name,
            content_type=found.kind.content_type,
            size=found.size,
        )
    audit.record(
        actor=actor,
        action="problem.transition",
        region_code=problem.region_code,
        target=problem,
        before=before,
        after={
            "action": action,
            "state": problem.state,
            "deadline": problem.deadline,
            "attachments": len(checked),
            **data,
        },
        note=comment,
    )
    return problem


def _apply(
    actor,
    problem: Problem,
    action: str,
    today: date,
    *,
    unit,
    person,
    deadline,
    duplicate_of,
    beyond_campaign_end,
) -> dict:
    """The state change each action makes beyond its target state; returns what the timeline records."""
    if action == Action.ASSIGN:
        if not (unit or "").strip():
            raise DomainError(_("Name the responsible unit."), field="unit")
        if person is not None and not covers(person, problem.region_code):
            raise DomainError(_("The responsible person must work in the problem's area."), field="person")
        deadline = deadline or default_deadline(problem.region_code, today)
        if deadline <= today:
            raise DomainError(_("The deadline must lie after today."), field="deadline")
        problem.responsible_unit, problem.responsible = unit.strip(), person
        problem.deadline = deadline
        problem.first_deadline = problem.first_deadline or deadline
        return {"unit": problem.responsible_unit, "responsible": str(person or ""), "deadline": deadline}
    if action == Action.DUPLICATE:
        if duplicate_of is None or duplicate_of.pk == problem.pk:
            raise DomainError(_("Name the problem this one duplicates."), field="duplicate_of")
        problem.duplicate_of = duplicate_of
        return {"duplicate_of": duplicate_of.number}
    if action == Action.VERIFY:
        problem.closed_on = today
        problem.closed_on_time = problem.effective_deadline is None or today <= problem.effective_deadline
        return {"on_time": problem.closed_on_time}
    if action == Action.REWORK:
        problem.rework_count += 1  # the clock is not reset: the deadline stays
        return {"rework": problem.rework_count}
    if action == Action.SUSPEND:
        problem.state_before_suspension, problem.suspended_on = problem.state, today
        return {}
    if action == Action.RESUME:
        paused = max(0, workdays.working_days_between(problem.suspended_on, today))
        problem.paused_days += paused
        problem.state, problem.suspended_on = problem.state_before_suspension, None
        return {"paused": paused}
    if action in (Action.REQUEST_EXTENSION, Action.EXTEND):
        new = deadline or (problem.requested_deadline if action == Action.EXTEND else None)
        if new is None or (problem.deadline and new <= problem.deadline):
            raise DomainError(_("The new deadline must lie after the current one."), field="deadline")
        if action == Action.REQUEST_EXTENSION:
            problem.requested_deadline = new
            return {"requested": new}
        campaign = problem.campaign
        if campaign and new > campaign.end and not beyond_campaign_end:
            raise DomainError(
                _(
                    "%(day)s is after the campaign ends (%(end)s): "
                    "approve it explicitly as an extension beyond the campaign."
                )
                % {"day": new, "end": campaign.end},
                field="deadline",
            )
        problem.first_deadline = problem.first_deadline or problem.deadline
        problem.deadline, problem.requested_deadline = new, None
        return {"deadline": new, "original": problem.first_deadline}
    if action == Action.REOPEN:
        problem.closed_on = problem.closed_on_time = None
        return {}
    if action == Action.SEND_BACK:
        problem.responsible = None
        return {}
    return {}


def escalation_for(problem: Problem, today: date, reminder_days: int, listed_days: int) -> str:
    if problem.state not in CLOCK_STATES or problem.deadline is None:
        return Escalation.NONE
    deadline = problem.effective_deadline
    if today > deadline:
        overdue = workdays.working_days_between(deadline, today)
        return Escalation.LISTED if overdue > listed_days else Escalation.TIME_LIMITED
    if workdays.working_days_between(today, deadline) <= reminder_days:
        return Escalation.REMINDER
    return Escalation.NONE


ESCALATION_CHUNK = 1000


def escalate(today: date | None = None) -> dict:
    """Set each open problem's escalation level (提醒 → 限时督办 → 挂牌督办). Safe to run twice: a problem
    gets a timeline event and an audit event only when its level changes. Changes are written a thousand
    at a time, each thousand in one transaction."""
    today = today or clock.today()
    thresholds: dict[str, tuple[int, int]] = {}
    changed = {level: 0 for level in ESCALATION_ORDER}
    problems = Problem.objects.filter(state__in=CLOCK_STATES, deadline__isnull=False).only(
        "id", "number", "title", "state", "deadline", "paused_days", "escalation", "region_code"
    )
    pending: list[tuple[Problem, str]] = []
    for problem in problems.iterator(chunk_size=2000):
        town = problem.region_code[:9]
        if town not in thresholds:
            thresholds[town] = (
                policy.value("problem_reminder_days", problem.region_code, today.year),
                policy.value("problem_listed_days", problem.region_code, today.year),
            )
        level = escalation_for(problem, today, *thresholds[town])
        if level != problem.escalation:
            pending.append((problem, level))
            changed[level] += 1
        if len(pending) >= ESCALATION_CHUNK:
            _write_escalations(pending)
            pending = []
    if pending:
        _write_escalations(pending)
    return changed


@transaction.atomic
def _write_escalations(changes: list[tuple[Problem, str]]) -> None:
    by_level: dict[str, list[int]] = {}
    for problem, level in changes:
        by_level.setdefault(level, []).append(problem.pk)
    for level, ids in by_level.items():
        Problem.objects.filter(pk__in=ids).update(escalation=level)
    ProblemEvent.objects.bulk_create(
        [
            ProblemEvent(
                problem=problem,
                action=Action.ESCALATE,
                actor_role="system",
                data={"from": problem.escalation, "to": level},
            )
            for problem, level in changes
        ],
        batch_size=1000,
    )
    audit.record_many(
        [
            {
                "actor": None,
                "action": "problem.escalate",
                "region_code": problem.region_code,
                "target": problem,
                "before": {"escalation": problem.escalation},
                "after": {"escalation": level},
            }
            for problem, level in changes
        ]
    )
