"""The benefits demo a newcomer follows: a project from revenue to every household's dividend, and the
summary of what reached the county, with the employment demo's workers, workshops and posts."""

from django.utils import timezone

from fupin.benefits import summary
from fupin.benefits.enums import PlanState
from fupin.benefits.models import DistributionPlan, Payment
from fupin.core import audit


def test_demo_benefits(demo):
    county = summary.summary("370828")["total"]
    assert county["employed"] == 734 and county["workshops"] == 42 and county["posts"] == 252
    assert summary.in_words(county).startswith("发放分红金")
    # Every paid plan adds up to the fen; each situation of a plan is there to be seen.
    states = set(DistributionPlan.objects.values_list("state", flat=True))
    assert {PlanState.PAID, PlanState.DISCLOSED, PlanState.APPROVED, PlanState.DRAFT} <= states
    for plan in DistributionPlan.objects.filter(state=PlanState.PAID):
        assert sum(Payment.objects.filter(plan=plan).values_list("amount", flat=True)) == plan.total
    assert DistributionPlan.objects.overdue(timezone.localdate()).exists()
    assert any(plan.paid_late for plan in DistributionPlan.objects.filter(state=PlanState.PAID))
    assert all(report.problem is None for report in audit.verify())
