"""API of insights: the headline figures of an area and the data behind each chart. Thin: the same reads as
the pages (overview.py, charts.py), inside the caller's area (`region` outside it: 404)."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from fupin.core import clock, scope
from fupin.core.api import ErrorOut, Page, PageIn, paginate

from . import charts, overview

router = Router(tags=["insights"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}
REGION = Query(None, description="A 6-, 9- or 12-digit region code inside your area; empty: all of it.")


class HouseholdFigures(Schema):
    registered: int
    poor: int = Field(description="Not yet lifted out, or fallen back (未脱贫 + 返贫)")
    lifted: int


class ProjectFigures(Schema):
    count: int
    library: int = Field(description="Admitted to the library (入库) and beyond")
    running: int
    done: int
    budget: str = Field(description="Yuan, two decimals")


class FundFigures(Schema):
    allocated: str
    paid: str
    unpaid: str
    rate: float | None = Field(description="Execution rate in %, paid ÷ allocated")


class BenefitFigures(Schema):
    dividends: str
    dividend_households: int
    agreements: int
    agreement_people: int
    workshops: int
    posts: int
    employed: int
    wages: str
    households: int


class ProblemFigures(Schema):
    found: int
    closed: int
    open: int
    overdue: int
    due_soon: int = Field(description="Due within 3 working days")
    registered: int
    verifying: int
    clearance_rate: float | None = Field(description="动态清零率 in %: closed ÷ found")


class LectureFigures(Schema):
    team_lectures: int
    requested_lectures: int
    people: int
    units: int


class WarningFigures(Schema):
    open: int


class OverviewOut(Schema):
    region: str
    name: str
    date: date
    households: HouseholdFigures | None = None
    projects: ProjectFigures | None = None
    funds: FundFigures | None = None
    benefits: BenefitFigures | None = None
    problems: ProblemFigures | None = None
    lectures: LectureFigures | None = None
    warnings: WarningFigures | None = None
    sentences: list[str] = Field(description="The figures in the words the county reports them")


class SeriesOut(Schema):
    name: str
    data: list[float | None]
    type: str = Field(description="bar, line or pie")
    axis: int = Field(description="0: the left axis; 1: the right one (rates)")
    stack: str | None = None
    color: str | None = None


class ChartOut(Schema):
    name: str
    title: str
    type: str = Field(description="bar, line or pie")
    labels: list[str]
    series: list[SeriesOut]
    links: list[str | None] = Field(
        description="Per label, the list page it drills down to (if you may open it)"
    )
    codes: list[str] = Field(description="Per label, the region code, for charts by area")
    axes: list[str]
    colors: list[str]


def _money(section: dict | None, *names) -> dict | None:
    if section is None:
        return None
    return {**section, **{name: str(section[name]) for name in names}}


@router.get(
    "/insights/overview", response={200: OverviewOut, **ERRORS}, summary="Headline figures of an area"
)
def get_insights_overview(request, region: str | None = REGION):
    found = overview.overview(request.auth, scope.region_param(request.auth, region), clock.today())
    found["projects"] = _money(found.get("projects"), "budget")
    found["funds"] = _money(found.get("funds"), "allocated", "paid", "unpaid")
    found["benefits"] = _money(found.get("benefits"), "dividends", "wages")
    return found


@router.get(
    "/insights/charts", response={200: Page[str], **ERRORS}, summary="Names of the charts you may read"
)
def list_insights_charts(request, paging: Query[PageIn]):
    return paginate([chart.name for chart in charts.readable_charts(request.auth)], paging)


@router.get(
    "/insights/charts/{name}", response={200: ChartOut, **ERRORS}, summary="The data behind one chart"
)
def get_insights_chart(request, name: str, region: str | None = REGION):
    chart = charts.CHARTS.get(name)
    if chart is None:
        raise Http404(_("Not found, or outside your area."))
    if not chart.readable_by(request.auth):
        raise PermissionDenied(_("Your role does not allow this action."))
    return chart.data(request.auth, scope.region_param(request.auth, region), clock.today())
