"""Registering households: members, ID checks, one living person in one household, warnings."""

from datetime import date
from decimal import Decimal

import pytest

from fupin.core.errors import DomainError
from fupin.core.models import AuditEvent
from fupin.registry import services
from fupin.registry.enums import Gate, Status, Step
from fupin.registry.models import Household, Member

from .conftest import JISHU_VILLAGE, SIMA_VILLAGE, person


def test_application_registers_members_income_and_opens_the_entry_gate(applied, sima_officer):
    assert applied.status == Status.APPLYING and applied.number == "1072000001"
    assert applied.head.name == "张三" and applied.members.count() == 3
    zhang = applied.head
    assert (zhang.sex, zhang.birth_date, zhang.name_initials, zhang.name_pinyin) == (
        "M",
        date(1965, 3, 9),
        "zs",
        "zhangsan",
    )
    income = applied.incomes.get(year=2025)
    assert income.net == Decimal("10400.00") and income.per_capita == Decimal("3466.67")
    assert applied.per_capita_income == Decimal("3466.67")
    procedure = applied.procedures.get()
    assert (procedure.gate, procedure.step) == (Gate.ENTRY, Step.APPLIED)
    event = AuditEvent.objects.get(action="household.create")
    assert event.actor == sima_officer and event.after["members"] == ["张三", "李秀英", "张小花"]


def test_numbers_run_per_village(applied, sima_officer, family):
    second = services.create_household(
        sima_officer, region_code=SIMA_VILLAGE, data={"main_cause": "skills"}, members=family(offset=100)
    )
    assert second.number == "1072000002"


def test_person_registered_elsewhere_is_refused_naming_the_household(applied, sima_officer, family):
    members = family(offset=100)
    members[1]["id_number"] = applied.members.get(name="李秀英").id_number
    with pytest.raises(DomainError) as refused:
        services.create_household(
            sima_officer, region_code=SIMA_VILLAGE, data={"main_cause": "skills"}, members=members
        )
    assert refused.value.fields["members.1.id_number"] == "李秀英 已登记在户 1072000001 中。"
    assert Household.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field", "fragment"),
    [
        ({"id_number": "370828650309123"}, "members.0.id_number", "18 位"),
        ({"id_number": "370828196503091234"}, "members.0.id_number", "校验码"),
        ({"name": ""}, "members.0.name", "姓名"),
        ({"sex": "F"}, "members.0.sex", "性别"),
        ({"birth_date": "1966-01-01"}, "members.0.birth_date", "出生日期"),
        ({"months_worked": 13}, "members.0.months_worked", "0 到 12"),
        ({"relation": "son"}, "members", "户主"),
        ({"health": "so-so"}, "members.0.health", "健康状况"),
    ],
)
def test_hard_errors_refuse_everything(sima_officer, family, change, field, fragment):
    members = family()
    members[0].update(change)
    with pytest.raises(DomainError) as refused:
        services.create_household(
            sima_officer, region_code=SIMA_VILLAGE, data={"main_cause": "illness"}, members=members
        )
    assert fragment in refused.value.fields[field]
    assert not Household.objects.exists() and not Member.objects.exists()


def test_lower_case_x_is_normalised(sima_officer, family):
    members = family()
    members[2]["id_number"] = "11010519491231002x"
    members[2]["relation"] = "mother"
    household = services.create_household(
        sima_officer, region_code=SIMA_VILLAGE, data={"main_cause": "illness"}, members=members
    )
    assert household.members.get(relation="mother").id_number == "11010519491231002X"


def test_a_village_outside_the_area_is_refused(jishu_officer, family):
    with pytest.raises(DomainError) as refused:
        services.create_household(
            jishu_officer, region_code=SIMA_VILLAGE, data={"main_cause": "illness"}, members=family()
        )
    assert "region" in refused.value.fields


def test_a_town_code_is_not_a_village(sima_officer, family):
    with pytest.raises(DomainError, match="不是村"):
        services.create_household(
            sima_officer, region_code="370828107000", data={"main_cause": "illness"}, members=family()
        )


def test_soft_warnings_wait_for_a_town_officer(sima_officer, cadre, family):
    members = [dict(m, health="healthy") for m in family()]
    household = services.create_household(
        cadre,
        region_code=SIMA_VILLAGE,
        data={"main_cause": "illness"},
        members=members,
        income={"wage": "0", "production_cost": "100"},
        today=date(2025, 3, 3),
    )
    assert any("健康" in w for w in household.data_warnings)
    assert any("不合理" in w for w in household.data_warnings)
    procedure = household.procedures.get()
    services.take_step(
        cadre,
        procedure,
        Step.VILLAGE_REVIEW,
        {"eligible": 30, "present": 24, "votes_for": 20},
        today=date(2025, 3, 4),
    )
    services.take_step(cadre, procedure, Step.FIRST_NOTICE, {"start": "2025-03-10"}, today=date(2025, 3, 10))
    with pytest.raises(DomainError, match="预警"):
        services.take_step(
            sima_officer, procedure, Step.TOWN_REVIEW, {"compared": True}, today=date(2025, 4, 1)
        )
    services.confirm_warnings(sima_officer, household)
    services.take_step(sima_officer, procedure, Step.TOWN_REVIEW, {"compared": True}, today=date(2025, 4, 1))


def test_consistency_rules():
    from fupin.registry import rules

    assert rules.consistency_warnings("illness", [{"health": "healthy"}], Decimal("3000")) != []
    assert rules.consistency_warnings("illness", [{"health": "serious"}], Decimal("3000")) == []
    assert rules.consistency_warnings("skills", [{"health": "healthy"}], Decimal("100000.01")) != []
    assert rules.consistency_warnings("skills", [{"health": "healthy"}], Decimal("0")) != []
    assert rules.consistency_warnings("skills", [{"health": "healthy"}], Decimal("100000")) == []


def test_helper_cannot_register_households(helper_user, family):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.create_household(
            helper_user, region_code=SIMA_VILLAGE, data={"main_cause": "illness"}, members=family()
        )


def test_update_is_audited_with_the_change(applied, sima_officer):
    services.update_household(sima_officer, applied, {"housing_secure": False, "main_cause": "disability"})
    event = AuditEvent.objects.filter(action="household.update").get()
    assert event.before == {"main_cause": "illness", "housing_secure": True}
    assert event.after == {"main_cause": "disability", "housing_secure": False}


def test_reveal_is_audited_and_limited(applied, sima_officer, cadre):
    from django.core.exceptions import PermissionDenied

    member = applied.head
    assert services.reveal_id_number(sima_officer, member) == member.id_number
    assert AuditEvent.objects.filter(action="household.id_revealed", actor=sima_officer).exists()
    with pytest.raises(PermissionDenied):
        services.reveal_id_number(cadre, member)


def test_person_of_another_village_can_be_registered_once_deceased(applied, jishu_officer, family):
    Member.objects.filter(name="李秀英").update(deceased=True)
    members = family(offset=200)
    members[1]["id_number"] = applied.members.get(name="李秀英").id_number
    household = services.create_household(
        jishu_officer, region_code=JISHU_VILLAGE, data={"main_cause": "skills"}, members=members
    )
    assert household.members.count() == 3
    assert person  # the helper is used by other test files
