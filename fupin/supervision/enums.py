"""The problem ledger's states and transitions (DESIGN.md §4 "Supervision"), shared by the inspection
campaigns over projects and by urban management; each use brings its own categories."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from fupin.core.access import Action as AccessAction
from fupin.core.access import Kind, roles_for


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


# action → (states it may start from, state it leads to (None: unchanged), who may take it).
# "responsible" means the problem's responsible person (or, without one, the roles in RESPONSIBLE).
TRANSITIONS = {
    Action.ASSIGN: ({State.REGISTERED}, State.ASSIGNED, "supervisor"),
    Action.REJECT: ({State.REGISTERED}, State.REJECTED, "supervisor"),
    Action.DUPLICATE: ({State.REGISTERED, State.ASSIGNED}, State.DUPLICATE, "supervisor"),
    Action.SEND_BACK: ({State.ASSIGNED, State.RECTIFYING}, State.REGISTERED, "responsible"),
    Action.START: ({State.ASSIGNED}, State.RECTIFYING, "responsible"),
    Action.SUBMIT: ({State.RECTIFYING}, State.PENDING_VERIFICATION, "responsible"),
    Action.VERIFY: ({State.PENDING_VERIFICATION}, State.CLOSED, "supervisor"),
    Action.REWORK: ({State.PENDING_VERIFICATION}, State.RECTIFYING, "supervisor"),
    Action.SUSPEND: ({State.ASSIGNED, State.RECTIFYING}, State.SUSPENDED, "supervisor"),
    Action.RESUME: ({State.SUSPENDED}, None, "supervisor"),  # back to the state before the suspension
    Action.REQUEST_EXTENSION: ({State.ASSIGNED, State.RECTIFYING}, None, "responsible"),
    Action.EXTEND: ({State.ASSIGNED, State.RECTIFYING, State.PENDING_VERIFICATION}, None, "supervisor"),
    Action.REOPEN: ({State.CLOSED}, State.RECTIFYING, "supervisor"),
    Action.COMMENT: (set(State.values), None, "anyone"),
}


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
