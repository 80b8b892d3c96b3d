"""Pages of workshops, posts and matching: scope, masked IDs, the forms, query counts, htmx offers and
a phone in a real browser."""

import re
from datetime import date

import pytest
from django.test import Client

from fupin.conftest import PASSWORD
from fupin.employment import jobs, matching
from fupin.employment.enums import OFFERS
from fupin.employment.models import Offer, Placement, WorkRecord, WorkshopAssessment

from .conftest import make_household
from .jobs_fixtures import TODAY, make_post, make_workshop


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def staffed(sima_officer, workshop):
    person = make_household(sima_officer, 1).head
    placement = jobs.place(
        sima_officer, member=person, workshop=workshop, started_on=date(2019, 1, 1), monthly_wage="1800"
    )
    jobs.record_work(sima_officer, placement, year=2019, months=6, wages="10800")
    return placement


def test_the_workshop_list_by_town(sima_officer, jishu_officer, staffed, django_assert_max_num_queries):
    for i in range(4):
        make_workshop(sima_officer, name=f"车间{i}")
    client = login(sima_officer)
    with django_assert_max_num_queries(16):
        page = client.get("/benefits/workshops/")
    text = page.content.decode()
    assert page.status_code == 200 and "南徐庄扶贫车间" in text and "司马镇" in text
    assert "2019 年达标" in text  # the latest year with records
    assert "南徐庄扶贫车间" not in login(jishu_officer).get("/benefits/workshops/").content.decode()


def test_the_workshop_page_masks_ids_and_offers_forms(sima_officer, inspector, jishu_officer, staffed):
    url = f"/benefits/workshops/{staffed.workshop_id}/"
    text = login(sima_officer).get(url).content.decode()
    assert staffed.member.id_number not in text and staffed.member.id_number[-4:] in text
    assert "2019 年：6 个月，10,800.00 元" in text
    assert 'data-testid="placement-form"' in text and 'data-testid="assessment-form"' in text
    read_only = login(inspector).get(url).content.decode()
    assert "placement-form" not in read_only and "assessment-form" not in read_only
    assert login(jishu_officer).get(url).status_code == 404


def test_the_forms_call_the_services(sima_officer, staffed):
    client = login(sima_officer)
    workshop = staffed.workshop
    other = make_household(sima_officer, 2).head
    response = client.post(
        f"/benefits/workshop/{workshop.pk}/placements/",
        {"member": other.pk, "started_on": "2019-02-01", "monthly_wage": "1600"},
        follow=True,
    )
    assert "已安置上岗。" in response.content.decode()
    full = make_household(sima_officer, 3).head
    response = client.post(
        f"/benefits/workshop/{workshop.pk}/placements/",
        {"member": full.pk, "started_on": "2019-03-01", "monthly_wage": "1600"},
        follow=True,
    )
    assert "没有空余岗位" in response.content.decode()
    response = client.post(
        f"/benefits/workshop/{workshop.pk}/work-records/",
        {"placement": staffed.pk, "year": 2019, "months": 13, "wages": "1"},
        follow=True,
    )
    assert "务工时间必须在 0 到 12 个月之间。" in response.content.decode()
    client.post(f"/benefits/workshops/{workshop.pk}/assessments/", {"quarter": "2019-Q1", "note": "按月巡查"})
    assert WorkshopAssessment.objects.get().status == "normal"
    assert Placement.objects.count() == 2 and WorkRecord.objects.count() == 1


def test_the_post_pages(sima_officer, jishu_officer, post, django_assert_max_num_queries):
    jobs.place(sima_officer, member=make_household(sima_officer, 1).head, post=post, started_on=TODAY)
    client = login(sima_officer)
    with django_assert_max_num_queries(12):
        text = client.get("/benefits/posts/").content.decode()
    assert "保洁员" in text and "1 / 2" in text
    assert "户主1" in client.get(f"/benefits/posts/{post.pk}/").content.decode()
    assert login(jishu_officer).get(f"/benefits/posts/{post.pk}/").status_code == 404


def test_matching_page(sima_officer, cadre, inspector, jishu_officer, post, django_assert_max_num_queries):
    people = [make_household(sima_officer, i).head for i in range(1, 7)]
    make_workshop(sima_officer, capacity=10)
    client = login(cadre)
    with django_assert_max_num_queries(16):
        page = client.get("/benefits/matching/")
    text = page.content.decode()
    assert text.count('data-testid="card"') == 12 and people[0].id_number not in text
    card = client.post(f"/benefits/matching/{people[0].pk}/offers/", {"kind": "post", "employer": post.pk})
    assert "已推荐" in card.content.decode() and Offer.objects.get().state == "offered"
    offer = Offer.objects.get()
    declined = client.post(f"/benefits/offers/{offer.pk}/decline/", {"reason": ""})
    assert "请填写谢绝的原因。" in declined.content.decode()
    accepted = client.post(f"/benefits/offers/{offer.pk}/accept/")
    assert "已接受" in accepted.content.decode() and Placement.objects.get().member == people[0]
    assert (
        login(inspector).post(f"/benefits/matching/{people[1].pk}/offers/", {"kind": "post"}).status_code
        == 403
    )
    assert login(jishu_officer).post(f"/benefits/offers/{offer.pk}/accept/").status_code in {403, 404}
    nobody = client.post(f"/benefits/matching/{people[1].pk}/offers/", {"kind": "post", "employer": 0})
    assert "您的管辖范围内没有该岗位。" in nobody.content.decode()
    assert matching.candidates(sima_officer).count() == 11


@pytest.mark.browser
def test_a_cadre_offers_a_post_on_a_phone_and_records_the_outcome(
    phone_page, cadre, sima_officer, live_server
):
    post = make_post(sima_officer)
    make_household(sima_officer, 1)
    phone_page.goto("/login/")
    phone_page.fill("input[name=username]", "cadre")
    phone_page.fill("input[name=password]", PASSWORD)
    phone_page.click("button[type=submit]")
    phone_page.goto("/benefits/matching/")
    card = phone_page.locator('[data-testid="card"]').filter(has_text="户主1")
    card.get_by_role("button", name="推荐").click()
    card = phone_page.locator('[data-testid="card"]').filter(has_text="户主1")
    card.get_by_text("已推荐").wait_for()
    card.get_by_role("button", name="接受").click()
    phone_page.get_by_text("已接受：户主1到保洁员上岗。").wait_for()
    placement = Placement.objects.get()
    assert placement.post == post and placement.member.name == "户主1"
    assert Offer.objects.get().state == "accepted"


def test_an_offers_card_shows_exactly_the_steps_the_workflow_allows(sima_officer, cadre, inspector, post):
    person = make_household(sima_officer, 1).head
    offer = matching.make_offer(cadre, member=person, post=post)
    for user, expected in ((cadre, ["accept", "decline"]), (inspector, [])):
        html = login(user).get("/benefits/matching/").content.decode()
        shown = re.findall(rf"/benefits/offers/{offer.pk}/(\w+)/", html)
        assert shown == expected == [s.action for s in OFFERS.allowed(user, offer)]
