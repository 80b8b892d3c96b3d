"""Kinds, states and the allowed transitions of the benefits module (DESIGN.md §4 "Benefits")."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from fupin.core.enums import Role
from fupin.projects.enums import ProjectType

# Who writes: the county, the towns and finance; the inspector reads.
WRITERS = (Role.COUNTY_ADMIN, Role.TOWN_OFFICER, Role.FINANCE)

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
}
