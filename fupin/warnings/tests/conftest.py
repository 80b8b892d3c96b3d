"""Warnings tests stand on a 司马镇 project (the projects' fixtures) and build the data each rule reads
directly: a rule is about the data, not about how a service wrote it."""

from datetime import date
from decimal import Decimal

import pytest

from fupin.core.enums import Role
from fupin.funds.models import Allocation
from fupin.projects.enums import ProjectState
from fupin.projects.models import Project
from fupin.projects.tests.conftest import finance, pool, project, source  # noqa: F401, F811
from fupin.warnings.models import Warning

COUNTY = "370828"
TODAY = date(2026, 6, 1)  # a Monday


@pytest.fixture
def planned(project):  # noqa: F811
    """The 司马镇 project in the annual plan, to start on 1 March and be completed on 1 May 2026."""
    Project.objects.filter(pk=project.pk).update(
        state=ProjectState.PLANNED, starts_on=date(2026, 3, 1), ends_on=date(2026, 5, 1)
    )
    project.refresh_from_db()
    return project


@pytest.fixture
def allocation(planned, source, finance):  # noqa: F811
    return Allocation.objects.create(
        source=source,
        project=planned,
        region_code=planned.region_code,
        amount=Decimal("100000.00"),
        net_amount=Decimal("100000.00"),
        allocated_on=date(2026, 3, 1),
        created_by=finance,
    )


@pytest.fixture
def town_warning(planned):
    """An open warning of 司马镇 about its project, as a scan would raise it."""
    return Warning.objects.create(
        rule="project_overdue",
        level="red",
        subject_type="projects.project",
        subject_id=planned.pk,
        subject_repr=planned.name,
        region_code=planned.region_code,
        message="逾期",
        raised_on=TODAY,
        updated_on=TODAY,
    )


@pytest.fixture
def village_cadre(make_user):
    return make_user("cadre", "370828107200", roles=[Role.VILLAGE_CADRE])
