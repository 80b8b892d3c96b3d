"""Levels, states and the allowed transitions of a warning (风险预警)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    YELLOW = "yellow", _("Yellow")  # 黄色预警
    ORANGE = "orange", _("Orange")  # 橙色预警
    RED = "red", _("Red")  # 红色预警


LEVEL_ORDER = [Level.YELLOW, Level.ORANGE, Level.RED]
RANK = {level: index for index, level in enumerate(LEVEL_ORDER)}


class State(models.TextChoices):
    PENDING = "pending", _("Awaiting acknowledgement")  # 待签收
    VERIFYING = "verifying", _("Being verified")  # 核实中
    HANDLING = "handling", _("Being handled")  # 处置中
    DONE = "done", _("Handled")  # 已办结
    DISMISSED = "dismissed", _("False alarm")  # 误报
    CLEARED = "cleared", _("Condition cleared")  # 条件消除，自动解除


OPEN_STATES = frozenset({State.PENDING, State.VERIFYING, State.HANDLING})
# Closed by a person: the scan does not raise the same warning again while the condition lasts at the
# same or a lower level (a false alarm stays dismissed, a handled one handled).
HANDLED_STATES = frozenset({State.DONE, State.DISMISSED})


class Review(models.TextChoices):
    """The rule owner's review of a false alarm (误报复核)."""

    CONFIRMED = "confirmed", _("Dismissal confirmed")
    REJECTED = "rejected", _("Dismissal rejected")


class Transition(models.TextChoices):
    ACKNOWLEDGE = "acknowledge", _("Acknowledge")  # 签收
    VERIFY = "verify", _("Confirm and handle")  # 核实属实，开始处置
    CLOSE = "close", _("Close as handled")  # 办结
    DISMISS = "dismiss", _("Dismiss as false alarm")  # 误报


# Which step leads where, who takes it and which needs a note: workflow.WARNINGS.

# Event kinds written by the scan (the people's transitions use the Transition values).
RAISED, LEVEL_CHANGED, CLEARED, ESCALATED = "raised", "level", "cleared", "escalated"
REVIEWED = "reviewed"  # the rule owner's review of a false alarm (reviews.py)
EVENT_LABELS = {
    RAISED: _("Raised"),
    LEVEL_CHANGED: _("Level changed"),
    CLEARED: _("Condition cleared"),
    ESCALATED: _("Escalated to the county"),
    REVIEWED: _("False alarm reviewed"),
    **{t.value: t.label for t in Transition},
}

ACTION_LABELS = {
    "warnings.raised": _("Warning raised"),
    "warnings.level": _("Warning level changed"),
    "warnings.cleared": _("Warning closed: condition cleared"),
    "warnings.escalated": _("Warning escalated to the county"),
    "warnings.transition": _("Warning handled"),
    "warnings.review": _("False alarm reviewed"),
    "warnings.webhook": _("Warning webhook set"),
}

# A warning closed by a person within this many days of being raised was closed on time (statistics).
ON_TIME_DAYS = {Level.RED: 7, Level.ORANGE: 15, Level.YELLOW: 30}

# A red warning not acknowledged within this many working days goes up to the county.
ESCALATION_WORKING_DAYS = 2
