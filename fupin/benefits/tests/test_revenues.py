"""The income ledger: entries, bad input, append-only corrections by reversing entries, the API."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import translation

from fupin.benefits import services
from fupin.benefits.models import Revenue
from fupin.core.errors import DomainError, TransitionRefused
from fupin.core.models import AuditEvent
from fupin.core.tests.test_api import assert_error
from fupin.projects.models import Project


def record(actor, project, amount="17830.00", **extra):
    data = {"period": "2019", "kind": "dividend", "received_on": date(2019, 12, 20), "evidence": "收据 001"}
    return services.record_revenue(actor, project, amount=amount, **{**data, **extra})


def test_revenue_is_recorded_and_audited(project, sima_officer):
    revenue = record(sima_officer, project, period="2019-q4")
    assert (revenue.amount, revenue.period, revenue.region_code) == (
        Decimal("17830.00"),
        "2019-Q4",
        project.region_code,
    )
    event = AuditEvent.objects.get(action="benefits.revenue.record")
    assert event.after["amount"] == "17830.00" and event.target_id == str(revenue.pk)
    assert services.ledger_total(project) == Decimal("17830.00")


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"amount": "0"}, "amount"),
        ({"amount": "-5.00"}, "amount"),
        ({"amount": "1.001"}, "amount"),
        ({"amount": 1.5}, None),
        ({"period": "2019-13"}, "period"),
        ({"period": "去年"}, "period"),
        ({"kind": "gift"}, "kind"),
        ({"received_on": None}, "received_on"),
        ({"received_on": date(2099, 1, 1)}, "received_on"),
    ],
)
def test_bad_revenue_writes_nothing(project, sima_officer, extra, field):
    if field is None:  # a float is read by its decimal text, never as binary
        assert record(sima_officer, project, **extra).amount == Decimal("1.50")
        return
    with pytest.raises(DomainError) as refused:
        record(sima_officer, project, **extra)
    assert field in refused.value.fields
    assert not Revenue.objects.exists()


def test_the_period_message_is_chinese(project, sima_officer):
    with pytest.raises(DomainError) as refused:
        record(sima_officer, project, period="2019/06")
    assert refused.value.message == "请按年度、季度或月份填写期间：2019、2019-Q2 或 2019-06。"


def test_corrections_are_reversing_entries(project, sima_officer):
    revenue = record(sima_officer, project)
    with pytest.raises(DomainError):
        services.reverse_revenue(sima_officer, revenue, reason=" ")
    entry = services.reverse_revenue(sima_officer, revenue, reason="金额录错")
    assert entry.amount == Decimal("-17830.00") and entry.reverses == revenue
    with pytest.raises(TransitionRefused) as again:
        services.reverse_revenue(sima_officer, revenue, reason="再次")
    assert again.value.message == "该笔收益已冲销。"
    with pytest.raises(TransitionRefused):
        services.reverse_revenue(sima_officer, entry, reason="冲销的冲销")
    assert services.ledger_total(project) == Decimal("0.00") and Revenue.objects.count() == 2
    assert AuditEvent.objects.get(action="benefits.revenue.reverse").note == "金额录错"


def test_the_ledger_is_append_only(project, sima_officer):
    revenue = record(sima_officer, project)
    revenue.amount = Decimal("1.00")
    with pytest.raises(ValueError):
        revenue.save()
    with pytest.raises(ValueError):
        revenue.delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        Revenue.objects.filter(pk=revenue.pk).update(amount=-1)
    revenue.refresh_from_db()
    assert revenue.amount == Decimal("17830.00")


def test_an_inspector_reads_but_does_not_write(project, inspector):
    with pytest.raises(PermissionDenied):
        record(inspector, project)


def test_the_api_records_lists_and_reverses(api_as, project, sima_officer, finance, inspector, jishu_officer):
    url = f"/api/v1/projects/{project.pk}/revenues"
    body = {"period": "2019", "kind": "rent", "amount": "12000.50", "received_on": "2019-12-20"}
    response = api_as(finance).post(url, body)
    assert response.status_code == 201, response.content
    assert response.json()["amount"] == "12000.50"
    assert_error(api_as(sima_officer).post(url, {**body, "amount": "-1"}), 400, "invalid")
    assert_error(api_as(inspector).post(url, body), 403, "forbidden")
    assert_error(api_as(jishu_officer).post(url, body), 404, "not_found")
    revenue_id = response.json()["id"]
    reversal = api_as(sima_officer).post(f"/api/v1/revenues/{revenue_id}/reversals", {"reason": "重复录入"})
    assert reversal.status_code == 201 and reversal.json()["amount"] == "-12000.50"
    rows = api_as(inspector).get(url).json()["items"]
    assert [r["amount"] for r in rows] == ["12000.50", "-12000.50"]
    assert_error(api_as(jishu_officer).get(url), 404, "not_found")


@pytest.mark.parametrize("state", ["draft", "planned", "implementing", "completed", "terminated"])
def test_revenue_is_refused_before_the_project_is_accepted(project, sima_officer, state):
    Project.objects.filter(pk=project.pk).update(state=state)
    project.refresh_from_db()
    with translation.override("zh-hans"), pytest.raises(DomainError) as refused:
        record(sima_officer, project)
    assert "project" in refused.value.fields
    assert "竣工验收" in refused.value.message and "运营管护" in refused.value.message
    assert not Revenue.objects.exists()


@pytest.mark.parametrize("state", ["accepted", "handed_over", "operating"])
def test_revenue_is_recorded_once_accepted_handed_over_or_operating(project, sima_officer, state):
    Project.objects.filter(pk=project.pk).update(state=state)
    project.refresh_from_db()
    assert record(sima_officer, project).project_id == project.pk
