"""Workshops and posts: registering them, placing people within capacity, months and wages per year, the
qualification rule and the quarterly status."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import translation

from fupin.core import policy
from fupin.core.errors import DomainError, TransitionRefused
from fupin.core.models import AuditEvent, Region
from fupin.employment import jobs
from fupin.employment.models import Placement, Post, WorkRecord, Workshop, WorkshopAssessment
from fupin.registry.enums import Status
from fupin.registry.models import Member

from .conftest import make_household
from .jobs_fixtures import make_post, make_workshop


def place(actor, member, employer, started_on=date(2019, 1, 1), **extra):
    kind = "workshop" if isinstance(employer, Workshop) else "post"
    wage = extra.pop("monthly_wage", "2000.00" if kind == "workshop" else None)
    return jobs.place(
        actor, member=member, started_on=started_on, monthly_wage=wage, **{kind: employer}, **extra
    )


# --- Registering ----------------------------------------------------------------------------------
def test_a_workshop_and_a_post_are_registered_and_audited(workshop, post):
    assert workshop.capacity == 2 and workshop.region_code == "370828107200"
    assert post.monthly_wage == Decimal("500.00") and post.get_kind_display() == "公益岗位"
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"benefits.workshop.create", "benefits.post.create"} <= actions


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"name": " "}, "name", "此项为必填项。"),
        ({"capacity": 0}, "capacity", None),
        ({"capacity": "三"}, "capacity", None),
        ({"region_code": "370828104200"}, "region_code", "王庄村不在您的管辖范围内。"),
        ({"region_code": "370828000000"}, "region_code", "地点必须是本县的镇街或村居。"),
        ({"closed_on": date(2018, 2, 1)}, "closed_on", "关闭日期早于设立日期。"),
        ({"operator_kind": "gang"}, "operator_kind", None),
    ],
)
def test_bad_workshops_write_nothing(sima_officer, clock, extra, field, message):
    with pytest.raises(DomainError) as refused:
        make_workshop(sima_officer, **extra)
    assert field in refused.value.fields
    if message:
        assert refused.value.message == message
    assert not Workshop.objects.exists()


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"kind": "other"}, "kind"),
        ({"monthly_wage": "-1"}, "monthly_wage"),
        ({"monthly_wage": "0"}, "monthly_wage"),
        ({"places": 0}, "places"),
        ({"funded_by": ""}, "funded_by"),
        ({"title": ""}, "title"),
    ],
)
def test_bad_posts_write_nothing(sima_officer, clock, extra, field):
    with pytest.raises(DomainError) as refused:
        make_post(sima_officer, **extra)
    assert field in refused.value.fields
    assert not Post.objects.exists()


def test_an_inspector_registers_nothing(inspector, clock):
    with pytest.raises(PermissionDenied):
        make_workshop(inspector)


# --- Placements -----------------------------------------------------------------------------------
def test_people_are_placed_up_to_the_capacity(sima_officer, workshop):
    people = [make_household(sima_officer, i).head for i in range(1, 4)]
    first = place(sima_officer, people[0], workshop)
    place(sima_officer, people[1], workshop, started_on=date(2019, 2, 1))
    assert first.region_code == workshop.region_code and first.monthly_wage == Decimal("2000.00")
    with pytest.raises(TransitionRefused) as full:
        place(sima_officer, people[2], workshop, started_on=date(2019, 3, 1))
    assert full.value.code == "no_free_place"
    assert full.value.message == "南徐庄扶贫车间在 2019-03-01 没有空余岗位：2 个岗位已占 2 个。"
    # Before the second started there was a free place; after the first ends there is one again.
    place(sima_officer, people[2], workshop, started_on=date(2019, 1, 15))
    assert Placement.objects.count() == 3
    assert AuditEvent.objects.filter(action="benefits.placement.start").count() == 3


def test_a_post_uses_its_wage_and_its_places(sima_officer, post):
    person = make_household(sima_officer, 1).head
    placement = place(sima_officer, person, post)
    assert placement.monthly_wage == Decimal("500.00") and placement.post == post


def test_the_same_person_is_not_placed_twice_with_the_same_employer(
    sima_officer, workshop, post, county_admin
):
    # The county allows a post beside a workshop job here; without that the post is refused (test below).
    county = Region.objects.get(code="370828000000")
    policy.set_value(county_admin, "employment_allow_post_and_workshop", county, None, "1")
    person = make_household(sima_officer, 1).head
    placement = place(sima_officer, person, workshop)
    with pytest.raises(TransitionRefused) as twice:
        place(sima_officer, person, workshop, started_on=date(2019, 6, 1))
    assert twice.value.message == "户主1在该时段已受雇于南徐庄扶贫车间。"
    place(sima_officer, person, post)  # another employer is fine
    jobs.end_placement(sima_officer, placement, ended_on=date(2019, 5, 31), reason="外出务工")
    place(sima_officer, person, workshop, started_on=date(2019, 6, 1))
    with pytest.raises(TransitionRefused):
        jobs.end_placement(sima_officer, placement, ended_on=date(2019, 6, 30))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"deceased": True}, "户主1已去世，不能与已故人员签订用工协议。"),
        ({"labour": "lost"}, "户主1的劳动能力为“丧失劳动力”，无劳动能力者不能签订用工协议。"),
        ({"left_household": True}, "户主1已迁出本户，只有在册成员才能签订用工协议。"),
    ],
)
def test_placements_share_the_agreements_refusals(sima_officer, workshop, change, message):
    person = make_household(sima_officer, 1).head
    Member.objects.filter(pk=person.pk).update(**change)
    with pytest.raises(DomainError) as refused:
        place(sima_officer, person, workshop)
    assert refused.value.message == message and refused.value.code == "not_employable"
    assert not Placement.objects.exists()


def test_a_household_not_registered_is_refused(sima_officer, workshop):
    person = make_household(sima_officer, 1, status=Status.APPLYING).head
    with pytest.raises(DomainError) as refused:
        place(sima_officer, person, workshop)
    assert refused.value.message.endswith("该户不是建档立卡户。")


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"started_on": date(2018, 2, 1)}, "started_on"),  # before the workshop opened
        ({"monthly_wage": "-10"}, "monthly_wage"),
        ({"monthly_wage": ""}, "monthly_wage"),
    ],
)
def test_bad_placements_write_nothing(sima_officer, workshop, extra, field):
    person = make_household(sima_officer, 1).head
    with pytest.raises(DomainError) as refused:
        place(sima_officer, person, workshop, **extra)
    assert field in refused.value.fields
    assert not Placement.objects.exists()


def test_other_towns_cannot_place_in_our_workshop(sima_officer, jishu_officer, workshop):
    person = make_household(sima_officer, 1).head
    with pytest.raises(DomainError) as refused:
        place(jishu_officer, person, workshop)
    assert "workshop_id" in refused.value.fields


def test_exactly_one_employer(sima_officer, workshop, post):
    person = make_household(sima_officer, 1).head
    with pytest.raises(DomainError) as refused:
        jobs.place(sima_officer, member=person, workshop=workshop, post=post, started_on=date(2019, 1, 1))
    assert refused.value.message == "请选择扶贫车间或岗位之一。"
    with pytest.raises(IntegrityError), transaction.atomic():
        Placement.objects.create(
            member=person,
            region_code=workshop.region_code,
            workshop=workshop,
            post=post,
            started_on=date(2019, 1, 1),
            monthly_wage="1.00",
            created_by=sima_officer,
        )


# --- Work records ---------------------------------------------------------------------------------
@pytest.fixture
def placed(sima_officer, workshop):
    return place(sima_officer, make_household(sima_officer, 1).head, workshop, started_on=date(2018, 9, 10))


def test_months_and_wages_per_year(sima_officer, placed):
    record = jobs.record_work(sima_officer, placed, year=2018, months=4, wages="8000")
    assert (record.months, record.wages) == (4, Decimal("8000.00"))
    again = jobs.record_work(sima_officer, placed, year=2018, months=3, wages="6000.50")
    assert again.pk == record.pk and WorkRecord.objects.get().wages == Decimal("6000.50")
    event = AuditEvent.objects.filter(action="benefits.work.record").order_by("seq").last()
    assert event.before == {"months": 4, "wages": "8000.00"} and event.after["months"] == 3


@pytest.mark.parametrize(
    ("year", "months", "wages", "field", "message"),
    [
        (2019, 13, "100", "months", "务工时间必须在 0 到 12 个月之间。"),
        (2019, -1, "100", "months", "务工时间必须在 0 到 12 个月之间。"),
        (2019, 1, "-0.01", "wages", "工资不能为负数。"),
        (2018, 5, "100", "months", "该安置在 2018 年只覆盖 4 个月。"),
        (2017, 1, "100", "year", "该安置不覆盖 2017 年。"),
        (2020, 1, "100", "year", "该安置不覆盖 2020 年。"),  # not begun on 2019-07-01
    ],
)
def test_bad_work_records_write_nothing(sima_officer, placed, year, months, wages, field, message):
    with pytest.raises(DomainError) as refused:
        jobs.record_work(sima_officer, placed, year=year, months=months, wages=wages)
    assert refused.value.fields == {field: message}
    assert not WorkRecord.objects.exists()


def test_zero_wages_and_months_are_allowed(sima_officer, placed):
    assert jobs.record_work(sima_officer, placed, year=2019, months=0, wages="0").wages == Decimal("0.00")


# --- Qualification and quarterly status -----------------------------------------------------------
def test_the_rule_counts_registered_workers_with_enough_months_or_wages(sima_officer, workshop):
    a, b = (make_household(sima_officer, i).head for i in (1, 2))
    pa = place(sima_officer, a, workshop, started_on=date(2018, 6, 1))
    pb = place(sima_officer, b, workshop, started_on=date(2018, 6, 1))
    assert jobs.qualification(workshop, 2018).as_dict() == {
        "year": 2018,
        "workers": 2,
        "qualifying": 0,
        "min_months": 3,
        "min_wage": Decimal("5000.00"),
        "qualifies": False,
    }
    jobs.record_work(sima_officer, pa, year=2018, months=2, wages="4999.99")
    jobs.record_work(sima_officer, pb, year=2018, months=2, wages="5000.00")
    assert jobs.qualification(workshop, 2018).qualifying == 1  # by wages
    jobs.record_work(sima_officer, pa, year=2018, months=3, wages="100")
    result = jobs.qualification(workshop, 2018)
    assert (result.workers, result.qualifying, result.qualifies) == (2, 2, True)
    assert jobs.qualification(workshop, 2017).workers == 0


def test_the_rule_is_policy_and_ignores_households_not_registered(sima_officer, county_admin, workshop):
    a = make_household(sima_officer, 1).head
    pa = place(sima_officer, a, workshop, started_on=date(2018, 6, 1))
    jobs.record_work(sima_officer, pa, year=2018, months=4, wages="1000")
    assert jobs.qualification(workshop, 2018).qualifies
    policy.set_value(county_admin, "workshop_min_months", county_admin.region, 2018, "6")
    assert not jobs.qualification(workshop, 2018).qualifies
    assert jobs.qualification(workshop, 2018).min_months == 6
    policy.set_value(county_admin, "workshop_min_months", county_admin.region, 2018, "3")
    a.household.__class__.objects.filter(pk=a.household_id).update(status=Status.REJECTED)
    assert jobs.qualification(workshop, 2018).as_dict()["workers"] == 0


def test_quarterly_status_follows_the_rule(sima_officer, workshop):
    first = jobs.assess_workshop(sima_officer, workshop, quarter="2019-q1", note="无务工记录")
    assert (first.quarter, first.status, first.suggested) == ("2019-Q1", "monitoring", "monitoring")
    status, _result = jobs.suggest_status(workshop, "2019-Q2")
    assert status == "cleared"  # monitored last quarter and still not qualifying
    with pytest.raises(DomainError) as why:
        jobs.assess_workshop(sima_officer, workshop, quarter="2019-Q2", status="monitoring")
    assert why.value.fields == {"note": "按规则建议为“清理”，请在备注中说明为何不同。"}
    second = jobs.assess_workshop(
        sima_officer, workshop, quarter="2019-Q2", status="monitoring", note="企业承诺三季度补录用工"
    )
    assert (second.status, second.suggested) == ("monitoring", "cleared")
    person = make_household(sima_officer, 1).head
    placement = place(sima_officer, person, workshop, started_on=date(2019, 1, 1))
    jobs.record_work(sima_officer, placement, year=2019, months=6, wages="12000")
    assert jobs.suggest_status(workshop, "2019-Q3")[0] == "normal"
    with pytest.raises(TransitionRefused) as again:
        jobs.assess_workshop(sima_officer, workshop, quarter="2019-Q2")
    assert again.value.message == "南徐庄扶贫车间 2019-Q2 已评定过。"
    event = AuditEvent.objects.filter(action="benefits.workshop.assess").order_by("seq").last()
    assert event.after["status"] == "monitoring" and event.note == "企业承诺三季度补录用工"


@pytest.mark.parametrize(
    ("quarter", "status", "field"),
    [
        ("2019Q2", "", "quarter"),
        ("2019-Q5", "", "quarter"),
        ("2019-Q4", "", "quarter"),
        ("2019-Q1", "x", "status"),
    ],
)
def test_bad_assessments_write_nothing(sima_officer, workshop, quarter, status, field):
    with pytest.raises(DomainError) as refused:
        jobs.assess_workshop(sima_officer, workshop, quarter=quarter, status=status, note="x")
    assert field in refused.value.fields
    assert not WorkshopAssessment.objects.exists()


def test_a_closed_workshop_is_cleared(sima_officer, clock):
    closed = make_workshop(sima_officer, closed_on=date(2018, 12, 31))
    assert jobs.suggest_status(closed, "2019-Q1")[0] == "cleared"


def test_a_post_and_a_workshop_job_over_the_same_months_are_refused(
    sima_officer, workshop, post, county_admin
):
    person = make_household(sima_officer, 1).head
    place(sima_officer, person, post)
    with translation.override("zh-hans"), pytest.raises(DomainError) as refused:
        place(sima_officer, person, workshop, started_on=date(2019, 3, 1))
    assert "member_id" in refused.value.fields and "公益岗位" in refused.value.message
    assert not Placement.objects.filter(workshop=workshop).exists()
    # Where the county allows both, the workshop job is recorded.
    policy.set_value(
        county_admin, "employment_allow_post_and_workshop", Region.objects.get(code="370828000000"), None, "1"
    )
    assert place(sima_officer, person, workshop, started_on=date(2019, 3, 1)).workshop_id == workshop.pk
