"""Kinds, states and the allowed transitions of the benefits module (DESIGN.md §4 "Benefits")."""

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

AUDIT_ACTIONS = {
    "benefits.agreement.sign": _("Employment agreement signed"),
}
