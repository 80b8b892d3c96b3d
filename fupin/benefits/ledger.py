"""Reading the income ledger (收益台账): revenue per year against the plan, the county-wide list, the export.

The plan is the project's linkage mechanism: `Project.linkage_dividend`, the revenue (dividends) the
project promised each year. A year whose revenue after reversals stays below it is flagged (and later feeds
the warnings). Reads only: the writes are `services.record_revenue` and `services.reverse_revenue`.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    BooleanField,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Substr

from fupin.core import files
from fupin.projects.enums import DONE_STATES
from fupin.projects.models import Project

from .enums import RevenueKind
from .models import Revenue

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
MONEY_FIELD = DecimalField(max_digits=14, decimal_places=2)


@dataclass(frozen=True)
class YearRow:
    year: int
    planned: Decimal | None
    actual: Decimal

    @property
    def below_plan(self) -> bool:
        return bool(self.planned) and self.actual < self.planned

    @property
    def gap(self) -> Decimal:
        """How far the year stays below the plan (0 when it reaches it or there is no plan)."""
        return max((self.planned or ZERO) - self.actual, ZERO)


def by_year(project: Project, until: int | None = None) -> list[YearRow]:
    """Revenue per calendar year (periods 2019, 2019-Q2 and 2019-06 all count for 2019), reversals
    included, against the planned yearly revenue. The years run from the first year with an entry or the
    year of completion, whichever is earlier, to the last year with an entry (or `until`), gaps included:
    a year without revenue inside that span is a year at zero. One query."""
    totals = dict(
        Revenue.objects.filter(project=project)
        .annotate(year=Substr("period", 1, 4))
        .order_by()
        .values("year")
        .annotate(total=Sum("amount"))
        .values_list("year", "total")
    )
    years = {int(y) for y in totals}
    if project.completed_on:
        years.add(project.completed_on.year)
    if until:
        years.add(until)
    if not years:
        return []
    planned = project.linkage_dividend
    return [
        YearRow(year, planned, (totals.get(str(year)) or ZERO).quantize(CENT))
        for year in range(min(years), max(years) + 1)
    ]


def entries(project: Project):
    """The ledger's rows in order, each original entry with `reversed_by` (its reversal, or None)."""
    rows = list(
        Revenue.objects.filter(project=project).select_related("created_by").order_by("received_on", "id")
    )
    reversals = {row.reverses_id: row for row in rows if row.reverses_id}
    for row in rows:
        row.reversed_by = reversals.get(row.pk)
    return rows


def earning_projects(projects):
    """Projects that owe revenue: done (completed, accepted, handed over, operating) with a plan, or any
    project with an entry in its ledger."""
    has_revenue = Exists(Revenue.objects.filter(project=OuterRef("pk")))
    return projects.filter(Q(state__in=DONE_STATES, linkage_dividend__gt=0) | Q(has_revenue))


def with_year(projects, year: int):
    """Annotate `actual` (revenue of `year` after reversals) and `below` (a plan not reached)."""
    actual = (
        Revenue.objects.filter(project=OuterRef("pk"), period__startswith=str(year))
        .order_by()
        .values("project")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    rows = projects.annotate(actual=Coalesce(Subquery(actual, output_field=MONEY_FIELD), Value(ZERO)))
    below = ExpressionWrapper(
        Q(linkage_dividend__gt=0) & Q(linkage_dividend__gt=F("actual")), output_field=BooleanField()
    )
    return rows.annotate(below=below)


def county_list(projects, year: int, *, town: str = "", below_only: bool = False):
    """The county-wide ledger list for `year`: projects that owe revenue, with their revenue of the year."""
    rows = with_year(earning_projects(projects), year)
    if town:
        rows = rows.within(town)
    if below_only:
        rows = rows.filter(below=True)
    return rows.order_by("region_code", "name", "id")


def totals(rows, year: int) -> dict:
    """Planned, actual and the number of projects below plan over a county list (three queries: Django
    does not aggregate over the list's subquery annotations reliably)."""
    planned = rows.order_by().aggregate(total=Sum("linkage_dividend"))["total"]
    actual = Revenue.objects.filter(
        project__in=rows.order_by().values("pk"), period__startswith=str(year)
    ).aggregate(total=Sum("amount"))["total"]
    return {
        "planned": planned or ZERO,
        "actual": actual or ZERO,
        "below": rows.filter(below=True).order_by().count(),
    }


def latest_year(projects, default: int) -> int:
    """The latest year with an entry in these projects' ledgers, else `default`."""
    period = (
        Revenue.objects.filter(project__in=projects.order_by().values("pk"))
        .order_by("-period")
        .values_list("period", flat=True)
        .first()
    )
    return int(period[:4]) if period else default


def export_xlsx(project: Project) -> str:
    """The project's ledger and its years against the plan as a workbook; the saved file's path."""
    kinds = dict(RevenueKind.choices)
    book = files.workbook()
    sheet = files.sheet(book, "收益台账")
    sheet.append([f"{project.name}（{project.year} 年）收益台账"])
    sheet.append(
        ["期间", "收益类型", "金额（元）", "到账日期", "凭证", "冲销的分录", "冲销理由", "已被冲销", "录入人"]
    )
    for row in entries(project):
        sheet.append(
            [
                row.period,
                str(kinds.get(row.kind, row.kind)),
                row.amount,
                row.received_on,
                row.evidence,
                row.reverses_id or "",
                row.reason,
                "是" if row.reversed_by else "",
                row.created_by.username,
            ]
        )
    years = files.sheet(book, "年度对比")
    years.append(["年度", "计划收益（元）", "实际收益（元）", "差额（元）", "低于计划"])
    for row in by_year(project):
        years.append([row.year, row.planned, row.actual, row.gap, "是" if row.below_plan else ""])
    return files.save_workbook(book, "ledger-")
