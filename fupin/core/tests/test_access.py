"""The access policy (core/access.py): its table, and what it means for the people of the issue.

The route walk (test_access_walk) checks every route against the table; these tests say in plain cases what
the table says: a lecture requester reads nothing of the registry, finance reads the registry only as
figures, a grid worker only urban problems, and the buttons follow.
"""

from datetime import date

import pytest
from django.test import Client

from fupin.core import access
from fupin.core.access import ACTIONS, READS, Action, Kind, Read
from fupin.core.enums import Role
from fupin.core.navigation import menu_for
from fupin.core.tests.test_api import assert_error

SIMA_VILLAGE = "370828107200"


def login(user):
    client = Client()
    client.force_login(user)
    return client


def menu_labels(user):
    return {str(item["label"]) for section in menu_for(user) for item in section["items"]}


# --- The table ------------------------------------------------------------------------------------
def test_the_table_names_every_role_and_only_known_kinds_and_roles():
    assert set(READS) == set(Role.values)
    assert all(set(kinds) <= set(Kind) for kinds in READS.values())
    assert set(ACTIONS) == set(Action)
    assert all(set(roles) <= set(Role.values) for roles in ACTIONS.values())


def test_the_rules_of_the_issue_hold_in_the_table():
    registry_rows = {
        r for r, kinds in READS.items() if kinds.get(Kind.REGISTRY, access.NONE).read >= Read.ROWS
    }
    assert registry_rows == {
        Role.COUNTY_ADMIN,
        Role.TOWN_OFFICER,
        Role.VILLAGE_CADRE,
        Role.INSPECTOR,
        Role.HELPER,
    }
    assert READS[Role.HELPER][Kind.REGISTRY].only == "paired"
    assert READS[Role.EXPERT] == {Kind.PROJECTS: access.DRAWN}
    assert READS[Role.FINANCE][Kind.REGISTRY].read == Read.AGGREGATES
    assert {READS[Role.FINANCE][k].read for k in (Kind.FUNDS, Kind.PROJECTS)} == {Read.ROWS}
    for role in (Role.LECTURE_ADMIN, Role.LECTURER, Role.REQUESTER):
        assert not {Kind.REGISTRY, Kind.PROJECTS, Kind.FUNDS} & set(READS[role])
    for role in (Role.GRID_STAFF, Role.DISPATCHER):
        assert Kind.URBAN in READS[role] and Kind.INSPECTION not in READS[role]


def test_several_roles_read_the_widest_and_a_limit_holds_only_alone(make_user):
    helper = make_user("h", "370828107000", roles=[Role.HELPER])
    both = make_user("hc", SIMA_VILLAGE, roles=[Role.HELPER, Role.VILLAGE_CADRE])
    nobody = make_user("n", roles=[])
    assert access.row_rules(helper, Kind.REGISTRY) == {"paired"}
    assert access.row_rules(both, Kind.REGISTRY) is None  # the cadre reads the village's rows
    assert access.read_level(nobody, Kind.REGISTRY) == Read.NONE
    assert access.read_level(helper, Kind.FUNDS) == Read.NONE
    both.is_active = False
    assert access.read_level(both, Kind.REGISTRY) == Read.NONE


def test_an_unknown_path_is_refused():
    assert access.route_rule("/no-such-page/") is None
    assert access.route_rule("/api/v1/households") == access.route_rule("/households/")


# --- Who reads the registry -----------------------------------------------------------------------
@pytest.fixture
def household(sima_officer):
    from fupin.registry.tests.conftest import make_sima_household

    return make_sima_household(sima_officer)


@pytest.mark.parametrize(
    "role", [Role.REQUESTER, Role.LECTURER, Role.EXPERT, Role.GRID_STAFF, Role.DISPATCHER]
)
def test_roles_without_the_registry_get_403_on_lists_and_404_on_households(
    role, make_user, household, api_as
):
    user = make_user("other", roles=[role], unit="金乡县交通运输局")
    page = login(user)
    for url in ("/households/", "/households/export.xlsx", "/households/not-visited/", "/monitoring/"):
        assert page.get(url).status_code == 403, url
    assert page.get(f"/households/{household.pk}/").status_code == 404
    api = api_as(user)
    assert_error(api.get("/api/v1/households"), 403, "forbidden")
    assert_error(api.get(f"/api/v1/households/{household.pk}"), 404, "not_found")
    assert "Households" not in menu_labels(user) and "贫困户" not in str(menu_for(user))


def test_finance_reads_funds_and_projects_and_the_registry_only_as_figures(make_user, household, api_as):
    finance = make_user("fin", roles=[Role.FINANCE])
    page = login(finance)
    assert page.get("/households/").status_code == 403
    assert page.get("/households/export.xlsx").status_code == 403
    assert page.get(f"/households/{household.pk}/").status_code == 404
    assert page.get("/projects/").status_code == 200
    assert page.get("/funds/").status_code == 200
    assert page.get("/benefits/summary/").status_code == 200  # household counts, as figures
    assert_error(api_as(finance).get("/api/v1/households"), 403, "forbidden")


def test_the_export_carries_only_the_rows_the_user_reads(make_user, household, sima_officer):
    from io import BytesIO

    from openpyxl import load_workbook

    from fupin.registry import services as registry
    from fupin.registry.tests.conftest import make_sima_household

    other = make_sima_household(sima_officer, offset=3)
    helper = make_user("helper", "370828107000", roles=[Role.HELPER])
    registry.pair_helper(sima_officer, household, helper, date(2025, 1, 1))
    response = login(helper).get("/households/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    numbers = {str(cell.value) for row in sheet.iter_rows() for cell in row}
    assert household.number in numbers and other.number not in numbers


# --- Problems by use, and the actions offered -----------------------------------------------------
@pytest.fixture
def problems(make_user):
    from fupin.supervision import services as supervision

    inspector = make_user("insp", roles=[Role.INSPECTOR])
    dispatcher = make_user("disp", roles=[Role.DISPATCHER])
    found = date(2025, 5, 6)
    inspection = supervision.open_problem(
        inspector,
        use="projects",
        category="review",
        title="资料缺失",
        region_code=SIMA_VILLAGE,
        found_on=found,
    )
    urban = supervision.open_problem(
        dispatcher,
        use="urban",
        category="road",
        title="占道经营",
        region_code=SIMA_VILLAGE,
        found_on=found,
    )
    return inspection, urban


def test_grid_staff_read_only_urban_problems_and_report_only_those(make_user, problems, api_as):
    inspection, urban = problems
    grid = make_user("grid", roles=[Role.GRID_STAFF])
    page = login(grid)
    listed = page.get("/problems/").content.decode()
    assert urban.title in listed and inspection.title not in listed
    assert page.get(f"/problems/{inspection.pk}/").status_code == 404
    assert page.get(f"/problems/{urban.pk}/").status_code == 200
    numbers = {p["number"] for p in api_as(grid).get("/api/v1/problems").json()["items"]}
    assert numbers == {urban.number}
    form = page.get("/problems/new/").content.decode()
    assert 'value="urban"' in form and 'value="projects"' not in form
    refused = api_as(grid).post(
        "/api/v1/problems",
        {
            "use": "projects",
            "category": "review",
            "title": "试探",
            "region": SIMA_VILLAGE,
            "found_on": "2025-05-06",
        },
    )
    assert_error(refused, 403, "forbidden")


def test_a_problem_offers_only_the_actions_the_user_may_take(make_user, problems):
    inspection, _urban = problems
    inspector = make_user("insp2", roles=[Role.INSPECTOR])
    officer = make_user("town", "370828107000", roles=[Role.TOWN_OFFICER])
    supervising = login(inspector).get(f"/problems/{inspection.pk}/").content.decode()
    rectifying = login(officer).get(f"/problems/{inspection.pk}/").content.decode()
    assert 'value="assign"' in supervising and 'value="reject"' in supervising
    # A registered problem waits for the supervisor: the responsible town has nothing to do yet.
    assert 'value="assign"' not in rectifying and 'value="reject"' not in rectifying


def test_no_visit_button_for_who_does_not_visit(make_user, household, sima_officer):
    inspector = make_user("insp3", roles=[Role.INSPECTOR])
    cadre = make_user("cadre", SIMA_VILLAGE, roles=[Role.VILLAGE_CADRE])
    visit = f"/households/{household.pk}/visit/"
    assert visit not in login(inspector).get(f"/households/{household.pk}/").content.decode()
    assert login(inspector).get(visit).status_code == 403
    assert visit in login(cadre).get(f"/households/{household.pk}/").content.decode()
    assert login(cadre).get(visit).status_code == 200
    grid = make_user("grid2", roles=[Role.GRID_STAFF])
    assert "Not visited this month" not in menu_labels(grid)


def test_the_menu_offers_only_pages_the_user_may_open(make_user):
    for role in Role.values:
        user = make_user(f"m-{role}", roles=[role])
        page = login(user)
        for section in menu_for(user):
            for item in section["items"]:
                if item["url"].startswith("/admin/"):
                    continue
                assert page.get(item["url"]).status_code in {200, 302}, (role, item["url"])
