"""The lecture API: good and bad paths, the error shape, scope, roles, and query counts of the lists."""

import pytest

from fupin.core.tests.test_api import assert_error
from fupin.lectures import services
from fupin.lectures.models import Feedback, LectureRequest

from .conftest import at

BODY = {
    "preferred_start": "2026-06-10T09:00:00+08:00",
    "preferred_end": "2026-06-10T11:00:00+08:00",
    "audience_size": 200,
    "audience_kind": "organ",
    "place": "司马镇政府三楼会议室",
    "contact_name": "李某",
    "contact_phone": "13800000000",
}
SCORES = dict.fromkeys(
    ["score_content", "score_relevance", "score_delivery", "score_interaction", "score_time_control"], 4
)


def test_a_unit_files_a_request_through_the_api(api_as, requester, topic, liu, clock):
    response = api_as(requester).post(
        "/api/v1/lectures/requests", {**BODY, "topic_id": topic.pk, "preferred_lecturer_id": liu.pk}
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["state"], body["region_code"], body["unit"]) == (
        "submitted",
        "370828107000",
        "司马镇人民政府",
    )
    assert body["topic"] == topic.title and body["preferred_lecturer_id"] == liu.pk


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"audience_size": 0}, "audience_size", "听众人数至少为 1 人。"),
        ({"preferred_end": "2026-06-10T08:00:00+08:00"}, "preferred_end", "结束时间必须晚于开始时间。"),
        (
            {"preferred_start": "2026-05-01T09:00:00+08:00"},
            "preferred_start",
            "开始时间 2026-05-01 09:00 已经过去。",
        ),
        ({"topic_id": 999}, "topic_id", "没有这个宣讲课题。"),
        ({"preferred_lecturer_id": 999}, "preferred_lecturer_id", "没有这个宣讲员。"),
    ],
)
def test_bad_requests_answer_400_with_the_field(api_as, requester, topic, clock, changes, field, message):
    response = api_as(requester).post("/api/v1/lectures/requests", {**BODY, "topic_id": topic.pk, **changes})

    body = assert_error(response, 400, "invalid")
    assert body["fields"] == {field: message}
    assert not LectureRequest.objects.exists()


def test_a_missing_field_is_named(api_as, requester, topic):
    body = assert_error(
        api_as(requester).post("/api/v1/lectures/requests", {"topic_id": topic.pk}), 400, "validation_error"
    )
    assert "audience_size" in body["fields"]


def test_only_requesting_units_file_requests(api_as, lecturer_user, sima_officer, topic):
    for user in (lecturer_user, sima_officer):
        assert_error(
            api_as(user).post("/api/v1/lectures/requests", {**BODY, "topic_id": topic.pk}), 403, "forbidden"
        )


def test_the_admin_approves_and_a_clash_is_refused_with_its_reason(api_as, lecture_admin, file_request, liu):
    first, second = file_request(), file_request(at(10, 10), at(10, 12))
    client = api_as(lecture_admin)
    approve = {"action": "approve", "lecturer_id": liu.pk, "starts_at": "2026-06-10T09:00:00+08:00"}

    ok = client.post(
        f"/api/v1/lectures/requests/{first.pk}/transitions",
        {**approve, "ends_at": "2026-06-10T11:00:00+08:00"},
    )
    clash = client.post(
        f"/api/v1/lectures/requests/{second.pk}/transitions",
        {**approve, "starts_at": "2026-06-10T10:00:00+08:00", "ends_at": "2026-06-10T12:00:00+08:00"},
    )

    assert ok.status_code == 200 and ok.json()["state"] == "approved" and ok.json()["lecturer_id"] == liu.pk
    body = assert_error(clash, 400, "clash")
    assert "刘烨华 在 2026-06-10 09:00 至 2026-06-10 11:00 已在 司马镇人民政府 宣讲" in body["message"]
    assert list(body["fields"]) == ["starts_at"]


def test_a_refused_transition_says_why(api_as, lecture_admin, file_request):
    lecture = file_request()
    body = assert_error(
        api_as(lecture_admin).post(
            f"/api/v1/lectures/requests/{lecture.pk}/transitions", {"action": "close"}
        ),
        409,
        "state_conflict",
    )
    assert body["message"] == "处于“已提交”状态的宣讲不能执行“结束归档”。"


def test_the_lecturer_confirms_but_may_not_approve(api_as, lecturer_user, approved, file_request, liu):
    lecture = approved()
    client = api_as(lecturer_user)
    assert client.get(f"/api/v1/lectures/requests/{lecture.pk}").json()["actions"] == ["confirm"]
    assert (
        client.post(f"/api/v1/lectures/requests/{lecture.pk}/transitions", {"action": "confirm"}).json()[
            "state"
        ]
        == "confirmed"
    )
    other = file_request()
    # The lecturer does not see a request that is not theirs: 404 before any role question.
    assert_error(
        client.post(f"/api/v1/lectures/requests/{other.pk}/transitions", {"action": "approve"}),
        404,
        "not_found",
    )


def test_feedback_through_the_api_once(api_as, requester, delivered):
    client = api_as(requester)
    url = f"/api/v1/lectures/requests/{delivered.pk}/feedback"

    created = client.post(url, {"attendance": 210, **SCORES, "comments": "接地气"})
    again = client.post(url, {"attendance": 210, **SCORES})

    assert created.status_code == 201, created.content
    assert created.json()["weighted_score"] == "4.00" and created.json()["lecture_id"] == delivered.pk
    assert_error(again, 409, "state_conflict")
    assert client.get(url).json()["attendance"] == 210
    assert Feedback.objects.count() == 1


def test_feedback_without_attendance_is_refused(api_as, requester, delivered):
    body = assert_error(
        api_as(requester).post(f"/api/v1/lectures/requests/{delivered.pk}/feedback", SCORES), 400, "invalid"
    )
    assert body["fields"] == {"attendance": "实到人数至少为 1 人。"}


def test_another_towns_unit_sees_nothing(api_as, jishu_requester, file_request, delivered):
    client = api_as(jishu_requester)
    lecture = file_request(at(20, 9), at(20, 11))  # the clock stands after the delivered lecture
    assert client.get("/api/v1/lectures/requests").json() == {"items": [], "count": 0}
    assert_error(client.get(f"/api/v1/lectures/requests/{lecture.pk}"), 404, "not_found")
    assert_error(
        client.post(f"/api/v1/lectures/requests/{lecture.pk}/transitions", {"action": "withdraw"}),
        404,
        "not_found",
    )
    assert_error(
        client.post(f"/api/v1/lectures/requests/{delivered.pk}/feedback", {"attendance": 5, **SCORES}),
        404,
        "not_found",
    )
    # The catalogue is the county's: every unit of the county reads it.
    assert client.get("/api/v1/lectures/topics").json()["count"] == 1


def test_the_catalogue(api_as, requester, liu, hu, topic):
    client = api_as(requester)
    lecturers = client.get("/api/v1/lectures/lecturers").json()["items"]
    assert [(row["name"], row["topic_ids"]) for row in lecturers] == [
        ("刘烨华", [topic.pk]),
        ("胡主任", [topic.pk]),
    ]
    assert client.get(f"/api/v1/lectures/lecturers/{liu.pk}").json()["status"] == "active"
    assert client.get("/api/v1/lectures/topics").json()["items"][0]["lecturer_ids"] == [liu.pk, hu.pk]


def test_statistics_in_the_seeds_terms(api_as, lecture_admin, requester, delivered):
    services.file_feedback(requester, delivered, attendance=215, **SCORES)
    body = api_as(lecture_admin).get("/api/v1/lectures/statistics").json()

    assert (
        body["totals"]["sentence"]
        == "累计开展专题宣讲 0 次，廉政宣讲 1 次，215 人次党员干部接受了廉政教育，覆盖 1 个单位"
    )
    assert body["lecturers"][0]["lecturer__name"] == "刘烨华" and body["lecturers"][0]["hours"] == 2.0
    assert body["months"][0]["label"] == "2026-06"


@pytest.mark.parametrize(
    "path", ["/api/v1/lectures/requests", "/api/v1/lectures/lecturers", "/api/v1/lectures/topics"]
)
def test_a_list_costs_the_same_queries_for_1_and_12_rows(
    api_as, lecture_admin, file_request, topic, liu, path, django_assert_max_num_queries
):
    client = api_as(lecture_admin)
    file_request()
    client.get(path)  # the first call records "last used" of the token
    with django_assert_max_num_queries(6):  # the page's count is one query more
        client.get(path)
    for number in range(11):
        file_request()
        lecturer = services.create_lecturer(
            lecture_admin, name=f"宣讲员{number}", unit="县纪委", topics=[topic]
        )
        services.create_topic(lecture_admin, title=f"课题{number}", lecturers=[lecturer, liu])
    with django_assert_max_num_queries(6):
        assert client.get(path).json()["count"] == 12
