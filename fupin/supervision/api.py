"""Supervision API: the problem ledger, its statistics, campaigns and checks, complaints (public create and
status lookup)."""

from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from fupin.core import clock, masking, scope
from fupin.core.api import ErrorOut, IsoDate, Page, PageIn, RegionCode, RegionPrefix, one_of, paginate
from fupin.core.client import client_address
from fupin.core.errors import DomainError
from fupin.core.inputs import Id
from fupin.core.models import Region, User
from fupin.core.ratelimit import RateLimited
from fupin.core.scope import get_visible_or_404

from . import queries, services, stats
from .enums import (
    PROBLEMS,
    Action,
    Aspect,
    ComplaintChannel,
    ComplaintState,
    Escalation,
    State,
    UrbanCategory,
    Use,
)
from .enums import Method as CheckMethod
from .models import Campaign, Complaint, Grid, Problem

router = Router(tags=["supervision"])
public = Router(tags=["supervision (public)"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class ProblemEventOut(Schema):
    action: one_of(Action)
    actor: str | None
    role: str = Field(alias="actor_role")
    at: str
    comment: str
    data: dict
    attachments: list[dict]

    @staticmethod
    def resolve_actor(obj):
        return str(obj.actor) if obj.actor_id else None

    @staticmethod
    def resolve_at(obj):
        return timezone.localtime(obj.at).isoformat()

    @staticmethod
    def resolve_attachments(obj):
        return [
            {
                "id": a.pk,
                "name": a.name,
                "content_type": a.content_type,
                "size": a.size,
                # Downloaded through the page's view, which checks the problem's visibility.
                "url": reverse("supervision:attachment", args=[a.pk]),
            }
            for a in obj.attachments.all()
        ]


class ProblemOut(Schema):
    id: int
    number: str
    use: one_of(Use)
    category: one_of(Aspect, UrbanCategory)
    title: str
    region: RegionCode = Field(alias="region_code")
    state: one_of(State)
    escalation: one_of(Escalation)
    overdue: bool
    responsible_unit: str
    responsible: str | None
    found_on: IsoDate
    deadline: IsoDate | None
    effective_deadline: IsoDate | None
    rework_count: int
    campaign_id: int | None

    @staticmethod
    def resolve_overdue(obj):
        return obj.is_overdue()

    @staticmethod
    def resolve_responsible(obj):
        return obj.responsible.username if obj.responsible_id else None


class ProblemDetail(ProblemOut):
    description: str
    subject_label: str
    first_deadline: IsoDate | None
    requested_deadline: IsoDate | None
    closed_on: IsoDate | None
    closed_on_time: bool | None
    events: list[ProblemEventOut]
    actions: list[str] = Field(description="The steps the caller may take now (the page's choices)")

    @staticmethod
    def resolve_events(obj):
        return list(obj.events.select_related("actor").prefetch_related("attachments"))

    @staticmethod
    def resolve_actions(obj, context):
        return [step.action for step in PROBLEMS.allowed(context["request"].auth, obj)]


class ProblemFilters(PageIn):
    region: RegionPrefix | None = None
    campaign: Id | None = None
    use: one_of(Use) | None = None
    state: one_of(State) | None = None
    category: one_of(Aspect, UrbanCategory) | None = None
    overdue: bool | None = None
    q: str | None = None


def _region(request, value):
    return scope.region_param(request.auth, value) if value else None


@router.get("/problems", response=Page[ProblemOut], summary="The problem ledger in my area (overdue first)")
def list_problems(request, filters: Query[ProblemFilters]):
    wanted = filters.dict(exclude={"page", "page_size"})
    wanted["region"] = _region(request, filters.region)
    problems = queries.filtered(Problem.objects.visible_to(request.auth), **wanted)
    return paginate(queries.overdue_first(problems), filters)


class ProblemIn(Schema):
    use: one_of(Use)
    category: one_of(Aspect, UrbanCategory) = Field(
        description="An aspect of a project (use projects), or an urban category"
    )
    title: str
    description: str = ""
    region: RegionCode
    found_on: IsoDate | None = None
    grid_id: int | None = None


@router.post("/problems", response={201: ProblemDetail, **ERRORS}, summary="Register a problem")
def create_problem(request, payload: ProblemIn):
    grid = get_visible_or_404(Grid, request.auth, pk=payload.grid_id) if payload.grid_id else None
    problem = services.open_problem(
        request.auth,
        use=payload.use,
        category=payload.category,
        title=payload.title,
        description=payload.description,
        region_code=payload.region,
        found_on=payload.found_on or clock.today(),
        grid=grid,
    )
    return Status(201, problem)


def _problem(request, problem_id: int) -> Problem:
    return get_visible_or_404(
        Problem.objects.select_related("responsible", "campaign"), request.auth, pk=problem_id
    )


@router.get(
    "/problems/{int:problem_id}",
    response={200: ProblemDetail, 404: ErrorOut},
    summary="A problem and its timeline",
)
def get_problem(request, problem_id: int):
    return _problem(request, problem_id)


class ProblemTransitionIn(Schema):
    action: one_of(*(a for a in Action if a not in (Action.REGISTER, Action.ESCALATE)))
    comment: str = ""
    unit: str = ""
    person: str | None = Field(None, description="User name of the responsible person")
    deadline: IsoDate | None = None
    duplicate_of: int | None = Field(None, description="Id of the problem this one duplicates")
    beyond_campaign_end: bool = False


def _transition(request, problem, payload: ProblemTransitionIn, attachments=()):
    person = None
    if payload.person:
        person = User.objects.filter(username=payload.person, is_active=True).first()
        if person is None:
            raise DomainError(_("Unknown user %(name)s.") % {"name": payload.person}, field="person")
    duplicate = _problem(request, payload.duplicate_of) if payload.duplicate_of else None
    return services.transition(
        request.auth,
        problem,
        payload.action,
        comment=payload.comment,
        attachments=attachments,
        unit=payload.unit,
        person=person,
        deadline=payload.deadline,
        duplicate_of=duplicate,
        beyond_campaign_end=payload.beyond_campaign_end,
    )


@router.post(
    "/problems/{int:problem_id}/transitions",
    response={200: ProblemDetail, **ERRORS},
    summary="Take an action on a problem",
)
def transition_problem(request, problem_id: int, payload: ProblemTransitionIn):
    return _transition(request, _problem(request, problem_id), payload)


@router.post(
    "/problems/{int:problem_id}/attachments",
    response={200: ProblemDetail, **ERRORS},
    summary="Upload evidence: with action=submit it is the rectification report",
)
def add_problem_attachments(
    request,
    problem_id: int,
    files: File[list[UploadedFile]],
    action: Form[str] = "comment",
    comment: Form[str] = "",
):
    if action not in ("comment", "submit"):
        raise DomainError(_("Attachments go with a comment or a rectification report."), field="action")
    payload = ProblemTransitionIn(action=action, comment=comment)
    return _transition(request, _problem(request, problem_id), payload, attachments=files)


class ProblemStatsOut(Schema):
    key: str
    found: int
    closed: int
    closed_on_time: int
    open_overdue: int
    reworks: int
    clearance_rate: float | None
    on_time_rate: float | None
    average_days_to_close: float | None


class StatsFilters(PageIn):
    region: RegionPrefix | None = None
    campaign: Id | None = None
    use: one_of(Use) | None = None
    group: str | None = Field(None, description="campaign, unit, town, category or month")


@router.get(
    "/problems/stats",
    response={200: Page[ProblemStatsOut], 400: ErrorOut},
    summary="Found, rectified, on time, overdue; clearance and on-time rates",
)
def get_problem_stats(request, filters: Query[StatsFilters]):
    if filters.group and filters.group not in stats.GROUPS:
        raise DomainError(_("Group by campaign, unit, town, category or month."), field="group")
    problems = queries.filtered(
        Problem.objects.visible_to(request.auth),
        region=_region(request, filters.region),
        campaign=filters.campaign,
        use=filters.use,
    )
    result = stats.figures(problems, clock.today(), filters.group)
    rows = [
        {
            "key": str(key),
            **{
                k: (float(v) if v is not None and not isinstance(v, int) else v)
                for k, v in figures.as_dict().items()
            },
        }
        for key, figures in sorted(result.items())
    ]
    return paginate(rows, filters)


class ItemIn(Schema):
    aspect: one_of(Aspect, UrbanCategory)
    text: str
    method: one_of(CheckMethod) = "archives"


class CampaignIn(Schema):
    name: str
    use: one_of(Use) = "projects"
    region: RegionCode
    start: IsoDate
    end: IsoDate
    scope: dict = {}
    items: list[ItemIn]


class CampaignOut(Schema):
    id: int
    name: str
    use: one_of(Use)
    region: RegionCode = Field(alias="region_code")
    start: IsoDate
    end: IsoDate
    scope: dict
    items: list[dict]
    checked: int
    in_scope: int

    @staticmethod
    def resolve_items(obj):
        return [{"id": i.pk, "aspect": i.aspect, "text": i.text, "method": i.method} for i in obj.items.all()]

    @staticmethod
    def resolve_checked(obj):
        # A list annotates the count (one query for the page); one campaign counts its own.
        counted = getattr(obj, "checks_count", None)
        return obj.checks.count() if counted is None else counted

    @staticmethod
    def resolve_in_scope(obj):
        return len(services.subjects_in_scope(obj))


@router.get("/campaigns", response=Page[CampaignOut], summary="Campaigns in my area")
def list_campaigns(request, paging: Query[PageIn]):
    campaigns = Campaign.objects.visible_to(request.auth).prefetch_related("items")
    return paginate(campaigns.annotate(checks_count=Count("checks")).order_by("-start", "-pk"), paging)


@router.post(
    "/campaigns", response={201: CampaignOut, **ERRORS}, summary="Create a campaign with its checklist"
)
def create_campaign(request, payload: CampaignIn):
    region = Region.objects.filter(code=payload.region).first()
    if region is None:
        raise DomainError(_("Unknown area."), field="region")
    campaign = services.create_campaign(
        request.auth,
        name=payload.name,
        use=payload.use,
        region=region,
        start=payload.start,
        end=payload.end,
        scope=payload.scope,
        items=[i.dict() for i in payload.items],
    )
    return Status(201, campaign)


@router.get("/campaigns/{int:campaign_id}", response={200: CampaignOut, 404: ErrorOut}, summary="A campaign")
def get_campaign(request, campaign_id: int):
    return get_visible_or_404(Campaign, request.auth, pk=campaign_id)


class ResultIn(Schema):
    item: int
    passed: bool
    note: str = ""


class CheckIn(Schema):
    subject_id: str
    results: list[ResultIn]
    checked_on: IsoDate | None = None


class CheckOut(Schema):
    id: int
    subject: str = Field(alias="subject_label")
    checked_on: IsoDate
    problems: list[str]

    @staticmethod
    def resolve_problems(obj):
        return [r.problem.number for r in obj.results.select_related("problem") if hasattr(r, "problem")]


@router.post(
    "/campaigns/{int:campaign_id}/checks",
    response={201: CheckOut, **ERRORS},
    summary="Record a check of one subject against the checklist",
)
def create_check(request, campaign_id: int, payload: CheckIn):
    campaign = get_visible_or_404(Campaign, request.auth, pk=campaign_id)
    subjects = {str(obj.pk): (obj, label, code) for obj, label, code in services.subjects_in_scope(campaign)}
    if payload.subject_id not in subjects:
        raise Http404
    obj, label, code = subjects[payload.subject_id]
    check = services.record_check(
        request.auth,
        campaign,
        obj,
        label=label,
        region_code=code,
        checked_on=payload.checked_on,
        results={r.item: (r.passed, r.note) for r in payload.results},
    )
    return Status(201, check)


class ComplaintIn(Schema):
    content: str
    region: RegionCode
    name: str = ""
    phone: str = ""


class ComplaintStatus(Schema):
    code: str
    state: one_of(ComplaintState)
    received_at: str
    reason: str
    reply: str
    problem_state: one_of(State) | None

    @staticmethod
    def resolve_received_at(obj):
        return timezone.localtime(obj.received_at).isoformat()

    @staticmethod
    def resolve_problem_state(obj):
        problem = getattr(obj, "problem", None)
        return problem.state if problem else None


@public.post(
    "/complaints",
    auth=None,
    response={201: ComplaintStatus, 400: ErrorOut, 429: ErrorOut},
    summary="File a complaint (no login; a few per address and per phone an hour)",
    description="Over the limit: 429 with `Retry-After` (seconds).",
)
def file_complaint(request, response: HttpResponse, payload: ComplaintIn):
    try:
        complaint = services.receive_complaint(
            None,
            channel="web",
            content=payload.content,
            region_code=payload.region,
            name=payload.name,
            phone=payload.phone,
            ip=client_address(request),
        )
    except RateLimited as exc:
        response["Retry-After"] = str(exc.retry_after)
        return Status(429, {"code": exc.code, "message": exc.message, "fields": exc.fields})
    return Status(201, complaint)


@public.get(
    "/complaints/status/{lookup_code}",
    auth=None,
    response={200: ComplaintStatus, 404: ErrorOut},
    summary="Look up a complaint's status by its code",
)
def get_complaint_status(request, lookup_code: str):
    return get_object_or_404(Complaint, code=lookup_code.strip().upper())


class ComplaintRecordIn(Schema):
    channel: str = Field("", description="How it came in: 12317 (hotline), letter or visit")
    received_at: str = Field(
        "", description="Local time received, e.g. 2026-11-30T09:30; at most 3 working days before today"
    )
    region: str = Field(description="12-digit code of the town or village concerned")
    content: str
    name: str = ""
    phone: str = Field("", description="The caller's phone; required for a hotline call")


class ComplaintOut(Schema):
    id: int
    code: str
    channel: one_of(ComplaintChannel)
    state: one_of(ComplaintState)
    region: RegionCode = Field(alias="region_code")
    name: str
    phone: str = Field(description="Masked, as on every page")
    received_at: str
    decide_by: IsoDate | None
    overdue: bool

    @staticmethod
    def resolve_phone(obj):
        return masking.mask_phone(obj.phone)

    @staticmethod
    def resolve_received_at(obj):
        return timezone.localtime(obj.received_at).isoformat()

    @staticmethod
    def resolve_overdue(obj):
        return obj.is_overdue()


class ComplaintFilters(Schema):
    channel: one_of(ComplaintChannel) | None = None
    state: one_of(ComplaintState) | None = None


@router.get(
    "/complaints/received",
    response={200: Page[ComplaintOut], **ERRORS},
    summary="Complaints in my area, newest received first, by channel and state",
)
def list_complaints(request, filters: Query[ComplaintFilters], paging: Query[PageIn]):
    complaints = Complaint.objects.visible_to(request.auth)
    if filters.channel:
        if filters.channel not in ComplaintChannel.values:
            raise DomainError(_("Channel: choose one of the list."), field="channel")
        complaints = complaints.filter(channel=filters.channel)
    if filters.state:
        if filters.state not in ComplaintState.values:
            raise DomainError(_("State: choose one of the list."), field="state")
        complaints = complaints.filter(state=filters.state)
    return paginate(complaints, paging)


@router.post(
    "/complaints/received",
    response={201: ComplaintOut, **ERRORS},
    summary="Record a complaint received by the 12317 hotline, a letter or a visit",
    description="The decision is due 15 working days after the time received. An area outside yours: 404.",
)
def record_complaint(request, payload: ComplaintRecordIn):
    complaint = services.record_complaint(
        request.auth,
        channel=payload.channel,
        content=payload.content,
        region_code=payload.region,
        received_at=payload.received_at or None,
        name=payload.name,
        phone=payload.phone,
    )
    return Status(201, complaint)


class DecisionIn(Schema):
    decision: one_of("accept", "dismiss", "answer") = Field(description="accept, dismiss or answer")
    use: one_of(Use) = "projects"
    category: one_of(Aspect, UrbanCategory, "") = ""
    title: str = ""
    reason: str = ""
    reply: str = ""


@router.post(
    "/complaints/{int:complaint_id}/decision",
    response={200: ComplaintStatus, **ERRORS},
    summary="Accept (opens a problem), dismiss, or record the reply",
)
def decide_complaint(request, complaint_id: int, payload: DecisionIn):
    complaint = get_visible_or_404(Complaint, request.auth, pk=complaint_id)
    if payload.decision == "accept":
        services.accept_complaint(
            request.auth,
            complaint,
            use=payload.use,
            category=payload.category,
            title=payload.title or complaint.content[:60],
        )
    elif payload.decision == "dismiss":
        services.dismiss_complaint(request.auth, complaint, payload.reason)
    elif payload.decision == "answer":
        services.answer_complaint(request.auth, complaint, payload.reply)
    else:
        raise DomainError(_("Decide accept, dismiss or answer."), field="decision")
    return get_visible_or_404(Complaint, request.auth, pk=complaint_id)
