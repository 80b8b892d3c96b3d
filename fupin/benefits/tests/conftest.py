"""The benefits tests stand on the project fixtures (a pool, finance, a 司马镇 project) and on registered
households of 司马镇 built through the registry's services."""

from datetime import date

import pytest

from fupin.projects.tests.conftest import finance, pool, project, source  # noqa: F401
from fupin.registry import services as registry
from fupin.registry.enums import Status
from fupin.registry.models import Household
from fupin.registry.tests.conftest import SIMA_VILLAGE, person

from .jobs_fixtures import cadre, clock, post, workshop  # noqa: F401


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
