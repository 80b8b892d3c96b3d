"""The statistics page and API, the county administrator's rule settings and the rule owner's review of
false alarms."""

from datetime import timedelta

import pytest

from fupin.core.errors import DomainError, StateConflict
from fupin.core.models import AuditEvent, PolicySetting, Region
from fupin.warnings import reviews, services, thresholds
from fupin.warnings.models import Warning

from .conftest import COUNTY, TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def scanned(allocation, planned):
    services.scan_county(COUNTY, TODAY)
    return Warning.objects.all()


@pytest.fixture
def county():
    return Region.objects.get(code=COUNTY.ljust(12, "0"))


# --- Statistics -----------------------------------------------------------------------------------------
def test_stats_count_closing_time_and_the_monthly_trend(api_as, scanned, county_admin, finance, time_machine):
    time_machine.move_to(TODAY + timedelta(days=3))
    idle = scanned.get(rule="funds_idle")
    for action in ("acknowledge", "verify"):
        services.transition(finance, idle, action)
    services.transition(finance, idle, "close", "已拨付")  # 3 days: on time for orange
    late = scanned.get(rule="project_not_started")
    Warning.objects.filter(pk=late.pk).update(raised_on=TODAY - timedelta(days=20))  # red, 23 days: late
    services.transition(county_admin, late, "dismiss", "计划已调整")
    body = api_as(county_admin).get("/api/v1/warnings/stats").json()
    assert (body["handled"], body["average_days_to_close"], body["closed_on_time_share"]) == (2, 13.0, 50.0)
    june = next(row for row in body["trend"] if row["month"] == "2026-06")
    assert june == {"month": "2026-06", "raised": scanned.count() - 1, "closed": 2}
    assert len(body["trend"]) == 12 and body["trend"][-1]["month"] == "2026-06"


def test_the_stats_page_carries_the_chart_data(client, scanned, county_admin):
    client.force_login(county_admin)
    page = client.get("/warnings/stats/")
    assert page.status_code == 200
    chart = page.context["chart"]
    assert chart["towns"] == ["司马镇", "金乡县"] and sum(chart["town_counts"]) == scanned.count()
    assert "资金闲置" in chart["rules"] and 'id="chart-data"' in page.content.decode()
    assert client.get("/warnings/stats/", {"region": "9"}).status_code == 200  # a bad filter: a message


# --- Rule settings --------------------------------------------------------------------------------------
def test_the_county_admin_sets_thresholds_that_the_scan_then_uses(client, county_admin, allocation, planned):
    client.force_login(county_admin)
    page = client.get("/warnings/settings/", {"year": 2026})
    assert page.status_code == 200 and 'name="funds_idle__red"' in page.content.decode()
    answer = client.post(
        "/warnings/settings/",
        {"year": 2026, "funds_idle__yellow": "30", "funds_idle__orange": "60", "funds_idle__red": "90"},
    )
    assert answer.status_code == 302
    assert AuditEvent.objects.filter(action="policy.set").count() == 3
    services.scan_county(COUNTY, TODAY)  # 92 days unpaid: red by the county's thresholds
    assert Warning.objects.get(rule="funds_idle").level == "red"
    assert PolicySetting.objects.filter(key="warning_funds_idle_red", year=2026).get().value == "90"


def test_thresholds_out_of_order_or_not_numbers_write_nothing(county_admin, county):
    with pytest.raises(DomainError) as disorder:
        thresholds.set_thresholds(
            county_admin, county, 2026, {"funds_idle__yellow": "90", "funds_idle__orange": "60"}
        )
    assert "funds_idle__red" in disorder.value.fields and "资金闲置" in disorder.value.message
    with pytest.raises(DomainError) as wrong:
        thresholds.set_thresholds(
            county_admin, county, 2026, {"visit_missed__red": "三", "funds_idle__yellow": "1"}
        )
    assert set(wrong.value.fields) == {"visit_missed__red"}
    # Lower is worse for income: red lies below orange below yellow.
    with pytest.raises(DomainError):
        thresholds.set_thresholds(county_admin, county, 2026, {"income_below_line__red": "95"})
    assert thresholds.set_thresholds(county_admin, county, 2026, {"income_below_line__red": "70"}) == 1
    assert PolicySetting.objects.filter(key__startswith="warning_").count() == 1


def test_only_the_county_admin_opens_the_settings(client, sima_officer, finance):
    client.force_login(sima_officer)
    assert client.get("/warnings/settings/").status_code == 403
    client.force_login(finance)
    assert client.post("/warnings/settings/webhook/", {"url": "https://x.cn/h"}).status_code == 403


# --- Review of false alarms -----------------------------------------------------------------------------
def test_the_rule_owner_confirms_or_rejects_a_false_alarm(
    client, scanned, county_admin, sima_officer, finance, time_machine
):
    time_machine.move_to(TODAY)
    overdue = scanned.get(rule="project_overdue")
    services.transition(sima_officer, overdue, "dismiss", "已竣工未录入")
    idle = scanned.get(rule="funds_idle")
    services.transition(finance, idle, "dismiss", "已支付")
    client.force_login(county_admin)  # owns the project rules, not the funds ones (finance does)
    page = client.get("/warnings/reviews/")
    assert [w.pk for w in page.context["waiting"]] == [overdue.pk]
    assert client.post(f"/warnings/{overdue.pk}/review/", {"decision": "rejected"}).status_code == 302
    overdue.refresh_from_db()
    assert overdue.review == ""  # no note: refused, nothing written
    client.post(f"/warnings/{overdue.pk}/review/", {"decision": "rejected", "note": "并未竣工，继续处置"})
    overdue.refresh_from_db()
    assert (overdue.review, overdue.reviewed_by, overdue.condition_cleared_on) == (
        "rejected",
        county_admin,
        TODAY,
    )
    assert overdue.events.filter(kind="reviewed", actor=county_admin).exists()
    assert AuditEvent.objects.filter(action="warnings.review", target_id=str(overdue.pk)).exists()
    # Rejected: the next scan raises the warning again, the condition lasting.
    services.scan_county(COUNTY, TODAY)
    assert Warning.objects.filter(
        rule="project_overdue", subject_id=overdue.subject_id, state="pending"
    ).exists()
    # The finance owner confirms theirs; a second review is a conflict.
    reviews.review_dismissal(finance, idle, "confirmed", "核实无误")
    with pytest.raises(StateConflict):
        reviews.review_dismissal(finance, idle, "rejected", "再议")
    with pytest.raises(Exception):  # noqa: B017 (refused: not the owner of a funds rule)
        reviews.review_dismissal(sima_officer, overdue, "confirmed", "x")


def test_a_town_officer_owns_no_rule(client, sima_officer):
    client.force_login(sima_officer)
    assert client.get("/warnings/reviews/").context["waiting_count"] == 0


def test_the_webhook_form_saves_and_queues_a_test(client, county_admin):
    client.force_login(county_admin)
    client.post("/warnings/settings/webhook/", {"url": "https://sms.example.cn/h", "active": "1"})
    client.post(
        "/warnings/settings/webhook/", {"url": "https://sms.example.cn/h", "active": "1", "test": "1"}
    )
    page = client.get("/warnings/settings/")
    assert page.context["hook"].url == "https://sms.example.cn/h"
    assert [d.event for d in page.context["deliveries"]] == ["webhook.test"]
    bad = client.post("/warnings/settings/webhook/", {"url": "nonsense"}, follow=True)
    assert "http" in bad.content.decode() and page.context["hook"].active


def test_the_list_offers_the_new_pages_by_role(client, county_admin, sima_officer):
    client.force_login(county_admin)
    html = client.get("/warnings/").content.decode()
    assert "/warnings/settings/" in html and "/warnings/reviews/" in html and "/warnings/stats/" in html
    client.force_login(sima_officer)
    html = client.get("/warnings/").content.decode()
    assert "/warnings/settings/" not in html and "/warnings/reviews/" not in html
