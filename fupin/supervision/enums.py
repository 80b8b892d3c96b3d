"""The problem ledger's states and transitions (DESIGN.md §4 "Supervision"), shared by the inspection
campaigns over projects and by urban management; each use brings its own categories."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from fupin.core.access import Action as AccessAction
from fupin.core.access import Kind, roles_for
from fupin.core.enums import Role
from fupin.core.transitions import Step, Workflow


class Use(models.TextChoices):
    PROJECTS = "projects", _("Project inspection")  # 扶贫项目跟踪问效
    URBAN = "urban", _("Urban management")  # 城市管理


# The kind of data (core/access.py) each use of the one ledger is: who reads which problems.
USE_KINDS = {Use.PROJECTS: Kind.INSPECTION, Use.URBAN: Kind.URBAN}


class Aspect(models.TextChoices):
    """The campaign's checklist aspects for projects (the seed's four, plus funds and benefits)."""

    REVIEW = "review", _("Appraisal and review")  # 论证评审
    PROCEDURE = "procedure", _("Implementation procedure")  # 实施程序
    QUALITY = "quality", _("Construction quality")  # 建设质量
    OPERATION = "operation", _("Project operation")  # 项目运营
    FUNDS = "funds", _("Fund management")  # 资金管理
    BENEFITS = "benefits", _("Benefit distribution")  # 收益分配


class UrbanCategory(models.TextChoices):
    OUTSIDE_SHOP = "outside_shop", _("Business outside the shop")  # 店外经营
    ROAD = "road", _("Business on the road")  # 占道经营
    PARKING = "parking", _("Disorderly parking")  # 乱停乱放
    BUILDING = "building", _("Illegal structures")  # 乱搭乱建
    SIGNS = "signs", _("Shop signs")  # 门头牌匾
    SANITATION = "sanitation", _("Sanitation")  # 环境卫生
    OTHER_URBAN = "other_urban", _("Other urban problem")


CATEGORIES = {Use.PROJECTS: Aspect, Use.URBAN: UrbanCategory}


class Method(models.TextChoices):
    ARCHIVES = "archives", _("Archives")  # 查阅档案资料
    SITE = "site", _("Site visit")  # 查看项目现场
    ACCOUNTS = "accounts", _("Accounts")  # 查阅财务账目


class State(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    ASSIGNED = "assigned", _("Assigned")
    RECTIFYING = "rectifying", _("Rectifying")
    PENDING_VERIFICATION = "pending_verification", _("Pending verification")
    CLOSED = "closed", _("Closed out")
    REJECTED = "rejected", _("Rejected")
    DUPLICATE = "duplicate", _("Duplicate")
    SUSPENDED = "suspended", _("Suspended")


OPEN_STATES = {
    State.REGISTERED,
    State.ASSIGNED,
    State.RECTIFYING,
    State.PENDING_VERIFICATION,
    State.SUSPENDED,
}
# States in which the deadline clock runs (a suspended problem's clock is paused).
CLOCK_STATES = {State.ASSIGNED, State.RECTIFYING, State.PENDING_VERIFICATION}


class Escalation(models.TextChoices):
    NONE = "none", _("None")
    REMINDER = "reminder", _("Reminder")  # 提醒
    TIME_LIMITED = "time_limited", _("Time-limited supervision")  # 限时督办
    LISTED = "listed", _("Listed supervision")  # 挂牌督办


ESCALATION_ORDER = [Escalation.NONE, Escalation.REMINDER, Escalation.TIME_LIMITED, Escalation.LISTED]

# Who supervises and who rectifies: the access policy's (core/access.py).
SUPERVISORS = roles_for(AccessAction.SUPERVISE_PROBLEM)
RESPONSIBLE = roles_for(AccessAction.RECTIFY_PROBLEM)


class Action(models.TextChoices):
    REGISTER = "register", _("Registered")
    ASSIGN = "assign", _("Assign")
    REJECT = "reject", _("Reject")
    DUPLICATE = "duplicate", _("Mark as duplicate")
    SEND_BACK = "send_back", _("Send back")
    START = "start", _("Start rectifying")
    SUBMIT = "submit", _("Submit rectification")
    VERIFY = "verify", _("Verify and close")
    REWORK = "rework", _("Fail verification: rework")
    SUSPEND = "suspend", _("Suspend")
    RESUME = "resume", _("Resume")
    REQUEST_EXTENSION = "request_extension", _("Request an extension")
    EXTEND = "extend", _("Approve an extension")
    REOPEN = "reopen", _("Reopen")
    ESCALATE = "escalate", _("Escalated")
    COMMENT = "comment", _("Comment")


def is_responsible(user, problem) -> bool:
    """The problem's responsible person; without one, whoever the policy lets rectify."""
    if problem.responsible_id:
        return problem.responsible_id == user.pk
    return user.has_role(*RESPONSIBLE)


EVERYONE = tuple(Role.values)  # the responsible person may hold any role: `is_responsible` decides
_ASSIGNED = {State.ASSIGNED, State.RECTIFYING}


def _step(action, sources, target, who, reason=False) -> Step:
    roles, test = (SUPERVISORS, None) if who == "supervisor" else (EVERYONE, is_responsible)
    if who == "anyone":
        test = None
    return Step(action.value, frozenset(sources), target, roles, action.label, reason, test)


# A problem's workflow: the one table its service enforces and its page and API show. A target of None
# leaves the state as it is (resume goes back to the state before the suspension). A reason is the
# comment on the timeline.
PROBLEMS = Workflow(
    "supervision.problem",
    [
        _step(Action.ASSIGN, {State.REGISTERED}, State.ASSIGNED, "supervisor"),
        _step(Action.REJECT, {State.REGISTERED}, State.REJECTED, "supervisor", reason=True),
        _step(Action.DUPLICATE, {State.REGISTERED, State.ASSIGNED}, State.DUPLICATE, "supervisor"),
        _step(Action.SEND_BACK, _ASSIGNED, State.REGISTERED, "responsible", reason=True),
        _step(Action.START, {State.ASSIGNED}, State.RECTIFYING, "responsible"),
        _step(Action.SUBMIT, {State.RECTIFYING}, State.PENDING_VERIFICATION, "responsible", reason=True),
        _step(Action.VERIFY, {State.PENDING_VERIFICATION}, State.CLOSED, "supervisor"),
        _step(Action.REWORK, {State.PENDING_VERIFICATION}, State.RECTIFYING, "supervisor", reason=True),
        _step(Action.SUSPEND, _ASSIGNED, State.SUSPENDED, "supervisor", reason=True),
        _step(Action.RESUME, {State.SUSPENDED}, None, "supervisor"),
        _step(Action.REQUEST_EXTENSION, _ASSIGNED, None, "responsible", reason=True),
        _step(Action.EXTEND, {*_ASSIGNED, State.PENDING_VERIFICATION}, None, "supervisor"),
        _step(Action.REOPEN, {State.CLOSED}, State.RECTIFYING, "supervisor", reason=True),
        _step(Action.COMMENT, set(State.values), None, "anyone", reason=True),
    ],
    refusal=_("“%(action)s” is not possible while the problem is “%(state)s”."),
    reason_refusal=_("Write a comment: it is required for “%(action)s”."),
    reason_field="comment",
)


class ComplaintChannel(models.TextChoices):
    HOTLINE = "12317", _("12317 hotline")
    LETTER = "letter", _("Letter")
    VISIT = "visit", _("Visit in person")
    WEB = "web", _("Web form")


# The channels staff record a complaint from; the web form files its own.
STAFF_CHANNELS = (ComplaintChannel.HOTLINE, ComplaintChannel.LETTER, ComplaintChannel.VISIT)


class ComplaintState(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACCEPTED = "accepted", _("Accepted: a problem was opened")
    DISMISSED = "dismissed", _("Dismissed")
    ANSWERED = "answered", _("Answered")


REPLY_DUE = "reply_due"  # accepted, and the problem it opened is closed: the reply is recorded now


def complaint_stage(complaint) -> str:
    """A complaint's state for its workflow: "accepted" counts as "reply due" once its problem is closed."""
    if complaint.state == ComplaintState.ACCEPTED:
        problem = getattr(complaint, "problem", None)  # the reverse one-to-one raises when there is none
        if problem is not None and problem.state == State.CLOSED:
            return REPLY_DUE
    return complaint.state


# A complaint's workflow: accepted (it opens a problem) or dismissed once, and answered when that problem
# is closed. The reply itself is the answer step's data, checked by its service.
COMPLAINTS = Workflow(
    "supervision.complaint",
    [
        Step(
            "accept",
            frozenset({ComplaintState.RECEIVED}),
            ComplaintState.ACCEPTED,
            SUPERVISORS,
            _("Accept: open a problem"),
        ),
        Step(
            "dismiss",
            frozenset({ComplaintState.RECEIVED}),
            ComplaintState.DISMISSED,
            SUPERVISORS,
            _("Dismiss"),
            reason=True,
        ),
        Step(
            "answer",
            frozenset({REPLY_DUE}),
            ComplaintState.ANSWERED,
            SUPERVISORS,
            _("Record the reply"),
            refusal=_("The reply is recorded when the problem the complaint opened is closed."),
        ),
    ],
    refusal=_("This complaint was already decided."),
    reason_refusal=_("Give the reason for dismissing."),
    state_of=complaint_stage,
)


AUDIT_ACTIONS = {
    "problem.open": _("Problem registered"),
    "problem.transition": _("Problem transition"),
    "problem.escalate": _("Problem escalated"),
    "campaign.create": _("Campaign created"),
    "campaign.check": _("Campaign check recorded"),
    "grid.create": _("Grid created"),
    "duty.create": _("Duty shift recorded"),
    "complaint.receive": _("Complaint received"),
    "complaint.decide": _("Complaint decided"),
    "complaint.answer": _("Complaint answered"),
}
