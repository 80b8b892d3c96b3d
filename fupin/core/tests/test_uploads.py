"""The one upload checker: types judged by content, per-purpose sets, the size limit, our stored names and
the download answer's headers. No database: these are the rules every app's upload goes through."""

import io
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile

from fupin.core import uploads
from fupin.core.errors import DomainError

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\0" * 64
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\0" * 64
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\0" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + b"0" * 64
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'
HTML = b"<!DOCTYPE html><html><body><script>fetch('/api/v1/me')</script></body></html>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\0" * 64
CSV = "户编号,姓名,证件号码\n1,张三,370828199001011234\n".encode()
CSV_GB18030 = "户编号,姓名\n1,张三\n".encode("gb18030")


def office(main_part_type: str | None) -> bytes:
    """A zip like an Office file, whose [Content_Types].xml names `main_part_type` (none: no such part)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if main_part_type:
            archive.writestr(
                "[Content_Types].xml",
                f'<Types><Override PartName="/main.xml" ContentType="{main_part_type}"/></Types>',
            )
        archive.writestr("main.xml", "<x/>")
    return buffer.getvalue()


def xlsx() -> bytes:
    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


DOCX = office(uploads.OFFICE_MAIN_PARTS[uploads.DOCX])
PLAIN_ZIP = office(None)


def upload(content: bytes, name: str = "file.bin") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (JPEG, uploads.JPEG),
        (PNG, uploads.PNG),
        (WEBP, uploads.WEBP),
        (PDF, uploads.PDF),
        (DOCX, uploads.DOCX),
        (CSV, uploads.CSV),
        (CSV_GB18030, uploads.CSV),
    ],
    ids=["jpeg", "png", "webp", "pdf", "docx", "csv", "csv-gb18030"],
)
def test_types_are_known_by_their_content_whatever_the_name(content, kind):
    assert uploads.detect(upload(content, "no-extension")) is kind


def test_a_real_workbook_is_xlsx_and_a_bare_zip_is_nothing():
    assert uploads.detect(upload(xlsx(), "report.docx")) is uploads.XLSX
    assert uploads.detect(upload(PLAIN_ZIP, "report.xlsx")) is None
    assert uploads.detect(upload(b"PK\x03\x04 broken", "report.xlsx")) is None


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (SVG, "photo.png"),
        (HTML, "photo.jpg"),
        (EXE, "report.pdf"),
        (b"\xef\xbb\xbf<html><script>1</script></html>", "list.csv"),
        (b"  <svg onload=alert(1)>", "list.csv"),
        (b"text with a NUL \x00 inside", "list.csv"),
    ],
    ids=["svg-with-script", "html-renamed-jpg", "exe-renamed-pdf", "html-with-bom", "svg-fragment", "binary"],
)
def test_markup_and_programs_are_never_accepted_for_any_purpose(content, name):
    assert uploads.detect(upload(content, name)) is None
    for purpose in (uploads.EVIDENCE, uploads.ACCEPTANCE, uploads.DRAFT, uploads.IMPORT, uploads.VISIT_PHOTO):
        with pytest.raises(DomainError) as refused:
            uploads.check(upload(content, name), purpose, field="attachment", label="附件")
        assert refused.value.fields == {"attachment": refused.value.message}
        assert refused.value.message.startswith(f"附件：{name} 不是 ")


def test_each_purpose_allows_its_own_types():
    # A PDF is evidence but not a progress photo; a workbook is an import but not a lesson draft.
    assert uploads.check(upload(PDF), uploads.EVIDENCE, field="f").kind is uploads.PDF
    with pytest.raises(DomainError, match="照片：x.pdf 不是 JPEG、PNG、WebP 文件"):
        uploads.check(upload(PDF, "x.pdf"), uploads.PROGRESS_PHOTO, field="photo", label="照片")
    assert uploads.check(upload(xlsx()), uploads.IMPORT, field="file").kind is uploads.XLSX
    with pytest.raises(DomainError, match="不是 PDF、Word"):
        uploads.check(upload(xlsx()), uploads.DRAFT, field="attachment")
    with pytest.raises(DomainError, match="不是 Excel"):
        uploads.check(upload(JPEG), uploads.IMPORT, field="file")


def test_the_size_limit_comes_from_the_settings_and_imports_have_their_own(settings):
    settings.UPLOAD_MAX_MB, settings.IMPORT_MAX_MB = 1, 2
    big = PDF + b"0" * (1024 * 1024)
    with pytest.raises(DomainError) as refused:
        uploads.check(upload(big, "scan.pdf"), uploads.ACCEPTANCE, field="attachment", label="附件")
    assert refused.value.message == "附件：scan.pdf 超过 1 MB。"
    assert refused.value.fields == {"attachment": "附件：scan.pdf 超过 1 MB。"}
    assert uploads.check(upload(CSV + b"1" * (1024 * 1024)), uploads.IMPORT, field="file").kind is uploads.CSV
    with pytest.raises(DomainError, match="超过 2 MB"):
        uploads.check(upload(CSV + b"1" * (2 * 1024 * 1024)), uploads.IMPORT, field="file")


@pytest.mark.parametrize("missing", [None, upload(b"", "empty.png")], ids=["none", "empty"])
def test_a_missing_or_empty_file_is_refused_naming_the_field(missing):
    with pytest.raises(DomainError) as refused:
        uploads.check(missing, uploads.EVIDENCE, field="attachments", label="整改材料")
    assert refused.value.message == "整改材料：请选择文件，文件不能为空。"
    assert list(refused.value.fields) == ["attachments"]


def test_the_stored_name_is_ours_with_the_detected_extension():
    stored, checked = uploads.checked_file(
        upload(PNG, "../../etc/passwd 照片.jpg"), uploads.VISIT_PHOTO, field="photos"
    )
    name, extension = stored.name.rsplit(".", 1)
    assert extension == "png" and len(name) == 32 and int(name, 16) >= 0
    assert checked.original_name == "passwd 照片.jpg" and checked.size == len(PNG)
    other, _checked = uploads.checked_file(upload(PNG, "a.png"), uploads.VISIT_PHOTO, field="photos")
    assert other.name != stored.name
    assert stored.read() == PNG  # the upload itself, read from its start


@pytest.fixture
def storage(tmp_path):
    return FileSystemStorage(location=tmp_path)


def stored(storage, name, content):
    from django.db.models.fields.files import FieldFile

    saved = storage.save(name, ContentFile(content))

    class Field:  # the least a FieldFile needs to open a stored file
        pass

    field = Field()
    field.storage = storage
    return FieldFile(instance=None, field=field, name=saved)


@pytest.mark.parametrize(
    ("name", "content", "content_type", "disposition"),
    [
        ("a.png", PNG, "image/png", "inline"),
        ("a.jpg", JPEG, "image/jpeg", "inline"),
        ("a.pdf", PDF, "application/pdf", "inline"),
        ("a.docx", DOCX, uploads.DOCX.content_type, "attachment"),
        ("a.xlsx", xlsx(), uploads.XLSX.content_type, "attachment"),
        ("legacy.html", HTML, "application/octet-stream", "attachment"),
        ("legacy.svg", SVG, "application/octet-stream", "attachment"),
        ("legacy.png", HTML, "application/octet-stream", "attachment"),
        ("legacy.pdf", EXE, "application/octet-stream", "attachment"),
    ],
    ids=[
        "png",
        "jpeg",
        "pdf",
        "docx",
        "xlsx",
        "legacy-html",
        "legacy-svg",
        "html-named-png",
        "exe-named-pdf",
    ],
)
def test_downloads_have_a_safe_type_and_never_render_markup(
    storage, name, content, content_type, disposition
):
    response = uploads.file_response(stored(storage, name, content), "验收材料")
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith(disposition)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("default-src 'none'")
    if content_type != "application/pdf":
        assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == content
    response.file_to_stream.close()  # not response.close(): that signals the end of a request


def test_the_download_name_gets_the_stored_type_extension(storage):
    response = uploads.file_response(stored(storage, "x.pdf", PDF), "report.exe")
    assert 'filename="report.pdf"' in response["Content-Disposition"]
    response.file_to_stream.close()  # not response.close(): that signals the end of a request
