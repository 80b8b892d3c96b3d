"""Lesson drafts (集体备课、集中审核): a lecturer hands one in on the page or by API, the lecture office
returns it with comments or accepts it, the lecturer reads the comments; roles (403) and scope (404)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fupin.core.audit import AuditEvent
from fupin.core.enums import Role
from fupin.lectures import services
from fupin.lectures.models import LessonDraft

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n"


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def other_lecturer(make_user, lecture_admin, topic):
    user = make_user("otherlecturer", roles=[Role.LECTURER])
    lecturer = services.create_lecturer(
        lecture_admin, name="王秀兰", unit="县纪委监委", topics=[topic], user=user
    )
    return user, lecturer


def test_a_lecturer_hands_in_a_draft_with_a_file_and_the_admin_returns_it(
    as_user, lecturer_user, lecture_admin, liu, topic, clock
):
    client = as_user(lecturer_user)
    page = client.get(reverse("lecture-draft-new")).content.decode()
    assert 'name="lecturer"' not in page  # a lecturer hands in only their own
    response = client.post(
        reverse("lecture-draft-new"),
        {"topic": topic.pk, "text": "", "attachment": SimpleUploadedFile("讲稿.pdf", PDF, "application/pdf")},
    )
    draft = LessonDraft.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("lecture-draft", args=[draft.pk])
    assert (draft.lecturer, draft.state, draft.attachment.name.endswith(".pdf")) == (liu, "submitted", True)
    assert AuditEvent.objects.filter(action="lectures.draft.submit", target_id=str(draft.pk)).exists()
    download = client.get(reverse("lecture-draft-file", args=[draft.pk]))
    assert download.getvalue() == PDF and download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff" and "讲稿" not in draft.attachment.name

    admin = as_user(lecture_admin)
    listing = admin.get(reverse("lecture-drafts")).content.decode()
    assert "待审核" in listing and topic.title in listing
    empty = admin.post(
        reverse("lecture-draft-review", args=[draft.pk]), {"decision": "return", "review_comment": " "}
    )
    assert empty.status_code == 400 and "退回讲稿时请写明修改意见。" in empty.content.decode()
    assert LessonDraft.objects.get().state == "submitted"

    returned = admin.post(
        reverse("lecture-draft-review", args=[draft.pk]),
        {"decision": "return", "review_comment": "多用本县近期案例"},
    )
    assert returned.status_code == 302
    assert (LessonDraft.objects.get().state, LessonDraft.objects.get().review_comment) == (
        "returned",
        "多用本县近期案例",
    )

    mine = as_user(lecturer_user).get(reverse("lecture-draft", args=[draft.pk])).content.decode()
    assert "多用本县近期案例" in mine and "退回修改" in mine and "review-card" not in mine
    again = as_user(lecture_admin).post(
        reverse("lecture-draft-review", args=[draft.pk]), {"decision": "accept"}
    )
    assert again.status_code == 400 and "该讲稿已审核。" in again.content.decode()


def test_the_admin_accepts_a_text_draft(as_user, lecture_admin, liu, topic, clock):
    draft = services.submit_draft(lecture_admin, lecturer=liu, topic=topic, text="一、基层廉政建设的形势")
    response = as_user(lecture_admin).post(
        reverse("lecture-draft-review", args=[draft.pk]), {"decision": "accept"}
    )
    assert response.status_code == 302 and LessonDraft.objects.get().state == "accepted"


def test_bad_drafts_are_refused_and_nothing_is_written(as_user, lecturer_user, liu, topic, clock):
    client = as_user(lecturer_user)
    empty = client.post(reverse("lecture-draft-new"), {"topic": topic.pk, "text": "  "})
    assert empty.status_code == 400 and "请填写讲稿内容或上传讲稿文件。" in empty.content.decode()
    exe = SimpleUploadedFile("讲稿.pdf", b"MZ\x90\x00not a pdf", "application/pdf")
    wrong = client.post(reverse("lecture-draft-new"), {"topic": topic.pk, "attachment": exe})
    assert (
        wrong.status_code == 400
        and "讲稿文件：讲稿.pdf 不是 PDF、Word (.docx) 文件" in wrong.content.decode()
    )
    assert not LessonDraft.objects.exists()


def test_roles_and_scope_of_drafts(
    as_user, lecturer_user, lecture_admin, requester, liu, topic, other_lecturer, clock
):
    other_user, other = other_lecturer
    draft = services.submit_draft(lecturer_user, lecturer=liu, topic=topic, text="讲稿")
    # Another lecturer: not their draft (404), and cannot review (403) nor hand in for someone else.
    client = as_user(other_user)
    assert client.get(reverse("lecture-draft", args=[draft.pk])).status_code == 404
    assert (
        client.post(reverse("lecture-draft-review", args=[draft.pk]), {"decision": "accept"}).status_code
        == 404
    )
    assert topic.title not in client.get(reverse("lecture-drafts")).content.decode()
    with pytest.raises(Exception, match="角色"):
        services.submit_draft(other_user, lecturer=liu, topic=topic, text="代交")
    # A lecturer may not review even their own draft; a requesting unit has no drafts page.
    assert (
        as_user(lecturer_user)
        .post(reverse("lecture-draft-review", args=[draft.pk]), {"decision": "accept"})
        .status_code
        == 403
    )
    # No read right for drafts (core/access.py): 403 on the list, 404 on any draft.
    assert as_user(requester).get(reverse("lecture-drafts")).status_code == 403
    assert as_user(requester).get(reverse("lecture-draft", args=[draft.pk])).status_code == 404
    assert LessonDraft.objects.get().state == "submitted"


def test_drafts_by_api(api_as, lecturer_user, lecture_admin, requester, liu, topic, other_lecturer, clock):
    from fupin.core.tests.test_api import assert_error

    lecturer = api_as(lecturer_user)
    created = lecturer.post("/api/v1/lectures/drafts", {"topic_id": topic.pk, "text": "讲稿初稿"})
    assert created.status_code == 201 and created.json()["lecturer_id"] == liu.pk
    draft_id = created.json()["id"]
    assert_error(lecturer.post("/api/v1/lectures/drafts", {"topic_id": topic.pk, "text": ""}), 400, "invalid")

    admin = api_as(lecture_admin)
    assert_error(admin.post(f"/api/v1/lectures/drafts/{draft_id}/review", {"accept": False}), 400, "invalid")
    returned = admin.post(
        f"/api/v1/lectures/drafts/{draft_id}/review", {"accept": False, "comment": "补充案例"}
    )
    assert returned.status_code == 200 and returned.json()["state"] == "returned"
    assert lecturer.get(f"/api/v1/lectures/drafts/{draft_id}").json()["review_comment"] == "补充案例"
    again = admin.post(f"/api/v1/lectures/drafts/{draft_id}/review", {"accept": True})
    assert assert_error(again, 409, "state_conflict")["message"] == "该讲稿已审核。"

    assert lecturer.post(f"/api/v1/lectures/drafts/{draft_id}/review", {"accept": True}).status_code == 403
    assert api_as(requester).get("/api/v1/lectures/drafts").status_code == 403
    assert api_as(other_lecturer[0]).get(f"/api/v1/lectures/drafts/{draft_id}").status_code == 404
    assert api_as(other_lecturer[0]).get("/api/v1/lectures/drafts").json() == {"items": [], "count": 0}
    admin_sees = admin.get("/api/v1/lectures/drafts", {"state": "returned"}).json()["items"]
    assert [row["id"] for row in admin_sees] == [draft_id]
