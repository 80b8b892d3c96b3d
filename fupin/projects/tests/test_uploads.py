"""Progress photos and acceptance files: checked by content on the page and in the services, stored under
our name, and served only through views that check the project's visibility."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from fupin.core.errors import DomainError
from fupin.core.tests.test_uploads import EXE, HTML, JPEG, PDF, SVG
from fupin.projects import services
from fupin.projects.models import Acceptance, Progress

from .conftest import to_implementing


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def implementing(project, sima_officer, county_admin, finance, source, time_machine):
    return to_implementing(project, sima_officer, county_admin, finance, source, time_machine)


@pytest.fixture
def completed(implementing, sima_officer):
    services.report_progress(sima_officer, implementing, percent=100)
    services.transition(sima_officer, implementing, "complete")
    implementing.refresh_from_db()
    return implementing


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("现场.html", HTML, "不是 JPEG、PNG、WebP 文件"),
        ("现场.jpg", HTML, "不是 JPEG、PNG、WebP 文件"),
        ("现场.exe", EXE, "不是 JPEG、PNG、WebP 文件"),
        ("现场.svg", SVG, "不是 JPEG、PNG、WebP 文件"),
        ("现场.png", SVG, "不是 JPEG、PNG、WebP 文件"),
    ],
)
def test_a_progress_photo_is_checked_by_its_content(
    implementing, sima_officer, media, name, content, message
):
    photo = SimpleUploadedFile(name, content, content_type="image/jpeg")
    response = logged_in(sima_officer).post(
        f"/projects/{implementing.pk}/progress/", {"percent": "30", "photo": photo}, follow=True
    )
    assert f"照片：{name} {message}" in response.content.decode()
    assert not Progress.objects.exists() and not any(media.rglob("*.*"))


def test_a_50_mb_file_is_refused_before_anything_is_written(implementing, sima_officer, media, settings):
    settings.UPLOAD_MAX_MB = 20
    big = SimpleUploadedFile("大图.jpg", JPEG + b"\0" * (50 * 1024 * 1024))
    with pytest.raises(DomainError) as refused:
        services.report_progress(sima_officer, implementing, percent=30, photo=big)
    assert refused.value.message == "照片：大图.jpg 超过 20 MB。" and refused.value.fields.keys() == {"photo"}
    assert not Progress.objects.exists() and not any(media.rglob("*.*"))


def test_progress_photo_is_stored_under_our_name_and_served_only_inside_the_area(
    implementing, sima_officer, jishu_officer, media, api_as
):
    photo = SimpleUploadedFile("../现场 照片.jpg", JPEG, content_type="text/html")
    report = services.report_progress(sima_officer, implementing, percent=30, photo=photo)
    stored = report.photo.name
    assert stored.startswith("projects/progress/") and stored.endswith(".jpg") and "现场" not in stored
    url = f"/projects/{implementing.pk}/progress/{report.pk}/photo/"
    assert url in logged_in(sima_officer).get(f"/projects/{implementing.pk}/").content.decode()
    response = logged_in(sima_officer).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline")
    assert (
        response["X-Content-Type-Options"] == "nosniff" and "sandbox" in response["Content-Security-Policy"]
    )
    assert b"".join(response.streaming_content) == JPEG
    assert logged_in(jishu_officer).get(url).status_code == 404
    assert (
        logged_in(sima_officer)
        .get(f"/projects/{implementing.pk}/progress/{report.pk + 1}/photo/")
        .status_code
        == 404
    )
    assert Client().get(url).status_code == 302  # to the login page
    reports = api_as(sima_officer).get(f"/api/v1/projects/{implementing.pk}/progress").json()["items"]
    assert reports[0]["photo"] == url  # the API points at the checked view, not at a media URL


def test_acceptance_takes_a_pdf_or_office_file_and_serves_it_as_a_download(
    completed, county_admin, jishu_officer, media
):
    with pytest.raises(DomainError, match="附件：验收.exe 不是 JPEG、PNG、WebP、PDF、Word"):
        services.record_acceptance(
            county_admin,
            completed,
            accepted_on=date(2018, 12, 1),
            members="县扶贫办",
            conclusion="合格",
            attachment=SimpleUploadedFile("验收.exe", EXE),
        )
    assert not Acceptance.objects.exists() and not any(media.rglob("*.*"))
    record = services.record_acceptance(
        county_admin,
        completed,
        accepted_on=date(2018, 12, 1),
        members="县扶贫办",
        conclusion="合格",
        attachment=SimpleUploadedFile("验收报告.doc", PDF),
    )
    assert record.attachment.name.endswith(".pdf") and "验收" not in record.attachment.name
    url = f"/projects/{completed.pk}/acceptance/file/"
    assert url in logged_in(county_admin).get(f"/projects/{completed.pk}/").content.decode()
    response = logged_in(county_admin).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert logged_in(jishu_officer).get(url).status_code == 404


def test_no_acceptance_file_is_404(completed, county_admin):
    assert logged_in(county_admin).get(f"/projects/{completed.pk}/acceptance/file/").status_code == 404
