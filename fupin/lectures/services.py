"""Writes of the lecture module. Each is one audited transaction; a refused write raises DomainError.

Scheduling rule (DESIGN.md §4, issue 7 §3): a lecturer is never booked for overlapping times. A lecture
blocks [start, end + travel buffer) of its lecturer's calendar, an unavailability period blocks
[start, end); touching spans are allowed. The rule is checked here after locking the lecturer's row (so
two approvals for one lecturer queue up), and on PostgreSQL an exclusion constraint on `Booking` holds it
even if that check were skipped.
"""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fupin.core import access, audit, clock, inputs, policy, scope, uploads
from fupin.core.enums import Role
from fupin.core.errors import DomainError, StateConflict, TransitionRefused
from fupin.core.scope import require_role

from . import scoring
from .enums import (
    DRAFTS,
    LECTURES,
    BookingKind,
    LectureMode,
    LecturerStatus,
    RequestState,
)
from .models import Booking, Feedback, Lecturer, LectureRequest, LessonDraft, Topic, Tour

ADMIN = Role.LECTURE_ADMIN
# The catalogue is the lecture office's, and the county administrator's configuration pages reach it.
CATALOGUE_EDITORS = (Role.LECTURE_ADMIN, Role.COUNTY_ADMIN)
REQUEST_FIELDS = [
    "state",
    "lecturer_id",
    "starts_at",
    "ends_at",
    "preferred_start",
    "preferred_end",
    "reason",
]


def local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def county_of(actor) -> str:
    return actor.region_id[:6].ljust(12, "0") if actor and actor.region_id else ""


# --- Lecturers, topics, drafts -------------------------------------------------------------------
@transaction.atomic
def create_lecturer(
    actor, *, name: str, unit: str, title: str = "", topics=(), user=None, **selection
) -> Lecturer:
    require_role(actor, *CATALOGUE_EDITORS)
    if not (name or "").strip():
        raise DomainError(_("The name is required."), field="name")
    if not (unit or "").strip():
        raise DomainError(_("The lecturer's work unit is required."), field="unit")
    lecturer = Lecturer.objects.create(
        region_code=county_of(actor),
        name=name.strip(),
        unit=unit.strip(),
        title=title,
        user=user,
        **selection,
    )
    lecturer.topics.set(topics)
    audit.record(
        actor=actor,
        action="lectures.lecturer.create",
        region_code=lecturer.region_code,
        target=lecturer,
        after={"name": lecturer.name, "unit": lecturer.unit, "topics": [t.pk for t in topics]},
    )
    return lecturer


@transaction.atomic
def set_lecturer_status(actor, lecturer: Lecturer, status: str, since=None) -> Lecturer:
    require_role(actor, *CATALOGUE_EDITORS)
    if status not in LecturerStatus.values:
        raise DomainError(_("Unknown lecturer status."), field="status")
    before = {"status": lecturer.status, "status_since": lecturer.status_since}
    lecturer.status, lecturer.status_since = status, since or clock.today()
    lecturer.save(update_fields=["status", "status_since"])
    audit.record(
        actor=actor,
        action="lectures.lecturer.status",
        region_code=lecturer.region_code,
        target=lecturer,
        before=before,
        after={"status": status, "status_since": lecturer.status_since},
    )
    return lecturer


@transaction.atomic
def create_topic(
    actor, *, title: str, summary: str = "", minutes: int = 90, audience: str = "", lecturers=()
) -> Topic:
    require_role(actor, *CATALOGUE_EDITORS)
    if not (title or "").strip():
        raise DomainError(_("The title is required."), field="title")
    if minutes <= 0:
        raise DomainError(_("The length must be at least one minute."), field="minutes")
    topic = Topic.objects.create(
        region_code=county_of(actor), title=title.strip(), summary=summary, minutes=minutes, audience=audience
    )
    topic.lecturers.set(lecturers)
    audit.record(
        actor=actor,
        action="lectures.topic.create",
        region_code=topic.region_code,
        target=topic,
        after={"title": topic.title, "minutes": minutes},
    )
    return topic


def may_manage_lecturer(user, lecturer: Lecturer) -> bool:
    """A lecturer's calendar and drafts: the lecturer themself, or the lecture office."""
    return user.has_role(ADMIN) or (lecturer.user_id is not None and lecturer.user_id == user.pk)


@transaction.atomic
def submit_draft(actor, *, lecturer: Lecturer, topic: Topic, text: str = "", attachment=None) -> LessonDraft:
    """A lecturer hands in a lesson draft (text, a PDF or Word file, or both) for the central review."""
    if not may_manage_lecturer(actor, lecturer):
        raise access.refused()
    text = (text or "").strip()
    if not text and not attachment:
        raise DomainError(_("Write the draft or attach its file."), field="text")
    if attachment:
        attachment, _checked = uploads.checked_file(
            attachment, uploads.DRAFT, field="attachment", label=_("draft file")
        )
    draft = LessonDraft.objects.create(
        region_code=lecturer.region_code,
        lecturer=lecturer,
        topic=topic,
        text=text,
        attachment=attachment or "",
        submitted_at=clock.now(),
    )
    audit.record(
        actor=actor,
        action="lectures.draft.submit",
        region_code=draft.region_code,
        target=draft,
        after={"topic_id": topic.pk, "file": draft.attachment.name if draft.attachment else ""},
    )
    return draft


@transaction.atomic
def review_draft(actor, draft: LessonDraft, *, accept: bool, comment: str = "") -> LessonDraft:
    """Accept the draft, or return it with what to improve (enums.DRAFTS)."""
    draft.refresh_from_db(from_queryset=LessonDraft.objects.select_for_update())
    step = DRAFTS.check(actor, draft, "accept" if accept else "return", reason=comment)
    draft.state = step.target
    draft.review_comment, draft.reviewed_at = (comment or "").strip(), clock.now()
    draft.save(update_fields=["state", "review_comment", "reviewed_at"])
    audit.record(
        actor=actor,
        action="lectures.draft.review",
        region_code=draft.region_code,
        target=draft,
        after={"state": draft.state, "comment": draft.review_comment},
    )
    return draft


# --- The lecturer's calendar ---------------------------------------------------------------------
def travel_buffer(region_code: str) -> timedelta:
    return timedelta(minutes=policy.value("lecture_travel_buffer_minutes", region_code))


def check_times(starts_at, ends_at, start_field="starts_at", end_field="ends_at") -> None:
    """Aware times, in the future, end after start: said field by field."""
    if starts_at is None:
        raise DomainError(_("The start time is required."), field=start_field)
    if ends_at is None:
        raise DomainError(_("The end time is required."), field=end_field)
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise DomainError(_("Give times with their time zone."), field=start_field)
    if starts_at <= clock.now():
        raise DomainError(
            _("The start time %(time)s lies in the past.") % {"time": local(starts_at)}, field=start_field
        )
    if ends_at <= starts_at:
        raise DomainError(_("The end time must be after the start time."), field=end_field)


def clash_message(lecturer: Lecturer, booking: Booking, buffer: timedelta) -> str:
    if booking.kind == BookingKind.UNAVAILABLE:
        return _("%(lecturer)s is unavailable from %(start)s to %(end)s (%(note)s).") % {
            "lecturer": lecturer.name,
            "start": local(booking.starts_at),
            "end": local(booking.ends_at),
            "note": booking.note or _("no reason given"),
        }
    return _(
        "%(lecturer)s already lectures from %(start)s to %(end)s at %(unit)s; "
        "%(minutes)s minutes of travel are kept free between two lectures."
    ) % {
        "lecturer": lecturer.name,
        "start": local(booking.starts_at),
        "end": local(booking.ends_at),
        "unit": booking.lecture.unit,
        "minutes": int(buffer.total_seconds() // 60),
    }


def first_clash(lecturer: Lecturer, starts_at, blocked_until, exclude_lecture=None) -> Booking | None:
    overlapping = Booking.objects.filter(
        lecturer=lecturer, starts_at__lt=blocked_until, blocked_until__gt=starts_at
    ).select_related("lecture")
    if exclude_lecture is not None:
        overlapping = overlapping.exclude(lecture=exclude_lecture)
    return overlapping.order_by("starts_at").first()


def book(lecturer: Lecturer, *, kind, starts_at, ends_at, blocked_until, lecture=None, note="") -> Booking:
    """Write the booking after the caller checked for clashes; the PG constraint is the last word."""
    try:
        with transaction.atomic():
            return Booking.objects.create(
                lecturer=lecturer,
                kind=kind,
                lecture=lecture,
                starts_at=starts_at,
                ends_at=ends_at,
                blocked_until=blocked_until,
                note=note,
            )
    except IntegrityError as exc:
        raise DomainError(
            _("%(lecturer)s is already booked at this time.") % {"lecturer": lecturer.name},
            field="starts_at",
            code="clash",
        ) from exc


def lock_and_check(lecturer: Lecturer, starts_at, blocked_until, buffer, exclude_lecture=None) -> Lecturer:
    locked = Lecturer.objects.select_for_update().get(pk=lecturer.pk)
    if locked.status != LecturerStatus.ACTIVE:
        raise DomainError(
            _("%(lecturer)s is %(status)s and cannot be booked.")
            % {"lecturer": locked.name, "status": locked.get_status_display()},
            field="lecturer",
        )
    clash = first_clash(locked, starts_at, blocked_until, exclude_lecture)
    if clash is not None:
        raise DomainError(clash_message(locked, clash, buffer), field="starts_at", code="clash")
    return locked


@transaction.atomic
def add_unavailability(actor, lecturer: Lecturer, *, starts_at, ends_at, note: str = "") -> Booking:
    if not may_manage_lecturer(actor, lecturer):
        raise access.refused()
    check_times(starts_at, ends_at)
    locked = lock_and_check(lecturer, starts_at, ends_at, travel_buffer(lecturer.region_code))
    booking = book(
        locked,
        kind=BookingKind.UNAVAILABLE,
        starts_at=starts_at,
        ends_at=ends_at,
        blocked_until=ends_at,
        note=note,
    )
    audit.record(
        actor=actor,
        action="lectures.unavailability.add",
        region_code=lecturer.region_code,
        target=lecturer,
        after={"starts_at": starts_at, "ends_at": ends_at, "note": note},
    )
    return booking


@transaction.atomic
def remove_unavailability(actor, booking: Booking) -> None:
    """Free a period the lecturer had marked unavailable (never a lecture's booking: that is a transition)."""
    lecturer = booking.lecturer
    if not may_manage_lecturer(actor, lecturer):
        raise access.refused()
    if booking.kind != BookingKind.UNAVAILABLE:
        raise DomainError(_("Only an unavailability period can be removed here."), field="booking")
    Lecturer.objects.select_for_update().get(pk=lecturer.pk)
    audit.record(
        actor=actor,
        action="lectures.unavailability.remove",
        region_code=lecturer.region_code,
        target=lecturer,
        before={"starts_at": booking.starts_at, "ends_at": booking.ends_at, "note": booking.note},
    )
    booking.delete()


def pending_clashes(lecture: LectureRequest, lecturer: Lecturer, starts_at, ends_at) -> list[LectureRequest]:
    """Other submitted requests that want this lecturer around this time: approving this one takes it.

    Shown on the approval page so that the admin sees whom the approval will disappoint.

    Requests for "any lecturer" are left out on purpose: they do not clash with this lecturer until one
    is assigned to them, and the office can give them another lecturer of the topic. Listing every
    any-lecturer request of the same hours would warn about requests this approval does not take; when
    one of them is approved with this lecturer later, the booking rule refuses the clash and names it.
    """
    blocked_until = ends_at + travel_buffer(lecture.region_code)
    return list(
        LectureRequest.objects.filter(
            state=RequestState.SUBMITTED,
            preferred_lecturer=lecturer,
            preferred_start__lt=blocked_until,
            preferred_end__gt=starts_at,
        )
        .exclude(pk=lecture.pk)
        .select_related("topic")
    )


# --- Requests ------------------------------------------------------------------------------------
def check_audience(audience_size) -> None:
    if audience_size is None or audience_size <= 0:
        raise DomainError(_("The audience must be at least one person."), field="audience_size")


@transaction.atomic
def create_request(
    actor,
    *,
    topic: Topic,
    preferred_start,
    preferred_end,
    audience_size,
    audience_kind,
    place,
    contact_name,
    contact_phone,
    preferred_lecturer=None,
    note="",
) -> LectureRequest:
    """A unit files the application form (申请表). The request belongs to the unit's region."""
    require_role(actor, Role.REQUESTER)
    check_times(preferred_start, preferred_end, "preferred_start", "preferred_end")
    check_audience(audience_size)
    if audience_kind not in {"organ", "rural", "school", "enterprise"}:
        raise DomainError(_("Choose the kind of audience."), field="audience_kind")
    for field, value in {
        "place": place,
        "contact_name": contact_name,
        "contact_phone": contact_phone,
    }.items():
        if not (value or "").strip():
            raise DomainError(_("This field is required."), field=field)
    contact_phone = inputs.phone_value(contact_phone, "contact_phone", _("contact phone"))
    if preferred_lecturer is not None and preferred_lecturer.status != LecturerStatus.ACTIVE:
        raise DomainError(
            _("%(lecturer)s does not lecture at present.") % {"lecturer": preferred_lecturer.name},
            field="preferred_lecturer",
        )
    lecture = LectureRequest.objects.create(
        region_code=actor.region_id,
        requested_by=actor,
        unit=actor.unit or str(actor),
        topic=topic,
        preferred_lecturer=preferred_lecturer,
        preferred_start=preferred_start,
        preferred_end=preferred_end,
        audience_size=audience_size,
        audience_kind=audience_kind,
        place=place.strip(),
        contact_name=contact_name.strip(),
        contact_phone=contact_phone.strip(),
        note=note,
        created_at=clock.now(),
    )
    audit.record(
        actor=actor,
        action="lectures.request.create",
        region_code=lecture.region_code,
        target=lecture,
        after=audit.snapshot(
            lecture, ["topic_id", "preferred_lecturer_id", *REQUEST_FIELDS[4:6], "audience_size"]
        ),
    )
    return lecture


def _record(actor, lecture, action, before, note=""):
    audit.record(
        actor=actor,
        action=f"lectures.request.{action}",
        region_code=lecture.region_code,
        target=lecture,
        before=before,
        after=audit.snapshot(lecture, REQUEST_FIELDS),
        note=note,
    )


def _approve(actor, lecture, *, lecturer: Lecturer | None = None, starts_at=None, ends_at=None, **_ignored):
    if lecturer is None:
        raise DomainError(_("Choose the lecturer."), field="lecturer")
    check_times(starts_at, ends_at)
    buffer = travel_buffer(lecture.region_code)
    locked = lock_and_check(lecturer, starts_at, ends_at + buffer, buffer, exclude_lecture=lecture)
    Booking.objects.filter(lecture=lecture).delete()
    book(
        locked,
        kind=BookingKind.LECTURE,
        lecture=lecture,
        starts_at=starts_at,
        ends_at=ends_at,
        blocked_until=ends_at + buffer,
    )
    lecture.lecturer, lecture.starts_at, lecture.ends_at = locked, starts_at, ends_at


def _reschedule(
    actor,
    lecture,
    *,
    preferred_start=None,
    preferred_end=None,
    preferred_lecturer=None,
    reason="",
    **_ignored,
):
    """Any change of time or lecturer sends the lecture back to approval and frees the lecturer."""
    preferred_start = preferred_start or lecture.preferred_start
    preferred_end = preferred_end or lecture.preferred_end
    check_times(preferred_start, preferred_end, "preferred_start", "preferred_end")
    Booking.objects.filter(lecture=lecture).delete()
    lecture.preferred_start, lecture.preferred_end = preferred_start, preferred_end
    lecture.preferred_lecturer = preferred_lecturer or lecture.preferred_lecturer
    lecture.lecturer = lecture.starts_at = lecture.ends_at = None
    lecture.reason = (reason or "").strip()


def _release(actor, lecture, *, reason="", **_ignored):
    Booking.objects.filter(lecture=lecture).delete()
    lecture.reason = (reason or "").strip()


def _deliver(actor, lecture, **_ignored):
    if clock.now() < lecture.starts_at:
        raise TransitionRefused(
            _("The lecture starts at %(time)s: it cannot be delivered before.")
            % {"time": local(lecture.starts_at)},
            field="state",
        )


def _no_show(actor, lecture, *, reason="", **_ignored):
    if clock.now() < lecture.starts_at:
        raise TransitionRefused(
            _("The lecture starts at %(time)s: it cannot be a no-show before.")
            % {"time": local(lecture.starts_at)},
            field="state",
        )
    lecture.reason = (reason or "").strip()


def _nothing(actor, lecture, **_ignored):
    pass


STEPS = {
    "approve": _approve,
    "reject": _release,
    "withdraw": _release,
    "confirm": _nothing,
    "reschedule": _reschedule,
    "cancel": _release,
    "deliver": _deliver,
    "no_show": _no_show,
    "close": _nothing,
}


@transaction.atomic
def transition(actor, lecture: LectureRequest, action: str, **params) -> LectureRequest:
    """Take `action` on `lecture` (see enums.LECTURES). Side effects: the lecturer's booking is made
    (approve), freed (reschedule, withdraw, reject, cancel) or kept; one audit event."""
    if action not in STEPS:  # the feedback step has its own service: it writes the form, too
        raise DomainError(_("Unknown action “%(action)s”.") % {"action": action}, field="action")
    # Lock and re-read the row before the check: another user may have acted in the meantime.
    lecture.refresh_from_db(from_queryset=LectureRequest.objects.select_for_update())
    step = LECTURES.check(actor, lecture, action, reason=params.get("reason", ""))
    before = audit.snapshot(lecture, REQUEST_FIELDS)
    STEPS[action](actor, lecture, **params)
    lecture.state = step.target
    lecture.save()
    _record(actor, lecture, action, before, note=lecture.reason)
    return lecture


# --- Team lectures (组团式) ------------------------------------------------------------------------
@transaction.atomic
def create_tour(actor, *, title: str, topic: Topic | None, lecturers, stops) -> Tour:
    """A team tour: `stops` are dicts (region, place, lecturer, starts_at, ends_at, audience_size, unit).

    Each stop is a lecture the admin schedules directly (approved, waiting for the lecturer's
    confirmation), checked against the lecturer's calendar like any approval. A refused stop refuses the
    whole tour: the message names the stop, and nothing is written.
    """
    require_role(actor, ADMIN)
    if not (title or "").strip():
        raise DomainError(_("The title is required."), field="title")
    if topic is None:
        raise DomainError(_("Choose the topic."), field="topic")
    lecturers = list(lecturers)
    if len(lecturers) < 2:
        raise DomainError(_("A team lecture needs at least two lecturers."), field="lecturers")
    stops = list(stops)
    if not stops:
        raise DomainError(_("Add at least one stop to the tour."), field="stops")
    tour = Tour.objects.create(
        region_code=county_of(actor), title=title.strip(), topic=topic, created_at=clock.now()
    )
    tour.lecturers.set(lecturers)
    for number, stop in enumerate(stops, start=1):
        if stop["lecturer"] not in lecturers:
            raise DomainError(
                _("Stop %(n)s: %(lecturer)s is not in the team.")
                % {"n": number, "lecturer": stop["lecturer"]},
                field="stops",
            )
        try:
            _add_stop(actor, tour, stop)
        except DomainError as exc:
            raise DomainError(
                _("Stop %(n)s (%(place)s): %(message)s")
                % {"n": number, "place": stop.get("place") or stop["region"].name, "message": exc.message},
                field="stops",
                code=exc.code,
            ) from exc
    audit.record(
        actor=actor,
        action="lectures.tour.create",
        region_code=tour.region_code,
        target=tour,
        after={"title": tour.title, "lecturers": [lec.pk for lec in lecturers], "stops": len(stops)},
    )
    return tour


def _add_stop(actor, tour: Tour, stop: dict) -> LectureRequest:
    check_audience(stop["audience_size"])
    region = stop["region"]
    if not scope.covers(actor, region.code):
        raise DomainError(_("This place lies outside your area."), field="region")
    if not (stop.get("place") or "").strip():
        raise DomainError(_("This field is required."), field="place")
    lecture = LectureRequest.objects.create(
        region_code=region.code,
        mode=LectureMode.TEAM,
        tour=tour,
        requested_by=actor,
        unit=stop.get("unit") or region.name,
        topic=tour.topic,
        preferred_lecturer=stop["lecturer"],
        preferred_start=stop["starts_at"],
        preferred_end=stop["ends_at"],
        audience_size=stop["audience_size"],
        audience_kind=stop.get("audience_kind", "rural"),
        place=stop["place"],
        contact_name=stop.get("contact_name", ""),
        contact_phone=inputs.phone_value(stop.get("contact_phone", ""), "contact_phone", _("contact phone")),
        created_at=clock.now(),
    )
    before = audit.snapshot(lecture, REQUEST_FIELDS)
    _approve(actor, lecture, lecturer=stop["lecturer"], starts_at=stop["starts_at"], ends_at=stop["ends_at"])
    lecture.state = RequestState.APPROVED
    lecture.save()
    _record(actor, lecture, "approve", before)
    return lecture


# --- Feedback (反馈表) -----------------------------------------------------------------------------
def check_scores(scores: dict) -> dict[str, int]:
    checked = {}
    for field, label, _weight in scoring.CRITERIA:
        value = scores.get(field)
        if value is None or not scoring.SCORE_MIN <= int(value) <= scoring.SCORE_MAX:
            raise DomainError(
                _("%(criterion)s: give a score from %(min)s to %(max)s.")
                % {"criterion": label, "min": scoring.SCORE_MIN, "max": scoring.SCORE_MAX},
                field=field,
            )
        checked[field] = int(value)
    return checked


@transaction.atomic
def file_feedback(
    actor, lecture: LectureRequest, *, attendance, comments="", suggestions="", sign_in_sheet=None, **scores
) -> Feedback:
    """The host unit fills the feedback form once, after the lecture ended. Side effects: the lecture
    moves to "feedback received"; one audit event."""
    lecture.refresh_from_db(from_queryset=LectureRequest.objects.select_for_update())
    try:
        step = LECTURES.check(actor, lecture, "feedback")
    except StateConflict:
        if Feedback.objects.filter(lecture=lecture).exists():  # say why, in the words people know
            raise StateConflict(_("This lecture already has its feedback form."), field="state") from None
        raise
    if clock.now() < lecture.ends_at:
        raise TransitionRefused(
            _("The lecture ends at %(time)s: the feedback form opens then.")
            % {"time": local(lecture.ends_at)},
            field="lecture",
        )
    if attendance is None or attendance <= 0:
        raise DomainError(_("The attendance must be at least one person."), field="attendance")
    checked = check_scores(scores)
    if sign_in_sheet:
        sign_in_sheet, _checked = uploads.checked_file(
            sign_in_sheet, uploads.SIGN_IN_SHEET, field="sign_in_sheet", label=_("sign-in sheet or photo")
        )
    feedback = Feedback.objects.create(
        lecture=lecture,
        region_code=lecture.region_code,
        attendance=attendance,
        weighted_score=scoring.weighted_score(
            checked, scoring.weights(lecture.region_code, lecture.ends_at.year)
        ),
        comments=comments or "",
        suggestions=suggestions or "",
        sign_in_sheet=sign_in_sheet or "",
        filed_by=actor,
        filed_at=clock.now(),
        **checked,
    )
    before = audit.snapshot(lecture, REQUEST_FIELDS)
    lecture.state = step.target
    lecture.save(update_fields=["state"])
    audit.record(
        actor=actor,
        action="lectures.feedback.file",
        region_code=lecture.region_code,
        target=lecture,
        before=before,
        after={
            "state": lecture.state,
            "attendance": attendance,
            "weighted_score": feedback.weighted_score,
            **checked,
        },
    )
    return feedback
