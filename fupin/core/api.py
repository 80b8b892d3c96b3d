"""API of the foundation: tokens, the current user, regions."""

from datetime import datetime

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import authenticate
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.security import HttpBearer

from . import access, services
from .errors import DomainError
from .models import ApiToken, Region
from .scope import get_visible_or_404


class TokenAuth(HttpBearer):
    """A valid bearer token, and a route whose data the token's user may read (core/access.py): 403 on a
    list, 404 on an object otherwise, before the body is even read."""

    def authenticate(self, request, token):
        user = services.user_for_token(token)
        if user is not None:
            request.user = user
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
    code: str
    name: str
    level: str


class MeOut(Schema):
    username: str
    display_name: str
    unit: str
    region: RegionOut | None
    roles: list[str]


class TooManyAttempts(DomainError):
    status = 429
    code = "locked"


@router.post(
    "/auth/token",
    auth=None,
    response={200: TokenOut, 401: ErrorOut, 429: ErrorOut, 400: ErrorOut},
    summary="Exchange a user name and password for a bearer token",
)
def create_token(request, payload: TokenIn):
    credentials = {"username": payload.username}
    if AxesProxyHandler.is_locked(request, credentials):
        raise TooManyAttempts(
            _("Too many failed logins: this account is locked for a while. Try again later.")
        )
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        if AxesProxyHandler.is_locked(request, credentials):
            raise TooManyAttempts(
                _("Too many failed logins: this account is locked for a while. Try again later.")
            )
        return Status(
            401, {"code": "bad_credentials", "message": _("Wrong user name or password."), "fields": {}}
        )
    token, key = services.issue_token(user, payload.name)
    return {"token": key, "expires_at": token.expires_at}


@router.get("/auth/tokens", response=list[TokenInfo], summary="List my tokens")
def list_tokens(request):
    return ApiToken.objects.filter(user=request.auth)


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
def me(request):
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
def region_detail(request, code: str):
    return _region(request, code)


@router.get(
    "/regions/{code}/children",
    response={200: list[RegionOut], 400: ErrorOut, 404: ErrorOut},
    summary="The regions directly below one region",
)
def region_children(request, code: str):
    region = _region(request, code)
    return Region.objects.filter(parent=region).visible_to(request.auth)
