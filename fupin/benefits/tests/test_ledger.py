"""Planned against actual revenue: per year with reversals, the county-wide list, the export, the API."""

from datetime import date
from decimal import Decimal

from openpyxl import load_workbook

from fupin.benefits import ledger, services
from fupin.core.tests.test_api import assert_error
from fupin.projects.models import Project
from fupin.projects.tests.conftest import make_project


def record(actor, project, period, amount, kind="dividend"):
    return services.record_revenue(
        actor, project, period=period, kind=kind, amount=amount, received_on=date(int(period[:4]), 12, 20)
    )


def operating(project, **extra):
    Project.objects.filter(pk=project.pk).update(state="operating", **extra)
    project.refresh_from_db()
    return project


def test_by_year_sums_periods_and_reversals_against_the_plan(project, sima_officer):
    # The plan is 60,000.00 a year (PROJECT's linkage_dividend).
    record(sima_officer, project, "2017-Q3", "20000.00")
    record(sima_officer, project, "2017-Q4", "45000.00")
    wrong = record(sima_officer, project, "2019-06", "70000.00", kind="rent")
    services.reverse_revenue(sima_officer, wrong, reason="金额录错")
    record(sima_officer, project, "2019", "59999.99")
    rows = ledger.by_year(project)
    assert [(r.year, r.actual, r.below_plan) for r in rows] == [
        (2017, Decimal("65000.00"), False),
        (2018, Decimal("0.00"), True),  # a year without revenue inside the span is a year at zero
        (2019, Decimal("59999.99"), True),
    ]
    assert rows[2].gap == Decimal("0.01") and rows[0].gap == Decimal("0.00")
    assert all(r.planned == Decimal("60000.00") for r in rows)


def test_by_year_runs_from_completion_and_to_a_given_year(project, sima_officer):
    assert ledger.by_year(project) == []
    Project.objects.filter(pk=project.pk).update(completed_on=date(2018, 11, 5))
    project.refresh_from_db()
    assert [(r.year, r.below_plan) for r in ledger.by_year(project, until=2019)] == [
        (2018, True),
        (2019, True),
    ]


def test_no_plan_means_never_below(project, sima_officer):
    Project.objects.filter(pk=project.pk).update(linkage_dividend=None)
    project.refresh_from_db()
    record(sima_officer, project, "2019", "10.00")
    assert [(r.planned, r.below_plan, r.gap) for r in ledger.by_year(project)] == [
        (None, False, Decimal("0.00"))
    ]


def test_entries_mark_the_reversed_ones(project, sima_officer):
    first = record(sima_officer, project, "2019", "100.00")
    services.reverse_revenue(sima_officer, first, reason="重复")
    rows = ledger.entries(project)
    assert [(r.amount, bool(r.reversed_by), r.reverses_id) for r in rows] == [
        (Decimal("100.00"), True, None),
        (Decimal("-100.00"), False, first.pk),
    ]


def test_county_list_flags_projects_below_plan(project, sima_officer, jishu_officer):
    operating(project)
    other = operating(make_project(sima_officer, name="山林农贸扶贫产业项目", linkage_dividend="1000.00"))
    jishu = operating(make_project(jishu_officer, name="鸡黍镇光伏电站", region_code="370828104200"))
    draft = make_project(sima_officer, name="还在储备的项目")  # owes nothing yet
    record(sima_officer, other, "2019-Q1", "600.00")
    record(sima_officer, other, "2019-Q2", "600.00")
    record(sima_officer, project, "2019", "100.00")
    record(sima_officer, project, "2018", "90000.00")
    rows = ledger.county_list(Project.objects.all(), 2019)
    got = {p.name: (p.actual, p.below) for p in rows}
    assert got == {
        project.name: (Decimal("100.00"), True),
        other.name: (Decimal("1200.00"), False),
        jishu.name: (Decimal("0.00"), True),
    }
    assert draft.name not in got
    assert ledger.totals(rows, 2019) == {
        "planned": Decimal("121000.00"),
        "actual": Decimal("1300.00"),
        "below": 2,
    }
    assert [p.name for p in ledger.county_list(Project.objects.all(), 2019, below_only=True)] == [
        jishu.name,
        project.name,
    ]
    assert [p.name for p in ledger.county_list(Project.objects.all(), 2019, town="370828104")] == [jishu.name]
    sima_only = Project.objects.visible_to(sima_officer)
    assert jishu.name not in {p.name for p in ledger.county_list(sima_only, 2019)}
    assert ledger.latest_year(Project.objects.all(), 2026) == 2019
    assert ledger.latest_year(Project.objects.none(), 2026) == 2026


def test_the_export_holds_entries_and_years(project, sima_officer):
    entry = record(sima_officer, project, "2019", "17830.00")
    services.reverse_revenue(sima_officer, entry, reason="录错")
    book = load_workbook(ledger.export_xlsx(project))
    rows = list(book["收益台账"].iter_rows(values_only=True))
    assert rows[1][:3] == ("期间", "收益类型", "金额（元）")
    assert [r[2] for r in rows[2:]] == [17830, -17830]
    assert rows[2][7] == "是" and rows[3][6] == "录错"
    years = list(book["年度对比"].iter_rows(values_only=True))
    assert years[1] == (2019, 60000, 0, 60000, "是")


def test_the_api_gives_the_years(api_as, project, sima_officer, jishu_officer):
    record(sima_officer, project, "2019", "70000.00")
    url = f"/api/v1/projects/{project.pk}/revenues/by-year"
    assert api_as(sima_officer).get(url).json() == {
        "items": [{"year": 2019, "planned": "60000.00", "actual": "70000.00", "below_plan": False}],
        "count": 1,
    }
    assert_error(api_as(jishu_officer).get(url), 404, "not_found")
