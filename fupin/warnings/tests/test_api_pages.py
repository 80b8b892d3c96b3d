"""The API's shapes, the list page with its filters and export, the inbox and its count."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from fupin.core.enums import Role
from fupin.warnings import services
from fupin.warnings.models import Warning

from .conftest import COUNTY, TODAY

pytestmark = pytest.mark.django_db
ITEM_KEYS = {
    "id", "rule", "rule_name", "level", "state", "subject_type", "subject_id", "subject_repr", "region_code",
    "raised_on", "updated_on", "message", "escalated_on",
}  # fmt: skip


@pytest.fixture
def scanned(allocation, planned):
    services.scan_county(COUNTY, TODAY)
    return Warning.objects.all()


def test_the_list_answers_items_and_count_with_filters(api_as, scanned, county_admin, jishu_officer):
    body = api_as(county_admin).get("/api/v1/warnings").json()
    assert body["count"] == scanned.count() and set(body["items"][0]) == ITEM_KEYS
    idle = api_as(county_admin).get("/api/v1/warnings", {"rule": "funds_idle", "level": "orange"}).json()
    assert idle["count"] == 1 and idle["items"][0]["rule_name"] == "资金闲置"
    assert api_as(county_admin).get("/api/v1/warnings", {"state": "done"}).json()["count"] == 0
    assert api_as(jishu_officer).get("/api/v1/warnings").json()["count"] == 0
    bad = api_as(county_admin).get("/api/v1/warnings", {"level": "purple"})
    assert bad.status_code == 400 and "level" in bad.json()["fields"]
    assert api_as(jishu_officer).get("/api/v1/warnings", {"region": "370828107"}).status_code == 404


def test_one_warning_comes_with_its_history(api_as, scanned, county_admin):
    warning = scanned.get(rule="funds_idle")
    body = api_as(county_admin).get(f"/api/v1/warnings/{warning.pk}").json()
    assert [e["kind"] for e in body["history"]] == ["raised"] and body["history"][0]["actor"] == "system"
    assert body["actions"] == ["acknowledge", "dismiss"]


def test_rules_and_stats(api_as, scanned, county_admin, make_user):
    rules = api_as(county_admin).get("/api/v1/warnings/rules").json()["items"]
    idle = next(r for r in rules if r["code"] == "funds_idle")
    assert idle["thresholds"] == {"yellow": 60, "orange": 90, "red": 180} and idle["module"] == "funds"
    stats = api_as(county_admin).get("/api/v1/warnings/stats").json()
    assert stats["open"] == scanned.count() and stats["by_level"]["orange"] >= 1
    # The county's own fund source counts under the county's code.
    assert stats["by_town"] == {"370828107000": scanned.count() - 1, "370828000000": 1}
    helper = make_user("helper", "370828107000", roles=[Role.HELPER])
    assert api_as(helper).get("/api/v1/warnings").status_code == 403


def test_the_list_page_filters_and_exports(client, scanned, county_admin, django_assert_max_num_queries):
    client.force_login(county_admin)
    with django_assert_max_num_queries(12):
        page = client.get("/warnings/", {"rule": "funds_idle"})
    assert page.status_code == 200 and "资金闲置" in page.content.decode()
    assert page.context["page"].paginator.count == 1
    bad = client.get("/warnings/", {"level": "purple"})
    assert bad.status_code == 200 and bad.context["page"].paginator.count == scanned.count()
    export = client.get("/warnings/export.xlsx", {"rule": "funds_idle"})
    sheet = load_workbook(BytesIO(b"".join(export.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == "资金闲置"


def test_the_list_page_queries_do_not_grow_with_the_warnings(
    client, scanned, county_admin, django_assert_max_num_queries
):
    client.force_login(county_admin)
    with django_assert_max_num_queries(12):
        client.get("/warnings/")
    for i in range(20):
        Warning.objects.create(
            rule="visit_missed", level="yellow", subject_type="registry.household", subject_id=10_000 + i,
            subject_repr=f"户{i}", region_code="370828107200", message="m", raised_on=TODAY, updated_on=TODAY,
        )  # fmt: skip
    with django_assert_max_num_queries(12):
        client.get("/warnings/")


def test_the_inbox_lists_what_to_handle_and_the_header_counts_it(client, scanned, sima_officer, finance):
    client.force_login(sima_officer)
    page = client.get("/inbox/")
    projects = scanned.filter(rule__startswith="project").count()
    assert page.context["page"].paginator.count == projects  # the town handles project warnings
    assert f'data-testid="inbox-count">{projects}<' in page.content.decode()
    client.force_login(finance)
    inbox = client.get("/inbox/").context["page"].paginator
    assert inbox.count == scanned.filter(rule__startswith="funds").count() == 2


def test_the_subject_is_linked_when_the_user_may_open_it(client, scanned, county_admin):
    client.force_login(county_admin)
    warning = scanned.get(rule="project_overdue")
    page = client.get(f"/warnings/{warning.pk}/")
    assert f'href="/projects/{warning.subject_id}/"' in page.content.decode()


def test_the_inbox_api_lists_the_most_urgent_first(api_as, scanned, sima_officer):
    body = api_as(sima_officer).get("/api/v1/inbox").json()
    assert body["count"] == scanned.filter(rule__startswith="project").count() == len(body["items"])
    assert body["items"][0]["level"] == "red"  # not started for 92 days, before the orange overdue one
    assert body["elsewhere"][0]["count"] == 0


def test_the_scan_task_scans_every_county(allocation, planned, time_machine):
    from fupin.warnings.tasks import daily_scan as scan_all

    time_machine.move_to(TODAY)
    assert scan_all.call() == Warning.objects.count() >= 3
    assert scan_all.call() == 0
