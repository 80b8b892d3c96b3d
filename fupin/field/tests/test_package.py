"""The package a phone keeps offline: a helper's paired households, masked, with members, last visits and
open measures; a cadre pins a village."""

from datetime import date

from fupin.core.tests.test_api import assert_error
from fupin.registry import services
from fupin.registry.tests.conftest import make_sima_household

URL = "/api/v1/field/households"


def test_a_helper_gets_their_paired_households_masked(march, api_as, paired, helper_user, sima_officer):
    services.record_visit(helper_user, paired, visited_on=date(2025, 3, 1), findings="春耕准备")
    make_sima_household(sima_officer)  # not paired: not in the package

    body = api_as(helper_user).get(URL).json()

    (household,) = body["households"]
    assert household["id"] == paired.pk and household["head"] == "张三"
    assert household["phone"] == "139****1111"
    head = household["members"][0]
    assert head["id_number"].startswith("370828") and "*" in head["id_number"]
    assert head["birth_year"] == 1965 and "birth_date" not in head
    assert household["last_visits"][0]["findings"] == "春耕准备"
    assert household["village"].endswith("南徐庄村")


def test_the_package_costs_the_same_queries_for_1_and_5_households(
    march, api_as, paired, helper_user, sima_officer, django_assert_max_num_queries
):
    client = api_as(helper_user)
    client.get(URL)
    with django_assert_max_num_queries(10):
        assert len(client.get(URL).json()["households"]) == 1
    for offset in range(1, 5):
        other = make_sima_household(sima_officer, offset=offset)
        services.pair_helper(sima_officer, other, helper_user, date(2025, 1, 1))
    with django_assert_max_num_queries(10):
        assert len(client.get(URL).json()["households"]) == 5


def test_a_cadre_pins_a_village(march, api_as, cadre, paired):
    body = api_as(cadre).get(URL, {"village": "370828107200"}).json()

    assert [h["id"] for h in body["households"]] == [paired.pk]
    assert api_as(cadre).get(URL).json()["households"] == []  # paired with none


def test_a_helper_cannot_pin_what_they_do_not_read(march, api_as, helper_user, paired):
    body = api_as(helper_user).get(URL, {"village": "370828107200"}).json()
    assert [h["id"] for h in body["households"]] == [paired.pk]  # still only the paired ones
    assert_error(api_as(helper_user).get(URL, {"village": "370828104200"}), 404, "not_found")
