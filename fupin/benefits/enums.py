"""Kinds, states and the allowed transitions of the benefits module (DESIGN.md §4 "Benefits")."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from fupin.core.access import Action, roles_for
from fupin.projects.enums import ProjectType

# Who writes: the county, the towns and finance; the inspector reads (core/access.py).
WRITERS = roles_for(Action.WRITE_BENEFITS)

# The policy key of the project funds that bring one job, by project type; other types bring none.
EMPLOYMENT_UNIT_POLICY = {
    ProjectType.INDUSTRIAL: "employment_unit_industrial",
    ProjectType.FINANCIAL: "employment_unit_financial",
}


class RevenueKind(models.TextChoices):
    RENT = "rent", _("Rent")  # 租金
    DIVIDEND = "dividend", _("Enterprise dividend")  # 企业分红
    PV = "pv", _("Photovoltaic income")  # 光伏收益
    PROFIT = "profit", _("Operating profit")  # 经营利润


AUDIT_ACTIONS = {
    "benefits.agreement.sign": _("Employment agreement signed"),
    "benefits.revenue.record": _("Revenue recorded"),
    "benefits.revenue.reverse": _("Revenue reversed"),
    "benefits.workshop.create": _("Workshop registered"),
    "benefits.workshop.assess": _("Workshop quarterly status assessed"),
    "benefits.post.create": _("Post registered"),
    "benefits.placement.start": _("Placement started"),
    "benefits.placement.end": _("Placement ended"),
    "benefits.work.record": _("Months and wages recorded"),
    "benefits.offer.make": _("Job offered"),
    "benefits.offer.accept": _("Job offer accepted"),
    "benefits.offer.decline": _("Job offer declined"),
}


class Method(models.TextChoices):
    """How a distribution plan divides the money among the beneficiary households."""

    EQUAL = "equal", _("Equal per household")  # 按户平均
    PER_CAPITA = "per_capita", _("Per capita")  # 按人口
    WEIGHTED = "weighted", _("Weighted by factors")  # 按系数
    SHARES = "shares", _("Fixed shares only")  # 村集体/公益岗位定额


class PlanState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved by village review")  # 村民代表会议审议通过
    DISCLOSED = "disclosed", _("On public notice")  # 公示
    PAYING = "paying", _("Being paid")
    PAID = "paid", _("Paid in full")
    CANCELLED = "cancelled", _("Cancelled")


# Plans that still owe money to someone: the payment deadline applies to them.
UNPAID_STATES = (PlanState.APPROVED, PlanState.DISCLOSED, PlanState.PAYING)
# Plans that hold their revenue entry: the entry can no longer be reversed.
LIVE_STATES = (PlanState.DRAFT, *UNPAID_STATES, PlanState.PAID)


class Recipient(models.TextChoices):
    HOUSEHOLD = "household", _("Household")
    COLLECTIVE = "collective", _("Village collective")  # 村集体
    WELFARE = "welfare", _("Public-welfare posts")  # 公益岗位


class Channel(models.TextChoices):
    BANK = "bank", _("Bank transfer")
    CARD = "card", _("Benefits card")
    CASH = "cash", _("Cash with receipt")


AUDIT_ACTIONS.update(
    {
        "benefits.plan.create": _("Distribution plan drawn up"),
        "benefits.plan.approve": _("Distribution plan approved"),
        "benefits.plan.disclose": _("Distribution plan put on notice"),
        "benefits.plan.cancel": _("Distribution plan cancelled"),
        "benefits.payment.record": _("Dividends paid"),
        "benefits.plan.paid": _("Distribution plan paid in full"),
    }
)


# --- Workshops and posts (扶贫车间, 扶贫岗/公益岗位) and matching (供需精准对接) ---------------------------
class OperatorKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")  # 企业
    PERSON = "person", _("Individual")  # 个人（能人大户）


class PostKind(models.TextChoices):
    POVERTY = "poverty", _("Poverty-alleviation post")  # 扶贫岗
    WELFARE = "welfare", _("Public-welfare post")  # 公益岗位


class WorkshopStatus(models.TextChoices):
    """The quarterly status of a workshop: running normally, watched until handled, cleared out."""

    NORMAL = "normal", _("Running normally")  # 正常运行
    MONITORING = "monitoring", _("Monitored, to be handled")  # 监测待处置
    CLEARED = "cleared", _("Cleared out")  # 清理


class OfferState(models.TextChoices):
    OFFERED = "offered", _("Offered")  # 已推荐
    ACCEPTED = "accepted", _("Taken up")  # 已接受
    DECLINED = "declined", _("Declined")  # 已谢绝


# An offer leaves "offered" once, for one of these.
OFFER_TRANSITIONS = {OfferState.OFFERED: {OfferState.ACCEPTED, OfferState.DECLINED}}

# Who places people, records their months and wages and acts on the matching list: the writers and
# the village cadres, who know the village's people (workshops, posts and quarterly statuses: WRITERS).
MATCHERS = roles_for(Action.MATCH)
