"""The job rules an inspector would test (issue 12), tried through the pages and the API as people would:
each refusal is shown next to its field on the page (400, nothing written) and answers 400 naming the field
in the API. The services' own tests are in test_jobs.py and test_employment.py."""

from datetime import date

import pytest
from django.test import Client

from fupin.core import policy
from fupin.core.models import AuditEvent, Region
from fupin.core.tests.test_api import assert_error
from fupin.employment import jobs
from fupin.employment.models import EmploymentAgreement, Placement
from fupin.projects.tests.conftest import make_project
from fupin.registry.models import Member

from .conftest import make_household
from .test_compliance import sign


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def field_error(response, field) -> str:
    """The message shown under the form field `field`."""
    text = response.content.decode()
    marker = f'data-testid="error-{field}">'
    assert marker in text, f"no error under {field}"
    return text.split(marker, 1)[1].split("</div>", 1)[0]


def refusal_above_the_form(response) -> str:
    text = response.content.decode()
    marker = 'data-testid="placement-refusal">'
    assert marker in text, "no refusal above the placement form"
    return text.split(marker, 1)[1].split("</div>", 1)[0]


# --- Placements: a public-welfare post and a workshop job over the same months ----------------------
def test_the_page_refuses_a_workshop_job_for_who_holds_a_welfare_post(sima_officer, workshop, post):
    person = make_household(sima_officer, 1).head
    jobs.place(sima_officer, member=person, post=post, started_on=date(2019, 1, 1))
    client = login(sima_officer)  # logging in leaves its own audit event
    events = AuditEvent.objects.count()

    response = client.post(
        f"/benefits/workshop/{workshop.pk}/placements/",
        {"member": person.pk, "started_on": "2019-03-01", "monthly_wage": "1600"},
    )

    assert response.status_code == 400
    message = field_error(response, "member")
    assert message == "户主1 自 2019-01-01 起已在保洁员就业：同一时期不得同时在公益岗位和扶贫车间就业。"
    assert not Placement.objects.filter(workshop=workshop).exists()
    assert AuditEvent.objects.count() == events


def test_the_api_refuses_a_welfare_post_for_who_works_in_a_workshop(api_as, sima_officer, workshop, post):
    person = make_household(sima_officer, 1).head
    jobs.place(
        sima_officer, member=person, workshop=workshop, started_on=date(2019, 1, 1), monthly_wage="1800"
    )
    body = {"member_id": person.pk, "post_id": post.pk, "started_on": "2019-03-01"}

    error = assert_error(api_as(sima_officer).post("/api/v1/placements", body), 400, "transition_refused")

    assert list(error["fields"]) == ["member_id"] and "公益岗位" in error["fields"]["member_id"]
    assert not Placement.objects.filter(post=post).exists()


def test_where_policy_allows_both_the_page_places_the_person(sima_officer, county_admin, workshop, post):
    person = make_household(sima_officer, 1).head
    jobs.place(sima_officer, member=person, post=post, started_on=date(2019, 1, 1))
    county = Region.objects.get(code="370828000000")
    policy.set_value(county_admin, "employment_allow_post_and_workshop", county, None, "1")

    response = login(sima_officer).post(
        f"/benefits/workshop/{workshop.pk}/placements/",
        {"member": person.pk, "started_on": "2019-03-01", "monthly_wage": "1600"},
    )

    assert response.status_code == 302
    assert Placement.objects.filter(workshop=workshop, member=person).exists()


# --- Placements: capacity -------------------------------------------------------------------------
def test_the_page_refuses_a_placement_beyond_the_capacity_above_the_form(sima_officer, workshop):
    for sequence in (1, 2):  # the workshop has 2 places
        person = make_household(sima_officer, sequence).head
        jobs.place(
            sima_officer, member=person, workshop=workshop, started_on=date(2019, 1, 1), monthly_wage="1800"
        )
    third = make_household(sima_officer, 3).head

    response = login(sima_officer).post(
        f"/benefits/workshop/{workshop.pk}/placements/",
        {"member": third.pk, "started_on": "2019-03-01", "monthly_wage": "1600"},
    )

    assert response.status_code == 400
    assert refusal_above_the_form(response) == "南徐庄扶贫车间在 2019-03-01 没有空余岗位：2 个岗位已占 2 个。"
    assert f'value="{third.pk}" selected' in response.content.decode()  # the form kept what was sent
    assert Placement.objects.count() == 2


def test_the_api_refuses_a_placement_beyond_the_places_of_a_post(api_as, sima_officer, post):
    for sequence in (1, 2):  # the post has 2 places
        jobs.place(
            sima_officer,
            member=make_household(sima_officer, sequence).head,
            post=post,
            started_on=date(2019, 1, 1),
        )
    body = {
        "member_id": make_household(sima_officer, 3).head.pk,
        "post_id": post.pk,
        "started_on": "2019-03-01",
    }

    error = assert_error(api_as(sima_officer).post("/api/v1/placements", body), 400, "no_free_place")

    assert list(error["fields"]) == ["post_id"] and "没有空余岗位" in error["fields"]["post_id"]
    assert Placement.objects.count() == 2


# --- Qualification: who can be placed or sign ------------------------------------------------------
def test_the_page_does_not_place_a_person_who_died_since_the_form_was_opened(sima_officer, workshop):
    person = make_household(sima_officer, 1).head
    Member.objects.filter(pk=person.pk).update(deceased=True)

    response = login(sima_officer).post(
        f"/benefits/workshop/{workshop.pk}/placements/",
        {"member": person.pk, "started_on": "2019-03-01", "monthly_wage": "1600"},
    )

    assert response.status_code == 400 and field_error(response, "member")
    assert not Placement.objects.exists()


@pytest.mark.parametrize(
    ("change", "code", "message"),
    [
        ({"deceased": True}, "not_employable", "户主1已去世，不能与已故人员签订用工协议。"),
        (
            {"labour": "lost"},
            "not_employable",
            "户主1的劳动能力为“丧失劳动力”，无劳动能力者不能签订用工协议。",
        ),
        ({"left_household": True}, "not_employable", "户主1已迁出本户，只有在册成员才能签订用工协议。"),
    ],
)
def test_the_api_refuses_to_place_who_may_not_work(api_as, sima_officer, workshop, change, code, message):
    person = make_household(sima_officer, 1).head
    Member.objects.filter(pk=person.pk).update(**change)
    body = {
        "member_id": person.pk,
        "workshop_id": workshop.pk,
        "started_on": "2019-03-01",
        "monthly_wage": "1600",
    }

    error = assert_error(api_as(sima_officer).post("/api/v1/placements", body), 400, code)

    assert error["fields"] == {"member_id": message}
    assert not Placement.objects.exists()


# --- Agreements: the job rule (wage, months, working age) and one project at a time ---------------
AGREEMENT = {"position": "饲养员", "starts_on": "2018-06-01", "ends_on": "2019-05-31", "monthly_wage": "2000"}
JOB_RULE = [
    ({"monthly_wage": "999.99"}, "monthly_wage", "monthly_wage", "月工资低于 1000.00 元，不计入带动就业。"),
    ({"ends_on": "2018-11-29"}, "ends_on", "ends_on", "协议期限不足 6 个月，不计入带动就业。"),
]


@pytest.fixture
def agreements_page(sima_officer, project, household, time_machine):
    time_machine.move_to(date(2018, 7, 1), tick=False)
    project.beneficiaries.set([household])
    return f"/benefits/projects/{project.pk}/employment/"


@pytest.mark.parametrize(("change", "api_field", "form_field", "message"), JOB_RULE)
def test_the_page_refuses_an_agreement_below_the_job_rule_next_to_the_field(
    sima_officer, household, agreements_page, change, api_field, form_field, message
):
    response = login(sima_officer).post(
        agreements_page, {**AGREEMENT, "member": str(household.head_id), **change}
    )

    assert response.status_code == 400
    assert field_error(response, form_field) == message
    assert not EmploymentAgreement.objects.exists()


@pytest.mark.parametrize(("change", "api_field", "form_field", "message"), JOB_RULE)
def test_the_api_refuses_an_agreement_below_the_job_rule_naming_the_field(
    api_as, sima_officer, project, household, change, api_field, form_field, message
):
    url = f"/api/v1/projects/{project.pk}/employment-agreements"
    body = {**AGREEMENT, "member_id": household.head_id, **change}

    error = assert_error(api_as(sima_officer).post(url, body), 400, "invalid")

    assert error["fields"] == {api_field: message}
    assert not EmploymentAgreement.objects.exists()


def test_a_person_outside_working_age_is_refused_on_the_page_and_by_the_api(
    api_as, sima_officer, project, household, agreements_page
):
    Member.objects.filter(pk=household.head_id).update(birth_date=date(1955, 1, 1))  # 63 on the start
    message = "户主1 在协议开始日为 63 岁：劳动年龄为 16 至 60 岁。"

    response = login(sima_officer).post(agreements_page, {**AGREEMENT, "member": str(household.head_id)})

    assert response.status_code == 400 and field_error(response, "member") == message
    url = f"/api/v1/projects/{project.pk}/employment-agreements"
    error = assert_error(
        api_as(sima_officer).post(url, {**AGREEMENT, "member_id": household.head_id}), 400, "not_employable"
    )
    assert error["fields"] == {"member_id": message}
    assert not EmploymentAgreement.objects.exists()


def test_one_project_at_a_time_on_the_page_and_by_the_api(
    api_as, sima_officer, project, household, agreements_page
):
    other = make_project(sima_officer, name="第二个扶贫产业项目")
    other.beneficiaries.set([household])
    sign(sima_officer, project, household.head)
    second = {**AGREEMENT, "starts_on": "2019-01-01", "ends_on": "2019-12-31"}

    response = login(sima_officer).post(
        f"/benefits/projects/{other.pk}/employment/", {**second, "member": str(household.head_id)}
    )

    assert response.status_code == 400
    assert project.name in field_error(response, "member")
    url = f"/api/v1/projects/{other.pk}/employment-agreements"
    error = assert_error(
        api_as(sima_officer).post(url, {**second, "member_id": household.head_id}), 400, "transition_refused"
    )
    assert (
        list(error["fields"]) == ["member_id"]
        and "同一人同一时间只计入一个项目" in error["fields"]["member_id"]
    )
    assert not EmploymentAgreement.objects.filter(project=other).exists()
