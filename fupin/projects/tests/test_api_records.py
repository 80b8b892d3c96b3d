"""API of the records around a project's lifecycle: plan, contracts, progress, acceptance, assets and the
performance evaluation. Good and bad paths; each bad one leaves nothing written."""

import pytest

from fupin.core.errors import DomainError
from fupin.core.models import AuditEvent
from fupin.core.tests.test_api import assert_error
from fupin.funds import services as funds
from fupin.funds.models import Evaluation
from fupin.projects import services
from fupin.projects.models import Acceptance, Asset, Procurement, Progress

from .conftest import PLAN, to_implementing, to_library

pytestmark = pytest.mark.django_db

CONTRACT = {
    "method": "公开招标",
    "contract_no": "SM-2018-09",
    "supplier": "金乡建工",
    "amount": "1700000.00",
    "signed_on": "2018-04-01",
}


def test_plan_shows_its_completeness_and_contracts_are_recorded(
    api_as, project, sima_officer, county_admin, jishu_officer, finance, time_machine
):
    to_library(project, sima_officer, county_admin, time_machine)
    services.transition(county_admin, project, "plan")
    sima = api_as(sima_officer)
    url = f"/api/v1/projects/{project.pk}"

    empty = sima.get(f"{url}/plan").json()
    assert empty["complete"] is False and len(empty["missing"]) == 6
    partial = sima.put(f"{url}/plan", {k: v for k, v in PLAN.items() if k != "risks"})
    assert partial.status_code == 200
    assert partial.json()["missing"] == ["风险防控措施"] and partial.json()["construction"] == "牛舍 6 栋"
    done = sima.put(f"{url}/plan", {"risks": "保险"}).json()
    assert done["complete"] is True and done["missing"] == [] and done["budget"] == "178.3 万元"
    assert AuditEvent.objects.filter(action="projects.plan.save").count() == 2

    assert_error(api_as(jishu_officer).put(f"{url}/plan", {"risks": "改"}), 404, "not_found")
    assert_error(api_as(jishu_officer).get(f"{url}/plan"), 404, "not_found")
    assert_error(api_as(finance).put(f"{url}/plan", {"risks": "改"}), 403, "forbidden")
    assert sima.get(f"{url}/plan").json()["risks"] == "保险"

    bad = sima.post(f"{url}/procurements", {**CONTRACT, "amount": "1.234"})
    assert_error(bad, 400, "invalid")
    assert bad.json()["fields"] == {"amount": "金额最多保留两位小数（分）。"}
    assert_error(sima.post(f"{url}/procurements", {**CONTRACT, "supplier": " "}), 400, "invalid")
    assert_error(api_as(jishu_officer).post(f"{url}/procurements", CONTRACT), 404, "not_found")
    assert not Procurement.objects.exists()
    made = sima.post(f"{url}/procurements", CONTRACT)
    assert made.status_code == 201 and made.json()["amount"] == "1700000.00"
    assert [c["contract_no"] for c in sima.get(f"{url}/procurements").json()["items"]] == ["SM-2018-09"]


def test_progress_acceptance_and_assets_through_the_api(
    api_as, project, sima_officer, county_admin, jishu_officer, finance, source, time_machine
):
    to_implementing(project, sima_officer, county_admin, finance, source, time_machine)
    sima, admin = api_as(sima_officer), api_as(county_admin)
    url = f"/api/v1/projects/{project.pk}"

    half = sima.post(f"{url}/progress", {"percent": 50, "problems": "雨季停工", "reported_on": "2018-06-01"})
    assert half.status_code == 201 and half.json()["reported_by"] == "sima"
    back = sima.post(f"{url}/progress", {"percent": 30})
    assert_error(back, 400, "invalid")
    assert back.json()["fields"]["percent"] == "进度不能低于上次报告的 50%。"
    assert_error(sima.post(f"{url}/progress", {"percent": 101}), 400, "invalid")
    assert_error(api_as(jishu_officer).post(f"{url}/progress", {"percent": 60}), 404, "not_found")
    assert Progress.objects.count() == 1
    sima.post(f"{url}/progress", {"percent": 100})
    assert [r["percent"] for r in sima.get(f"{url}/progress").json()["items"]] == [100, 50]

    acceptance = {"accepted_on": "2018-11-20", "members": "县农业农村局、县财政局", "conclusion": "合格"}
    early = admin.post(f"{url}/acceptance", acceptance)
    assert_error(early, 400, "transition_refused")  # not yet reported complete
    sima.post(f"{url}/transitions", {"action": "complete"})
    assert_error(admin.get(f"{url}/acceptance"), 404, "not_found")
    assert_error(sima.post(f"{url}/acceptance", acceptance), 403, "forbidden")  # the county's step
    assert not Acceptance.objects.exists()
    recorded = admin.post(f"{url}/acceptance", acceptance)
    assert recorded.status_code == 201 and recorded.json()["conclusion"] == "合格"
    assert_error(admin.post(f"{url}/acceptance", acceptance), 400, "transition_refused")
    assert sima.get(f"{url}/acceptance").json()["accepted_on"] == "2018-11-20"
    assert_error(api_as(jishu_officer).get(f"{url}/acceptance"), 404, "not_found")

    asset = {
        "name": "标准化牛舍 6 栋",
        "asset_class": "operating",
        "owner": "南徐庄村集体经济合作社",
        "value": "1700000.00",
        "registered_on": "2018-12-01",
    }
    assert_error(sima.post(f"{url}/assets", asset), 400, "transition_refused")  # not accepted yet
    admin.post(f"{url}/transitions", {"action": "accept"})
    assert_error(sima.post(f"{url}/assets", {**asset, "asset_class": "private"}), 400, "invalid")
    assert_error(sima.post(f"{url}/assets", {**asset, "value": "0"}), 400, "invalid")
    assert not Asset.objects.exists()
    made = sima.post(f"{url}/assets", asset)
    assert made.status_code == 201 and made.json()["value"] == "1700000.00"
    assert [a["owner"] for a in sima.get(f"{url}/assets").json()["items"]] == ["南徐庄村集体经济合作社"]
    assert_error(api_as(jishu_officer).get(f"{url}/assets"), 404, "not_found")
    handed = sima.post(f"{url}/transitions", {"action": "hand_over"})
    assert handed.json()["state"] == "handed_over"


def test_performance_evaluations_per_project_and_year(
    api_as, project, sima_officer, county_admin, jishu_officer, finance, source, time_machine
):
    to_library(project, sima_officer, county_admin, time_machine)
    url = f"/api/v1/funds/projects/{project.pk}/evaluations"
    client = api_as(finance)
    # A project in the library, never started nor paid: of its data only the surveyed satisfaction
    # (95% against 90%) counts, 20 of 100 points; the evaluator adds 6.5 with the reason.
    body = {
        "year": 2018,
        "satisfaction": "95",
        "score": "26.5",
        "adjustment_reason": "入户核实",
        "indicators": {"带贫户数": "120 户"},
        "comments": "达标",
    }

    assert_error(api_as(sima_officer).post(url, body), 403, "forbidden")
    assert_error(client.post(url, {**body, "score": "101"}), 400, "invalid")
    assert_error(client.post(url, {**body, "score": "-1"}), 400, "invalid")
    assert_error(client.post(url, {**body, "year": 1999}), 400, "validation_error")
    assert_error(client.post("/api/v1/funds/projects/999999/evaluations", body), 404, "not_found")
    assert not Evaluation.objects.exists()
    made = client.post(url, body)
    assert made.status_code == 201
    made = made.json()
    assert (made["score"], made["computed_score"], made["adjustment"], made["grade"], made["created_by"]) == (
        "26.50",
        "20.00",
        "6.50",
        "poor",
        "finance",
    )
    assert_error(client.post(url, body), 400, "invalid")  # one per year
    with pytest.raises(DomainError) as excellent:
        funds.record_evaluation(finance, project, year=2019, score="92", adjustment_reason="印象很好")
    limit = "项目数据得分为 0.00 分，评价人最多调整 10 分（本次：92.00）。"
    assert excellent.value.fields == {"score": limit}
    funds.record_evaluation(finance, project, year=2019, satisfaction="100")
    listed = api_as(sima_officer).get(url).json()["items"]
    assert [(e["year"], e["score"], e["grade"]) for e in listed] == [
        (2019, "20.00", "poor"),
        (2018, "26.50", "poor"),
    ]
    assert_error(api_as(jishu_officer).get(url), 404, "not_found")
    assert AuditEvent.objects.filter(action="funds.evaluation.record").count() == 2
