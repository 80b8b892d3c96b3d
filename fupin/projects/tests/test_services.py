"""The lifecycle, its guards and roles, the expert draw and the scores, through the services."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from fupin.core.errors import DomainError, TransitionRefused
from fupin.core.models import AuditEvent
from fupin.projects import services
from fupin.projects.models import Project, Review

from .conftest import PLAN, county_admin_of, make_pool, make_project, score_all, to_implementing, to_library


def test_a_town_officer_puts_a_project_into_reserve(project, sima_officer):
    assert (project.state, project.budget, project.applicant_unit) == ("draft", 1783000, "司马镇人民政府")
    event = AuditEvent.objects.get(action="projects.project.create")
    assert event.actor == sima_officer and event.after["name"] == "华源牧业扶贫产业项目"


@pytest.mark.parametrize(
    ("budget", "message"),
    [
        ("-5", "金额必须大于零。"),
        ("0", "金额必须大于零。"),
        ("10.001", "金额最多保留两位小数（分）。"),
        ("abc", "“abc”不是有效的金额，请用数字书写，例如 1234.56。"),
        ("1e5", "“1e5”不是有效的金额，请用数字书写，例如 1234.56。"),
    ],
)
def test_bad_budgets_are_refused_naming_the_field(sima_officer, budget, message):
    with pytest.raises(DomainError) as refused:
        make_project(sima_officer, budget=budget)
    assert refused.value.fields == {"budget": message}
    assert not Project.objects.exists()


def test_a_project_in_another_town_is_refused(jishu_officer):
    with pytest.raises(DomainError) as refused:
        make_project(jishu_officer)
    assert refused.value.fields["region_code"] == "南徐庄村不在您的管辖范围内。"
    assert not Project.objects.exists()


def test_without_targets_or_linkage_the_project_cannot_go_on_and_the_error_says_which(sima_officer):
    project = make_project(sima_officer, targets="", linkage="")
    with pytest.raises(TransitionRefused) as refused:
        services.transition(sima_officer, project, "submit")
    assert refused.value.message == "项目不能入库：缺少绩效目标、与贫困户的利益联结机制。"
    assert set(refused.value.fields) == {"targets", "linkage"}
    project.refresh_from_db()
    assert project.state == "draft"


def test_a_transition_out_of_order_says_why(project, county_admin):
    with pytest.raises(TransitionRefused) as refused:
        services.transition(county_admin, project, "enter_library")
    assert refused.value.message == "处于“储备”状态的项目不能执行“纳入项目库”。"


def test_a_town_officer_may_not_take_the_countys_steps(project, sima_officer, county_admin):
    services.transition(county_admin, project, "submit")
    services.transition(sima_officer, project, "town_approve")
    with pytest.raises(PermissionDenied):
        services.transition(sima_officer, project, "reject", reason="不符合")


def test_return_needs_a_reason_and_the_applicant_can_edit_and_resubmit(project, sima_officer):
    services.transition(sima_officer, project, "submit")
    with pytest.raises(DomainError) as refused:
        services.transition(sima_officer, project, "return")
    assert refused.value.fields == {"reason": "请填写原因。"}
    services.transition(sima_officer, project, "return", reason="补充预算明细")
    project = services.update_project(sima_officer, project, budget="1800000.00")
    assert (project.state, project.state_reason, str(project.budget)) == (
        "returned",
        "补充预算明细",
        "1800000.00",
    )
    services.transition(sima_officer, project, "submit")


def test_a_project_under_review_cannot_be_edited(project, sima_officer):
    services.transition(sima_officer, project, "submit")
    with pytest.raises(TransitionRefused):
        services.update_project(sima_officer, project, name="改名")


# --- The draw -------------------------------------------------------------------------------------
def _at_county_review(project, town):
    services.transition(town, project, "submit")
    services.transition(county_admin_of(), project, "town_approve")  # not the submitter (职责分离)


def test_the_draw_excludes_the_applicants_unit_and_inactive_experts_and_is_reproducible(
    county_admin, sima_officer, make_user
):
    pool = make_pool(
        county_admin,
        ["司马镇人民政府", "县财政局", "县审计局", "县水务局", "县商务局", "县农业农村局", "县发展和改革局"],
    )
    services.set_expert_active(county_admin, pool[1], False)
    project = make_project(sima_officer)
    _at_county_review(project, sima_officer)

    review = services.draw_experts(county_admin, project, seed=20180501)

    drawn = [seat.expert for seat in review.seats.order_by("order")]
    assert len(drawn) == 5 and pool[0] not in drawn and pool[1] not in drawn
    assert [e.pk for e in drawn] == services.draw(review.candidate_ids, review.seed, 5)
    assert review.candidate_ids == sorted(e.pk for e in pool[2:])
    event = AuditEvent.objects.get(action="projects.review.draw")
    assert event.after["seed"] == 20180501 and event.after["drawn"] == [e.pk for e in drawn]


def test_the_same_seed_draws_the_same_panel_and_another_seed_usually_not():
    ids = list(range(1, 30))
    assert services.draw(ids, 7, 5) == services.draw(list(reversed(ids)), 7, 5)
    assert services.draw(ids, 7, 5) != services.draw(ids, 8, 5)


def test_too_few_eligible_experts_are_refused(county_admin, sima_officer):
    make_pool(county_admin, ["县财政局", "县审计局", "司马镇人民政府"])
    project = make_project(sima_officer)
    _at_county_review(project, sima_officer)
    with pytest.raises(DomainError) as refused:
        services.draw_experts(county_admin, project)
    assert refused.value.message == "符合条件（在职且不属于司马镇人民政府）的专家只有 2 名，需要 5 名。"
    assert not Review.objects.exists()


# --- Scores ---------------------------------------------------------------------------------------
@pytest.fixture
def review(project, sima_officer, county_admin, pool):
    _at_county_review(project, sima_officer)
    return services.draw_experts(county_admin, project, seed=1)


def test_an_expert_scores_once_and_cannot_see_others_before_submitting(review, county_admin):
    first, second = [seat.expert.user for seat in review.seats.order_by("order")[:2]]
    services.submit_score(
        first, review, feasibility=18, compliance=17, soundness=16, durability=15, linkage=19
    )

    readable = {seat.expert.user: ok for seat, ok in services.visible_seats(second, review)}
    assert readable[first] is False  # second has not scored yet
    assert {s.expert.user: ok for s, ok in services.visible_seats(first, review)}[first] is True
    with pytest.raises(TransitionRefused) as refused:
        services.submit_score(
            first, review, feasibility=1, compliance=1, soundness=1, durability=1, linkage=1
        )
    assert refused.value.message.endswith("提交评分，评分不能更改。")
    services.submit_score(
        second, review, feasibility=10, compliance=10, soundness=10, durability=10, linkage=10
    )
    assert {s.expert.user: ok for s, ok in services.visible_seats(second, review)}[first] is True


def test_a_score_outside_0_to_20_is_refused_naming_the_criterion(review):
    expert = review.seats.first().expert.user
    with pytest.raises(DomainError) as refused:
        services.submit_score(
            expert, review, feasibility=21, compliance=1, soundness=1, durability=1, linkage=1
        )
    assert refused.value.fields == {"feasibility": "“可行性”的评分范围为 0 到 20 分。"}
    assert not review.seats.filter(submitted_at__isnull=False).exists()


def test_an_expert_not_drawn_cannot_score(review, pool):
    drawn = set(review.seats.values_list("expert_id", flat=True))
    outsider = next(e for e in pool if e.pk not in drawn)
    with pytest.raises(DomainError):
        services.submit_score(
            outsider.user, review, feasibility=1, compliance=1, soundness=1, durability=1, linkage=1
        )


def test_the_last_score_decides_by_the_pass_mark_and_starts_the_notice(review, project, time_machine):
    time_machine.move_to(date(2018, 5, 2), tick=False)
    score_all(review, points=12)  # 60 points each: exactly the pass mark
    review.refresh_from_db()
    project.refresh_from_db()
    assert (review.state, review.average) == ("passed", 60)
    assert project.notice_starts_on == date(2018, 5, 2)
    assert project.notice_ends_on == date(2018, 5, 16)  # 10 working days


def test_a_failed_review_keeps_the_project_out(review, project, county_admin):
    score_all(review, points=11)
    with pytest.raises(TransitionRefused) as refused:
        services.transition(county_admin, project, "enter_library")
    assert refused.value.message == "专家评审未通过（平均分 55.00，及格线 60）。"
    services.transition(county_admin, project, "reject", reason="评审未通过")
    project.refresh_from_db()
    assert project.state == "rejected"


def test_the_library_waits_for_the_end_of_the_notice(review, project, county_admin, time_machine):
    score_all(review)
    services.conclude_review(county_admin, review, conclusion="pass")
    project.refresh_from_db()
    time_machine.move_to(project.notice_starts_on, tick=False)
    with pytest.raises(TransitionRefused) as refused:
        services.transition(county_admin, project, "enter_library")
    assert refused.value.fields == {"notice_ends_on": refused.value.message}
    time_machine.move_to(project.notice_ends_on, tick=False)
    assert services.transition(county_admin, project, "enter_library").state == "library"


# --- Start, progress, acceptance, handover --------------------------------------------------------
def test_the_start_request_lists_every_missing_preliminary_step(
    project, sima_officer, county_admin, time_machine
):
    to_library(project, sima_officer, county_admin, time_machine)
    services.transition(county_admin, project, "plan")
    services.save_plan(sima_officer, project, construction="牛舍", schedule="4 月开工")
    with pytest.raises(TransitionRefused) as refused:
        services.transition(sima_officer, project, "request_start")
    assert refused.value.message == (
        "前期程序履行到位方可进场施工：实施方案缺少预算、采购方式、受益对象和利益联结、风险防控措施；"
        "尚未拨付资金；没有合同或采购记录。"
    )
    project.refresh_from_db()
    assert project.state == "planned"


def test_from_start_to_operation(project, sima_officer, county_admin, finance, source, time_machine):
    to_implementing(project, sima_officer, county_admin, finance, source, time_machine)
    assert project.state == "implementing"
    services.report_progress(sima_officer, project, percent=60, problems="雨季延误")
    with pytest.raises(TransitionRefused):
        services.transition(sima_officer, project, "complete")
    with pytest.raises(DomainError):
        services.report_progress(sima_officer, project, percent=40)
    services.report_progress(sima_officer, project, percent=100)
    services.transition(sima_officer, project, "complete")
    with pytest.raises(TransitionRefused):
        services.transition(county_admin, project, "accept")
    services.record_acceptance(
        county_admin,
        project,
        accepted_on=date(2018, 12, 1),
        members="县扶贫办、财政局、镇政府",
        conclusion="合格",
    )
    services.transition(county_admin, project, "accept")
    with pytest.raises(TransitionRefused):
        services.transition(sima_officer, project, "hand_over")
    services.add_asset(
        sima_officer,
        project,
        name="标准化牛舍",
        asset_class="operating",
        owner="南徐庄村村民委员会",
        value="1700000.00",
        registered_on=date(2018, 12, 20),
    )
    services.transition(sima_officer, project, "hand_over")
    services.transition(sima_officer, project, "operate")
    project.refresh_from_db()
    assert project.state == "operating" and project.assets.get().owner == "南徐庄村村民委员会"
    actions = list(
        AuditEvent.objects.filter(target_type="projects.project", target_id=str(project.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions[-3:] == ["projects.asset.add", "projects.project.hand_over", "projects.project.operate"]


def test_removal_happens_in_the_fourth_quarter_only_with_a_reason(
    project, sima_officer, county_admin, time_machine
):
    to_library(project, sima_officer, county_admin, time_machine)
    time_machine.move_to(date(2018, 6, 1), tick=False)
    with pytest.raises(TransitionRefused):
        services.transition(county_admin, project, "remove", reason="已不具备实施条件")
    time_machine.move_to(date(2018, 11, 1), tick=False)
    assert services.transition(county_admin, project, "remove", reason="已不具备实施条件").state == "removed"


def test_an_unfinished_project_of_last_year_is_behind(project, sima_officer, county_admin, time_machine):
    to_library(project, sima_officer, county_admin, time_machine)
    assert project.is_behind(date(2019, 1, 1)) and not project.is_behind(date(2018, 12, 31))
    assert list(Project.objects.behind_schedule(date(2019, 1, 1))) == [project]


def test_terminate_needs_a_reason(project, sima_officer, county_admin, time_machine):
    to_library(project, sima_officer, county_admin, time_machine)
    with pytest.raises(DomainError):
        services.transition(county_admin, project, "terminate")
    services.transition(county_admin, project, "terminate", reason="企业停产")
    assert Project.objects.get().state == "terminated"


def test_plan_sections_are_checked(project, sima_officer):
    plan = services.save_plan(sima_officer, project, **PLAN)
    assert plan.missing() == []
    assert services.plan_missing(project) == []
