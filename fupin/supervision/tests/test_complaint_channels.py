"""Complaints staff take in by the 12317 hotline, letters and visits: the channel, the caller's phone
(masked), the time received (not in the future, at most 3 working days back), deadlines from receipt;
through the page and the API."""

from datetime import date

import pytest

from fupin.core.enums import Role
from fupin.core.models import AuditEvent
from fupin.core.tests.test_api import assert_error
from fupin.supervision import services
from fupin.supervision.models import Complaint

from .conftest import local

NEW = "/complaints/new/"
API = "/api/v1/complaints/received"
CONTENT = "南徐庄村光伏电站分红今年还没有发到户，村里没有公示"


@pytest.fixture(autouse=True)
def wednesday(time_machine):
    """Wednesday 25 November 2026, 10:00: the Friday before is 3 working days back, Thursday 4."""
    time_machine.move_to(local(2026, 11, 25, 10, 0), tick=False)


@pytest.fixture
def jishu_dispatcher(make_user):
    return make_user("jishu-dispatch", "370828104000", roles=[Role.DISPATCHER])


def form(**changes):
    data = {
        "channel": "12317",
        "received_at": "2026-11-20T16:30",
        "region": "370828107200",
        "name": "张某",
        "phone": "138-1234-5678",
        "content": CONTENT,
    }
    data.update(changes)
    return data


def test_a_hotline_call_recorded_on_the_page_counts_its_deadline_from_receipt(client, county_admin):
    client.force_login(county_admin)

    response = client.post(NEW, form())

    assert response.status_code == 302 and response["Location"] == "/complaints/"
    complaint = Complaint.objects.get()
    assert (complaint.channel, complaint.phone, complaint.name) == ("12317", "13812345678", "张某")
    assert complaint.received_at == local(2026, 11, 20, 16, 30)
    assert complaint.decide_by == date(2026, 12, 11)  # 15 working days after Friday 20 November
    assert complaint.recorded_by == county_admin
    event = AuditEvent.objects.get(action="complaint.receive", target_id=str(complaint.pk))
    assert event.actor == county_admin
    assert event.after == {
        "channel": "12317",
        "code": complaint.code,
        "received_at": "2026-11-20T16:30+08:00",
        "decide_by": "2026-12-11",
    }
    page = client.get("/complaints/").content.decode()
    assert "138****5678" in page and "13812345678" not in page
    assert "12317 热线" in page and "应于 2026-12-11 前受理" in page


def test_the_list_filters_by_channel(client, inspector):
    for channel in ("12317", "letter", "visit"):
        services.record_complaint(
            inspector,
            channel=channel,
            content=f"{CONTENT}（{channel}）",
            region_code="370828107200",
            received_at=local(2026, 11, 24, 9, 0),
            phone="13812345678",
        )
    client.force_login(inspector)

    letters = client.get("/complaints/", {"channel": "letter"}).content.decode()

    assert "（letter）" in letters and "（12317）" not in letters and "（visit）" not in letters
    everything = client.get("/complaints/").content.decode()
    assert all(f"（{c}）" in everything for c in ("letter", "12317", "visit"))
    refused = client.get("/complaints/", {"channel": "fax"}, follow=True).content.decode()
    assert "渠道：请从列表中选择。" in refused and "（visit）" in refused


def test_accepting_a_complaint_opens_a_problem_found_on_the_day_received(inspector):
    complaint = services.record_complaint(
        inspector,
        channel="letter",
        content=CONTENT,
        region_code="370828107200",
        received_at="2026-11-23T08:15",
    )

    problem = services.accept_complaint(
        inspector, complaint, use="projects", category="funds", title="分红未到户"
    )

    assert problem.found_on == date(2026, 11, 23)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"received_at": "2026-11-25T10:05"}, "received_at", "收到时间：不能晚于现在。"),
        ({"received_at": "2026-11-19T17:00"}, "received_at", "收到时间：最多可早于今天 3 个工作日"),
        ({"received_at": "2026-11-31T08:00"}, "received_at", "收到时间：请填写真实存在的时间"),
        ({"received_at": ""}, "received_at", "收到时间：请填写投诉何时收到。"),
        ({"phone": "12345"}, "phone", "联系电话：请填写以 1 开头的 11 位手机号码"),
        ({"phone": ""}, "phone", "联系电话：热线来电须记录来电号码。"),
        ({"channel": ""}, "channel", "渠道：请选择投诉的来源渠道。"),
        ({"channel": "web"}, "channel", "渠道：工作人员登记的投诉来自 12317 热线、来信和来访。"),
        ({"content": "分红没发"}, "content", "投诉内容至少 10 个字。"),
    ],
)
def test_a_bad_complaint_is_refused_next_to_its_field_and_nothing_is_written(
    client, api_as, county_admin, changes, field, message
):
    events = AuditEvent.objects.count()
    client.force_login(county_admin)

    page = client.post(NEW, form(**changes))

    assert page.status_code == 200
    error = page.content.decode().split(f'data-testid="error-{field}">', 1)[1].split("</div>", 1)[0]
    assert error.startswith(message)
    body = assert_error(api_as(county_admin).post(API, form(**changes)), 400, "invalid")
    assert body["fields"][field].startswith(message)
    assert not Complaint.objects.exists()
    assert AuditEvent.objects.filter(action="complaint.receive").count() == 0
    assert AuditEvent.objects.count() >= events


def test_an_area_outside_the_recorders_is_not_found(client, api_as, jishu_dispatcher):
    client.force_login(jishu_dispatcher)

    assert client.post(NEW, form()).status_code == 404
    assert_error(api_as(jishu_dispatcher).post(API, form()), 404, "not_found")
    assert not Complaint.objects.exists()
    # Their own town is fine.
    created = api_as(jishu_dispatcher).post(API, form(region="370828104200", channel="visit"))
    assert created.status_code == 201, created.content


def test_a_role_that_does_not_take_complaints_is_refused(client, api_as, sima_officer):
    client.force_login(sima_officer)

    assert client.get(NEW).status_code == 403
    assert_error(api_as(sima_officer).post(API, form()), 403, "forbidden")
    assert not Complaint.objects.exists()


def test_the_api_records_lists_by_channel_and_masks_the_phone(api_as, inspector, jishu_dispatcher):
    client = api_as(inspector)

    created = client.post(API, form(channel="visit", phone="0537-8712345", received_at="2026-11-25T08:00"))

    assert created.status_code == 201, created.content
    body = created.json()
    assert body["channel"] == "visit" and body["phone"] == "053*****2345"
    assert body["decide_by"] == "2026-12-16" and body["overdue"] is False
    client.post(API, form())
    listed = client.get(API, {"channel": "visit"}).json()
    assert listed["count"] == 1 and listed["items"][0]["code"] == body["code"]
    assert client.get(API).json()["count"] == 2
    assert_error(client.get(API, {"channel": "fax"}), 400, "invalid")
    # The dispatcher of another town sees none of them.
    assert api_as(jishu_dispatcher).get(API).json()["count"] == 0


def test_the_form_offers_no_channel_by_default_and_shows_now(client, dispatcher):
    client.force_login(dispatcher)

    page = client.get(NEW).content.decode()

    assert '<option value="" selected>—</option>' in page
    assert 'value="2026-11-25T10:00"' in page
    assert "来访" in page and "网上投诉" not in page
