"""Issue 12's rules of the project library: 村申报, separation of duties, the draw that cannot be bent,
the chair's conclusion, and the budget that contracts, assets and allocations stay within. Each test tries
the hole through the service, the API or the page and sees it refused in Chinese, naming the field or rule."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from fupin.core.duties import DutiesNotSeparated, ensure_different_person
from fupin.core.enums import Role
from fupin.core.errors import DomainError, TransitionRefused
from fupin.core.models import AuditEvent, Region
from fupin.core.tests.test_api import assert_error
from fupin.projects import services
from fupin.projects.models import BudgetChange, Project, Seat

from .conftest import PROJECT, make_pool, make_project, score_all, to_implementing, to_library
from .test_views import logged_in

SEPARATION = "职责分离：提交项目的人不能同时进行乡镇审核。"


@pytest.fixture
def cadre(make_user):
    """The village committee of 南徐庄村 (370828107200), where PROJECT lies."""
    return make_user("cadre", "370828107200", roles=[Role.VILLAGE_CADRE], unit="南徐庄村村民委员会")


def at_county_review(project, cadre, sima_officer):
    services.transition(cadre, project, "submit")
    services.transition(sima_officer, project, "town_approve")
    project.refresh_from_db()
    return project


# --- 村申报 ---------------------------------------------------------------------------------------
def test_a_village_cadre_applies_in_their_village_and_the_town_reviews(cadre, sima_officer):
    project = make_project(cadre, applicant_unit="南徐庄村村民委员会")
    assert (project.state, project.created_by) == ("draft", cadre)
    at_county_review(project, cadre, sima_officer)
    assert (project.state, project.submitted_by) == ("county_review", cadre)


def test_a_village_cadre_cannot_apply_for_another_village_or_the_town(cadre):
    neighbour = Region.objects.filter(parent_id="370828107000", level="village").exclude(code="370828107200")
    for region in (neighbour.first(), Region.objects.get(code="370828107000")):
        with pytest.raises(DomainError) as refused:
            make_project(cadre, region_code=region.code)
        assert refused.value.fields == {"region_code": f"{region.name}不在您的管辖范围内。"}
    assert not Project.objects.exists()


def test_a_village_cadre_applies_through_the_api_and_the_page(api_as, cadre):
    body = {**PROJECT, "starts_on": "2018-04-01", "ends_on": "2018-11-30"}
    made = api_as(cadre).post("/api/v1/projects", body)
    assert made.status_code == 201 and made.json()["state"] == "draft"
    client = logged_in(cadre)
    assert client.get("/projects/new/").status_code == 200
    page = client.post(
        "/projects/new/",
        {
            "name": "南徐庄村生产道路",
            "year": 2018,
            "type": "infrastructure",
            "region_code": "370828107200",
            "budget": "300000",
            "responsible_unit": "司马镇人民政府",
            "applicant_unit": "南徐庄村村民委员会",
            "planned_households": 10,
        },
    )
    assert page.status_code == 302
    assert Project.objects.filter(name="南徐庄村生产道路", created_by=cadre).exists()


def test_a_helper_may_not_apply(make_user):
    helper = make_user("helper", "370828107000", roles=[Role.HELPER])
    with pytest.raises(PermissionDenied):
        make_project(helper)


# --- Separation of duties (职责分离) -----------------------------------------------------------------
def test_the_core_helper_refuses_the_same_person_and_names_the_rule(sima_officer, county_admin):
    ensure_different_person(sima_officer, county_admin, "规则")
    ensure_different_person(sima_officer, None, "规则")  # nobody recorded: a historical record
    with pytest.raises(DutiesNotSeparated) as refused:
        ensure_different_person(sima_officer, sima_officer.pk, "规则", field="allocation_id")
    assert refused.value.message == "职责分离：规则。"
    assert (refused.value.code, refused.value.fields) == (
        "separation_of_duties",
        {"allocation_id": "职责分离：规则。"},
    )


def test_who_submitted_may_not_take_the_town_review(project, sima_officer):
    services.transition(sima_officer, project, "submit")
    with pytest.raises(DutiesNotSeparated) as refused:
        services.transition(sima_officer, project, "town_approve")
    assert refused.value.message == SEPARATION
    project.refresh_from_db()
    assert project.state == "town_review"
    assert not AuditEvent.objects.filter(action="projects.project.town_approve").exists()


def test_the_separation_holds_on_the_api_and_the_page(api_as, project, sima_officer, make_user):
    services.transition(sima_officer, project, "submit")
    refused = api_as(sima_officer).post(
        f"/api/v1/projects/{project.pk}/transitions", {"action": "town_approve"}
    )
    body = assert_error(refused, 400, "separation_of_duties")
    assert body["message"] == SEPARATION
    page = logged_in(sima_officer).post(f"/projects/{project.pk}/act/town_approve/", follow=True)
    assert SEPARATION in page.content.decode()
    other = make_user("sima2", "370828107000", roles=[Role.TOWN_OFFICER])
    done = api_as(other).post(f"/api/v1/projects/{project.pk}/transitions", {"action": "town_approve"})
    assert done.status_code == 200 and done.json()["state"] == "county_review"


# --- The applicant unit and the draw ---------------------------------------------------------------
def test_the_applicant_unit_is_required_by_the_service_the_api_and_the_page(api_as, sima_officer):
    with pytest.raises(DomainError) as refused:
        make_project(sima_officer, applicant_unit="  ")
    assert refused.value.fields == {"applicant_unit": "请填写申报单位。"}
    body = {**PROJECT, "starts_on": "2018-04-01", "ends_on": "2018-11-30"}
    del body["applicant_unit"]
    answer = assert_error(api_as(sima_officer).post("/api/v1/projects", body), 400, "invalid")
    assert answer["fields"] == {"applicant_unit": "请填写申报单位。"}
    page = logged_in(sima_officer).post(
        "/projects/new/",
        {"name": "无申报单位", "year": 2018, "type": "other", "region_code": "370828107200", "budget": "1"},
    )
    assert page.status_code == 200 and "applicant_unit" in page.context["form"].errors
    assert not Project.objects.exists()


def test_a_project_without_applicant_unit_cannot_be_drawn(project, sima_officer, county_admin, pool):
    services.transition(sima_officer, project, "submit")
    services.transition(county_admin, project, "town_approve")
    Project.objects.filter(pk=project.pk).update(applicant_unit="")  # a record from before the rule
    with pytest.raises(DomainError) as refused:
        services.draw_experts(county_admin, project, seed=1)
    assert refused.value.fields == {"applicant_unit": "抽取专家前请先填写申报单位：该单位的专家一律回避。"}


@pytest.fixture
def panel(sima_officer, county_admin, cadre):
    """A pool of 9 with two experts of the applicant unit, and a panel of 5 drawn with seed 42."""
    units = [
        "司马镇人民政府",
        "司马镇人民政府",
        "县财政局",
        "县审计局",
        "县水务局",
        "县商务局",
        "县农业农村局",
    ]
    make_pool(county_admin, units + ["县发展和改革局", "县住房和城乡建设局"])
    project = at_county_review(make_project(cadre, applicant_unit="司马镇人民政府"), cadre, sima_officer)
    return services.draw_experts(county_admin, project, seed=42)


def test_an_expert_who_declines_is_replaced_by_a_reproducible_recorded_draw(panel, county_admin):
    first = panel.seats.get(order=1)
    drawn = set(panel.seats.values_list("expert_id", flat=True))
    new = services.replace_expert(county_admin, panel, first, withdrawn="declined", seed=7)
    assert new.expert_id not in drawn and new.expert.unit != "司马镇人民政府"
    first.refresh_from_db()
    assert first.withdrawn == "declined" and new.order == 6
    event = AuditEvent.objects.get(action="projects.review.replace")
    assert event.after["seed"] == 7 and event.after["drawn"] == new.expert_id
    assert (
        new.expert_id == services.draw(event.after["candidates"], 7, 1)[0]
    )  # the same seed, the same expert
    assert all(Seat.objects.get(pk=s.pk).expert.unit != "司马镇人民政府" for s in panel.seats.all())
    with pytest.raises(TransitionRefused) as again:
        services.replace_expert(county_admin, panel, first, withdrawn="absent")
    assert again.value.message == "该专家已被替补。"
    with pytest.raises(TransitionRefused) as withdrawn_scores:
        services.submit_score(first.expert.user, panel, **dict.fromkeys(["feasibility"], 10))
    assert withdrawn_scores.value.message == "您在本次评审中的席位已由重新抽取的专家替补。"


def test_the_replacement_never_draws_the_applicant_unit_even_when_nobody_else_is_left(panel, county_admin):
    # Two more replacements use up the pool's last experts outside the applicant unit.
    for order in (1, 2):
        services.replace_expert(
            county_admin, panel, panel.seats.get(order=order), withdrawn="absent", seed=order
        )
    with pytest.raises(DomainError) as refused:
        services.replace_expert(county_admin, panel, panel.seats.get(order=3), withdrawn="absent", seed=3)
    assert refused.value.fields["experts"].startswith("没有可替补")
    assert not panel.seats.filter(expert__unit="司马镇人民政府").exists()


def test_replacement_and_conclusion_on_the_api_and_the_page(api_as, panel, county_admin, sima_officer):
    client = api_as(county_admin)
    url = f"/api/v1/reviews/{panel.pk}"
    assert_error(
        api_as(sima_officer).post(f"{url}/replacements", {"order": 1, "withdrawn": "absent"}),
        403,
        "forbidden",
    )
    bad = assert_error(client.post(f"{url}/replacements", {"order": 1, "withdrawn": "ill"}), 400, "invalid")
    assert bad["fields"] == {"withdrawn": "请说明专家是拒绝参加还是缺席。"}
    made = client.post(f"{url}/replacements", {"order": 1, "withdrawn": "absent", "seed": 11})
    assert made.status_code == 201 and len(made.json()["seats"]) == 5
    early = assert_error(client.post(f"{url}/conclusion", {"conclusion": "pass"}), 400, "transition_refused")
    assert early["message"] == "专家尚未全部评分。"
    page = logged_in(county_admin).post(
        f"/reviews/{panel.pk}/replace/2/", {"withdrawn": "declined"}, follow=True
    )
    replacement = panel.seats.get(order=7)
    assert f"已抽取{replacement.expert.name}替补。" in page.content.decode()
    assert panel.seats.filter(withdrawn="declined", order=2).exists()
    score_all(panel)
    panel.refresh_from_db()
    assert panel.state == "passed"
    no_note = client.post(f"{url}/conclusion", {"conclusion": "pass_changes"})
    assert assert_error(no_note, 400, "invalid")["fields"] == {"note": "请写明评审委员会要求修改的内容。"}
    signed = logged_in(county_admin).post(
        f"/reviews/{panel.pk}/conclusion/", {"conclusion": "pass", "note": ""}
    )
    assert signed.status_code == 302
    panel.refresh_from_db()
    assert (panel.conclusion, panel.chair) == ("pass", county_admin)
    assert client.get(url).json()["chair"] == "admin"
    event = AuditEvent.objects.get(action="projects.review.conclude")
    assert event.actor_username == "admin" and event.after["conclusion"] == "pass"


def test_the_library_waits_for_the_chairs_conclusion_and_a_failed_average_cannot_pass(
    panel, county_admin, time_machine
):
    score_all(panel, points=10)  # average 50, under the pass mark
    panel.refresh_from_db()
    with pytest.raises(TransitionRefused) as refused:
        services.conclude_review(county_admin, panel, conclusion="pass")
    assert refused.value.fields == {"conclusion": "平均分 50.00 低于通过分 60，评审结论只能是不通过。"}
    services.conclude_review(county_admin, panel, conclusion="fail", note="带贫机制不清")
    panel.refresh_from_db()
    assert panel.state == "failed" and panel.chair == county_admin


def test_no_library_entry_without_the_conclusion(panel, county_admin, time_machine):
    score_all(panel)
    project = Project.objects.get(pk=panel.project_id)
    time_machine.move_to(project.notice_ends_on, tick=False)
    with pytest.raises(TransitionRefused) as refused:
        services.transition(county_admin, project, "enter_library")
    assert refused.value.message == "评审委员会的评审结论尚未由组长签署登记。"
    services.conclude_review(county_admin, panel, conclusion="pass_changes", note="补充风险防控措施")
    assert services.transition(county_admin, project, "enter_library").state == "library"


# --- The approved budget -------------------------------------------------------------------------
@pytest.fixture
def in_library(project, sima_officer, county_admin, pool, time_machine):
    return to_library(project, sima_officer, county_admin, time_machine)


def test_a_contract_above_the_budget_is_refused_until_a_budget_change_is_approved(
    in_library, sima_officer, county_admin, make_user
):
    second_admin = make_user("admin2")
    project = in_library
    services.transition(county_admin, project, "plan")
    contract = {"method": "公开招标", "supplier": "金乡建工", "signed_on": date(2018, 4, 1)}
    services.add_procurement(sima_officer, project, contract_no="A-1", amount="1700000.00", **contract)
    with pytest.raises(DomainError) as refused:
        services.add_procurement(sima_officer, project, contract_no="A-2", amount="83000.01", **contract)
    assert refused.value.code == "over_budget"
    assert refused.value.fields == {
        "amount": "合同金额合计将达到 1783000.01 元，超过项目批复预算 1783000.00 元；请先申请预算调整。"
    }
    change = services.request_budget_change(county_admin, project, new_budget="1900000.00", reason="钢材涨价")
    with pytest.raises(PermissionDenied):
        services.decide_budget_change(sima_officer, change, approve=True)  # the town does not decide
    with pytest.raises(DutiesNotSeparated) as own:
        services.decide_budget_change(county_admin, change, approve=True)
    assert own.value.message == "职责分离：申请预算调整的人不能同时审批该调整。"
    services.decide_budget_change(second_admin, change, approve=True)
    project.refresh_from_db()
    assert project.budget == Decimal("1900000.00")
    services.add_procurement(sima_officer, project, contract_no="A-2", amount="83000.01", **contract)
    assert [
        e.action for e in AuditEvent.objects.filter(action__startswith="projects.budget.").order_by("id")
    ] == [
        "projects.budget.request",
        "projects.budget.approve",
    ]


def test_a_budget_change_cannot_go_below_what_is_committed_and_a_refusal_needs_a_reason(
    in_library, sima_officer, county_admin
):
    project = in_library
    services.transition(county_admin, project, "plan")
    services.add_procurement(
        sima_officer,
        project,
        method="询价",
        contract_no="B-1",
        supplier="甲",
        amount="1000000",
        signed_on=date(2018, 4, 1),
    )
    with pytest.raises(DomainError) as refused:
        services.request_budget_change(sima_officer, project, new_budget="999999.99", reason="节约")
    assert refused.value.fields == {
        "new_budget": "预算不能低于已分配、已签合同或已登记资产的 1000000.00 元。"
    }
    change = services.request_budget_change(sima_officer, project, new_budget="1500000", reason="节约")
    with pytest.raises(DomainError) as no_reason:
        services.decide_budget_change(county_admin, change, approve=False)
    assert no_reason.value.fields == {"note": "请填写原因。"}
    services.decide_budget_change(county_admin, change, approve=False, note="依据不足")
    project.refresh_from_db()
    assert project.budget == Decimal("1783000.00")


def test_budget_changes_on_the_api_and_the_page(api_as, in_library, sima_officer, county_admin):
    project = in_library
    url = f"/api/v1/projects/{project.pk}/budget-changes"
    made = api_as(sima_officer).post(url, {"new_budget": "2000000.00", "reason": "扩建"})
    assert made.status_code == 201 and made.json()["state"] == "requested"
    change_id = made.json()["id"]
    assert_error(
        api_as(sima_officer).post(f"{url}/{change_id}/decision", {"approve": True}), 403, "forbidden"
    )
    page = logged_in(county_admin).get(f"/projects/{project.pk}/").content.decode()
    assert "预算调整" in page and f"budget-decide-{change_id}" in page
    decided = logged_in(county_admin).post(f"/projects/{project.pk}/budget/{change_id}/", {"approve": "1"})
    assert decided.status_code == 302
    assert BudgetChange.objects.get(pk=change_id).state == "approved"
    again = api_as(county_admin).post(f"{url}/{change_id}/decision", {"approve": True})
    assert assert_error(again, 400, "transition_refused")["message"] == "该预算调整已经审批。"
    same = logged_in(sima_officer).post(
        f"/projects/{project.pk}/budget/", {"new_budget": "2000000.00", "reason": "试探"}, follow=True
    )
    assert "新预算与项目现有预算相同。" in same.content.decode()
    assert BudgetChange.objects.count() == 1


def test_an_asset_above_the_budget_is_refused(
    project, sima_officer, county_admin, finance, source, time_machine
):
    to_implementing(project, sima_officer, county_admin, finance, source, time_machine)
    Project.objects.filter(pk=project.pk).update(state="accepted")
    asset = {"asset_class": "operating", "owner": "南徐庄村村民委员会", "registered_on": date(2018, 12, 1)}
    with pytest.raises(DomainError) as refused:
        services.add_asset(sima_officer, project, name="牛舍", value="1783000.01", **asset)
    assert refused.value.fields == {
        "value": "资产价值合计将达到 1783000.01 元，超过项目批复预算 1783000.00 元；请先申请预算调整。"
    }
    services.add_asset(sima_officer, project, name="牛舍", value="1783000.00", **asset)


def test_projects_waiting_in_the_town_review_get_their_submitter_back_from_the_audit(project, sima_officer):
    import importlib

    from django.apps import apps

    services.transition(sima_officer, project, "submit")
    Project.objects.filter(pk=project.pk).update(submitted_by=None)  # as recorded before the rule
    migration = importlib.import_module("fupin.projects.migrations.0004_submitted_by_from_the_audit")
    migration.submitters_from_the_audit(apps, None)
    project.refresh_from_db()
    assert project.submitted_by == sima_officer
    with pytest.raises(DutiesNotSeparated):
        services.transition(sima_officer, project, "town_approve")
