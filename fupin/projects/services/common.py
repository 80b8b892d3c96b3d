"""What the project library's writes share: the role groups, the project's fields, the area and the
state checks."""

from django.utils.translation import gettext as _

from fupin.core import access, scope
from fupin.core.access import Action
from fupin.core.enums import Role
from fupin.core.errors import TransitionRefused

from ..models import (
    Project,
)

OFFICERS = access.roles_for(Action.EDIT_PROJECT)
COUNTY = Role.COUNTY_ADMIN
PROJECT_FIELDS = [
    "name",
    "year",
    "type",
    "nature",
    "region_code",
    "starts_on",
    "ends_on",
    "responsible_unit",
    "responsible_person",
    "applicant_unit",
    "tasks",
    "budget",
    "funding",
    "planned_households",
    "targets",
    "linkage",
    "linkage_dividend",
    "linkage_jobs",
    "linkage_note",
    "indicators",
]
TEXT_FIELDS = {
    "name",
    "nature",
    "responsible_unit",
    "responsible_person",
    "applicant_unit",
    "tasks",
    "funding",
    "targets",
    "linkage_note",
}


def _in_scope(actor, region_code: str) -> bool:
    return scope.covers(actor, region_code)


def _require_state(project: Project, states, what) -> Project:
    """The project, locked and fresh, if it is in one of `states`."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.state not in states:
        raise TransitionRefused(
            _("%(what)s is not possible while the project is “%(state)s”.")
            % {"what": what, "state": project.get_state_display()},
            field="state",
        )
    return project
