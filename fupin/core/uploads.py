"""Every uploaded file passes one checker, is stored under a name we make, and is served by one response.

The type of a file is judged by its content (puremagic reads the magic bytes; Office files are zips whose
`[Content_Types].xml` must name a workbook or a document), never by its name or the browser's word for it,
so an HTML page renamed `photo.jpg` or an SVG carrying a script is refused. Each purpose allows its own
types; the size limit comes from the settings (`UPLOAD_MAX_MB`, imports `IMPORT_MAX_MB`). On disk a file
is called `<uuid>.<extension of the detected type>`: the user's name never reaches the file system, and a
model that keeps the original name does so in a field, for display only.

Downloads go through `file_response()`: images and PDF inline, everything else as an attachment, always
with the type its content shows, `nosniff` and a sandboxing content security policy, so no upload is ever
run as a page of this site."""

import codecs
import os
import uuid
import zipfile
from dataclasses import dataclass

import puremagic
from django.conf import settings
from django.core.files import File
from django.http import FileResponse
from django.utils.translation import gettext as _

from .errors import DomainError

# Enough for every magic number we look for (WebP's is at offset 8, a text sample needs a few lines).
HEAD_BYTES = 8192


@dataclass(frozen=True)
class Kind:
    label: str  # shown in the refusal: "JPEG、PNG"
    extension: str  # of the stored file, with the dot
    content_type: str
    inline: bool  # shown in the browser (images, PDF) rather than downloaded


JPEG = Kind("JPEG", ".jpg", "image/jpeg", inline=True)
PNG = Kind("PNG", ".png", "image/png", inline=True)
WEBP = Kind("WebP", ".webp", "image/webp", inline=True)
PDF = Kind("PDF", ".pdf", "application/pdf", inline=True)
XLSX = Kind(
    "Excel (.xlsx)", ".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", False
)
DOCX = Kind(
    "Word (.docx)", ".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", False
)
CSV = Kind("CSV", ".csv", "text/csv", inline=False)
KINDS = (JPEG, PNG, WEBP, PDF, XLSX, DOCX, CSV)
BY_EXTENSION = {kind.extension: kind for kind in KINDS}

# What puremagic calls the types we accept; a zip is only a candidate until its parts are read.
BY_MIME = {"image/jpeg": JPEG, "image/png": PNG, "image/webp": WEBP, "application/pdf": PDF}
ZIP_MAGIC = b"PK\x03\x04"
# The content type of the main part that makes a zip a workbook or a document.
OFFICE_MAIN_PARTS = {
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
}
# Text that a browser might render as a page is never a CSV, whatever else it is.
MARKUP_STARTS = (b"<", b"\xef\xbb\xbf<")

IMAGES = (JPEG, PNG, WEBP)


@dataclass(frozen=True)
class Purpose:
    kinds: tuple[Kind, ...]
    limit_setting: str = "UPLOAD_MAX_MB"

    @property
    def max_bytes(self) -> int:
        return int(getattr(settings, self.limit_setting)) * 1024 * 1024


EVIDENCE = Purpose((*IMAGES, PDF))  # problem rectification evidence
PROGRESS_PHOTO = Purpose(IMAGES)  # project progress report
ACCEPTANCE = Purpose((*IMAGES, PDF, DOCX, XLSX))  # project acceptance record
DRAFT = Purpose((PDF, DOCX))  # lesson draft
SIGN_IN_SHEET = Purpose((*IMAGES, PDF))  # lecture feedback
VISIT_PHOTO = Purpose(IMAGES)  # household visit
IMPORT = Purpose((XLSX, CSV), limit_setting="IMPORT_MAX_MB")  # registry import


@dataclass(frozen=True)
class Checked:
    kind: Kind
    size: int
    original_name: str


def check(upload, purpose: Purpose, *, field: str, label: str | None = None) -> Checked:
    """The upload's type if `purpose` allows it; a DomainError naming the field otherwise."""
    label = label or field
    if upload is None or not getattr(upload, "size", 0):
        raise DomainError(
            _("%(field)s: choose a file; it must not be empty.") % {"field": label}, field=field
        )
    original = os.path.basename(upload.name or "")[:200]
    if upload.size > purpose.max_bytes:
        raise DomainError(
            _("%(field)s: %(name)s is larger than %(mb)s MB.")
            % {"field": label, "name": original, "mb": purpose.max_bytes // (1024 * 1024)},
            field=field,
        )
    kind = detect(upload)
    if kind not in purpose.kinds:
        raise DomainError(
            _("%(field)s: %(name)s is not a file of these types: %(kinds)s.")
            % {"field": label, "name": original, "kinds": "、".join(k.label for k in purpose.kinds)},
            field=field,
        )
    return Checked(kind=kind, size=upload.size, original_name=original)


def detect(upload) -> Kind | None:
    """The kind of an upload by its content, None when it is none we accept. The file is left at its start."""
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    if head.startswith(ZIP_MAGIC):
        return _office_kind(upload)
    try:
        matches = puremagic.magic_string(head)
    except puremagic.PureError:
        matches = []
    for match in matches:
        if match.mime_type in BY_MIME:
            return BY_MIME[match.mime_type]
    # Text has no magic number (a few short signatures may match by chance): it is judged by its bytes.
    return CSV if _is_plain_text(head) else None


def _office_kind(upload) -> Kind | None:
    """XLSX or DOCX when the zip's content types name the main part; only the zip's directory is read."""
    try:
        with zipfile.ZipFile(upload) as archive:
            types = archive.read("[Content_Types].xml").decode("utf-8", "replace")
    except (zipfile.BadZipFile, KeyError, OSError, EOFError):
        return None
    finally:
        upload.seek(0)
    for kind, main_part in OFFICE_MAIN_PARTS.items():
        if main_part in types:
            return kind
    return None


def _is_plain_text(head: bytes) -> bool:
    """A CSV (or plain text) sample: UTF-8 or GB18030, no NUL, and nothing a browser would take for markup."""
    if b"\x00" in head or head.lstrip().startswith(MARKUP_STARTS):
        return False
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            # The sample may end inside a character: an incremental decoder keeps that tail for later.
            codecs.getincrementaldecoder(encoding)().decode(head, final=len(head) < HEAD_BYTES)
            return True
        except UnicodeDecodeError:
            continue
    return False


def stored_name(kind: Kind) -> str:
    """The name a file gets on disk: ours, with the extension of its detected type."""
    return f"{uuid.uuid4().hex}{kind.extension}"


def checked_file(upload, purpose: Purpose, *, field: str, label: str | None = None) -> tuple[File, Checked]:
    """Check the upload and wrap it under the stored name, ready for a FileField (copied in chunks)."""
    checked = check(upload, purpose, field=field, label=label)
    return File(upload, name=stored_name(checked.kind)), checked


def kind_of_stored(name: str) -> Kind | None:
    return BY_EXTENSION.get(os.path.splitext(name or "")[1].lower())


def file_response(field_file, download_name: str | None = None) -> FileResponse:
    """A stored upload as an answer: images and PDF inline, everything else an attachment. The type is
    read from the content again, so that a file stored before the checker (under the user's name) is
    never served as what its name claims; what is none of our types goes as bytes to download."""
    handle = field_file.open("rb")
    kind = detect(handle)
    content_type = kind.content_type if kind else "application/octet-stream"
    inline = bool(kind and kind.inline)
    name = download_name or os.path.basename(field_file.name)
    if kind and not name.lower().endswith(kind.extension):
        name = f"{os.path.splitext(name)[0]}{kind.extension}"
    response = FileResponse(handle, as_attachment=not inline, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    # Chromium's PDF viewer does not run in a sandboxed document; everything else is sandboxed.
    response["Content-Security-Policy"] = "default-src 'none'" + ("" if kind is PDF else "; sandbox")
    return response
