"""Writes of the project library. Each is one audited transaction; a refused write raises DomainError.

Lifecycle (DESIGN.md §4): 储备 → 乡镇审核 → 县级论证评审 → 入库 → 年度计划 → 开工报请 → 实施 → 竣工验收 →
移交确权 → 运营管护, with 退回, 不予入库, 出库 and 终止. `transition()` checks role, state and the guard
of each step;
the steps that write more than a state (the draw, scores, plan, acceptance, assets) have their own
functions and leave their events on the project's timeline.
"""

import random
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fupin.core import access, audit, clock, policy, scope, uploads
from fupin.core.access import Action, Kind
from fupin.core.duties import ensure_different_person
from fupin.core.enums import Role
from fupin.core.errors import DomainError, TransitionRefused
from fupin.core.models import Region
from fupin.core.money import parse_amount
from fupin.core.scope import require_role
from fupin.core.workdays import add_working_days

from . import funding
from .enums import (
    ACTION_VERBS,
    CRITERIA,
    CRITERION_MAX,
    EDITABLE_STATES,
    LIBRARY_STATES,
    PLAN_SECTIONS,
    TRANSITIONS,
    AssetClass,
    BudgetChangeState,
    Conclusion,
    Linkage,
    ProjectState,
    ProjectType,
    ReviewState,
    SeatWithdrawal,
)
from .models import (
    Acceptance,
    Asset,
    BudgetChange,
    Expert,
    Plan,
    Procurement,
    Progress,
    Project,
    Review,
    Seat,
)

OFFICERS = access.roles_for(Action.EDIT_PROJECT)
COUNTY = Role.COUNTY_ADMIN
PROJECT_FIELDS = [
    "name",
    "year",
    "type",
    "nature",
    "region_code",
    "starts_on",
    "ends_on",
    "responsible_unit",
    "responsible_person",
    "applicant_unit",
    "tasks",
    "budget",
    "funding",
    "planned_households",
    "targets",
    "linkage",
    "linkage_dividend",
    "linkage_jobs",
    "linkage_note",
    "indicators",
]
TEXT_FIELDS = {
    "name",
    "nature",
    "responsible_unit",
    "responsible_person",
    "applicant_unit",
    "tasks",
    "funding",
    "targets",
    "linkage_note",
}


def _in_scope(actor, region_code: str) -> bool:
    return scope.covers(actor, region_code)


# --- Projects -------------------------------------------------------------------------------------
def _clean(actor, data: dict, project: Project | None = None) -> dict:
    """Check and normalise the fields given; each refusal names its field."""
    clean = {}
    for key, value in data.items():
        if key not in PROJECT_FIELDS:
            raise DomainError(_("Unknown field “%(field)s”.") % {"field": key}, field=key)
        if key in TEXT_FIELDS:
            value = (value or "").strip()
        clean[key] = value
    merged = {name: getattr(project, name) for name in PROJECT_FIELDS} if project else {}
    merged.update(clean)
    if not merged.get("name"):
        raise DomainError(_("The project name is required."), field="name")
    year = merged.get("year")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise DomainError(_("The year must lie between 2000 and 2100."), field="year")
    if merged.get("type") not in ProjectType.values:
        raise DomainError(_("Choose the project type."), field="type")
    code = merged.get("region_code") or ""
    region = Region.objects.filter(code=code).first()
    if region is None or region.level not in {"town", "village"}:
        raise DomainError(_("The site must be a town or village of the county."), field="region_code")
    if not _in_scope(actor, code):
        raise DomainError(_("%(place)s is outside your area.") % {"place": region.name}, field="region_code")
    if not merged.get("responsible_unit"):
        raise DomainError(_("The responsible unit is required."), field="responsible_unit")
    if "budget" in clean or project is None:
        clean["budget"] = parse_amount(merged.get("budget"), "budget")
    if clean.get("linkage_dividend") not in (None, ""):
        clean["linkage_dividend"] = parse_amount(clean["linkage_dividend"], "linkage_dividend")
    elif "linkage_dividend" in clean:
        clean["linkage_dividend"] = None
    if merged.get("linkage") and merged["linkage"] not in Linkage.values:
        raise DomainError(_("Choose dividends, employment or both."), field="linkage")
    starts, ends = merged.get("starts_on"), merged.get("ends_on")
    if starts and ends and ends < starts:
        raise DomainError(_("The completion date lies before the start."), field="ends_on")
    if (merged.get("planned_households") or 0) < 0:
        raise DomainError(_("Must be zero or more."), field="planned_households")
    if merged.get("linkage_jobs") is not None and merged["linkage_jobs"] < 0:
        raise DomainError(_("Must be zero or more."), field="linkage_jobs")
    if not merged.get("applicant_unit"):
        # Its experts are never drawn for the review (conflict of interest): it cannot be left out.
        raise DomainError(_("The applicant unit is required."), field="applicant_unit")
    if "indicators" in clean:
        clean["indicators"] = clean_indicators(clean["indicators"])
    return clean


# What an indicator set at entry may measure, by category; the evaluation reads each from the data.
INDICATOR_MEASURES = {
    "output": ("completion", "payment_rate"),
    "benefit": ("households", "jobs", "revenue"),
    "satisfaction": ("satisfaction",),
}


def clean_indicators(rows) -> list[dict]:
    """Indicators with target values (绩效目标): category, measure and a positive target each."""
    clean = []
    for row in rows or []:
        row = dict(row)
        category, measure = row.get("category"), row.get("measure")
        if measure not in INDICATOR_MEASURES.get(category, ()):
            raise DomainError(
                _("Indicator “%(measure)s” is not an indicator of “%(category)s”.")
                % {"measure": measure, "category": category},
                field="indicators",
            )
        target = parse_amount(row.get("target"), "indicators")
        clean.append(
            {
                "category": category,
                "measure": measure,
                "target": str(target),
                "name": str(row.get("name", "")),
            }
        )
    return clean


@transaction.atomic
def create_project(actor, *, beneficiaries=(), **data) -> Project:
    """A village, a town or the county puts a project of its area into reserve (储备, 村申报); the
    applicant unit is named, since its experts are never drawn for the review."""
    access.require(actor, Action.APPLY_PROJECT)
    clean = _clean(actor, data)
    project = Project.objects.create(**clean, created_by=actor, state_changed_at=clock.now())
    _set_beneficiaries(actor, project, beneficiaries)
    audit.record(
        actor=actor,
        action="projects.project.create",
        region_code=project.region_code,
        target=project,
        after=audit.snapshot(project, PROJECT_FIELDS),
    )
    return project


def _set_beneficiaries(actor, project: Project, households) -> None:
    households = list(households or [])
    if not households:
        return
    town = scope.town_of(project.region_code)
    outside = [h for h in households if scope.town_of(h.region_code) != town]
    if outside:
        raise DomainError(
            _("Household %(number)s does not live in the project's town.") % {"number": outside[0].number},
            field="beneficiaries",
        )
    project.beneficiaries.set(households)
    if project.planned_households < len(households):
        project.planned_households = len(households)
        project.save(update_fields=["planned_households"])


@transaction.atomic
def update_project(actor, project: Project, *, beneficiaries=None, **data) -> Project:
    access.require(actor, Action.APPLY_PROJECT)
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.state not in EDITABLE_STATES:
        raise TransitionRefused(
            _("A project that is “%(state)s” cannot be edited; return it to the applicant first.")
            % {"state": project.get_state_display()},
            field="state",
        )
    clean = _clean(actor, data, project)
    before = audit.snapshot(project, list(clean))
    for key, value in clean.items():
        setattr(project, key, value)
    project.save()
    if beneficiaries is not None:
        _set_beneficiaries(actor, project, beneficiaries)
    audit.record(
        actor=actor,
        action="projects.project.change",
        region_code=project.region_code,
        target=project,
        before=before,
        after=audit.snapshot(project, list(clean)),
    )
    return project


def missing_for_library(project: Project) -> list[tuple[str, str]]:
    """(field, what is missing) for every requirement of library entry that the project does not meet."""
    missing = []
    if not project.targets.strip():
        missing.append(("targets", _("performance targets")))
    if not project.linkage:
        missing.append(("linkage", _("the linkage mechanism with poor households")))
    else:
        if project.linkage in {Linkage.DIVIDEND, Linkage.BOTH} and not project.linkage_dividend:
            missing.append(("linkage_dividend", _("the planned dividends")))
        if project.linkage in {Linkage.EMPLOYMENT, Linkage.BOTH} and not project.linkage_jobs:
            missing.append(("linkage_jobs", _("the planned jobs")))
    if not project.tasks.strip():
        missing.append(("tasks", _("construction tasks")))
    if not project.funding.strip():
        missing.append(("funding", _("funding sources")))
    if not (project.starts_on and project.ends_on):
        missing.append(("starts_on", _("the schedule")))
    if not project.planned_households and not project.beneficiaries.exists():
        missing.append(("planned_households", _("beneficiary households")))
    return missing


def _require_library_ready(project: Project) -> None:
    missing = missing_for_library(project)
    if missing:
        raise TransitionRefused(
            _("The project cannot enter the library: %(missing)s missing.")
            % {"missing": "、".join(str(text) for _f, text in missing)},
            fields={field: _("Required for library entry.") for field, _t in missing},
        )


def plan_missing(project: Project) -> list[str]:
    plan = Plan.objects.filter(project=project).first()
    if plan is None:
        return [str(label) for _f, label in PLAN_SECTIONS]
    return plan.missing()


def start_blockers(project: Project) -> list[str]:
    """What stands between the project and the start of work (前期程序)."""
    blockers = []
    missing = plan_missing(project)
    if missing:
        blockers.append(_("the implementation plan lacks %(sections)s") % {"sections": "、".join(missing)})
    if funding.allocated_total(project) <= 0:
        blockers.append(_("no funds are allocated"))
    if not project.procurements.exists():
        blockers.append(_("there is no contract or procurement record"))
    return blockers


def _require_start_ready(project: Project) -> None:
    blockers = start_blockers(project)
    if blockers:
        raise TransitionRefused(
            _("Work may start only when the preliminary procedures are complete: %(blockers)s.")
            % {"blockers": "；".join(str(b) for b in blockers)},
            field="state",
        )


def latest_review(project: Project) -> Review | None:
    return project.reviews.order_by("-drawn_at", "-id").first()


def _guard_enter_library(project: Project) -> None:
    review = latest_review(project)
    if review is None or review.state == ReviewState.SCORING:
        raise TransitionRefused(_("The expert review has not been completed."), field="state")
    if review.state != ReviewState.PASSED:
        raise TransitionRefused(
            _("The expert review did not pass (average %(average)s, pass mark %(mark)s).")
            % {"average": review.average, "mark": review.pass_mark},
            field="state",
        )
    if review.conclusion not in {Conclusion.PASS, Conclusion.PASS_WITH_CHANGES}:
        raise TransitionRefused(
            _("The review committee's conclusion, signed by its chair, has not been recorded."), field="state"
        )
    _require_library_ready(project)
    if project.notice_ends_on is None or clock.today() < project.notice_ends_on:
        raise TransitionRefused(
            _("The public notice runs until %(date)s; the project can enter the library after it.")
            % {"date": project.notice_ends_on},
            field="notice_ends_on",
        )


def _guard_complete(project: Project) -> None:
    last = project.progress_reports.order_by("-reported_on", "-id").first()
    if last is None or last.percent < 100:
        raise TransitionRefused(
            _("Report 100%% progress before reporting completion (last report: %(percent)s%%).")
            % {"percent": last.percent if last else 0},
            field="state",
        )


def _guard_accept(project: Project) -> None:
    if not Acceptance.objects.filter(project=project).exists():
        raise TransitionRefused(_("Record the acceptance first (date, members, conclusion)."), field="state")


def _guard_hand_over(project: Project) -> None:
    if not project.assets.exists():
        raise TransitionRefused(
            _("Register the project's assets (class, owner, value, date) before the handover."), field="state"
        )


def _guard_remove(project: Project) -> None:
    if clock.today().month < 10:
        raise TransitionRefused(
            _("Projects leave the library in the yearly review of the fourth quarter."), field="state"
        )


GUARDS = {
    "submit": _require_library_ready,
    "enter_library": _guard_enter_library,
    "request_start": _require_start_ready,
    "approve_start": _require_start_ready,
    "complete": _guard_complete,
    "accept": _guard_accept,
    "hand_over": _guard_hand_over,
    "remove": _guard_remove,
}


def allowed_actions(user, project: Project) -> list[str]:
    return [
        action
        for action, (sources, _target, roles, _reason) in TRANSITIONS.items()
        if project.state in sources and user.has_role(*roles)
    ]


@transaction.atomic
def transition(actor, project: Project, action: str, reason: str = "") -> Project:
    """Take one step of the lifecycle: role, state and guard checked, state changed, event recorded."""
    if action not in TRANSITIONS:
        raise DomainError(_("Unknown action “%(action)s”.") % {"action": action}, field="action")
    sources, target, roles, needs_reason = TRANSITIONS[action]
    require_role(actor, *roles)
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.state not in sources:
        raise TransitionRefused(
            _("A project that is “%(state)s” cannot be given “%(action)s”.")
            % {"state": project.get_state_display(), "action": ACTION_VERBS[action]},
            field="state",
        )
    reason = (reason or "").strip()
    if needs_reason and not reason:
        raise DomainError(_("Give the reason."), field="reason")
    guard = GUARDS.get(action)
    if guard is not None:
        guard(project)
    if action == "town_approve":
        ensure_different_person(
            actor, project.submitted_by_id, _("who submitted the project may not also take its town review")
        )
    before = {"state": project.state}
    project.state, project.state_reason, project.state_changed_at = target, reason, clock.now()
    fields = ["state", "state_reason", "state_changed_at"]
    if action == "submit":
        project.submitted_by = actor
        fields.append("submitted_by")
    if action == "complete":
        project.completed_on = clock.today()
        fields.append("completed_on")
    project.save(update_fields=fields)
    audit.record(
        actor=actor,
        action=f"projects.project.{action}",
        region_code=project.region_code,
        target=project,
        before=before,
        after={"state": target},
        note=reason,
    )
    return project


# --- Expert pool and review -----------------------------------------------------------------------
@transaction.atomic
def create_expert(actor, *, name: str, unit: str, field: str = "", user=None, active: bool = True) -> Expert:
    require_role(actor, COUNTY)
    if not (name or "").strip():
        raise DomainError(_("The name is required."), field="name")
    if not (unit or "").strip():
        raise DomainError(_("The expert's work unit is required."), field="unit")
    expert = Expert.objects.create(
        region_code=actor.region_id[:6].ljust(12, "0"),
        name=name.strip(),
        unit=unit.strip(),
        field=field,
        user=user,
        active=active,
    )
    audit.record(
        actor=actor,
        action="projects.expert.create",
        region_code=expert.region_code,
        target=expert,
        after={"name": expert.name, "unit": expert.unit, "field": field, "active": active},
    )
    return expert


@transaction.atomic
def set_expert_active(actor, expert: Expert, active: bool) -> Expert:
    require_role(actor, COUNTY)
    before = {"active": expert.active}
    expert.active = active
    expert.save(update_fields=["active"])
    audit.record(
        actor=actor,
        action="projects.expert.active",
        region_code=expert.region_code,
        target=expert,
        before=before,
        after={"active": active},
    )
    return expert


def draw(candidate_ids: list[int], seed: int, count: int) -> list[int]:
    """The draw itself: the same candidates and seed always give the same experts, in the same order."""
    return random.Random(seed).sample(sorted(candidate_ids), count)


def eligible_experts(project: Project):
    """Active experts of the county, none of the applicant unit (回避: this cannot be switched off)."""
    county = project.region_code[:6]
    unit = (project.applicant_unit or "").strip()
    return Expert.objects.within(county).filter(active=True).exclude(unit=unit).order_by("pk")


def _require_applicant_unit(project: Project) -> None:
    if not (project.applicant_unit or "").strip():
        raise DomainError(
            _("Name the applicant unit before the draw: its experts are never drawn."), field="applicant_unit"
        )


def _new_seed() -> int:
    return random.SystemRandom().randrange(1, 2**62)


@transaction.atomic
def draw_experts(actor, project: Project, seed: int | None = None) -> Review:
    """Draw the review panel at random from the pool, none of the applicant's unit, none inactive."""
    require_role(actor, COUNTY)
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.state != ProjectState.COUNTY_REVIEW:
        raise TransitionRefused(
            _("Experts are drawn only for a project in the county review (now “%(state)s”).")
            % {"state": project.get_state_display()},
            field="state",
        )
    open_review = project.reviews.filter(state__in=[ReviewState.SCORING, ReviewState.PASSED]).first()
    if open_review is not None:
        raise TransitionRefused(_("This project already has a review panel."), field="state")
    _require_applicant_unit(project)
    count = policy.value("review_expert_count", project.region_code, project.year)
    candidates = list(eligible_experts(project).values_list("pk", flat=True))
    if len(candidates) < count:
        raise DomainError(
            _("Only %(available)s experts are eligible (active, not of %(unit)s); %(count)s are needed.")
            % {"available": len(candidates), "unit": project.applicant_unit, "count": count},
            field="experts",
        )
    if seed is None:
        seed = _new_seed()
    chosen = draw(candidates, seed, count)
    review = Review.objects.create(
        project=project,
        region_code=project.region_code,
        seed=seed,
        expert_count=count,
        pass_mark=policy.value("review_pass_mark", project.region_code, project.year),
        candidate_ids=sorted(candidates),
        drawn_by=actor,
    )
    Seat.objects.bulk_create([Seat(review=review, expert_id=pk, order=i) for i, pk in enumerate(chosen, 1)])
    audit.record(
        actor=actor,
        action="projects.review.draw",
        region_code=project.region_code,
        target=project,
        after={
            "review": review.pk,
            "seed": seed,
            "candidates": sorted(candidates),
            "excluded_unit": project.applicant_unit,
            "drawn": chosen,
        },
    )
    return review


def _score(value, field: str, label) -> int:
    if value is None or value == "":
        raise DomainError(_("Score “%(criterion)s”.") % {"criterion": label}, field=field)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise DomainError(_("Must be a whole number."), field=field) from None
    if str(number) != str(value).strip() and not isinstance(value, int):
        raise DomainError(_("Must be a whole number."), field=field)
    if not 0 <= number <= CRITERION_MAX:
        raise DomainError(
            _("“%(criterion)s” is scored from 0 to %(max)s.") % {"criterion": label, "max": CRITERION_MAX},
            field=field,
        )
    return number


@transaction.atomic
def submit_score(actor, review: Review, comments: str = "", **scores) -> Seat:
    """A drawn expert scores the five criteria, once. The last score decides the review."""
    require_role(actor, Role.EXPERT)
    review = Review.objects.select_for_update().get(pk=review.pk)
    seat = review.seats.select_related("expert").filter(expert__user=actor).first()
    if seat is None:
        raise DomainError(_("You were not drawn for this review."), field="review", code="forbidden")
    if seat.withdrawn:
        raise TransitionRefused(_("Your place on this panel was taken by a new draw."), field="review")
    if seat.submitted_at is not None:
        raise TransitionRefused(
            _("You already submitted your score on %(date)s; a score cannot be changed.")
            % {"date": timezone.localtime(seat.submitted_at).strftime("%Y-%m-%d %H:%M")},
            field="review",
        )
    if review.state != ReviewState.SCORING:
        raise TransitionRefused(_("This review is closed."), field="review")
    for field, label in CRITERIA:
        setattr(seat, field, _score(scores.get(field), field, label))
    seat.comments = (comments or "").strip()
    seat.submitted_at = clock.now()
    seat.save()
    project = review.project
    audit.record(
        actor=actor,
        action="projects.review.score",
        region_code=review.region_code,
        target=project,
        after={"review": review.pk, "expert": seat.expert.name, "total": seat.total},
    )
    if not review.seats.filter(withdrawn="", submitted_at__isnull=True).exists():
        _decide(review)
    return seat


def _decide(review: Review) -> None:
    totals = [seat.total for seat in review.seats.filter(withdrawn="")]
    average = (Decimal(sum(totals)) / len(totals)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    review.average, review.decided_at = average, clock.now()
    review.state = ReviewState.PASSED if average >= review.pass_mark else ReviewState.FAILED
    review.save(update_fields=["average", "decided_at", "state"])
    project = Project.objects.select_for_update().get(pk=review.project_id)
    after = {"review": review.pk, "average": average, "pass_mark": review.pass_mark, "result": review.state}
    if review.state == ReviewState.PASSED:
        # The project is announced before it enters the library (入库前公示, ≥ 10 working days).
        days = policy.value("project_notice_days", project.region_code, project.year)
        project.notice_starts_on = clock.today()
        project.notice_ends_on = add_working_days(project.notice_starts_on, days)
        project.save(update_fields=["notice_starts_on", "notice_ends_on"])
        after["notice_ends_on"] = project.notice_ends_on
    audit.record(
        actor=None,
        action="projects.review.decide",
        region_code=review.region_code,
        target=project,
        after=after,
    )


def visible_seats(user, review: Review) -> list[tuple[Seat, bool]]:
    """The panel with, for each seat, whether this user may read its score: an expert reads the others'
    scores only after submitting their own; the county and inspectors read them all."""
    seats = list(review.seats.filter(withdrawn="").select_related("expert"))
    if access.row_rules(user, Kind.PROJECTS) is None:  # reads every project, not only a drawn review
        return [(seat, seat.submitted_at is not None) for seat in seats]
    own = next((s for s in seats if s.expert.user_id == user.pk), None)
    own_done = own is not None and own.submitted_at is not None
    return [(seat, seat.submitted_at is not None and (seat is own or own_done)) for seat in seats]


@transaction.atomic
def replace_expert(actor, review: Review, seat: Seat, *, withdrawn: str, seed: int | None = None) -> Seat:
    """An expert who declined or is absent leaves the panel; a new reproducible draw from the experts
    still eligible (active, not of the applicant unit, not drawn for this review before) fills the place.
    The seed, the candidates and both experts are recorded."""
    access.require(actor, Action.DECIDE_PROJECT)
    review = Review.objects.select_for_update().select_related("project").get(pk=review.pk)
    seat = Seat.objects.select_related("expert").get(pk=seat.pk, review=review)
    if review.state != ReviewState.SCORING:
        raise TransitionRefused(_("This review is closed."), field="review")
    if withdrawn not in SeatWithdrawal.values:
        raise DomainError(_("Say whether the expert declined or was absent."), field="withdrawn")
    if seat.withdrawn:
        raise TransitionRefused(_("This expert was already replaced."), field="seat")
    if seat.submitted_at is not None:
        raise TransitionRefused(_("This expert already scored and cannot be replaced."), field="seat")
    project = review.project
    _require_applicant_unit(project)
    drawn_before = review.seats.values_list("expert_id", flat=True)
    candidates = list(eligible_experts(project).exclude(pk__in=drawn_before).values_list("pk", flat=True))
    if not candidates:
        raise DomainError(
            _("No eligible expert is left to replace %(name)s.") % {"name": seat.expert.name}, field="experts"
        )
    if seed is None:
        seed = _new_seed()
    (chosen,) = draw(candidates, seed, 1)
    seat.withdrawn, seat.withdrawn_at = withdrawn, clock.now()
    seat.save(update_fields=["withdrawn", "withdrawn_at"])
    # The new seat takes a number after every earlier one: the withdrawn seat keeps its place on record.
    order = max(review.seats.values_list("order", flat=True)) + 1
    new_seat = Seat.objects.create(review=review, expert_id=chosen, order=order)
    audit.record(
        actor=actor,
        action="projects.review.replace",
        region_code=review.region_code,
        target=project,
        after={
            "review": review.pk,
            "withdrawn": seat.expert.name,
            "reason": withdrawn,
            "seed": seed,
            "candidates": sorted(candidates),
            "excluded_unit": project.applicant_unit,
            "drawn": chosen,
        },
        note=str(SeatWithdrawal(withdrawn).label),
    )
    return new_seat


@transaction.atomic
def conclude_review(actor, review: Review, *, conclusion: str, note: str = "") -> Review:
    """The committee's conclusion (通过/不通过/修改后通过), signed by its chair: the county administrator
    who chairs the committee's meeting records it under their own name. It cannot pass a review whose
    average stayed under the pass mark, and 修改后通过 names the changes."""
    access.require(actor, Action.DECIDE_PROJECT)
    review = Review.objects.select_for_update().select_related("project").get(pk=review.pk)
    if conclusion not in Conclusion.values:
        raise DomainError(_("Choose pass, fail or pass after changes."), field="conclusion")
    if review.state == ReviewState.SCORING:
        raise TransitionRefused(_("The experts have not all scored yet."), field="conclusion")
    if review.conclusion:
        raise TransitionRefused(_("The conclusion of this review is already recorded."), field="conclusion")
    note = (note or "").strip()
    if conclusion != Conclusion.FAIL and review.state != ReviewState.PASSED:
        raise TransitionRefused(
            _("The average %(average)s lies under the pass mark %(mark)s: the conclusion can only be fail.")
            % {"average": review.average, "mark": review.pass_mark},
            field="conclusion",
        )
    if conclusion == Conclusion.PASS_WITH_CHANGES and not note:
        raise DomainError(_("Name the changes the committee asks for."), field="note")
    review.conclusion, review.conclusion_note = conclusion, note
    review.chair, review.concluded_at = actor, clock.now()
    fields = ["conclusion", "conclusion_note", "chair", "concluded_at"]
    if conclusion == Conclusion.FAIL:
        review.state = ReviewState.FAILED
        fields.append("state")
    review.save(update_fields=fields)
    audit.record(
        actor=actor,
        action="projects.review.conclude",
        region_code=review.region_code,
        target=review.project,
        after={
            "review": review.pk,
            "conclusion": conclusion,
            "chair": actor.username,
            "average": review.average,
        },
        note=note,
    )
    return review


# --- Plan, procurement, progress, acceptance, assets ----------------------------------------------
def _require_state(project: Project, states, what) -> Project:
    """The project, locked and fresh, if it is in one of `states`."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.state not in states:
        raise TransitionRefused(
            _("%(what)s is not possible while the project is “%(state)s”.")
            % {"what": what, "state": project.get_state_display()},
            field="state",
        )
    return project


@transaction.atomic
def save_plan(actor, project: Project, **sections) -> Plan:
    require_role(actor, *OFFICERS)
    project = _require_state(
        project,
        {ProjectState.LIBRARY, ProjectState.PLANNED, ProjectState.DRAFT, ProjectState.RETURNED},
        _("Changing the implementation plan"),
    )
    plan, _created = Plan.objects.get_or_create(project=project)
    names = [field for field, _label in PLAN_SECTIONS]
    before = audit.snapshot(plan, names)
    for field in names:
        if field in sections:
            setattr(plan, field, (sections[field] or "").strip())
    plan.updated_at = clock.now()
    plan.save()
    audit.record(
        actor=actor,
        action="projects.plan.save",
        region_code=project.region_code,
        target=project,
        before=before,
        after={**audit.snapshot(plan, names), "missing": plan.missing()},
    )
    return plan


@transaction.atomic
def add_procurement(
    actor, project: Project, *, method, contract_no, supplier, amount, signed_on, warranty_ends_on=None
) -> Procurement:
    require_role(actor, *OFFICERS)
    project = _require_state(
        project,
        {ProjectState.LIBRARY, ProjectState.PLANNED, ProjectState.START_REQUESTED},
        _("Adding a contract"),
    )
    for field, value in {"method": method, "contract_no": contract_no, "supplier": supplier}.items():
        if not (value or "").strip():
            raise DomainError(_("This field is required."), field=field)
    if signed_on is None:
        raise DomainError(_("This field is required."), field="signed_on")
    if warranty_ends_on is not None and warranty_ends_on < signed_on:
        raise DomainError(
            _("The warranty cannot end before the contract is signed."), field="warranty_ends_on"
        )
    amount = parse_amount(amount)
    contracted = sum(project.procurements.values_list("amount", flat=True), Decimal("0.00"))
    require_within_budget(project, contracted + amount, _("The contracts"))
    record = Procurement.objects.create(
        project=project,
        method=method.strip(),
        contract_no=contract_no.strip(),
        supplier=supplier.strip(),
        amount=amount,
        signed_on=signed_on,
        warranty_ends_on=warranty_ends_on,
    )
    audit.record(
        actor=actor,
        action="projects.procurement.add",
        region_code=project.region_code,
        target=project,
        after=audit.snapshot(
            record, ["method", "contract_no", "supplier", "amount", "signed_on", "warranty_ends_on"]
        ),
    )
    return record


@transaction.atomic
def report_progress(
    actor, project: Project, *, percent, problems: str = "", photo=None, reported_on=None
) -> Progress:
    require_role(actor, *OFFICERS, Role.VILLAGE_CADRE)
    project = _require_state(project, {ProjectState.IMPLEMENTING}, _("A progress report"))
    if percent is None or not 0 <= int(percent) <= 100:
        raise DomainError(_("The progress lies between 0 and 100 percent."), field="percent")
    last = project.progress_reports.order_by("-reported_on", "-id").first()
    if last is not None and int(percent) < last.percent:
        raise DomainError(
            _("Progress cannot go back from %(last)s%%.") % {"last": last.percent}, field="percent"
        )
    stored = (
        uploads.checked_file(photo, uploads.PROGRESS_PHOTO, field="photo", label=_("photo"))[0]
        if photo
        else ""
    )
    report = Progress.objects.create(
        project=project,
        reported_on=reported_on or clock.today(),
        percent=int(percent),
        problems=(problems or "").strip(),
        photo=stored,
        reported_by=actor,
    )
    audit.record(
        actor=actor,
        action="projects.progress.report",
        region_code=project.region_code,
        target=project,
        after={"percent": report.percent, "problems": report.problems, "photo": bool(photo)},
    )
    return report


@transaction.atomic
def record_acceptance(
    actor, project: Project, *, accepted_on, members, conclusion, attachment=None
) -> Acceptance:
    require_role(actor, COUNTY)
    project = _require_state(project, {ProjectState.COMPLETED}, _("Recording the acceptance"))
    if accepted_on is None:
        raise DomainError(_("This field is required."), field="accepted_on")
    for field, value in {"members": members, "conclusion": conclusion}.items():
        if not (value or "").strip():
            raise DomainError(_("This field is required."), field=field)
    if Acceptance.objects.filter(project=project).exists():
        raise TransitionRefused(_("The acceptance is already recorded."), field="accepted_on")
    stored = (
        uploads.checked_file(attachment, uploads.ACCEPTANCE, field="attachment", label=_("attachment"))[0]
        if attachment
        else ""
    )
    record = Acceptance.objects.create(
        project=project,
        accepted_on=accepted_on,
        members=members.strip(),
        conclusion=conclusion.strip(),
        attachment=stored,
    )
    audit.record(
        actor=actor,
        action="projects.acceptance.record",
        region_code=project.region_code,
        target=project,
        after=audit.snapshot(record, ["accepted_on", "members", "conclusion"]),
    )
    return record


@transaction.atomic
def add_asset(actor, project: Project, *, name, asset_class, owner, value, registered_on) -> Asset:
    require_role(actor, *OFFICERS)
    project = _require_state(project, {ProjectState.ACCEPTED}, _("Registering an asset"))
    if not (name or "").strip():
        raise DomainError(_("This field is required."), field="name")
    if asset_class not in AssetClass.values:
        raise DomainError(_("Choose operating, public-welfare or household asset."), field="asset_class")
    if not (owner or "").strip():
        raise DomainError(_("Name the owner (usually the village collective)."), field="owner")
    if registered_on is None:
        raise DomainError(_("This field is required."), field="registered_on")
    value = parse_amount(value, "value")
    registered = sum(project.assets.values_list("value", flat=True), Decimal("0.00"))
    require_within_budget(project, registered + value, _("The assets"), field="value")
    asset = Asset.objects.create(
        project=project,
        region_code=project.region_code,
        name=name.strip(),
        asset_class=asset_class,
        owner=owner.strip(),
        value=value,
        registered_on=registered_on,
    )
    audit.record(
        actor=actor,
        action="projects.asset.add",
        region_code=project.region_code,
        target=project,
        after=audit.snapshot(asset, ["name", "asset_class", "owner", "value", "registered_on"]),
    )
    return asset


# --- The approved budget and its changes ----------------------------------------------------------
def require_within_budget(project: Project, total, what, *, field: str = "amount") -> None:
    """Refuse a total (contracts, assets, allocations) above the project's approved budget: more money
    goes through a budget change approved by a second person (request_budget_change)."""
    if total > project.budget:
        raise DomainError(
            _(
                "%(what)s would come to %(total)s yuan, above the project's approved budget of %(budget)s "
                "yuan; request a budget change first."
            )
            % {"what": what, "total": total, "budget": project.budget},
            field=field,
            code="over_budget",
        )


def committed(project: Project) -> Decimal:
    """The largest of what is allocated, contracted and registered: a budget may not go below it."""
    contracted = sum(project.procurements.values_list("amount", flat=True), Decimal("0.00"))
    assets = sum(project.assets.values_list("value", flat=True), Decimal("0.00"))
    return max(funding.allocated_total(project), contracted, assets)


def _require_not_below_committed(project: Project, new_budget) -> None:
    floor = committed(project)
    if new_budget < floor:
        raise DomainError(
            _("The budget cannot go below the %(floor)s yuan already allocated, contracted or registered.")
            % {"floor": floor},
            field="new_budget",
        )


@transaction.atomic
def request_budget_change(actor, project: Project, *, new_budget, reason) -> BudgetChange:
    """Ask for a new approved budget (预算调整) of a project in the library or beyond."""
    access.require(actor, Action.EDIT_PROJECT)
    project = _require_state(project, LIBRARY_STATES, _("A budget change"))
    new_budget = parse_amount(new_budget, "new_budget")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason."), field="reason")
    if new_budget == project.budget:
        raise DomainError(_("The new budget is the budget the project already has."), field="new_budget")
    _require_not_below_committed(project, new_budget)
    if project.budget_changes.filter(state=BudgetChangeState.REQUESTED).exists():
        raise TransitionRefused(_("A budget change of this project awaits its decision."), field="new_budget")
    change = BudgetChange.objects.create(
        project=project,
        region_code=project.region_code,
        old_budget=project.budget,
        new_budget=new_budget,
        reason=reason,
        requested_by=actor,
        requested_at=clock.now(),
    )
    audit.record(
        actor=actor,
        action="projects.budget.request",
        region_code=project.region_code,
        target=project,
        after={"change": change.pk, "old_budget": project.budget, "new_budget": new_budget},
        note=reason,
    )
    return change


@transaction.atomic
def decide_budget_change(actor, change: BudgetChange, *, approve: bool, note: str = "") -> BudgetChange:
    """The county approves or refuses a budget change; never the person who asked for it."""
    access.require(actor, Action.DECIDE_PROJECT)
    change = BudgetChange.objects.select_for_update().get(pk=change.pk)
    project = Project.objects.select_for_update().get(pk=change.project_id)
    if change.state != BudgetChangeState.REQUESTED:
        raise TransitionRefused(_("This budget change is already decided."), field="state")
    ensure_different_person(
        actor, change.requested_by_id, _("who requested a budget change may not also approve it")
    )
    note = (note or "").strip()
    if not approve and not note:
        raise DomainError(_("Give the reason."), field="note")
    before = {"budget": project.budget}
    if approve:
        _require_not_below_committed(project, change.new_budget)
        project.budget = change.new_budget
        project.save(update_fields=["budget"])
    change.state = BudgetChangeState.APPROVED if approve else BudgetChangeState.REFUSED
    change.decided_by, change.decided_at, change.decision_note = actor, clock.now(), note
    change.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    audit.record(
        actor=actor,
        action="projects.budget.approve" if approve else "projects.budget.refuse",
        region_code=project.region_code,
        target=project,
        before=before,
        after={"change": change.pk, "budget": project.budget},
        note=note,
    )
    return change
