"""A lecturer's unavailable periods (page and API), team tours (page and API, all or nothing), the
pending-clash list and "any lecturer" requests, and a lecturer's own feedback page."""

import pytest
from django.urls import reverse

from fupin.core.audit import AuditEvent
from fupin.core.enums import Role
from fupin.lectures import services
from fupin.lectures.models import Booking, LectureRequest, Tour

from .conftest import at


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def periods():
    return list(Booking.objects.filter(kind="unavailable").values_list("starts_at", "ends_at", "note"))


def test_the_lecturer_marks_and_removes_an_unavailable_period(as_user, lecturer_user, liu, clock):
    client = as_user(lecturer_user)
    url = reverse("lecturer-unavailability-add", args=[liu.pk])
    bad = client.post(url, {"starts_at": "2026-06-12T14:00", "ends_at": "2026-06-12T09:00", "note": "开会"})
    assert bad.status_code == 400 and "结束时间必须晚于开始时间。" in bad.content.decode()
    assert periods() == []

    good = client.post(
        url, {"starts_at": "2026-06-12T09:00", "ends_at": "2026-06-12T17:00", "note": "外出学习"}
    )
    assert good.status_code == 302 and periods() == [(at(12, 9), at(12, 17), "外出学习")]
    page = client.get(reverse("lecturer", args=[liu.pk])).content.decode()
    assert "外出学习" in page and "2026-06-12 09:00" in page

    booking = Booking.objects.get()
    client.post(reverse("lecturer-unavailability-remove", args=[liu.pk, booking.pk]))
    assert periods() == []
    assert AuditEvent.objects.filter(action="lectures.unavailability.remove").count() == 1


def test_only_the_admin_or_the_lecturer_themself_manages_the_calendar(
    as_user, lecture_admin, requester, make_user, liu, hu, clock
):
    other = make_user("otherlecturer", roles=[Role.LECTURER])
    body = {"starts_at": "2026-06-12T09:00", "ends_at": "2026-06-12T17:00"}
    assert as_user(other).post(reverse("lecturer-unavailability-add", args=[liu.pk]), body).status_code == 403
    assert (
        as_user(requester).post(reverse("lecturer-unavailability-add", args=[liu.pk]), body).status_code
        == 403
    )
    assert (
        "unavailability-form" not in as_user(other).get(reverse("lecturer", args=[liu.pk])).content.decode()
    )
    assert periods() == []
    assert (
        as_user(lecture_admin).post(reverse("lecturer-unavailability-add", args=[hu.pk]), body).status_code
        == 302
    )
    booking = Booking.objects.get()
    assert (
        as_user(other).post(reverse("lecturer-unavailability-remove", args=[hu.pk, booking.pk])).status_code
        == 403
    )
    # A period is removed through its own lecturer only.
    response = as_user(lecture_admin).post(
        reverse("lecturer-unavailability-remove", args=[liu.pk, booking.pk])
    )
    assert response.status_code == 404 and Booking.objects.count() == 1


def test_a_lecture_booking_is_not_removed_as_a_period(lecture_admin, approved):
    lecture = approved()
    with pytest.raises(Exception, match="只能删除不可安排时段"):
        services.remove_unavailability(lecture_admin, lecture.booking)
    assert Booking.objects.filter(lecture=lecture).exists()


def test_unavailability_by_api(api_as, lecturer_user, lecture_admin, requester, liu, approved, clock):
    from fupin.core.tests.test_api import assert_error

    client = api_as(lecturer_user)
    url = f"/api/v1/lectures/lecturers/{liu.pk}/unavailability"
    assert_error(
        client.post(url, {"starts_at": at(12, 10).isoformat(), "ends_at": at(12, 9).isoformat()}),
        400,
        "invalid",
    )
    approved()  # 10 June 09:00–11:00
    clash = client.post(url, {"starts_at": at(10, 10).isoformat(), "ends_at": at(10, 12).isoformat()})
    assert_error(clash, 400, "clash")
    assert "刘烨华" in clash.json()["message"]
    created = client.post(
        url, {"starts_at": at(12, 9).isoformat(), "ends_at": at(12, 17).isoformat(), "note": "培训"}
    )
    assert created.status_code == 201
    assert [p["note"] for p in api_as(lecture_admin).get(url).json()["items"]] == ["培训"]
    assert (
        api_as(requester)
        .post(url, {"starts_at": at(13, 9).isoformat(), "ends_at": at(13, 17).isoformat()})
        .status_code
        == 403
    )
    assert client.delete(f"{url}/{created.json()['id']}").status_code == 204
    assert client.get(url).json() == {"items": [], "count": 0}
    assert client.delete(f"{url}/{created.json()['id']}").status_code == 404


TOUR = {
    "title": "清风金乡进农村巡回宣讲",
    "stops-TOTAL_FORMS": "3",
    "stops-INITIAL_FORMS": "0",
    "stops-MIN_NUM_FORMS": "0",
    "stops-MAX_NUM_FORMS": "40",
}


def stop(n, town, place, lecturer, start, end, audience="80"):
    return {
        f"stops-{n}-region": town,
        f"stops-{n}-place": place,
        f"stops-{n}-lecturer": lecturer,
        f"stops-{n}-starts_at": start,
        f"stops-{n}-ends_at": end,
        f"stops-{n}-audience_size": audience,
        f"stops-{n}-audience_kind": "rural",
    }


def test_the_admin_plans_a_tour_on_the_page(as_user, lecture_admin, topic, liu, hu, clock):
    client = as_user(lecture_admin)
    page = client.get(reverse("lecture-tour-new") + "?rows=13").content.decode()
    assert 'data-testid="stop-13"' in page and "司马镇" in page
    data = {
        **TOUR,
        "topic": topic.pk,
        "lecturers": [liu.pk, hu.pk],
        **stop(0, "370828107000", "司马镇政府礼堂", liu.pk, "2026-06-15T09:00", "2026-06-15T11:00"),
        **stop(1, "370828104000", "鸡黍镇政府礼堂", hu.pk, "2026-06-15T09:00", "2026-06-15T11:00"),
        # the third row stays empty: skipped
    }
    response = client.post(reverse("lecture-tour-new"), data)
    tour = Tour.objects.get()
    assert (
        response.status_code == 302
        and response["Location"] == f"{reverse('lecture-requests')}?tour={tour.pk}"
    )
    stops = LectureRequest.objects.filter(tour=tour).order_by("region_code")
    assert [(s.region_code, s.lecturer, s.state, s.mode) for s in stops] == [
        ("370828104000", hu, "approved", "team"),
        ("370828107000", liu, "approved", "team"),
    ]
    listing = client.get(reverse("lecture-requests"), {"tour": tour.pk}).content.decode()
    assert "司马镇" in listing and "清风金乡进农村巡回宣讲" in listing
    assert "共 2 站" in client.get(reverse("lecture-tours")).content.decode()


def test_a_clash_on_any_stop_refuses_the_whole_tour(as_user, lecture_admin, topic, liu, hu, approved, clock):
    approved(at(16, 9), at(16, 11))  # 刘烨华 lectures at 司马镇人民政府 on 16 June
    before = (LectureRequest.objects.count(), Booking.objects.count())
    data = {
        **TOUR,
        "topic": topic.pk,
        "lecturers": [liu.pk, hu.pk],
        **stop(0, "370828104000", "鸡黍镇政府礼堂", hu.pk, "2026-06-15T09:00", "2026-06-15T11:00"),
        **stop(1, "370828107000", "司马镇南徐庄村", liu.pk, "2026-06-16T10:00", "2026-06-16T12:00"),
    }
    response = as_user(lecture_admin).post(reverse("lecture-tour-new"), data)
    text = response.content.decode()
    assert response.status_code == 400
    assert (
        "第 2 站（司马镇南徐庄村）：刘烨华 在 2026-06-16 09:00 至 2026-06-16 11:00 已在 司马镇人民政府 宣讲"
        in text
    )
    assert not Tour.objects.exists() and (LectureRequest.objects.count(), Booking.objects.count()) == before


def test_tour_roles_and_bad_input(as_user, lecture_admin, requester, topic, liu, hu, clock):
    assert as_user(requester).get(reverse("lecture-tour-new")).status_code == 403
    client = as_user(lecture_admin)
    one = client.post(reverse("lecture-tour-new"), {**TOUR, "topic": topic.pk, "lecturers": [liu.pk]})
    assert one.status_code == 400 and "组团式宣讲至少需要两名宣讲员。" in one.content.decode()
    none = client.post(reverse("lecture-tour-new"), {**TOUR, "topic": topic.pk, "lecturers": [liu.pk, hu.pk]})
    assert none.status_code == 400 and "巡回宣讲至少要有一站。" in none.content.decode()
    zero = client.post(
        reverse("lecture-tour-new"),
        {
            **TOUR,
            "topic": topic.pk,
            "lecturers": [liu.pk, hu.pk],
            **stop(0, "370828104000", "鸡黍镇", hu.pk, "2026-06-15T09:00", "2026-06-15T11:00", "0"),
        },
    )
    assert "第 1 站（鸡黍镇）：听众人数至少为 1 人。" in zero.content.decode()
    assert not Tour.objects.exists()


def test_tours_by_api(api_as, lecture_admin, requester, topic, liu, hu, approved, clock):
    from fupin.core.tests.test_api import assert_error

    def body(start, end):
        return {
            "title": "《监察法》专题宣讲",
            "topic_id": topic.pk,
            "lecturer_ids": [liu.pk, hu.pk],
            "stops": [
                {
                    "region_code": "370828107000",
                    "place": "司马镇礼堂",
                    "lecturer_id": liu.pk,
                    "starts_at": start.isoformat(),
                    "ends_at": end.isoformat(),
                    "audience_size": 80,
                },
                {
                    "region_code": "370828104000",
                    "place": "鸡黍镇礼堂",
                    "lecturer_id": hu.pk,
                    "starts_at": start.isoformat(),
                    "ends_at": end.isoformat(),
                    "audience_size": 90,
                },
            ],
        }

    approved(at(16, 9), at(16, 11))
    client = api_as(lecture_admin)
    clash = client.post("/api/v1/lectures/tours", body(at(16, 10), at(16, 12)))
    assert_error(clash, 400, "clash")
    assert clash.json()["message"].startswith("第 1 站（司马镇礼堂）：刘烨华") and not Tour.objects.exists()
    assert api_as(requester).post("/api/v1/lectures/tours", body(at(17, 9), at(17, 11))).status_code == 403
    created = client.post("/api/v1/lectures/tours", body(at(17, 9), at(17, 11)))
    assert created.status_code == 201 and len(created.json()["stop_ids"]) == 2
    tours = client.get("/api/v1/lectures/tours").json()["items"]
    assert [t["title"] for t in tours] == ["《监察法》专题宣讲"]
    bad_place = body(at(18, 9), at(18, 11))
    bad_place["stops"][0]["region_code"] = "110000000000"
    assert_error(client.post("/api/v1/lectures/tours", bad_place), 400, "invalid")


def test_any_lecturer_requests_are_not_listed_as_pending_clashes(lecture_admin, file_request, liu):
    mine = file_request(preferred_lecturer=liu)
    named = file_request(at(10, 10), at(10, 12), preferred_lecturer=liu)
    file_request(at(10, 10), at(10, 12))  # any lecturer: another lecturer of the topic can take it
    assert services.pending_clashes(mine, liu, at(10, 9), at(10, 11)) == [named]


def test_a_lecturer_reads_their_feedback(
    as_user, lecturer_user, requester, delivered, django_assert_max_num_queries
):
    services.file_feedback(
        requester,
        delivered,
        attendance=215,
        comments="案例鲜活",
        suggestions="多留互动时间",
        **{f: 4 for f in ["score_content", "score_relevance", "score_delivery", "score_interaction"]},
        score_time_control=5,
    )
    client = as_user(lecturer_user)
    assert "我的宣讲反馈" in client.get("/").content.decode()
    with django_assert_max_num_queries(12):
        page = client.get(reverse("lecture-my-feedback")).content.decode()
    assert (
        "案例鲜活" in page
        and "多留互动时间" in page
        and "215" in page
        and '时间把控 <span class="fw-semibold">5' in page
    )
    assert as_user(requester).get(reverse("lecture-my-feedback")).status_code == 403
    assert "我的宣讲反馈" not in as_user(requester).get("/").content.decode()
