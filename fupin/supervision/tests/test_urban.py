"""Urban management on the same ledger: grids, duty with the five fixes, automatic assignment; complaints;
statistics; campaign checks."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from fupin.core.errors import DomainError, TransitionRefused
from fupin.core.models import Region
from fupin.supervision import services, stats
from fupin.supervision.enums import ComplaintState, State
from fupin.supervision.models import Problem

from .conftest import local, photo


@pytest.fixture
def grid(dispatcher):
    return services.create_grid(
        dispatcher, name="金山路网格", region=Region.objects.get(code="370828107000"), area="金山路北段"
    )


def test_overlapping_shifts_of_one_person_are_refused(grid, dispatcher, staff, make_user):
    services.add_shift(
        dispatcher,
        grid=grid,
        staff=staff,
        start=local(2025, 5, 6, 8),
        end=local(2025, 5, 6, 12),
        duties="巡查店外经营",
        points=2,
    )
    with pytest.raises(DomainError, match="已在"):
        services.add_shift(
            dispatcher,
            grid=grid,
            staff=staff,
            start=local(2025, 5, 6, 11),
            end=local(2025, 5, 6, 14),
            duties="巡查",
        )
    # Touching shifts and another person's staggered shift are fine.
    services.add_shift(
        dispatcher,
        grid=grid,
        staff=staff,
        start=local(2025, 5, 6, 12),
        end=local(2025, 5, 6, 16),
        duties="巡查",
    )
    other = make_user("gridstaff2", "370828107000", roles=["grid_staff"])
    services.add_shift(
        dispatcher,
        grid=grid,
        staff=other,
        start=local(2025, 5, 6, 10),
        end=local(2025, 5, 6, 18),
        duties="错时执勤",
    )
    with pytest.raises(DomainError, match="结束"):
        services.add_shift(
            dispatcher,
            grid=grid,
            staff=other,
            start=local(2025, 5, 7, 10),
            end=local(2025, 5, 7, 9),
            duties="x",
        )


def test_patrol_problem_goes_to_the_staff_on_shift(grid, dispatcher, staff):
    now = timezone.now()
    services.add_shift(
        dispatcher,
        grid=grid,
        staff=staff,
        start=now - timedelta(hours=1),
        end=now + timedelta(hours=3),
        duties="巡查",
    )
    problem = services.open_problem(
        staff,
        use="urban",
        category="road",
        title="水果摊占道",
        region_code="370828107000",
        found_on=timezone.localdate(),
        grid=grid,
    )
    assert (problem.state, problem.responsible) == (State.ASSIGNED, staff)
    assert problem.number.startswith("CG") and problem.deadline > timezone.localdate()


def test_without_anyone_on_shift_the_dispatcher_gets_it(grid, dispatcher, staff):
    problem = services.open_problem(
        staff,
        use="urban",
        category="parking",
        title="乱停车",
        region_code="370828107000",
        found_on=timezone.localdate(),
        grid=grid,
    )
    assert (problem.state, problem.responsible) == (State.REGISTERED, dispatcher)


def test_urban_categories_are_their_own(grid, staff):
    with pytest.raises(DomainError):
        services.open_problem(
            staff,
            use="urban",
            category="quality",
            title="x",
            region_code="370828107000",
            found_on=timezone.localdate(),
            grid=grid,
        )


def test_statistics_formulas(inspector, sima_officer, campaign):
    today = date(2025, 6, 10)

    def make(title, deadline, close_on=None, rework=False):
        problem = services.open_problem(
            inspector,
            use="projects",
            category="quality",
            title=title,
            region_code="370828107200",
            found_on=date(2025, 5, 6),
            campaign=campaign,
        )
        problem = services.transition(
            inspector,
            problem,
            "assign",
            unit="司马镇",
            person=sima_officer,
            deadline=deadline,
            today=date(2025, 5, 6),
        )
        if close_on:
            services.transition(sima_officer, problem, "start", today=close_on)
            services.transition(
                sima_officer, problem, "submit", comment="ok", attachments=[photo()], today=close_on
            )
            if rework:
                services.transition(inspector, problem, "rework", comment="再改", today=close_on)
                services.transition(
                    sima_officer, problem, "submit", comment="ok", attachments=[photo()], today=close_on
                )
            services.transition(inspector, problem, "verify", today=close_on)
        return problem

    make("按期整改", date(2025, 5, 20), close_on=date(2025, 5, 13))  # 5 working days to close
    make("逾期整改", date(2025, 5, 20), close_on=date(2025, 5, 27), rework=True)  # 15 working days
    make("逾期未改", date(2025, 5, 20))
    make("未到期", date(2025, 6, 20))
    figures = stats.totals(Problem.objects.all(), today)
    assert (figures.found, figures.closed, figures.closed_on_time, figures.open_overdue, figures.reworks) == (
        4,
        2,
        1,
        1,
        1,
    )
    assert figures.clearance_rate == Decimal("50.0")  # closed ÷ found
    assert figures.on_time_rate == Decimal("33.3")  # closed on time ÷ (closed + open overdue)
    assert figures.average_days_to_close == Decimal("10.0")
    by_town = stats.figures(Problem.objects.all(), today, "town")
    assert set(by_town) == {"370828107"}
    assert stats.figures(Problem.objects.all(), today, "month")["2025-05"].found == 4


def test_campaign_check_opens_problems_for_failed_items(campaign, inspector, grid):
    # A grid stands in for a subject here; the projects app registers projects as the campaign's subjects.
    first, second = campaign.items.all()
    with pytest.raises(DomainError, match="逐项"):
        services.record_check(
            inspector,
            campaign,
            grid,
            label="金山路",
            region_code="370828107000",
            results={first.pk: (True, "")},
            checked_on=date(2025, 5, 8),
        )
    with pytest.raises(DomainError, match="描述"):
        services.record_check(
            inspector,
            campaign,
            grid,
            label="金山路",
            region_code="370828107000",
            results={first.pk: (True, ""), second.pk: (False, "")},
            checked_on=date(2025, 5, 8),
        )
    with pytest.raises(DomainError, match="期间"):
        services.record_check(
            inspector,
            campaign,
            grid,
            label="金山路",
            region_code="370828107000",
            results={first.pk: (True, ""), second.pk: (True, "")},
            checked_on=date(2025, 6, 8),
        )
    check = services.record_check(
        inspector,
        campaign,
        grid,
        label="金山路",
        region_code="370828107000",
        results={first.pk: (True, ""), second.pk: (False, "地面开裂")},
        checked_on=date(2025, 5, 8),
    )
    problem = Problem.objects.get(campaign=campaign)
    assert problem.check_result.check_record == check and problem.category == "quality"
    assert problem.title == "建设质量合格：地面开裂"
    with pytest.raises(DomainError, match="已检查"):
        services.record_check(
            inspector,
            campaign,
            grid,
            label="金山路",
            region_code="370828107000",
            results={first.pk: (True, ""), second.pk: (True, "")},
            checked_on=date(2025, 5, 9),
        )


def test_urban_campaign_progress_counts_grids(dispatcher, inspector, grid):
    campaign = services.create_campaign(
        inspector,
        name="创城攻坚",
        use="urban",
        region=Region.objects.get(code="370828107000"),
        start=date(2025, 5, 1),
        end=date(2025, 5, 31),
        items=[{"aspect": "road", "text": "无占道经营"}],
    )
    assert services.progress(campaign) == (0, 1)


def test_complaint_accepted_closed_and_answered(inspector, sima_officer):
    complaint = services.receive_complaint(
        None,
        channel="12317",
        content="村里的光伏收益今年还没有分到户",
        region_code="370828107200",
        name="徐某",
        phone="13900000000",
    )
    assert len(complaint.code) == 8
    with pytest.raises(TransitionRefused):
        services.answer_complaint(inspector, complaint, "已处理")
    problem = services.accept_complaint(
        inspector, complaint, use="projects", category="benefits", title="光伏收益未按时发放"
    )
    complaint.refresh_from_db()
    assert complaint.state == ComplaintState.ACCEPTED and problem.complaint == complaint
    services.transition(
        inspector, problem, "assign", unit="司马镇", person=sima_officer, today=timezone.localdate()
    )
    services.transition(sima_officer, problem, "start")
    services.transition(sima_officer, problem, "submit", comment="已发放", attachments=[photo()])
    services.transition(inspector, problem, "verify")
    with pytest.raises(DomainError, match="答复"):
        services.answer_complaint(inspector, complaint, " ")
    services.answer_complaint(inspector, complaint, "收益已于本月发放到户")
    complaint.refresh_from_db()
    assert complaint.state == ComplaintState.ANSWERED


def test_complaint_checks_and_dismissal(inspector):
    with pytest.raises(DomainError, match="10"):
        services.receive_complaint(None, channel="web", content="太短", region_code="370828107200")
    complaint = services.receive_complaint(
        None, channel="letter", content="反映某村干部优亲厚友问题，请调查", region_code="370828107200"
    )
    with pytest.raises(DomainError, match="理由"):
        services.dismiss_complaint(inspector, complaint, "")
    services.dismiss_complaint(inspector, complaint, "经调查不属实")
    with pytest.raises(TransitionRefused):
        services.accept_complaint(inspector, complaint, use="projects", category="review", title="x")


def test_web_complaints_are_rate_limited(jinxiang):
    content = "这是一条内容足够长的投诉"
    for _ in range(services.COMPLAINTS_PER_ADDRESS.count):
        services.receive_complaint(
            None, channel="web", content=content, region_code="370828107200", ip="127.0.0.9"
        )
    with pytest.raises(DomainError) as refused:
        services.receive_complaint(
            None, channel="web", content=content, region_code="370828107200", ip="127.0.0.9"
        )
    assert refused.value.code == "rate_limited"
    # Another address, and the hotline, are not limited by it.
    services.receive_complaint(
        None, channel="web", content=content, region_code="370828107200", ip="127.0.0.10"
    )
    services.receive_complaint(
        None, channel="12317", content=content, region_code="370828107200", ip="127.0.0.9"
    )


def test_project_campaigns_take_their_subjects_from_the_library(
    inspector, sima_officer, jishu_officer, county_admin
):
    from fupin.projects.tests.conftest import make_pool, make_project

    make_pool(county_admin)
    ours = make_project(sima_officer, year=2016)
    make_project(sima_officer, year=2019, name="另一年度的项目")
    make_project(jishu_officer, year=2016, region_code="370828104200", name="鸡黍镇项目")
    campaign = services.create_campaign(
        inspector,
        name="问题整改季",
        use="projects",
        region=Region.objects.get(code="370828000000"),
        start=date(2025, 5, 1),
        end=date(2025, 5, 31),
        scope={"years": [2016, 2017], "towns": ["370828107000"]},
        items=[{"aspect": "review", "text": "论证评审资料齐全"}],
    )
    assert [obj for obj, _label, _code in services.subjects_in_scope(campaign)] == [ours]
    item = campaign.items.get()
    services.record_check(
        inspector,
        campaign,
        ours,
        label=ours.name,
        region_code=ours.region_code,
        results={item.pk: (False, "缺少专家签字")},
        checked_on=date(2025, 5, 8),
    )
    assert services.progress(campaign) == (1, 1)
    assert Problem.objects.get().subject_label == ours.name
