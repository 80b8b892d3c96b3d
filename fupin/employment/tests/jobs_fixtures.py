"""Fixtures of the workshops, posts and matching tests: a workshop and a post of 司马镇's 南徐庄村, and the
services' clock set to 2019-07-01."""

from datetime import date

import pytest

from fupin.employment import jobs
from fupin.registry.tests.conftest import cadre  # noqa: F401  (a village cadre of 南徐庄村)

TODAY = date(2019, 7, 1)
SIMA_VILLAGE = "370828107200"
SIMA_TOWN = "370828107000"


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(TODAY, tick=False)
    return TODAY


def make_workshop(actor, **extra):
    data = {
        "name": "南徐庄扶贫车间",
        "operator": "金乡县华源服饰有限公司",
        "region_code": SIMA_VILLAGE,
        "opened_on": date(2018, 3, 1),
        "capacity": 2,
        **extra,
    }
    return jobs.create_workshop(actor, **data)


def make_post(actor, **extra):
    data = {
        "kind": "welfare",
        "title": "保洁员",
        "region_code": SIMA_TOWN,
        "monthly_wage": "500.00",
        "funded_by": "县级财政专项扶贫资金",
        "places": 2,
        "opened_on": date(2018, 1, 1),
        **extra,
    }
    return jobs.create_post(actor, **data)


@pytest.fixture
def workshop(sima_officer, clock):
    return make_workshop(sima_officer)


@pytest.fixture
def post(sima_officer, clock):
    return make_post(sima_officer)
