"""Personal data: a masked ID number never travels with what would complete it, and errors name nobody
outside the reader's area."""

import re
from datetime import date

import pytest
from openpyxl import load_workbook

from fupin.core.errors import DomainError
from fupin.registry import exports, services
from fupin.registry.models import ChangeRequest, Household

from .conftest import JISHU_VILLAGE, SIMA_VILLAGE, make_sima_household, person
from .test_imports import csv_bytes, rows, run_job

# The eight hidden characters of a masked ID are the birth date: none of a member's may appear anywhere.
HEAD_BIRTH = date(1970, 1, 2)


def birth_date_forms(day: date) -> list[str]:
    return [
        day.isoformat(),
        day.strftime("%Y%m%d"),
        f"{day.year}年{day.month}月{day.day}日",
        day.strftime("%m-%d"),
    ]


def assert_no_birth_date(text: str, day: date) -> None:
    for form in birth_date_forms(day):
        assert form not in text, form


def test_api_gives_the_birth_year_beside_the_masked_id(api_as, sima_officer):
    household = make_sima_household(sima_officer)
    response = api_as(sima_officer).get(f"/api/v1/households/{household.pk}")
    head = next(m for m in response.json()["members"] if m["name"] == "王五")
    assert head["birth_year"] == 1970 and "birth_date" not in head
    assert re.fullmatch(r"370828\*{8}\d{3}[\dX]", head["id_number"])
    assert_no_birth_date(response.content.decode(), HEAD_BIRTH)


def test_openapi_schema_has_no_birth_date_for_members(client, jinxiang):
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert "birth_year" in schema["MemberOut"]["properties"]
    assert "birth_date" not in schema["MemberOut"]["properties"]


def test_detail_page_shows_no_birth_date_or_full_number(client, sima_officer):
    household = make_sima_household(sima_officer)
    client.force_login(sima_officer)
    html = client.get(f"/households/{household.pk}/").content.decode()
    assert household.head.id_number not in html and "370828********" in html
    assert_no_birth_date(html, HEAD_BIRTH)


def test_duplicates_page_shows_the_birth_year_only(client, sima_officer):
    make_sima_household(sima_officer)
    twin = person("王五", HEAD_BIRTH, 77, "M", "head")
    services.create_household(
        sima_officer, region_code=SIMA_VILLAGE, data={"main_cause": "skills"}, members=[twin]
    )
    client.force_login(sima_officer)
    html = client.get("/households/duplicates/").content.decode()
    assert html.count("370828********") == 2 and "1970" in html
    assert_no_birth_date(html, HEAD_BIRTH)


def test_a_birth_change_shows_the_year_only(client, sima_officer, cadre):
    household = make_sima_household(sima_officer)
    born = date(2025, 2, 11)
    baby = person("王小宝", born, 5, "M", "son")
    services.request_change(cadre, household, "birth", born, payload=baby)
    client.force_login(sima_officer)
    for url in ("/households/changes/", f"/households/{household.pk}/"):
        html = client.get(url).content.decode()
        assert "王小宝" in html and "2025" in html, url
        assert_no_birth_date(html, born)
    assert ChangeRequest.objects.get().effective_on == born  # kept in full for the record


def test_export_has_masked_ids_and_no_birth_date(client, sima_officer, tmp_path):
    make_sima_household(sima_officer)
    client.force_login(sima_officer)
    response = client.get("/households/export.xlsx")
    path = tmp_path / "export.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    lines = list(load_workbook(path, read_only=True).active.iter_rows(values_only=True))
    assert not any("出生" in str(header) for header in lines[0])
    cells = " ".join(str(cell) for line in lines[1:] for cell in line)
    assert "370828********" in cells
    assert_no_birth_date(cells, HEAD_BIRTH)
    assert_no_birth_date(cells, date(1972, 2, 3))


def test_the_export_function_masks_by_default(sima_officer):
    make_sima_household(sima_officer)
    lines = list(load_workbook(exports.households_xlsx(Household.objects.all())).active.values)
    assert all(re.fullmatch(r"370828\*{8}\d{3}[\dX]", line[3]) for line in lines[1:])


# --- Errors name nobody outside the area ----------------------------------------------------------
@pytest.fixture
def registered_in_sima(sima_officer):
    """张大山 of 司马镇, registered through an import of 司马镇's officer."""
    job = run_job(sima_officer, "a.csv", csv_bytes(rows(), "utf-8", title=False))
    assert job.status == "done"
    return rows()[0][3]


def jishu_rows(id_number):
    return [
        [
            "1042009001",
            "张大山",
            "男",
            id_number,
            "户主",
            "健康",
            "普通劳动力",
            "缺技术",
            "3600",
            JISHU_VILLAGE,
            "",
        ]
    ]


def test_import_error_names_nobody_outside_the_area(registered_in_sima, jishu_officer):
    job = run_job(jishu_officer, "b.csv", csv_bytes(jishu_rows(registered_in_sima), "utf-8", title=False))
    assert job.status == "failed" and job.imported == 0
    assert job.errors == [{"row": 2, "column": "证件号码", "message": "此人已在您管辖范围以外的另一户登记。"}]
    assert "1072009001" not in str(job.errors) and "张大山" not in str(job.errors)


def test_import_error_names_the_household_inside_the_area(registered_in_sima, county_admin):
    job = run_job(county_admin, "b.csv", csv_bytes(jishu_rows(registered_in_sima), "utf-8", title=False))
    assert job.errors[0]["message"] == "张大山 已登记在户 1072009001 中。"


def test_registration_error_names_nobody_outside_the_area(registered_in_sima, jishu_officer):
    head = {"name": "张大山", "id_number": registered_in_sima, "relation": "head"}
    with pytest.raises(DomainError) as refused:
        services.create_household(
            jishu_officer, region_code=JISHU_VILLAGE, data={"main_cause": "skills"}, members=[head]
        )
    assert refused.value.fields["members.0.id_number"] == "此人已在您管辖范围以外的另一户登记。"
    assert "1072009001" not in refused.value.message
    assert not Household.objects.filter(region_code=JISHU_VILLAGE).exists()


def test_api_registration_error_names_nobody_outside_the_area(registered_in_sima, jishu_officer, api_as):
    response = api_as(jishu_officer).post(
        "/api/v1/households",
        {
            "region": JISHU_VILLAGE,
            "main_cause": "skills",
            "members": [{"name": "某人", "id_number": registered_in_sima, "relation": "head"}],
        },
    )
    assert response.status_code == 400
    assert "1072009001" not in response.content.decode() and "张大山" not in response.content.decode()


# --- Cache-Control --------------------------------------------------------------------------------
def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_household_pages_api_and_reveal_are_not_stored(client, api_as, sima_officer):
    household = make_sima_household(sima_officer)
    member = household.head
    client.force_login(sima_officer)
    for url in ("/households/", f"/households/{household.pk}/", "/households/export.xlsx"):
        response = client.get(url)
        assert response.status_code == 200 and no_store(response), url
    revealed = client.post(f"/households/{household.pk}/members/{member.pk}/reveal/")
    assert revealed.content.decode() == member.id_number and no_store(revealed)
    api = api_as(sima_officer)
    for url in (
        "/api/v1/households",
        f"/api/v1/households/{household.pk}",
        f"/api/v1/households/{household.pk}/members/{member.pk}/id-number",
    ):
        response = api.get(url)
        assert response.status_code == 200 and no_store(response), url
