"""The demo registry a newcomer explores: towns full of households, a year of visits, every gate step."""

from django.utils import timezone

from fupin.core import audit
from fupin.registry import services
from fupin.registry.enums import Status, Step
from fupin.registry.models import Household, Member, MonitoringCase, Procedure, Visit


def test_demo_registry(demo):
    assert Household.objects.count() > 2500
    assert Household.objects.values("region_code").distinct().count() > 400
    assert set(Household.objects.values_list("status", flat=True)) >= {
        Status.APPLYING,
        Status.NOT_LIFTED,
        Status.LIFTED_WITH_POLICY,
        Status.LIFTED,
        Status.RELAPSED,
    }
    assert Member.objects.count() > 2.5 * Household.objects.count()
    assert not Household.objects.filter(head__isnull=True).exists()
    steps = set(Procedure.objects.filter(finished_at__isnull=True).values_list("gate", "step"))
    assert {
        ("entry", s)
        for s in [Step.APPLIED, Step.VILLAGE_REVIEW, Step.FIRST_NOTICE, Step.TOWN_REVIEW, Step.SECOND_NOTICE]
    } <= steps
    assert {("exit", Step.APPLIED), ("exit", Step.CONSENT)} <= steps
    assert MonitoringCase.objects.count() == 19  # 18 registered households and one never registered
    today = timezone.localdate()
    assert Visit.objects.filter(visited_on__year=today.year).exists()
    assert (
        0 < services.not_visited("370828107", today).count() < Household.objects.within("370828107").count()
    )
    assert all(report.problem is None for report in audit.verify())
