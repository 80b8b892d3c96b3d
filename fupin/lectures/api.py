"""API of the lecture module (issue 7 §7). Thin: parse, call one service, serialise."""

from datetime import datetime

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from fupin.core.api import ErrorOut, TokenAuth
from fupin.core.enums import Role
from fupin.core.errors import DomainError
from fupin.core.scope import get_visible_or_404, require_role

from . import services, stats
from .models import Feedback, Lecturer, LectureRequest, Topic

LECTURE_ROLES = (Role.LECTURE_ADMIN, Role.LECTURER, Role.REQUESTER, Role.COUNTY_ADMIN, Role.INSPECTOR)


class RoleAuth(TokenAuth):
    """A valid token whose user holds one of `roles`; otherwise 403 before the body is even read."""

    def __init__(self, *roles):
        super().__init__()
        self.roles = roles

    def authenticate(self, request, token):
        user = super().authenticate(request, token)
        if user is not None:
            require_role(user, *self.roles)
        return user


router = Router(tags=["lectures"], auth=RoleAuth(*LECTURE_ROLES))
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class LecturerOut(Schema):
    id: int
    name: str
    unit: str
    title: str
    status: str
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
    audience_kind: str = Field(description="organ, rural, school or enterprise")
    place: str = Field(max_length=120)
    contact_name: str = Field(max_length=40)
    contact_phone: str = Field(max_length=20)
    note: str = ""


class RequestOut(Schema):
    id: int
    mode: str
    state: str
    region_code: str
    unit: str
    topic_id: int
    topic: str = Field(alias="topic.title")
    preferred_lecturer_id: int | None
    preferred_start: datetime
    preferred_end: datetime
    audience_size: int
    audience_kind: str
    place: str
    contact_name: str
    contact_phone: str
    lecturer_id: int | None
    starts_at: datetime | None
    ends_at: datetime | None
    reason: str


class TransitionIn(Schema):
    action: str = Field(
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


@router.get("/lecturers", response=list[LecturerOut], summary="The lecture team")
def list_lecturers(request):
    return Lecturer.objects.visible_to(request.auth).prefetch_related("topics")


@router.get("/lecturers/{lecturer_id}", response={200: LecturerOut, **ERRORS}, summary="One lecturer")
def lecturer_detail(request, lecturer_id: int):
    return get_visible_or_404(Lecturer.objects.prefetch_related("topics"), request.auth, pk=lecturer_id)


@router.get("/topics", response=list[TopicOut], summary="The topic catalogue (宣讲目录)")
def list_topics(request):
    return Topic.objects.visible_to(request.auth).filter(is_active=True).prefetch_related("lecturers")


@router.get("/requests", response=list[RequestOut], summary="Lecture requests in my area")
def list_requests(request, state: str = ""):
    rows = LectureRequest.objects.visible_to(request.auth).select_related("topic")
    return rows.filter(state=state) if state else rows


@router.post(
    "/requests",
    auth=RoleAuth(Role.REQUESTER),
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


@router.get("/requests/{request_id}", response={200: RequestOut, **ERRORS}, summary="One lecture request")
def request_detail(request, request_id: int):
    return _request(request, request_id)


@router.post(
    "/requests/{request_id}/transitions",
    response={200: RequestOut, **ERRORS},
    summary="Approve, confirm, deliver, reschedule, cancel… a lecture",
)
def request_transition(request, request_id: int, payload: TransitionIn):
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
def feedback_detail(request, request_id: int):
    lecture = _request(request, request_id)
    return get_object_or_404(Feedback, lecture=lecture)


@router.get("/statistics", response=StatisticsOut, summary="Statistics per lecturer, topic, unit and month")
def statistics(request):
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
