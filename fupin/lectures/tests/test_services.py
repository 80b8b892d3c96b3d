"""Requests and their transitions, the clash rule at its edges, team tours, drafts and feedback."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from fupin.core import policy
from fupin.core.errors import DomainError, TransitionRefused
from fupin.core.models import AuditEvent, Region
from fupin.lectures import services
from fupin.lectures.enums import LecturerStatus, RequestState
from fupin.lectures.models import Booking, Feedback, LectureRequest

from .conftest import at

SCORES = {
    "score_content": 5,
    "score_relevance": 4,
    "score_delivery": 5,
    "score_interaction": 3,
    "score_time_control": 4,
}


# --- Filing a request ----------------------------------------------------------------------------
def test_a_unit_files_a_request_in_its_own_region(file_request, requester, liu):
    lecture = file_request(preferred_lecturer=liu)

    assert (lecture.state, lecture.region_code, lecture.unit) == (
        "submitted",
        "370828107000",
        "司马镇人民政府",
    )
    event = AuditEvent.objects.get(action="lectures.request.create")
    assert event.actor == requester and event.after["audience_size"] == 200


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"start": at(1, 7), "end": at(1, 9)}, "preferred_start", "开始时间 2026-06-01 07:00 已经过去。"),
        ({"start": at(10, 11), "end": at(10, 9)}, "preferred_end", "结束时间必须晚于开始时间。"),
        ({"audience_size": 0}, "audience_size", "听众人数至少为 1 人。"),
        ({"place": " "}, "place", "此项为必填项。"),
    ],
)
def test_bad_requests_are_refused_in_chinese_and_nothing_is_written(file_request, changes, field, message):
    with pytest.raises(DomainError) as refused:
        file_request(**changes)

    assert refused.value.fields == {field: message}
    assert not LectureRequest.objects.exists()
    assert not AuditEvent.objects.filter(action="lectures.request.create").exists()


def test_only_a_requesting_unit_files_requests(file_request, sima_officer):
    with pytest.raises(PermissionDenied):
        file_request(actor=sima_officer)


def test_a_paused_lecturer_cannot_be_asked_for(file_request, lecture_admin, liu):
    services.set_lecturer_status(lecture_admin, liu, LecturerStatus.PAUSED)
    with pytest.raises(DomainError, match="刘烨华 目前不承担宣讲"):
        file_request(preferred_lecturer=liu)


# --- The happy path ------------------------------------------------------------------------------
def test_approve_confirm_deliver_feedback_close(approved, lecture_admin, lecturer_user, requester, clock):
    lecture = approved()
    assert (lecture.state, lecture.lecturer.name, lecture.starts_at) == ("approved", "刘烨华", at(10, 9))
    assert Booking.objects.get(lecture=lecture).blocked_until == at(10, 11, 30)  # 30 minutes of travel

    services.transition(lecturer_user, lecture, "confirm")
    clock.moment = at(10, 9, 5)
    services.transition(lecturer_user, lecture, "deliver")
    clock.moment = at(10, 11)
    feedback = services.file_feedback(requester, lecture, attendance=215, comments="案例鲜活", **SCORES)
    lecture.refresh_from_db()
    assert lecture.state == "feedback_received" and feedback.attendance == 215
    services.transition(lecture_admin, lecture, "close")

    lecture.refresh_from_db()
    assert lecture.state == "closed"
    actions = list(AuditEvent.objects.filter(target_id=str(lecture.pk)).values_list("action", flat=True))
    assert {
        "lectures.request.approve",
        "lectures.request.confirm",
        "lectures.request.deliver",
        "lectures.feedback.file",
        "lectures.request.close",
    } <= set(actions)


def test_rejection_needs_a_reason(file_request, lecture_admin):
    lecture = file_request()
    with pytest.raises(DomainError) as refused:
        services.transition(lecture_admin, lecture, "reject", reason="")
    assert refused.value.fields == {"reason": "请填写原因。"}

    services.transition(lecture_admin, lecture, "reject", reason="宣讲员本周均有安排")
    lecture.refresh_from_db()
    assert (lecture.state, lecture.reason) == ("rejected", "宣讲员本周均有安排")


def test_withdrawing_an_approved_request_frees_the_lecturer(approved, requester):
    lecture = approved()
    services.transition(requester, lecture, "withdraw")
    assert LectureRequest.objects.get(pk=lecture.pk).state == "withdrawn"
    assert not Booking.objects.exists()


def test_cancelling_needs_a_reason_and_frees_the_lecturer(approved, lecture_admin):
    lecture = approved()
    services.transition(lecture_admin, lecture, "cancel", reason="防汛值班")
    assert LectureRequest.objects.get(pk=lecture.pk).state == "cancelled"
    assert not Booking.objects.exists()


def test_a_change_of_time_sends_the_lecture_back_to_approval(approved, requester, lecturer_user):
    lecture = approved()
    services.transition(lecturer_user, lecture, "confirm")

    services.transition(
        requester, lecture, "reschedule", preferred_start=at(12, 14), preferred_end=at(12, 16)
    )

    lecture.refresh_from_db()
    assert (lecture.state, lecture.lecturer, lecture.starts_at) == ("submitted", None, None)
    assert lecture.preferred_start == at(12, 14)
    assert not Booking.objects.exists()


def test_no_show_only_after_the_start(approved, lecture_admin, clock):
    lecture = services.transition(lecture_admin, approved(), "confirm")
    with pytest.raises(TransitionRefused, match="不能记为未到"):
        services.transition(lecture_admin, lecture, "no_show")
    clock.moment = at(10, 10)
    services.transition(lecture_admin, lecture, "no_show", reason="宣讲员未到场")
    assert LectureRequest.objects.get(pk=lecture.pk).state == "no_show"


def test_delivery_only_after_the_start(approved, lecturer_user):
    lecture = services.transition(lecturer_user, approved(), "confirm")
    with pytest.raises(TransitionRefused, match="开始前不能标记为已宣讲"):
        services.transition(lecturer_user, lecture, "deliver")


def test_a_transition_from_the_wrong_state_is_refused(file_request, lecture_admin):
    lecture = file_request()
    with pytest.raises(TransitionRefused) as refused:
        services.transition(lecture_admin, lecture, "close")
    assert refused.value.message == "处于“已提交”状态的宣讲不能执行“结束归档”。"
    with pytest.raises(DomainError, match="未知操作"):
        services.transition(lecture_admin, lecture, "explode")


def test_roles_are_checked_per_action(approved, requester, hu, lecture_admin, make_user):
    from fupin.core.enums import Role

    lecture = approved()
    with pytest.raises(PermissionDenied):
        services.transition(requester, lecture, "confirm")  # the unit cannot confirm for the lecturer
    other = make_user("otherlecturer", roles=[Role.LECTURER])
    with pytest.raises(PermissionDenied):
        services.transition(other, lecture, "confirm")  # nor can another lecturer


def test_approval_needs_a_lecturer_and_a_future_time(file_request, lecture_admin, liu):
    lecture = file_request()
    with pytest.raises(DomainError) as refused:
        services.transition(lecture_admin, lecture, "approve", starts_at=at(10, 9), ends_at=at(10, 11))
    assert refused.value.fields == {"lecturer": "请选择宣讲员。"}
    with pytest.raises(DomainError) as refused:
        services.transition(
            lecture_admin, lecture, "approve", lecturer=liu, starts_at=at(10, 9), ends_at=at(10, 8)
        )
    assert refused.value.fields == {"ends_at": "结束时间必须晚于开始时间。"}
    assert LectureRequest.objects.get(pk=lecture.pk).state == "submitted"


# --- No double booking ---------------------------------------------------------------------------
def test_an_overlapping_approval_is_refused_and_names_the_clash(approved, file_request, lecture_admin, liu):
    approved(at(10, 9), at(10, 11))
    second = file_request(at(10, 10), at(10, 12))

    with pytest.raises(DomainError) as refused:
        services.transition(
            lecture_admin, second, "approve", lecturer=liu, starts_at=at(10, 10), ends_at=at(10, 12)
        )

    assert refused.value.code == "clash"
    assert refused.value.message == (
        "刘烨华 在 2026-06-10 09:00 至 2026-06-10 11:00 已在 司马镇人民政府 宣讲；"
        "两场宣讲之间须留出 30 分钟路途时间。"
    )
    assert LectureRequest.objects.get(pk=second.pk).state == "submitted"
    assert Booking.objects.count() == 1


def test_the_travel_buffer_is_respected_to_the_minute(approved, file_request, lecture_admin, liu):
    approved(at(10, 9), at(10, 11))
    too_early = file_request(at(10, 11, 29), at(10, 12))
    with pytest.raises(DomainError):
        services.transition(
            lecture_admin, too_early, "approve", lecturer=liu, starts_at=at(10, 11, 29), ends_at=at(10, 12)
        )
    # Ending 30 minutes before the other starts also leaves the travel time.
    with pytest.raises(DomainError):
        services.transition(
            lecture_admin, too_early, "approve", lecturer=liu, starts_at=at(10, 7), ends_at=at(10, 8, 31)
        )

    services.transition(
        lecture_admin, too_early, "approve", lecturer=liu, starts_at=at(10, 11, 30), ends_at=at(10, 12)
    )
    assert Booking.objects.count() == 2


def test_touching_lectures_are_allowed_without_a_buffer(approved, file_request, lecture_admin, liu, jinxiang):
    policy.set_value(None, "lecture_travel_buffer_minutes", jinxiang, None, 0)
    approved(at(10, 9), at(10, 11))
    touching = file_request(at(10, 11), at(10, 12))

    services.transition(
        lecture_admin, touching, "approve", lecturer=liu, starts_at=at(10, 11), ends_at=at(10, 12)
    )

    assert Booking.objects.filter(lecturer=liu).count() == 2


def test_another_lecturer_may_take_the_same_slot(approved, hu):
    approved(at(10, 9), at(10, 11))
    assert approved(at(10, 9), at(10, 11), lecturer=hu).state == "approved"


def test_an_unavailability_period_blocks_approval(file_request, lecture_admin, lecturer_user, liu):
    services.add_unavailability(lecturer_user, liu, starts_at=at(10, 8), ends_at=at(10, 18), note="外出培训")
    lecture = file_request()

    with pytest.raises(DomainError) as refused:
        services.transition(
            lecture_admin, lecture, "approve", lecturer=liu, starts_at=at(10, 9), ends_at=at(10, 11)
        )

    assert refused.value.message == "刘烨华 在 2026-06-10 08:00 至 2026-06-10 18:00 不能宣讲（外出培训）。"
    # Right after the period is free (an unavailability keeps no travel buffer).
    services.transition(
        lecture_admin, lecture, "approve", lecturer=liu, starts_at=at(10, 18), ends_at=at(10, 19)
    )


def test_unavailability_over_a_booked_lecture_is_refused(approved, lecturer_user, liu):
    approved(at(10, 9), at(10, 11))
    with pytest.raises(DomainError, match="已在 司马镇人民政府 宣讲"):
        services.add_unavailability(lecturer_user, liu, starts_at=at(10, 10), ends_at=at(10, 12))


def test_a_paused_lecturer_cannot_be_booked(file_request, lecture_admin, liu):
    lecture = file_request()
    services.set_lecturer_status(lecture_admin, liu, LecturerStatus.PAUSED)
    with pytest.raises(DomainError, match="刘烨华 当前状态为“暂停”，不能安排宣讲。"):
        services.transition(
            lecture_admin, lecture, "approve", lecturer=liu, starts_at=at(10, 9), ends_at=at(10, 11)
        )


def test_pending_requests_that_an_approval_would_take_are_listed(file_request, liu):
    mine = file_request(preferred_lecturer=liu)
    rival = file_request(at(10, 10), at(10, 12), preferred_lecturer=liu)
    file_request(at(11, 10), at(11, 12), preferred_lecturer=liu)  # another day

    assert services.pending_clashes(mine, liu, at(10, 9), at(10, 11)) == [rival]


# --- Team tours ----------------------------------------------------------------------------------
def test_a_team_tour_books_each_stop(lecture_admin, topic, liu, hu, clock):
    sima, jishu = Region.objects.get(code="370828107000"), Region.objects.get(code="370828104000")
    stops = [
        {
            "region": sima,
            "place": "司马镇会议室",
            "lecturer": liu,
            "starts_at": at(15, 9),
            "ends_at": at(15, 11),
            "audience_size": 120,
        },
        {
            "region": jishu,
            "place": "鸡黍镇会议室",
            "lecturer": hu,
            "starts_at": at(15, 9),
            "ends_at": at(15, 11),
            "audience_size": 90,
        },
    ]
    tour = services.create_tour(
        lecture_admin, title="进农村（社区）巡回宣讲", topic=topic, lecturers=[liu, hu], stops=stops
    )

    assert [(s.unit, s.state, s.mode) for s in tour.stops.order_by("unit")] == [
        ("司马镇", "approved", "team"),
        ("鸡黍镇", "approved", "team"),
    ]
    assert Booking.objects.count() == 2


def test_a_tour_that_double_books_is_refused_entirely(lecture_admin, topic, liu, hu, clock):
    sima = Region.objects.get(code="370828107000")
    stop = {
        "region": sima,
        "place": "会议室",
        "lecturer": liu,
        "starts_at": at(15, 9),
        "ends_at": at(15, 11),
        "audience_size": 50,
    }
    with pytest.raises(DomainError, match="刘烨华 在 2026-06-15 09:00"):
        services.create_tour(
            lecture_admin, title="巡回宣讲", topic=topic, lecturers=[liu, hu], stops=[stop, stop]
        )
    assert not LectureRequest.objects.exists()


def test_a_tour_needs_a_team(lecture_admin, topic, liu):
    with pytest.raises(DomainError, match="至少需要两名"):
        services.create_tour(lecture_admin, title="巡回宣讲", topic=topic, lecturers=[liu], stops=[])


# --- Feedback ------------------------------------------------------------------------------------
def test_feedback_is_weighted_by_the_configured_weights(delivered, requester, jinxiang, clock):
    policy.set_value(None, "lecture_weight_time_control", jinxiang, None, 0)
    feedback = services.file_feedback(requester, delivered, attendance=180, **SCORES)
    # (5*25 + 4*25 + 5*20 + 3*15) / 85
    assert feedback.weighted_score == Decimal("4.35")  # 4.30 with the default weights


def test_feedback_before_the_end_is_refused(approved, lecture_admin, requester, clock):
    lecture = services.transition(lecture_admin, approved(), "confirm")
    clock.moment = at(10, 9, 30)
    services.transition(lecture_admin, lecture, "deliver")

    with pytest.raises(TransitionRefused) as refused:
        services.file_feedback(requester, lecture, attendance=100, **SCORES)

    assert refused.value.fields == {"lecture": "宣讲于 2026-06-10 11:00 结束，届时方可填写反馈表。"}
    assert not Feedback.objects.exists()


def test_a_second_feedback_is_refused(delivered, requester):
    services.file_feedback(requester, delivered, attendance=100, **SCORES)
    with pytest.raises(TransitionRefused, match="已有反馈表"):
        services.file_feedback(requester, delivered, attendance=100, **SCORES)
    assert Feedback.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"attendance": 0}, "attendance"),
        ({"score_delivery": 6}, "score_delivery"),
        ({"score_content": None}, "score_content"),
    ],
)
def test_bad_feedback_names_the_field(delivered, requester, changes, field):
    values = {"attendance": 100, **SCORES, **changes}
    with pytest.raises(DomainError) as refused:
        services.file_feedback(requester, delivered, **values)
    assert list(refused.value.fields) == [field]
    assert not Feedback.objects.exists()
    assert LectureRequest.objects.get(pk=delivered.pk).state == "delivered"


def test_feedback_of_an_undelivered_lecture_is_refused(approved, requester):
    with pytest.raises(TransitionRefused, match="“已批准”"):
        services.file_feedback(requester, approved(), attendance=10, **SCORES)


def test_another_unit_cannot_file_the_feedback(delivered, jishu_requester):
    with pytest.raises(PermissionDenied):
        services.file_feedback(jishu_requester, delivered, attendance=10, **SCORES)


# --- Catalogue and drafts ------------------------------------------------------------------------
def test_a_draft_is_returned_with_comments_then_accepted(lecture_admin, lecturer_user, liu, topic):
    draft = services.submit_draft(lecturer_user, lecturer=liu, topic=topic, text="一、为什么要以廉为荣……")
    with pytest.raises(DomainError, match="请写明修改意见"):
        services.review_draft(lecture_admin, draft, accept=False)
    services.review_draft(
        lecture_admin, draft, accept=False, comment="这一部分比较空洞，建议增加一个近期查处的案例。"
    )
    assert draft.state == "returned"
    with pytest.raises(TransitionRefused):
        services.review_draft(lecture_admin, draft, accept=True)


def test_catalogue_writes_check_their_fields(lecture_admin):
    with pytest.raises(DomainError, match="请填写宣讲员的工作单位"):
        services.create_lecturer(lecture_admin, name="张三", unit="")
    with pytest.raises(DomainError, match="标题"):
        services.create_topic(lecture_admin, title=" ")
    with pytest.raises(DomainError, match="至少 1 分钟"):
        services.create_topic(lecture_admin, title="《监察法》解读", minutes=0)


def test_a_request_with_a_naive_time_is_refused(file_request):
    from datetime import datetime

    with pytest.raises(DomainError, match="时区"):
        file_request(start=datetime(2026, 6, 10, 9), end=datetime(2026, 6, 10, 11))
    assert RequestState.SUBMITTED == "submitted"
