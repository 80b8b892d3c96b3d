"""How tests are written here, in one file. Copy its shape for a new module.

1. Arrange with fixtures and service functions, the way a user would create the data.
2. Act once.
3. Assert the new state, what was not written, the audit event, and the exact message people read.
"""

import pytest

from fupin.core import services
from fupin.core.errors import DomainError
from fupin.core.models import AuditEvent, Region


# A rule and its refusal, tested side by side.
def test_a_village_is_created_inside_its_town(sima_officer):
    sima = Region.objects.get(code="370828107000")

    village = services.create_region(sima_officer, code="370828107201", name="北徐庄村", parent=sima)

    assert (village.level, village.kind, village.parent) == ("village", "villagers", sima)
    event = AuditEvent.objects.get(action="region.create", target_id="370828107201")
    assert event.actor == sima_officer and event.after["name"] == "北徐庄村"


def test_a_village_outside_its_town_is_refused_and_nothing_is_written(sima_officer):
    sima = Region.objects.get(code="370828107000")
    events_before = AuditEvent.objects.count()

    with pytest.raises(DomainError) as refused:
        services.create_region(sima_officer, code="370828104299", name="错村", parent=sima)

    assert refused.value.fields == {"code": "代码 370828104299 不在 司马镇（370828107…）范围内。"}
    assert not Region.objects.filter(code="370828104299").exists()
    assert AuditEvent.objects.count() == events_before


# The API: good path, bad path, and the outsider, each with the exact answer a program reads.
def test_the_api_shows_a_village_to_its_town_and_hides_it_from_another(api_as, sima_officer, jishu_officer):
    url = "/api/v1/regions/370828107200"

    assert api_as(sima_officer).get(url).json()["name"] == "南徐庄村"
    outsider = api_as(jishu_officer).get(url)
    assert outsider.status_code == 404
    assert outsider.json() == {
        "code": "not_found",
        "message": "对象不存在或不在您的管辖范围内。",
        "fields": {},
    }


# A list endpoint's query count does not grow with its rows.
def test_a_list_costs_the_same_queries_for_2_and_40_rows(api_as, county_admin, django_assert_num_queries):
    client = api_as(county_admin)
    client.get("/api/v1/regions/370828107000/children")  # the first call also records "last used"
    with django_assert_num_queries(4):  # token + user, region, count, children
        assert len(client.get("/api/v1/regions/370828107000/children").json()["items"]) == 2
    sima = Region.objects.get(code="370828107000")
    for number in range(202, 240):
        services.create_region(None, code=f"370828107{number}", name=f"新村{number}", parent=sima)
    with django_assert_num_queries(4):
        assert client.get("/api/v1/regions/370828107000/children").json()["count"] == 40
