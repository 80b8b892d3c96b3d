"""API of risk warnings (issue 15). Thin: parse, ask queries or one service, serialise."""

from datetime import date

from ninja import Field, Query, Router, Schema

from fupin.core import clock, scope
from fupin.core.api import ErrorOut
from fupin.core.inputs import Id, PageNumber
from fupin.core.scope import get_visible_or_404

from . import queries, services
from .enums import LEVEL_ORDER
from .models import Warning
from .rules import RULES

router = Router(tags=["warnings"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class WarningOut(Schema):
    id: int
    rule: str
    rule_name: str
    level: str
    state: str
    subject_type: str
    subject_id: int
    subject_repr: str
    region_code: str
    raised_on: date
    updated_on: date
    message: str
    escalated_on: date | None


class WarningPage(Schema):
    items: list[WarningOut]
    count: int


class WarningEventOut(Schema):
    kind: str
    from_state: str
    to_state: str
    level: str
    note: str
    actor: str
    at: str

    @staticmethod
    def resolve_actor(obj):
        return obj.actor.username if obj.actor else "system"

    @staticmethod
    def resolve_at(obj):
        return obj.at.isoformat()


class WarningDetail(WarningOut):
    close_reason: str
    closed_on: date | None
    acknowledged_on: date | None
    history: list[WarningEventOut]
    actions: list[str]


class WarningTransitionIn(Schema):
    action: str = Field(description="acknowledge | verify | close | dismiss")
    note: str = ""


class WarningFilters(Schema):
    region: str | None = None
    rule: str | None = None
    level: str | None = None
    state: str | None = Field(None, description="a state, or `open` for the three open ones")
    page: PageNumber = 1
    page_size: int = Field(20, ge=1, le=100)


@router.get("/warnings", response={200: WarningPage, **ERRORS}, summary="Warnings in my area")
def list_warnings(request, filters: Query[WarningFilters]):
    warnings = queries.filtered(
        request.auth, region=filters.region, rule=filters.rule, level=filters.level, state=filters.state
    )
    start = (filters.page - 1) * filters.page_size
    return {"items": list(warnings[start : start + filters.page_size]), "count": warnings.count()}


class ThresholdOut(Schema):
    yellow: int
    orange: int
    red: int


class RuleOut(Schema):
    code: str
    name: str
    module: str
    subject_type: str
    unit: str
    lower_is_worse: bool
    thresholds: ThresholdOut
    from_policy: bool


@router.get("/warnings/rules", response=list[RuleOut], summary="The rules and their thresholds for my county")
def list_rules(request):
    county = scope.county_of(scope.area_of(request.auth))
    year = clock.today().year
    return [
        {
            "code": rule.code,
            "name": str(rule.name),
            "module": rule.module,
            "subject_type": rule.subject_type,
            "unit": str(rule.unit),
            "lower_is_worse": not rule.higher_is_worse,
            "thresholds": dict(zip(LEVEL_ORDER, rule.thresholds(county, year).values(), strict=True)),
            "from_policy": rule.defaults is not None,
        }
        for rule in RULES.values()
    ]


class MonthOut(Schema):
    month: str = Field(description="YYYY-MM")
    raised: int
    closed: int


class WarningStatsOut(Schema):
    open: int
    by_level: dict[str, int]
    by_rule: dict[str, int]
    by_town: dict[str, int]
    closed: int
    escalated: int
    handled: int = Field(description="closed by a person: handled or dismissed")
    average_days_to_close: float | None = Field(description="of those closed by a person")
    closed_on_time_share: float | None = Field(description="percent closed within their level's days")
    trend: list[MonthOut] = Field(description="raised and closed per month, the last 12 months")


@router.get(
    "/warnings/stats", response={200: WarningStatsOut, **ERRORS}, summary="Open warnings by level, rule, town"
)
def get_warning_stats(request, region: str | None = None):
    return queries.stats(request.auth, region)


class WaitingOut(Schema):
    label: str
    count: int
    url: str


class InboxOut(Schema):
    warnings: list[WarningOut]
    count: int = Field(description="warnings to handle")
    elsewhere: list[WaitingOut]
    total: int = Field(description="warnings to handle and everything waiting elsewhere (the header's count)")


@router.get("/inbox", response=InboxOut, summary="My to-do: warnings to handle, and what waits elsewhere")
def list_inbox(request, page: PageNumber = 1):
    warnings = queries.most_urgent_first(queries.to_handle(request.auth))
    start = (page - 1) * 20
    elsewhere = [
        {"label": label, "count": n, "url": url} for label, n, url in queries.waiting_elsewhere(request.auth)
    ]
    count = warnings.count()
    return {
        "warnings": list(warnings[start : start + 20]),
        "count": count,
        "elsewhere": elsewhere,
        "total": count + sum(item["count"] for item in elsewhere),
    }


def _detail(request, warning: Warning) -> dict:
    data = WarningOut.from_orm(warning).dict()
    data.update(
        close_reason=warning.close_reason,
        closed_on=warning.closed_on,
        acknowledged_on=warning.acknowledged_on,
        history=list(warning.events.select_related("actor")),
        actions=[step.action for step in services.allowed_transitions(request.auth, warning)],
    )
    return data


@router.get(
    "/warnings/{warning_id}", response={200: WarningDetail, **ERRORS}, summary="A warning, with its history"
)
def get_warning(request, warning_id: Id):
    return _detail(request, get_visible_or_404(Warning, request.auth, pk=warning_id))


@router.post(
    "/warnings/{warning_id}/transitions",
    response={200: WarningDetail, **ERRORS},
    summary="Acknowledge, verify, close or dismiss a warning",
)
def transition_warning(request, warning_id: Id, payload: WarningTransitionIn):
    warning = get_visible_or_404(Warning, request.auth, pk=warning_id)
    warning = services.transition(request.auth, warning, payload.action, payload.note)
    return _detail(request, warning)
