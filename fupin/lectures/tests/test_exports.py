"""Excel exports of the request list (scope and filter as on the page) and of the statistics, and the
sign-in sheet uploaded with the feedback form (checked by type and size)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from fupin.lectures import services
from fupin.lectures.models import Feedback, LectureRequest

from .conftest import at
from .test_views import SCORES

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def workbook(response):
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)


def test_the_request_list_exports_what_the_page_shows(
    as_user, lecture_admin, jishu_requester, file_request, approved, clock, django_assert_max_num_queries
):
    approved()
    file_request(at(11, 9), at(11, 11))  # submitted, any lecturer
    file_request(actor=jishu_requester)
    client = as_user(lecture_admin)
    with django_assert_max_num_queries(6):
        book = workbook(client.get(reverse("lecture-requests-export"), {"state": "approved"}))
    rows = list(book.active.values)
    assert rows[0][:3] == ("编号", "申请单位", "形式")
    assert len(rows) == 2 and rows[1][1] == "司马镇人民政府" and rows[1][8] == "刘烨华"
    assert rows[1][16] == "已批准" and rows[1][9].strftime("%Y-%m-%d %H:%M") == "2026-06-10 09:00"
    # A unit exports only its own requests, whatever the filter.
    mine = workbook(as_user(jishu_requester).get(reverse("lecture-requests-export")))
    assert [row[1] for row in list(mine.active.values)[1:]] == ["鸡黍镇人民政府"]


def test_the_statistics_export_reads_like_the_page(as_user, lecture_admin, requester, delivered):
    services.file_feedback(requester, delivered, attendance=215, **{k: 4 for k in SCORES})
    book = workbook(as_user(lecture_admin).get(reverse("lecture-statistics-export")))
    assert book.sheetnames == ["全县合计", "按宣讲员", "按课题", "按单位", "按月份"]
    totals = list(book["全县合计"].values)
    assert totals[0][0].startswith("累计开展专题宣讲 0 次，廉政宣讲 1 次，215 人次")
    lecturer = list(book["按宣讲员"].values)
    assert lecturer[1][:6] == ("刘烨华", "中共金乡县委党校", 1, 2.0, 215, 4.0)


def test_exports_need_a_lecture_role(as_user, sima_officer):
    client = as_user(sima_officer)
    assert client.get(reverse("lecture-requests-export")).status_code == 403
    assert client.get(reverse("lecture-statistics-export")).status_code == 403


def test_the_feedback_form_takes_a_sign_in_photo(
    as_user, requester, jishu_requester, delivered, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    photo = SimpleUploadedFile("签到表.png", PNG, "image/png")
    response = as_user(requester).post(
        reverse("lecture-feedback", args=[delivered.pk]),
        {"attendance": "215", **SCORES, "sign_in_sheet": photo},
    )
    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert feedback.sign_in_sheet.name.endswith(".png") and feedback.sign_in_sheet.read() == PNG
    assert "签到表" not in feedback.sign_in_sheet.name  # stored under our name
    url = reverse("lecture-feedback-sheet", args=[delivered.pk])
    client = as_user(requester)
    assert url in client.get(reverse("lecture-feedback-print", args=[delivered.pk])).content.decode()
    sheet = client.get(url)
    assert sheet.status_code == 200 and sheet["Content-Type"] == "image/png"
    assert sheet["Content-Disposition"].startswith("inline") and sheet["X-Content-Type-Options"] == "nosniff"
    assert b"".join(sheet.streaming_content) == PNG
    assert as_user(jishu_requester).get(url).status_code == 404


@pytest.mark.parametrize(
    "upload, message",
    [
        (
            SimpleUploadedFile("签到表.png", b"<html>not an image</html>", "image/png"),
            "签到表.png 不是 JPEG、PNG、WebP、PDF 文件",
        ),
        (
            SimpleUploadedFile("签到表.pdf", b"%PDF-" + b"0" * (1024 * 1024), "application/pdf"),
            "签到表.pdf 超过 1 MB",
        ),
    ],
    ids=["not an image or PDF", "too large"],
)
def test_a_bad_sign_in_sheet_is_refused_and_nothing_is_written(
    as_user, requester, delivered, settings, tmp_path, upload, message
):
    settings.MEDIA_ROOT, settings.UPLOAD_MAX_MB = tmp_path, 1
    response = as_user(requester).post(
        reverse("lecture-feedback", args=[delivered.pk]),
        {"attendance": "215", **SCORES, "sign_in_sheet": upload},
    )
    assert response.status_code == 200 and message in response.content.decode()
    assert not Feedback.objects.exists() and LectureRequest.objects.get().state == "delivered"
    assert not any(tmp_path.rglob("*.*"))
