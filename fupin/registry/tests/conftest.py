from datetime import date

import pytest

from fupin.core import identity
from fupin.core.enums import Role
from fupin.registry import services

SIMA_VILLAGE = "370828107200"
JISHU_VILLAGE = "370828104200"


def person(name, birth, sequence, sex, relation, **extra):
    return {
        "name": name,
        "id_number": identity.make("370828", birth, sequence, sex),
        "relation": relation,
        **extra,
    }


def make_sima_household(officer, offset=0):
    members = [
        person("王五", date(1970, 1, 2), 40 + offset, "M", "head"),
        person("赵六", date(1972, 2, 3), 41 + offset, "F", "spouse"),
    ]
    return services.create_household(
        officer, region_code=SIMA_VILLAGE, data={"main_cause": "skills"}, members=members
    )


@pytest.fixture
def cadre(make_user):
    return make_user("cadre", SIMA_VILLAGE, roles=[Role.VILLAGE_CADRE])


@pytest.fixture
def helper_user(make_user):
    return make_user("helper", "370828107000", roles=[Role.HELPER])


@pytest.fixture
def family():
    """A head, a wife with a chronic illness and a school-age daughter."""

    def make(offset=0):
        return [
            person(
                "张三",
                date(1965, 3, 9),
                10 + offset,
                "M",
                "head",
                labour="ordinary",
                work="county",
                months_worked=8,
            ),
            person("李秀英", date(1967, 8, 1), 20 + offset, "F", "spouse", health="chronic", labour="weak"),
            person(
                "张小花", date(2012, 5, 20), 30 + offset, "F", "daughter", labour="none", schooling="primary"
            ),
        ]

    return make


@pytest.fixture
def applied(sima_officer, family):
    """A household of 南徐庄村 that has just applied (entry gate opened)."""
    return services.create_household(
        sima_officer,
        region_code=SIMA_VILLAGE,
        data={"main_cause": "illness", "attribute": "general", "phone": "13900001111"},
        members=family(),
        income={
            "wage": "9000",
            "business": "1200",
            "transfer": "800",
            "property": "0",
            "production_cost": "600",
        },
        today=date(2025, 3, 3),
    )
