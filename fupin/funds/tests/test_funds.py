"""Sources, allocations, payments: the invariants, reversing entries, rates, idle money, and the API."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, connections, transaction

from fupin.core.errors import DomainError, TransitionRefused
from fupin.core.models import AuditEvent
from fupin.core.money import Amount, parse_amount
from fupin.core.tests.test_api import assert_error
from fupin.funds import services, stats
from fupin.funds.models import Allocation, Disbursement, FundSource
from fupin.projects import services as projects
from fupin.projects.tests.conftest import make_project, to_implementing, to_library


@pytest.fixture
def running(project, sima_officer, county_admin, finance, source, time_machine):
    return to_implementing(project, sima_officer, county_admin, finance, source, time_machine)


@pytest.fixture
def allocation(running):
    return Allocation.objects.get(project=running)


def pay(finance, allocation, amount, voucher="记-001"):
    return services.disburse(
        finance,
        allocation=allocation,
        amount=amount,
        paid_on=date(2018, 6, 1),
        payee="金乡建工",
        voucher_no=voucher,
    )


def test_allocations_never_exceed_the_source(source, finance, sima_officer, county_admin, pool, time_machine):
    # A budget above the source's amount, so that the source is the limit this test reaches.
    project = make_project(sima_officer, budget="5000000.00")
    to_library(project, sima_officer, county_admin, time_machine)
    services.allocate(finance, source=source, project=project, amount="2500000.00")
    with pytest.raises(DomainError) as refused:
        services.allocate(finance, source=source, project=project, amount="500000.01")
    assert refused.value.code == "insufficient_funds"
    assert refused.value.message == "资金不足：鲁财农指〔2018〕12号 未分配金额仅剩 500000.00 元。"
    source.refresh_from_db()
    assert source.allocated == Decimal("2500000.00") and Allocation.objects.count() == 1


def test_payments_never_exceed_the_allocation(allocation, finance):
    pay(finance, allocation, "999999.99")
    with pytest.raises(DomainError) as refused:
        pay(finance, allocation, "0.02", voucher="记-002")
    assert refused.value.message == "资金不足：该笔分配未拨付金额仅剩 0.01 元。"
    allocation.refresh_from_db()
    assert allocation.paid == Decimal("999999.99") and Disbursement.objects.count() == 1


@pytest.mark.parametrize("amount", ["-1", "0", "1.005"])
def test_bad_amounts_write_nothing(allocation, finance, amount):
    with pytest.raises(DomainError):
        pay(finance, allocation, amount)
    assert not Disbursement.objects.exists()


def test_no_payment_to_a_terminated_project(allocation, running, finance, county_admin):
    projects.transition(county_admin, running, "terminate", reason="企业停产")
    with pytest.raises(TransitionRefused) as refused:
        pay(finance, allocation, "100.00")
    assert refused.value.message == "不能向处于“已终止”状态的项目拨付资金。"


def test_no_allocation_to_a_draft(source, finance, project):
    with pytest.raises(TransitionRefused):
        services.allocate(finance, source=source, project=project, amount="1.00")


def test_a_town_officer_cannot_pay(allocation, sima_officer):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        pay(sima_officer, allocation, "1.00")


def test_corrections_are_reversing_entries(allocation, finance, source):
    payment = pay(finance, allocation, "300000.00")
    with pytest.raises(DomainError):
        services.reverse_disbursement(finance, payment, reason="")
    reversal = services.reverse_disbursement(finance, payment, reason="凭证号录错")
    assert reversal.amount == Decimal("-300000.00") and reversal.reverses == payment
    with pytest.raises(TransitionRefused):
        services.reverse_disbursement(finance, payment, reason="再次")
    entry = services.reverse_allocation(finance, allocation, amount="400000.00", reason="调整到其他项目")
    allocation.refresh_from_db()
    source.refresh_from_db()
    assert (allocation.net_amount, allocation.paid, source.allocated) == (600000, 0, 600000)
    assert entry.amount == Decimal("-400000.00")
    with pytest.raises(DomainError) as refused:
        services.reverse_allocation(finance, allocation, amount="600000.01", reason="超额")
    assert refused.value.code == "insufficient_funds"
    assert Disbursement.objects.count() == 2  # nothing was edited or deleted
    assert AuditEvent.objects.filter(action="funds.disbursement.reverse").get().note == "凭证号录错"


def test_the_database_refuses_an_overdraft_written_past_the_services(allocation):
    with pytest.raises(IntegrityError), transaction.atomic():
        Allocation.objects.filter(pk=allocation.pk).update(paid=allocation.net_amount + 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        FundSource.objects.filter(pk=allocation.source_id).update(allocated=10**9)


def test_execution_rates_and_idle_money(allocation, finance, time_machine):
    pay(finance, allocation, "250000.00")
    rows = {d: stats.execution(Allocation.objects.all(), d) for d in ("project", "source", "town", "level")}
    assert rows["level"][0]["rate"] == Decimal("25.0") and rows["town"][0]["key"] == "370828107"
    assert stats.totals(Allocation.objects.all())["unpaid"] == Decimal("750000.00")
    assert list(services.idle_allocations(Allocation.objects.all(), on=date(2018, 7, 1))) == []
    assert list(services.idle_allocations(Allocation.objects.all(), on=date(2018, 12, 1))) == [allocation]


def test_evaluation_grades(running, allocation, finance, sima_officer):
    # Completed and fully paid (output 50 of 50), nobody linked yet (benefit 0 of 30), 95% satisfied (20):
    # the data give 70; the evaluator adds 10 with the reason.
    projects.report_progress(sima_officer, running, percent=100)
    pay(finance, allocation, "1000000.00")
    evaluation = services.record_evaluation(
        finance,
        running,
        year=2018,
        satisfaction="95",
        score="80",
        adjustment_reason="带贫台账滞后，入户核实已带动 120 户",
        indicators={"带贫户数": 120},
    )
    assert (evaluation.computed_score, evaluation.adjustment, evaluation.grade) == (
        Decimal("70.00"),
        Decimal("10.00"),
        "good",
    )
    with pytest.raises(DomainError):
        services.record_evaluation(finance, running, year=2018, score="90")
    with pytest.raises(DomainError):
        services.record_evaluation(finance, running, year=2019, score="100.5")


# --- API ------------------------------------------------------------------------------------------
def test_the_api_pays_and_answers_insufficient_funds_with_the_balance(api_as, finance, allocation):
    client = api_as(finance)
    body = {
        "allocation_id": allocation.pk,
        "amount": "600000.00",
        "date": "2018-06-01",
        "payee": "金乡建工",
        "voucher_no": "记-9",
    }
    paid = client.post("/api/v1/funds/disbursements", body)
    assert paid.status_code == 201 and paid.json()["allocation_available"] == "400000.00"
    again = client.post("/api/v1/funds/disbursements", {**body, "voucher_no": "记-10"})
    assert_error(again, 400, "insufficient_funds")
    assert "400000.00" in again.json()["message"]
    bad = client.post("/api/v1/funds/disbursements", {**body, "amount": "1.234"})
    assert_error(bad, 400, "invalid")
    assert bad.json()["fields"] == {"amount": "金额最多保留两位小数（分）。"}
    detail = client.get(f"/api/v1/funds/allocations/{allocation.pk}").json()
    assert (detail["amount"], detail["paid"], detail["available"]) == ("1000000.00", "600000.00", "400000.00")
    assert client.get("/api/v1/funds/execution").json()["project"][0]["rate"] == "60.0"


def test_the_api_hands_the_service_a_checked_amount_and_a_date(api_as, finance, allocation, monkeypatch):
    """The schema reads the amount once (an Amount) and the date; the service takes them as they are."""
    seen, disburse = {}, services.disburse

    def spy(actor, **given):
        seen.update(given)
        return disburse(actor, **given)

    monkeypatch.setattr(services, "disburse", spy)
    body = {"allocation_id": allocation.pk, "amount": "１０００.5", "date": "2018-06-01", "payee": "金乡建工"}
    paid = api_as(finance).post("/api/v1/funds/disbursements", {**body, "voucher_no": "记-11"})
    assert paid.status_code == 201 and paid.json()["amount"] == "1000.50"
    assert type(seen["amount"]) is Amount and seen["amount"] == Decimal("1000.50")
    assert seen["paid_on"] == date(2018, 6, 1)
    assert parse_amount(seen["amount"]) is seen["amount"]  # not read a second time
    assert type(parse_amount("1000.50")) is Amount  # what pages pass is read as before


def test_the_api_registers_sources_and_allocates(
    api_as, finance, project, sima_officer, county_admin, time_machine
):
    to_library(project, sima_officer, county_admin, time_machine)
    client = api_as(finance)
    made = client.post(
        "/api/v1/funds/sources",
        {
            "level": "province",
            "year": 2018,
            "document_no": "鲁财农〔2018〕5号",
            "title": "省级资金",
            "amount": "1000.00",
        },
    )
    assert made.status_code == 201 and made.json()["available"] == "1000.00"
    over = client.post(
        "/api/v1/funds/allocations",
        {"source_id": made.json()["id"], "project_id": project.pk, "amount": "1000.01"},
    )
    assert_error(over, 400, "insufficient_funds")
    ok = client.post(
        "/api/v1/funds/allocations",
        {"source_id": made.json()["id"], "project_id": project.pk, "amount": "1000"},
    )
    assert ok.status_code == 201 and ok.json()["amount"] == "1000.00"
    assert client.get("/api/v1/funds/sources").json()["items"][0]["available"] == "0.00"


def test_a_jishu_officer_sees_no_sima_allocation(api_as, jishu_officer, sima_officer, allocation):
    assert api_as(jishu_officer).get("/api/v1/funds/allocations").json() == {"items": [], "count": 0}
    assert api_as(sima_officer).get("/api/v1/funds/allocations").json()["count"] == 1


# --- PostgreSQL: many payments at once ------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL=postgres://…)")
def test_many_threads_paying_from_one_allocation_never_overpay_it(allocation, finance):
    threads_count, barrier, outcomes = 12, threading.Barrier(12), []

    def attempt(n):
        try:
            barrier.wait()
            pay(finance, allocation, "150000.00", voucher=f"记-{n}")
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

    allocation.refresh_from_db()
    total = sum(Disbursement.objects.filter(allocation=allocation).values_list("amount", flat=True))
    assert outcomes.count("paid") == 6 and outcomes.count("insufficient_funds") == 6
    assert total == allocation.paid == Decimal("900000.00") <= allocation.net_amount
