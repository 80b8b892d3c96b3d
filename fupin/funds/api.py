"""API of the funds module (issue 4 §8). Money is a string with two decimals, in and out."""

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from fupin.core.access import Action
from fupin.core.api import (
    ErrorOut,
    IsoDate,
    Money,
    Page,
    PageIn,
    RegionCode,
    RoleAuth,
    decimal_text,
    one_of,
    paginate,
    ranged,
)
from fupin.core.errors import DomainError
from fupin.core.inputs import FIRST_YEAR, LAST_YEAR, Id
from fupin.core.money import MoneyIn, yuan
from fupin.core.scope import get_visible_or_404
from fupin.projects.models import Project

from . import services, stats
from .enums import FundLevel, Grade
from .models import Allocation, Disbursement, FundSource

WRITE = RoleAuth(Action.WRITE_FUNDS)
router = Router(tags=["funds"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}
YEAR = ranged(FIRST_YEAR, LAST_YEAR)
MONEY = Field(description="Yuan as a string, at most two decimals", examples=["50000.00"])


class SourceIn(Schema):
    level: one_of(FundLevel) = Field(description="central, province, city or county")
    year: YEAR
    document_no: str = Field(max_length=80)
    title: str = Field(max_length=120)
    amount: MoneyIn = MONEY
    received_on: IsoDate | None = None


class SourceOut(Schema):
    id: int
    level: one_of(FundLevel)
    year: YEAR
    document_no: str
    title: str
    amount: Money
    allocated: Money
    available: Money
    received_on: IsoDate

    @staticmethod
    def resolve_amount(obj):
        return yuan(obj.amount)

    @staticmethod
    def resolve_allocated(obj):
        return yuan(obj.allocated)

    @staticmethod
    def resolve_available(obj):
        return yuan(obj.available)


class AllocationIn(Schema):
    source_id: int
    project_id: int
    amount: MoneyIn = MONEY
    allocated_on: IsoDate | None = None
    document_no: str = ""


class AllocationReversalIn(Schema):
    amount: MoneyIn | None = MONEY
    reason: str


class AllocationOut(Schema):
    id: int
    source_id: int
    project_id: int
    region_code: RegionCode
    amount: Money
    net_amount: Money
    paid: Money
    available: Money
    allocated_on: IsoDate
    reverses_id: int | None
    reason: str

    @staticmethod
    def resolve_amount(obj):
        return yuan(obj.amount)

    @staticmethod
    def resolve_net_amount(obj):
        return yuan(obj.net_amount)

    @staticmethod
    def resolve_paid(obj):
        return yuan(obj.paid)

    @staticmethod
    def resolve_available(obj):
        return yuan(obj.available)


class DisbursementIn(Schema):
    allocation_id: int
    amount: MoneyIn = MONEY
    date: IsoDate
    payee: str = Field(max_length=100)
    voucher_no: str = Field(max_length=60, description="Unique in the county")
    retention: bool = Field(
        False, description="Retention money (质保金): payable in operation within warranty"
    )


class DisbursementOut(Schema):
    id: int
    allocation_id: int
    amount: Money
    paid_on: IsoDate
    payee: str
    voucher_no: str
    retention: bool
    reverses_id: int | None
    reason: str
    allocation_available: Money

    @staticmethod
    def resolve_amount(obj):
        return yuan(obj.amount)

    @staticmethod
    def resolve_allocation_available(obj):
        return yuan(obj.allocation.available)


class DisbursementReversalIn(Schema):
    reason: str


def _source(request, source_id: int) -> FundSource:
    return get_visible_or_404(FundSource.objects.all(), request.auth, pk=source_id)


def _allocation(request, allocation_id: int, field: str | None = None) -> Allocation:
    return get_visible_or_404(Allocation.objects.select_related("project"), request.auth, pk=allocation_id)


@router.get("/sources", response=Page[SourceOut], summary="Fund sources with their balances")
def list_sources(request, paging: Query[PageIn], year: YEAR | None = None, level: one_of(FundLevel, "") = ""):
    rows = FundSource.objects.visible_to(request.auth)
    if year:
        rows = rows.filter(year=year)
    if level:
        rows = rows.filter(level=level)
    return paginate(rows, paging)


@router.post("/sources", auth=WRITE, response={201: SourceOut, **ERRORS}, summary="Register a fund source")
def create_source(request, payload: SourceIn):
    return Status(201, services.create_source(request.auth, **payload.dict()))


@router.get("/sources/{int:source_id}", response={200: SourceOut, **ERRORS}, summary="One source")
def get_source(request, source_id: int):
    return _source(request, source_id)


@router.get("/allocations", response=Page[AllocationOut], summary="Allocations in my area with balances")
def list_allocations(
    request, paging: Query[PageIn], project_id: Id | None = None, source_id: Id | None = None
):
    rows = Allocation.objects.visible_to(request.auth)
    if project_id:
        rows = rows.filter(project_id=project_id)
    if source_id:
        rows = rows.filter(source_id=source_id)
    return paginate(rows, paging)


@router.post(
    "/allocations",
    auth=WRITE,
    response={201: AllocationOut, **ERRORS},
    summary="Allocate money of a source to a project (400 insufficient_funds beyond the source)",
)
def create_allocation(request, payload: AllocationIn):
    source = FundSource.objects.visible_to(request.auth).filter(pk=payload.source_id).first()
    if source is None:
        raise DomainError(_("No such fund source."), field="source_id")
    project = Project.objects.visible_to(request.auth).filter(pk=payload.project_id).first()
    if project is None:
        raise DomainError(_("No such project in your area."), field="project_id")
    allocation = services.allocate(
        request.auth,
        source=source,
        project=project,
        amount=payload.amount,
        allocated_on=payload.allocated_on,
        document_no=payload.document_no,
    )
    return Status(201, allocation)


@router.get("/allocations/{int:allocation_id}", response={200: AllocationOut, **ERRORS}, summary="One")
def get_allocation(request, allocation_id: int):
    return _allocation(request, allocation_id)


@router.post(
    "/allocations/{int:allocation_id}/reversals",
    auth=WRITE,
    response={201: AllocationOut, **ERRORS},
    summary="Reverse (part of) the unpaid allocation, with a reason",
)
def reverse_allocation(request, allocation_id: int, payload: AllocationReversalIn):
    allocation = _allocation(request, allocation_id)
    entry = services.reverse_allocation(
        request.auth, allocation, amount=payload.amount, reason=payload.reason
    )
    return Status(201, entry)


@router.get("/disbursements", response=Page[DisbursementOut], summary="Payments in my area")
def list_disbursements(request, paging: Query[PageIn], allocation_id: Id | None = None):
    rows = Disbursement.objects.visible_to(request.auth).select_related("allocation")
    if allocation_id:
        rows = rows.filter(allocation_id=allocation_id)
    return paginate(rows, paging)


@router.post(
    "/disbursements",
    auth=WRITE,
    response={201: DisbursementOut, **ERRORS},
    summary="Pay against an allocation (400 insufficient_funds beyond it)",
)
def create_disbursement(request, payload: DisbursementIn):
    allocation = Allocation.objects.visible_to(request.auth).filter(pk=payload.allocation_id).first()
    if allocation is None:
        raise DomainError(_("No such allocation in your area."), field="allocation_id")
    payment = services.disburse(
        request.auth,
        allocation=allocation,
        amount=payload.amount,
        paid_on=payload.date,
        payee=payload.payee,
        voucher_no=payload.voucher_no,
        retention=payload.retention,
    )
    return Status(201, payment)


@router.post(
    "/disbursements/{int:disbursement_id}/reversals",
    auth=WRITE,
    response={201: DisbursementOut, **ERRORS},
    summary="Reverse a payment, with a reason",
)
def reverse_disbursement(request, disbursement_id: int, payload: DisbursementReversalIn):
    payment = get_visible_or_404(Disbursement.objects.all(), request.auth, pk=disbursement_id)
    entry = services.reverse_disbursement(request.auth, payment, reason=payload.reason)
    return Status(201, entry)


@router.get(
    "/execution", response=dict[str, list[dict]], summary="Execution rate per project, source, town, level"
)
def get_execution(request):
    allocations = Allocation.objects.visible_to(request.auth)
    return {
        dimension: [stats.plain(row) for row in stats.execution(allocations, dimension)]
        for dimension in ("project", "source", "town", "level")
    }


@router.get("/idle", response=Page[AllocationOut], summary="Allocations idle beyond the policy's days")
def list_idle_funds(request, paging: Query[PageIn]):
    return paginate(services.idle_allocations(Allocation.objects.visible_to(request.auth)), paging)


# --- Performance evaluation (绩效评价) per project and year -----------------------------------------
class EvaluationIn(Schema):
    year: int = Field(ge=2000, le=2100)
    satisfaction: decimal_text(0, 100, "Percent") | None = Field(
        None, description="Surveyed satisfaction, percent 0–100", examples=["92"]
    )
    score: decimal_text(0, 100, "Points") | None = Field(
        None,
        description="Leave out to take the score computed from the project's data; a score given differs "
        "from it by at most 10 points, with adjustment_reason",
        examples=["86.50"],
    )
    adjustment: decimal_text(-10, 10, "Points") | None = Field(
        None, description="Points added (or, negative, taken off), at most 10"
    )
    adjustment_reason: str = ""
    indicators: dict[str, str] = Field(
        default_factory=dict, description="Notes per indicator, e.g. {'带贫户数': '120 户'}"
    )
    comments: str = ""


class EvaluationOut(Schema):
    id: int
    project_id: int
    year: YEAR
    score: decimal_text(0, 100, "Points")
    computed_score: decimal_text(0, 100, "Points") | None
    adjustment: decimal_text(-10, 10, "Points")
    adjustment_reason: str
    grade: one_of(Grade) = Field(description="excellent ≥ 90, good ≥ 80, fair ≥ 60, poor")
    indicators: dict = Field(description="results: each indicator's target, actual value and points")
    comments: str
    created_by: str

    @staticmethod
    def resolve_score(obj):
        return yuan(obj.score)

    @staticmethod
    def resolve_computed_score(obj):
        return yuan(obj.computed_score)

    @staticmethod
    def resolve_adjustment(obj):
        return yuan(obj.adjustment)

    @staticmethod
    def resolve_created_by(obj):
        return obj.created_by.username


def _evaluated_project(request, project_id: int) -> Project:
    return get_visible_or_404(Project.objects.all(), request.auth, pk=project_id)


@router.get(
    "/projects/{int:project_id}/evaluations",
    response={200: Page[EvaluationOut], **ERRORS},
    summary="A project's performance evaluations, newest year first",
)
def list_evaluations(request, project_id: int, paging: Query[PageIn]):
    project = _evaluated_project(request, project_id)
    return paginate(project.evaluations.select_related("created_by").order_by("-year"), paging)


@router.post(
    "/projects/{int:project_id}/evaluations",
    auth=WRITE,
    response={201: EvaluationOut, **ERRORS},
    summary="Record a project's performance evaluation for a year (one per year)",
)
def record_evaluation(request, project_id: int, payload: EvaluationIn):
    project = _evaluated_project(request, project_id)
    return Status(201, services.record_evaluation(request.auth, project, **payload.dict()))
