"""The employment compliance pages: by town with the county total, per town's projects within few
queries, and a project's agreements signed on the page with IDs masked and refusals explained."""

from datetime import date

from django.urls import reverse

from fupin.employment.models import EmploymentAgreement
from fupin.projects.tests.conftest import make_project

from .conftest import make_household
from .test_compliance import sign, started


def logged_in(client, user):
    client.force_login(user)
    return client


def test_compliance_pages_by_town_and_per_town(
    client, sima_officer, county_admin, pool, django_assert_max_num_queries, time_machine
):
    time_machine.move_to(date(2018, 7, 1), tick=False)
    people = [make_household(sima_officer, i).head for i in range(1, 6)]
    for i, person in enumerate(people):
        project = started(make_project(sima_officer, name=f"项目{i}", budget="100000.00"))  # 2 jobs each
        sign(sima_officer, project, person)
    client = logged_in(client, county_admin)
    with django_assert_max_num_queries(10):
        page = client.get(reverse("employment:employment")).content.decode()
    assert "司马镇" in page and 'data-testid="total-shortfall">5<' in page
    assert reverse("employment:employment-town", args=["370828107"]) in page
    with django_assert_max_num_queries(10):
        town = client.get(reverse("employment:employment-town", args=["370828107"])).content.decode()
    assert town.count('data-short="1"') == 5
    assert reverse("employment:project-employment", args=[project.pk]) in town


def test_signing_on_the_page_masks_ids_and_explains_refusals(client, project, sima_officer, time_machine):
    time_machine.move_to(date(2018, 7, 1), tick=False)
    able = make_household(sima_officer, 1)
    other = make_household(sima_officer, 2)
    project.beneficiaries.set([able])
    client = logged_in(client, sima_officer)
    url = reverse("employment:project-employment", args=[project.pk])
    page = client.get(url).content.decode()
    assert f'value="{able.head_id}"' in page and f'value="{other.head_id}"' not in page
    assert able.head.id_number not in page
    body = {"position": "饲养员", "starts_on": "2018-06-01", "ends_on": "2019-05-31", "monthly_wage": "2000"}
    assert client.post(url, {**body, "member": str(able.head_id)}).status_code == 302
    by_number = {**body, "household_number": other.number, "member_name": "户主2"}
    assert client.post(url, by_number).status_code == 302
    page = client.get(url).content.decode()
    assert "户主1" in page and "户主2" in page and other.head.id_number not in page
    assert other.head.id_number[:6] + "********" + other.head.id_number[-4:] in page
    assert 'data-testid="active">2<' in page
    response = client.post(url, {**body, "household_number": "999", "member_name": "户主2"})
    assert response.status_code == 400
    assert 'data-testid="error-household_number"' in response.content.decode()
    from fupin.registry.models import Member

    Member.objects.filter(pk=able.head_id).update(deceased=True)
    response = client.post(url, {**body, "household_number": able.number, "member_name": "户主1"})
    assert "户主1已去世，不能与已故人员签订用工协议。" in response.content.decode()
    third = make_household(sima_officer, 3)
    Member.objects.filter(pk=third.head_id).update(labour="lost")
    response = client.post(url, {**body, "household_number": third.number, "member_name": "户主3"})
    assert 'data-testid="error-member"' in response.content.decode()
    assert "无劳动能力者不能签订用工协议" in response.content.decode()
    assert EmploymentAgreement.objects.count() == 2
