"""The rule catalogue (风险预警规则). Each rule reads one module, names its subject and grades what it
finds 黄/橙/红 by thresholds, policy settings per county and year (core/policy.py: `warning_<rule>_<level>`).

A rule evaluates a whole county in one or two set-based queries and answers with a measure per subject
(days, months, a percentage, an escalation step); `Rule.level_of` turns a measure into a level.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Exists, F, Max, Min, OuterRef, Sum
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fupin.core import policy, workdays
from fupin.core.enums import Role
from fupin.core.policy import Policy

from . import sources as s
from .enums import LEVEL_ORDER, Level


@dataclass(frozen=True)
class Finding:
    subject_id: int
    region_code: str
    subject_repr: str
    measure: Decimal | int
    message: str


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    module: str  # the app whose data it reads
    subject_type: str  # app_label.model of the subject
    subject_url: str | None  # URL name of the subject's page, with its pk as the only argument
    unit: str
    defaults: tuple[int, int, int] | None  # yellow, orange, red; None: fixed levels, not a policy
    handlers: tuple[str, ...]  # roles that handle its warnings in the subject's area
    evaluate: Callable[[str, date], list[Finding]]
    higher_is_worse: bool = True
    # The role that owns the rule: it reviews the warnings dismissed as false alarms (误报复核).
    owner: str = Role.COUNTY_ADMIN

    def policy_key(self, level: str) -> str:
        return f"warning_{self.code}_{level}"

    def thresholds(self, county_code: str, year: int) -> dict[str, int]:
        if self.defaults is None:
            return dict(zip(LEVEL_ORDER, FIXED_STEPS, strict=True))
        region = county_code.ljust(12, "0")
        return {level: policy.value(self.policy_key(level), region, year) for level in LEVEL_ORDER}

    def level_of(self, measure, thresholds: dict[str, int]) -> str | None:
        """The most severe level whose threshold the measure reaches (at or above it; for a rule where lower
        is worse, below it)."""
        found = None
        for level in LEVEL_ORDER:
            limit = thresholds[level]
            if (measure >= limit) if self.higher_is_worse else (measure < limit):
                found = level
        return found


# problem_overdue reuses the escalation ladder of supervision: overdue (and reminded) yellow, 限时督办
# orange, 挂牌督办 red. Its measure is the step on that ladder.
FIXED_STEPS = (0, 2, 3)
ESCALATION_STEP = {
    s.Escalation.NONE: 0,
    s.Escalation.REMINDER: 1,
    s.Escalation.TIME_LIMITED: 2,
    s.Escalation.LISTED: 3,
}
SUPPORTED = [s.HouseholdStatus.NOT_LIFTED, s.HouseholdStatus.LIFTED_WITH_POLICY, s.HouseholdStatus.RELAPSED]
REGISTERED = [*SUPPORTED, s.HouseholdStatus.LIFTED]
NOT_STARTED = [s.ProjectState.PLANNED, s.ProjectState.START_REQUESTED]
UNFINISHED = [s.ProjectState.PLANNED, s.ProjectState.START_REQUESTED, s.ProjectState.IMPLEMENTING]


def _days(later: date, earlier: date) -> int:
    return (later - earlier).days


def _months(later: date, earlier: date) -> int:
    """Whole months from `earlier` to `later` (31 Jan → 28 Feb is not yet a month)."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    return months - 1 if later.day < earlier.day else months


def funds_idle(county: str, today: date) -> list[Finding]:
    rows = (
        s.Allocation.objects.within(county)
        .filter(reverses__isnull=True, paid__lt=F("net_amount"))
        .values("id", "region_code", "project__name", "net_amount", "paid", "allocated_on", "last_paid_on")
    )
    found = []
    for r in rows:
        days = _days(today, r["last_paid_on"] or r["allocated_on"])
        unpaid = r["net_amount"] - r["paid"]
        found.append(
            Finding(
                r["id"],
                r["region_code"],
                _("Allocation %(id)s to “%(project)s”") % {"id": r["id"], "project": r["project__name"]},
                days,
                _("%(amount)s yuan unpaid, no payment for %(days)s days")
                % {"amount": f"{unpaid:.2f}", "days": days},
            )
        )
    return found


def _projects_past(county: str, today: date, states, date_field: str, text: str) -> list[Finding]:
    rows = (
        s.Project.objects.within(county)
        .filter(state__in=states, **{f"{date_field}__lt": today})
        .values("id", "region_code", "name", date_field)
    )
    return [
        Finding(
            r["id"],
            r["region_code"],
            r["name"],
            _days(today, r[date_field]),
            text % {"date": r[date_field].isoformat(), "days": _days(today, r[date_field])},
        )
        for r in rows
    ]


def project_not_started(county: str, today: date) -> list[Finding]:
    text = _("Planned to start on %(date)s, not started %(days)s days later")
    return _projects_past(county, today, NOT_STARTED, "starts_on", text)


def project_overdue(county: str, today: date) -> list[Finding]:
    text = _("Planned to be completed on %(date)s, not completed %(days)s days later")
    return _projects_past(county, today, UNFINISHED, "ends_on", text)


def dividend_late(county: str, today: date) -> list[Finding]:
    rows = (
        s.DistributionPlan.objects.within(county)
        .overdue(today)
        .values("id", "region_code", "project__name", "total", "payment_deadline")
    )
    return [
        Finding(
            r["id"],
            r["region_code"],
            _("Distribution plan %(id)s of “%(project)s”") % {"id": r["id"], "project": r["project__name"]},
            _days(today, r["payment_deadline"]),
            _("Dividends of %(amount)s yuan to be paid by %(date)s, not paid in full")
            % {"amount": f"{r['total']:.2f}", "date": r["payment_deadline"].isoformat()},
        )
        for r in rows
    ]


def employment_shortfall(county: str, today: date) -> list[Finding]:
    found = []
    for row in s.employment_by_project(s.Project.objects.within(county), today):
        if row.shortfall <= 0 or row.required <= 0:
            continue
        share = row.shortfall * 100 // row.required
        found.append(
            Finding(
                row.project_id,
                row.code,
                row.name,
                share,
                _("%(active)s of %(required)s required jobs filled, %(short)s short")
                % {"active": row.active, "required": row.required, "short": row.shortfall},
            )
        )
    return found


def visit_missed(county: str, today: date) -> list[Finding]:
    """Households with a helper: whole months since the last visit (or since the pairing, never visited)."""
    paired = s.HelperPair.objects.filter(end__isnull=True)
    rows = (
        s.Household.objects.within(county)
        .filter(status__in=SUPPORTED, helper_pairs__in=paired)
        .values("id", "region_code", "number", "head__name")
        .annotate(last=Max("visits__visited_on"), paired_on=Min("helper_pairs__start"))
        .order_by()
    )
    found = []
    for r in rows:
        since = r["last"] or r["paired_on"]
        months = _months(today, since)
        if months <= 0:
            continue
        found.append(
            Finding(
                r["id"],
                r["region_code"],
                f"{r['number']} {r['head__name'] or ''}".strip(),
                months,
                _("Not visited since %(date)s (%(months)s months)")
                % {"date": since.isoformat(), "months": months},
            )
        )
    return found


def _line(region: str, year: int):
    """The monitoring line from 2021 (防返贫监测); before it, the poverty line of the year was the line."""
    return policy.value("monitoring_line" if year >= MONITORING_FROM else "poverty_line", region, year)


MONITORING_FROM = 2021


def income_below_line(county: str, today: date) -> list[Finding]:
    """Registered households whose latest per-capita income is below the monitoring line of its year; the
    measure is the income as a percentage of the line (lower is worse)."""
    rows = list(
        s.Household.objects.within(county)
        .filter(status__in=REGISTERED, per_capita_income__isnull=False, income_year__isnull=False)
        .values("id", "region_code", "number", "head__name", "per_capita_income", "income_year")
    )
    region = county.ljust(12, "0")
    lines = {year: _line(region, year) for year in {r["income_year"] for r in rows}}
    line_texts = {year: f"{line:.2f}" for year, line in lines.items() if line}
    text = _("Per-capita income %(income)s yuan in %(year)s, below the line of %(line)s yuan")
    tenth = Decimal("0.1")
    found = []
    for r in rows:
        line = lines[r["income_year"]]
        income = r["per_capita_income"]
        if not line or income >= line:
            continue
        found.append(
            Finding(
                r["id"],
                r["region_code"],
                f"{r['number']} {r['head__name'] or ''}".strip(),
                (income * 100 / line).quantize(tenth),
                text
                % {"income": f"{income:.2f}", "year": r["income_year"], "line": line_texts[r["income_year"]]},
            )
        )
    return found


def problem_overdue(county: str, today: date) -> list[Finding]:
    """Problems whose clock runs past their deadline (Problem.is_overdue, computed here for the whole county:
    the working-day arithmetic is done once per distinct deadline, not once per problem)."""
    rows = (
        s.Problem.objects.within(county)
        .filter(state__in=s.CLOCK_STATES, deadline__lt=today, duplicate_of__isnull=True)
        .values("id", "number", "title", "region_code", "deadline", "paused_days", "escalation")
    )
    text = _("Deadline %(date)s passed, %(days)s working days overdue")
    effective: dict[tuple, date] = {}
    late_days: dict[date, int] = {}
    found = []
    for r in rows:
        key = (r["deadline"], r["paused_days"])
        if key not in effective:
            paused = r["paused_days"]
            effective[key] = workdays.add_working_days(r["deadline"], paused) if paused else r["deadline"]
        deadline = effective[key]
        if today <= deadline:
            continue
        if deadline not in late_days:
            late_days[deadline] = workdays.working_days_between(deadline, today)
        found.append(
            Finding(
                r["id"],
                r["region_code"],
                f"{r['number']} {r['title']}"[:200],
                ESCALATION_STEP.get(r["escalation"], 0),
                text % {"date": deadline.isoformat(), "days": late_days[deadline]},
            )
        )
    return found


def schedule_percent(year: int, today: date) -> Decimal:
    """How much of a source of `year` should be spent by `today`: the share of the year gone by (a source
    of an earlier year should be spent in full)."""
    if year < today.year:
        return Decimal(100)
    start = date(year, 1, 1)
    return Decimal(100 * _days(today, start)) / Decimal(_days(date(year + 1, 1, 1), start))


def funds_slow(county: str, today: date) -> list[Finding]:
    """Fund sources whose payments lag behind the year's schedule; the measure is the points behind."""
    rows = (
        s.FundSource.objects.within(county)
        .filter(year__lte=today.year, amount__gt=0)
        .values("id", "region_code", "title", "year", "amount")
        .annotate(paid=Sum("allocations__paid"))
        .order_by()
    )
    found = []
    for r in rows:
        rate = Decimal(r["paid"] or 0) * 100 / r["amount"]
        behind = (schedule_percent(r["year"], today) - rate).quantize(Decimal("0.1"))
        if behind <= 0:
            continue
        found.append(
            Finding(
                r["id"],
                r["region_code"],
                r["title"],
                behind,
                _("%(rate)s%% spent, %(behind)s points behind the year's schedule")
                % {"rate": rate.quantize(Decimal("0.1")), "behind": behind},
            )
        )
    return found


def asset_unconfirmed(county: str, today: date) -> list[Finding]:
    """Projects accepted on completion but not yet handed over with their assets registered (确权)."""
    rows = (
        s.Project.objects.within(county)
        .filter(state=s.ProjectState.ACCEPTED, acceptance__accepted_on__lt=today)
        .values("id", "region_code", "name", "acceptance__accepted_on")
    )
    return [
        Finding(
            r["id"],
            r["region_code"],
            r["name"],
            _days(today, r["acceptance__accepted_on"]),
            _("Accepted on %(date)s, assets not yet handed over and registered")
            % {"date": r["acceptance__accepted_on"].isoformat()},
        )
        for r in rows
    ]


def revenue_undistributed(county: str, today: date) -> list[Finding]:
    """Revenue received (not reversed) that no distribution plan (other than a cancelled one) divides."""
    planned = s.DistributionPlan.objects.filter(revenue=OuterRef("pk")).exclude(state=s.PlanState.CANCELLED)
    rows = (
        s.Revenue.objects.within(county)
        .filter(reverses__isnull=True, reversal__isnull=True, received_on__lt=today)
        .filter(~Exists(planned))
        .values("id", "region_code", "project__name", "period", "amount", "received_on")
    )
    return [
        Finding(
            r["id"],
            r["region_code"],
            f"{r['project__name']} {r['period']}"[:200],
            _days(today, r["received_on"]),
            _("%(amount)s yuan received on %(date)s, not yet in a distribution plan")
            % {"amount": f"{r['amount']:.2f}", "date": r["received_on"].isoformat()},
        )
        for r in rows
    ]


def monitoring_no_measure(county: str, today: date) -> list[Finding]:
    """Households under monitoring (risk not cleared) whose case has no assistance measure yet; the subject
    is the household (one open case each)."""
    rows = (
        s.MonitoringCase.objects.filter(
            household__in=s.Household.objects.within(county),
            state__in=[s.MonitoringState.IDENTIFYING, s.MonitoringState.MONITORED],
            measures__isnull=True,
            found_on__lt=today,
        )
        .values(
            "household_id", "household__region_code", "household__number", "household__head__name", "found_on"
        )
        .order_by()
    )
    return [
        Finding(
            r["household_id"],
            r["household__region_code"],
            f"{r['household__number']} {r['household__head__name'] or ''}".strip(),
            _days(today, r["found_on"]),
            _("At risk since %(date)s, no assistance measure yet") % {"date": r["found_on"].isoformat()},
        )
        for r in rows
    ]


days, months, share = gettext_lazy("days"), gettext_lazy("months"), gettext_lazy("%")
COUNTY, TOWN, FINANCE = Role.COUNTY_ADMIN, Role.TOWN_OFFICER, Role.FINANCE
RULES: dict[str, Rule] = {
    r.code: r
    for r in [
        Rule(
            "funds_idle",
            gettext_lazy("Idle funds"),  # 资金闲置
            "funds",
            "funds.allocation",
            "funds:allocation",
            days,
            (60, 90, 180),
            (FINANCE, COUNTY),
            funds_idle,
            owner=FINANCE,
        ),
        Rule(
            "funds_slow",
            gettext_lazy("Funds spent too slowly"),  # 支出进度慢
            "funds",
            "funds.fundsource",
            None,
            gettext_lazy("percentage points"),
            (10, 20, 30),
            (FINANCE, COUNTY),
            funds_slow,
            owner=FINANCE,
        ),
        Rule(
            "project_not_started",
            gettext_lazy("Project not started"),  # 项目未按期开工
            "projects",
            "projects.project",
            "projects:detail",
            days,
            (0, 30, 90),
            (TOWN, COUNTY),
            project_not_started,
        ),
        Rule(
            "project_overdue",
            gettext_lazy("Project not completed on time"),  # 项目未按期完工
            "projects",
            "projects.project",
            "projects:detail",
            days,
            (0, 30, 90),
            (TOWN, COUNTY),
            project_overdue,
        ),
        Rule(
            "dividend_late",
            gettext_lazy("Dividends paid late"),  # 分红发放不及时
            "benefits",
            "benefits.distributionplan",
            "benefits:plan",
            days,
            (0, 10, 30),
            (TOWN, FINANCE, COUNTY),
            dividend_late,
        ),
        Rule(
            "employment_shortfall",
            gettext_lazy("Employment linkage below target"),  # 用工带动不达标
            "benefits",
            "projects.project",
            "employment:project-employment",
            share,
            (1, 30, 60),
            (TOWN, FINANCE, COUNTY),
            employment_shortfall,
        ),
        Rule(
            "visit_missed",
            gettext_lazy("Monthly visit missed"),  # 未按月走访
            "registry",
            "registry.household",
            "registry:household",
            months,
            (1, 2, 3),
            (TOWN, COUNTY),
            visit_missed,
        ),
        Rule(
            "income_below_line",
            gettext_lazy("Income below the monitoring line"),  # 收入低于监测线
            "registry",
            "registry.household",
            "registry:household",
            share,
            (100, 90, 75),
            (TOWN, COUNTY),
            income_below_line,
            higher_is_worse=False,
        ),
        Rule(
            "revenue_undistributed",
            gettext_lazy("Revenue not distributed"),  # 收益未分配
            "benefits",
            "benefits.revenue",
            None,
            days,
            (30, 60, 90),
            (TOWN, FINANCE, COUNTY),
            revenue_undistributed,
        ),
        Rule(
            "monitoring_no_measure",
            gettext_lazy("Monitored household without assistance"),  # 监测对象未落实帮扶
            "registry",
            "registry.household",
            "registry:household",
            days,
            (15, 30, 60),
            (TOWN, COUNTY),
            monitoring_no_measure,
        ),
        Rule(
            "asset_unconfirmed",
            gettext_lazy("Assets not registered"),  # 资产未确权
            "projects",
            "projects.project",
            "projects:detail",
            days,
            (30, 90, 180),
            (TOWN, COUNTY),
            asset_unconfirmed,
        ),
        Rule(
            "problem_overdue",
            gettext_lazy("Problem overdue"),  # 问题整改逾期
            "supervision",
            "supervision.problem",
            "supervision:problem",
            gettext_lazy("escalation step"),
            None,
            (TOWN, COUNTY),
            problem_overdue,
        ),
    ]
}

LEVEL_LABELS = dict(Level.choices)
THRESHOLD_POLICIES = [
    Policy(
        rule.policy_key(level),
        format_lazy("{}（{}）", rule.name, LEVEL_LABELS[level]),
        rule.unit,
        int,
        default,
        0,
    )
    for rule in RULES.values()
    if rule.defaults is not None
    for level, default in zip(LEVEL_ORDER, rule.defaults, strict=True)
]
