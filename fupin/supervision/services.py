"""Writes of supervision: campaigns and checks, the problem ledger's transitions, escalation, duty and
complaints. One function per write; each checks its guard, writes, and records the timeline event and the
audit event."""

import secrets
from datetime import date, datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from fupin.core import access, audit, clock, inputs, policy, ratelimit, uploads, workdays
from fupin.core.enums import Role
from fupin.core.errors import DomainError, TransitionRefused
from fupin.core.models import Region, User
from fupin.core.scope import county_of, covers, prefix_of, require_role, within_lookup

from .enums import (
    CATEGORIES,
    CLOCK_STATES,
    ESCALATION_ORDER,
    RESPONSIBLE,
    SUPERVISORS,
    TRANSITIONS,
    USE_KINDS,
    Action,
    ComplaintChannel,
    ComplaintState,
    Escalation,
    Method,
    State,
    Use,
)
from .models import (
    Attachment,
    Campaign,
    Check,
    ChecklistItem,
    CheckResult,
    Complaint,
    Grid,
    Problem,
    ProblemEvent,
    Shift,
)

INSPECTORS = (Role.COUNTY_ADMIN, Role.INSPECTOR)

# Where a campaign finds its subjects. Apps register theirs (the projects app adds "projects"); a source
# takes the campaign and returns (object, label, region_code) for every subject in its scope.
SUBJECT_SOURCES = {}


def _urban_subjects(campaign: Campaign):
    return [
        (grid, grid.name, grid.region_code) for grid in Grid.objects.within(prefix_of(campaign.region_code))
    ]


SUBJECT_SOURCES[Use.URBAN] = _urban_subjects


# --- Campaigns -------------------------------------------------------------------------------------
@transaction.atomic
def create_campaign(
    actor,
    *,
    name: str,
    use: str,
    region: Region,
    start: date,
    end: date,
    items: list[dict],
    scope: dict | None = None,
) -> Campaign:
    require_role(actor, *INSPECTORS)
    if not (name or "").strip():
        raise DomainError(_("The name is required."), field="name")
    if use not in Use.values:
        raise DomainError(_("Unknown use."), field="use")
    if end < start:
        raise DomainError(_("The campaign cannot end before it starts."), field="end")
    if not covers(actor, region.code):
        raise DomainError(_("This area is outside yours."), field="region")
    if not items:
        raise DomainError(_("A campaign needs at least one checklist item."), field="items")
    aspects = CATEGORIES[use]
    for i, item in enumerate(items):
        if item.get("aspect") not in aspects.values:
            raise DomainError(_("Unknown aspect."), field=f"items.{i}.aspect")
        if not (item.get("text") or "").strip():
            raise DomainError(_("Say what is checked."), field=f"items.{i}.text")
        if item.get("method", Method.ARCHIVES) not in Method.values:
            raise DomainError(_("Unknown way of checking."), field=f"items.{i}.method")
    campaign = Campaign.objects.create(
        name=name.strip(),
        use=use,
        region_code=region.code,
        start=start,
        end=end,
        scope=scope or {},
        created_by=actor,
    )
    ChecklistItem.objects.bulk_create(
        inputs.checked(
            [
                ChecklistItem(
                    campaign=campaign,
                    aspect=item["aspect"],
                    text=item["text"].strip(),
                    method=item.get("method", Method.ARCHIVES),
                    order=i,
                )
                for i, item in enumerate(items)
            ]
        )
    )
    audit.record(
        actor=actor,
        action="campaign.create",
        region_code=region.code,
        target=campaign,
        after={"name": campaign.name, "start": start, "end": end, "items": len(items), "scope": scope},
    )
    return campaign


def subjects_in_scope(campaign: Campaign) -> list[tuple]:
    source = SUBJECT_SOURCES.get(campaign.use)
    return list(source(campaign)) if source else []


def progress(campaign: Campaign) -> tuple[int, int]:
    """Subjects checked and subjects in scope."""
    return campaign.checks.count(), len(subjects_in_scope(campaign))


@transaction.atomic
def record_check(
    actor,
    campaign: Campaign,
    subject,
    *,
    label: str,
    region_code: str,
    results: dict,
    checked_on: date | None = None,
) -> Check:
    """Record a check: every item passed, or a problem found (which opens a problem in the ledger)."""
    require_role(actor, *INSPECTORS)
    checked_on = checked_on or clock.today()
    if not campaign.start <= checked_on <= campaign.end:
        raise DomainError(
            _("Checks are recorded within the campaign's period (%(start)s – %(end)s).")
            % {"start": campaign.start, "end": campaign.end},
            field="checked_on",
        )
    items = list(campaign.items.all())
    missing = [item.text for item in items if item.pk not in results]
    if missing:
        raise DomainError(_("Answer every item: %(items)s") % {"items": "、".join(missing)}, field="results")
    for item in items:
        passed, note = results[item.pk]
        if not passed and not (note or "").strip():
            raise DomainError(
                _("Describe the problem found for “%(item)s”.") % {"item": item.text},
                field=f"results.{item.pk}",
            )
    subject_type = ContentType.objects.get_for_model(subject)
    if Check.objects.filter(
        campaign=campaign, subject_type=subject_type, subject_id=str(subject.pk)
    ).exists():
        raise DomainError(
            _("%(subject)s was already checked in this campaign.") % {"subject": label}, field="subject"
        )
    check = Check.objects.create(
        campaign=campaign,
        subject_type=subject_type,
        subject_id=str(subject.pk),
        subject_label=label[:200],
        region_code=region_code,
        inspector=actor,
        checked_on=checked_on,
    )
    problems = 0
    for item in items:
        passed, note = results[item.pk]
        result = CheckResult.objects.create(
            check_record=check, item=item, passed=passed, note=(note or "").strip()
        )
        if not passed:
            problems += 1
            open_problem(
                actor,
                use=campaign.use,
                category=item.aspect,
                title=f"{item.text}：{result.note}"[:200],
                region_code=region_code,
                found_on=checked_on,
                campaign=campaign,
                check_result=result,
                subject_label=label,
            )
    audit.record(
        actor=actor,
        action="campaign.check",
        region_code=region_code,
        target=check,
        after={"campaign": campaign.name, "subject": label, "problems": problems},
    )
    return check


# --- The problem ledger ----------------------------------------------------------------------------
def _next_number(use: str, year: int) -> str:
    prefix = f"{'XM' if use == Use.PROJECTS else 'CG'}{year}"
    last = Problem.objects.filter(number__startswith=prefix).aggregate(last=Max("number"))["last"]
    return f"{prefix}{int(last[len(prefix) :]) + 1 if last else 1:05d}"


def staff_on_shift(grid: Grid, at: datetime) -> User | None:
    shift = (
        Shift.objects.filter(grid=grid, start__lte=at, end__gt=at)
        .select_related("staff")
        .order_by("start")
        .first()
    )
    return shift.staff if shift else None


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


def allowed_actions(user, problem: Problem) -> list[str]:
    """The actions this user may take on the problem now: the pages offer only these."""
    return [
        action
        for action, (sources, _target, who) in TRANSITIONS.items()
        if problem.state in sources and _may(user, problem, who)
    ]


def _may(actor, problem: Problem, who: str) -> bool:
    if who == "anyone":
        return True
    if who == "supervisor":
        return actor.has_role(*SUPERVISORS)
    if problem.responsible_id:
        return problem.responsible_id == actor.pk
    return actor.has_role(*RESPONSIBLE)


def check_evidence(upload):
    """An evidence file (an image or a PDF, by its content) under the name it is stored as; others are
    refused with the field's name."""
    return uploads.checked_file(upload, uploads.EVIDENCE, field="attachments", label=_("Evidence"))


NEEDS_COMMENT = {
    Action.REJECT,
    Action.SEND_BACK,
    Action.SUBMIT,
    Action.REWORK,
    Action.SUSPEND,
    Action.REQUEST_EXTENSION,
    Action.REOPEN,
    Action.COMMENT,
}


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
    if action not in TRANSITIONS:
        raise DomainError(_("Unknown action “%(action)s”.") % {"action": action}, field="action")
    sources, target, who = TRANSITIONS[action]
    if problem.state not in sources:
        raise TransitionRefused(
            _("“%(action)s” is not possible while the problem is “%(state)s”.")
            % {"action": Action(action).label, "state": State(problem.state).label}
        )
    if not _may(actor, problem, who):
        raise PermissionDenied(_("Your role does not allow this action."))
    comment = (comment or "").strip()
    if action in NEEDS_COMMENT and not comment:
        raise DomainError(
            _("Write a comment: it is required for “%(action)s”.") % {"action": Action(action).label},
            field="comment",
        )
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
    if target is not None:
        problem.state = target
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


# --- Urban management: grids and duty ----------------------------------------------------------------
@transaction.atomic
def create_grid(actor, *, name: str, region: Region, area: str = "") -> Grid:
    require_role(actor, Role.COUNTY_ADMIN, Role.DISPATCHER)
    if not (name or "").strip():
        raise DomainError(_("The name is required."), field="name")
    if not covers(actor, region.code):
        raise DomainError(_("This area is outside yours."), field="region")
    grid = Grid.objects.create(name=name.strip(), region_code=region.code, area=(area or "").strip())
    audit.record(
        actor=actor, action="grid.create", region_code=region.code, target=grid, after={"name": grid.name}
    )
    return grid


@transaction.atomic
def add_shift(
    actor, *, grid: Grid, staff: User, start: datetime, end: datetime, duties: str, points: int = 0
) -> Shift:
    """A duty record with the five fixes. Staggered shifts are fine; one person in two places is not."""
    require_role(actor, Role.COUNTY_ADMIN, Role.DISPATCHER)
    if end <= start:
        raise DomainError(_("A shift ends after it starts."), field="end")
    if not staff.has_role(Role.GRID_STAFF):
        raise DomainError(_("%(name)s is not grid staff.") % {"name": staff}, field="staff")
    if not (duties or "").strip():
        raise DomainError(_("State the duties of the shift."), field="duties")
    User.objects.select_for_update().filter(pk=staff.pk).first()  # serialise shifts of one person
    clash = Shift.objects.filter(staff=staff, start__lt=end, end__gt=start).select_related("grid").first()
    if clash:
        raise DomainError(
            _("%(name)s is already on duty at %(grid)s from %(start)s to %(end)s.")
            % {
                "name": staff,
                "grid": clash.grid,
                "start": timezone.localtime(clash.start).strftime("%Y-%m-%d %H:%M"),
                "end": timezone.localtime(clash.end).strftime("%Y-%m-%d %H:%M"),
            },
            field="start",
        )
    shift = Shift.objects.create(
        grid=grid,
        staff=staff,
        start=start,
        end=end,
        duties=duties.strip(),
        points=points,
        region_code=grid.region_code,
    )
    audit.record(
        actor=actor,
        action="duty.create",
        region_code=grid.region_code,
        target=shift,
        after={"staff": staff.username, "grid": grid.name, "start": start, "end": end, "points": points},
    )
    return shift


# --- Complaints ------------------------------------------------------------------------------------
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
# A captcha-free limit for the public form, counted in the database (every worker together): a few
# complaints per client address and per phone number an hour. Offices behind one address share the first.
COMPLAINTS_PER_ADDRESS = ratelimit.Limit("complaint-address", 5, timedelta(hours=1))
COMPLAINTS_PER_PHONE = ratelimit.Limit("complaint-phone", 3, timedelta(hours=1))


def _count_web_complaint(ip: str | None, phone: str) -> None:
    """Count one public complaint against its address and its phone; RateLimited (429) when over."""
    if ip:
        ratelimit.hit(
            COMPLAINTS_PER_ADDRESS,
            ip,
            _("Too many complaints from this address; please try again in an hour."),
        )
    digits = "".join(ch for ch in phone or "" if ch in "0123456789")  # 138-0000 and 1380000 are one
    if digits:
        ratelimit.hit(
            COMPLAINTS_PER_PHONE,
            digits,
            _("Too many complaints with this phone number; please try again in an hour."),
        )


@transaction.atomic
def receive_complaint(
    actor,
    *,
    channel: str,
    content: str,
    region_code: str,
    name: str = "",
    phone: str = "",
    ip: str | None = None,
) -> Complaint:
    if channel not in ComplaintChannel.values:
        raise DomainError(_("Unknown channel."), field="channel")
    if len((content or "").strip()) < 10:
        raise DomainError(_("Describe the complaint in at least 10 characters."), field="content")
    if not Region.objects.filter(code=region_code).exists():
        raise DomainError(_("Choose the town or village concerned."), field="region")
    phone = inputs.phone_value(phone, "phone", _("Phone"))
    if channel == ComplaintChannel.WEB:
        _count_web_complaint(ip, phone)
    complaint = Complaint.objects.create(
        code="".join(secrets.choice(CODE_ALPHABET) for _ in range(8)),
        channel=channel,
        content=content.strip(),
        region_code=region_code,
        name=(name or "").strip()[:40],
        phone=(phone or "").strip()[:20],
        source_ip=ip,
    )
    audit.record(
        actor=actor,
        action="complaint.receive",
        region_code=region_code,
        target=complaint,
        after={"channel": channel, "code": complaint.code},
    )
    return complaint


@transaction.atomic
def accept_complaint(actor, complaint: Complaint, *, use: str, category: str, title: str) -> Problem:
    require_role(actor, *SUPERVISORS)
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if complaint.state != ComplaintState.RECEIVED:
        raise TransitionRefused(_("This complaint was already decided."))
    problem = open_problem(
        actor,
        use=use,
        category=category,
        title=title,
        region_code=complaint.region_code,
        found_on=clock.today(),
        description=complaint.content,
        complaint=complaint,
    )
    complaint.state = ComplaintState.ACCEPTED
    complaint.save(update_fields=["state"])
    audit.record(
        actor=actor,
        action="complaint.decide",
        region_code=complaint.region_code,
        target=complaint,
        after={"state": complaint.state, "problem": problem.number},
    )
    return problem


@transaction.atomic
def dismiss_complaint(actor, complaint: Complaint, reason: str) -> Complaint:
    require_role(actor, *SUPERVISORS)
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if complaint.state != ComplaintState.RECEIVED:
        raise TransitionRefused(_("This complaint was already decided."))
    if not (reason or "").strip():
        raise DomainError(_("Give the reason for dismissing."), field="reason")
    complaint.state, complaint.reason = ComplaintState.DISMISSED, reason.strip()
    complaint.save(update_fields=["state", "reason"])
    audit.record(
        actor=actor,
        action="complaint.decide",
        region_code=complaint.region_code,
        target=complaint,
        after={"state": complaint.state, "reason": complaint.reason},
    )
    return complaint


@transaction.atomic
def answer_complaint(actor, complaint: Complaint, reply: str) -> Complaint:
    """Record the reply given to the complainant once the problem the complaint opened is closed."""
    require_role(actor, *SUPERVISORS)
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    problem = getattr(complaint, "problem", None)
    if complaint.state != ComplaintState.ACCEPTED or problem is None or problem.state != State.CLOSED:
        raise TransitionRefused(_("The reply is recorded when the problem the complaint opened is closed."))
    if not (reply or "").strip():
        raise DomainError(_("Write the reply given to the complainant."), field="reply")
    complaint.state, complaint.reply = ComplaintState.ANSWERED, reply.strip()
    complaint.save(update_fields=["state", "reply"])
    audit.record(
        actor=actor,
        action="complaint.answer",
        region_code=complaint.region_code,
        target=complaint,
        after={"reply": complaint.reply},
    )
    return complaint
