"""Kinds, states and the allowed transitions of the revenue ledger and dividends (DESIGN.md §4 "Benefits")."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from fupin.core.access import Action, roles_for

# Who writes: the county, the towns and finance; the inspector reads (core/access.py).
WRITERS = roles_for(Action.WRITE_BENEFITS)


class RevenueKind(models.TextChoices):
    RENT = "rent", _("Rent")  # 租金
    DIVIDEND = "dividend", _("Enterprise dividend")  # 企业分红
    PV = "pv", _("Photovoltaic income")  # 光伏收益
    PROFIT = "profit", _("Operating profit")  # 经营利润


AUDIT_ACTIONS = {
    "benefits.revenue.record": _("Revenue recorded"),
    "benefits.revenue.reverse": _("Revenue reversed"),
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
