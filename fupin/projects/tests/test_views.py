"""The pages: list with filters and export, the project page, the expert's page, funds, public disclosure."""

from datetime import date

import pytest
from django.test import Client

from fupin.projects import services
from fupin.projects.models import Project

from .conftest import make_project, to_implementing, to_library


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_list_filters_exports_and_costs_the_same_for_1_and_20_rows(
    sima_officer, pool, django_assert_max_num_queries
):
    make_project(sima_officer)
    client = logged_in(sima_officer)
    with django_assert_max_num_queries(12) as one:
        assert "华源牧业" in client.get("/projects/").content.decode()
    for n in range(19):
        make_project(sima_officer, name=f"项目{n}", type="financial")
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get("/projects/").content.decode()
    assert "项目18" in page
    assert "华源牧业" not in client.get("/projects/?type=financial").content.decode()
    export = client.get("/projects/?export=xlsx")
    assert export["Content-Type"].endswith("spreadsheetml.sheet")


def test_a_jishu_officer_gets_404_on_a_sima_project(project, jishu_officer):
    assert logged_in(jishu_officer).get(f"/projects/{project.pk}/").status_code == 404


def test_the_project_page_takes_steps_and_shows_the_timeline(project, sima_officer):
    client = logged_in(sima_officer)
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert "提交乡镇审核" in page
    response = client.post(f"/projects/{project.pk}/act/submit/", follow=True)
    assert "乡镇审核" in response.content.decode()
    assert Project.objects.get().state == "town_review"
    refused = client.post(f"/projects/{project.pk}/act/return/", {"reason": ""}, follow=True)
    assert "请填写原因。" in refused.content.decode()


def test_an_expert_sees_only_the_drawn_review_and_scores_on_the_page(
    project, sima_officer, county_admin, pool
):
    services.transition(sima_officer, project, "submit")
    services.transition(county_admin, project, "town_approve")
    review = services.draw_experts(county_admin, project, seed=3)
    drawn = review.seats.first().expert.user
    other = next(e.user for e in pool if not review.seats.filter(expert=e).exists())
    assert logged_in(other).get(f"/reviews/{review.pk}/").status_code == 404
    assert logged_in(other).get(f"/projects/{project.pk}/").status_code == 404
    client = logged_in(drawn)
    body = dict.fromkeys(["feasibility", "compliance", "soundness", "durability", "linkage"], 16)
    page = client.post(f"/reviews/{review.pk}/", body, follow=True).content.decode()
    assert "您已完成对该项目的评分" in page
    assert project.pk in Project.objects.visible_to(drawn).values_list("pk", flat=True)


def test_funds_pages_and_the_public_disclosure_mask_names(
    project, sima_officer, county_admin, finance, source, time_machine
):
    to_implementing(project, sima_officer, county_admin, finance, source, time_machine)
    allocation = project.allocations.get()
    client = logged_in(finance)
    assert "执行率" in client.get("/funds/").content.decode()
    paid = client.post(
        f"/funds/allocations/{allocation.pk}/",
        {"amount": "2000000", "paid_on": "2018-06-01", "payee": "金乡建工", "voucher_no": "记-1"},
        follow=True,
    )
    assert "资金不足" in paid.content.decode()
    anonymous = Client()
    funds_page = anonymous.get("/public/funds/").content.decode()
    assert "华源牧业" in funds_page and "司马镇南徐庄村" in funds_page
    other = make_project(sima_officer, name="山林农贸")
    services.transition(sima_officer, other, "submit")
    services.transition(county_admin, other, "town_approve")
    review = services.draw_experts(county_admin, other, seed=5)
    from .conftest import score_all

    time_machine.move_to(date(2018, 5, 2), tick=False)
    score_all(review)
    public = anonymous.get("/public/projects/?year=2018").content.decode()
    assert "山林农贸" in public and "王**" in public and "王镇长" not in public
    assert "司马镇南徐庄村" in public
    # Without a year the plan shown is the latest one up to today: 2018's, not an empty current year.
    time_machine.move_to(date(2020, 5, 2), tick=False)
    latest = anonymous.get("/public/projects/").content.decode()
    assert "2018 年度项目计划" in latest and "华源牧业" in latest
    detail = logged_in(sima_officer).get(f"/projects/{project.pk}/").content.decode()
    assert "司马镇南徐庄村" in detail


def test_statistics_page(project, sima_officer):
    page = logged_in(sima_officer).get("/projects/statistics/").content.decode()
    assert "按镇街" in page and "司马镇" in page


@pytest.mark.parametrize("url", ["/projects/", "/funds/", "/reviews/"])
def test_pages_need_a_login(url, jinxiang):
    assert Client().get(url).status_code == 302


def test_library_via_helper(project, sima_officer, county_admin, time_machine):
    assert to_library(project, sima_officer, county_admin, time_machine).state == "library"


def test_a_returned_project_is_corrected_on_its_edit_page(client, sima_officer, jishu_officer, project):
    client.force_login(sima_officer)
    assert "edit" in client.get(f"/projects/{project.pk}/").content.decode()
    form = client.get(f"/projects/{project.pk}/edit/").context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(targets="带动 150 户贫困户每户年增收 600 元", budget="1783000.00", linkage="both")
    response = client.post(f"/projects/{project.pk}/edit/", data)
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.targets == "带动 150 户贫困户每户年增收 600 元"
    client.force_login(jishu_officer)
    assert client.get(f"/projects/{project.pk}/edit/").status_code == 404
