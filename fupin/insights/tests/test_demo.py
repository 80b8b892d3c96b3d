"""The workbench, the dashboards and the API on the demo county, as each demo role sees them: what waits for
them, the figures of their area only, and at most 15 queries for the workbench of every role."""

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from fupin.core.models import User
from fupin.insights import charts

ROLES = [
    "admin", "sima", "jishu", "cadre", "helper", "finance", "inspector", "lectureadmin", "lecturer",
    "requester", "gridstaff", "dispatcher", "expert1",
]  # fmt: skip


def as_user(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


@pytest.mark.parametrize("username", ROLES)
def test_every_roles_workbench_answers_within_15_queries(demo, username, django_assert_max_num_queries):
    client = as_user(username)
    with django_assert_max_num_queries(15):
        response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "工作台" in html and 'data-testid="home-region"' in html


def test_a_town_officer_sees_the_towns_work_and_charts(demo):
    html = as_user("sima").get("/").content.decode()
    for label in (
        "待办理的识别/退出步骤",
        "本月待走访",
        "待乡镇审核的项目",
        "3个工作日内到期的问题",
        "待处置的预警",
    ):
        assert label in html, label
    assert 'data-chart="registry_status"' in html and 'data-chart="funds_area"' in html
    assert "资金执行" in html and "万元" in html
    assert "鸡黍镇" not in html  # another town's figures stay out


def test_a_helper_sees_their_households_with_a_button_to_record_a_visit(demo):
    from fupin.core import clock
    from fupin.insights import workbench
    from fupin.registry.models import Household

    helper = User.objects.get(username="helper")
    html = as_user("helper").get("/").content.decode()
    assert 'data-testid="my-households"' in html and "记录走访" in html
    listed = workbench.my_households(helper, clock.today())
    paired = set(Household.objects.visible_to(helper).values_list("pk", flat=True))
    assert listed and {household.pk for household in listed} <= paired
    assert [h.visited for h in listed] == sorted(h.visited for h in listed)  # not yet visited first
    for household in listed:
        assert f"/households/{household.pk}/visit/" in html
    assert "待乡镇审核的项目" not in html


def test_an_expert_sees_the_reviews_waiting_for_a_score(demo):
    from fupin.projects.models import Seat

    expert = User.objects.get(username="expert1")
    html = as_user("expert1").get("/").content.decode()
    assert "待评分的项目评审" in html and 'data-testid="my-reviews"' in html
    waiting = Seat.objects.filter(expert__user=expert, submitted_at__isnull=True, withdrawn="")
    for seat in waiting.filter(review__state="scoring"):
        assert f"/reviews/{seat.review_id}/" in html


def test_finance_sees_execution_by_level_and_idle_money(demo):
    html = as_user("finance").get("/").content.decode()
    assert 'data-chart="funds_level"' in html and "闲置资金" in html
    assert "/households/" not in html.split('id="chart-data"')[-1]  # no links to rows it may not read


def test_the_inspector_sees_clearance_and_overdue_by_town(demo):
    html = as_user("inspector").get("/").content.decode()
    assert 'data-chart="supervision_rates"' in html and 'data-chart="supervision_overdue"' in html
    assert "未办结的预警" in html


def test_the_county_dashboard_draws_every_section_and_drills_down_to_a_towns_list(demo):
    html = as_user("admin").get("/insights/").content.decode()
    for name in charts.CHARTS:
        assert f'data-chart="{name}"' in html, name
    chart = charts.CHARTS["registry_area"].data(User.objects.get(username="admin"), "370828", None)
    sima = chart["labels"].index("司马镇")
    assert chart["links"][sima] == "/households/?region=370828107000"
    assert as_user("admin").get(chart["links"][sima]).status_code == 200


def test_a_town_dashboard_shows_the_town_only_and_its_villages(demo):
    client = as_user("sima")
    html = client.get("/insights/").content.decode()
    assert "司马镇" in html and 'data-chart="lectures_month"' not in html
    assert client.get("/insights/?region=370828104000").status_code == 404


def test_a_charts_data_downloads_as_xlsx(demo):
    response = as_user("admin").get("/insights/charts/funds_level.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.worksheets[0].values)
    assert rows[0] == ("分类", "下达（万元）", "已分配（万元）", "已支付（万元）", "执行率（%）")
    assert {row[0] for row in rows[1:]} <= {"中央", "省级", "市级", "县级"} and len(rows) > 1


def test_the_overview_api_speaks_the_seeds_words(demo, api_as):
    answer = api_as(User.objects.get(username="admin")).get("/api/v1/insights/overview").json()
    assert answer["name"] == "金乡县"
    assert answer["households"]["registered"] > 0
    said = " ".join(answer["sentences"])
    assert "建档立卡贫困户" in said and "打造就业扶贫车间" in said and "问题动态清零率" in said
    helper = api_as(User.objects.get(username="helper")).get("/api/v1/insights/overview").json()
    from fupin.registry.models import HelperPair

    paired = HelperPair.objects.filter(helper__username="helper", end__isnull=True).count()
    assert 0 < helper["households"]["registered"] <= paired < answer["households"]["registered"]
    assert helper["funds"] is None


def test_the_big_screen_data_colours_the_towns(demo):
    data = as_user("admin").get("/insights/screen/data?figure=execution").json()
    assert data["map"]["key"] == "execution" and data["map"]["unit"] == "%"
    assert "370828107000" in data["map"]["codes"]
    assert set(data["charts"]) == {"registry_status", "supervision_rates", "funds_level"}
    html = as_user("admin").get("/insights/screen/").content.decode()
    assert html.count('class="tile"') == 13
