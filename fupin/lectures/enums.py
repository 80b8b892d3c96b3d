"""States, kinds and the allowed transitions of the lecture module (DESIGN.md §4 "Lectures")."""

from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from fupin.core.enums import Role


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

# action: (states it may start from, state it leads to, roles that may take it).
# "reschedule" is the one way to change the lecturer or the time: it always goes back to approval.
TRANSITIONS: dict[str, tuple[frozenset[str], str, tuple[str, ...]]] = {
    "approve": (frozenset({S.SUBMITTED}), S.APPROVED, (ADMIN,)),
    "reject": (frozenset({S.SUBMITTED}), S.REJECTED, (ADMIN,)),
    "withdraw": (frozenset({S.SUBMITTED, S.APPROVED, S.CONFIRMED}), S.WITHDRAWN, (REQUESTER, ADMIN)),
    "confirm": (frozenset({S.APPROVED}), S.CONFIRMED, (LECTURER, ADMIN)),
    "reschedule": (frozenset({S.APPROVED, S.CONFIRMED}), S.SUBMITTED, (ADMIN, REQUESTER)),
    "cancel": (frozenset({S.APPROVED, S.CONFIRMED}), S.CANCELLED, (ADMIN,)),
    "deliver": (frozenset({S.CONFIRMED}), S.DELIVERED, (LECTURER, ADMIN)),
    "no_show": (frozenset({S.CONFIRMED}), S.NO_SHOW, (ADMIN,)),
    "close": (frozenset({S.FEEDBACK_RECEIVED}), S.CLOSED, (ADMIN,)),
}
# Feedback moves delivered → feedback received; it is its own service (it writes a form, too).
BOOKED_STATES = frozenset({S.APPROVED, S.CONFIRMED, S.DELIVERED, S.FEEDBACK_RECEIVED, S.CLOSED})
DELIVERED_STATES = frozenset({S.DELIVERED, S.FEEDBACK_RECEIVED, S.CLOSED})
OPEN_STATES = frozenset({S.SUBMITTED, S.APPROVED, S.CONFIRMED})

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
