"""The funds pages: answered for the roles of the funds menu, writing forms for finance and the county
only, a town's allocations hidden from another town (404 on the page of one), and list pages that cost
the same number of queries for one row as for many."""

import inspect
from datetime import date

import pytest
from django.test import Client

from fupin.funds import services
from fupin.projects.tests.conftest import make_project, to_implementing, to_library

SIMA_PROJECT = "华源牧业扶贫产业项目"
JISHU_PROJECT = "鸡黍镇光伏扶贫电站"


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def clock(request):
    """What the project helpers move the day with: `time_machine` where they take it, else `monkeypatch`."""
    takes_time_machine = "time_machine" in inspect.signature(to_library).parameters
    return request.getfixturevalue("time_machine" if takes_time_machine else "monkeypatch")


@pytest.fixture
def running(project, sima_officer, county_admin, finance, source, clock):
    """The 司马镇 project, implementing, with 1,000,000.00 yuan allocated from the central source."""
    return to_implementing(project, sima_officer, county_admin, finance, source, clock)


@pytest.fixture
def allocation(running):
    return running.allocations.get()


@pytest.fixture
def jishu_allocation(jishu_officer, county_admin, finance, source, pool, clock):
    other = make_project(
        jishu_officer, name=JISHU_PROJECT, region_code="370828104200", responsible_unit="鸡黍镇"
    )
    to_library(other, jishu_officer, county_admin, clock)
    return services.allocate(finance, source=source, project=other, amount="200000.00")


def pay(finance, allocation, voucher, amount="1000.00"):
    return services.disburse(
        finance,
        allocation=allocation,
        amount=amount,
        paid_on=date(2018, 6, 1),
        payee="金乡建工",
        voucher_no=voucher,
    )


@pytest.mark.parametrize(
    "who, writes", [("finance", True), ("county_admin", True), ("inspector", False), ("sima_officer", False)]
)
def test_the_overview_answers_the_roles_of_the_funds_menu(request, allocation, who, writes):
    response = logged_in(request.getfixturevalue(who)).get("/funds/")
    assert response.status_code == 200
    page = response.content.decode()
    assert SIMA_PROJECT in page and "执行率" in page
    assert ('action="/funds/sources/new/"' in page) is writes
    assert ('action="/funds/allocations/new/"' in page) is writes


@pytest.mark.parametrize("who, writes", [("finance", True), ("sima_officer", False)])
def test_the_allocation_page_shows_the_payments_and_a_form_for_finance_only(
    request, allocation, finance, who, writes
):
    pay(finance, allocation, "记-7")
    page = (
        logged_in(request.getfixturevalue(who)).get(f"/funds/allocations/{allocation.pk}/").content.decode()
    )
    assert "记-7" in page and "999,000.00" in page  # the payment and the balance after it
    assert ('data-testid="payment-form"' in page) is writes


def test_a_town_officer_sees_only_the_allocations_of_the_town(
    allocation, jishu_allocation, sima_officer, jishu_officer
):
    sima_page = logged_in(sima_officer).get("/funds/").content.decode()
    assert SIMA_PROJECT in sima_page and JISHU_PROJECT not in sima_page
    jishu = logged_in(jishu_officer)
    jishu_page = jishu.get("/funds/").content.decode()
    assert JISHU_PROJECT in jishu_page and SIMA_PROJECT not in jishu_page
    assert jishu.get(f"/funds/allocations/{allocation.pk}/").status_code == 404
    assert jishu.get(f"/funds/allocations/{jishu_allocation.pk}/").status_code == 200


def test_paying_outside_the_area_is_404_and_pays_nothing(allocation, jishu_officer):
    response = logged_in(jishu_officer).post(
        f"/funds/allocations/{allocation.pk}/",
        {"amount": "10", "paid_on": "2018-06-01", "payee": "金乡建工", "voucher_no": "记-9"},
    )
    assert response.status_code == 404
    allocation.refresh_from_db()
    assert not allocation.disbursements.exists() and allocation.paid == 0


@pytest.mark.parametrize("url", ["/funds/", "/funds/allocations/1/"])
def test_the_pages_need_a_login(url, jinxiang):
    response = Client().get(url)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def more_rows(finance, allocation, jishu_allocation, count=12):
    """Sources, allocations to both towns and payments: rows in every list of the overview."""
    for n in range(count):
        source = services.create_source(
            finance,
            level=["central", "province", "city", "county"][n % 4],
            year=2018,
            document_no=f"金财农〔2018〕{n + 20}号",
            title=f"第{n}批资金",
            amount="50000.00",
            received_on=date(2018, 3, 2),
        )
        project = allocation.project if n % 2 else jishu_allocation.project
        services.allocate(finance, source=source, project=project, amount="20000.00")
        pay(finance, allocation, f"记-{n + 100}")


def test_the_overview_costs_the_same_queries_for_1_and_many_rows(
    finance, allocation, jishu_allocation, django_assert_max_num_queries
):
    client = logged_in(finance)
    with django_assert_max_num_queries(16) as one:
        assert SIMA_PROJECT in client.get("/funds/").content.decode()
    more_rows(finance, allocation, jishu_allocation)
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get("/funds/").content.decode()
    assert "金财农〔2018〕31号" in page and JISHU_PROJECT in page


def test_the_allocation_page_costs_the_same_queries_for_1_and_many_payments(
    finance, allocation, django_assert_max_num_queries
):
    client = logged_in(finance)
    pay(finance, allocation, "记-1")
    with django_assert_max_num_queries(8) as one:
        assert "记-1" in client.get(f"/funds/allocations/{allocation.pk}/").content.decode()
    for n in range(2, 16):
        pay(finance, allocation, f"记-{n}")
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(f"/funds/allocations/{allocation.pk}/").content.decode()
    assert "记-15" in page


def test_the_public_results_cost_the_same_queries_for_1_and_many_rows(
    finance, allocation, jishu_allocation, django_assert_max_num_queries
):
    anonymous = Client()
    with django_assert_max_num_queries(3) as one:
        assert SIMA_PROJECT in anonymous.get("/public/funds/").content.decode()
    more_rows(finance, allocation, jishu_allocation)
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = anonymous.get("/public/funds/").content.decode()
    assert page.count(SIMA_PROJECT) == 7 and page.count(JISHU_PROJECT) == 7
