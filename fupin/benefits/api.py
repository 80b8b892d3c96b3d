"""API of the benefits module (issue 5 §7). Money is a string with two decimals, in and out."""

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from fupin.core import clock, scope
from fupin.core.access import Action
from fupin.core.api import ErrorOut, IsoDate, Money, Page, PageIn, RoleAuth, one_of, paginate
from fupin.core.errors import DomainError
from fupin.core.money import yuan
from fupin.projects.models import Project

from . import dividends, ledger, queries, services, summary
from .enums import Channel, Method, PlanState, Recipient, RevenueKind
from .models import DistributionPlan

WRITE = RoleAuth(Action.WRITE_BENEFITS)
router = Router(tags=["benefits"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}
MONEY = Field(description="Yuan as a string, at most two decimals", examples=["2000.00"])


def _project(request, project_id: int) -> Project:
    return queries.project(request.auth, project_id)


# --- The income ledger ----------------------------------------------------------------------------
class RevenueIn(Schema):
    period: str = Field(description="2019, 2019-Q2 or 2019-06", max_length=7)
    kind: one_of(RevenueKind) = Field(description="rent, dividend, pv or profit")
    amount: Money = MONEY
    received_on: IsoDate
    evidence: str = Field("", max_length=200)


class RevenueOut(Schema):
    id: int
    project_id: int
    period: str
    kind: one_of(RevenueKind)
    amount: Money
    received_on: IsoDate
    evidence: str
    reverses_id: int | None
    reason: str

    @staticmethod
    def resolve_amount(obj):
        return yuan(obj.amount)


class ReasonIn(Schema):
    reason: str = Field(description="Required: why (冲销、撤销须说明理由)")


@router.get(
    "/projects/{int:project_id}/revenues",
    response={200: Page[RevenueOut], **ERRORS},
    summary="A project's income ledger, reversals included",
)
def list_revenues(request, project_id: int, paging: Query[PageIn]):
    return paginate(_project(request, project_id).revenues.all(), paging)


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
    revenue = queries.revenue(request.auth, revenue_id)
    return Status(201, services.reverse_revenue(request.auth, revenue, reason=payload.reason))


# --- Distribution plans and payments --------------------------------------------------------------
class DistributionPlanIn(Schema):
    revenue_id: int
    method: one_of(Method) = Field(description="equal, per_capita, weighted or shares")
    total: Money | None = Field(None, description="Defaults to the revenue entry's amount")
    collective_share: Money = Field("0", description="Fixed share of the village collective, yuan")
    welfare_share: Money = Field("0", description="Fixed share for public-welfare posts, yuan")
    household_ids: list[int] | None = Field(
        None, description="Beneficiary households of the project; omitted: every eligible one"
    )
    weights: dict[int, str] | None = Field(None, description="Household id → factor (weighted method)")


class LineOut(Schema):
    id: int
    recipient: one_of(Recipient)
    household_id: int | None
    household_number: str | None
    weight: int
    persons: int
    amount: Money
    paid: bool
    paid_on: IsoDate | None

    @staticmethod
    def resolve_household_number(obj):
        return obj.household.number if obj.household_id else None

    @staticmethod
    def resolve_amount(obj):
        return yuan(obj.amount)

    @staticmethod
    def resolve_paid(obj):
        return hasattr(obj, "payment")

    @staticmethod
    def resolve_paid_on(obj):
        return obj.payment.paid_on if hasattr(obj, "payment") else None


class DistributionPlanOut(Schema):
    id: int
    project_id: int
    revenue_id: int
    method: one_of(Method)
    state: one_of(PlanState)
    total: Money
    collective_share: Money
    welfare_share: Money
    reviewed_on: IsoDate | None
    payment_deadline: IsoDate | None
    notice_starts_on: IsoDate | None
    notice_ends_on: IsoDate | None
    paid_on: IsoDate | None
    overdue: bool
    paid_late: bool

    @staticmethod
    def resolve_total(obj):
        return yuan(obj.total)

    @staticmethod
    def resolve_collective_share(obj):
        return yuan(obj.collective_share)

    @staticmethod
    def resolve_welfare_share(obj):
        return yuan(obj.welfare_share)

    @staticmethod
    def resolve_overdue(obj):
        return obj.is_overdue(clock.today())


class PlanDetailOut(DistributionPlanOut):
    lines: list[LineOut]

    @staticmethod
    def resolve_lines(obj):
        return obj.lines.select_related("household", "payment")


class DistributionReviewIn(Schema):
    reviewed_on: IsoDate
    review_note: str = Field(description="Meeting, attendance and votes of the village review")


class NoticeIn(Schema):
    notice_starts_on: IsoDate


class PaymentIn(Schema):
    household_id: int | None = None
    recipient: one_of(Recipient) | None = Field(
        None, description="collective or welfare, for the fixed shares"
    )
    amount: Money = MONEY
    paid_on: IsoDate
    channel: one_of(Channel) = Field(description="bank, card or cash")
    account: str = Field("", max_length=40)
    voucher: str = Field("", max_length=60)
    payee_id: int | None = Field(None, description="Member who receives it; default the head")


class PaymentsIn(Schema):
    payments: list[PaymentIn]


class PaymentOut(Schema):
    id: int
    line_id: int
    amount: Money
    paid_on: IsoDate
    channel: one_of(Channel)
    payee_name: str

    @staticmethod
    def resolve_amount(obj):
        return yuan(obj.amount)


class DividendOut(Schema):
    plan_id: int
    project_id: int
    project: str
    period: str
    amount: Money
    state: one_of(PlanState)
    paid_on: IsoDate | None

    @staticmethod
    def resolve_plan_id(obj):
        return obj.plan_id

    @staticmethod
    def resolve_project_id(obj):
        return obj.plan.project_id

    @staticmethod
    def resolve_project(obj):
        return obj.plan.project.name

    @staticmethod
    def resolve_period(obj):
        return obj.plan.revenue.period

    @staticmethod
    def resolve_amount(obj):
        return yuan(obj.amount)

    @staticmethod
    def resolve_state(obj):
        return obj.plan.state

    @staticmethod
    def resolve_paid_on(obj):
        return obj.payment.paid_on if hasattr(obj, "payment") else None


def _plan(request, plan_id: int) -> DistributionPlan:
    return queries.plan(request.auth, plan_id)


@router.get(
    "/projects/{int:project_id}/distributions",
    response={200: Page[DistributionPlanOut], **ERRORS},
    summary="A project's distribution plans",
)
def list_plans(request, project_id: int, paging: Query[PageIn]):
    return paginate(_project(request, project_id).distribution_plans.all(), paging)


@router.post(
    "/projects/{int:project_id}/distributions",
    auth=WRITE,
    response={201: PlanDetailOut, **ERRORS},
    summary="Draw up a distribution plan for a revenue entry: method, shares and households",
)
def create_plan(request, project_id: int, payload: DistributionPlanIn):
    project = _project(request, project_id)
    revenue = project.revenues.filter(pk=payload.revenue_id).first()
    if revenue is None:
        raise DomainError(_("No such revenue entry of this project."), field="revenue_id")
    data = payload.dict(exclude={"revenue_id"})
    return Status(201, dividends.create_plan(request.auth, project, revenue=revenue, **data))


@router.get(
    "/distributions/{int:plan_id}",
    response={200: PlanDetailOut, **ERRORS},
    summary="A distribution plan with its lines and what has been paid",
    operation_id="get_distribution_plan",
)
def plan_detail(request, plan_id: int):
    return _plan(request, plan_id)


@router.post(
    "/distributions/{int:plan_id}/approve",
    auth=WRITE,
    response={200: DistributionPlanOut, **ERRORS},
    summary="Record the village review that approved the plan (the payment deadline starts)",
)
def approve_plan(request, plan_id: int, payload: DistributionReviewIn):
    return dividends.approve(
        request.auth, _plan(request, plan_id), reviewed_on=payload.reviewed_on, note=payload.review_note
    )


@router.post(
    "/distributions/{int:plan_id}/disclose",
    auth=WRITE,
    response={200: DistributionPlanOut, **ERRORS},
    summary="Put the approved plan on public notice",
)
def disclose_plan(request, plan_id: int, payload: NoticeIn):
    return dividends.disclose(
        request.auth, _plan(request, plan_id), notice_starts_on=payload.notice_starts_on
    )


@router.post(
    "/distributions/{int:plan_id}/cancel",
    auth=WRITE,
    response={200: DistributionPlanOut, **ERRORS},
    summary="Cancel a plan nothing has been paid from",
)
def cancel_plan(request, plan_id: int, payload: ReasonIn):
    return dividends.cancel(request.auth, _plan(request, plan_id), reason=payload.reason)


@router.post(
    "/distributions/{int:plan_id}/payments",
    auth=WRITE,
    response={201: list[PaymentOut], **ERRORS},
    summary="Record payments of the plan: each a household's share in full, once",
)
def record_payments(request, plan_id: int, payload: PaymentsIn):
    plan = _plan(request, plan_id)
    entries = [p.dict() for p in payload.payments]
    return Status(201, dividends.record_payments(request.auth, plan, entries))


@router.get(
    "/households/{int:household_id}/dividends",
    response={200: Page[DividendOut], **ERRORS},
    summary="Every dividend of a household: plan, project, amount and when it was paid",
    operation_id="list_household_dividends",
)
def household_dividends(request, household_id: int, paging: Query[PageIn]):
    household = queries.household(request.auth, household_id)
    return paginate(dividends.household_dividends(household).order_by("-plan__created_at", "-pk"), paging)


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
    response={200: Page[YearOut], **ERRORS},
    summary="A project's revenue per year against its planned yearly revenue; a year below plan is flagged",
    operation_id="get_revenues_by_year",
)
def revenues_by_year(request, project_id: int, paging: Query[PageIn]):
    return paginate(ledger.by_year(_project(request, project_id)), paging)


# --- Benefits summary (summary.py) ----------------------------------------------------------------
class FiguresOut(Schema):
    dividends: Money = Field(description="Yuan paid out under distribution plans, fixed shares included")
    dividend_households: int
    agreements: int = Field(description="Employment agreements (用工协议) in force in the year")
    agreement_people: int
    workshops: int
    posts: int = Field(description="Poverty-alleviation and public-welfare posts set up")
    employed: int = Field(description="People employed in workshops and on posts")
    wages: Money = Field(description="Wages paid in workshops and on posts, yuan")
    households: int = Field(description="Registered households reached by any of these, counted once")

    @staticmethod
    def resolve_dividends(obj):
        return yuan(obj["dividends"])

    @staticmethod
    def resolve_wages(obj):
        return yuan(obj["wages"])


class SummaryRowOut(FiguresOut):
    code: str
    name: str


class SummaryOut(Schema):
    region: str = Field(description="The region code prefix summarised")
    year: int | None
    total: FiguresOut
    rows: list[SummaryRowOut] = Field(description="Towns of a county, villages of a town")
    in_words: str = Field(description="The figures as the county reports them")


@router.get(
    "/benefits/summary",
    response={200: SummaryOut, **ERRORS},
    summary="Dividends, jobs, wages and households reached, for an area and optionally a year",
    operation_id="get_benefits_summary",
)
def benefits_summary(request, region: str = "", year: int | None = None):
    if year is not None and not 2000 <= year <= 2100:
        raise DomainError(_("The year must lie between 2000 and 2100."), field="year")
    prefix = scope.region_param(request.auth, region)
    result = summary.summary(prefix, year)
    return {
        "region": prefix,
        "year": year,
        "total": result["total"],
        "rows": summary.named_rows(result),
        "in_words": summary.in_words(result["total"]),
    }
