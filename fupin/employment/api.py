"""API of employment: agreements and compliance, workshops (扶贫车间), posts (扶贫岗/公益岗位), placements,
and matching (供需精准对接).

Lists are filtered by the caller's area (`region` narrows further); objects outside it answer 404.
Money is a string with two decimals, in and out; ID numbers are masked.
"""

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from fupin.core import clock, scope
from fupin.core.access import Action
from fupin.core.api import (
    ErrorOut,
    IsoDate,
    Money,
    Page,
    PageIn,
    RegionCode,
    RegionPrefix,
    RoleAuth,
    one_of,
    paginate,
)
from fupin.core.errors import DomainError
from fupin.core.inputs import Year
from fupin.core.masking import mask_id_number
from fupin.core.money import yuan
from fupin.core.scope import get_visible_or_404
from fupin.projects.models import Project
from fupin.registry.models import Household, Member

from . import compliance, jobs, matching, queries, services
from .enums import OfferState, OperatorKind, PostKind, WorkshopStatus
from .models import Offer, Placement, Post, Workshop
from .queries import narrowed, workshop_rows

WRITE = RoleAuth(Action.WRITE_EMPLOYMENT)
MATCH = RoleAuth(Action.MATCH)
router = Router(tags=["benefits"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}
MONEY = Field(description="Yuan as a string, at most two decimals", examples=["1500.00"])


def _project(request, project_id: int) -> Project:
    return queries.project(request.auth, project_id)


def _member(request, member_id: int) -> Member:
    member = Member.objects.filter(
        pk=member_id, household__in=Household.objects.visible_to(request.auth)
    ).first()
    if member is None:
        raise DomainError(_("No such person in your area."), field="member_id")
    return member


def _employers(request, workshop_id: int | None, post_id: int | None):
    """The workshop or post named in a body, among those the caller may fill; else 400 naming the field."""
    workshop = post = None
    if workshop_id is not None:
        workshop = jobs.reachable(Workshop.objects.all(), request.auth).filter(pk=workshop_id).first()
        if workshop is None:
            raise DomainError(_("No such workshop in your area."), field="workshop_id")
    if post_id is not None:
        post = jobs.reachable(Post.objects.all(), request.auth).filter(pk=post_id).first()
        if post is None:
            raise DomainError(_("No such post in your area."), field="post_id")
    return workshop, post


# --- Schemas --------------------------------------------------------------------------------------
class QualificationOut(Schema):
    year: int
    workers: int = Field(description="Registered poor people employed at some time of the year")
    qualifying: int = Field(description="Of them, those with ≥ min_months months or ≥ min_wage yuan")
    min_months: int
    min_wage: Money
    qualifies: bool

    @staticmethod
    def resolve_min_wage(obj):
        return yuan(obj["min_wage"])


class AssessmentOut(Schema):
    id: int
    quarter: str = Field(examples=["2019-Q2"])
    status: one_of(WorkshopStatus) = Field(
        description="normal 正常运行, monitoring 监测待处置 or cleared 清理"
    )
    suggested: one_of(WorkshopStatus)
    workers: int
    qualifying: int
    note: str
    assessed_at: str

    @staticmethod
    def resolve_assessed_at(obj):
        return obj.assessed_at.isoformat()


class PersonOut(Schema):
    placement_id: int
    member_id: int
    name: str
    id_number: str = Field(description="Masked")
    started_on: IsoDate
    ended_on: IsoDate | None
    monthly_wage: Money
    work_records: list[dict]

    @staticmethod
    def resolve_placement_id(obj):
        return obj.pk

    @staticmethod
    def resolve_name(obj):
        return obj.member.name

    @staticmethod
    def resolve_id_number(obj):
        return mask_id_number(obj.member.id_number)

    @staticmethod
    def resolve_monthly_wage(obj):
        return yuan(obj.monthly_wage)

    @staticmethod
    def resolve_work_records(obj):
        return [{"year": r.year, "months": r.months, "wages": yuan(r.wages)} for r in obj.work_records.all()]


class WorkshopOut(Schema):
    id: int
    name: str
    operator: str
    operator_kind: one_of(OperatorKind)
    region_code: RegionCode
    opened_on: IsoDate
    closed_on: IsoDate | None
    capacity: int
    employed: int = Field(description="People in a placement active today")
    project_id: int | None
    latest_quarter: str | None = None
    latest_status: one_of(WorkshopStatus) | None = None

    @staticmethod
    def resolve_employed(obj):
        return obj.employed if hasattr(obj, "employed") else jobs.occupied(obj, clock.today())


class WorkshopRow(WorkshopOut):
    qualification: QualificationOut


class WorkshopDetail(WorkshopOut):
    qualification: QualificationOut
    assessments: list[AssessmentOut]
    people: list[PersonOut]


class WorkshopIn(Schema):
    name: str = Field(max_length=100)
    operator: str = Field(max_length=100)
    operator_kind: one_of(OperatorKind) = Field("enterprise", description="enterprise or person")
    region_code: RegionCode = Field(description="12-digit code of the town or village of the site")
    opened_on: IsoDate
    closed_on: IsoDate | None = None
    capacity: int
    project_id: int | None = None


class AssessmentIn(Schema):
    quarter: str = Field(max_length=7, examples=["2019-Q2"])
    status: one_of(WorkshopStatus, "") = Field(
        "", description="normal, monitoring or cleared; the rule's suggestion when empty"
    )
    note: str = ""


class WorkshopFilters(PageIn):
    region: RegionPrefix | None = Field(None, description="Region-code prefix or full code, e.g. 370828107")
    year: int | None = Field(None, ge=2000, le=2100, description="Year of the qualification (this year)")


class PostOut(Schema):
    id: int
    kind: one_of(PostKind) = Field(description="poverty 扶贫岗 or welfare 公益岗位")
    title: str
    region_code: RegionCode
    monthly_wage: Money
    funded_by: str
    places: int
    employed: int = Field(description="People in a placement active today")
    opened_on: IsoDate
    closed_on: IsoDate | None

    @staticmethod
    def resolve_monthly_wage(obj):
        return yuan(obj.monthly_wage)

    @staticmethod
    def resolve_employed(obj):
        return obj.employed if hasattr(obj, "employed") else jobs.occupied(obj, clock.today())


class PostDetail(PostOut):
    people: list[PersonOut]


class PostIn(Schema):
    kind: one_of(PostKind) = Field(description="poverty or welfare")
    title: str = Field(max_length=60, examples=["保洁员"])
    region_code: RegionCode
    monthly_wage: Money = MONEY
    funded_by: str = Field(max_length=100, examples=["县级财政专项扶贫资金"])
    places: int
    opened_on: IsoDate
    closed_on: IsoDate | None = None


class RegionFilter(PageIn):
    region: RegionPrefix | None = Field(None, description="Region-code prefix or full code, e.g. 370828107")


class PlacementIn(Schema):
    member_id: int
    workshop_id: int | None = None
    post_id: int | None = None
    started_on: IsoDate
    monthly_wage: Money | None = Field(None, description="Yuan; a post's wage when left out")


class PlacementOut(Schema):
    id: int
    member_id: int
    workshop_id: int | None
    post_id: int | None
    started_on: IsoDate
    ended_on: IsoDate | None
    monthly_wage: Money
    end_reason: str

    @staticmethod
    def resolve_monthly_wage(obj):
        return yuan(obj.monthly_wage)


class WorkRecordIn(Schema):
    year: int
    months: int = Field(description="0–12")
    wages: Money = Field(description="Yuan paid in the year, zero or more", examples=["6000.00"])


class WorkRecordOut(Schema):
    id: int
    placement_id: int
    year: int
    months: int
    wages: Money

    @staticmethod
    def resolve_wages(obj):
        return yuan(obj.wages)


class EndIn(Schema):
    ended_on: IsoDate
    reason: str = Field("", max_length=200)


class OpeningOut(Schema):
    kind: str = Field(description="workshop or post")
    id: int
    name: str
    region_code: str
    free: int
    monthly_wage: Money | None
    same_village: bool

    @staticmethod
    def resolve_monthly_wage(obj):
        return yuan(obj.monthly_wage) if obj.monthly_wage is not None else None


class OfferOut(Schema):
    id: int
    member_id: int
    workshop_id: int | None
    post_id: int | None
    monthly_wage: Money
    state: one_of(OfferState) = Field(description="offered, accepted or declined")
    offered_on: IsoDate
    decided_on: IsoDate | None
    reason: str
    placement_id: int | None

    @staticmethod
    def resolve_monthly_wage(obj):
        return yuan(obj.monthly_wage)


class CandidateOut(Schema):
    member_id: int
    name: str
    id_number: str = Field(description="Masked")
    village_code: str
    labour: str
    openings: list[OpeningOut]
    offer: OfferOut | None

    @staticmethod
    def resolve_member_id(obj):
        return obj.member.pk

    @staticmethod
    def resolve_name(obj):
        return obj.member.name

    @staticmethod
    def resolve_id_number(obj):
        return mask_id_number(obj.member.id_number)

    @staticmethod
    def resolve_labour(obj):
        return obj.member.labour


class MatchingFilters(PageIn):
    region: str | None = Field(None, description="Region-code prefix or full code, e.g. 370828107200")


class OfferIn(Schema):
    member_id: int
    workshop_id: int | None = None
    post_id: int | None = None
    monthly_wage: Money | None = Field(None, description="Yuan; a post's wage when left out")


class AcceptIn(Schema):
    started_on: IsoDate | None = Field(None, description="Today when left out")


class DeclineIn(Schema):
    reason: str = Field("", max_length=200)


# --- Workshops ------------------------------------------------------------------------------------
@router.get("/workshops", response=Page[WorkshopRow], summary="Workshops in my area, with qualification")
def list_workshops(request, filters: Query[WorkshopFilters]):
    queryset = narrowed(Workshop.objects.visible_to(request.auth), request.auth, filters.region)
    year = filters.year or clock.today().year
    # The page's ids first: the rows' figures are computed for those workshops only.
    return paginate(
        queryset.values_list("pk", flat=True),
        filters,
        lambda ids: workshop_rows(Workshop.objects.filter(pk__in=list(ids)), year),
    )


@router.post("/workshops", auth=WRITE, response={201: WorkshopOut, **ERRORS}, summary="Register a workshop")
def create_workshop(request, payload: WorkshopIn):
    project = None
    if payload.project_id is not None:
        project = Project.objects.visible_to(request.auth).filter(pk=payload.project_id).first()
        if project is None:
            raise DomainError(_("No such project in your area."), field="project_id")
    data = payload.dict(exclude={"project_id"})
    return Status(201, jobs.create_workshop(request.auth, project=project, **data))


@router.get(
    "/workshops/{int:workshop_id}",
    response={200: WorkshopDetail, **ERRORS},
    summary="A workshop: qualification for `year`, quarterly statuses, people employed",
    operation_id="get_workshop",
)
def workshop_detail(request, workshop_id: int, year: Year | None = None):
    workshop = get_visible_or_404(Workshop.objects.all(), request.auth, pk=workshop_id)
    workshop = workshop_rows(Workshop.objects.filter(pk=workshop.pk), year or clock.today().year)[0]
    workshop.people = list(
        workshop.placements.select_related("member").prefetch_related("work_records").order_by("started_on")
    )
    return workshop


@router.post(
    "/workshops/{int:workshop_id}/assessments",
    auth=WRITE,
    response={201: AssessmentOut, **ERRORS},
    summary="Set a workshop's status for a quarter (the rule's suggestion when `status` is left out)",
)
def assess_workshop(request, workshop_id: int, payload: AssessmentIn):
    workshop = get_visible_or_404(Workshop.objects.all(), request.auth, pk=workshop_id)
    return Status(201, jobs.assess_workshop(request.auth, workshop, **payload.dict()))


# --- Posts ----------------------------------------------------------------------------------------
@router.get("/posts", response=Page[PostOut], summary="Posts in my area")
def list_posts(request, filters: Query[RegionFilter]):
    queryset = narrowed(Post.objects.visible_to(request.auth), request.auth, filters.region)
    return paginate(jobs.with_occupancy(queryset, clock.today()), filters)


@router.post("/posts", auth=WRITE, response={201: PostOut, **ERRORS}, summary="Register posts")
def create_post(request, payload: PostIn):
    return Status(201, jobs.create_post(request.auth, **payload.dict()))


@router.get(
    "/posts/{int:post_id}",
    response={200: PostDetail, **ERRORS},
    summary="A post and its people",
    operation_id="get_post",
)
def post_detail(request, post_id: int):
    post = get_visible_or_404(
        jobs.with_occupancy(Post.objects.all(), clock.today()), request.auth, pk=post_id
    )
    post.people = list(
        post.placements.select_related("member").prefetch_related("work_records").order_by("started_on")
    )
    return post


# --- Placements -----------------------------------------------------------------------------------
@router.post(
    "/placements",
    auth=MATCH,
    response={201: PlacementOut, **ERRORS},
    summary="Employ a registered member in a workshop or on a post",
)
def create_placement(request, payload: PlacementIn):
    member = _member(request, payload.member_id)
    workshop, post = _employers(request, payload.workshop_id, payload.post_id)
    placement = jobs.place(
        request.auth,
        member=member,
        workshop=workshop,
        post=post,
        started_on=payload.started_on,
        monthly_wage=payload.monthly_wage,
    )
    return Status(201, placement)


def _placement(request, placement_id: int) -> Placement:
    return get_visible_or_404(Placement.objects.all(), request.auth, pk=placement_id)


@router.post(
    "/placements/{int:placement_id}/work-records",
    auth=MATCH,
    response={201: WorkRecordOut, **ERRORS},
    summary="Record months worked and wages paid in a year (replaces that year's record)",
)
def record_work(request, placement_id: int, payload: WorkRecordIn):
    placement = _placement(request, placement_id)
    return Status(201, jobs.record_work(request.auth, placement, **payload.dict()))


@router.post(
    "/placements/{int:placement_id}/end",
    auth=MATCH,
    response={200: PlacementOut, **ERRORS},
    summary="End a placement on its last day",
)
def end_placement(request, placement_id: int, payload: EndIn):
    placement = _placement(request, placement_id)
    return jobs.end_placement(request.auth, placement, **payload.dict())


# --- Matching -------------------------------------------------------------------------------------
@router.get(
    "/matching",
    response=Page[CandidateOut],
    summary="Members with labour ability and no work, with open posts and workshop places nearby",
)
def list_matching(request, filters: Query[MatchingFilters]):
    return paginate(matching.candidates(request.auth, filters.region), filters, matching.attach)


@router.post("/offers", auth=MATCH, response={201: OfferOut, **ERRORS}, summary="Offer a job to a member")
def make_offer(request, payload: OfferIn):
    member = _member(request, payload.member_id)
    workshop, post = _employers(request, payload.workshop_id, payload.post_id)
    offer = matching.make_offer(
        request.auth, member=member, workshop=workshop, post=post, monthly_wage=payload.monthly_wage
    )
    return Status(201, offer)


def _offer(request, offer_id: int) -> Offer:
    return get_visible_or_404(Offer.objects.all(), request.auth, pk=offer_id)


@router.post(
    "/offers/{int:offer_id}/accept",
    auth=MATCH,
    response={200: OfferOut, **ERRORS},
    summary="The person accepted: the placement starts (today unless `started_on`)",
)
def accept_offer(request, offer_id: int, payload: AcceptIn):
    return matching.accept_offer(request.auth, _offer(request, offer_id), started_on=payload.started_on)


@router.post(
    "/offers/{int:offer_id}/decline",
    auth=MATCH,
    response={200: OfferOut, **ERRORS},
    summary="The person declined, with the reason",
)
def decline_offer(request, offer_id: int, payload: DeclineIn):
    return matching.decline_offer(request.auth, _offer(request, offer_id), reason=payload.reason)


# --- Agreements and compliance ----------------------------------------------------------------------
class EmploymentOut(Schema):
    required: int = Field(description="ceil(budget ÷ the policy's unit for the project's type)")
    signed: int
    active: int = Field(description="People under an agreement in force today")
    shortfall: int
    compliant: bool


class AgreementIn(Schema):
    member_id: int
    position: str = Field(max_length=60)
    starts_on: IsoDate
    ends_on: IsoDate
    monthly_wage: Money = MONEY
    evidence: str = Field("", max_length=200)


class AgreementOut(Schema):
    id: int
    project_id: int
    member_id: int
    name: str
    position: str
    starts_on: IsoDate
    ends_on: IsoDate
    monthly_wage: Money
    evidence: str

    @staticmethod
    def resolve_name(obj):
        return obj.member.name

    @staticmethod
    def resolve_monthly_wage(obj):
        return yuan(obj.monthly_wage)


@router.get(
    "/projects/{int:project_id}/employment",
    response={200: EmploymentOut, **ERRORS},
    summary="Employment linkage of a project: required, signed, active, shortfall, compliant",
    operation_id="get_project_employment",
)
def employment(request, project_id: int):
    return services.compliance(_project(request, project_id)).as_dict()


@router.get(
    "/projects/{int:project_id}/employment-agreements",
    response={200: Page[AgreementOut], **ERRORS},
    summary="A project's employment agreements",
)
def list_agreements(request, project_id: int, paging: Query[PageIn]):
    project = _project(request, project_id)
    return paginate(project.employment_agreements.select_related("member"), paging)


@router.post(
    "/projects/{int:project_id}/employment-agreements",
    auth=WRITE,
    response={201: AgreementOut, **ERRORS},
    summary="Record an employment agreement with a registered member with labour ability",
)
def sign_agreement(request, project_id: int, payload: AgreementIn):
    project = _project(request, project_id)
    member = Member.objects.filter(
        pk=payload.member_id, household__in=Household.objects.visible_to(request.auth)
    ).first()
    if member is None:
        raise DomainError(_("No such person in your area."), field="member_id")
    data = payload.dict(exclude={"member_id"})
    return Status(201, services.sign_agreement(request.auth, project, member=member, **data))


class ComplianceRowOut(Schema):
    code: str = Field(description="The town's 12-digit code (empty for the total)")
    name: str
    projects: int
    required: int
    signed: int
    active: int
    shortfall: int = Field(description="Sum of the projects' shortfalls: a surplus does not cover another")
    compliant: bool


class ComplianceOut(Schema):
    towns: list[ComplianceRowOut]
    total: ComplianceRowOut


@router.get(
    "/benefits/employment",
    response={200: ComplianceOut, **ERRORS},
    summary="Employment compliance by town and for the county, inside the caller's area",
    operation_id="get_employment_by_town",
)
def employment_by_town(request, region: str = "", on: IsoDate | None = None):
    prefix = scope.region_param(request.auth, region)
    projects = Project.objects.visible_to(request.auth).within(prefix)
    result = compliance.by_town(projects, on)
    return {"towns": [t.as_dict() for t in result["towns"]], "total": result["total"].as_dict()}
