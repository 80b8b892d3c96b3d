"""Everything the warning rules read from the other apps, imported in this one module so that a model
that moves between apps (the employment parts of benefits, for one) is repointed here only."""

from fupin.benefits.enums import PlanState
from fupin.benefits.models import DistributionPlan, Revenue
from fupin.employment.compliance import by_project as employment_by_project
from fupin.funds.models import Allocation, FundSource
from fupin.lectures.enums import RequestState
from fupin.lectures.models import LectureRequest
from fupin.projects.enums import DONE_STATES, ProjectState, ReviewState
from fupin.projects.models import Project, Seat
from fupin.registry.enums import GATE_STEPS, MonitoringState
from fupin.registry.enums import Status as HouseholdStatus
from fupin.registry.models import HelperPair, Household, MonitoringCase, Procedure, Visit
from fupin.registry.services import APPROVAL_STEPS, STEP_ROLES
from fupin.supervision.enums import CLOCK_STATES, Escalation
from fupin.supervision.models import Problem

__all__ = [
    "APPROVAL_STEPS",
    "GATE_STEPS",
    "LectureRequest",
    "Procedure",
    "RequestState",
    "ReviewState",
    "STEP_ROLES",
    "Seat",
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
