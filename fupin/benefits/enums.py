"""Kinds, states and the allowed transitions of the revenue ledger and dividends (DESIGN.md §4 "Benefits")."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from fupin.core.access import Action, roles_for
from fupin.core.transitions import Step, Workflow

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


# A distribution plan's workflow: the one table its services enforce and its page shows. Paying leads to
# "being paid" or, once every line is paid, to "paid in full": the service decides (no target here).
_P = PlanState
PLANS = Workflow(
    "benefits.plan",
    [
        Step("approve", frozenset({_P.DRAFT}), _P.APPROVED, WRITERS, _("Record the village review")),
        Step("disclose", frozenset({_P.APPROVED}), _P.DISCLOSED, WRITERS, _("Put the plan on public notice")),
        Step("pay", frozenset({_P.DISCLOSED, _P.PAYING}), None, WRITERS, _("Record the payments")),
        Step(
            "cancel",
            frozenset({_P.DRAFT, _P.APPROVED, _P.DISCLOSED}),
            _P.CANCELLED,
            WRITERS,
            _("Cancel the plan"),
            reason=True,
        ),
    ],
    refusal=_("The plan is “%(state)s”: this step is not possible now."),
    reason_refusal=_("This field is required."),
)

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
