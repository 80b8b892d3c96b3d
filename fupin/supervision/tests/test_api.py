"""Supervision API: the ledger list, transitions with evidence, statistics, campaigns and checks,
complaints."""

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import MULTIPART_CONTENT
from django.utils import timezone

from fupin.core.models import Region
from fupin.core.tests.test_api import assert_error
from fupin.supervision import services
from fupin.supervision.models import Complaint

from .conftest import PNG


def test_problem_list_detail_and_scope(api_as, inspector, sima_officer, jishu_officer, problem):
    items = api_as(inspector).get("/api/v1/problems", {"overdue": "false"}).json()
    assert items["count"] == 1 and items["items"][0]["number"] == problem.number
    assert api_as(sima_officer).get("/api/v1/problems").json()["count"] == 1
    assert api_as(jishu_officer).get("/api/v1/problems").json()["count"] == 0
    detail = api_as(inspector).get(f"/api/v1/problems/{problem.pk}").json()
    assert detail["events"][0]["action"] == "register" and detail["state"] == "registered"
    assert_error(api_as(jishu_officer).get(f"/api/v1/problems/{problem.pk}"), 404, "not_found")


def test_create_problem_and_bad_input(api_as, inspector, jishu_officer):
    client = api_as(inspector)
    body = {"use": "projects", "category": "funds", "title": "资金拨付凭证缺失", "region": "370828107200"}
    created = client.post("/api/v1/problems", body)
    assert created.status_code == 201 and created.json()["category"] == "funds"
    assert_error(client.post("/api/v1/problems", {**body, "category": "fun"}), 400, "invalid")
    assert_error(api_as(jishu_officer).post("/api/v1/problems", body), 400, "invalid")


def test_transitions_and_evidence_upload(api_as, inspector, sima_officer, problem):
    url = f"/api/v1/problems/{problem.pk}"
    client = api_as(inspector)
    deadline = (timezone.localdate().replace(day=1) + timezone.timedelta(days=70)).isoformat()
    assigned = client.post(
        f"{url}/transitions",
        {
            "action": "assign",
            "unit": "司马镇人民政府",
            "person": "sima",
            "deadline": deadline,
            "beyond_campaign_end": True,
        },
    )
    assert assigned.status_code == 200 and assigned.json()["responsible"] == "sima"
    assert_error(client.post(f"{url}/transitions", {"action": "start"}), 403, "forbidden")
    unit = api_as(sima_officer)
    assert unit.post(f"{url}/transitions", {"action": "start"}).json()["state"] == "rectifying"
    bad = unit.post(
        f"{url}/attachments",
        {"action": "submit", "comment": "已整改", "files": SimpleUploadedFile("x.exe", b"MZ....")},
        content_type=MULTIPART_CONTENT,
    )
    assert "不是 JPEG、PNG、WebP、PDF 文件" in assert_error(bad, 400, "invalid")["fields"]["attachments"]
    good = unit.post(
        f"{url}/attachments",
        {"action": "submit", "comment": "已整改", "files": SimpleUploadedFile("after.png", PNG)},
        content_type=MULTIPART_CONTENT,
    )
    assert good.json()["state"] == "pending_verification"
    attachment = good.json()["events"][-1]["attachments"][0]
    assert attachment["content_type"] == "image/png" and attachment["name"] == "after.png"
    assert attachment["url"] == f"/attachments/{attachment['id']}/"
    closed = client.post(f"{url}/transitions", {"action": "verify"}).json()
    assert closed["state"] == "closed" and closed["closed_on_time"] is True
    assert_error(client.post(f"{url}/transitions", {"action": "fly"}), 400, "invalid")
    assert_error(
        client.post(f"{url}/transitions", {"action": "assign", "unit": "x", "person": "nobody"}),
        400,
        "invalid",
    )


def test_stats_endpoint(api_as, inspector, problem):
    rows = api_as(inspector).get("/api/v1/problems/stats", {"group": "category"}).json()
    assert rows["count"] == 1
    assert rows["items"] == [
        {
            "key": "quality",
            "found": 1,
            "closed": 0,
            "closed_on_time": 0,
            "open_overdue": 0,
            "reworks": 0,
            "clearance_rate": 0.0,
            "on_time_rate": None,
            "average_days_to_close": None,
        }
    ]
    assert_error(api_as(inspector).get("/api/v1/problems/stats", {"group": "colour"}), 400, "invalid")


def test_campaign_api_and_check(api_as, inspector, dispatcher):
    grid = services.create_grid(dispatcher, name="金山路网格", region=Region.objects.get(code="370828107000"))
    today = timezone.localdate()
    client = api_as(inspector)
    created = client.post(
        "/api/v1/campaigns",
        {
            "name": "创城攻坚",
            "use": "urban",
            "region": "370828107000",
            "start": today.isoformat(),
            "end": (today + timezone.timedelta(days=30)).isoformat(),
            "items": [{"aspect": "road", "text": "无占道"}],
        },
    )
    assert created.status_code == 201
    campaign = created.json()
    assert (campaign["checked"], campaign["in_scope"]) == (0, 1)
    item = campaign["items"][0]["id"]
    check = client.post(
        f"/api/v1/campaigns/{campaign['id']}/checks",
        {"subject_id": str(grid.pk), "results": [{"item": item, "passed": False, "note": "水果摊占道"}]},
    )
    assert check.status_code == 201 and len(check.json()["problems"]) == 1
    assert_error(
        client.post(f"/api/v1/campaigns/{campaign['id']}/checks", {"subject_id": "999", "results": []}),
        404,
        "not_found",
    )
    assert_error(
        client.post(
            "/api/v1/campaigns",
            {"name": "x", "region": "370828107000", "start": "2025-05-02", "end": "2025-05-01", "items": []},
        ),
        400,
        "invalid",
    )


def test_public_complaint_and_lookup(api_as, inspector, jinxiang):
    from django.core.cache import cache

    cache.clear()
    anonymous = api_as()
    filed = anonymous.post(
        "/api/v1/complaints", {"content": "村里光伏分红迟迟没有发放到户", "region": "370828107200"}
    )
    assert filed.status_code == 201
    code = filed.json()["code"]
    status = anonymous.get(f"/api/v1/complaints/status/{code.lower()}").json()
    assert status["state"] == "received" and status["problem_state"] is None
    assert_error(anonymous.get("/api/v1/complaints/status/NOPE0000"), 404, "not_found")
    assert_error(
        anonymous.post("/api/v1/complaints", {"content": "短", "region": "370828107200"}), 400, "invalid"
    )
    complaint_id = Complaint.objects.get(code=code).pk
    accepted = api_as(inspector).post(
        f"/api/v1/complaints/{complaint_id}/decision",
        {"decision": "accept", "use": "projects", "category": "benefits"},
    )
    assert accepted.json()["state"] == "accepted" and accepted.json()["problem_state"] == "registered"
    assert_error(
        api_as(inspector).post(f"/api/v1/complaints/{complaint_id}/decision", {"decision": "x"}),
        400,
        "invalid",
    )


def test_list_query_count_does_not_grow(api_as, inspector, campaign, django_assert_max_num_queries):
    client = api_as(inspector)
    for i in range(2):
        services.open_problem(
            inspector,
            use="projects",
            category="quality",
            title=f"问题{i}",
            region_code="370828107200",
            found_on=date(2025, 5, 6),
            campaign=campaign,
        )
    client.get("/api/v1/problems")
    with django_assert_max_num_queries(4) as few:
        client.get("/api/v1/problems")
    for i in range(20):
        services.open_problem(
            inspector,
            use="projects",
            category="quality",
            title=f"更多{i}",
            region_code="370828107200",
            found_on=date(2025, 5, 6),
            campaign=campaign,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get("/api/v1/problems").json()["items"]) == 22


def test_a_step_the_problems_state_does_not_allow_is_a_409_conflict(api_as, inspector, problem):
    body = assert_error(
        api_as(inspector).post(f"/api/v1/problems/{problem.pk}/transitions", {"action": "verify"}),
        409,
        "state_conflict",
    )
    assert body["message"] == "问题处于“已登记”状态，不能“核查销号”。"
    offered = api_as(inspector).get(f"/api/v1/problems/{problem.pk}").json()["actions"]
    assert offered == ["assign", "reject", "duplicate", "comment"]  # what the table allows, nothing else
    problem.refresh_from_db()
    assert problem.state == "registered" and not problem.events.filter(action="verify").exists()
