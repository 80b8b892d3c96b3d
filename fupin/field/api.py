"""The field app's API: the offline package, the sync of records made offline, and their photos.

The phone's pages call it with their session (and the CSRF token `GET /field/session` hands out); programs
with a bearer token. Either way the access policy is asked first, as for every route (core/access.py)."""

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from django.middleware.csrf import get_token
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.security import SessionAuth

from fupin.core import access
from fupin.core.api import ErrorOut, TokenAuth

from . import package, services
from .models import RecordKind


class FieldSessionAuth(SessionAuth):
    """The logged-in session of the field app's pages (CSRF checked on writes), under the same policy."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is not None:
            match = request.resolver_match
            access.check_route(user, request.path, names_object=bool(match and match.kwargs))
        return user


AUTH = [TokenAuth(), FieldSessionAuth()]
router = Router(tags=["field"], auth=AUTH)
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class FieldSessionOut(Schema):
    username: str
    display_name: str
    roles: list[str]
    may_visit: bool
    csrf_token: str = Field(description="For the pages' own writes (X-CSRFToken); programs ignore it")


@router.get(
    "/field/session", response={200: FieldSessionOut, 401: ErrorOut}, summary="Who the field app works for"
)
def get_field_session(request):
    user = request.auth
    return {
        "username": user.username,
        "display_name": user.display_name or user.username,
        "roles": sorted(user.role_codes),
        "may_visit": access.may(user, access.Action.VISIT),
        "csrf_token": get_token(request),
    }


class FieldMemberOut(Schema):
    name: str
    relation: str
    sex: str
    birth_year: int
    id_number: str = Field(description="Masked")
    health: str
    labour: str
    phone: str = Field(description="Masked")


class FieldVisitOut(Schema):
    id: int
    visited_on: date
    helper: str
    findings: str
    help_given: str


class FieldMeasureOut(Schema):
    kind: str
    description: str
    taken_on: date
    until: date | None


class FieldHouseholdOut(Schema):
    id: int
    number: str
    village: str
    head: str
    status: str
    main_cause: str
    phone: str = Field(description="Masked")
    failing_guarantees: list[str]
    members: list[FieldMemberOut]
    last_visits: list[FieldVisitOut]
    open_measures: list[FieldMeasureOut]


class FieldPackageOut(Schema):
    generated_at: datetime
    village: str
    households: list[FieldHouseholdOut]


@router.get(
    "/field/households",
    response={200: FieldPackageOut, **ERRORS},
    summary="The households to keep for offline visits",
    description="Without `village`: the households paired with the user (a helper's all). With `village` "
    "(12 digits): that village's households the user reads, at most 500, for a cadre or officer to pin. "
    "ID numbers and phones are masked.",
)
def get_field_households(request, village: str | None = None):
    return package.package(request.auth, village)


class FieldProblemOut(Schema):
    id: int
    number: str
    title: str
    description: str
    place: str
    deadline: date | None


class ProblemPackageOut(Schema):
    generated_at: datetime
    problems: list[FieldProblemOut]


@router.get(
    "/field/problems",
    response={200: ProblemPackageOut, **ERRORS},
    summary="The problems I rectify, to keep for offline evidence",
    description="Problems assigned to the user by name and being rectified (整改中): their evidence is sent "
    "as records of kind `evidence` (the ledger's submit step).",
)
def get_field_problems(request):
    return package.problems(request.auth)


class SyncRecordIn(Schema):
    uuid: UUID = Field(description="Made by the phone; a record is stored once per uuid")
    kind: Literal[tuple(RecordKind.values)]  # type: ignore[valid-type]
    made_at: datetime = Field(description="When the record was made on the phone")
    payload: dict = Field(
        description="visit: household (id), visited_on, findings, help_given, latitude, longitude, photos "
        "(the uuids of files sent first to /sync/files); evidence: problem (id), comment, photos; "
        "urban_problem: category, title, description, region (12 digits), found_on, photos"
    )


class SyncIn(Schema):
    records: list[SyncRecordIn] = Field(max_length=100)


class SyncOutcomeOut(Schema):
    uuid: str
    status: Literal["stored", "duplicate", "refused"]
    id: int | None = Field(None, description="The stored object's id (stored, duplicate)")
    message: str = Field("", description="Why it was refused, for the phone to show")
    fields: dict[str, str] = Field(default_factory=dict)


class SyncOut(Schema):
    results: list[SyncOutcomeOut]


@router.post(
    "/sync",
    response={200: SyncOut, **ERRORS},
    summary="Submit records made offline",
    description="Each record is stored once per uuid, in the order sent, by the same rules as online: "
    "`stored` (with the new id), `duplicate` (sent before: the id stored then) or `refused` (with the "
    "reason). The audit event of each stored record keeps `made_at` and the time it was synced.",
)
def submit_sync_records(request, payload: SyncIn):
    return {"results": services.sync(request.auth, payload.records)}


class SyncFileOut(Schema):
    uuid: str
    record_uuid: str
    status: Literal["stored", "duplicate"]
    size: int


@router.post(
    "/sync/files",
    response={200: SyncFileOut, 201: SyncFileOut, **ERRORS},
    summary="Add a photo of a record before the record is synced",
    description="Multipart: `record_uuid`, `uuid` (the file's own, made by the phone) and `file` (JPEG, PNG "
    "or WebP). Send each photo before its record; a file sent again answers 200 `duplicate`, so an "
    "interrupted upload resumes with the next file.",
)
def add_sync_file(request, record_uuid: Form[UUID], uuid: Form[UUID], file: File[UploadedFile]):
    photo, created = services.receive_file(request.auth, record_uuid=record_uuid, file_uuid=uuid, upload=file)
    body = {
        "uuid": str(photo.uuid),
        "record_uuid": str(photo.record_uuid),
        "status": "stored" if created else "duplicate",
        "size": photo.size,
    }
    return Status(201 if created else 200, body)
