"""Employment linkage: the formula at its boundaries, who may sign an agreement, compliance, the API."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from fupin.core import policy
from fupin.core.errors import DomainError
from fupin.core.models import AuditEvent
from fupin.core.tests.test_api import assert_error
from fupin.employment import services
from fupin.employment.models import EmploymentAgreement
from fupin.projects.models import Project
from fupin.projects.tests.conftest import make_project
from fupin.registry.enums import Status
from fupin.registry.models import Member

from .conftest import make_household


def project_of(kind, budget):
    return Project(type=kind, budget=Decimal(budget), region_code="370828107200", year=2018)


@pytest.mark.parametrize(
    ("kind", "budget", "jobs"),
    [
        ("industrial", "50000.00", 1),
        ("industrial", "50000.01", 2),
        ("industrial", "49999.99", 1),
        ("industrial", "1783000.00", 36),
        ("financial", "3000000.00", 30),
        ("financial", "100000.01", 2),
        ("infrastructure", "1783000.00", 0),
        ("public_post", "500000.00", 0),
    ],
)
def test_required_jobs_at_the_boundaries(jinxiang, kind, budget, jobs):
    assert services.required_jobs(project_of(kind, budget)) == jobs


def test_the_unit_comes_from_the_county_policy(jinxiang, county_admin):
    policy.set_value(county_admin, "employment_unit_industrial", jinxiang, None, "100000")
    assert services.required_jobs(project_of("industrial", "1783000.00")) == 18


def sign(actor, project, member, **extra):
    data = {
        "position": "饲养员",
        "starts_on": date(2018, 6, 1),
        "ends_on": date(2019, 5, 31),
        "monthly_wage": "2000.00",
        **extra,
    }
    return services.sign_agreement(actor, project, member=member, **data)


def test_an_agreement_is_signed_and_audited(project, household, sima_officer):
    agreement = sign(sima_officer, project, household.head, evidence="协议扫描件 SM-01")
    assert agreement.monthly_wage == Decimal("2000.00") and agreement.region_code == project.region_code
    event = AuditEvent.objects.get(action="benefits.agreement.sign")
    assert event.target_id == str(agreement.pk) and event.after["monthly_wage"] == "2000.00"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"deceased": True}, "户主1已去世，不能与已故人员签订用工协议。"),
        ({"left_household": True}, "户主1已迁出本户，只有在册成员才能签订用工协议。"),
        ({"labour": "lost"}, "户主1的劳动能力为“丧失劳动力”，无劳动能力者不能签订用工协议。"),
        ({"labour": "none"}, "户主1的劳动能力为“无劳动力”，无劳动能力者不能签订用工协议。"),
    ],
)
def test_who_cannot_sign(project, household, sima_officer, change, message):
    Member.objects.filter(pk=household.head_id).update(**change)
    with pytest.raises(DomainError) as refused:
        sign(sima_officer, project, household.head)
    assert refused.value.message == message
    assert refused.value.fields == {"member_id": message}
    assert not EmploymentAgreement.objects.exists()
    assert not AuditEvent.objects.filter(action="benefits.agreement.sign").exists()


@pytest.mark.parametrize("status", [Status.APPLYING, Status.REJECTED])
def test_a_household_not_registered_cannot_sign(project, sima_officer, status):
    household = make_household(sima_officer, 2, status=status)
    with pytest.raises(DomainError) as refused:
        sign(sima_officer, project, household.head)
    assert refused.value.message.startswith("户主2的家庭状态为“")
    assert refused.value.message.endswith("”，该户不是建档立卡户。")
    assert not EmploymentAgreement.objects.exists()


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"monthly_wage": "0"}, "monthly_wage"),
        ({"monthly_wage": "-100"}, "monthly_wage"),
        ({"monthly_wage": "2000.001"}, "monthly_wage"),
        ({"position": " "}, "position"),
        ({"ends_on": date(2018, 5, 31)}, "ends_on"),
    ],
)
def test_bad_agreements_write_nothing(project, household, sima_officer, extra, field):
    with pytest.raises(DomainError) as refused:
        sign(sima_officer, project, household.head, **extra)
    assert field in refused.value.fields
    assert not EmploymentAgreement.objects.exists()


def test_no_overlapping_agreement_for_the_same_person(project, household, sima_officer):
    sign(sima_officer, project, household.head)
    with pytest.raises(DomainError) as refused:
        sign(sima_officer, project, household.head, starts_on=date(2019, 5, 31), ends_on=date(2020, 5, 31))
    assert refused.value.message == "户主1已与本项目签订了该时段的用工协议。"
    sign(sima_officer, project, household.head, starts_on=date(2019, 6, 1), ends_on=date(2020, 5, 31))
    assert EmploymentAgreement.objects.count() == 2


def test_an_inspector_cannot_sign(project, household, inspector):
    with pytest.raises(PermissionDenied):
        sign(inspector, project, household.head)


def test_compliance_counts_active_people_against_the_requirement(project, sima_officer):
    people = [make_household(sima_officer, i).head for i in range(1, 4)]
    sign(sima_officer, project, people[0])
    sign(sima_officer, project, people[1], starts_on=date(2017, 1, 1), ends_on=date(2017, 12, 31))
    sign(sima_officer, project, people[2])
    result = services.compliance(project, on=date(2018, 7, 1))
    assert result.as_dict() == {"required": 36, "signed": 3, "active": 2, "shortfall": 34, "compliant": False}
    Project.objects.filter(pk=project.pk).update(budget="100000.00")
    project.refresh_from_db()
    assert services.compliance(project, on=date(2018, 7, 1)).as_dict() == {
        "required": 2,
        "signed": 3,
        "active": 2,
        "shortfall": 0,
        "compliant": True,
    }


# --- API ------------------------------------------------------------------------------------------
def test_the_api_signs_and_reports_compliance(
    api_as, project, household, sima_officer, inspector, time_machine
):
    time_machine.move_to(date(2018, 7, 1), tick=False)
    client = api_as(sima_officer)
    body = {
        "member_id": household.head_id,
        "position": "饲养员",
        "starts_on": "2018-06-01",
        "ends_on": "2019-05-31",
        "monthly_wage": "2000.00",
    }
    response = client.post(f"/api/v1/projects/{project.pk}/employment-agreements", body)
    assert response.status_code == 201, response.content
    assert response.json()["monthly_wage"] == "2000.00" and response.json()["name"] == "户主1"
    answer = api_as(inspector).get(f"/api/v1/projects/{project.pk}/employment").json()
    assert answer == {"required": 36, "signed": 1, "active": 1, "shortfall": 35, "compliant": False}
    listed = api_as(inspector).get(f"/api/v1/projects/{project.pk}/employment-agreements").json()["items"]
    assert [row["position"] for row in listed] == ["饲养员"]


def test_the_api_refuses_with_the_reason(api_as, project, household, sima_officer, inspector):
    Member.objects.filter(pk=household.head_id).update(deceased=True)
    url = f"/api/v1/projects/{project.pk}/employment-agreements"
    body = {
        "member_id": household.head_id,
        "position": "饲养员",
        "starts_on": "2018-06-01",
        "ends_on": "2019-05-31",
        "monthly_wage": "2000.00",
    }
    error = assert_error(api_as(sima_officer).post(url, body), 400, "not_employable")
    assert error["fields"] == {"member_id": "户主1已去世，不能与已故人员签订用工协议。"}
    assert_error(api_as(sima_officer).post(url, {**body, "member_id": 999999}), 400, "invalid")
    assert_error(api_as(inspector).post(url, body), 403, "forbidden")
    assert not EmploymentAgreement.objects.exists()


def test_other_towns_see_nothing(api_as, project, jishu_officer):
    assert_error(api_as(jishu_officer).get(f"/api/v1/projects/{project.pk}/employment"), 404, "not_found")


# --- The job rule (issue 12): wage, months and age from policy; one project at a time -----------------
@pytest.mark.parametrize(
    ("extra", "field", "words"),
    [
        ({"monthly_wage": "999.99"}, "monthly_wage", "1000.00 元"),
        ({"ends_on": date(2018, 11, 29)}, "ends_on", "6 个月"),
    ],
)
def test_an_agreement_below_the_job_rule_is_refused(project, household, sima_officer, extra, field, words):
    with translation.override("zh-hans"), pytest.raises(DomainError) as refused:
        sign(sima_officer, project, household.head, **extra)
    assert field in refused.value.fields and words in refused.value.message
    assert not EmploymentAgreement.objects.exists()


def test_the_job_rule_at_its_boundaries_and_from_policy(
    project, household, sima_officer, county_admin, jinxiang
):
    # Exactly 1,000 yuan and exactly six months (1 June to 30 November) count.
    sign(sima_officer, project, household.head, monthly_wage="1000.00", ends_on=date(2018, 11, 30))
    assert services.months_covered(date(2018, 6, 1), date(2018, 11, 30)) == 6
    assert services.months_covered(date(2018, 6, 1), date(2018, 11, 29)) == 5
    policy.set_value(county_admin, "employment_min_monthly_wage", jinxiang, None, "2500")
    with pytest.raises(DomainError) as refused:
        sign(sima_officer, project, household.members.exclude(pk=household.head.pk).first())
    assert "monthly_wage" in refused.value.fields


def test_a_person_outside_working_age_is_refused(project, household, sima_officer):
    head = household.head
    Member.objects.filter(pk=head.pk).update(birth_date=date(1955, 1, 1))  # 63 on the start
    with translation.override("zh-hans"), pytest.raises(DomainError) as refused:
        sign(sima_officer, project, head)
    assert "member_id" in refused.value.fields and "劳动年龄" in refused.value.message
    assert not EmploymentAgreement.objects.exists()


def test_one_person_counts_for_one_project_at_a_time(project, household, sima_officer):
    other = make_project(sima_officer, name="第二个扶贫产业项目")
    sign(sima_officer, project, household.head)
    with translation.override("zh-hans"), pytest.raises(DomainError) as refused:
        sign(sima_officer, other, household.head, starts_on=date(2019, 1, 1), ends_on=date(2019, 12, 31))
    assert "member_id" in refused.value.fields and project.name in refused.value.message
    assert EmploymentAgreement.objects.filter(project=other).count() == 0
    # After the first agreement ends, the person may work for the other project.
    sign(sima_officer, other, household.head, starts_on=date(2019, 6, 1), ends_on=date(2019, 12, 31))
    assert EmploymentAgreement.objects.filter(member=household.head).count() == 2
