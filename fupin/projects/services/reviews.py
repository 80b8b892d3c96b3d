"""The expert pool and the county's review (县级论证评审): a reproducible draw, scores, replacements and the
committee's conclusion signed by its chair."""

import random
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fupin.core import access, audit, clock, policy
from fupin.core.access import Action, Kind
from fupin.core.enums import Role
from fupin.core.errors import DomainError, TransitionRefused
from fupin.core.scope import require_role
from fupin.core.workdays import add_working_days

from ..enums import (
    CRITERIA,
    CRITERION_MAX,
    Conclusion,
    ProjectState,
    ReviewState,
    SeatWithdrawal,
)
from ..models import (
    Expert,
    Project,
    Review,
    Seat,
)
from .common import COUNTY


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
