"""Registry API: list with filters and search, create with members, PATCH, transitions, visits, reveal."""

from datetime import date

import pytest
from django.utils import timezone

from fupin.core.models import AuditEvent
from fupin.core.tests.test_api import assert_error
from fupin.registry.models import Household

from .conftest import JISHU_VILLAGE, SIMA_VILLAGE, make_sima_household, person


def body(members, **extra):
    return {"region": SIMA_VILLAGE, "main_cause": "illness", "members": members, **extra}


def test_create_returns_the_household_with_masked_members(api_as, sima_officer, family):
    response = api_as(sima_officer).post("/api/v1/households", body(family(), income={"wage": "9000.50"}))
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["number"] == "1072000001" and data["status"] == "applying" and data["size"] == 3
    head = data["members"][0]
    assert head["name"] == "张三" and head["id_number"].startswith("370828") and "*" in head["id_number"]
    assert data["per_capita_income"] == "3000.17"
    assert data["procedure"] == {
        "gate": "entry",
        "step": "applied",
        "next_step": "village_review",
        "notice_start": None,
        "notice_end": None,
        "open_objections": [],
    }


def test_create_with_a_bad_member_is_400_naming_the_field(api_as, sima_officer, family):
    members = family()
    members[1]["id_number"] = "370828650309123"
    body_ = assert_error(api_as(sima_officer).post("/api/v1/households", body(members)), 400, "invalid")
    assert "18 位" in body_["fields"]["members.1.id_number"]
    assert not Household.objects.exists()


def test_create_in_another_town_is_refused(api_as, jishu_officer, family):
    response = api_as(jishu_officer).post("/api/v1/households", body(family()))
    assert_error(response, 400, "invalid")
    assert not Household.objects.exists()


def test_create_by_a_helper_is_403(api_as, helper_user, family):
    assert_error(api_as(helper_user).post("/api/v1/households", body(family())), 403, "forbidden")


def test_missing_members_is_400(api_as, sima_officer):
    response = api_as(sima_officer).post(
        "/api/v1/households", {"region": SIMA_VILLAGE, "main_cause": "illness"}
    )
    assert assert_error(response, 400, "validation_error")["fields"] == {"members": "此项为必填项。"}


@pytest.fixture
def three_households(sima_officer, jishu_officer, family):
    from fupin.registry import services

    a = make_sima_household(sima_officer)
    b = services.create_household(
        sima_officer, region_code=SIMA_VILLAGE, data={"main_cause": "illness"}, members=family()
    )
    c = services.create_household(
        jishu_officer,
        region_code=JISHU_VILLAGE,
        data={"main_cause": "land"},
        members=[person("张珊", date(1980, 1, 1), 90, "F", "head")],
    )
    return a, b, c


def test_list_is_scoped_and_filtered(api_as, sima_officer, county_admin, three_households):
    a, b, c = three_households
    own = api_as(sima_officer).get("/api/v1/households").json()
    assert own["count"] == 2 and {h["number"] for h in own["items"]} == {a.number, b.number}
    county = api_as(county_admin)
    assert county.get("/api/v1/households").json()["count"] == 3
    assert county.get("/api/v1/households", {"region": "370828104"}).json()["count"] == 1
    assert county.get("/api/v1/households", {"region": "370828104000"}).json()["count"] == 1
    assert county.get("/api/v1/households", {"cause": "land"}).json()["items"][0]["head"] == "张珊"
    assert county.get("/api/v1/households", {"status": "not_lifted"}).json()["count"] == 0


@pytest.mark.parametrize(
    ("q", "heads"),
    [
        ("张", {"张三", "张珊"}),
        ("zs", {"张三", "张珊"}),
        ("zhangshan", {"张珊"}),
        ("wangw", {"王五"}),
        ("李秀英", {"张三"}),
        ("1072000001", {"王五"}),
    ],
)
def test_search_by_name_pinyin_id_and_number(api_as, county_admin, three_households, q, heads):
    items = api_as(county_admin).get("/api/v1/households", {"q": q}).json()["items"]
    assert {h["head"] for h in items} == heads


def test_search_by_id_number_full_and_last6(api_as, county_admin, three_households):
    number = three_households[2].head.id_number
    client = api_as(county_admin)
    assert client.get("/api/v1/households", {"q": number}).json()["items"][0]["head"] == "张珊"
    assert client.get("/api/v1/households", {"q": number[-6:]}).json()["items"][0]["head"] == "张珊"


@pytest.mark.parametrize("digits", [slice(None), slice(-6, None)], ids=["full", "last6"])
def test_only_who_may_reveal_an_id_searches_by_one(api_as, client, cadre, three_households, digits):
    """A yes/no answer to "is this ID here", beside the masked number and the birth year, would rebuild the
    whole number after a few dozen tries: a village cadre searches by name instead."""
    number = three_households[2].head.id_number[digits]
    body = assert_error(api_as(cadre).get("/api/v1/households", {"q": number}), 400, "invalid")
    assert "身份证号" in body["fields"]["q"]
    client.force_login(cadre)
    page = client.get("/households/", {"q": number})
    assert page.status_code == 200 and "按身份证号查找仅限" in page.content.decode()
    assert page.context["form"].fields["q"].help_text == "姓名、拼音首字母、户编号"  # ID search not offered
    assert not page.context["page"].object_list
    assert api_as(cadre).get("/api/v1/households", {"q": "张"}).status_code == 200


def test_list_page_size_is_bounded(api_as, county_admin, three_households):
    response = api_as(county_admin).get("/api/v1/households", {"page_size": 1000})
    assert_error(response, 400, "validation_error")
    page = api_as(county_admin).get("/api/v1/households", {"page_size": 2, "page": 2}).json()
    assert page["count"] == 3 and len(page["items"]) == 1


def test_list_query_count_does_not_grow(api_as, county_admin, sima_officer, django_assert_max_num_queries):
    client = api_as(county_admin)
    make_sima_household(sima_officer)
    client.get("/api/v1/households")
    # 5: the token, its last use, the user's roles (read once for the access policy), count, page.
    with django_assert_max_num_queries(5) as one:
        client.get("/api/v1/households")
    for offset in range(1, 20):
        make_sima_household(sima_officer, offset=offset * 3)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(client.get("/api/v1/households").json()["items"]) == 20


def test_detail_patch_and_scope(api_as, sima_officer, jishu_officer, three_households):
    a = three_households[0]
    client = api_as(sima_officer)
    assert client.get(f"/api/v1/households/{a.pk}").json()["members"][0]["name"] == "王五"
    patched = client.patch(
        f"/api/v1/households/{a.pk}", {"housing_secure": False, "income": {"year": 2025, "wage": "12000"}}
    )
    assert patched.status_code == 200
    assert patched.json()["housing_secure"] is False and patched.json()["per_capita_income"] == "6000.00"
    outsider = api_as(jishu_officer)
    assert_error(outsider.get(f"/api/v1/households/{a.pk}"), 404, "not_found")
    assert_error(outsider.patch(f"/api/v1/households/{a.pk}", {"housing_secure": True}), 404, "not_found")
    assert_error(client.patch(f"/api/v1/households/{a.pk}", {"main_cause": "luck"}), 400, "invalid")


def test_transitions_through_the_api(api_as, sima_officer, make_user, three_households):
    a = three_households[0]
    cadre = make_user("cadre2", SIMA_VILLAGE, roles=["village_cadre"])
    client = api_as(cadre)
    url = f"/api/v1/households/{a.pk}/transitions"
    assert_error(client.post(url, {"action": "first_notice"}), 409, "state_conflict")  # out of order
    assert_error(client.post(url, {"action": "fly"}), 400, "invalid")
    ok = client.post(url, {"action": "village_review", "eligible": 30, "present": 25, "votes_for": 20})
    assert ok.status_code == 200 and ok.json()["procedure"]["step"] == "village_review"
    today = timezone.localdate().isoformat()
    notice = client.post(url, {"action": "first_notice", "start": today}).json()["procedure"]
    assert notice["next_step"] == "town_review" and notice["notice_end"] > today
    objection = client.post(url, {"action": "objection", "raised_by": "村民", "content": "有异议"}).json()
    assert len(objection["procedure"]["open_objections"]) == 1
    assert_error(
        api_as(cadre).post(url, {"action": "resolve_objection", "objection_id": 999, "resolution": "x"}),
        404,
        "not_found",
    )
    resolved = api_as(sima_officer).post(
        url,
        {
            "action": "resolve_objection",
            "resolution": "已核实",
            "objection_id": objection["procedure"]["open_objections"][0],
        },
    )
    assert resolved.json()["procedure"]["open_objections"] == []


def test_visit_and_reveal(api_as, sima_officer, inspector, cadre, three_households):
    a = three_households[0]
    today = timezone.localdate().isoformat()
    response = api_as(cadre).post(
        f"/api/v1/households/{a.pk}/visits", {"visited_on": today, "findings": "在家"}
    )
    assert response.status_code == 201 and response.json()["findings"] == "在家"
    bad = api_as(cadre).post(
        f"/api/v1/households/{a.pk}/visits", {"visited_on": "2099-01-01", "findings": "x"}
    )
    assert assert_error(bad, 400, "invalid")["fields"] == {"visited_on": "走访日期不能晚于今天。"}
    url = f"/api/v1/households/{a.pk}/members/{a.head_id}/id-number"
    assert api_as(inspector).get(url).json() == {"id_number": a.head.id_number}
    assert AuditEvent.objects.filter(action="household.id_revealed", actor=inspector).count() == 1
    assert_error(api_as(cadre).get(url), 403, "forbidden")
    cases = api_as(sima_officer).get(f"/api/v1/households/{a.pk}/monitoring").json()
    assert cases == {"items": [], "count": 0}


def test_patch_members_circumstances_all_or_nothing(api_as, sima_officer, three_households):
    a = three_households[0]
    wife = a.members.get(name="赵六")
    client = api_as(sima_officer)
    url = f"/api/v1/households/{a.pk}"
    ok = client.patch(url, {"members": [{"id": wife.pk, "health": "serious", "months_worked": 6}]})
    assert ok.status_code == 200
    wife.refresh_from_db()
    assert (wife.health, wife.months_worked) == ("serious", 6)
    event = AuditEvent.objects.get(action="household.member_update")
    assert event.before == {"赵六": {"health": "healthy", "months_worked": 0}}
    bad = client.patch(url, {"housing_secure": False, "members": [{"id": wife.pk, "months_worked": 13}]})
    assert "0 到 12" in assert_error(bad, 400, "invalid")["fields"]["members.0.months_worked"]
    a.refresh_from_db()
    assert a.housing_secure is True  # the household change rolled back with the member's
    other = three_households[2].head
    stranger = client.patch(url, {"members": [{"id": other.pk, "health": "healthy"}]})
    assert assert_error(stranger, 400, "invalid")["fields"] == {"members.0.id": "不是本户成员。"}
