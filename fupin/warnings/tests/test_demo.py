"""The demo's warnings tell the whole story, and the rules and the scan stay set-based at its scale."""

import pytest

from fupin.core import clock
from fupin.warnings import services
from fupin.warnings.models import Warning
from fupin.warnings.rules import RULES

from .conftest import COUNTY

pytestmark = pytest.mark.django_db


def test_the_demo_raises_several_rules_in_several_towns_and_handles_some(demo):
    warnings = Warning.objects.all()
    assert warnings.values("rule").distinct().count() >= 6
    assert len({code[:9] for code in warnings.values_list("region_code", flat=True)}) >= 3
    assert warnings.filter(state="done").exists() and warnings.filter(state="verifying").exists()
    dismissed = warnings.get(state="dismissed")
    assert dismissed.close_reason and dismissed.events.filter(kind="dismiss").exists()
    assert list(warnings.get(state="done").events.values_list("kind", flat=True)) == [
        "raised",
        "acknowledge",
        "verify",
        "close",
    ]


def test_each_rule_evaluates_the_county_in_a_few_queries(demo, django_assert_max_num_queries):
    for code, rule in RULES.items():
        with django_assert_max_num_queries(3, info=code):
            rule.evaluate(COUNTY, clock.today())


def test_a_scan_of_the_demo_county_is_a_bounded_number_of_queries(demo, django_assert_max_num_queries):
    # 12 rules in 1–3 queries each, 3 thresholds per graded rule (33), the warnings of the county, the
    # escalation check: a number fixed by the catalogue, the same for 3,000 warnings as for 3.
    with django_assert_max_num_queries(55):
        result = services.scan_county(COUNTY, clock.today())
    assert result.writes == 0  # the demo scanned today already


def test_the_inbox_counts_what_waits_in_the_other_modules(demo, api_as):
    from fupin.core.models import User

    for username, expected in [
        ("admin", {"待审批的识别/退出环节", "待审议的分红方案"}),
        ("expert1", {"待评分的项目评审"}),
        ("lectureadmin", {"待审批的点课申请"}),
    ]:
        body = api_as(User.objects.get(username=username)).get("/api/v1/inbox").json()
        counts = {item["label"]: item["count"] for item in body["elsewhere"]}
        assert expected <= set(counts), username
        assert body["total"] == body["count"] + sum(counts.values())


def test_the_demo_leaves_a_false_alarm_for_its_owner_to_review(demo, client):
    from fupin.core.models import User

    client.force_login(User.objects.get(username="admin"))
    assert client.get("/warnings/reviews/").context["waiting_count"] == 1
    per_rule = Warning.objects.values("rule").distinct().count()
    assert per_rule >= 8 and Warning.objects.count() < 800  # a believable number, not thousands
