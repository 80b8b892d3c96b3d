"""Holes an inspector would try in the registry (issue “rules an inspector would test”): each is refused with
a Chinese message naming the field or the rule."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test.client import MULTIPART_CONTENT
from openpyxl import load_workbook

from fupin.core import clock, duties, identity, policy
from fupin.core.errors import DomainError
from fupin.core.models import AuditEvent, Region
from fupin.core.tests.test_api import assert_error
from fupin.registry import enums, exports, imports, services, tasks
from fupin.registry.enums import Gate, Status, Step
from fupin.registry.models import Household, ImportJob, Member, Procedure

from .conftest import SIMA_VILLAGE, make_sima_household, person
from .test_imports import HEADER, csv_bytes
from .test_imports import rows as import_rows

VOTES = {"eligible": 30, "present": 24, "votes_for": 20}


def reviewed(procedure, cadre, day=date(2025, 3, 4)):
    return services.take_step(cadre, procedure, Step.VILLAGE_REVIEW, VOTES, today=day)


# Notices cannot be backdated


def test_notice_cannot_start_before_the_day_it_is_recorded(applied, cadre):
    procedure = reviewed(applied.procedures.get(), cadre)
    with pytest.raises(DomainError, match="倒签") as refused:
        services.take_step(
            cadre, procedure, Step.FIRST_NOTICE, {"start": "2025-03-03"}, today=date(2025, 3, 4)
        )
    assert "start" in refused.value.fields and "公示开始日期" in refused.value.message
    procedure.refresh_from_db()
    assert procedure.step == Step.VILLAGE_REVIEW and procedure.notice_start is None


def test_notice_cannot_start_before_the_step_before_it(applied, cadre):
    procedure = reviewed(applied.procedures.get(), cadre, day=date(2025, 3, 10))
    with pytest.raises(DomainError, match="早于上一步“民主评议”") as refused:
        services.take_step(
            cadre, procedure, Step.FIRST_NOTICE, {"start": "2025-03-06"}, today=date(2025, 3, 5)
        )
    assert "start" in refused.value.fields


def test_notice_period_counts_from_the_recorded_start(applied, cadre):
    procedure = reviewed(applied.procedures.get(), cadre)
    procedure = services.take_step(
        cadre, procedure, Step.FIRST_NOTICE, {"start": "2025-03-06"}, today=date(2025, 3, 4)
    )
    assert (procedure.notice_start, procedure.notice_end) == (date(2025, 3, 6), date(2025, 3, 17))
    event = procedure.events.get(step=Step.FIRST_NOTICE)
    assert event.at.date() == date(2025, 3, 4) and event.details["start"] == "2025-03-06"


def test_backdated_notice_refused_by_api_and_page(api_as, client, sima_officer, cadre):
    household = make_sima_household(sima_officer)
    yesterday = (clock.today() - timedelta(days=1)).isoformat()
    api = api_as(cadre)
    url = f"/api/v1/households/{household.pk}/transitions"
    assert api.post(url, {"action": "village_review", **VOTES}).status_code == 200
    response = api.post(url, {"action": "first_notice", "start": yesterday})
    assert response.status_code == 400 and "倒签" in str(response.json())
    client.force_login(cadre)
    page = client.post(
        f"/households/{household.pk}/step/", {"action": "first_notice", "start": yesterday}, follow=True
    )
    assert "倒签" in page.content.decode()
    assert household.procedures.get().step == Step.VILLAGE_REVIEW


# Separation of duties in the gates


def test_duties_helper_names_the_rule(cadre, sima_officer):
    duties.ensure_different_person(cadre, sima_officer, "x")
    duties.ensure_different_person(cadre, None, "x")
    with pytest.raises(DomainError, match="职责分离：审核和审批须由不同的人办理。"):
        duties.ensure_different_person(cadre, cadre.pk, "审核和审批须由不同的人办理")


def test_who_did_the_village_review_may_not_do_the_town_review(applied, county_admin):
    procedure = reviewed(applied.procedures.get(), county_admin)
    services.take_step(
        county_admin, procedure, Step.FIRST_NOTICE, {"start": "2025-03-05"}, today=date(2025, 3, 5)
    )
    with pytest.raises(DomainError, match="职责分离") as refused:
        services.take_step(
            county_admin, procedure, Step.TOWN_REVIEW, {"compared": True}, today=date(2025, 3, 14)
        )
    assert "民主评议" in refused.value.message and "乡镇审核" in refused.value.message
    procedure.refresh_from_db()
    assert procedure.step == Step.FIRST_NOTICE


def test_town_review_and_county_approval_by_different_people(applied, cadre, county_admin, sima_officer):
    procedure = reviewed(applied.procedures.get(), cadre)
    services.take_step(cadre, procedure, Step.FIRST_NOTICE, {"start": "2025-03-05"}, today=date(2025, 3, 5))
    services.take_step(county_admin, procedure, Step.TOWN_REVIEW, {"compared": True}, today=date(2025, 3, 14))
    services.take_step(
        county_admin, procedure, Step.SECOND_NOTICE, {"start": "2025-03-17"}, today=date(2025, 3, 17)
    )
    with pytest.raises(DomainError, match="职责分离"):
        services.take_step(county_admin, procedure, Step.COUNTY_APPROVAL, today=date(2025, 3, 26))
    assert not AuditEvent.objects.filter(action="household.gate_step", after__step="county_approval").exists()


def test_duties_refused_through_the_api(api_as, sima_officer, county_admin):
    household = make_sima_household(sima_officer)
    services.set_income(sima_officer, household, clock.today().year, {"wage": "3000"})
    api = api_as(county_admin)
    url = f"/api/v1/households/{household.pk}/transitions"
    assert api.post(url, {"action": "village_review", **VOTES}).status_code == 200
    assert api.post(url, {"action": "first_notice", "start": clock.today().isoformat()}).status_code == 200
    procedure = household.procedures.get()
    procedure.notice_end = clock.today()
    procedure.save()
    response = api.post(url, {"action": "town_review", "compared": True})
    assert response.status_code == 400 and "职责分离" in str(response.json())
    assert api_as(sima_officer).post(url, {"action": "town_review", "compared": True}).status_code == 200


# Entry checks income against the identification line


def to_town_review(procedure, cadre):
    reviewed(procedure, cadre)
    return services.take_step(
        cadre, procedure, Step.FIRST_NOTICE, {"start": "2025-03-05"}, today=date(2025, 3, 5)
    )


def test_identification_line_is_a_policy_with_jinxiang_years(applied):
    assert policy.value("identification_line", applied.region_code, 2025) == Decimal("4000.00")
    assert policy.JINXIANG_YEARLY["identification_line"][2016] == "3402.00"


def test_town_review_refuses_income_above_the_line_without_a_reason(
    applied, cadre, sima_officer, county_admin
):
    services.set_income(sima_officer, applied, 2025, {"wage": "18000"})
    procedure = to_town_review(applied.procedures.get(), cadre)
    with pytest.raises(DomainError, match="高于识别标准 4000.00 元") as refused:
        services.take_step(
            sima_officer, procedure, Step.TOWN_REVIEW, {"compared": True}, today=date(2025, 3, 14)
        )
    assert "exception_reason" in refused.value.fields and "6000.00" in refused.value.message
    services.take_step(
        sima_officer,
        procedure,
        Step.TOWN_REVIEW,
        {"compared": True, "exception_reason": "户主突发重病，收入已无来源"},
        today=date(2025, 3, 14),
    )
    services.take_step(
        sima_officer, procedure, Step.SECOND_NOTICE, {"start": "2025-03-17"}, today=date(2025, 3, 17)
    )
    procedure = services.take_step(county_admin, procedure, Step.COUNTY_APPROVAL, today=date(2025, 3, 26))
    shown = procedure.events.get(step=Step.COUNTY_APPROVAL).details
    assert shown["per_capita"] == "6000.00" and shown["identification_line"] == "4000.00"
    assert shown["above_line"] is True and shown["exception_reason"] == "户主突发重病，收入已无来源"


def test_town_review_needs_recorded_income(sima_officer, cadre):
    household = make_sima_household(sima_officer)
    procedure = household.procedures.get()
    services.take_step(cadre, procedure, Step.VILLAGE_REVIEW, VOTES)
    services.take_step(cadre, procedure, Step.FIRST_NOTICE, {})
    procedure.refresh_from_db()
    procedure.notice_end = clock.today()
    procedure.save()
    with pytest.raises(DomainError, match="人均纯收入：申请未登记") as refused:
        services.take_step(sima_officer, procedure, Step.TOWN_REVIEW, {"compared": True})
    assert "income" in refused.value.fields


def test_compared_with_department_data_is_not_assumed(applied, cadre, sima_officer):
    procedure = to_town_review(applied.procedures.get(), cadre)
    with pytest.raises(DomainError, match="与部门数据比对") as refused:
        services.take_step(
            sima_officer, procedure, Step.TOWN_REVIEW, {"opinion": "同意"}, today=date(2025, 3, 14)
        )
    assert "compared" in refused.value.fields
    procedure = services.take_step(
        sima_officer, procedure, Step.TOWN_REVIEW, {"compared": "on"}, today=date(2025, 3, 14)
    )
    assert procedure.events.get(step=Step.TOWN_REVIEW).details["compared"] is True


def test_page_shows_the_comparison_and_asks_for_the_tick(client, sima_officer, cadre):
    household = make_sima_household(sima_officer)
    services.set_income(sima_officer, household, clock.today().year, {"wage": "20000"})
    procedure = household.procedures.get()
    services.take_step(cadre, procedure, Step.VILLAGE_REVIEW, VOTES)
    services.take_step(cadre, procedure, Step.FIRST_NOTICE, {})
    Procedure.objects.filter(pk=procedure.pk).update(notice_end=clock.today())
    client.force_login(sima_officer)
    html = client.get(f"/households/{household.pk}/").content.decode()
    assert "人均纯收入 10,000.00 元" in html and "识别标准 4,000.00 元" in html and 'name="compared"' in html
    url = f"/households/{household.pk}/step/"
    page = client.post(url, {"action": "town_review", "opinion": "同意"}, follow=True).content.decode()
    assert "与部门数据比对：须由经办人比对后勾选" in page
    page = client.post(url, {"action": "town_review", "compared": "on"}, follow=True).content.decode()
    assert "须填写例外理由" in page
    procedure.refresh_from_db()
    assert procedure.step == Step.FIRST_NOTICE


# Imports do not bypass the gates


def import_api(client, mode=None):
    data = {"file": SimpleUploadedFile("人口.csv", csv_bytes(import_rows()))}
    if mode:
        data["mode"] = mode
    return client.post("/api/v1/households/import", data, content_type=MULTIPART_CONTENT)


def test_town_import_creates_applications_at_the_entry_gate(api_as, sima_officer, cadre):
    job = import_api(api_as(sima_officer)).json()
    assert (job["status"], job["mode"], job["imported"]) == ("done", "application", 2)
    for household in Household.objects.all():
        assert household.status == Status.APPLYING and household.identified_year is None
        procedure = household.procedures.get()
        assert (procedure.gate, procedure.step, procedure.is_open) == (Gate.ENTRY, Step.APPLIED, True)
        assert procedure.events.get().actor == sima_officer
    assert AuditEvent.objects.get(action="household.import").after["mode"] == "application"
    # The imported application goes on through the gate like one entered by hand.
    procedure = Household.objects.get(number="1072009001").procedures.get()
    assert services.take_step(cadre, procedure, Step.VILLAGE_REVIEW, VOTES).step == Step.VILLAGE_REVIEW
    check = services.entry_income_check(procedure)
    assert (check["per_capita"], check["above_line"]) == ("3600.00", False)


def test_historical_mode_is_the_county_administrators_alone(api_as, client, sima_officer, tmp_path):
    response = import_api(api_as(sima_officer), "historical")
    assert response.status_code == 400 and "只有县级管理员可以直接登记历史建档户" in str(response.json())
    assert_error(import_api(api_as(sima_officer), "sideways"), 400, "invalid")
    client.force_login(sima_officer)
    page = client.post(
        "/households/import/",
        {"file": SimpleUploadedFile("人口.csv", csv_bytes(import_rows())), "mode": "historical"},
        follow=True,
    ).content.decode()
    assert "只有县级管理员" in page and 'value="historical"' not in page
    path = tmp_path / "人口.csv"
    path.write_bytes(csv_bytes(import_rows()))
    with pytest.raises(CommandError, match="只有县级管理员"):
        call_command("import", "households", str(path), "--user", "sima", "--mode", "historical")
    assert not Household.objects.exists() and not ImportJob.objects.exists()


def test_county_registers_historical_households_recorded_as_such(api_as, county_admin, tmp_path):
    path = tmp_path / "人口.csv"
    path.write_bytes(csv_bytes(import_rows()))
    call_command("import", "households", str(path), "--user", county_admin.username, "--mode", "historical")
    assert set(Household.objects.values_list("status", flat=True)) == {Status.NOT_LIFTED}
    assert not Procedure.objects.exists()
    event = AuditEvent.objects.get(action="household.import")
    assert event.after["mode"] == "historical" and event.actor == county_admin
    assert ImportJob.objects.get().mode == "historical"


# The national system's words import as written, and exports use them


NATIONAL_SPELLINGS = [
    ("work", "乡（镇）内务工", "town"),
    ("work", "乡(镇)内务工", "town"),
    ("work", "乡 （镇） 外县内务工", "county"),
    ("work", "县外省内务工", "province"),
    ("work", "省外务工", "outside"),
    ("work", "其他", "none"),
    ("education", "文盲或半文盲", "none"),
    ("education", "高中（含中专）", "senior"),
    ("schooling", "八年级", "junior"),
    ("schooling", "小学三年级", "primary"),
    ("health", "患有大病", "serious"),
    ("labour", "弱劳动力或半劳动力", "weak"),
    ("relation", "之兄弟姐妹", "sibling"),
    ("relation", "之外孙女", "granddaughter"),
    ("attribute", "特困供养贫困户", "tekun"),
    ("main_cause", "自身发展动力不足", "motivation"),
]


@pytest.mark.parametrize(("field", "word", "stored"), NATIONAL_SPELLINGS)
def test_national_words_are_accepted_in_any_width(field, word, stored):
    assert imports._translate(field, word) == stored


def test_every_coded_value_has_a_national_word():
    for field, choices in [
        ("relation", enums.Relation),
        ("education", enums.Education),
        ("schooling", enums.Schooling),
        ("health", enums.Health),
        ("labour", enums.Labour),
        ("work", enums.Work),
        ("main_cause", enums.Cause),
        ("attribute", enums.Attribute),
    ]:
        assert set(imports.NATIONAL_WORDS[field]) == set(choices.values), field


def test_full_width_file_imports_and_exports_the_national_words(sima_officer):
    lines = import_rows()
    header = [*HEADER, "务工状况"]
    lines = [
        [*line, word]
        for line, word in zip(lines, ["乡(镇)外县内务工", "其他", "乡（镇）内务工"], strict=True)
    ]
    text = "\n".join(",".join(r) for r in [header, *lines]).encode("utf-8")
    job = tasks.start(sima_officer, SimpleUploadedFile("人口.csv", text))
    assert job.status == "done", job.errors
    assert Member.objects.get(name="张大山").work == "county"
    assert Member.objects.get(name="王老汉").work == "town"
    workbook = load_workbook(exports.households_xlsx(Household.objects.all()), read_only=True)
    cells = {value for row in workbook.active.iter_rows(values_only=True) for value in row}
    assert {"乡（镇）外县内务工", "乡（镇）内务工", "其他"} <= cells and "县内务工" not in cells


def test_unknown_word_is_refused_naming_the_column(sima_officer):
    lines = [[*line, "外出打工"] for line in import_rows()]
    text = "\n".join(",".join(r) for r in [[*HEADER, "务工状况"], *lines]).encode("utf-8")
    job = tasks.start(sima_officer, SimpleUploadedFile("人口.csv", text))
    assert job.status == "failed" and any(
        e["column"] == "务工状况" and "外出打工" in e["message"] for e in job.errors
    )


# Labour ability follows age


def test_children_have_no_labour_ability_whatever_was_entered(sima_officer, cadre, time_machine):
    time_machine.move_to(date(2025, 6, 1))
    members = [
        person("孙大", date(1980, 1, 1), 60, "M", "head", labour="ordinary"),
        person("孙小宝", date(2025, 5, 1), 61, "M", "son", labour="ordinary"),
        person("孙二妮", date(2009, 6, 2), 62, "F", "daughter", labour="skilled"),
        person("孙大妮", date(2009, 6, 1), 63, "F", "daughter", labour="weak"),
    ]
    household = services.create_household(
        sima_officer, region_code=SIMA_VILLAGE, data={"main_cause": "skills"}, members=members
    )
    labour = dict(household.members.values_list("name", "labour"))
    # 孙二妮 turns 16 tomorrow; 孙大妮 turned 16 today.
    assert labour == {"孙大": "ordinary", "孙小宝": "none", "孙二妮": "none", "孙大妮": "weak"}
    baby = household.members.get(name="孙小宝")
    services.update_members(sima_officer, household, [{"id": baby.pk, "labour": "ordinary"}])
    baby.refresh_from_db()
    assert baby.labour == "none"


def test_working_age_from_policy(sima_officer, county_admin, time_machine):
    time_machine.move_to(date(2025, 6, 1))
    policy.set_value(county_admin, "working_age_from", Region.objects.get(code="370828000000"), None, "18")
    members = [
        person("钱父", date(1975, 1, 1), 64, "M", "head"),
        person("钱子", date(2008, 1, 1), 65, "M", "son", labour="ordinary"),
    ]
    household = services.create_household(
        sima_officer, region_code=SIMA_VILLAGE, data={"main_cause": "skills"}, members=members
    )
    assert household.members.get(name="钱子").labour == "none"
    with pytest.raises(DomainError):
        policy.set_value(
            county_admin, "working_age_from", Region.objects.get(code="370828000000"), None, "14"
        )


def test_imported_child_has_no_labour_ability(sima_officer):
    lines = import_rows()
    child = identity.make("370828", clock.today() - timedelta(days=40), 7, "F")
    lines.append(
        ["1072009002", "王小囡", "女", child, "之孙女", "健康", "普通劳动力", "", "", SIMA_VILLAGE, ""]
    )
    job = tasks.start(sima_officer, SimpleUploadedFile("人口.csv", csv_bytes(lines)))
    assert job.status == "done", job.errors
    assert Member.objects.get(name="王小囡").labour == "none"


# Helpers are paired and unpaired by the town, on a page and by API


def test_pair_and_end_by_api_and_the_helpers_lists_follow(api_as, client, sima_officer, helper_user, cadre):
    household = make_sima_household(sima_officer)
    Household.objects.filter(pk=household.pk).update(status=Status.NOT_LIFTED)
    url = f"/api/v1/households/{household.pk}/helpers"
    refused = api_as(cadre).post(url, {"helper": helper_user.username})
    assert refused.status_code == 403
    assert_error(api_as(sima_officer).post(url, {"helper": cadre.username}), 400, "invalid")
    future = (clock.today() + timedelta(days=2)).isoformat()
    response = api_as(sima_officer).post(url, {"helper": helper_user.username, "start": future})
    assert response.status_code == 400 and "结对日期" in str(response.json())
    created = api_as(sima_officer).post(url, {"helper": helper_user.username})
    assert created.status_code == 201 and created.json()["end"] is None
    client.force_login(helper_user)
    assert list(client.get("/households/not-visited/").context["page"]) == [household]
    pair_id = created.json()["id"]
    early = api_as(sima_officer).post(f"{url}/{pair_id}/end", {"end": "2000-01-01"})
    assert early.status_code == 400 and "解除结对日期" in str(early.json())
    ended = api_as(sima_officer).post(f"{url}/{pair_id}/end", {"reason": "工作调动"})
    assert ended.status_code == 200 and ended.json()["end"] == clock.today().isoformat()
    assert list(client.get("/households/not-visited/").context["page"]) == []
    assert client.get(f"/households/{household.pk}/").status_code == 404
    history = api_as(sima_officer).get(url).json()["items"]
    assert [p["end"] for p in history] == [clock.today().isoformat()]
    event = AuditEvent.objects.get(action="helper.unassign")
    assert event.after["reason"] == "工作调动" and event.actor == sima_officer


def test_pair_and_end_on_the_page(client, sima_officer, helper_user, jishu_officer, make_user):
    household = make_sima_household(sima_officer)
    client.force_login(sima_officer)
    html = client.get(f"/households/{household.pk}/").content.decode()
    assert 'data-testid="pair-helper"' in html and str(helper_user) in html
    url = f"/households/{household.pk}/helpers/"
    client.post(url, {"action": "pair", "helper": helper_user.pk})
    pair = household.helper_pairs.get()
    page = client.post(url, {"action": "end", "pair_id": pair.pk, "end": "1999-01-01"}, follow=True)
    assert "解除结对日期" in page.content.decode()
    client.post(url, {"action": "end", "pair_id": pair.pk, "end": clock.today().isoformat()})
    pair.refresh_from_db()
    assert pair.end == clock.today()
    outsider_helper = make_user("far-helper", "370828104000", roles=["helper"])
    page = client.post(url, {"action": "pair", "helper": outsider_helper.pk}, follow=True)
    assert "不在该户所在区域" in page.content.decode()
    client.force_login(jishu_officer)
    assert client.post(url, {"action": "pair", "helper": helper_user.pk}).status_code == 404


# Monitoring (防返贫) as the 2021 rules say


@pytest.fixture
def lifted(applied):
    Household.objects.filter(pk=applied.pk).update(status=Status.LIFTED_WITH_POLICY)
    applied.refresh_from_db()
    return applied


def identify_case(case, cadre, officer, admin):
    services.monitoring_step(cadre, case, "village_review", today=date(2025, 1, 7))
    services.monitoring_step(cadre, case, "notice", {"start": "2025-01-08"}, today=date(2025, 1, 8))
    services.monitoring_step(officer, case, "town_check", today=date(2025, 1, 17))
    return services.monitoring_step(admin, case, "county_approval", today=date(2025, 1, 20))


def test_identification_steps_in_order_with_notice_and_duties(lifted, cadre, sima_officer, county_admin):
    case = services.open_monitoring(
        cadre, lifted, type="unstable", risks=["illness"], found_on=date(2025, 1, 6), source="alert"
    )
    with pytest.raises(DomainError, match="顺序"):
        services.identify_monitoring(county_admin, case, date(2025, 1, 7))
    services.monitoring_step(cadre, case, "village_review", today=date(2025, 1, 7))
    with pytest.raises(DomainError, match="倒签"):
        services.monitoring_step(cadre, case, "notice", {"start": "2025-01-06"}, today=date(2025, 1, 8))
    case = services.monitoring_step(cadre, case, "notice", {"start": "2025-01-08"}, today=date(2025, 1, 8))
    assert case.notice_end == date(2025, 1, 17)
    with pytest.raises(DomainError, match="公示"):
        services.monitoring_step(sima_officer, case, "town_check", today=date(2025, 1, 16))
    services.monitoring_step(county_admin, case, "town_check", today=date(2025, 1, 17))
    with pytest.raises(DomainError, match="职责分离"):
        services.monitoring_step(county_admin, case, "county_approval", today=date(2025, 1, 20))
    case.refresh_from_db()
    assert case.state == "identifying" and case.step == "town_check"


def test_risk_cannot_be_cleared_without_a_measure_in_effect(lifted, cadre, sima_officer, county_admin):
    case = services.open_monitoring(
        cadre, lifted, type="unstable", risks=["income"], found_on=date(2025, 1, 6)
    )
    identify_case(case, cadre, sima_officer, county_admin)
    services.set_income(sima_officer, lifted, 2025, {"wage": "24000"})
    with pytest.raises(DomainError, match="尚无落实满 3 个月的帮扶措施"):
        services.clear_risk(sima_officer, case, today=date(2025, 8, 1))
    with pytest.raises(DomainError) as refused:
        services.add_measure(cadre, case, "送温暖", "慰问", date(2025, 2, 1))
    assert "kind" in refused.value.fields
    services.add_measure(cadre, case, "health", "大病救助", date(2025, 6, 1))
    services.add_measure(cadre, case, "就业帮扶", "公益岗位", date(2025, 2, 1), until=date(2025, 3, 1))
    with pytest.raises(DomainError, match="帮扶措施"):  # one too recent, one ended too soon
        services.clear_risk(sima_officer, case, today=date(2025, 8, 1))
    assert services.clear_risk(sima_officer, case, today=date(2025, 9, 2)).state == "cleared"


def test_monitoring_api_for_a_never_registered_household(api_as, cadre, sima_officer, jishu_officer, family):
    payload = {
        "household": {"region": SIMA_VILLAGE, "main_cause": "illness", "members": family(offset=70)},
        "type": "marginal",
        "risks": ["illness"],
        "source": "application",
    }
    created = api_as(cadre).post("/api/v1/monitoring", payload)
    assert created.status_code == 201, created.content
    case = created.json()
    household = Household.objects.get(pk=case["household_id"])
    assert household.status == Status.MONITORED and not household.procedures.exists()
    assert (case["state"], case["step"], case["source"]) == ("identifying", "found", "application")
    wrong = api_as(cadre).post("/api/v1/monitoring", {**payload, "type": "unstable"})
    assert wrong.status_code == 400 and "未建档立卡" in str(wrong.json())
    url = f"/api/v1/monitoring/{case['id']}"
    step = api_as(cadre).post(f"{url}/transitions", {"action": "village_review"})
    assert step.status_code == 200 and step.json()["step"] == "village_review"
    early = api_as(sima_officer).post(f"{url}/transitions", {"action": "clear"})
    assert early.status_code == 400 and "认定" in str(early.json())
    measure = api_as(cadre).post(f"{url}/measures", {"kind": "education", "description": "雨露计划"})
    assert measure.status_code == 201 and measure.json()["kind"] == "education"
    bad = api_as(cadre).post(f"{url}/measures", {"kind": "luck", "description": "x"})
    assert bad.status_code == 400 and "帮扶措施" in str(bad.json())
    listed = api_as(sima_officer).get("/api/v1/monitoring").json()["items"]
    assert [c["id"] for c in listed] == [case["id"]] and listed[0]["measures"][0]["description"] == "雨露计划"
    outsider = api_as(jishu_officer)
    assert outsider.get("/api/v1/monitoring").json() == {"items": [], "count": 0}
    assert_error(outsider.post(f"{url}/transitions", {"action": "village_review"}), 404, "not_found")


def test_monitoring_steps_and_measures_on_the_page(client, lifted, cadre, sima_officer):
    case = services.open_monitoring(cadre, lifted, type="unstable", risks=["illness"], found_on=clock.today())
    client.force_login(cadre)
    html = client.get(f"/households/{lifted.pk}/").content.decode()
    assert 'value="village_review"' in html and "产业帮扶" in html
    url = f"/monitoring/{case.pk}/"
    client.post(url, {"action": "village_review"})
    yesterday = (clock.today() - timedelta(days=1)).isoformat()
    page = client.post(url, {"action": "notice", "start": yesterday}, follow=True).content.decode()
    assert "倒签" in page
    page = client.post(url, {"action": "measure", "kind": "lottery", "description": "x"}, follow=True)
    assert "帮扶措施" in page.content.decode()
    client.post(url, {"action": "measure", "kind": "employment", "description": "扶贫车间务工"})
    case.refresh_from_db()
    assert case.step == "village_review" and case.measures.get().kind == "employment"


def test_income_exception_through_the_api(api_as, sima_officer, cadre):
    household = make_sima_household(sima_officer)
    services.set_income(sima_officer, household, clock.today().year, {"wage": "20000"})
    url = f"/api/v1/households/{household.pk}/transitions"
    api_as(cadre).post(url, {"action": "village_review", **VOTES})
    api_as(cadre).post(url, {"action": "first_notice"})
    Procedure.objects.filter(household=household).update(notice_end=clock.today())
    refused = api_as(sima_officer).post(url, {"action": "town_review", "compared": True})
    assert refused.status_code == 400 and "exception_reason" in str(refused.json())
    unticked = api_as(sima_officer).post(url, {"action": "town_review", "exception_reason": "突发重病"})
    assert unticked.status_code == 400 and "compared" in str(unticked.json())
    ok = api_as(sima_officer).post(
        url, {"action": "town_review", "compared": True, "exception_reason": "突发重病"}
    )
    assert ok.status_code == 200 and ok.json()["procedure"]["step"] == "town_review"
