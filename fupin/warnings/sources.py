"""Everything the warning rules read from the other apps, imported in this one module so that a model
that moves between apps (the employment parts of benefits, for one) is repointed here only."""

from fupin.benefits.enums import PlanState
from fupin.benefits.models import DistributionPlan, Revenue
from fupin.employment.compliance import by_project as employment_by_project
from fupin.funds.models import Allocation, FundSource
from fupin.projects.enums import DONE_STATES, ProjectState
from fupin.projects.models import Project
from fupin.registry.enums import MonitoringState
from fupin.registry.enums import Status as HouseholdStatus
from fupin.registry.models import HelperPair, Household, MonitoringCase, Visit
from fupin.supervision.enums import CLOCK_STATES, Escalation
from fupin.supervision.models import Problem

__all__ = [
    "CLOCK_STATES",
    "DONE_STATES",
    "Allocation",
    "DistributionPlan",
    "Escalation",
    "FundSource",
    "HelperPair",
    "Household",
    "MonitoringCase",
    "MonitoringState",
    "PlanState",
    "Revenue",
    "HouseholdStatus",
    "Problem",
    "Project",
    "ProjectState",
    "Visit",
    "employment_by_project",
]
