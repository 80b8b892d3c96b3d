"""The charts of the dashboards, the workbench and the API, by name. Each chart reads one kind of data (the
access policy decides who sees it), answers with its labels, its series and, per label, the list page it
drills down to (only when the user may open that page), and has one table for its .xlsx download.

The shape (also the API's `ChartOut`): `{name, title, type: bar|pie|line, labels, series: [{name, data,
type, axis}], links, axes}`; a series' `axis` 1 is the right-hand axis (rates in %).
"""

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Count, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fupin.core import access
from fupin.core.access import Kind

from . import figures


@dataclass(frozen=True)
class Chart:
    name: str
    title: str
    section: str
    kinds: tuple[Kind, ...]  # the user must read one of these, at least as aggregates
    build: Callable  # (user, prefix, today) -> dict

    def readable_by(self, user) -> bool:
        return any(figures.readable(user, kind) for kind in self.kinds)

    def data(self, user, prefix: str, today) -> dict:
        found = self.build(user, prefix, today)
        found.setdefault("links", [None] * len(found["labels"]))
        found.setdefault("axes", [])
        found.setdefault("codes", [])
        found.setdefault("colors", [])
        return {"name": self.name, "title": str(self.title), **found}


def link(user, path: str, **params) -> str | None:
    """The list page a chart's bar opens, when the user may open it (link only to what one may open)."""
    if not access.allows(user, path):
        return None
    wanted = {key: value for key, value in params.items() if value not in (None, "")}
    return f"{path}?{urlencode(wanted)}" if wanted else path


def full(code: str) -> str:
    return code.ljust(12, "0")


def series(name, data, kind: str = "bar", axis: int = 0, **extra) -> dict:
    return {"name": str(name), "data": data, "type": kind, "axis": axis, **extra}


def _num(value) -> float:
    return float(value or 0)


# --- The registry ---------------------------------------------------------------------------------
def registry_status(user, prefix, today) -> dict:
    from fupin.registry.enums import Status

    counts = figures.household_counts(user, prefix, today)["by_status"]
    shown = [status for status in Status if counts.get(status)]
    return {
        "type": "pie",
        "labels": [str(status.label) for status in shown],
        "series": [series(_("Households"), [counts[status] for status in shown], "pie")],
        "links": [link(user, "/households/", region=full(prefix), status=status.value) for status in shown],
    }


def registry_cause(user, prefix, today) -> dict:
    from fupin.registry.enums import REGISTERED_STATUSES, Cause

    rows = figures.households(user, prefix).filter(status__in=REGISTERED_STATUSES)
    counts = dict(rows.values_list("main_cause").annotate(n=Count("id")).order_by())
    shown = sorted((cause for cause in Cause if counts.get(cause)), key=lambda cause: -counts[cause])
    return {
        "type": "bar",
        "labels": [str(cause.label) for cause in shown],
        "series": [series(_("Registered households"), [counts[cause] for cause in shown])],
        "links": [link(user, "/households/", region=full(prefix), cause=cause.value) for cause in shown],
    }


def registry_area(user, prefix, today) -> dict:
    from django.db.models import Q

    from fupin.registry.enums import REGISTERED_STATUSES, Status

    names = figures.child_names(prefix, user)
    poor = Q(status__in=[Status.NOT_LIFTED, Status.RELAPSED])
    rows = figures.by_child(
        figures.households(user, prefix).filter(status__in=REGISTERED_STATUSES),
        prefix,
        total=Count("id"),
        poor=Count("id", filter=poor),
    )
    codes = [code for code in names if code in rows] + [code for code in rows if code not in names]
    return {
        "type": "bar",
        "labels": [names.get(code, code) for code in codes],
        "series": [
            series(_("Lifted out"), [rows[c]["total"] - rows[c]["poor"] for c in codes], stack="households"),
            series(_("Not yet lifted out"), [rows[c]["poor"] for c in codes], stack="households"),
        ],
        "links": [link(user, "/households/", region=full(code)) for code in codes],
        "codes": [full(code) for code in codes],
    }


def registry_trend(user, prefix, today) -> dict:
    from django.db.models.functions import ExtractYear

    from fupin.registry.models import MonitoringCase

    exits = dict(
        figures.households(user, prefix)
        .filter(exit_year__isnull=False)
        .values_list("exit_year")
        .annotate(n=Count("id"))
        .order_by()
    )
    cases = dict(
        MonitoringCase.objects.filter(household__in=figures.households(user, prefix).values("pk"))
        .annotate(year=ExtractYear("found_on"))
        .values_list("year")
        .annotate(n=Count("id"))
        .order_by()
    )
    known = set(exits) | set(cases)
    years = list(range(min(known), max(known) + 1)) if known else []
    return {
        "type": "line",
        "labels": [str(year) for year in years],
        "series": [
            series(_("Households lifted out"), [exits.get(year, 0) for year in years], "line"),
            series(_("Monitoring cases opened"), [cases.get(year, 0) for year in years], "line"),
        ],
    }


# --- Projects -------------------------------------------------------------------------------------
def _projects(user, prefix):
    from fupin.projects.models import Project

    return figures.rows_for(user, Project.objects.all(), Kind.PROJECTS, prefix)


def projects_state(user, prefix, today) -> dict:
    from fupin.projects.enums import ProjectState

    counts = dict(_projects(user, prefix).values_list("state").annotate(n=Count("id")).order_by())
    shown = [state for state in ProjectState if counts.get(state)]
    return {
        "type": "bar",
        "labels": [str(state.label) for state in shown],
        "series": [series(_("Number of projects"), [counts[state] for state in shown])],
        "links": [link(user, "/projects/", region=full(prefix), state=state.value) for state in shown],
    }


def projects_type(user, prefix, today) -> dict:
    from fupin.projects.enums import ProjectType

    rows = _projects(user, prefix).values("type").annotate(n=Count("id"), budget=Sum("budget")).order_by()
    counts = {row["type"]: row for row in rows}
    shown = [kind for kind in ProjectType if kind in counts]
    return {
        "type": "pie",
        "labels": [str(kind.label) for kind in shown],
        "series": [series(_("Number of projects"), [counts[kind]["n"] for kind in shown], "pie")],
        "links": [link(user, "/projects/", region=full(prefix), type=kind.value) for kind in shown],
    }


def projects_year(user, prefix, today) -> dict:
    rows = list(
        _projects(user, prefix).values("year").annotate(n=Count("id"), budget=Sum("budget")).order_by("year")
    )
    return {
        "type": "bar",
        "labels": [str(row["year"]) for row in rows],
        "series": [
            series(_("Budget (10,000 yuan)"), [round(_num(row["budget"]) / 10000, 2) for row in rows]),
            series(_("Number of projects"), [row["n"] for row in rows], "line", axis=1),
        ],
        "axes": [_("10,000 yuan"), _("Number of projects")],
        "links": [link(user, "/projects/", region=full(prefix), year=row["year"]) for row in rows],
    }


# --- Funds ----------------------------------------------------------------------------------------
def funds_level(user, prefix, today) -> dict:
    from fupin.funds.enums import FundLevel
    from fupin.funds.models import FundSource

    sources = dict(
        figures.rows_for(user, FundSource.objects.all(), Kind.FUNDS, prefix)
        .values_list("level")
        .annotate(amount=Sum("amount"))
        .order_by()
    )
    spent = {
        row["source__level"]: row
        for row in figures.allocations(user, prefix)
        .values("source__level")
        .annotate(allocated=Sum("net_amount"), paid=Sum("paid"))
        .order_by()
    }
    shown = [level for level in FundLevel if level in sources or level in spent]
    allocated = [_num(spent.get(level, {}).get("allocated")) for level in shown]
    paid = [_num(spent.get(level, {}).get("paid")) for level in shown]
    return {
        "type": "bar",
        "labels": [str(level.label) for level in shown],
        "series": [
            series(_("Received (10,000 yuan)"), [round(_num(sources.get(lv)) / 10000, 2) for lv in shown]),
            series(_("Allocated (10,000 yuan)"), [round(v / 10000, 2) for v in allocated]),
            series(_("Paid (10,000 yuan)"), [round(v / 10000, 2) for v in paid]),
            series(
                _("Execution rate (%)"),
                [figures.rate(p, a) for p, a in zip(paid, allocated, strict=True)],
                "line",
                1,
            ),
        ],
        "axes": [_("10,000 yuan"), "%"],
        "links": [link(user, "/funds/") for _level in shown],
    }


def funds_area(user, prefix, today) -> dict:
    names = figures.child_names(prefix, user)
    rows = figures.by_child(
        figures.allocations(user, prefix), prefix, allocated=Sum("net_amount"), paid=Sum("paid")
    )
    codes = [code for code in names if code in rows] + [code for code in rows if code not in names]
    allocated = [_num(rows[code]["allocated"]) for code in codes]
    paid = [_num(rows[code]["paid"]) for code in codes]
    return {
        "type": "bar",
        "labels": [names.get(code, code) for code in codes],
        "series": [
            series(_("Allocated (10,000 yuan)"), [round(v / 10000, 2) for v in allocated]),
            series(_("Paid (10,000 yuan)"), [round(v / 10000, 2) for v in paid]),
            series(
                _("Execution rate (%)"),
                [figures.rate(p, a) for p, a in zip(paid, allocated, strict=True)],
                "line",
                1,
            ),
        ],
        "axes": [_("10,000 yuan"), "%"],
        "links": [link(user, "/projects/", region=full(code)) for code in codes],
        "codes": [full(code) for code in codes],
    }


# --- Benefits -------------------------------------------------------------------------------------
def benefits_area(user, prefix, today) -> dict:
    from fupin.benefits import summary

    result = summary.summary(prefix)
    names = figures.child_names(prefix, user)
    codes = [code for code in names if code in result["rows"]]
    rows = result["rows"]
    return {
        "type": "bar",
        "labels": [names[code] for code in codes],
        "series": [
            series(
                _("Dividends paid (10,000 yuan)"),
                [round(_num(rows[c]["dividends"]) / 10000, 2) for c in codes],
            ),
            series(_("People employed"), [rows[c]["employed"] for c in codes], "line", 1),
            series(_("Households reached"), [rows[c]["households"] for c in codes], "line", 1),
        ],
        "axes": [_("10,000 yuan"), _("People / households")],
        "links": [link(user, "/benefits/summary/", region=full(code)) for code in codes],
        "codes": [full(code) for code in codes],
    }


# --- Supervision ----------------------------------------------------------------------------------
def _problem_figures(user, prefix, today) -> tuple[list[str], list[str], dict]:
    from fupin.supervision import stats

    found = figures.once(
        user,
        ("problems by town", prefix, today),
        lambda: stats.figures(figures.problem_rows(user, prefix), today, group="town"),
    )
    names = figures.child_names(prefix[:6] if len(prefix) > 6 else prefix, user)
    codes = sorted(found)
    return codes, [names.get(code, code) for code in codes], found


def supervision_rates(user, prefix, today) -> dict:
    codes, labels, found = _problem_figures(user, prefix, today)
    return {
        "type": "bar",
        "labels": labels,
        "series": [
            series(_("Found"), [found[c].found for c in codes]),
            series(_("Closed"), [found[c].closed for c in codes]),
            series(_("Clearance rate (%)"), [_rate(found[c].clearance_rate) for c in codes], "line", 1),
            series(_("On-time rate (%)"), [_rate(found[c].on_time_rate) for c in codes], "line", 1),
        ],
        "axes": [_("Problems"), "%"],
        "links": [link(user, "/problems/", region=full(code)) for code in codes],
        "codes": [full(code) for code in codes],
    }


def supervision_overdue(user, prefix, today) -> dict:
    codes, labels, found = _problem_figures(user, prefix, today)
    return {
        "type": "bar",
        "labels": labels,
        "series": [series(_("Open and overdue"), [found[c].open_overdue for c in codes], color="#c0392b")],
        "links": [link(user, "/problems/", region=full(code), overdue="yes") for code in codes],
        "codes": [full(code) for code in codes],
    }


def supervision_state(user, prefix, today) -> dict:
    from fupin.supervision.enums import State

    counts = dict(figures.problem_rows(user, prefix).values_list("state").annotate(n=Count("id")).order_by())
    shown = [state for state in State if counts.get(state)]
    return {
        "type": "pie",
        "labels": [str(state.label) for state in shown],
        "series": [series(_("Problems"), [counts[state] for state in shown], "pie")],
        "links": [link(user, "/problems/", region=full(prefix), state=state.value) for state in shown],
    }


def _rate(value) -> float | None:
    return float(value) if value is not None else None


# --- Lectures and warnings ------------------------------------------------------------------------
def lectures_month(user, prefix, today) -> dict:
    from fupin.lectures import stats
    from fupin.lectures.models import LectureRequest

    rows = stats.per_month(figures.rows_for(user, LectureRequest.objects.all(), Kind.LECTURES, prefix))
    return {
        "type": "bar",
        "labels": [row["label"] for row in rows],
        "series": [
            series(_("Requested lectures"), [row["requested"] for row in rows], stack="lectures"),
            series(_("Team lecture stops"), [row["team"] for row in rows], stack="lectures"),
            series(_("People educated"), [row["people"] for row in rows], "line", 1),
        ],
        "axes": [_("Lectures"), _("People")],
        "links": [link(user, "/lectures/requests/") for _row in rows],
    }


def warnings_level(user, prefix, today) -> dict:
    from fupin.warnings.enums import Level

    counts = figures.open_warnings(user, prefix)["by_level"]
    shown = [level for level in Level if counts.get(level)]
    colours = {Level.YELLOW: "#e0b000", Level.ORANGE: "#fd7e14", Level.RED: "#c0392b"}
    return {
        "type": "pie",
        "labels": [str(level.label) for level in shown],
        "series": [
            series(_("Open warnings"), [counts[level] for level in shown], "pie"),
        ],
        "colors": [colours[level] for level in shown],
        "links": [
            link(user, "/warnings/", region=full(prefix), level=lv.value, state="open") for lv in shown
        ],
    }


# Titles are lazy: read when a page is drawn, in the user's language.
K = Kind
SUPERVISION = (K.INSPECTION, K.URBAN)
CHARTS: dict[str, Chart] = {
    chart.name: chart
    for chart in [
        Chart(
            "registry_status",
            gettext_lazy("Households by status"),
            "registry",
            (K.REGISTRY,),
            registry_status,
        ),
        Chart(
            "registry_cause",
            gettext_lazy("Registered households by main cause"),
            "registry",
            (K.REGISTRY,),
            registry_cause,
        ),
        Chart(
            "registry_area",
            gettext_lazy("Registered households by area"),
            "registry",
            (K.REGISTRY,),
            registry_area,
        ),
        Chart(
            "registry_trend",
            gettext_lazy("Exits and monitoring by year"),
            "registry",
            (K.REGISTRY,),
            registry_trend,
        ),
        Chart("projects_state", gettext_lazy("Projects by state"), "projects", (K.PROJECTS,), projects_state),
        Chart("projects_type", gettext_lazy("Projects by type"), "projects", (K.PROJECTS,), projects_type),
        Chart(
            "projects_year",
            gettext_lazy("Projects and budget by year"),
            "projects",
            (K.PROJECTS,),
            projects_year,
        ),
        Chart(
            "funds_level",
            gettext_lazy("Funds by level: received, allocated, paid"),
            "funds",
            (K.FUNDS,),
            funds_level,
        ),
        Chart("funds_area", gettext_lazy("Fund execution by area"), "funds", (K.FUNDS,), funds_area),
        Chart(
            "benefits_area",
            gettext_lazy("Dividends and jobs by area"),
            "benefits",
            (K.BENEFITS,),
            benefits_area,
        ),
        Chart(
            "supervision_rates",
            gettext_lazy("Clearance and on-time rates by town"),
            "supervision",
            SUPERVISION,
            supervision_rates,
        ),
        Chart(
            "supervision_overdue",
            gettext_lazy("Overdue problems by town"),
            "supervision",
            SUPERVISION,
            supervision_overdue,
        ),
        Chart(
            "supervision_state",
            gettext_lazy("Problems by state"),
            "supervision",
            SUPERVISION,
            supervision_state,
        ),
        Chart(
            "lectures_month",
            gettext_lazy("Lectures delivered by month"),
            "lectures",
            (K.LECTURES,),
            lectures_month,
        ),
        Chart(
            "warnings_level",
            gettext_lazy("Open warnings by level"),
            "warnings",
            (K.WARNINGS,),
            warnings_level,
        ),
    ]
}

SECTIONS = [
    ("registry", gettext_lazy("Household registry")),
    ("projects", gettext_lazy("Project library")),
    ("funds", gettext_lazy("Special funds")),
    ("benefits", gettext_lazy("Benefits")),
    ("supervision", gettext_lazy("Supervision")),
    ("lectures", gettext_lazy("Clean-governance lectures")),
    ("warnings", gettext_lazy("Risk warnings")),
]


def readable_charts(user) -> list[Chart]:
    return [chart for chart in CHARTS.values() if chart.readable_by(user)]
