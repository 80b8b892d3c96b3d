"""The distribution pages: a plan drawn up, reviewed, put on notice and paid through the forms, the
printable notice with masked names, the county list with the overdue plans, a household's dividends."""

import re
from datetime import date

import pytest
from django.test import Client

from fupin.benefits import dividends
from fupin.benefits.enums import PLANS, PlanState
from fupin.benefits.models import DistributionPlan, Payment
from fupin.benefits.tests.conftest import village_reviewer
from fupin.core import money


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def officer(sima_officer):
    return logged_in(sima_officer)


def test_a_plan_through_the_pages(officer, project, revenue, households):
    page = officer.get(f"/benefits/projects/{project.pk}/distributions/")
    assert page.status_code == 200 and households[0].number in page.content.decode()
    chosen = [h.pk for h in households[:5]]
    answer = officer.post(
        f"/benefits/projects/{project.pk}/distributions/",
        {
            "revenue": revenue.pk,
            "method": "equal",
            "collective_share": "0",
            "welfare_share": "",
            "households": chosen,
        },
    )
    plan = DistributionPlan.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/benefits/distributions/{plan.pk}/"
    assert plan.lines.count() == 5 and plan.lines.first().amount == plan.total / 5
    url = f"/benefits/distributions/{plan.pk}/"
    review = {"action": "approve", "reviewed_on": "2025-09-26", "review_note": "村民代表会议通过"}
    assert "职责分离" in officer.post(url, review).content.decode()  # who drew it up may not review it
    logged_in(village_reviewer()).post(url, review)
    officer.post(url, {"action": "disclose", "notice_starts_on": "2025-09-26"})
    plan.refresh_from_db()
    assert plan.state == PlanState.DISCLOSED
    lines = list(plan.lines.values_list("pk", flat=True))
    answer = officer.post(
        url, {"action": "pay", "paid_on": "2025-10-13", "channel": "bank", "lines": lines[:3]}
    )
    assert answer.status_code == 302 and Payment.objects.count() == 3
    officer.post(url, {"action": "pay", "paid_on": "2025-10-13", "channel": "bank", "lines": lines})
    plan.refresh_from_db()
    assert plan.state == PlanState.PAID and Payment.objects.count() == 5
    page = officer.get(url).content.decode()
    assert "已全部发放" in page and "2025-10-13" in page


def test_refusals_show_next_to_the_field(officer, project, revenue, households):
    answer = officer.post(
        f"/benefits/projects/{project.pk}/distributions/",
        {
            "revenue": revenue.pk,
            "method": "equal",
            "collective_share": "99999",
            "households": [households[0].pk],
        },
    )
    assert answer.status_code == 200 and 'data-testid="error-collective_share"' in answer.content.decode()
    assert not DistributionPlan.objects.exists()
    plan = dividends.create_plan(village_reviewer(), project, revenue=revenue, method="equal")
    answer = officer.post(
        f"/benefits/distributions/{plan.pk}/",
        {"action": "approve", "reviewed_on": "2099-01-01", "review_note": "x"},
    )
    assert "未来" in answer.content.decode()
    plan.refresh_from_db()
    assert plan.state == PlanState.DRAFT


def test_the_notice_masks_names(officer, project, revenue, households, sima_officer):
    plan = dividends.create_plan(sima_officer, project, revenue=revenue, method="equal")
    dividends.approve(village_reviewer(), plan, reviewed_on=date(2025, 9, 26), note="通过")
    page = officer.get(f"/benefits/distributions/{plan.pk}/notice/").content.decode()
    head = households[0].head.name
    assert head not in page and head[0] in page and households[0].number in page
    assert "项目收益分配公示" in page


def test_the_list_shows_overdue_plans_and_other_towns_see_nothing(
    officer, project, revenue, households, sima_officer, jishu_officer, django_assert_max_num_queries
):
    plan = dividends.create_plan(sima_officer, project, revenue=revenue, method="equal")
    dividends.approve(village_reviewer(), plan, reviewed_on=date(2025, 9, 26), note="通过")
    with django_assert_max_num_queries(12):
        page = officer.get("/benefits/distributions/?state=overdue").content.decode()
    assert 'data-testid="overdue-alert"' in page and project.name in page
    jishu = logged_in(jishu_officer)
    assert "overdue-alert" not in jishu.get("/benefits/distributions/").content.decode()
    assert jishu.get(f"/benefits/distributions/{plan.pk}/").status_code == 404
    assert jishu.get(f"/benefits/distributions/{plan.pk}/notice/").status_code == 404
    assert jishu.get(f"/benefits/projects/{project.pk}/distributions/").status_code == 404
    assert jishu.get(f"/benefits/households/{households[0].pk}/").status_code == 404


def test_the_household_page_shows_its_dividends(officer, project, revenue, households, sima_officer):
    plan = dividends.create_plan(sima_officer, project, revenue=revenue, method="equal")
    dividends.approve(village_reviewer(), plan, reviewed_on=date(2025, 9, 26), note="通过")
    dividends.disclose(sima_officer, plan, notice_starts_on=date(2025, 9, 26))
    line = plan.lines.get(household=households[0])
    dividends.record_payments(
        sima_officer,
        plan,
        [
            {
                "household_id": households[0].pk,
                "amount": line.amount,
                "paid_on": date(2025, 10, 13),
                "channel": "card",
            }
        ],
    )
    detail = officer.get(f"/households/{households[0].pk}/").content.decode()
    assert f"/benefits/households/{households[0].pk}/" in detail
    fragment = officer.get(f"/benefits/households/{households[0].pk}/").content.decode()
    assert f"已领取分红 {money.grouped(line.amount)} 元" in fragment and "2025-10-13" in fragment


def test_the_project_page_shows_the_amount_paid_to_the_fen(
    officer, project, revenue, households, sima_officer
):
    plan = dividends.create_plan(sima_officer, project, revenue=revenue, method="equal")
    dividends.approve(village_reviewer(), plan, reviewed_on=date(2025, 9, 26), note="通过")
    dividends.disclose(sima_officer, plan, notice_starts_on=date(2025, 9, 26))
    dividends.record_payments(
        sima_officer,
        plan,
        [
            {
                "household_id": line.household_id,
                "amount": line.amount,
                "paid_on": date(2025, 10, 13),
                "channel": "card",
            }
            for line in plan.lines.all()
        ],
    )
    page = officer.get(f"/benefits/projects/{project.pk}/distributions/").content.decode()
    assert 'data-testid="plan-paid">17,830.00<' in page


def plan_forms(client, plan) -> list[str]:
    html = client.get(f"/benefits/distributions/{plan.pk}/").content.decode()
    forms = re.findall(r'data-testid="(approve|disclose|cancel)-form"', html)
    return forms + (["pay"] if 'name="lines"' in html else [])


def test_the_plan_page_shows_exactly_the_steps_the_workflow_allows_each_role(
    officer, sima_officer, inspector, project, revenue, households
):
    plan = dividends.create_plan(
        sima_officer, project, revenue=revenue, method="equal", household_ids=[h.pk for h in households[:3]]
    )
    reader = logged_in(inspector)

    assert plan_forms(officer, plan) == ["approve", "cancel"]
    assert plan_forms(reader, plan) == []  # the inspector reads the plan and writes nothing
    dividends.approve(village_reviewer(), plan, reviewed_on=date(2025, 9, 26), note="通过")
    dividends.disclose(sima_officer, plan, notice_starts_on=date(2025, 9, 26))
    assert plan_forms(officer, plan) == ["cancel", "pay"]
    assert plan_forms(reader, plan) == []
    plan.refresh_from_db()
    for user, client in ((sima_officer, officer), (inspector, reader)):
        assert sorted(plan_forms(client, plan)) == sorted(s.action for s in PLANS.allowed(user, plan))


def test_a_step_the_plans_state_does_not_allow_answers_409(
    api_as, sima_officer, project, revenue, households
):
    plan = dividends.create_plan(
        sima_officer, project, revenue=revenue, method="equal", household_ids=[households[0].pk]
    )
    answer = api_as(sima_officer).post(
        f"/api/v1/distributions/{plan.pk}/disclose", {"notice_starts_on": "2025-09-26"}
    )
    assert answer.status_code == 409 and answer.json()["code"] == "state_conflict"
    assert answer.json()["message"] == "方案当前为“草稿”，现在不能进行这一步。"
    plan.refresh_from_db()
    assert plan.state == PlanState.DRAFT and plan.notice_starts_on is None
