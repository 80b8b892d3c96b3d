"""The distribution API: a plan from revenue to every household's dividend, and its refusals."""

from decimal import Decimal

import pytest

from fupin.benefits.models import DistributionPlan, Payment
from fupin.benefits.tests.conftest import village_reviewer
from fupin.core.tests.test_api import assert_error


@pytest.fixture
def client(api_as, sima_officer):
    return api_as(sima_officer)


def create(client, project, revenue, **extra):
    body = {"revenue_id": revenue.pk, "method": "equal", **extra}
    return client.post(f"/api/v1/projects/{project.pk}/distributions", body)


def test_a_plan_from_revenue_to_every_households_dividend(
    client, api_as, inspector, project, revenue, households
):
    response = create(client, project, revenue, collective_share="830.00")
    assert response.status_code == 201, response.content
    plan = response.json()
    assert plan["state"] == "draft" and plan["total"] == "17830.00"
    assert len(plan["lines"]) == 8 and sum(Decimal(line["amount"]) for line in plan["lines"]) == Decimal(
        "17830"
    )
    url = f"/api/v1/distributions/{plan['id']}"
    review = {"reviewed_on": "2025-09-26", "review_note": "村民代表会议通过"}
    # Who drew up the plan may not record its village review (职责分离).
    error = assert_error(client.post(f"{url}/approve", review), 400, "separation_of_duties")
    assert "职责分离" in error["message"] and "制定人" in error["message"]
    answer = api_as(village_reviewer()).post(f"{url}/approve", review)
    assert answer.status_code == 200 and answer.json()["payment_deadline"] == "2025-10-16"
    answer = client.post(f"{url}/disclose", {"notice_starts_on": "2025-09-26"})
    assert answer.json()["state"] == "disclosed" and answer.json()["notice_ends_on"] == "2025-10-10"
    payments = [
        {"household_id": line["household_id"], "recipient": line["recipient"], "amount": line["amount"]}
        | {"paid_on": "2025-10-13", "channel": "card", "voucher": "V1"}
        for line in plan["lines"]
    ]
    answer = client.post(f"{url}/payments", {"payments": payments})
    assert answer.status_code == 201, answer.content
    assert len(answer.json()) == 8 and answer.json()[0]["payee_name"]
    detail = api_as(inspector).get(url).json()
    assert detail["state"] == "paid" and not detail["paid_late"] and not detail["overdue"]
    assert all(line["paid"] and line["paid_on"] == "2025-10-13" for line in detail["lines"])
    listed = client.get(f"/api/v1/projects/{project.pk}/distributions").json()["items"]
    assert [p["id"] for p in listed] == [plan["id"]]
    first = households[0]
    dividends = client.get(f"/api/v1/households/{first.pk}/dividends").json()["items"]
    assert (
        len(dividends) == 1 and dividends[0]["period"] == "2025" and dividends[0]["paid_on"] == "2025-10-13"
    )
    assert dividends[0]["amount"] == next(
        line["amount"] for line in plan["lines"] if line["household_id"] == first.pk
    )


def test_bad_plans_and_payments_answer_400(client, api_as, project, revenue, households):
    error = assert_error(
        create(client, project, revenue, collective_share="20000"), 400, "shares_do_not_add_up"
    )
    assert "collective_share" in error["fields"]
    assert_error(create(client, project, revenue, method="lottery"), 400, "invalid")
    assert_error(create(client, project, revenue, revenue_id=999999), 400, "invalid")
    assert not DistributionPlan.objects.exists()
    plan = create(client, project, revenue).json()
    assert_error(create(client, project, revenue), 400, "plan_exists")
    url = f"/api/v1/distributions/{plan['id']}"
    line = plan["lines"][0]
    pay = {"household_id": line["household_id"], "amount": line["amount"], "paid_on": "2025-10-13"}
    pay["channel"] = "cash"
    # Not yet approved and on notice: refused.
    assert_error(client.post(f"{url}/payments", {"payments": [pay]}), 409, "state_conflict")
    api_as(village_reviewer()).post(f"{url}/approve", {"reviewed_on": "2025-09-26", "review_note": "通过"})
    client.post(f"{url}/disclose", {"notice_starts_on": "2025-09-26"})
    more = {**pay, "amount": str(Decimal(line["amount"]) + Decimal("0.01"))}
    error = assert_error(client.post(f"{url}/payments", {"payments": [more]}), 400, "exceeds_share")
    assert "超过应分金额" in error["fields"]["amount"]
    assert client.post(f"{url}/payments", {"payments": [pay]}).status_code == 201
    assert_error(client.post(f"{url}/payments", {"payments": [pay]}), 400, "already_paid")
    outside = {**pay, "household_id": 999999}
    assert_error(client.post(f"{url}/payments", {"payments": [outside]}), 400, "not_in_plan")
    assert Payment.objects.count() == 1


def test_readers_cannot_write_and_other_towns_see_nothing(
    api_as, inspector, jishu_officer, project, revenue, households
):
    assert_error(create(api_as(inspector), project, revenue), 403, "forbidden")
    plan = create(api_as(project.created_by), project, revenue)
    assert plan.status_code == 201
    plan_id = plan.json()["id"]
    jishu = api_as(jishu_officer)
    assert_error(jishu.get(f"/api/v1/distributions/{plan_id}"), 404, "not_found")
    assert_error(jishu.get(f"/api/v1/projects/{project.pk}/distributions"), 404, "not_found")
    assert_error(jishu.post(f"/api/v1/distributions/{plan_id}/cancel", {"reason": "x"}), 404, "not_found")
    assert_error(
        api_as(inspector).post(f"/api/v1/distributions/{plan_id}/cancel", {"reason": "x"}), 403, "forbidden"
    )
    assert_error(jishu.get(f"/api/v1/households/{households[0].pk}/dividends"), 404, "not_found")
