"""Files in and out, the same way in every app: spreadsheets written to a temporary file and streamed as a
download, and uploads judged by their first bytes, never by their name or the browser's word for the type."""

import os
import tempfile

from django.http import FileResponse
from django.utils.translation import gettext as _

from . import clock
from .errors import DomainError

JPEG = {b"\xff\xd8\xff": "image/jpeg"}
PNG = {b"\x89PNG\r\n\x1a\n": "image/png"}
PDF = {b"%PDF-": "application/pdf"}
IMAGES = {**JPEG, **PNG}
EVIDENCE = {**IMAGES, **PDF}


def save_workbook(workbook, prefix: str) -> str:
    """Save an openpyxl workbook (write-only mode streams rows to disk) to a temporary file; its path."""
    with tempfile.NamedTemporaryFile(prefix=prefix, suffix=".xlsx", delete=False) as handle:
        workbook.save(handle)
    return handle.name


def xlsx_download(path: str, name: str, stamp: bool = True) -> FileResponse:
    """Stream a saved workbook as a download. The name is unlinked at once: the open file streams on and
    no temporary file is left behind, however the response ends."""
    handle = open(path, "rb")  # noqa: SIM115 (the response closes it)
    os.unlink(path)
    suffix = clock.now().strftime("-%Y%m%d-%H%M") if stamp else ""
    return FileResponse(handle, as_attachment=True, filename=f"{name}{suffix}.xlsx")


def sniff(upload, allowed: dict[bytes, str], *, field: str, max_bytes: int) -> str:
    """The content type of an upload, judged by its first bytes; refused with the reason otherwise."""
    if upload.size > max_bytes:
        raise DomainError(
            _("%(name)s is larger than %(mb)s MB.") % {"name": upload.name, "mb": max_bytes // (1024 * 1024)},
            field=field,
        )
    head = upload.read(8)
    upload.seek(0)
    for magic, content_type in allowed.items():
        if head.startswith(magic):
            return content_type
    kinds = "、".join(sorted({t.split("/")[1].upper() for t in allowed.values()}))
    raise DomainError(
        _("%(name)s is not a %(kinds)s file.") % {"name": upload.name, "kinds": kinds}, field=field
    )
