"""The REST API root at /api/v1/: bearer-token auth, one error shape, every app's router mounted here."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from fupin.benefits.api import router as benefits_router
from fupin.core.api import TokenAuth
from fupin.core.api import router as core_router
from fupin.core.errors import DomainError
from fupin.core.inputs import INT_LIMIT, check_text
from fupin.employment.api import router as employment_router
from fupin.field.api import router as field_router
from fupin.funds.api import router as funds_router
from fupin.insights.api import router as insights_router
from fupin.lectures.api import router as lectures_router
from fupin.projects.api import router as projects_router
from fupin.registry.api import router as registry_router
from fupin.supervision.api import public as supervision_public
from fupin.supervision.api import router as supervision_router
from fupin.warnings.api import router as warnings_router


class CheckedParser(Parser):
    """Every JSON body is checked before its schema sees it: no string holds a control character and no
    integer is beyond what a database column holds, each refused with the field's path (`payments.0.year`)."""

    def parse_body(self, request):
        body = super().parse_body(request)
        _check_json(body, "")
        return body


def _check_json(value, path: str) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _check_json(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_json(item, f"{path}.{index}" if path else str(index))
    elif isinstance(value, str):
        check_text(value, path or "body", _("The field “%(name)s”") % {"name": path or "body"})
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > INT_LIMIT:
        message = _("%(field)s: the number is out of range (at most %(max)s).") % {
            "field": _("The field “%(name)s”") % {"name": path or "body"},
            "max": INT_LIMIT,
        }
        raise DomainError(message, field=path or "body")


# The refusals every route may answer, documented once here rather than by hand on each route.
ERROR_ANSWERS = {
    400: "Bad input: `fields` names each wrong field (validation_error, invalid, …)",
    401: "Missing, expired or revoked token (unauthorized)",
    403: "Your role may not read this or take this action (forbidden)",
    404: "Not found, or outside your area (not_found)",
    409: "The object is not in a state that allows this now, e.g. already approved (state_conflict)",
}
WRITES = {"post", "put", "patch", "delete"}


def document_errors(schema: dict) -> dict:
    """Add the error answers each operation can give, all in the one shape `ErrorOut`: 401 and 403 on every
    secured operation, 400 on every one that reads a body or parameters, 404 on every one with
    parameters (an id, or a region outside the area), 409 on every secured write (a step the object's
    state does not allow: core.errors.StateConflict)."""
    error_out = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}}
    for operations in schema["paths"].values():
        for method, operation in operations.items():
            secured = bool(operation.get("security"))
            reads_input = bool(operation.get("parameters") or operation.get("requestBody"))
            wanted = set()
            if secured:
                wanted |= {401, 403}
            if reads_input or method in WRITES:
                wanted.add(400)
            if operation.get("parameters"):
                wanted.add(404)
            if secured and method in WRITES:
                wanted.add(409)
            responses = operation["responses"]
            for status in sorted(wanted - set(responses)):
                responses[status] = {"description": ERROR_ANSWERS[status], **error_out}
    return schema


class FupinAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        # The view's own name (list_households, pay_disbursement) reads better in generated clients than
        # ninja's module-prefixed default; a test keeps the names unique verb phrases.
        return operation.view_func.__name__

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return document_errors(schema)


# Every router's tag, described in short Chinese and English for the API docs.
TAGS = [
    {"name": "foundation", "description": "基础：令牌、账户、行政区划 — tokens, account, regions"},
    {"name": "registry", "description": "建档立卡：农户、帮扶、监测 — households, helpers, monitoring"},
    {"name": "lectures", "description": "宣讲：讲师、申请、讲稿 — lecturers, requests, drafts"},
    {"name": "supervision", "description": "监督：问题、检查、投诉 — problems, campaigns, complaints"},
    {"name": "supervision (public)", "description": "公开投诉，无需登录 — public complaints, no login"},
    {
        "name": "projects",
        "description": "项目库：申报、评审、实施、验收 — projects from proposal to acceptance",
    },
    {"name": "funds", "description": "资金：来源、分配、支付、执行 — fund sources, allocations, payments"},
    {"name": "benefits", "description": "联农带农：收益、分红、就业 — revenues, dividends, employment"},
    {"name": "warnings", "description": "风险预警：规则、处置、待办 — risk warnings, handling, inbox"},
    {"name": "field", "description": "离线走访：数据包、同步 — offline field app: package and sync"},
    {"name": "insights", "description": "数据看板：概览、图表数据 — headline figures, chart data"},
]


api = FupinAPI(
    title="Fupin API",
    version="1",
    description="扶贫项目资金跟踪问效平台 REST API. Authenticate with `POST /api/v1/auth/token`, then send "
    "`Authorization: Bearer <token>`. Errors are `{code, message, fields}`; money is a string with two "
    "decimals; region codes are 12-digit strings.",
    auth=TokenAuth(),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    parser=CheckedParser(),
    openapi_extra={"tags": TAGS},
)


def error(request, status: int, code: str, message: str, fields: dict | None = None):
    return api.create_response(
        request, {"code": code, "message": message, "fields": fields or {}}, status=status
    )


# Pydantic's error types, said in words a county clerk reads.
VALIDATION_MESSAGES = {
    "missing": gettext_noop("This field is required."),
    "string_type": gettext_noop("Must be text."),
    "string_too_short": gettext_noop("Too short."),
    "string_too_long": gettext_noop("Too long."),
    "string_pattern_mismatch": gettext_noop("Wrong format."),
    "int_parsing": gettext_noop("Must be a whole number."),
    "int_type": gettext_noop("Must be a whole number."),
    "decimal_parsing": gettext_noop("Must be a number."),
    "decimal_max_places": gettext_noop("At most 2 decimal places."),
    "float_parsing": gettext_noop("Must be a number."),
    "bool_parsing": gettext_noop("Must be true or false."),
    "date_from_datetime_parsing": gettext_noop("Use a date like 2026-05-01."),
    "date_parsing": gettext_noop("Use a date like 2026-05-01."),
    "datetime_parsing": gettext_noop("Use a time like 2026-05-01T09:00:00+08:00."),
    "json_invalid": gettext_noop("The request body is not valid JSON."),
    "model_attributes_type": gettext_noop("The request body must be a JSON object."),
    "dict_type": gettext_noop("The request body must be a JSON object."),
    "greater_than": gettext_noop("Too small."),
    "greater_than_equal": gettext_noop("Too small."),
    "less_than": gettext_noop("Too large."),
    "less_than_equal": gettext_noop("Too large."),
}


def _field_name(loc) -> str:
    # loc looks like ("body", "payload", "username") or ("path", "code").
    parts = [str(p) for p in loc[1:]]
    if loc and loc[0] == "body" and len(parts) > 1:
        parts = parts[1:]
    return ".".join(parts) or str(loc[0])


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    fields = {}
    for err in exc.errors:
        text = VALIDATION_MESSAGES.get(err.get("type"))
        fields.setdefault(_field_name(err.get("loc", ())), _(text) if text else _("Invalid value."))
    names = "、".join(fields)
    return error(
        request, 400, "validation_error", _("Please correct: %(fields)s") % {"fields": names}, fields
    )


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    return error(request, exc.status, exc.code, exc.message, exc.fields)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return error(request, 404, "not_found", _("Not found, or outside your area."))


@api.exception_handler(PermissionDenied)
def on_forbidden(request, exc):
    return error(request, 403, "forbidden", str(exc) or _("Your role does not allow this action."))


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    response = error(request, 401, "unauthorized", _("Missing, expired or revoked token."))
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    if isinstance(exc.__cause__, DomainError):  # CheckedParser refused the body; ninja wraps it
        return on_domain_error(request, exc.__cause__)
    if exc.status_code == 400 and "parse" in str(exc).lower():
        return error(request, 400, "malformed_json", _("The request body is not valid JSON."))
    return error(request, exc.status_code, "http_error", str(exc))


api.add_router("/", core_router)
api.add_router("/", registry_router)
api.add_router("/lectures/", lectures_router)
api.add_router("/", supervision_router)
api.add_router("/", supervision_public)
api.add_router("/", projects_router)
api.add_router("/funds/", funds_router)
api.add_router("/", benefits_router)
api.add_router("/", employment_router)
api.add_router("/", warnings_router)
api.add_router("/", field_router)
api.add_router("/", insights_router)
