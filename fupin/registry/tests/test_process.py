"""The process gate: helpers, monthly visits, the not-visited list, changes (maker-checker), monitoring."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from fupin.core.errors import DomainError, TransitionRefused
from fupin.core.models import AuditEvent
from fupin.registry import services
from fupin.registry.enums import ChangeState, MonitoringState, Status
from fupin.registry.models import Household, Member

from .conftest import person

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


@pytest.fixture
def registered(applied):
    Household.objects.filter(pk=applied.pk).update(status=Status.NOT_LIFTED)
    applied.refresh_from_db()
    return applied


@pytest.fixture
def paired(registered, sima_officer, helper_user):
    services.pair_helper(sima_officer, registered, helper_user, date(2025, 1, 1))
    return registered


def test_helper_records_a_visit_with_a_photo(paired, helper_user):
    photo = SimpleUploadedFile("visit.png", PNG, content_type="image/png")
    visit = services.record_visit(
        helper_user,
        paired,
        visited_on=date(2025, 3, 3),
        findings="大蒜长势好",
        help_given="联系了收购商",
        latitude=Decimal("35.066"),
        longitude=Decimal("116.311"),
        photos=[photo],
        today=date(2025, 3, 5),
    )
    assert visit.photos.get().content_type == "image/png"
    assert AuditEvent.objects.get(action="visit.create").after["photos"] == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"visited_on": date(2025, 3, 6)}, "晚于今天"),
        ({"visited_on": date(2024, 12, 1)}, "两个月"),
        ({"findings": "  "}, "走访情况"),
        ({"latitude": Decimal("35.0")}, "经度和纬度"),
        (
            {"photos": [SimpleUploadedFile("x.png", b"<?php echo 1; ?>", content_type="image/png")]},
            "不是 JPEG、PNG",
        ),
    ],
)
def test_bad_visits_are_refused(paired, helper_user, change, message):
    data = {"visited_on": date(2025, 3, 3), "findings": "正常", **change}
    with pytest.raises(DomainError, match=message):
        services.record_visit(helper_user, paired, today=date(2025, 3, 5), **data)
    assert not paired.visits.exists()


def test_a_helper_of_another_household_cannot_record(registered, helper_user):
    with pytest.raises(DomainError, match="帮扶责任人"):
        services.record_visit(
            helper_user, registered, visited_on=date(2025, 3, 3), findings="x", today=date(2025, 3, 5)
        )


def test_not_visited_this_month(paired, helper_user, sima_officer, family):
    other = services.create_household(
        sima_officer, region_code="370828107200", data={"main_cause": "skills"}, members=family(offset=300)
    )
    Household.objects.filter(pk=other.pk).update(status=Status.NOT_LIFTED)
    services.record_visit(
        helper_user, paired, visited_on=date(2025, 3, 3), findings="正常", today=date(2025, 3, 5)
    )
    assert list(services.not_visited("370828107", date(2025, 3, 20))) == [other]
    assert set(services.not_visited("370828", date(2025, 4, 1))) == {paired, other}
    assert list(services.not_visited("370828104", date(2025, 3, 1))) == []


def test_helper_pairing_rules(registered, sima_officer, helper_user, cadre):
    with pytest.raises(DomainError, match="不是帮扶责任人"):
        services.pair_helper(sima_officer, registered, cadre, date(2025, 1, 1))
    services.pair_helper(sima_officer, registered, helper_user, date(2025, 1, 1))
    with pytest.raises(DomainError, match="已与该户结对"):
        services.pair_helper(sima_officer, registered, helper_user, date(2025, 2, 1))


def test_a_registered_poor_person_cannot_be_a_helper(registered, sima_officer, make_user):
    poor = make_user("poorhelper", "370828107000", roles=["helper"], phone="13700000000")
    Member.objects.filter(pk=registered.head_id).update(phone="13700000000")
    with pytest.raises(DomainError, match="建档立卡"):
        services.pair_helper(sima_officer, registered, poor, date(2025, 1, 1))


def test_birth_is_requested_then_approved_by_someone_else(registered, cadre, sima_officer):
    baby = person("张小宝", date(2025, 2, 1), 50, "M", "grandson")
    change = services.request_change(cadre, registered, "birth", date(2025, 2, 1), payload=baby)
    with pytest.raises(PermissionDenied):
        services.decide_change(cadre, change, approve=True)
    services.decide_change(sima_officer, change, approve=True)
    assert registered.members.living().count() == 4
    change.refresh_from_db()
    assert change.state == ChangeState.APPROVED and change.decided_by == sima_officer
    with pytest.raises(TransitionRefused):
        services.decide_change(sima_officer, change, approve=False, reason="迟了")


def test_requester_cannot_approve_their_own_change(registered, sima_officer):
    member = registered.members.get(name="李秀英")
    change = services.request_change(sima_officer, registered, "death", date(2025, 3, 1), member=member)
    with pytest.raises(TransitionRefused, match="申请人以外"):
        services.decide_change(sima_officer, change, approve=True)


def test_death_and_head_succession(registered, cadre, sima_officer):
    head = registered.head
    change = services.request_change(cadre, registered, "death", date(2025, 3, 1), member=head)
    services.decide_change(sima_officer, change, approve=True)
    head.refresh_from_db()
    registered.refresh_from_db()
    assert head.deceased and head.deceased_on == date(2025, 3, 1)
    assert registered.head.name == "李秀英"
    with pytest.raises(DomainError, match="在世"):
        services.request_change(cadre, registered, "move_out", date(2025, 4, 1), member=head)


def test_rejection_needs_a_reason_and_changes_nothing(registered, cadre, sima_officer):
    member = registered.members.get(name="张小花")
    change = services.request_change(cadre, registered, "move_out", date(2025, 3, 1), member=member)
    with pytest.raises(DomainError, match="驳回理由"):
        services.decide_change(sima_officer, change, approve=False)
    services.decide_change(sima_officer, change, approve=False, reason="仍在本村上学")
    member.refresh_from_db()
    assert not member.left_household


def test_split_moves_members_to_a_new_household(registered, cadre, sima_officer):
    daughter = registered.members.get(name="张小花")
    change = services.request_change(
        cadre, registered, "split", date(2025, 3, 1), payload={"member_ids": [daughter.pk]}
    )
    services.decide_change(sima_officer, change, approve=True)
    daughter.refresh_from_db()
    new = daughter.household
    assert new != registered and new.head == daughter and new.number == "1072000002"
    with pytest.raises(DomainError, match="部分"):
        services.request_change(
            cadre,
            registered,
            "split",
            date(2025, 3, 1),
            payload={"member_ids": list(registered.members.values_list("pk", flat=True))},
        )


def test_monitoring_identification_deadline_in_working_days(registered, cadre):
    case = services.open_monitoring(
        cadre, registered, type="sudden", risks=["illness", "disaster"], found_on=date(2025, 9, 26)
    )
    # 15 working days from Friday 26 September 2025, across the National Day week.
    assert case.identify_by == date(2025, 10, 23)
    with pytest.raises(DomainError, match="已在监测"):
        services.open_monitoring(
            cadre, registered, type="sudden", risks=["illness"], found_on=date(2025, 9, 27)
        )


def test_monitoring_needs_known_risks(registered, cadre):
    with pytest.raises(DomainError, match="风险"):
        services.open_monitoring(
            cadre, registered, type="sudden", risks=["boredom"], found_on=date(2025, 9, 26)
        )


def identify(case, cadre, officer, admin):
    """The identification steps of 2021, in working days: village review, notice, town check, county."""
    services.monitoring_step(cadre, case, "village_review", today=date(2025, 1, 7))
    services.monitoring_step(cadre, case, "notice", {"start": "2025-01-08"}, today=date(2025, 1, 8))
    services.monitoring_step(officer, case, "town_check", today=date(2025, 1, 17))
    return services.monitoring_step(admin, case, "county_approval", today=date(2025, 1, 20))


def test_risk_cleared_only_under_the_rule(registered, cadre, sima_officer, county_admin):
    case = services.open_monitoring(
        cadre, registered, type="unstable", risks=["income"], found_on=date(2025, 1, 6)
    )
    with pytest.raises(TransitionRefused, match="认定"):
        services.clear_risk(sima_officer, case, today=date(2025, 2, 1))
    identify(case, cadre, sima_officer, county_admin)
    services.add_measure(cadre, case, "就业帮扶", "推荐到扶贫车间务工", date(2025, 1, 15))
    with pytest.raises(TransitionRefused) as refused:
        services.clear_risk(sima_officer, case, today=date(2025, 5, 1))
    assert "六个月" in refused.value.message and "6000.00" in refused.value.message
    services.set_income(sima_officer, registered, 2025, {"wage": "24000"})
    case = services.clear_risk(sima_officer, case, today=date(2025, 7, 21))
    assert case.state == MonitoringState.CLEARED
    with pytest.raises(TransitionRefused):
        services.add_measure(cadre, case, "x", "y", date(2025, 7, 12))


def test_household_without_labour_stays_monitored(registered, cadre, sima_officer, county_admin):
    registered.members.update(labour="lost")
    case = services.open_monitoring(
        cadre, registered, type="unstable", risks=["labour"], found_on=date(2025, 1, 6)
    )
    identify(case, cadre, sima_officer, county_admin)
    services.set_income(sima_officer, registered, 2025, {"transfer": "24000"})
    with pytest.raises(TransitionRefused, match="无劳动力"):
        services.clear_risk(sima_officer, case, today=date(2025, 8, 1))


def test_monitoring_candidates_are_below_the_line_and_not_yet_monitored(registered, cadre, sima_officer):
    services.set_income(sima_officer, registered, 2025, {"wage": "9000"})
    candidates, line = services.monitoring_candidates("370828107", 2025)
    assert line == Decimal("6000.00") and list(candidates) == [registered]
    services.open_monitoring(cadre, registered, type="unstable", risks=["income"], found_on=date(2025, 3, 3))
    assert list(services.monitoring_candidates("370828107", 2025)[0]) == []
