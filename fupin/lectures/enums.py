"""States, kinds and the allowed transitions of the lecture module (DESIGN.md §4 "Lectures")."""

from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from fupin.core.enums import Role
from fupin.core.transitions import Step, Workflow


class LecturerStatus(models.TextChoices):
    ACTIVE = "active", _("In service")
    PAUSED = "paused", _("Paused")
    RETIRED = "retired", _("Retired")


class AudienceKind(models.TextChoices):
    ORGAN = "organ", _("Government organ")  # 机关
    RURAL = "rural", _("Village or community")  # 农村/社区
    SCHOOL = "school", _("School")
    ENTERPRISE = "enterprise", _("Enterprise")


class LectureMode(models.TextChoices):
    REQUESTED = "requested", _("Requested lecture")  # 点课式
    TEAM = "team", _("Team lecture")  # 组团式


class RequestState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    CONFIRMED = "confirmed", _("Confirmed")
    DELIVERED = "delivered", _("Delivered")
    FEEDBACK_RECEIVED = "feedback_received", _("Feedback received")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")
    NO_SHOW = "no_show", _("No-show")


class BookingKind(models.TextChoices):
    LECTURE = "lecture", _("Lecture")
    UNAVAILABLE = "unavailable", _("Unavailable")


class DraftState(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting review")
    RETURNED = "returned", _("Returned with comments")
    ACCEPTED = "accepted", _("Accepted")


S = RequestState
ADMIN, LECTURER, REQUESTER = Role.LECTURE_ADMIN, Role.LECTURER, Role.REQUESTER

# What the buttons say.
ACTION_VERBS = {
    "approve": _("Approve and schedule"),
    "reject": _("Reject"),
    "withdraw": _("Withdraw"),
    "confirm": _("Confirm"),
    "reschedule": _("Change time or lecturer"),
    "cancel": _("Cancel"),
    "deliver": _("Mark delivered"),
    "no_show": _("Mark no-show"),
    "close": _("Close and archive"),
}


def lecturer_or_admin(user, lecture) -> bool:
    """Confirm and deliver: the lecture's own lecturer, or the lecture office."""
    return user.has_role(ADMIN) or (lecture.lecturer_id is not None and lecture.lecturer.user_id == user.pk)


def host_or_admin(user, lecture) -> bool:
    """The feedback form: the unit that hosted the lecture (who requested it, or a colleague of the same
    unit), or the lecture office."""
    return user.has_role(ADMIN) or (
        user.has_role(REQUESTER)
        and (lecture.requested_by_id == user.pk or bool(user.unit and lecture.unit == user.unit))
    )


def _step(action, sources, target, roles, *, reason=False, who=None, **words):
    return Step(action, frozenset(sources), target, roles, ACTION_VERBS[action], reason, who, **words)


# A lecture request's workflow: the one table its service enforces and its page and API show.
# "reschedule" is the one way to change the lecturer or the time: it always goes back to approval.
# Feedback moves delivered → feedback received; its service writes the form, too.
LECTURES = Workflow(
    "lectures.request",
    [
        _step("approve", {S.SUBMITTED}, S.APPROVED, (ADMIN,)),
        _step("reject", {S.SUBMITTED}, S.REJECTED, (ADMIN,), reason=True),
        _step("withdraw", {S.SUBMITTED, S.APPROVED, S.CONFIRMED}, S.WITHDRAWN, (REQUESTER, ADMIN)),
        _step("confirm", {S.APPROVED}, S.CONFIRMED, (LECTURER, ADMIN), who=lecturer_or_admin),
        _step("reschedule", {S.APPROVED, S.CONFIRMED}, S.SUBMITTED, (ADMIN, REQUESTER)),
        _step("cancel", {S.APPROVED, S.CONFIRMED}, S.CANCELLED, (ADMIN,), reason=True),
        _step("deliver", {S.CONFIRMED}, S.DELIVERED, (LECTURER, ADMIN), who=lecturer_or_admin),
        _step("no_show", {S.CONFIRMED}, S.NO_SHOW, (ADMIN,)),
        _step("close", {S.FEEDBACK_RECEIVED}, S.CLOSED, (ADMIN,)),
        Step(
            "feedback",
            frozenset({S.DELIVERED}),
            S.FEEDBACK_RECEIVED,
            (REQUESTER, ADMIN),
            _("Fill the feedback form"),
            who=host_or_admin,
            refusal=_("Feedback is filed for a delivered lecture; this one is “%(state)s”."),
        ),
    ],
    refusal=_("A lecture that is “%(state)s” cannot be given “%(action)s”."),
)
BOOKED_STATES = frozenset({S.APPROVED, S.CONFIRMED, S.DELIVERED, S.FEEDBACK_RECEIVED, S.CLOSED})
DELIVERED_STATES = frozenset({S.DELIVERED, S.FEEDBACK_RECEIVED, S.CLOSED})
OPEN_STATES = frozenset({S.SUBMITTED, S.APPROVED, S.CONFIRMED})

# The central review of a lesson draft (集中审核): the lecture office accepts it, or returns it with what
# to improve.
DRAFTS = Workflow(
    "lectures.draft",
    [
        Step("accept", frozenset({DraftState.SUBMITTED}), DraftState.ACCEPTED, (ADMIN,), _("Accept")),
        Step(
            "return",
            frozenset({DraftState.SUBMITTED}),
            DraftState.RETURNED,
            (ADMIN,),
            _("Return with comments"),
            reason=True,
        ),
    ],
    refusal=_("This draft was already reviewed."),
    reason_refusal=_("Say what to improve when returning a draft."),
    reason_field="review_comment",
)

ACTION_LABELS = {
    "lectures.lecturer.create": _("Lecturer added"),
    "lectures.lecturer.status": _("Lecturer status changed"),
    "lectures.topic.create": _("Lecture topic added"),
    "lectures.unavailability.add": _("Lecturer unavailability added"),
    "lectures.unavailability.remove": _("Lecturer unavailability removed"),
    "lectures.draft.submit": _("Lesson draft submitted"),
    "lectures.draft.review": _("Lesson draft reviewed"),
    "lectures.request.create": _("Lecture requested"),
    "lectures.tour.create": _("Team lecture tour created"),
    "lectures.feedback.file": _("Lecture feedback filed"),
    **{
        f"lectures.request.{action}": format_lazy("{}：{}", _("Lecture request"), verb)
        for action, verb in ACTION_VERBS.items()
    },
}
