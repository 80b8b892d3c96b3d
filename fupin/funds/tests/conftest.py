"""The funds tests stand on the project fixtures: a pool, finance, a 司马镇 project and a central source."""

from fupin.projects.tests.conftest import finance, pool, project, source  # noqa: F401
