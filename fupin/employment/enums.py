"""Kinds, states and the allowed transitions of employment: agreements, workshops, posts, placements and
offers (DESIGN.md §4 "Benefits")."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from fupin.core.access import Action, roles_for
from fupin.core.transitions import Step, Workflow
from fupin.projects.enums import ProjectType

# Who registers workshops, posts and quarterly statuses and signs agreements (core/access.py).
WRITERS = roles_for(Action.WRITE_EMPLOYMENT)

# The policy key of the project funds that bring one job, by project type; other types bring none.
EMPLOYMENT_UNIT_POLICY = {
    ProjectType.INDUSTRIAL: "employment_unit_industrial",
    ProjectType.FINANCIAL: "employment_unit_financial",
}


# The action names keep the `benefits.` prefix they were recorded under: the audit chain holds them.
AUDIT_ACTIONS = {
    "benefits.agreement.sign": _("Employment agreement signed"),
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


# Who places people, records their months and wages and acts on the matching list: the writers and
# the village cadres, who know the village's people (workshops, posts and quarterly statuses: WRITERS).
MATCHERS = roles_for(Action.MATCH)

# An offer leaves "offered" once: taken up (a placement starts) or declined for a reason.
OFFERS = Workflow(
    "employment.offer",
    [
        Step("accept", frozenset({OfferState.OFFERED}), OfferState.ACCEPTED, MATCHERS, _("Mark as accepted")),
        Step(
            "decline",
            frozenset({OfferState.OFFERED}),
            OfferState.DECLINED,
            MATCHERS,
            _("Mark as declined"),
            reason=True,
        ),
    ],
    refusal=_("This offer was already %(state)s."),
    reason_refusal=_("Say why the offer was declined."),
)
