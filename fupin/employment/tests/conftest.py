"""The employment tests stand on the same ground as the benefits tests (the project fixtures, registered
households of 司马镇) and on a workshop and a post of 司马镇 (jobs_fixtures.py)."""

from fupin.benefits.tests.conftest import (  # noqa: F401
    finance,
    household,
    households,
    make_household,
    pool,
    project,
    source,
)

from .jobs_fixtures import cadre, clock, post, workshop  # noqa: F401
