"""Registry uploads through the one checker: imports are copied and read from disk in pieces and stored
under our name; visit photos are images by their content."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.test import Client

from fupin.core.errors import DomainError
from fupin.core.tests.test_uploads import HTML, JPEG, SVG
from fupin.registry import imports, services, tasks
from fupin.registry.models import ImportJob, VisitPhoto

from .test_imports import csv_bytes, rows
from .test_process import paired, registered  # noqa: F401 (fixtures)


def temporary_upload(name: str, content: bytes) -> tuple[TemporaryUploadedFile, list]:
    """An upload as Django hands over a large one (a temporary file on disk) that records every read."""
    upload = TemporaryUploadedFile(name, "text/csv", len(content), None)
    upload.write(content)
    upload.seek(0)
    reads = []
    read = upload.file.read

    def recording_read(size=-1):
        reads.append(size)
        return read(size)

    upload.file.read = recording_read
    return upload, reads


def test_an_import_is_copied_in_pieces_never_read_whole(sima_officer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    content = csv_bytes(rows())
    upload, reads = temporary_upload("人口 2025.csv", content)
    job = tasks.start(sima_officer, upload)
    upload.close()
    assert reads and all(0 < size <= 64 * 1024 for size in reads), reads
    job = ImportJob.objects.get(pk=job.pk)
    assert job.status == "done" and job.imported == 2
    assert job.filename == "人口 2025.csv"
    assert job.file.name.endswith(".csv") and "人口" not in job.file.name
    assert (tmp_path / job.file.name).read_bytes() == content


def test_the_stored_type_decides_how_an_import_is_read(sima_officer, settings, tmp_path):
    # A CSV whose name says .xlsx is read as the CSV it is.
    settings.MEDIA_ROOT = tmp_path
    job = tasks.start(sima_officer, SimpleUploadedFile("人口.xlsx", csv_bytes(rows())))
    job = ImportJob.objects.get(pk=job.pk)
    assert job.status == "done" and job.file.name.endswith(".csv")


def test_an_oversize_import_is_refused_with_the_import_limit(sima_officer, settings):
    settings.UPLOAD_MAX_MB, settings.IMPORT_MAX_MB = 1, 1
    big = csv_bytes(rows()) + b"\n" * (1024 * 1024)
    with pytest.raises(DomainError) as refused:
        imports.create_job(sima_officer, SimpleUploadedFile("人口.csv", big))
    assert refused.value.message == "文件（.xlsx 或 .csv）：人口.csv 超过 1 MB。"
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize(("name", "content"), [("走访.jpg", HTML), ("走访.png", SVG)])
def test_a_visit_photo_is_an_image_by_its_content(paired, helper_user, settings, tmp_path, name, content):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    visit = {"visited_on": date(2025, 3, 3), "findings": "正常", "today": date(2025, 3, 5)}
    with pytest.raises(DomainError) as refused:
        services.record_visit(helper_user, paired, photos=[SimpleUploadedFile(name, content)], **visit)
    assert refused.value.message.startswith(f"照片：{name} 不是 JPEG、PNG、WebP 文件")
    assert not any(tmp_path.rglob("*.*"))
    services.record_visit(helper_user, paired, photos=[SimpleUploadedFile(name, JPEG)], **visit)
    photo = VisitPhoto.objects.get()
    assert (
        photo.content_type == "image/jpeg"
        and photo.image.name.endswith(".jpg")
        and name not in photo.image.name
    )


def test_a_visit_photo_is_served_only_inside_the_area(
    paired,  # noqa: F811
    helper_user,
    sima_officer,
    jishu_officer,
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path
    visit = services.record_visit(
        helper_user,
        paired,
        visited_on=date(2025, 3, 3),
        findings="正常",
        photos=[SimpleUploadedFile("a.jpg", JPEG)],
        today=date(2025, 3, 5),
    )
    photo = visit.photos.get()
    url = f"/households/{paired.pk}/visit-photos/{photo.pk}/"
    town = Client()
    town.force_login(sima_officer)
    assert url in town.get(f"/households/{paired.pk}/").content.decode()
    response = town.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == JPEG
    other = Client()
    other.force_login(jishu_officer)
    assert other.get(url).status_code == 404
    assert town.get(f"/households/{paired.pk}/visit-photos/{photo.pk + 1}/").status_code == 404
