"""Each rule's thresholds at their boundaries, its evaluation of the data, and its queries."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from fupin.core import policy
from fupin.core.models import Region
from fupin.warnings import rules
from fupin.warnings.rules import RULES

from .conftest import COUNTY, TODAY

pytestmark = pytest.mark.django_db

DEFAULT_BOUNDARIES = {
    # rule: [(measure, expected level)] at and just below each default threshold
    "funds_idle": [(59, None), (60, "yellow"), (89, "yellow"), (90, "orange"), (179, "orange"), (180, "red")],
    "project_not_started": [(0, "yellow"), (29, "yellow"), (30, "orange"), (89, "orange"), (90, "red")],
    "project_overdue": [(0, "yellow"), (30, "orange"), (90, "red")],
    "dividend_late": [(0, "yellow"), (9, "yellow"), (10, "orange"), (29, "orange"), (30, "red")],
    "employment_shortfall": [(0, None), (1, "yellow"), (29, "yellow"), (30, "orange"), (60, "red")],
    "visit_missed": [(0, None), (1, "yellow"), (2, "orange"), (3, "red"), (7, "red")],
    # lower is worse: the income as a percentage of the monitoring line
    "income_below_line": [
        (Decimal("100.0"), None),
        (Decimal("99.9"), "yellow"),
        (Decimal("90.0"), "yellow"),
        (Decimal("89.9"), "orange"),
        (Decimal("75.0"), "orange"),
        (Decimal("74.9"), "red"),
    ],
    "revenue_undistributed": [(29, None), (30, "yellow"), (60, "orange"), (89, "orange"), (90, "red")],
    "monitoring_no_measure": [(14, None), (15, "yellow"), (30, "orange"), (59, "orange"), (60, "red")],
    "asset_unconfirmed": [(29, None), (30, "yellow"), (90, "orange"), (179, "orange"), (180, "red")],
    "funds_slow": [
        (Decimal("9.9"), None),
        (10, "yellow"),
        (20, "orange"),
        (Decimal("29.9"), "orange"),
        (30, "red"),
    ],
    # the escalation ladder: none and reminder yellow, 限时督办 orange, 挂牌督办 red
    "problem_overdue": [(0, "yellow"), (1, "yellow"), (2, "orange"), (3, "red")],
}


@pytest.mark.parametrize("code", sorted(DEFAULT_BOUNDARIES))
def test_default_thresholds_grade_at_their_boundaries(jinxiang, code):
    rule = RULES[code]
    thresholds = rule.thresholds(COUNTY, 2026)
    for measure, expected in DEFAULT_BOUNDARIES[code]:
        assert rule.level_of(measure, thresholds) == expected, (code, measure)


def test_every_rule_is_in_the_catalogue_with_its_module_and_subject():
    assert set(DEFAULT_BOUNDARIES) == set(RULES)
    for rule in RULES.values():
        assert rule.module and "." in rule.subject_type and rule.handlers
        assert str(rule.name)


def test_thresholds_are_policy_per_county_and_year(jinxiang, county_admin):
    county = Region.objects.get(code="370828000000")
    policy.set_value(county_admin, "warning_funds_idle_yellow", county, 2027, "30")
    rule = RULES["funds_idle"]
    assert rule.thresholds(COUNTY, 2026)["yellow"] == 60
    assert rule.thresholds(COUNTY, 2027)["yellow"] == 30
    assert rule.level_of(30, rule.thresholds(COUNTY, 2027)) == "yellow"


def test_funds_idle_counts_days_since_the_last_payment(allocation):
    found = {f.subject_id: f for f in rules.funds_idle(COUNTY, TODAY)}
    assert found[allocation.pk].measure == (TODAY - date(2026, 3, 1)).days
    allocation.last_paid_on = TODAY - timedelta(days=60)
    allocation.paid = Decimal("1.00")
    allocation.save()
    assert rules.funds_idle(COUNTY, TODAY)[0].measure == 60
    allocation.paid = allocation.net_amount
    allocation.save()
    assert rules.funds_idle(COUNTY, TODAY) == []


def test_project_rules_count_days_past_the_planned_dates(planned):
    not_started = rules.project_not_started(COUNTY, TODAY)
    overdue = rules.project_overdue(COUNTY, TODAY)
    assert [f.measure for f in not_started] == [(TODAY - date(2026, 3, 1)).days]
    assert [f.measure for f in overdue] == [(TODAY - date(2026, 5, 1)).days]
    # On the planned day itself nothing is late yet.
    assert rules.project_overdue(COUNTY, date(2026, 5, 1)) == []
    assert [f.measure for f in rules.project_overdue(COUNTY, date(2026, 5, 2))] == [1]


def test_a_started_project_is_not_reported_as_not_started(planned):
    planned.state = "implementing"
    planned.save()
    assert rules.project_not_started(COUNTY, TODAY) == []
    assert len(rules.project_overdue(COUNTY, TODAY)) == 1


def test_months_are_whole_months():
    assert rules._months(date(2026, 2, 28), date(2026, 1, 31)) == 0
    assert rules._months(date(2026, 3, 1), date(2026, 1, 31)) == 1
    assert rules._months(date(2026, 4, 30), date(2026, 1, 30)) == 3


def test_monitoring_without_measure_counts_days_until_a_measure_is_taken(sima_officer):
    from fupin.registry import services as registry
    from fupin.registry.tests.conftest import make_sima_household

    household = make_sima_household(sima_officer)
    case = registry.open_monitoring(
        sima_officer, household, type="marginal", risks=["illness"], found_on=date(2026, 5, 17)
    )
    found = rules.monitoring_no_measure(COUNTY, TODAY)
    assert [(f.subject_id, f.measure) for f in found] == [(household.pk, 15)]
    assert RULES["monitoring_no_measure"].level_of(
        15, RULES["monitoring_no_measure"].thresholds(COUNTY, 2026)
    )
    registry.add_measure(sima_officer, case, "health", "大病救助", date(2026, 5, 20))
    assert rules.monitoring_no_measure(COUNTY, TODAY) == []


def test_revenue_undistributed_until_a_plan_divides_it(planned, finance):
    from fupin.benefits.models import DistributionPlan, Revenue

    revenue = Revenue.objects.create(
        project=planned,
        region_code=planned.region_code,
        period="2026",
        kind="rent",
        amount=Decimal("9000.00"),
        received_on=TODAY - timedelta(days=30),
        created_by=finance,
    )
    assert [(f.subject_id, f.measure) for f in rules.revenue_undistributed(COUNTY, TODAY)] == [
        (revenue.pk, 30)
    ]
    plan = DistributionPlan.objects.create(
        project=planned,
        revenue=revenue,
        region_code=planned.region_code,
        method="equal",
        total=Decimal("9000.00"),
        collective_share=0,
        welfare_share=0,
        created_by=finance,
    )
    assert rules.revenue_undistributed(COUNTY, TODAY) == []
    plan.state = "cancelled"
    plan.save()
    assert len(rules.revenue_undistributed(COUNTY, TODAY)) == 1


def test_visit_missed_counts_whole_months_since_the_last_visit(sima_officer, make_user):
    from fupin.registry import services as registry
    from fupin.registry.models import Household, Visit
    from fupin.registry.tests.conftest import make_sima_household

    household = make_sima_household(sima_officer)
    Household.objects.filter(pk=household.pk).update(status="not_lifted")
    helper = make_user("helper", "370828107000", roles=["helper"])
    registry.pair_helper(sima_officer, household, helper, date(2026, 3, 1))
    assert [f.measure for f in rules.visit_missed(COUNTY, TODAY)] == [3]  # never visited since 1 March
    Visit.objects.create(household=household, helper=helper, visited_on=date(2026, 5, 2), findings="好")
    assert rules.visit_missed(COUNTY, TODAY) == []  # 30 days: not yet a whole month
    assert [f.measure for f in rules.visit_missed(COUNTY, date(2026, 6, 2))] == [1]


def test_asset_unconfirmed_counts_days_since_the_acceptance(planned):
    from fupin.projects.models import Acceptance

    Acceptance.objects.create(
        project=planned, accepted_on=TODAY - timedelta(days=30), members="验收组", conclusion="合格"
    )
    assert rules.asset_unconfirmed(COUNTY, TODAY) == []  # still in the plan
    planned.state = "accepted"
    planned.save()
    assert [(f.subject_id, f.measure) for f in rules.asset_unconfirmed(COUNTY, TODAY)] == [(planned.pk, 30)]
    planned.state = "handed_over"
    planned.save()
    assert rules.asset_unconfirmed(COUNTY, TODAY) == []


def test_funds_slow_measures_points_behind_the_schedule(allocation, source):
    # The 2018 source of 3,000,000 yuan should be spent in full by 2026; 100,000 allocated, none paid.
    assert [(f.subject_id, f.measure) for f in rules.funds_slow(COUNTY, TODAY)] == [
        (source.pk, Decimal("100.0"))
    ]
    allocation.paid = Decimal("100000.00")
    allocation.save()
    assert rules.funds_slow(COUNTY, TODAY)[0].measure == Decimal("96.7")
    # Half way through its own year, a source half spent is on schedule.
    assert rules.schedule_percent(2026, date(2026, 7, 2)) == Decimal(100 * 182) / 365
    assert rules.schedule_percent(2025, TODAY) == 100
