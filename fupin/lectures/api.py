"""API of the lecture module (issue 7 §7). Thin: parse, call one service, serialise."""

from datetime import datetime

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from fupin.core import clock
from fupin.core.access import Action
from fupin.core.api import ErrorOut, Page, PageIn, RegionCode, RoleAuth, one_of, paginate, required_for
from fupin.core.errors import DomainError
from fupin.core.scope import get_visible_or_404

from . import services, stats
from .enums import (
    ACTION_VERBS,
    LECTURES,
    AudienceKind,
    BookingKind,
    DraftState,
    LectureMode,
    LecturerStatus,
    RequestState,
)
from .models import Booking, Feedback, Lecturer, LectureRequest, LessonDraft, Topic, Tour

# Who reads lectures and drafts is the access policy's (core/access.py), asked by TokenAuth for every route.
router = Router(tags=["lectures"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class LecturerOut(Schema):
    id: int
    name: str
    unit: str
    title: str
    status: one_of(LecturerStatus)
    status_since: str
    topic_ids: list[int]

    @staticmethod
    def resolve_status_since(obj):
        return obj.status_since.isoformat()

    @staticmethod
    def resolve_topic_ids(obj):
        return [topic.pk for topic in obj.topics.all()]


class TopicOut(Schema):
    id: int
    title: str
    summary: str
    minutes: int
    audience: str
    lecturer_ids: list[int]

    @staticmethod
    def resolve_lecturer_ids(obj):
        return [lecturer.pk for lecturer in obj.lecturers.all()]


class RequestIn(Schema):
    topic_id: int
    preferred_lecturer_id: int | None = Field(None, description="Empty: any lecturer of the topic.")
    preferred_start: datetime
    preferred_end: datetime
    audience_size: int
    audience_kind: one_of(AudienceKind) = Field(description="organ, rural, school or enterprise")
    place: str = Field(max_length=120)
    contact_name: str = Field(max_length=40)
    contact_phone: str = Field(max_length=20)
    note: str = ""


class RequestOut(Schema):
    id: int
    mode: one_of(LectureMode)
    state: one_of(RequestState)
    region_code: RegionCode
    unit: str
    topic_id: int
    topic: str = Field(alias="topic.title")
    preferred_lecturer_id: int | None
    preferred_start: datetime
    preferred_end: datetime
    audience_size: int
    audience_kind: one_of(AudienceKind)
    place: str
    contact_name: str
    contact_phone: str
    lecturer_id: int | None
    starts_at: datetime | None
    ends_at: datetime | None
    reason: str


class RequestDetail(RequestOut):
    actions: list[str] = Field(description="The steps the caller may take now (the page's buttons)")

    @staticmethod
    def resolve_actions(obj, context):
        return [step.action for step in LECTURES.allowed(context["request"].auth, obj)]


class LectureRequestTransitionIn(Schema):
    model_config = ConfigDict(json_schema_extra=required_for("reason", ("reject", "cancel")))

    action: one_of(*ACTION_VERBS) = Field(
        "", description="approve, reject, withdraw, confirm, reschedule, cancel, deliver, no_show, close"
    )
    lecturer_id: int | None = Field(None, description="approve: the lecturer")
    starts_at: datetime | None = Field(None, description="approve: the start")
    ends_at: datetime | None = Field(None, description="approve: the end")
    preferred_lecturer_id: int | None = Field(None, description="reschedule: the lecturer asked for")
    preferred_start: datetime | None = Field(None, description="reschedule: the new time")
    preferred_end: datetime | None = None
    reason: str = Field("", description="reject, cancel: required")


class FeedbackIn(Schema):
    # Optional here so that the service says in Chinese which one is missing.
    attendance: int | None = None
    score_content: int | None = None
    score_relevance: int | None = None
    score_delivery: int | None = None
    score_interaction: int | None = None
    score_time_control: int | None = None
    comments: str = ""
    suggestions: str = ""


class FeedbackOut(Schema):
    lecture_id: int
    attendance: int
    score_content: int
    score_relevance: int
    score_delivery: int
    score_interaction: int
    score_time_control: int
    weighted_score: str
    comments: str
    suggestions: str
    filed_at: datetime

    @staticmethod
    def resolve_weighted_score(obj):
        return str(obj.weighted_score)


class TotalsOut(Schema):
    team_lectures: int
    requested_lectures: int
    stops: int
    people: int
    units: int
    sentence: str


class StatisticsOut(Schema):
    totals: TotalsOut
    lecturers: list[dict]
    topics: list[dict]
    units: list[dict]
    months: list[dict]


def _lecturer(request, lecturer_id: int | None, field: str) -> Lecturer | None:
    if lecturer_id is None:
        return None
    lecturer = Lecturer.objects.visible_to(request.auth).filter(pk=lecturer_id).first()
    if lecturer is None:
        raise DomainError(_("No such lecturer."), field=field)
    return lecturer


def _request(request, request_id: int) -> LectureRequest:
    return get_visible_or_404(LectureRequest.objects.with_related(), request.auth, pk=request_id)


@router.get("/lecturers", response=Page[LecturerOut], summary="The lecture team")
def list_lecturers(request, paging: Query[PageIn]):
    return paginate(Lecturer.objects.visible_to(request.auth).prefetch_related("topics"), paging)


@router.get("/lecturers/{lecturer_id}", response={200: LecturerOut, **ERRORS}, summary="One lecturer")
def get_lecturer(request, lecturer_id: int):
    return get_visible_or_404(Lecturer.objects.prefetch_related("topics"), request.auth, pk=lecturer_id)


@router.get("/topics", response=Page[TopicOut], summary="The topic catalogue (宣讲目录)")
def list_topics(request, paging: Query[PageIn]):
    topics = Topic.objects.visible_to(request.auth).filter(is_active=True).prefetch_related("lecturers")
    return paginate(topics, paging)


@router.get("/requests", response=Page[RequestOut], summary="Lecture requests in my area")
def list_requests(request, paging: Query[PageIn], state: one_of(RequestState, "") = ""):
    rows = LectureRequest.objects.visible_to(request.auth).select_related("topic")
    return paginate(rows.filter(state=state) if state else rows, paging)


@router.post(
    "/requests",
    auth=RoleAuth(Action.REQUEST_LECTURE),
    response={201: RequestOut, **ERRORS},
    summary="File a lecture request (申请表)",
)
def create_request(request, payload: RequestIn):
    topic = Topic.objects.visible_to(request.auth).filter(pk=payload.topic_id).first()
    if topic is None:
        raise DomainError(_("No such topic."), field="topic_id")
    data = payload.dict(exclude={"topic_id", "preferred_lecturer_id"})
    lecturer = _lecturer(request, payload.preferred_lecturer_id, "preferred_lecturer_id")
    lecture = services.create_request(request.auth, topic=topic, preferred_lecturer=lecturer, **data)
    return Status(201, lecture)


@router.get("/requests/{request_id}", response={200: RequestDetail, **ERRORS}, summary="One lecture request")
def get_request(request, request_id: int):
    return _request(request, request_id)


@router.post(
    "/requests/{request_id}/transitions",
    response={200: RequestDetail, **ERRORS},
    summary="Approve, confirm, deliver, reschedule, cancel… a lecture",
)
def transition_request(request, request_id: int, payload: LectureRequestTransitionIn):
    lecture = _request(request, request_id)
    params = payload.dict(exclude={"action", "lecturer_id", "preferred_lecturer_id"})
    params["lecturer"] = _lecturer(request, payload.lecturer_id, "lecturer_id")
    params["preferred_lecturer"] = _lecturer(request, payload.preferred_lecturer_id, "preferred_lecturer_id")
    return services.transition(request.auth, lecture, payload.action, **params)


@router.post(
    "/requests/{request_id}/feedback",
    response={201: FeedbackOut, **ERRORS},
    summary="File the feedback form (反馈表) of a delivered lecture",
)
def file_feedback(request, request_id: int, payload: FeedbackIn):
    lecture = _request(request, request_id)
    feedback = services.file_feedback(request.auth, lecture, **payload.dict())
    return Status(201, feedback)


@router.get(
    "/requests/{request_id}/feedback", response={200: FeedbackOut, **ERRORS}, summary="A lecture's feedback"
)
def get_feedback(request, request_id: int):
    lecture = _request(request, request_id)
    return get_object_or_404(Feedback, lecture=lecture)


@router.get("/statistics", response=StatisticsOut, summary="Statistics per lecturer, topic, unit and month")
def get_lecture_statistics(request):
    lectures = LectureRequest.objects.visible_to(request.auth)
    totals = stats.county_totals(lectures)
    return {
        "totals": {**totals.__dict__, "sentence": totals.sentence},
        "lecturers": [_plain(row) for row in stats.per_lecturer(lectures)],
        "topics": [_plain(row) for row in stats.per_topic(lectures)],
        "units": [_plain(row) for row in stats.per_unit(lectures)],
        "months": [_plain(row) for row in stats.per_month(lectures)],
    }


def _plain(row: dict) -> dict:
    """JSON-friendly numbers: averages to 2 decimals, durations dropped (hours are given)."""
    out = {}
    for key, value in row.items():
        if key in {"duration", "month"}:
            continue
        out[key] = (
            round(float(value), 2) if value is not None and key.startswith(("avg", "average")) else value
        )
    return out


# --- Lesson drafts (集体备课、集中审核) -------------------------------------------------------------


class DraftIn(Schema):
    topic_id: int
    lecturer_id: int | None = Field(
        None, description="The lecture office names the lecturer; a lecturer omits it."
    )
    text: str = Field("", description="The draft. (A file is handed in on the page.)")


class DraftReviewIn(Schema):
    accept: bool
    comment: str = Field("", description="Required when the draft is returned.")


class DraftOut(Schema):
    id: int
    lecturer_id: int
    lecturer: str = Field(alias="lecturer.name")
    topic_id: int
    topic: str = Field(alias="topic.title")
    text: str
    has_file: bool
    state: one_of(DraftState)
    review_comment: str
    submitted_at: datetime
    reviewed_at: datetime | None

    @staticmethod
    def resolve_has_file(obj):
        return bool(obj.attachment)


def _draft(request, draft_id: int) -> LessonDraft:
    return get_visible_or_404(
        LessonDraft.objects.select_related("lecturer", "topic"), request.auth, pk=draft_id
    )


@router.get(
    "/drafts",
    response=Page[DraftOut],
    summary="Lesson drafts (mine, or all to review)",
)
def list_drafts(request, paging: Query[PageIn], state: one_of(DraftState, "") = ""):
    rows = LessonDraft.objects.visible_to(request.auth).select_related("lecturer", "topic")
    return paginate(rows.filter(state=state) if state else rows, paging)


@router.post(
    "/drafts",
    auth=RoleAuth(Action.PREPARE_LECTURE),
    response={201: DraftOut, **ERRORS},
    summary="Hand in a lesson draft for the central review",
)
def submit_draft(request, payload: DraftIn):
    user = request.auth
    topic = Topic.objects.visible_to(user).filter(pk=payload.topic_id).first()
    if topic is None:
        raise DomainError(_("No such topic."), field="topic_id")
    if payload.lecturer_id is None:
        lecturer = Lecturer.objects.filter(user=user).first()
        if lecturer is None:
            raise DomainError(_("Choose the lecturer."), field="lecturer_id")
    else:
        lecturer = _lecturer(request, payload.lecturer_id, "lecturer_id")
    draft = services.submit_draft(user, lecturer=lecturer, topic=topic, text=payload.text)
    return Status(201, draft)


@router.get("/drafts/{draft_id}", response={200: DraftOut, **ERRORS}, summary="One draft")
def get_draft(request, draft_id: int):
    return _draft(request, draft_id)


@router.post(
    "/drafts/{draft_id}/review",
    response={200: DraftOut, **ERRORS},
    summary="Accept a draft, or return it with comments",
)
def review_draft(request, draft_id: int, payload: DraftReviewIn):
    draft = _draft(request, draft_id)
    return services.review_draft(request.auth, draft, accept=payload.accept, comment=payload.comment)


# --- Unavailability periods ------------------------------------------------------------------------
class PeriodIn(Schema):
    starts_at: datetime
    ends_at: datetime
    note: str = Field("", max_length=200)


class PeriodOut(Schema):
    id: int
    starts_at: datetime
    ends_at: datetime
    note: str


def _calendar_lecturer(request, lecturer_id: int) -> Lecturer:
    return get_visible_or_404(Lecturer.objects.all(), request.auth, pk=lecturer_id)


@router.get(
    "/lecturers/{lecturer_id}/unavailability",
    response={200: Page[PeriodOut], **ERRORS},
    summary="A lecturer's unavailable periods ahead",
)
def list_unavailability(request, lecturer_id: int, paging: Query[PageIn]):
    lecturer = _calendar_lecturer(request, lecturer_id)
    periods = lecturer.bookings.filter(kind=BookingKind.UNAVAILABLE, ends_at__gt=clock.now())
    return paginate(periods.order_by("starts_at", "pk"), paging)


@router.post(
    "/lecturers/{lecturer_id}/unavailability",
    auth=RoleAuth(Action.PREPARE_LECTURE),
    response={201: PeriodOut, **ERRORS},
    summary="Mark a period unavailable (the lecture office or the lecturer)",
)
def add_unavailability(request, lecturer_id: int, payload: PeriodIn):
    lecturer = _calendar_lecturer(request, lecturer_id)
    booking = services.add_unavailability(request.auth, lecturer, **payload.dict())
    return Status(201, booking)


@router.delete(
    "/lecturers/{lecturer_id}/unavailability/{booking_id}",
    auth=RoleAuth(Action.PREPARE_LECTURE),
    response={204: None, **ERRORS},
    summary="Remove an unavailable period",
)
def remove_unavailability(request, lecturer_id: int, booking_id: int):
    lecturer = _calendar_lecturer(request, lecturer_id)
    booking = get_object_or_404(Booking, pk=booking_id, lecturer=lecturer, kind=BookingKind.UNAVAILABLE)
    services.remove_unavailability(request.auth, booking)
    return Status(204, None)


# --- Team lectures (组团式) ---------------------------------------------------------------------------
class StopIn(Schema):
    region_code: str = Field(description="The town (or village) of the stop")
    place: str = Field(max_length=120)
    lecturer_id: int
    starts_at: datetime
    ends_at: datetime
    audience_size: int
    audience_kind: str = Field("rural", description="organ, rural, school or enterprise")
    unit: str = Field("", max_length=100, description="The host; empty: the town's name")


class TourIn(Schema):
    title: str = Field(max_length=120)
    topic_id: int
    lecturer_ids: list[int]
    stops: list[StopIn]


class TourOut(Schema):
    id: int
    title: str
    topic_id: int
    lecturer_ids: list[int]
    stop_ids: list[int]

    @staticmethod
    def resolve_lecturer_ids(obj):
        return [lecturer.pk for lecturer in obj.lecturers.all()]

    @staticmethod
    def resolve_stop_ids(obj):
        return [stop.pk for stop in obj.stops.all()]


@router.get("/tours", response=Page[TourOut], summary="Team lecture tours")
def list_tours(request, paging: Query[PageIn]):
    return paginate(Tour.objects.visible_to(request.auth).prefetch_related("lecturers", "stops"), paging)


@router.post(
    "/tours",
    auth=RoleAuth(Action.MANAGE_LECTURES),
    response={201: TourOut, **ERRORS},
    summary="Create a team tour; a clash on any stop refuses the whole tour",
)
def create_tour(request, payload: TourIn):
    from fupin.core.models import Region

    user = request.auth
    topic = Topic.objects.visible_to(user).filter(pk=payload.topic_id).first()
    if topic is None:
        raise DomainError(_("No such topic."), field="topic_id")
    team = list(Lecturer.objects.visible_to(user).filter(pk__in=payload.lecturer_ids))
    if len(team) != len(set(payload.lecturer_ids)):
        raise DomainError(_("No such lecturer."), field="lecturer_ids")
    by_id = {lecturer.pk: lecturer for lecturer in team}
    regions = Region.objects.visible_to(user).in_bulk(
        [stop.region_code for stop in payload.stops], field_name="code"
    )
    stops = []
    for number, stop in enumerate(payload.stops, start=1):
        if stop.region_code not in regions:
            raise DomainError(_("Stop %(n)s: no such place in your area.") % {"n": number}, field="stops")
        lecturer = by_id.get(stop.lecturer_id) or _lecturer(request, stop.lecturer_id, "stops")
        stops.append(
            {
                **stop.dict(exclude={"region_code", "lecturer_id"}),
                "region": regions[stop.region_code],
                "lecturer": lecturer,
            }
        )
    tour = services.create_tour(user, title=payload.title, topic=topic, lecturers=team, stops=stops)
    return Status(201, tour)
