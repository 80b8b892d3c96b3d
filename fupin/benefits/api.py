"""API of the benefits module (issue 5 §7). Money is a string with two decimals, in and out."""

from datetime import date

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from fupin.core.api import ErrorOut
from fupin.core.errors import DomainError
from fupin.core.scope import get_visible_or_404
from fupin.funds.api import RoleAuth
from fupin.projects.models import Project
from fupin.projects.money import yuan
from fupin.registry.models import Household, Member

from . import compliance, ledger, services
from .enums import WRITERS
from .models import Revenue

WRITE = RoleAuth(*WRITERS)
router = Router(tags=["benefits"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}
MONEY = Field(description="Yuan as a string, at most two decimals", examples=["2000.00"])


def _project(request, project_id: int) -> Project:
    return get_visible_or_404(Project.objects.all(), request.auth, pk=project_id)


class EmploymentOut(Schema):
    required: int = Field(description="ceil(budget ÷ the policy's unit for the project's type)")
    signed: int
    active: int = Field(description="People under an agreement in force today")
    shortfall: int
    compliant: bool


class AgreementIn(Schema):
    member_id: int
    position: str = Field(max_length=60)
    starts_on: date
    ends_on: date
    monthly_wage: str = MONEY
    evidence: str = Field("", max_length=200)


class AgreementOut(Schema):
    id: int
    project_id: int
    member_id: int
    name: str
    position: str
    starts_on: date
    ends_on: date
    monthly_wage: str
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
)
def employment(request, project_id: int):
    return services.compliance(_project(request, project_id)).as_dict()


@router.get(
    "/projects/{int:project_id}/employment-agreements",
    response={200: list[AgreementOut], **ERRORS},
    summary="A project's employment agreements",
)
def list_agreements(request, project_id: int):
    project = _project(request, project_id)
    return list(project.employment_agreements.select_related("member"))


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


# --- The income ledger ----------------------------------------------------------------------------
class RevenueIn(Schema):
    period: str = Field(description="2019, 2019-Q2 or 2019-06", max_length=7)
    kind: str = Field(description="rent, dividend, pv or profit")
    amount: str = MONEY
    received_on: date
    evidence: str = Field("", max_length=200)


class RevenueOut(Schema):
    id: int
    project_id: int
    period: str
    kind: str
    amount: str
    received_on: date
    evidence: str
    reverses_id: int | None
    reason: str

    @staticmethod
    def resolve_amount(obj):
        return yuan(obj.amount)


class ReasonIn(Schema):
    reason: str = ""


@router.get(
    "/projects/{int:project_id}/revenues",
    response={200: list[RevenueOut], **ERRORS},
    summary="A project's income ledger, reversals included",
)
def list_revenues(request, project_id: int):
    return list(_project(request, project_id).revenues.all())


@router.post(
    "/projects/{int:project_id}/revenues",
    auth=WRITE,
    response={201: RevenueOut, **ERRORS},
    summary="Record revenue of a project for a period",
)
def record_revenue(request, project_id: int, payload: RevenueIn):
    project = _project(request, project_id)
    return Status(201, services.record_revenue(request.auth, project, **payload.dict()))


@router.post(
    "/revenues/{int:revenue_id}/reversals",
    auth=WRITE,
    response={201: RevenueOut, **ERRORS},
    summary="Correct a revenue entry by a reversing entry, with a reason",
)
def reverse_revenue(request, revenue_id: int, payload: ReasonIn):
    revenue = get_visible_or_404(Revenue.objects.all(), request.auth, pk=revenue_id)
    return Status(201, services.reverse_revenue(request.auth, revenue, reason=payload.reason))


# --- Planned against actual revenue, compliance by town (ledger.py, compliance.py) ------------------
class YearOut(Schema):
    year: int
    planned: str | None = Field(description="The project's planned yearly revenue (linkage_dividend)")
    actual: str = Field(description="Revenue of the year after reversals")
    below_plan: bool

    @staticmethod
    def resolve_planned(obj):
        return yuan(obj.planned)

    @staticmethod
    def resolve_actual(obj):
        return yuan(obj.actual)


@router.get(
    "/projects/{int:project_id}/revenues/by-year",
    response={200: list[YearOut], **ERRORS},
    summary="A project's revenue per year against its planned yearly revenue; a year below plan is flagged",
)
def revenues_by_year(request, project_id: int):
    return ledger.by_year(_project(request, project_id))


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
)
def employment_by_town(request, region: str = "", on: date | None = None):
    prefix = compliance.region_prefix(request.auth, region)
    projects = Project.objects.visible_to(request.auth).within(prefix)
    result = compliance.by_town(projects, on)
    return {"towns": [t.as_dict() for t in result["towns"]], "total": result["total"].as_dict()}
