"""The benefits summary: dividends, agreements, jobs in workshops and posts, wages and households reached,
per county and town, by year, in the seed's words; its API and page; a household's own benefits."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from fupin.benefits import dividends, summary
from fupin.benefits.tests.conftest import village_reviewer
from fupin.core.tests.test_api import assert_error
from fupin.employment import jobs, services

SIMA = "370828107"


@pytest.fixture
def reached(households, project, revenue, sima_officer, workshop, post, clock, time_machine):
    """A paid plan over the seven households, an agreement and a workshop job in the first household,
    a post job in the second."""
    time_machine.move_to(date(2025, 10, 20), tick=False)  # the plan is paid in 2025, the jobs are of 2019
    plan = dividends.create_plan(
        sima_officer, project, revenue=revenue, method="equal", collective_share="830"
    )
    dividends.approve(village_reviewer(), plan, reviewed_on=date(2025, 9, 26), note="通过")
    dividends.disclose(sima_officer, plan, notice_starts_on=date(2025, 9, 26))
    entries = [
        {"household_id": line.household_id, "recipient": line.recipient, "amount": line.amount}
        | {"paid_on": date(2025, 10, 13), "channel": "card"}
        for line in plan.lines.all()
    ]
    dividends.record_payments(sima_officer, plan, entries)
    time_machine.move_to(clock, tick=False)
    first, second = households[0], households[1]
    services.sign_agreement(
        sima_officer,
        project,
        member=first.head,
        position="饲养员",
        starts_on=date(2019, 1, 1),
        ends_on=date(2019, 12, 31),
        monthly_wage="2000",
    )
    placement = jobs.place(
        sima_officer, member=first.head, workshop=workshop, started_on=date(2019, 3, 1), monthly_wage="1500"
    )
    jobs.record_work(sima_officer, placement, year=2019, months=4, wages="6000")
    jobs.place(sima_officer, member=second.head, post=post, started_on=date(2019, 2, 1), monthly_wage="500")
    return plan


def test_the_county_figures_count_each_household_once(reached, households):
    result = summary.summary("370828")
    total = result["total"]
    assert total["dividends"] == Decimal("17830.00")  # the collective's 830 included
    assert total["dividend_households"] == 7 and total["households"] == 7
    assert (total["agreements"], total["agreement_people"], total["employed"]) == (1, 1, 2)
    assert (total["workshops"], total["posts"], total["wages"]) == (1, 1, Decimal("6000.00"))
    # Everything lies in 司马镇: one town row that carries the whole total.
    assert list(result["rows"]) == [SIMA] and result["rows"][SIMA] == total
    words = summary.in_words(total)
    assert "发放分红金 1.78 万元" in words and "签订贫困户用工协议 1 份" in words
    assert "打造就业扶贫车间 1 处，设立扶贫岗 1 个，带动 2 人增收" in words and "使 7 户贫困家庭" in words


def test_a_year_narrows_every_figure(reached):
    assert summary.summary("370828", 2025)["total"]["dividends"] == Decimal("17830.00")
    in_2019 = summary.summary("370828", 2019)["total"]
    assert in_2019["dividends"] == 0 and in_2019["agreements"] == 1 and in_2019["employed"] == 2
    assert in_2019["households"] == 2 and in_2019["wages"] == Decimal("6000.00")
    assert summary.summary("370828", 2017)["total"]["households"] == 0


def test_a_town_splits_into_villages(reached):
    result = summary.summary(SIMA)
    assert all(len(code) == 12 for code in result["rows"])
    assert sum(row["households"] for row in result["rows"].values()) == 7


def test_the_api_answers_inside_the_scope(api_as, reached, sima_officer, jishu_officer, inspector):
    body = api_as(inspector).get("/api/v1/benefits/summary?year=2025").json()
    assert body["total"]["dividends"] == "17830.00" and body["region"] == "370828"
    assert body["rows"][0]["name"] == "司马镇" and body["in_words"].startswith("发放分红金")
    own = api_as(sima_officer).get("/api/v1/benefits/summary").json()
    assert own["region"] == SIMA and own["total"]["households"] == 7
    jishu = api_as(jishu_officer).get("/api/v1/benefits/summary").json()
    assert jishu["total"]["households"] == 0
    assert_error(api_as(jishu_officer).get(f"/api/v1/benefits/summary?region={SIMA}"), 404, "not_found")
    assert_error(api_as(inspector).get("/api/v1/benefits/summary?region=37x"), 400, "invalid")
    assert_error(api_as(inspector).get("/api/v1/benefits/summary?year=1900"), 400, "invalid")
    assert_error(api_as().get("/api/v1/benefits/summary"), 401, "unauthorized")


def test_the_page_and_the_household(reached, households, inspector, django_assert_max_num_queries):
    client = Client()
    client.force_login(inspector)
    with django_assert_max_num_queries(20):
        page = client.get("/benefits/summary/").content.decode()
    assert "发放分红金 1.78 万元" in page and "司马镇" in page
    town = client.get(f"/benefits/summary/?region={SIMA}&year=2019").content.decode()
    assert "南徐庄村" in town
    assert client.get("/benefits/summary/?region=370828999").status_code == 404
    fragment = client.get(f"/benefits/households/{households[0].pk}/").content.decode()
    assert "饲养员" in fragment and "南徐庄扶贫车间" in fragment and "6,000.00" in fragment
