"""API of the project library (issue 4 §8). Thin: parse, call one service, serialise."""

from datetime import datetime

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from fupin.core import clock, scope
from fupin.core.api import (
    ErrorOut,
    IsoDate,
    Money,
    Page,
    PageIn,
    RegionCode,
    RegionPrefix,
    one_of,
    paginate,
    ranged,
    required_for,
)
from fupin.core.errors import DomainError
from fupin.core.inputs import FIRST_YEAR, LAST_YEAR
from fupin.core.money import MoneyIn, yuan
from fupin.core.scope import get_visible_or_404
from fupin.registry.models import Household

from . import services
from .enums import (
    ACTION_VERBS,
    AssetClass,
    BudgetChangeState,
    Conclusion,
    Linkage,
    ProjectState,
    ProjectType,
    ReviewState,
    SeatWithdrawal,
)
from .models import Acceptance, Plan, Project, Review
from .queries import filtered, stat_rows, timeline, with_money

router = Router(tags=["projects"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}


YEAR = ranged(FIRST_YEAR, LAST_YEAR)


class IndicatorIn(Schema):
    category: one_of("output", "benefit", "satisfaction") = Field(
        description="output, benefit or satisfaction"
    )
    measure: str = Field(
        description="output: completion, payment_rate; benefit: households, jobs, revenue; "
        "satisfaction: satisfaction"
    )
    target: str = Field(description="The target value (percent, households, jobs or yuan)")
    name: str = ""


class ProjectIn(Schema):
    name: str = Field(max_length=120)
    year: YEAR
    type: one_of(ProjectType) = Field(
        description="industrial, financial, infrastructure, employment, public_post, other"
    )
    region_code: str = Field(description="The site: a town or village code", pattern=r"^\d{12}$")
    budget: MoneyIn = Field(description="Yuan, at most two decimals", examples=["1783000.00"])
    responsible_unit: str = Field(max_length=100)
    responsible_person: str = ""
    applicant_unit: str = Field(
        "", max_length=100, description="Required: its experts are never drawn for the review (回避)."
    )
    nature: str = ""
    starts_on: IsoDate | None = None
    ends_on: IsoDate | None = None
    tasks: str = ""
    funding: str = ""
    planned_households: int = 0
    beneficiary_ids: list[int] = Field(default_factory=list, description="Registered households")
    targets: str = ""
    linkage: one_of(Linkage, "") = Field("", description="dividend, employment or both")
    linkage_dividend: Money | None = None
    linkage_jobs: int | None = None
    linkage_note: str = ""
    indicators: list[IndicatorIn] = Field(default_factory=list, description="Performance targets (绩效目标)")


class ProjectPatch(Schema):
    name: str | None = None
    year: YEAR | None = None
    type: one_of(ProjectType) | None = None
    region_code: RegionCode | None = None
    budget: MoneyIn | None = None
    responsible_unit: str | None = None
    responsible_person: str | None = None
    applicant_unit: str | None = None
    nature: str | None = None
    starts_on: IsoDate | None = None
    ends_on: IsoDate | None = None
    tasks: str | None = None
    funding: str | None = None
    planned_households: int | None = None
    beneficiary_ids: list[int] | None = None
    targets: str | None = None
    linkage: one_of(Linkage, "") | None = None
    linkage_dividend: Money | None = None
    linkage_jobs: int | None = None
    linkage_note: str | None = None
    indicators: list[IndicatorIn] | None = None


class ProjectOut(Schema):
    id: int
    name: str
    year: YEAR
    type: one_of(ProjectType)
    nature: str
    region_code: RegionCode
    state: one_of(ProjectState)
    state_reason: str
    budget: Money
    responsible_unit: str
    responsible_person: str
    applicant_unit: str
    starts_on: IsoDate | None
    ends_on: IsoDate | None
    planned_households: int
    targets: str
    linkage: one_of(Linkage, "")
    linkage_dividend: Money | None
    linkage_jobs: int | None
    indicators: list[dict]
    notice_ends_on: IsoDate | None
    allocated: Money
    paid: Money
    behind_schedule: bool

    @staticmethod
    def resolve_budget(obj):
        return yuan(obj.budget)

    @staticmethod
    def resolve_linkage_dividend(obj):
        return yuan(obj.linkage_dividend)

    @staticmethod
    def resolve_allocated(obj):
        return yuan(getattr(obj, "allocated_sum", None) or 0)

    @staticmethod
    def resolve_paid(obj):
        return yuan(getattr(obj, "paid_sum", None) or 0)

    @staticmethod
    def resolve_behind_schedule(obj):
        return obj.is_behind(clock.today())


REASON_REQUIRED = ("return", "reject", "remove", "refuse_start", "terminate")


class ProjectTransitionIn(Schema):
    model_config = ConfigDict(json_schema_extra=required_for("reason", REASON_REQUIRED))

    action: one_of(*ACTION_VERBS) = Field(
        description="submit, town_approve, return, reject, enter_library, …"
    )
    reason: str = Field("", description="return, reject, remove, refuse_start, terminate: required")


class ProjectEventOut(Schema):
    action: str
    label: str
    actor: str
    at: datetime
    note: str


class SeatOut(Schema):
    order: int
    expert: str
    unit: str
    submitted: bool
    scores: dict[str, int] | None
    total: int | None
    comments: str | None


class ReviewOut(Schema):
    id: int
    project_id: int
    project: str
    state: one_of(ReviewState)
    seed: str
    expert_count: int
    pass_mark: int
    average: str | None
    seats: list[SeatOut]
    conclusion: one_of(Conclusion, "") = Field(
        description="pass, fail, pass_changes; empty until the chair signs it"
    )
    chair: str | None


class ReplacementIn(Schema):
    order: int = Field(description="The seat's number in the panel")
    withdrawn: one_of(SeatWithdrawal) = Field(description="declined or absent")
    seed: int | None = Field(None, description="Leave out: a new random seed is drawn and recorded")


class ConclusionIn(Schema):
    conclusion: one_of(Conclusion) = Field(
        description="pass (通过), fail (不通过) or pass_changes (修改后通过)"
    )
    note: str = Field("", description="Required for pass_changes: the changes asked for")


class ScoreIn(Schema):
    feasibility: int | None = None
    compliance: int | None = None
    soundness: int | None = None
    durability: int | None = None
    linkage: int | None = None
    comments: str = ""


class StatRow(Schema):
    key: str
    projects: int
    budget: Money


def _project(request, project_id: int) -> Project:
    return get_visible_or_404(Project.objects.all(), request.auth, pk=project_id)


def _households(request, ids) -> list[Household]:
    if not ids:
        return []
    found = list(Household.objects.visible_to(request.auth).filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise DomainError(_("Some of the households do not exist in your area."), field="beneficiary_ids")
    return found


@router.get("/projects", response=Page[ProjectOut], summary="Projects in my area, filtered")
def list_projects(
    request,
    paging: Query[PageIn],
    state: one_of(ProjectState, "") = "",
    type: one_of(ProjectType, "") = "",
    year: YEAR | None = None,
    region: RegionPrefix = "",
    q: str = "",
    behind: bool = False,
):
    region = scope.region_param(request.auth, region)
    rows = filtered(Project.objects.visible_to(request.auth), state, type, year, region, q, behind)
    return paginate(with_money(rows.order_by("-year", "region_code", "id")), paging)


@router.post("/projects", response={201: ProjectOut, **ERRORS}, summary="Put a project into reserve (储备)")
def create_project(request, payload: ProjectIn):
    data = payload.dict(exclude={"beneficiary_ids"})
    project = services.create_project(
        request.auth, beneficiaries=_households(request, payload.beneficiary_ids), **data
    )
    return Status(201, with_money(Project.objects.filter(pk=project.pk)).get())


@router.get("/projects/statistics", response=dict[str, list[StatRow]], summary="Counts and amounts")
def get_project_statistics(request):
    rows = Project.objects.visible_to(request.auth)
    return {dimension: stat_rows(rows, dimension) for dimension in ("town", "type", "year", "state")}


@router.get("/projects/{int:project_id}", response={200: ProjectOut, **ERRORS}, summary="One project")
def get_project(request, project_id: int):
    _project(request, project_id)
    return with_money(Project.objects.filter(pk=project_id)).get()


@router.patch("/projects/{int:project_id}", response={200: ProjectOut, **ERRORS}, summary="Change a draft")
def update_project(request, project_id: int, payload: ProjectPatch):
    project = _project(request, project_id)
    data = payload.dict(exclude_unset=True)
    ids = data.pop("beneficiary_ids", None)
    households = _households(request, ids) if ids is not None else None
    services.update_project(request.auth, project, beneficiaries=households, **data)
    return with_money(Project.objects.filter(pk=project_id)).get()


@router.post(
    "/projects/{int:project_id}/transitions",
    response={200: ProjectOut, **ERRORS},
    summary="Take a step of the lifecycle",
)
def transition_project(request, project_id: int, payload: ProjectTransitionIn):
    project = _project(request, project_id)
    services.transition(request.auth, project, payload.action, payload.reason)
    return with_money(Project.objects.filter(pk=project_id)).get()


@router.get(
    "/projects/{int:project_id}/timeline",
    response={200: Page[ProjectEventOut], **ERRORS},
    summary="Every step",
)
def get_project_timeline(request, project_id: int, paging: Query[PageIn]):
    project = _project(request, project_id)
    return paginate(timeline(project), paging, lambda events: [event_out(e) for e in events])


def event_out(event) -> dict:
    from fupin.core.audit import ACTION_LABELS

    return {
        "action": event.action,
        "label": str(ACTION_LABELS.get(event.action, event.action)),
        "actor": event.actor_username,
        "at": event.created_at,
        "note": event.note,
    }


@router.post(
    "/projects/{int:project_id}/reviews",
    response={201: ReviewOut, **ERRORS},
    summary="Draw the review experts at random (county)",
)
def draw_review(request, project_id: int):
    project = _project(request, project_id)
    review = services.draw_experts(request.auth, project)
    return Status(201, review_out(request.auth, review))


def _review(request, review_id: int) -> Review:
    return get_visible_or_404(Review.objects.select_related("project"), request.auth, pk=review_id)


@router.post(
    "/reviews/{int:review_id}/replacements",
    response={201: ReviewOut, **ERRORS},
    summary="Replace an expert who declined or is absent by a new reproducible draw (county)",
)
def replace_expert(request, review_id: int, payload: ReplacementIn):
    review = _review(request, review_id)
    seat = review.seats.filter(order=payload.order).first()
    if seat is None:
        raise DomainError(_("No such seat in this review."), field="order")
    services.replace_expert(request.auth, review, seat, withdrawn=payload.withdrawn, seed=payload.seed)
    return Status(201, review_out(request.auth, _review(request, review_id)))


@router.post(
    "/reviews/{int:review_id}/conclusion",
    response={201: ReviewOut, **ERRORS},
    summary="Record the committee's conclusion, signed by the chair (the county administrator recording it)",
)
def conclude_review(request, review_id: int, payload: ConclusionIn):
    review = _review(request, review_id)
    services.conclude_review(request.auth, review, **payload.dict())
    return Status(201, review_out(request.auth, _review(request, review_id)))


@router.get("/reviews", response=Page[ReviewOut], summary="Reviews I may see (an expert: those drawn for)")
def list_reviews(request, paging: Query[PageIn]):
    reviews = Review.objects.visible_to(request.auth).select_related("project", "chair")
    return paginate(reviews, paging, lambda page: [review_out(request.auth, r) for r in page])


@router.get("/reviews/{int:review_id}", response={200: ReviewOut, **ERRORS}, summary="One review")
def get_review(request, review_id: int):
    review = get_visible_or_404(Review.objects.select_related("project"), request.auth, pk=review_id)
    return review_out(request.auth, review)


@router.post(
    "/reviews/{int:review_id}/scores",
    response={201: ReviewOut, **ERRORS},
    summary="Submit my scores (0–20 on five criteria), once",
)
def submit_scores(request, review_id: int, payload: ScoreIn):
    review = get_visible_or_404(Review.objects.select_related("project"), request.auth, pk=review_id)
    services.submit_score(request.auth, review, **payload.dict())
    review.refresh_from_db()
    return Status(201, review_out(request.auth, review))


def review_out(user, review: Review) -> dict:
    from .enums import CRITERIA

    seats = []
    for seat, readable in services.visible_seats(user, review):
        seats.append(
            {
                "order": seat.order,
                "expert": seat.expert.name,
                "unit": seat.expert.unit,
                "submitted": seat.submitted_at is not None,
                "scores": {f: getattr(seat, f) for f, _l in CRITERIA} if readable else None,
                "total": seat.total if readable else None,
                "comments": seat.comments if readable else None,
            }
        )
    return {
        "id": review.pk,
        "project_id": review.project_id,
        "project": review.project.name,
        "state": review.state,
        "seed": str(review.seed),
        "expert_count": review.expert_count,
        "pass_mark": review.pass_mark,
        "average": yuan(review.average) if review.state != "scoring" else None,
        "seats": seats,
        "conclusion": review.conclusion,
        "chair": review.chair.username if review.chair_id else None,
    }


# --- Implementation plan, procurement, progress, acceptance, assets -------------------------------
class ProjectPlanIn(Schema):
    construction: str | None = None
    schedule: str | None = None
    budget: str | None = None
    procurement: str | None = None
    beneficiaries: str | None = None
    risks: str | None = None


class ProjectPlanOut(Schema):
    construction: str
    schedule: str
    budget: str
    procurement: str
    beneficiaries: str
    risks: str
    complete: bool
    missing: list[str] = Field(description="The required sections still empty, by name")


class ProcurementIn(Schema):
    method: str = Field(max_length=40)
    contract_no: str = Field(max_length=60)
    supplier: str = Field(max_length=100)
    amount: MoneyIn = Field(description="Yuan, at most two decimals", examples=["1700000.00"])
    signed_on: IsoDate
    warranty_ends_on: IsoDate | None = Field(None, description="Retention money may be paid until then")


class ProcurementOut(Schema):
    id: int
    method: str
    contract_no: str
    supplier: str
    amount: Money
    signed_on: IsoDate
    warranty_ends_on: IsoDate | None

    @staticmethod
    def resolve_amount(obj):
        return yuan(obj.amount)


class ProgressIn(Schema):
    percent: ranged(0, 100) = Field(description="0–100, never below the last report")
    problems: str = ""
    reported_on: IsoDate | None = Field(None, description="Defaults to today")


class ProgressOut(Schema):
    id: int
    reported_on: IsoDate
    percent: ranged(0, 100)
    problems: str
    photo: str | None
    reported_by: str

    @staticmethod
    def resolve_photo(obj):
        return reverse("projects:progress-photo", args=[obj.project_id, obj.pk]) if obj.photo else None

    @staticmethod
    def resolve_reported_by(obj):
        return obj.reported_by.username


class AcceptanceIn(Schema):
    accepted_on: IsoDate
    members: str = Field(max_length=500)
    conclusion: str


class AcceptanceOut(Schema):
    accepted_on: IsoDate
    members: str
    conclusion: str
    attachment: str | None

    @staticmethod
    def resolve_attachment(obj):
        return reverse("projects:acceptance-file", args=[obj.project_id]) if obj.attachment else None


class AssetIn(Schema):
    name: str = Field(max_length=100)
    asset_class: one_of(AssetClass) = Field(description="operating, public or household")
    owner: str = Field(max_length=100, description="Usually the village collective")
    value: MoneyIn = Field(description="Yuan, at most two decimals")
    registered_on: IsoDate


class AssetOut(Schema):
    id: int
    name: str
    asset_class: one_of(AssetClass)
    owner: str
    value: Money
    registered_on: IsoDate

    @staticmethod
    def resolve_value(obj):
        return yuan(obj.value)


def plan_out(project: Project) -> dict:
    from .enums import PLAN_SECTIONS

    plan = Plan.objects.filter(project=project).first()
    missing = services.plan_missing(project)
    sections = {field: getattr(plan, field) if plan else "" for field, _label in PLAN_SECTIONS}
    return {**sections, "complete": not missing, "missing": missing}


@router.get(
    "/projects/{int:project_id}/plan",
    response={200: ProjectPlanOut, **ERRORS},
    summary="The implementation plan and which required sections are missing",
)
def get_plan(request, project_id: int):
    return plan_out(_project(request, project_id))


@router.put(
    "/projects/{int:project_id}/plan",
    response={200: ProjectPlanOut, **ERRORS},
    summary="Save the implementation plan (sections not sent stay as they are)",
)
def put_plan(request, project_id: int, payload: ProjectPlanIn):
    project = _project(request, project_id)
    services.save_plan(request.auth, project, **payload.dict(exclude_unset=True))
    return plan_out(project)


@router.get(
    "/projects/{int:project_id}/procurements",
    response={200: Page[ProcurementOut], **ERRORS},
    summary="Contracts and procurement records",
)
def list_procurements(request, project_id: int, paging: Query[PageIn]):
    return paginate(_project(request, project_id).procurements.all(), paging)


@router.post(
    "/projects/{int:project_id}/procurements",
    response={201: ProcurementOut, **ERRORS},
    summary="Record a contract or procurement (needed before the start request)",
)
def add_procurement(request, project_id: int, payload: ProcurementIn):
    project = _project(request, project_id)
    return Status(201, services.add_procurement(request.auth, project, **payload.dict()))


@router.get(
    "/projects/{int:project_id}/progress",
    response={200: Page[ProgressOut], **ERRORS},
    summary="Progress reports, newest first",
)
def list_progress(request, project_id: int, paging: Query[PageIn]):
    return paginate(_project(request, project_id).progress_reports.select_related("reported_by"), paging)


@router.post(
    "/projects/{int:project_id}/progress",
    response={201: ProgressOut, **ERRORS},
    summary="Report progress of a project under way (photos through the project page)",
)
def report_progress(request, project_id: int, payload: ProgressIn):
    project = _project(request, project_id)
    return Status(201, services.report_progress(request.auth, project, **payload.dict()))


@router.get(
    "/projects/{int:project_id}/acceptance",
    response={200: AcceptanceOut, **ERRORS},
    summary="The completion acceptance record",
)
def get_acceptance(request, project_id: int):
    project = _project(request, project_id)
    record = Acceptance.objects.filter(project=project).first()
    if record is None:
        raise Http404
    return record


@router.post(
    "/projects/{int:project_id}/acceptance",
    response={201: AcceptanceOut, **ERRORS},
    summary="Record the completion acceptance (county)",
)
def record_acceptance(request, project_id: int, payload: AcceptanceIn):
    project = _project(request, project_id)
    return Status(201, services.record_acceptance(request.auth, project, **payload.dict()))


@router.get(
    "/projects/{int:project_id}/assets",
    response={200: Page[AssetOut], **ERRORS},
    summary="Assets handed over and registered (确权)",
)
def list_assets(request, project_id: int, paging: Query[PageIn]):
    return paginate(_project(request, project_id).assets.all(), paging)


@router.post(
    "/projects/{int:project_id}/assets",
    response={201: AssetOut, **ERRORS},
    summary="Register an asset of an accepted project",
)
def add_asset(request, project_id: int, payload: AssetIn):
    project = _project(request, project_id)
    return Status(201, services.add_asset(request.auth, project, **payload.dict()))


# --- Budget changes (预算调整) ---------------------------------------------------------------------
class BudgetChangeIn(Schema):
    new_budget: MoneyIn = Field(description="Yuan, at most two decimals")
    reason: str = ""


class BudgetDecisionIn(Schema):
    approve: bool
    note: str = Field("", description="Required when refusing")


class BudgetChangeOut(Schema):
    id: int
    project_id: int
    old_budget: Money
    new_budget: Money
    reason: str
    state: one_of(BudgetChangeState)
    requested_by: str
    decided_by: str | None
    decision_note: str

    @staticmethod
    def resolve_old_budget(obj):
        return yuan(obj.old_budget)

    @staticmethod
    def resolve_new_budget(obj):
        return yuan(obj.new_budget)

    @staticmethod
    def resolve_requested_by(obj):
        return obj.requested_by.username

    @staticmethod
    def resolve_decided_by(obj):
        return obj.decided_by.username if obj.decided_by_id else None


@router.get(
    "/projects/{int:project_id}/budget-changes",
    response={200: Page[BudgetChangeOut], **ERRORS},
    summary="Budget changes of a project, newest first",
)
def list_budget_changes(request, project_id: int, paging: Query[PageIn]):
    changes = _project(request, project_id).budget_changes.select_related("requested_by", "decided_by")
    return paginate(changes, paging)


@router.post(
    "/projects/{int:project_id}/budget-changes",
    response={201: BudgetChangeOut, **ERRORS},
    summary="Request a change of the approved budget (another person approves it)",
)
def request_budget_change(request, project_id: int, payload: BudgetChangeIn):
    project = _project(request, project_id)
    return Status(201, services.request_budget_change(request.auth, project, **payload.dict()))


@router.post(
    "/projects/{int:project_id}/budget-changes/{int:change_id}/decision",
    response={200: BudgetChangeOut, **ERRORS},
    summary="Approve or refuse a budget change (county; never the person who requested it)",
)
def decide_budget_change(request, project_id: int, change_id: int, payload: BudgetDecisionIn):
    project = _project(request, project_id)
    change = get_visible_or_404(project.budget_changes.all(), request.auth, pk=change_id)
    return services.decide_budget_change(request.auth, change, **payload.dict())
