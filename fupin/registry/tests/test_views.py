"""Registry pages: list with filters and export, detail with the gate, registration, visits, imports."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from fupin.core.models import AuditEvent
from fupin.registry.models import Household, ImportJob, Visit

from .conftest import SIMA_VILLAGE, make_sima_household
from .test_imports import csv_bytes, rows


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def test_list_page_filters_and_has_no_n_plus_one(as_user, sima_officer, django_assert_max_num_queries):
    client = as_user(sima_officer)
    make_sima_household(sima_officer)
    client.get("/households/")
    with django_assert_max_num_queries(12) as one:
        html = client.get("/households/").content.decode()
    assert "王五" in html and "南徐庄村" in html
    for offset in range(1, 20):
        make_sima_household(sima_officer, offset=offset * 3)
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get("/households/", {"q": "ww"})
    assert page.context["page"].paginator.count == 20


def test_list_hides_other_towns(as_user, sima_officer, jishu_officer):
    make_sima_household(sima_officer)
    html = as_user(jishu_officer).get("/households/").content.decode()
    assert "王五" not in html


def test_export_is_an_xlsx_of_the_filtered_list(as_user, sima_officer, tmp_path):
    make_sima_household(sima_officer)
    response = as_user(sima_officer).get("/households/export.xlsx", {"q": "王五"})
    path = tmp_path / "export.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    lines = list(load_workbook(path, read_only=True).active.iter_rows(values_only=True))
    assert lines[1][1] == "王五" and "*" in lines[1][3]  # masked ID in the export


def test_detail_page_and_scope(as_user, sima_officer, jishu_officer):
    household = make_sima_household(sima_officer)
    html = as_user(sima_officer).get(f"/households/{household.pk}/").content.decode()
    assert "王五" in html and "民主评议" in html and "识别中" in html
    assert household.head.id_number not in html
    assert as_user(jishu_officer).get(f"/households/{household.pk}/").status_code == 404


def test_reveal_through_the_page_is_audited(as_user, sima_officer):
    household = make_sima_household(sima_officer)
    response = as_user(sima_officer).post(f"/households/{household.pk}/members/{household.head_id}/reveal/")
    assert response.content.decode() == household.head.id_number
    assert AuditEvent.objects.filter(action="household.id_revealed").exists()


def test_steps_through_the_page(as_user, sima_officer, cadre):
    household = make_sima_household(sima_officer)
    client = as_user(cadre)
    url = f"/households/{household.pk}/step/"
    response = client.post(
        url, {"action": "village_review", "eligible": "30", "present": "10", "votes_for": "9"}, follow=True
    )
    assert "三分之二" in response.content.decode()
    client.post(url, {"action": "village_review", "eligible": "30", "present": "25", "votes_for": "20"})
    client.post(url, {"action": "first_notice", "start": timezone.localdate().isoformat()})
    client.post(url, {"action": "objection", "raised_by": "村民", "content": "有车"})
    html = client.get(f"/households/{household.pk}/").content.decode()
    assert "有车" in html and "第一次公示" in html
    notice = client.get("/households/notice/").content.decode()
    assert "王五" in notice and household.head.id_number not in notice
    objection = household.procedures.get().objections.get()
    as_user(sima_officer).post(
        url,
        {
            "action": "resolve_objection",
            "objection_id": objection.pk,
            "resolution": "核实无误",
            "upheld": "no",
        },
    )
    objection.refresh_from_db()
    assert objection.resolved_at is not None


def test_registration_form_shows_errors_by_row(as_user, sima_officer):
    client = as_user(sima_officer)
    assert client.get("/households/new/").status_code == 200
    data = {
        "region": SIMA_VILLAGE,
        "attribute": "general",
        "main_cause": "illness",
        "food_secure": "on",
        "m-TOTAL_FORMS": "8",
        "m-INITIAL_FORMS": "0",
        "m-MIN_NUM_FORMS": "0",
        "m-MAX_NUM_FORMS": "8",
    }
    for i in range(8):
        data.update(
            {
                f"m-{i}-relation": "head" if i == 0 else "son",
                f"m-{i}-health": "healthy",
                f"m-{i}-labour": "ordinary",
                f"m-{i}-schooling": "no",
                f"m-{i}-work": "none",
            }
        )
    data.update({"m-0-name": "孙七", "m-0-id_number": "370828650309123"})
    response = client.post("/households/new/", data)
    assert "18 位" in response.content.decode() and not Household.objects.exists()
    from fupin.core import identity

    data["m-0-id_number"] = identity.make("370828", date(1975, 4, 4), 77, "M")
    data["wage"] = "5000"
    response = client.post("/households/new/", data)
    household = Household.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/households/{household.pk}/"
    assert household.head.name == "孙七" and household.food_secure and not household.water_secure


def test_visit_form_on_a_phone(as_user, cadre, sima_officer):
    household = make_sima_household(sima_officer)
    client = as_user(cadre)
    assert "capture" in client.get(f"/households/{household.pk}/visit/").content.decode()
    photo = SimpleUploadedFile("a.jpg", b"\xff\xd8\xff\xe0" + b"0" * 100, content_type="image/jpeg")
    response = client.post(
        f"/households/{household.pk}/visit/",
        {"visited_on": timezone.localdate().isoformat(), "findings": "蒜苗长势好", "photos": photo},
    )
    assert response.status_code == 302
    assert Visit.objects.get().photos.count() == 1
    response = client.post(
        f"/households/{household.pk}/visit/", {"visited_on": "2099-01-01", "findings": "x"}
    )
    assert "晚于今天" in response.content.decode()


def test_not_visited_monitoring_changes_duplicates_pages(as_user, sima_officer, county_admin):
    household = make_sima_household(sima_officer)
    Household.objects.filter(pk=household.pk).update(status="not_lifted")
    client = as_user(sima_officer)
    assert "王五" in client.get("/households/not-visited/").content.decode()
    assert client.get("/households/not-visited/", {"region": "370828104"}).status_code == 404
    client.post(
        f"/households/{household.pk}/monitoring/",
        {"type": "sudden", "risks": ["illness"], "found_on": timezone.localdate().isoformat()},
    )
    assert "突发严重困难户" in client.get("/monitoring/").content.decode()
    case = household.monitoring_cases.get()
    # The county's approval is the last identification step: it cannot be taken before the others.
    client.post(f"/monitoring/{case.pk}/", {"action": "identify"})
    client.post(f"/monitoring/{case.pk}/", {"action": "village_review"})
    client.post(f"/monitoring/{case.pk}/", {"action": "measure", "kind": "health", "description": "大病救助"})
    case.refresh_from_db()
    assert (case.state, case.step) == ("identifying", "village_review") and case.measures.count() == 1
    client.post(
        f"/households/{household.pk}/change/",
        {"kind": "death", "member": household.head_id, "effective_on": "2025-01-01"},
    )
    change = household.change_requests.get()
    assert "死亡" in as_user(county_admin).get("/households/changes/").content.decode()
    as_user(county_admin).post(f"/households/changes/{change.pk}/decide/", {"decision": "approve"})
    change.refresh_from_db()
    assert change.state == "approved"
    assert as_user(county_admin).get("/households/duplicates/").status_code == 200


def test_import_page_and_progress(as_user, sima_officer):
    client = as_user(sima_officer)
    response = client.post(
        "/households/import/", {"file": SimpleUploadedFile("a.csv", csv_bytes(rows(True)))}
    )
    job = ImportJob.objects.get()
    assert response["Location"] == f"/imports/{job.pk}/"
    html = client.get(f"/imports/{job.pk}/").content.decode()
    assert "未导入任何数据" in html and "证件号码" in html
    fragment = client.get(f"/imports/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment
    template = client.get("/households/import/template.xlsx")
    assert template["Content-Type"].startswith("application/")


def test_a_helper_sees_only_their_own_unvisited_households(as_user, sima_officer, helper_user):
    from fupin.registry import services

    mine, other = make_sima_household(sima_officer), make_sima_household(sima_officer, offset=5)
    Household.objects.update(status="not_lifted")
    services.pair_helper(sima_officer, mine, helper_user, date(2025, 1, 1))
    page = as_user(helper_user).get("/households/not-visited/").context["page"]
    assert list(page) == [mine]
    assert other in as_user(sima_officer).get("/households/not-visited/").context["page"]
