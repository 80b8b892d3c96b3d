"""The insights API and pages on the small county: who may read which figures, and the refusals (401 without
a token, 403 for a chart of a kind the role does not read, 404 for another town's region or an unknown
chart, 400 for a malformed region)."""

import pytest
from django.test import Client

from fupin.core import access
from fupin.core.enums import Role
from fupin.insights import charts
from fupin.insights.templatetags.insights import percent, wan_text, yuan_text


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    assert response.json()["code"] == code


def test_without_a_token_the_overview_is_401(api_as, jinxiang):
    assert_error(api_as().get("/api/v1/insights/overview"), 401, "unauthorized")


def test_a_town_officer_reads_the_towns_figures_and_not_another_towns(api_as, sima_officer):
    client = api_as(sima_officer)
    answer = client.get("/api/v1/insights/overview").json()
    assert answer["region"] == "370828107000" and answer["name"] == "司马镇"
    assert answer["households"] == {"registered": 0, "poor": 0, "lifted": 0}
    assert answer["funds"]["allocated"] == "0.00" and answer["funds"]["rate"] is None
    assert "lectures" not in answer or answer["lectures"] is None  # the town reads no lectures
    assert answer["sentences"][0] == "建档立卡贫困户 0 户，已脱贫 0 户，未脱贫 0 户。"
    outside = client.get("/api/v1/insights/overview", {"region": "370828104000"})
    assert_error(outside, 404, "not_found")
    chart = client.get("/api/v1/insights/charts/registry_area", {"region": "370828104"})
    assert_error(chart, 404, "not_found")


def test_a_malformed_region_is_400_naming_the_field(api_as, sima_officer):
    answer = api_as(sima_officer).get("/api/v1/insights/overview", {"region": "37x"})
    assert_error(answer, 400, "invalid")
    assert "region" in answer.json()["fields"]


def test_a_chart_of_a_kind_the_role_does_not_read_is_not_found_like_an_unknown_one(api_as, make_user):
    """A chart is named in the path: the policy hides what the role may not read (404), as for objects."""
    lecturer = make_user("lecturer", roles=[Role.LECTURER])
    client = api_as(lecturer)
    assert_error(client.get("/api/v1/insights/charts/registry_status"), 404, "not_found")
    assert_error(client.get("/api/v1/insights/charts/nothing"), 404, "not_found")
    assert client.get("/api/v1/insights/charts/lectures_month").status_code == 200
    assert client.get("/api/v1/insights/charts").json() == {"items": ["lectures_month"], "count": 1}


def test_a_user_without_roles_reads_no_insights(api_as, make_user):
    nobody = make_user("nobody", roles=[])
    assert_error(api_as(nobody).get("/api/v1/insights/overview"), 403, "forbidden")


def test_finance_reads_the_registry_as_aggregates_without_links_to_rows(api_as, make_user):
    finance = make_user("finance", roles=[Role.FINANCE])
    chart = api_as(finance).get("/api/v1/insights/charts/registry_area").json()
    assert chart["labels"] == [] and chart["links"] == []
    assert charts.link(finance, "/households/", region="370828107000") is None
    assert charts.link(finance, "/funds/") == "/funds/"


def test_every_chart_is_routed_by_its_own_kind():
    """ROUTES gate a chart by the prefix of its name: the prefix must name the chart's kinds."""
    for name, chart in charts.CHARTS.items():
        rule = access.route_rule(f"/insights/charts/{name}")
        assert rule is not None and rule.needs[0].kinds == chart.kinds, name
        assert rule.needs[0].level == access.Read.AGGREGATES


@pytest.mark.parametrize(
    "value, yuan, wan",
    [
        ("52033000", "52,033,000.00 元", "5,203.30 万元"),
        ("0.5", "0.50 元", "0.00 万元"),
        (None, "—", "—"),
    ],
)
def test_money_reads_as_people_write_it(value, yuan, wan):
    assert (yuan_text(value), wan_text(value)) == (yuan, wan)


def test_percent_has_one_decimal():
    assert percent("87.25") == "87.2%"
    assert percent(None) == "—"


def test_pages_answer_inside_the_area_and_404_outside(sima_officer):
    client = Client()
    client.force_login(sima_officer)
    assert client.get("/").status_code == 200
    assert client.get("/insights/").status_code == 200
    assert client.get("/insights/?region=370828104000").status_code == 404
    assert client.get("/insights/screen/").status_code == 200
    data = client.get("/insights/screen/data?figure=poor").json()
    assert data["overview"]["name"] == "司马镇" and data["map"]["key"] == "poor"
    xlsx = client.get("/insights/charts/registry_status.xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxml")
