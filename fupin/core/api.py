"""API of the foundation: tokens, the current user, regions."""

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Annotated, Any, Generic, TypeVar

from django.contrib.auth import authenticate
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.security import HttpBearer
from pydantic import BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from . import access, exportjobs, lockout, services
from .enums import RegionLevel
from .inputs import PageNumber
from .models import ApiToken, Region
from .money import MONEY_PATTERN
from .scope import get_visible_or_404


class TokenAuth(HttpBearer):
    """A valid bearer token, and a route whose data the token's user may read (core/access.py): 403 on a
    list, 404 on an object otherwise, before the body is even read."""

    def authenticate(self, request, token):
        api_token = services.token_for_key(token)
        if api_token is None:
            return None
        user = api_token.user
        # The token itself, for the routes that act on it (logout).
        request.user, request.api_token = user, api_token
        match = request.resolver_match
        access.check_route(user, request.path, names_object=bool(match and match.kwargs))
        return user


class RoleAuth(TokenAuth):
    """TokenAuth, and a user who may take `action` (a write endpoint); otherwise 403."""

    def __init__(self, action):
        super().__init__()
        self.action = action

    def authenticate(self, request, token):
        user = super().authenticate(request, token)
        if user is not None:
            access.require(user, self.action)
        return user


router = Router(tags=["foundation"])


class ErrorOut(Schema):
    code: str = Field(examples=["not_found"])
    message: str = Field(examples=["对象不存在或不在您的管辖范围内。"])
    fields: dict[str, str] = Field(default_factory=dict)


# --- What the schema says of a string: its fixed values, its pattern ---------------------------------------
# These say what the services check (each with its Chinese message naming the field), so a client and
# schemathesis know the valid values; the contract test holds every answer to them.
def one_of(*choices, description: str = "") -> Any:
    """A string of a fixed set, listed as an enum; the set is the model's TextChoices (one source), plus any
    extra value given (e.g. "" for "the default", or an action that is not a state)."""
    values: list[str] = []
    for choice in choices:
        values += [str(v) for v in choice.values] if hasattr(choice, "values") else [str(choice)]
    extra = {"description": description} if description else {}
    return Annotated[str, WithJsonSchema({"type": "string", "enum": list(dict.fromkeys(values)), **extra})]


Money = Annotated[
    str,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": MONEY_PATTERN,
            "description": "Yuan as a string, at most two decimals",
            "examples": ["50000.00"],
        }
    ),
]
RegionCode = Annotated[
    str, WithJsonSchema({"type": "string", "pattern": r"^\d{12}$", "description": "A 12-digit region code"})
]
RegionPrefix = Annotated[
    str,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^(\d{6}|\d{9}|\d{12})$",
            "description": "A region code (12 digits) or the prefix of a county (6) or town (9)",
        }
    ),
]


def required_for(field: str, actions) -> dict:
    """The JSON Schema of a transition body whose `field` (a reason) the server requires for some actions:
    `if action is one of them then field is required, not empty` (for a model's json_schema_extra)."""
    return {
        "if": {"properties": {"action": {"enum": list(actions)}}, "required": ["action"]},
        "then": {"required": [field], "properties": {field: {"minLength": 1}}},
    }


def ranged(low: int, high: int) -> Any:
    """A whole number within the bounds a service checks (a year, a percent, months), for the schema."""
    return Annotated[int, WithJsonSchema({"type": "integer", "minimum": low, "maximum": high})]


def decimal_text(low: int, high: int, description: str) -> Any:
    """A number written as a string (a score, a percent) within the bounds a service checks."""
    pattern = r"^-?\d{1,3}(\.\d{1,2})?$"
    return Annotated[
        str,
        WithJsonSchema(
            {"type": "string", "pattern": pattern, "description": f"{description} ({low}–{high})"}
        ),
    ]


def _not_a_timestamp(value):
    # Pydantic reads 1714521600 (or "1714521600") as a date; a county's dates are written 2026-05-01.
    text = str(value).strip() if isinstance(value, int | float | str) and not isinstance(value, bool) else ""
    if text.lstrip("+-").replace(".", "", 1).isdigit():
        raise PydanticCustomError("date_parsing", "Use a date like 2026-05-01.")
    return value


IsoDate = Annotated[date, BeforeValidator(_not_a_timestamp)]


# --- One pagination for every list of the API ----------------------------------------------------------
PAGE_SIZE, MAX_PAGE_SIZE = 50, 500
T = TypeVar("T")


class PageIn(Schema):
    """The query of every list: `page` (1, 2, …) of `page_size` rows. A filter schema of a list inherits
    it; a list without filters takes `paging: Query[PageIn]`."""

    page: PageNumber = 1
    page_size: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description=f"1–{MAX_PAGE_SIZE}")


class Page(Schema, Generic[T]):
    """The answer of every list: one page of `items` and the `count` of all rows the filters select, so a
    client knows when it has read them all (nothing is cut off silently)."""

    items: list[T]
    count: int


def paginate(rows: QuerySet | Sequence, paging: PageIn, attach: Callable | None = None) -> dict:
    """One page of `rows` (a queryset is sliced in the database, ordered by id unless it has an order) and
    their count; `attach(page)` adds what the page's rows need in a few queries, never one per row."""
    if isinstance(rows, QuerySet):
        if not rows.ordered:
            rows = rows.order_by("pk")
        count = rows.count()
    else:
        count = len(rows)
    start = (paging.page - 1) * paging.page_size
    items = rows[start : start + paging.page_size]
    return {"items": list(attach(items) if attach else items), "count": count}


class TokenIn(Schema):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=200)
    name: str = Field(
        "", max_length=60, description="A label to recognise the token by, e.g. the client's name."
    )


class TokenOut(Schema):
    token: str
    expires_at: datetime


class TokenInfo(Schema):
    id: int
    name: str
    prefix: str = Field(alias="key_prefix")
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    active: bool = Field(alias="is_active")


class RegionOut(Schema):
    code: RegionCode
    name: str
    level: one_of(RegionLevel)


class MeOut(Schema):
    username: str
    display_name: str
    unit: str
    region: RegionOut | None
    roles: list[str]


def _locked(request, response: HttpResponse, credentials: dict) -> Status:
    """429 with the time to wait, in seconds, as Retry-After."""
    response["Retry-After"] = str(lockout.retry_after(request, credentials))
    return Status(429, {"code": "locked", "message": lockout.lockout_message(request), "fields": {}})


@router.post(
    "/auth/token",
    auth=None,
    response={200: TokenOut, 401: ErrorOut, 429: ErrorOut, 400: ErrorOut},
    summary="Exchange a user name and password for a bearer token",
    description="Five failures for one user name, or twenty from one address over any user names, lock "
    "logins for 30 minutes: 429 with `Retry-After` (seconds).",
)
def create_token(request, payload: TokenIn, response: HttpResponse):
    credentials = {"username": payload.username}
    if lockout.is_locked(request, credentials):
        return _locked(request, response, credentials)
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        if lockout.is_locked(request, credentials):
            return _locked(request, response, credentials)
        return Status(
            401, {"code": "bad_credentials", "message": _("Wrong user name or password."), "fields": {}}
        )
    token, key = services.issue_token(user, payload.name)
    return {"token": key, "expires_at": token.expires_at}


@router.post(
    "/auth/logout",
    response={204: None, 401: ErrorOut},
    summary="Revoke the token this request is sent with",
)
def log_out(request):
    token = getattr(request, "api_token", None) or services.token_for_key(_bearer_key(request))
    services.revoke_token(request.auth, token, action="auth.logout")
    return Status(204, None)


def _bearer_key(request) -> str:
    """The key of the Authorization header, for an auth class that did not keep the token on the request."""
    scheme, _space, key = request.headers.get("Authorization", "").partition(" ")
    return key.strip() if scheme.lower() == "bearer" else ""


class PasswordIn(Schema):
    old_password: str = Field(max_length=200)
    new_password: str = Field(max_length=200)


@router.post(
    "/me/password",
    response={204: None, 400: ErrorOut, 401: ErrorOut, 429: ErrorOut},
    summary="Change my password",
    description="Revokes every API token of the user, this one included, and ends all their sessions. "
    "A wrong current password counts as a failed login.",
)
def change_password(request, payload: PasswordIn, response: HttpResponse):
    try:
        lockout.change_own_password(request, request.auth, payload.old_password, payload.new_password)
    except lockout.LockedOut:
        return _locked(request, response, {"username": request.auth.username})
    return Status(204, None)


@router.get("/auth/tokens", response=Page[TokenInfo], summary="List my tokens")
def list_tokens(request, paging: Query[PageIn]):
    return paginate(ApiToken.objects.filter(user=request.auth).order_by("-created_at", "-pk"), paging)


@router.delete(
    "/auth/tokens/{token_id}", response={204: None, 404: ErrorOut, 400: ErrorOut}, summary="Revoke my token"
)
def revoke_token(request, token_id: int):
    token = ApiToken.objects.filter(user=request.auth, pk=token_id).first()
    if token is None:
        raise Http404
    services.revoke_token(request.auth, token)
    return Status(204, None)


@router.get("/me", response=MeOut, summary="Who I am, where and in which roles")
def get_me(request):
    user = request.auth
    return {
        "username": user.username,
        "display_name": user.display_name,
        "unit": user.unit,
        "region": user.region,
        "roles": sorted(user.role_codes),
    }


def _region(request, code: str) -> Region:
    services.validate_region_code(code)
    return get_visible_or_404(Region, request.auth, code=code)


@router.get("/regions/{code}", response={200: RegionOut, 400: ErrorOut, 404: ErrorOut}, summary="One region")
def get_region(request, code: str):
    return _region(request, code)


@router.get(
    "/regions/{code}/children",
    response={200: Page[RegionOut], 400: ErrorOut, 404: ErrorOut},
    summary="The regions directly below one region",
)
def list_region_children(request, code: str, paging: Query[PageIn]):
    region = _region(request, code)
    return paginate(Region.objects.filter(parent=region).visible_to(request.auth).order_by("code"), paging)


class ExportOut(Schema):
    id: int
    kind: str = Field(examples=["registry.members"])
    status: str = Field(description="pending, running, done or failed", examples=["running"])
    total: int = Field(description="Rows to write (known once the job runs)")
    done: int = Field(description="Rows written so far")
    error: str = ""
    file: str | None = Field(None, description="The download's address once status is done")

    @staticmethod
    def resolve_file(obj):
        return f"/api/v1/exports/{obj.pk}/file" if obj.status == "done" else None


@router.get("/exports/{int:export_id}", response={200: ExportOut, 404: ErrorOut}, summary="Follow my export")
def get_export(request, export_id: int):
    """One of my own background exports; another user's, or one outside my current area, is 404."""
    return exportjobs.job_for(request.auth, export_id)


@router.get(
    "/exports/{int:export_id}/file",
    response={404: ErrorOut},
    summary="Download my finished export (.xlsx)",
    openapi_extra={
        "responses": {
            200: {
                "description": "The workbook",
                "content": {
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                        "schema": {"type": "string", "format": "binary"}
                    }
                },
            }
        }
    },
)
def get_export_file(request, export_id: int):
    return exportjobs.download(request.auth, export_id)
