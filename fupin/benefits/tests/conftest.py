"""The benefits tests stand on the project fixtures (a pool, finance, a 司马镇 project) and on registered
households of 司马镇 built through the registry's services."""

from datetime import date

import pytest

from fupin.benefits import services
from fupin.conftest import PASSWORD
from fupin.core import services as core
from fupin.core.enums import Role
from fupin.core.models import Region, User
from fupin.employment.tests.jobs_fixtures import cadre, clock, post, workshop  # noqa: F401
from fupin.projects.enums import ProjectState
from fupin.projects.models import Project
from fupin.projects.tests import conftest as projects
from fupin.registry import services as registry
from fupin.registry.enums import Status
from fupin.registry.models import Household
from fupin.registry.tests.conftest import SIMA_VILLAGE, person

# The project fixtures, shared under their own names.
finance, pool, source = projects.finance, projects.pool, projects.source


def in_operation(project):
    """Put a project straight into 运营管护: revenue is recorded only for projects accepted or operating."""
    Project.objects.filter(pk=project.pk).update(state=ProjectState.OPERATING)
    project.refresh_from_db()
    return project


@pytest.fixture
def project(sima_officer, pool):
    """The 司马镇 project of the projects' fixtures, in operation."""
    return in_operation(projects.make_project(sima_officer))


def make_household(officer, sequence, *, size=2, status=Status.NOT_LIFTED, **first):
    """A household of `size` members (the head first), put straight into `status`."""
    members = [person(f"户主{sequence}", date(1970, 1, 2), sequence * 10, "M", "head", **first)]
    for i in range(1, size):
        members.append(person(f"成员{sequence}-{i}", date(1995, 3, 4), sequence * 10 + i, "F", "daughter"))
    household = registry.create_household(
        officer, region_code=SIMA_VILLAGE, data={"main_cause": "skills"}, members=members
    )
    Household.objects.filter(pk=household.pk).update(status=status)
    household.refresh_from_db()
    return household


@pytest.fixture
def household(sima_officer):
    return make_household(sima_officer, 1)


def revenue_of(project, actor, amount="17830.00", **extra):
    data = {"period": "2025", "kind": "dividend", "received_on": date(2025, 9, 20), "evidence": "收据"}
    return services.record_revenue(actor, project, amount=amount, **{**data, **extra})


@pytest.fixture
def households(sima_officer, project):
    """Seven beneficiary households of the project of 1 to 3 members."""
    made = [make_household(sima_officer, i, size=1 + i % 3) for i in range(1, 8)]
    project.beneficiaries.set(made)
    return made


@pytest.fixture
def revenue(project, sima_officer):
    return revenue_of(project, sima_officer)


def village_reviewer():
    """A second 司马镇 officer who records the village review: who drew up a plan may not also approve it."""
    existing = User.objects.filter(username="sima-review").first()
    return existing or core.create_user(
        None,
        username="sima-review",
        password=PASSWORD,
        region=Region.objects.get(code="370828107000"),
        roles=[Role.TOWN_OFFICER],
        display_name="司马镇复核员",
    )
