"""The API of workshops, posts, placements and matching: each endpoint, its 400, 403 and 404 answers."""

from datetime import date

import pytest

from fupin.core.tests.test_api import assert_error
from fupin.employment import jobs, matching
from fupin.employment.models import Offer, Placement, Post, WorkRecord, Workshop, WorkshopAssessment

from .conftest import make_household
from .jobs_fixtures import TODAY, make_post, make_workshop

WORKSHOP = {
    "name": "南徐庄扶贫车间",
    "operator": "金乡县华源服饰有限公司",
    "region_code": "370828107200",
    "opened_on": "2018-03-01",
    "capacity": 30,
}
POST = {
    "kind": "welfare",
    "title": "护林员",
    "region_code": "370828107000",
    "monthly_wage": "600.00",
    "funded_by": "县级财政专项扶贫资金",
    "places": 5,
    "opened_on": "2018-01-01",
}


def test_workshops_are_created_listed_and_read(api_as, sima_officer, inspector, jishu_officer, clock):
    response = api_as(sima_officer).post("/api/v1/workshops", WORKSHOP)
    assert response.status_code == 201, response.content
    workshop_id = response.json()["id"]
    assert response.json()["employed"] == 0
    rows = api_as(inspector).get("/api/v1/workshops", {"year": 2019}).json()["items"]
    assert [r["name"] for r in rows] == ["南徐庄扶贫车间"]
    assert rows[0]["qualification"] == {
        "year": 2019,
        "workers": 0,
        "qualifying": 0,
        "min_months": 3,
        "min_wage": "5000.00",
        "qualifies": False,
    }
    assert api_as(jishu_officer).get("/api/v1/workshops").json() == {"items": [], "count": 0}
    assert api_as(sima_officer).get("/api/v1/workshops", {"region": "370828107001"}).json()["items"] == []
    detail = api_as(inspector).get(f"/api/v1/workshops/{workshop_id}", {"year": 2019}).json()
    assert detail["people"] == [] and detail["assessments"] == [] and detail["latest_status"] is None
    assert_error(api_as(jishu_officer).get(f"/api/v1/workshops/{workshop_id}"), 404, "not_found")


def test_bad_workshops_answer_400_403(api_as, sima_officer, inspector, clock):
    error = assert_error(
        api_as(sima_officer).post("/api/v1/workshops", {**WORKSHOP, "capacity": 0}), 400, "invalid"
    )
    assert "capacity" in error["fields"]
    error = assert_error(
        api_as(sima_officer).post("/api/v1/workshops", {**WORKSHOP, "region_code": "370828104200"}),
        400,
        "invalid",
    )
    assert error["fields"] == {"region_code": "王庄村不在您的管辖范围内。"}
    assert_error(
        api_as(sima_officer).post("/api/v1/workshops", {**WORKSHOP, "project_id": 999}), 400, "invalid"
    )
    assert_error(api_as(inspector).post("/api/v1/workshops", WORKSHOP), 403, "forbidden")
    assert not Workshop.objects.exists()


def test_posts_are_created_listed_and_read(api_as, sima_officer, inspector, jishu_officer, clock):
    response = api_as(sima_officer).post("/api/v1/posts", POST)
    assert response.status_code == 201, response.content
    assert response.json()["monthly_wage"] == "600.00"
    post_id = response.json()["id"]
    assert [p["title"] for p in api_as(inspector).get("/api/v1/posts").json()["items"]] == ["护林员"]
    assert api_as(jishu_officer).get("/api/v1/posts").json() == {"items": [], "count": 0}
    assert api_as(inspector).get(f"/api/v1/posts/{post_id}").json()["people"] == []
    assert_error(api_as(jishu_officer).get(f"/api/v1/posts/{post_id}"), 404, "not_found")
    assert_error(api_as(sima_officer).post("/api/v1/posts", {**POST, "monthly_wage": "-5"}), 400, "invalid")
    assert_error(api_as(sima_officer).post("/api/v1/posts", {**POST, "kind": "x"}), 400, "invalid")
    assert_error(api_as(inspector).post("/api/v1/posts", POST), 403, "forbidden")
    assert Post.objects.count() == 1


def test_placements_work_records_and_the_end(api_as, sima_officer, inspector, jishu_officer, workshop):
    person = make_household(sima_officer, 1).head
    client = api_as(sima_officer)
    body = {
        "member_id": person.pk,
        "workshop_id": workshop.pk,
        "started_on": "2019-01-01",
        "monthly_wage": "1800",
    }
    assert_error(api_as(inspector).post("/api/v1/placements", body), 403, "forbidden")
    error = assert_error(api_as(jishu_officer).post("/api/v1/placements", body), 400, "invalid")
    assert error["fields"] == {"member_id": "您的辖区内没有此人。"}
    assert_error(client.post("/api/v1/placements", {**body, "workshop_id": 999}), 400, "invalid")
    assert_error(client.post("/api/v1/placements", {**body, "workshop_id": None}), 400, "invalid")
    response = client.post("/api/v1/placements", body)
    assert response.status_code == 201, response.content
    placement_id = response.json()["id"]
    assert response.json()["monthly_wage"] == "1800.00"
    url = f"/api/v1/placements/{placement_id}/work-records"
    record = client.post(url, {"year": 2019, "months": 6, "wages": "10800.00"})
    assert record.status_code == 201 and record.json()["wages"] == "10800.00"
    error = assert_error(client.post(url, {"year": 2019, "months": 13, "wages": "1"}), 400, "invalid")
    assert "months" in error["fields"]
    assert_error(client.post(url, {"year": 2019, "months": 1, "wages": "-1"}), 400, "invalid")
    assert_error(api_as(jishu_officer).post(url, {"year": 2019, "months": 1, "wages": "1"}), 404, "not_found")
    assert_error(api_as(inspector).post(url, {"year": 2019, "months": 1, "wages": "1"}), 403, "forbidden")
    detail = api_as(inspector).get(f"/api/v1/workshops/{workshop.pk}", {"year": 2019}).json()
    assert detail["employed"] == 1 and detail["qualification"]["qualifying"] == 1
    assert detail["people"][0]["id_number"].count("*") == 8
    assert detail["people"][0]["work_records"] == [{"year": 2019, "months": 6, "wages": "10800.00"}]
    end = f"/api/v1/placements/{placement_id}/end"
    assert_error(client.post(end, {"ended_on": "2018-12-31"}), 400, "invalid")
    assert (
        client.post(end, {"ended_on": "2019-06-30", "reason": "外出务工"}).json()["ended_on"] == "2019-06-30"
    )
    assert_error(client.post(end, {"ended_on": "2019-06-30"}), 400, "transition_refused")
    assert WorkRecord.objects.count() == 1 and Placement.objects.get().end_reason == "外出务工"


def test_assessments(api_as, sima_officer, inspector, jishu_officer, workshop):
    url = f"/api/v1/workshops/{workshop.pk}/assessments"
    response = api_as(sima_officer).post(url, {"quarter": "2019-Q1", "note": "无务工记录"})
    assert response.status_code == 201, response.content
    assert response.json()["status"] == response.json()["suggested"] == "monitoring"
    assert_error(api_as(sima_officer).post(url, {"quarter": "2019-Q1"}), 400, "transition_refused")
    assert_error(api_as(sima_officer).post(url, {"quarter": "Q3"}), 400, "invalid")
    assert_error(api_as(inspector).post(url, {"quarter": "2019-Q2"}), 403, "forbidden")
    assert_error(api_as(jishu_officer).post(url, {"quarter": "2019-Q2"}), 404, "not_found")
    rows = api_as(inspector).get("/api/v1/workshops").json()["items"]
    assert (rows[0]["latest_quarter"], rows[0]["latest_status"]) == ("2019-Q1", "monitoring")
    history = api_as(inspector).get(f"/api/v1/workshops/{workshop.pk}").json()["assessments"]
    assert [a["quarter"] for a in history] == ["2019-Q1"]
    assert WorkshopAssessment.objects.count() == 1


def test_matching_offers_accept_and_decline(
    api_as, sima_officer, inspector, jishu_officer, cadre, post, clock
):
    people = [make_household(sima_officer, i).head for i in (1, 2)]
    listing = api_as(cadre).get("/api/v1/matching", {"region": "370828107200"}).json()
    assert listing["count"] == 4
    first = listing["items"][0]
    assert first["name"] == "户主1" and "*" in first["id_number"] and first["offer"] is None
    assert first["openings"] == [
        {
            "kind": "post",
            "id": post.pk,
            "name": "保洁员",
            "region_code": "370828107000",
            "free": 2,
            "monthly_wage": "500.00",
            "same_village": False,
        }
    ]
    assert api_as(jishu_officer).get("/api/v1/matching").json() == {"count": 0, "items": []}
    body = {"member_id": people[0].pk, "post_id": post.pk}
    assert_error(api_as(inspector).post("/api/v1/offers", body), 403, "forbidden")
    assert_error(api_as(jishu_officer).post("/api/v1/offers", body), 400, "invalid")
    offer = api_as(cadre).post("/api/v1/offers", body)
    assert offer.status_code == 201, offer.content
    assert offer.json()["state"] == "offered" and offer.json()["monthly_wage"] == "500.00"
    assert_error(api_as(cadre).post("/api/v1/offers", body), 400, "transition_refused")
    offer_id = offer.json()["id"]
    again = api_as(sima_officer).get("/api/v1/matching", {"page_size": 1}).json()
    assert again["count"] == 4 and again["items"][0]["offer"]["id"] == offer_id
    accept = f"/api/v1/offers/{offer_id}/accept"
    assert_error(api_as(jishu_officer).post(accept, {}), 404, "not_found")
    assert_error(api_as(inspector).post(accept, {}), 403, "forbidden")
    accepted = api_as(cadre).post(accept, {"started_on": "2019-07-02"})
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["state"] == "accepted" and accepted.json()["placement_id"]
    assert_error(api_as(cadre).post(accept, {}), 409, "state_conflict")  # already taken up
    second = api_as(cadre).post("/api/v1/offers", {**body, "member_id": people[1].pk}).json()
    decline = f"/api/v1/offers/{second['id']}/decline"
    assert_error(api_as(cadre).post(decline, {"reason": ""}), 400, "invalid")
    assert_error(api_as(jishu_officer).post(decline, {"reason": "x"}), 404, "not_found")
    declined = api_as(cadre).post(decline, {"reason": "身体原因"}).json()
    assert (declined["state"], declined["reason"]) == ("declined", "身体原因")
    assert Offer.objects.count() == 2 and Placement.objects.get().started_on == date(2019, 7, 2)


def test_the_matching_list_has_no_n_plus_one(api_as, sima_officer, clock, django_assert_max_num_queries):
    for i in range(1, 11):
        make_household(sima_officer, i)
    make_post(sima_officer)
    shop = make_workshop(sima_officer, capacity=30)
    person = make_household(sima_officer, 11).head
    matching.make_offer(sima_officer, member=person, workshop=shop, monthly_wage="1500")
    jobs.place(
        sima_officer,
        member=make_household(sima_officer, 12).head,
        workshop=shop,
        started_on=TODAY,
        monthly_wage="1500",
    )
    client = api_as(sima_officer)
    with django_assert_max_num_queries(10):
        answer = client.get("/api/v1/matching").json()
    assert answer["count"] == 23 and len(answer["items"]) == 23


@pytest.mark.parametrize("url", ["/api/v1/workshops", "/api/v1/posts"])
def test_lists_have_no_n_plus_one(api_as, sima_officer, clock, django_assert_max_num_queries, url):
    for i in range(5):
        shop = make_workshop(sima_officer, name=f"车间{i}")
        jobs.assess_workshop(sima_officer, shop, quarter="2019-Q1", note="x")
        make_post(sima_officer, title=f"岗位{i}")
    client = api_as(sima_officer)
    with django_assert_max_num_queries(10):
        assert len(client.get(url).json()["items"]) == 5
