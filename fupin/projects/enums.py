"""States, kinds and the allowed transitions of the project library (DESIGN.md §4 "Projects")."""

from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from fupin.core.enums import Role
from fupin.core.transitions import Step, Workflow


class ProjectType(models.TextChoices):
    INDUSTRIAL = "industrial", _("Industrial")  # 产业
    FINANCIAL = "financial", _("Financial")  # 金融
    INFRASTRUCTURE = "infrastructure", _("Infrastructure")  # 基础设施
    EMPLOYMENT = "employment", _("Employment")  # 就业
    PUBLIC_POST = "public_post", _("Public-welfare posts")  # 公益岗位
    OTHER = "other", _("Other")


class Linkage(models.TextChoices):
    """How the project links to poor households (利益联结/带贫机制)."""

    DIVIDEND = "dividend", _("Dividends")
    EMPLOYMENT = "employment", _("Employment")
    BOTH = "both", _("Dividends and employment")


class ProjectState(models.TextChoices):
    DRAFT = "draft", _("Draft (reserve)")  # 储备
    TOWN_REVIEW = "town_review", _("Town review")  # 乡镇审核
    COUNTY_REVIEW = "county_review", _("County expert review")  # 县级论证评审
    LIBRARY = "library", _("In the library")  # 入库
    PLANNED = "planned", _("In the annual plan")  # 年度计划/立项
    START_REQUESTED = "start_requested", _("Start requested")  # 开工报请
    IMPLEMENTING = "implementing", _("Under way")  # 实施中
    COMPLETED = "completed", _("Completed, awaiting acceptance")  # 竣工待验收
    ACCEPTED = "accepted", _("Accepted on completion")  # 已验收
    HANDED_OVER = "handed_over", _("Handed over and registered")  # 已移交确权
    OPERATING = "operating", _("Operation and maintenance")  # 运营管护
    RETURNED = "returned", _("Returned to the applicant")  # 退回
    REJECTED = "rejected", _("Not admitted to the library")  # 不予入库
    REMOVED = "removed", _("Removed from the library")  # 出库 (yearly review)
    TERMINATED = "terminated", _("Terminated")  # 终止


class AssetClass(models.TextChoices):
    OPERATING = "operating", _("Operating asset")  # 经营性
    PUBLIC = "public", _("Public-welfare asset")  # 公益性
    HOUSEHOLD = "household", _("Household asset")  # 到户类


class ReviewState(models.TextChoices):
    SCORING = "scoring", _("Experts scoring")
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")


class Conclusion(models.TextChoices):
    """The review committee's conclusion (评审结论)."""

    PASS = "pass", _("Pass")  # 通过
    FAIL = "fail", _("Fail")  # 不通过
    PASS_WITH_CHANGES = "pass_changes", _("Pass after changes")  # 修改后通过


class SeatWithdrawal(models.TextChoices):
    DECLINED = "declined", _("Declined")  # 回避/拒绝
    ABSENT = "absent", _("Absent")  # 缺席


class BudgetChangeState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


S = ProjectState
TOWN, COUNTY = Role.TOWN_OFFICER, Role.COUNTY_ADMIN

ACTION_VERBS = {
    "submit": _("Submit to the town"),
    "town_approve": _("Town approves: send to the county review"),
    "return": _("Return to the applicant"),
    "reject": _("Do not admit"),
    "enter_library": _("Enter the library"),
    "remove": _("Remove from the library"),
    "plan": _("Put in the annual plan"),
    "request_start": _("Request to start work"),
    "approve_start": _("Approve the start"),
    "refuse_start": _("Refuse the start"),
    "complete": _("Report completion"),
    "accept": _("Pass acceptance"),
    "hand_over": _("Hand over and register"),
    "operate": _("Start operation and maintenance"),
    "terminate": _("Terminate"),
}


def _step(action: str, sources, target: str, roles: tuple[str, ...], reason: bool = False) -> Step:
    return Step(action, frozenset(sources), target, roles, ACTION_VERBS[action], reason=reason)


# The lifecycle: from which states each action starts, where it leads, who may take it, whether it needs a
# reason. Town officers act on the town's side of the procedure; the county's steps are the county's.
# The guards that read the project's data (targets, review, plan, money) are the services'.
LIFECYCLE = Workflow(
    "project",
    [
        _step("submit", {S.DRAFT, S.RETURNED}, S.TOWN_REVIEW, (TOWN, COUNTY, Role.VILLAGE_CADRE)),
        _step("town_approve", {S.TOWN_REVIEW}, S.COUNTY_REVIEW, (TOWN, COUNTY)),
        _step("return", {S.TOWN_REVIEW, S.COUNTY_REVIEW}, S.RETURNED, (TOWN, COUNTY), reason=True),
        _step("reject", {S.COUNTY_REVIEW}, S.REJECTED, (COUNTY,), reason=True),
        _step("enter_library", {S.COUNTY_REVIEW}, S.LIBRARY, (COUNTY,)),
        _step("remove", {S.LIBRARY}, S.REMOVED, (COUNTY,), reason=True),
        _step("plan", {S.LIBRARY}, S.PLANNED, (COUNTY,)),
        _step("request_start", {S.PLANNED}, S.START_REQUESTED, (TOWN, COUNTY)),
        _step("approve_start", {S.START_REQUESTED}, S.IMPLEMENTING, (COUNTY,)),
        _step("refuse_start", {S.START_REQUESTED}, S.PLANNED, (COUNTY,), reason=True),
        _step("complete", {S.IMPLEMENTING}, S.COMPLETED, (TOWN, COUNTY)),
        _step("accept", {S.COMPLETED}, S.ACCEPTED, (COUNTY,)),
        _step("hand_over", {S.ACCEPTED}, S.HANDED_OVER, (TOWN, COUNTY)),
        _step("operate", {S.HANDED_OVER}, S.OPERATING, (TOWN, COUNTY)),
        _step(
            "terminate",
            {S.LIBRARY, S.PLANNED, S.START_REQUESTED, S.IMPLEMENTING, S.COMPLETED},
            S.TERMINATED,
            (COUNTY,),
            reason=True,
        ),
    ],
    refusal=_("A project that is “%(state)s” cannot be given “%(action)s”."),
)
EDITABLE_STATES = frozenset({S.DRAFT, S.RETURNED})
# States in which money may be allocated to the project, and paid out: payments only once the start of
# work is approved (开工报请 approved); in operation only retention money within the warranty.
FUNDABLE_STATES = frozenset(
    {S.LIBRARY, S.PLANNED, S.START_REQUESTED, S.IMPLEMENTING, S.COMPLETED, S.ACCEPTED}
)
PAYABLE_STATES = frozenset({S.IMPLEMENTING, S.COMPLETED, S.ACCEPTED, S.HANDED_OVER})
RETENTION_STATES = frozenset({*PAYABLE_STATES, S.OPERATING})
# Not finished: a project of an earlier year in one of these is behind "当年投资、当年完成".
UNFINISHED_STATES = frozenset({S.LIBRARY, S.PLANNED, S.START_REQUESTED, S.IMPLEMENTING})
DONE_STATES = frozenset({S.COMPLETED, S.ACCEPTED, S.HANDED_OVER, S.OPERATING})
LIBRARY_STATES = frozenset({S.LIBRARY, S.PLANNED, S.START_REQUESTED, S.IMPLEMENTING, *DONE_STATES})


# The five review criteria, each scored 0–20 (可行性, 合规性, 科学性, 长效性, 利益联结机制).
CRITERIA = [
    ("feasibility", _("Feasibility")),
    ("compliance", _("Compliance")),
    ("soundness", _("Scientific soundness")),
    ("durability", _("Long-term effect")),
    ("linkage", _("Linkage with poor households")),
]
CRITERION_MAX = 20

# The implementation plan's required sections.
PLAN_SECTIONS = [
    ("construction", _("Construction content")),
    ("schedule", _("Schedule")),
    ("budget", _("Budget")),
    ("procurement", _("Procurement")),
    ("beneficiaries", _("Beneficiaries and linkage")),
    ("risks", _("Risk measures")),
]

AUDIT_ACTIONS = {
    "projects.project.create": _("Project created"),
    "projects.project.change": _("Project changed"),
    "projects.expert.create": _("Expert added to the pool"),
    "projects.expert.active": _("Expert activated or deactivated"),
    "projects.review.draw": _("Review experts drawn"),
    "projects.review.score": _("Review score submitted"),
    "projects.review.decide": _("Review decided"),
    "projects.plan.save": _("Implementation plan saved"),
    "projects.procurement.add": _("Procurement record added"),
    "projects.progress.report": _("Progress reported"),
    "projects.acceptance.record": _("Acceptance recorded"),
    "projects.asset.add": _("Asset registered"),
    "projects.review.replace": _("Review expert replaced by a new draw"),
    "projects.review.conclude": _("Review conclusion signed by the chair"),
    "projects.budget.request": _("Budget change requested"),
    "projects.budget.approve": _("Budget change approved"),
    "projects.budget.refuse": _("Budget change refused"),
    **{
        f"projects.project.{action}": format_lazy("{}：{}", _("Project"), verb)
        for action, verb in ACTION_VERBS.items()
    },
}

# The side menu's words for this app (core/navigation.py lists the entries; the Chinese lives here).
MENU_LABELS = [
    _("Projects"),
    _("New project"),
    _("Expert reviews"),
    _("Library statistics"),
    _("Special funds"),
    _("Funds and balances"),
    _("Public disclosure"),
    _("Project notices"),
    _("Fund allocation results"),
]
