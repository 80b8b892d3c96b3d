"""API of risk warnings (issue 15). Thin: parse, ask queries or one service, serialise."""

from ninja import Field, Query, Router, Schema

from fupin.core import clock, scope
from fupin.core.api import ErrorOut, IsoDate, Page, PageIn, RegionCode, RegionPrefix, one_of, paginate
from fupin.core.inputs import Id
from fupin.core.scope import get_visible_or_404

from . import queries, services
from .enums import EVENT_LABELS, LEVEL_ORDER, Level, State, Transition
from .models import Warning
from .rules import RULES

router = Router(tags=["warnings"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class WarningOut(Schema):
    id: int
    rule: str
    rule_name: str
    level: one_of(Level)
    state: one_of(State)
    subject_type: str
    subject_id: int
    subject_repr: str
    region_code: RegionCode
    raised_on: IsoDate
    updated_on: IsoDate
    message: str
    escalated_on: IsoDate | None


class WarningEventOut(Schema):
    kind: one_of(*EVENT_LABELS)
    from_state: one_of(State, "")
    to_state: one_of(State, "")
    level: one_of(Level, "")
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
    closed_on: IsoDate | None
    acknowledged_on: IsoDate | None
    history: list[WarningEventOut]
    actions: list[one_of(Transition)]


class WarningTransitionIn(Schema):
    action: one_of(Transition) = Field(description="acknowledge | verify | close | dismiss")
    note: str = ""


class WarningFilters(PageIn):
    region: RegionPrefix | None = None
    rule: one_of(*RULES) | None = None
    level: one_of(Level) | None = None
    state: one_of(State, "open") | None = Field(
        None, description="a state, or `open` for the three open ones"
    )


@router.get("/warnings", response={200: Page[WarningOut], **ERRORS}, summary="Warnings in my area")
def list_warnings(request, filters: Query[WarningFilters]):
    warnings = queries.filtered(
        request.auth, region=filters.region, rule=filters.rule, level=filters.level, state=filters.state
    )
    return paginate(warnings, filters)


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


@router.get("/warnings/rules", response=Page[RuleOut], summary="The rules and their thresholds for my county")
def list_rules(request, paging: Query[PageIn]):
    county = scope.county_of(scope.area_of(request.auth))
    year = clock.today().year
    return paginate(
        list(RULES.values()),
        paging,
        lambda rules: [
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
            for rule in rules
        ],
    )


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


class InboxOut(Page[WarningOut]):
    elsewhere: list[WaitingOut]
    total: int = Field(description="warnings to handle and everything waiting elsewhere (the header's count)")


@router.get("/inbox", response=InboxOut, summary="My to-do: warnings to handle, and what waits elsewhere")
def list_inbox(request, paging: Query[PageIn]):
    warnings = queries.most_urgent_first(queries.to_handle(request.auth))
    elsewhere = [
        {"label": label, "count": n, "url": url} for label, n, url in queries.waiting_elsewhere(request.auth)
    ]
    page = paginate(warnings, paging)
    return {
        **page,
        "elsewhere": elsewhere,
        "total": page["count"] + sum(item["count"] for item in elsewhere),
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
