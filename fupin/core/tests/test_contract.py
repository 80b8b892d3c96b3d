"""The API keeps the contract its schema states, tried by schemathesis (issue 13): requests generated from
/api/v1/openapi.json, valid and invalid, sent as the county administrator to the app in this process (on
SQLite or PostgreSQL, whichever the run uses), must never answer 5xx, never answer a status the operation
does not document, and always answer in the documented shape.

One test per operation, so pytest-xdist spreads them over its workers; a fixed seed and few examples keep
the run reproducible and short (`pytest -m contract` runs these alone)."""

import json

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from fupin.api import api
from fupin.core import services
from fupin.core.tests.test_api_scope import sima_objects, sima_projects  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.contract, pytest.mark.django_db]

EXAMPLES = 4
CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 13,
        "generation": {"max-examples": EXAMPLES, "deterministic": True, "mode": "all"},
        # The coverage phase sends hundreds of boundary cases per operation: too slow for every run.
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
    }
)


def _schema():
    # The published document, as a client reads it (JSON keys are strings).
    raw = json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1/"), default=str))
    schema = schemathesis.openapi.from_dict(raw, config=CONFIG)
    schema.app = WSGIHandler()
    return schema


schema = _schema()


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """The WSGI handler sends request_started/finished, whose close_old_connections would close the test's
    connection on PostgreSQL (it is inside the test's transaction); Django's test client unhooks it too."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def admin_token(county_admin):
    _token, key = services.issue_token(county_admin, "schemathesis")
    return key


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_its_contract(case, admin_token, request):
    # Path ids name real objects of 司马镇 (a household, a project at each stage, a problem, a lecture …),
    # so the generated bodies and queries reach the services instead of stopping at a 404. They are built
    # only for the operations that name one.
    if case.path_parameters:
        objects = request.getfixturevalue("sima_objects")
        if any(name not in objects for name in case.path_parameters):  # a project's: build those too
            objects = request.getfixturevalue("sima_projects")
        for name in list(case.path_parameters):
            if name in objects:
                case.path_parameters[name] = objects[name]
    case.call_and_validate(
        headers={"Authorization": f"Bearer {admin_token}"},
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
