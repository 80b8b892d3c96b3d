"""The lecture pages: the request form, approval with clashes shown first, actions, feedback, print
pages, statistics; scope (404), roles (403) and query counts of the lists."""

import re

import pytest
from django.urls import reverse

from fupin.lectures import services
from fupin.lectures.enums import LECTURES
from fupin.lectures.models import Feedback, LectureRequest

from .conftest import at

FORM = {
    "preferred_start": "2026-06-10T09:00",
    "preferred_end": "2026-06-10T11:00",
    "audience_size": "200",
    "audience_kind": "organ",
    "place": "司马镇政府三楼会议室",
    "contact_name": "李某",
    "contact_phone": "13800000000",
}
SCORES = {
    f: "4"
    for f in ["score_content", "score_relevance", "score_delivery", "score_interaction", "score_time_control"]
}


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def test_a_unit_files_a_request_on_the_page(as_user, requester, topic, liu, clock):
    client = as_user(requester)
    assert "申请点课" in client.get(reverse("lecture-request-new")).content.decode()

    response = client.post(
        reverse("lecture-request-new"), {**FORM, "topic": topic.pk, "preferred_lecturer": liu.pk}
    )

    lecture = LectureRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "lecture-request", args=[lecture.pk]
    )
    assert (lecture.preferred_start, lecture.preferred_lecturer) == (at(10, 9), liu)


def test_a_bad_request_shows_the_message_next_to_the_field(as_user, requester, topic, clock):
    response = as_user(requester).post(
        reverse("lecture-request-new"), {**FORM, "topic": topic.pk, "audience_size": "0"}
    )

    assert response.status_code == 200
    assert "听众人数至少为 1 人。" in response.content.decode()
    assert not LectureRequest.objects.exists()


def test_the_admin_sees_pending_clashes_before_approving(as_user, lecture_admin, file_request, liu):
    mine = file_request(preferred_lecturer=liu)
    rival = file_request(at(10, 10), at(10, 12), preferred_lecturer=liu)
    client = as_user(lecture_admin)
    approve = {"lecturer": liu.pk, "starts_at": "2026-06-10T09:00", "ends_at": "2026-06-10T11:00"}

    page = client.get(reverse("lecture-request", args=[mine.pk])).content.decode()
    assert "批准后，该宣讲员将无法承接以下待审申请" in page
    first = client.post(reverse("lecture-request-approve", args=[mine.pk]), approve)
    assert "仍然批准" in first.content.decode()
    assert LectureRequest.objects.get(pk=mine.pk).state == "submitted"

    second = client.post(reverse("lecture-request-approve", args=[mine.pk]), {**approve, "acknowledge": "1"})
    assert second.status_code == 302 and LectureRequest.objects.get(pk=mine.pk).state == "approved"
    # Now the rival clashes: its approval is refused and the page says with whom.
    refused = client.post(
        reverse("lecture-request-approve", args=[rival.pk]),
        {**approve, "starts_at": "2026-06-10T10:00", "ends_at": "2026-06-10T12:00"},
    )
    assert (
        "刘烨华 在 2026-06-10 09:00 至 2026-06-10 11:00 已在 司马镇人民政府 宣讲" in refused.content.decode()
    )
    assert LectureRequest.objects.get(pk=rival.pk).state == "submitted"


def test_actions_by_button_and_their_refusals(as_user, lecture_admin, lecturer_user, approved):
    lecture = approved()
    response = as_user(lecturer_user).post(reverse("lecture-request-act", args=[lecture.pk, "confirm"]))
    assert response.status_code == 302 and LectureRequest.objects.get(pk=lecture.pk).state == "confirmed"

    client = as_user(lecture_admin)
    client.post(reverse("lecture-request-act", args=[lecture.pk, "cancel"]), {"reason": ""}, follow=True)
    page = client.get(reverse("lecture-request", args=[lecture.pk])).content.decode()
    assert LectureRequest.objects.get(pk=lecture.pk).state == "confirmed"
    assert client.post(reverse("lecture-request-act", args=[lecture.pk, "approve"])).status_code == 404
    assert "取消" in page


def test_cancel_message_is_shown(as_user, lecture_admin, approved):
    lecture = approved()
    response = as_user(lecture_admin).post(
        reverse("lecture-request-act", args=[lecture.pk, "cancel"]), {"reason": ""}, follow=True
    )
    assert "请填写原因。" in response.content.decode()


def test_a_unit_reschedules_and_the_lecture_goes_back_to_approval(as_user, requester, approved):
    lecture = approved()
    response = as_user(requester).post(
        reverse("lecture-request-reschedule", args=[lecture.pk]),
        {"preferred_start": "2026-06-12T14:00", "preferred_end": "2026-06-12T16:00", "reason": "会议冲突"},
    )
    assert response.status_code == 302
    assert LectureRequest.objects.get(pk=lecture.pk).state == "submitted"
    bad = as_user(requester).post(
        reverse("lecture-request-reschedule", args=[lecture.pk]),
        {"preferred_start": "2026-06-12T14:00", "preferred_end": "2026-06-12T13:00"},
    )
    assert bad.status_code == 400


def test_the_host_fills_the_feedback_form_and_prints_it(as_user, requester, delivered):
    client = as_user(requester)
    assert "填写反馈表" in client.get(reverse("lecture-request", args=[delivered.pk])).content.decode()

    response = client.post(reverse("lecture-feedback", args=[delivered.pk]), {"attendance": "215", **SCORES})

    assert response.status_code == 302 and Feedback.objects.get().attendance == 215
    printed = client.get(reverse("lecture-feedback-print", args=[delivered.pk])).content.decode()
    assert (
        "《“清风金乡讲堂”反馈表》" in printed and "lectures/print.js" in printed and "<script>" not in printed
    )
    second = client.post(reverse("lecture-feedback", args=[delivered.pk]), {"attendance": "215", **SCORES})
    assert "该场宣讲已有反馈表，不能重复填写。" in second.content.decode()


def test_the_application_form_prints(as_user, requester, file_request):
    lecture = file_request()
    page = as_user(requester).get(reverse("lecture-application-print", args=[lecture.pk])).content.decode()
    assert "《“清风金乡讲堂”申请表》" in page and "司马镇政府三楼会议室" in page and "data-print" in page


def test_statistics_page_reads_like_the_seed(as_user, lecture_admin, requester, delivered):
    services.file_feedback(requester, delivered, attendance=215, **{k: 4 for k in SCORES})
    page = as_user(lecture_admin).get(reverse("lecture-statistics")).content.decode()
    assert "累计开展专题宣讲 0 次，廉政宣讲 1 次，215 人次党员干部接受了廉政教育，覆盖 1 个单位" in page
    assert 'id="lecture-chart-data"' in page and "vendor/echarts/echarts.min.js" in page


def test_scope_and_roles(as_user, jishu_requester, sima_officer, file_request):
    lecture = file_request()
    client = as_user(jishu_requester)
    assert client.get(reverse("lecture-request", args=[lecture.pk])).status_code == 404
    assert client.get(reverse("lecture-application-print", args=[lecture.pk])).status_code == 404
    assert lecture.unit not in client.get(reverse("lecture-requests")).content.decode()
    officer = as_user(sima_officer)
    for name in [
        "lecture-requests",
        "lecturers",
        "lecture-topics",
        "lecture-statistics",
        "lecture-request-new",
    ]:
        assert officer.get(reverse(name)).status_code == 403


def test_the_menu_shows_the_lecture_section_by_role(as_user, requester, sima_officer):
    assert "宣讲申请" in as_user(requester).get("/").content.decode()
    assert "宣讲申请" not in as_user(sima_officer).get("/").content.decode()


@pytest.mark.parametrize("name", ["lecture-requests", "lecturers", "lecture-topics", "lecture-statistics"])
def test_list_pages_cost_the_same_queries_for_1_and_15_rows(
    as_user, lecture_admin, requester, file_request, topic, liu, name, django_assert_max_num_queries
):
    client = as_user(lecture_admin)
    file_request()
    client.get(reverse(name))
    with django_assert_max_num_queries(12) as few:
        assert client.get(reverse(name)).status_code == 200
    for number in range(14):
        lecture = file_request(at(11 + number % 5, 9), at(11 + number % 5, 10))
        lecturer = services.create_lecturer(
            lecture_admin, name=f"宣讲员{number}", unit="县纪委", topics=[topic]
        )
        services.transition(
            lecture_admin,
            lecture,
            "approve",
            lecturer=lecturer,
            starts_at=at(11 + number % 5, 9),
            ends_at=at(11 + number % 5, 10),
        )
        services.create_topic(lecture_admin, title=f"课题{number}", lecturers=[lecturer, liu])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse(name)).status_code == 200


def test_a_unit_sees_only_its_own_requests_and_a_lecturer_only_theirs(
    as_user, make_user, requester, lecturer_user, approved, hu
):
    from fupin.core.enums import Role

    mine = approved()  # 刘烨华's
    others = approved(lecturer=hu)
    bureau = make_user("jiaotong", roles=[Role.REQUESTER], unit="金乡县交通运输局")  # county-level unit
    assert bureau.region_id == "370828000000"

    assert as_user(bureau).get(reverse("lecture-request", args=[mine.pk])).status_code == 404
    assert as_user(requester).get(reverse("lecture-request", args=[mine.pk])).status_code == 200
    lecturer = as_user(lecturer_user)
    assert lecturer.get(reverse("lecture-request", args=[mine.pk])).status_code == 200
    assert lecturer.get(reverse("lecture-request", args=[others.pk])).status_code == 404


def step_buttons(page) -> list[str]:
    return re.findall(r'data-testid="step-(\w+)"', page.content.decode())


def test_the_page_shows_exactly_the_steps_the_workflow_allows_each_role(
    as_user, approved, lecture_admin, lecturer_user, requester
):
    lecture = services.transition(lecturer_user, approved(), "confirm")
    url = reverse("lecture-request", args=[lecture.pk])

    assert step_buttons(as_user(lecture_admin).get(url)) == ["withdraw", "cancel", "deliver", "no_show"]
    assert step_buttons(as_user(lecturer_user).get(url)) == ["deliver"]  # their own lecture
    assert step_buttons(as_user(requester).get(url)) == ["withdraw"]  # and the change form
    for user in (lecture_admin, lecturer_user, requester):
        shown = set(step_buttons(as_user(user).get(url)))
        assert shown == {s.action for s in LECTURES.allowed(user, lecture)} - {"reschedule"}
