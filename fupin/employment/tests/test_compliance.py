"""Employment compliance per project, town and county: the same numbers as the project's own, sums of
per-project shortfalls, units from policy per region and year, a bounded number of queries, the API."""

from datetime import date

import pytest

from fupin.core import policy
from fupin.core.errors import DomainError
from fupin.core.models import Region
from fupin.core.tests.test_api import assert_error
from fupin.employment import compliance, services
from fupin.projects.models import Project
from fupin.projects.tests.conftest import make_project

from .conftest import make_household

ON = date(2018, 7, 1)


def started(project, state="operating"):
    Project.objects.filter(pk=project.pk).update(state=state)
    project.refresh_from_db()
    return project


def sign(actor, project, member, starts_on=date(2018, 6, 1), ends_on=date(2019, 5, 31)):
    return services.sign_agreement(
        actor,
        project,
        member=member,
        position="饲养员",
        starts_on=starts_on,
        ends_on=ends_on,
        monthly_wage="2000.00",
    )


@pytest.fixture
def county(sima_officer, jishu_officer, pool):
    """司马镇: one project 2 short, one with a surplus of 1; 鸡黍镇: one financial project, met."""
    people = [make_household(sima_officer, i).head for i in range(1, 7)]
    short = started(make_project(sima_officer, name="短缺项目", budget="150000.00"))  # 3 jobs
    surplus = started(make_project(sima_officer, name="超额项目", budget="50000.00"), "completed")  # 1
    financial = started(
        make_project(
            jishu_officer,
            name="鸡黍镇金融项目",
            type="financial",
            budget="200000.00",
            region_code="370828104200",
        )
    )  # 2 jobs
    sign(sima_officer, short, people[0])
    sign(sima_officer, short, people[1], date(2017, 1, 1), date(2017, 12, 31))  # ended: signed, not active
    sign(sima_officer, surplus, people[2])
    sign(sima_officer, surplus, people[3])
    sign(jishu_officer, financial, people[4])
    sign(jishu_officer, financial, people[5])
    # Projects that owe no jobs: a draft, an infrastructure project.
    make_project(sima_officer, name="储备项目", budget="500000.00")
    started(make_project(sima_officer, name="道路项目", type="infrastructure", budget="900000.00"))
    return {"short": short, "surplus": surplus, "financial": financial}


def test_per_project_rows_agree_with_the_projects_own_compliance(county, time_machine):
    time_machine.move_to(ON, tick=False)
    rows = {r.name: r for r in compliance.by_project(Project.objects.all())}
    assert set(rows) == {"短缺项目", "超额项目", "鸡黍镇金融项目"}
    for name, project in [("短缺项目", county["short"]), ("超额项目", county["surplus"])]:
        own = services.compliance(project).as_dict()
        row = rows[name]
        assert (row.required, row.signed, row.active, row.shortfall) == (
            own["required"],
            own["signed"],
            own["active"],
            own["shortfall"],
        )
    assert (rows["短缺项目"].required, rows["短缺项目"].signed, rows["短缺项目"].active) == (3, 2, 1)


def test_a_surplus_does_not_cover_another_projects_shortfall(county):
    result = compliance.by_town(Project.objects.all(), ON)
    towns = {t.name: t.as_dict() for t in result["towns"]}
    assert towns["司马镇"] == {
        "code": "370828107000",
        "name": "司马镇",
        "projects": 2,
        "required": 4,
        "signed": 4,
        "active": 3,
        "shortfall": 2,  # 3 − 1 for one project; the other's surplus (2 for 1) does not count
        "compliant": False,
    }
    assert towns["鸡黍镇"]["shortfall"] == 0 and towns["鸡黍镇"]["compliant"]
    total = result["total"].as_dict()
    assert (total["projects"], total["required"], total["active"], total["shortfall"]) == (3, 6, 5, 2)
    assert [t.code for t in result["towns"]] == ["370828104000", "370828107000"]


def test_people_are_counted_on_the_day(county):
    later = compliance.by_town(Project.objects.all(), date(2019, 6, 1))
    assert later["total"].active == 0 and later["total"].signed == 6 and later["total"].shortfall == 6


def test_units_come_from_policy_per_region_and_year(county, county_admin):
    policy.set_value(
        county_admin, "employment_unit_industrial", Region.objects.get(code="370828107000"), 2018, "25000"
    )
    policy.set_value(
        county_admin, "employment_unit_financial", Region.objects.get(code="370828000000"), None, "50000"
    )
    rows = {r.name: r for r in compliance.by_project(Project.objects.all(), ON)}
    assert rows["短缺项目"].required == 6 and rows["超额项目"].required == 2  # 2018 in 司马镇: 25,000
    assert rows["鸡黍镇金融项目"].required == 4
    for name, project in [("短缺项目", county["short"]), ("鸡黍镇金融项目", county["financial"])]:
        assert rows[name].required == services.required_jobs(project)
    Project.objects.filter(pk=county["short"].pk).update(year=2017)  # before the 2018 setting
    rows = {r.name: r for r in compliance.by_project(Project.objects.all(), ON)}
    assert rows["短缺项目"].required == 3


def test_the_queries_do_not_grow_with_projects_or_agreements(
    county, sima_officer, django_assert_max_num_queries
):
    with django_assert_max_num_queries(4):
        compliance.by_town(Project.objects.all(), ON)
    people = [make_household(sima_officer, i).head for i in range(20, 30)]
    for i, person in enumerate(people):
        project = started(make_project(sima_officer, name=f"项目{i}", budget="120000.00"))
        sign(sima_officer, project, person)
    with django_assert_max_num_queries(4):
        result = compliance.by_town(Project.objects.all(), ON)
    assert result["total"].projects == 13


# --- API ------------------------------------------------------------------------------------------
URL = "/api/v1/benefits/employment"


def test_the_api_answers_by_town_inside_the_scope(api_as, county, county_admin, sima_officer, time_machine):
    time_machine.move_to(ON, tick=False)
    everything = api_as(county_admin).get(URL).json()
    assert [t["name"] for t in everything["towns"]] == ["鸡黍镇", "司马镇"]
    assert everything["total"]["shortfall"] == 2 and everything["total"]["name"] == "合计"
    mine = api_as(sima_officer).get(URL).json()
    assert [t["name"] for t in mine["towns"]] == ["司马镇"] and mine["total"]["required"] == 4
    assert api_as(county_admin).get(URL, {"region": "370828104"}).json()["total"]["required"] == 2
    assert api_as(county_admin).get(URL, {"region": "370828104200"}).json()["total"]["projects"] == 1
    later = api_as(county_admin).get(URL, {"on": "2019-06-01"}).json()
    assert later["total"]["active"] == 0


def test_the_api_refuses_bad_and_foreign_regions(api_as, county, sima_officer):
    client = api_as(sima_officer)
    assert_error(client.get(URL, {"region": "370828104"}), 404, "not_found")
    assert_error(client.get(URL, {"region": "370828"}), 404, "not_found")  # the county is more than 司马镇
    error = assert_error(client.get(URL, {"region": "37082810"}), 400, "invalid")
    assert error["fields"] == {"region": "请填写 6 位、9 位或 12 位区划代码，例如 370828107。"}
    assert_error(client.get(URL, {"region": "abc"}), 400, "invalid")
    assert_error(client.get(URL, {"region": "370828107999"}), 404, "not_found")  # no such village


# --- Choosing the person ------------------------------------------------------------------------
def test_members_are_found_by_household_number_and_name(sima_officer, jishu_officer, household):
    found = compliance.find_member(sima_officer, household_number=household.number, name="户主1")
    assert found.pk == household.head_id
    cases = [
        ({"household_number": "", "name": "户主1"}, "household_number", "此项为必填项。"),
        (
            {"household_number": "999", "name": "户主1"},
            "household_number",
            "您的辖区内没有户编号为 999 的农户。",
        ),
        ({"household_number": household.number, "name": ""}, "member_name", "此项为必填项。"),
        (
            {"household_number": household.number, "name": "张三"},
            "member_name",
            f"户 {household.number} 没有名为张三的成员。",
        ),
    ]
    for data, field, message in cases:
        with pytest.raises(DomainError) as refused:
            compliance.find_member(sima_officer, **data)
        assert refused.value.fields == {field: message}
    with pytest.raises(DomainError):  # another town's household is not found
        compliance.find_member(jishu_officer, household_number=household.number, name="户主1")


def test_candidates_are_the_beneficiaries_able_to_work(project, sima_officer):
    from fupin.registry.models import Member

    able = make_household(sima_officer, 1, size=3)
    unable = make_household(sima_officer, 2)
    make_household(sima_officer, 3)  # not a beneficiary
    Member.objects.filter(household=unable).update(labour="lost")
    Member.objects.filter(household=able, name="成员1-2").update(deceased=True)
    project.beneficiaries.set([able, unable])
    assert [m.name for m in compliance.candidates(project)] == ["户主1", "成员1-1"]
