"""Issue 12's rules of the funds: allocations within the approved budget (also concurrently), payments only
after the start is approved, dated within the source's year and today, with a voucher number used once in
the county, by another person than the one who allocated; retention money in operation within warranty."""

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection, connections

from fupin.core import clock
from fupin.core.duties import DutiesNotSeparated
from fupin.core.errors import DomainError, TransitionRefused
from fupin.core.tests.test_api import assert_error
from fupin.funds import services
from fupin.funds.models import Allocation, Disbursement
from fupin.projects import services as projects
from fupin.projects.models import Procurement, Project
from fupin.projects.tests.conftest import make_project, to_implementing, to_library
from fupin.projects.tests.test_views import logged_in

OVER_BUDGET = "该项目的资金分配合计将达到 600000.00 元，超过项目批复预算 500000.00 元；请先申请预算调整。"
MAKER_CHECKER = "职责分离：分配资金的人不能同时登记该笔分配的拨付。"


@pytest.fixture
def small(sima_officer, county_admin, pool, time_machine):
    """A 500,000 yuan project in the library."""
    project = make_project(sima_officer, name="小型项目", budget="500000.00")
    return to_library(project, sima_officer, county_admin, time_machine)


@pytest.fixture
def running(project, sima_officer, county_admin, finance, source, time_machine):
    return to_implementing(project, sima_officer, county_admin, finance, source, time_machine)


@pytest.fixture
def allocation(running):
    return Allocation.objects.get(project=running)  # allocated by the county administrator


def pay(actor, allocation, amount="100.00", voucher="记-001", paid_on=date(2018, 6, 1), **extra):
    return services.disburse(
        actor,
        allocation=allocation,
        amount=amount,
        paid_on=paid_on,
        payee="金乡建工",
        voucher_no=voucher,
        **extra,
    )


# --- Allocations within the approved budget ---------------------------------------------------------
def test_600000_never_goes_to_a_500000_project(small, source, finance):
    services.allocate(finance, source=source, project=small, amount="400000.00")
    with pytest.raises(DomainError) as refused:
        services.allocate(finance, source=source, project=small, amount="200000.00")
    assert refused.value.code == "over_budget"
    assert refused.value.fields == {"amount": OVER_BUDGET}
    source.refresh_from_db()
    assert source.allocated == Decimal("400000.00") and Allocation.objects.count() == 1


def test_a_reversal_frees_the_budget_and_an_approved_change_raises_it(
    small, source, finance, sima_officer, county_admin
):
    first = services.allocate(finance, source=source, project=small, amount="500000.00")
    services.reverse_allocation(finance, first, amount="100000.00", reason="调减")
    services.allocate(finance, source=source, project=small, amount="100000.00")
    change = projects.request_budget_change(sima_officer, small, new_budget="600000.00", reason="扩建冷库")
    with pytest.raises(DomainError):
        services.allocate(finance, source=source, project=small, amount="100000.00")  # not approved yet
    projects.decide_budget_change(county_admin, change, approve=True)
    services.allocate(finance, source=source, project=small, amount="100000.00")
    assert services.allocated_to(small) == Decimal("600000.00")


def test_the_api_and_the_page_refuse_an_allocation_above_the_budget(api_as, small, source, finance):
    body = {"source_id": source.pk, "project_id": small.pk, "amount": "600000.00"}
    answer = assert_error(api_as(finance).post("/api/v1/funds/allocations", body), 400, "over_budget")
    assert answer["fields"] == {"amount": OVER_BUDGET}
    page = logged_in(finance).post(
        "/funds/allocations/new/",
        {"source": source.pk, "project": small.pk, "amount": "600000.00", "allocated_on": "2018-03-01"},
        follow=True,
    )
    assert OVER_BUDGET in page.content.decode()
    assert not Allocation.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL=postgres://…)")
def test_concurrent_allocations_never_pass_the_budget(small, source, finance):
    threads_count, barrier, outcomes = 8, threading.Barrier(8), []

    def attempt():
        try:
            barrier.wait()
            services.allocate(finance, source=source, project=small, amount="100000.00")
            outcomes.append("allocated")
        except DomainError as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("allocated") == 5 and outcomes.count("over_budget") == 3
    assert services.allocated_to(small) == Decimal("500000.00")


# --- Payments ------------------------------------------------------------------------------------
def test_no_payment_before_the_start_is_approved(small, source, finance, county_admin):
    projects.transition(county_admin, small, "plan")
    allocation = services.allocate(county_admin, source=source, project=small, amount="100000.00")
    with pytest.raises(TransitionRefused) as refused:
        pay(finance, allocation)
    assert refused.value.message == "开工报请获批前不得拨付资金；项目目前处于“年度计划（立项）”状态。"
    assert not Disbursement.objects.exists()


def test_who_allocated_may_not_pay_that_allocation(allocation, county_admin, finance, api_as):
    with pytest.raises(DutiesNotSeparated) as refused:
        pay(county_admin, allocation)
    assert refused.value.message == MAKER_CHECKER
    body = {
        "allocation_id": allocation.pk,
        "amount": "1.00",
        "date": "2018-06-01",
        "payee": "甲",
        "voucher_no": "记-5",
    }
    answer = assert_error(
        api_as(county_admin).post("/api/v1/funds/disbursements", body), 400, "separation_of_duties"
    )
    assert answer["fields"] == {"allocation_id": MAKER_CHECKER}
    page = logged_in(county_admin).post(
        f"/funds/allocations/{allocation.pk}/",
        {"amount": "1.00", "paid_on": "2018-06-01", "payee": "甲", "voucher_no": "记-5"},
    )
    assert MAKER_CHECKER in page.content.decode()
    assert not Disbursement.objects.exists()
    assert pay(finance, allocation).created_by == finance  # another person pays


@pytest.mark.parametrize(
    ("paid_on", "message"),
    [
        (date(2017, 12, 31), "拨付日期早于资金来源 鲁财农指〔2018〕12号 的年度 2018。"),
        ("tomorrow", "拨付日期不能晚于今天。"),
        (date(2099, 1, 1), "拨付日期：请填写 2000-01-01 至 "),  # not even a plausible date
    ],
)
def test_the_payment_date_lies_between_the_sources_year_and_today(allocation, finance, paid_on, message):
    if paid_on == "tomorrow":
        paid_on = clock.today() + timedelta(days=1)
    with pytest.raises(DomainError) as refused:
        pay(finance, allocation, paid_on=paid_on)
    assert refused.value.fields["date"].startswith(message) and list(refused.value.fields) == ["date"]
    assert not Disbursement.objects.exists()


def test_a_voucher_number_is_used_once_in_the_county_and_the_refusal_names_the_earlier_payment(
    allocation, finance, api_as
):
    first = pay(finance, allocation, amount="1200.00", voucher="记-2018-07")
    with pytest.raises(DomainError) as refused:
        pay(finance, allocation, voucher="记-2018-07")
    assert refused.value.fields == {
        "voucher_no": "凭证号 记-2018-07 已被 2018-06-01 向 金乡建工 拨付 1200.00 元的记录使用。"
    }
    services.reverse_disbursement(finance, first, reason="金额有误")  # the reversal repeats the number
    body = {"allocation_id": allocation.pk, "amount": "1.00", "date": "2018-06-02", "payee": "甲"}
    answer = api_as(finance).post("/api/v1/funds/disbursements", {**body, "voucher_no": "记-2018-07"})
    assert assert_error(answer, 400, "duplicate_voucher")["message"].startswith("凭证号 记-2018-07 已被")
    assert (
        api_as(finance).post("/api/v1/funds/disbursements", {**body, "voucher_no": "记-2018-08"}).status_code
        == 201
    )


def test_retention_money_is_paid_in_operation_only_within_the_warranty(
    allocation, running, finance, time_machine
):
    Project.objects.filter(pk=running.pk).update(state="operating")
    Procurement.objects.filter(project=running).update(warranty_ends_on=date(2019, 11, 30))
    with pytest.raises(TransitionRefused) as not_retention:
        pay(finance, allocation, paid_on=date(2019, 6, 1))
    assert not_retention.value.message == "运营管护阶段的项目只能在质保期内支付质保金。"
    with pytest.raises(TransitionRefused) as late:
        pay(finance, allocation, paid_on=date(2019, 12, 1), retention=True)
    assert late.value.fields == {"date": "质保金须在合同质保期内（至 2019-11-30）支付。"}
    retained = pay(finance, allocation, amount="50000.00", paid_on=date(2019, 11, 30), retention=True)
    assert retained.retention and Disbursement.objects.count() == 1


def test_retention_needs_a_contract_warranty(allocation, running, finance):
    Project.objects.filter(pk=running.pk).update(state="operating")
    with pytest.raises(TransitionRefused) as refused:
        pay(finance, allocation, paid_on=date(2019, 6, 1), retention=True)
    assert refused.value.fields == {"date": "质保金须在合同质保期内（至 —）支付。"}


# --- Performance evaluation (绩效评价) ----------------------------------------------------------------
def completion_only(project):
    """Targets set at entry: full completion as the output, no benefit part, satisfaction by default."""
    Project.objects.filter(pk=project.pk).update(
        indicators=[{"category": "output", "measure": "completion", "target": "100"}],
        planned_households=0,
        linkage_jobs=None,
        linkage_dividend=None,
    )
    project.refresh_from_db()
    return project


def test_the_evaluation_is_computed_from_the_projects_data(running, allocation, finance, sima_officer):
    projects.report_progress(sima_officer, running, percent=60)
    pay(finance, allocation, "250000.00")
    evaluation = services.record_evaluation(finance, running, year=2018, satisfaction="45")
    results = {
        r["measure"]: (r["target"], r["actual"], r["points"]) for r in evaluation.indicators["results"]
    }
    assert results == {
        "completion": ("100", "60", "15.00"),
        "payment_rate": ("100", "25.00", "6.25"),
        "households": ("120", "0", "0.00"),
        "jobs": ("8", "0", "0.00"),
        "revenue": ("60000.00", "0.00", "0.00"),
        "satisfaction": ("90", "45.00", "10.00"),
    }
    assert (evaluation.computed_score, evaluation.score, evaluation.grade) == (
        Decimal("31.25"),
        Decimal("31.25"),
        "poor",
    )


def test_an_adjustment_needs_its_reason_and_stays_within_ten_points(running, finance, api_as):
    with pytest.raises(DomainError) as no_reason:
        services.record_evaluation(finance, running, year=2018, satisfaction="90", adjustment="5")
    assert no_reason.value.fields == {"adjustment_reason": "请填写调整理由。"}
    url = f"/api/v1/funds/projects/{running.pk}/evaluations"
    body = {"year": 2018, "satisfaction": "90", "adjustment": "-10.01", "adjustment_reason": "台账不实"}
    too_far = assert_error(api_as(finance).post(url, body), 400, "invalid")
    assert too_far["fields"] == {
        "adjustment": "项目数据得分为 20.00 分，评价人最多调整 10 分（本次：-10.01）。"
    }
    made = api_as(finance).post(url, {**body, "adjustment": "-10"})
    assert made.status_code == 201
    assert (made.json()["score"], made.json()["adjustment_reason"]) == ("10.00", "台账不实")


def test_a_project_never_paid_cannot_score_excellent(running, allocation, finance, sima_officer):
    project = completion_only(running)
    projects.report_progress(sima_officer, project, percent=100)
    evaluation = services.record_evaluation(finance, project, year=2018, satisfaction="95")
    assert (evaluation.computed_score, evaluation.grade) == (Decimal("89.99"), "good")
    with pytest.raises(DomainError) as refused:
        services.record_evaluation(
            finance, project, year=2019, satisfaction="95", score="95", adjustment_reason="好"
        )
    assert refused.value.fields == {"score": "从未开工或从未拨付资金的项目不能评为优秀。"}
    pay(finance, allocation, "1000.00")
    paid = services.record_evaluation(finance, project, year=2019, satisfaction="95")
    assert (paid.computed_score, paid.grade) == (Decimal("100.00"), "excellent")


def test_a_project_never_started_cannot_score_excellent(small, finance):
    project = completion_only(small)
    Project.objects.filter(pk=project.pk).update(completed_on=None)
    evaluation = services.record_evaluation(finance, project, year=2018, satisfaction="100")
    assert evaluation.grade != "excellent" and evaluation.computed_score == Decimal("28.57")


def test_indicators_set_at_entry_are_checked(api_as, sima_officer):
    from fupin.projects.tests.conftest import PROJECT

    body = {**PROJECT, "starts_on": "2018-04-01", "ends_on": "2018-11-30"}
    bad = {**body, "indicators": [{"category": "output", "measure": "revenue", "target": "1"}]}
    answer = assert_error(api_as(sima_officer).post("/api/v1/projects", bad), 400, "invalid")
    assert answer["fields"] == {"indicators": "“revenue”不是“output”类的绩效指标。"}
    good = {
        **body,
        "indicators": [{"category": "benefit", "measure": "jobs", "target": "12", "name": "务工"}],
    }
    made = api_as(sima_officer).post("/api/v1/projects", good)
    assert made.status_code == 201
    assert made.json()["indicators"] == [
        {"category": "benefit", "measure": "jobs", "target": "12.00", "name": "务工"}
    ]


def test_the_payment_page_refuses_a_used_voucher_and_pays_retention_in_operation(
    allocation, running, finance
):
    client = logged_in(finance)
    url = f"/funds/allocations/{allocation.pk}/"
    form = {"amount": "100.00", "paid_on": "2018-06-01", "payee": "金乡建工", "voucher_no": "记-77"}
    assert client.post(url, form).status_code == 302
    again = client.post(url, {**form, "paid_on": "2018-06-02"}).content.decode()
    assert "凭证号 记-77 已被 2018-06-01 向 金乡建工 拨付 100.00 元的记录使用。" in again
    Project.objects.filter(pk=running.pk).update(state="operating")
    Procurement.objects.filter(project=running).update(warranty_ends_on=date(2019, 11, 30))
    plain = client.post(url, {**form, "paid_on": "2019-06-01", "voucher_no": "记-78"}).content.decode()
    assert "运营管护阶段的项目只能在质保期内支付质保金。" in plain
    assert 'name="retention"' in client.get(url).content.decode()
    retained = client.post(url, {**form, "paid_on": "2019-06-01", "voucher_no": "记-78", "retention": "on"})
    assert retained.status_code == 302
    assert Disbursement.objects.get(voucher_no="记-78").retention


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL=postgres://…)")
def test_concurrent_payments_of_two_allocations_never_share_a_voucher(
    allocation, sima_officer, county_admin, finance
):
    # Another project paid from another source: nothing but the county's voucher book is shared (a
    # payment's lock on its allocation also holds its project and source rows).
    other = make_project(sima_officer, name="另一个项目")
    Project.objects.filter(pk=other.pk).update(state="library")
    other_source = services.create_source(
        finance, level="province", year=2018, document_no="鲁财〔2018〕9号", title="省级资金", amount="900000"
    )
    second = services.allocate(county_admin, source=other_source, project=other, amount="500000.00")
    Project.objects.filter(pk=other.pk).update(state="implementing")
    threads_count, barrier, outcomes = 16, threading.Barrier(16), []

    def attempt(n):
        try:
            barrier.wait()
            pay(finance, allocation if n % 2 else second, voucher="记-同号")
            outcomes.append("paid")
        except DomainError as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("paid") == 1 and outcomes.count("duplicate_voucher") == 15
    assert Disbursement.objects.filter(voucher_no="记-同号").count() == 1
