"""The scan: one open warning per (rule, subject), re-graded as the data changes, cleared when the data no
longer meets the rule, escalated when red and unacknowledged; a second scan writes nothing."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command

from fupin.core.models import AuditEvent
from fupin.projects.models import Project
from fupin.warnings import services
from fupin.warnings.models import Warning, WarningEvent

from .conftest import COUNTY, TODAY

pytestmark = pytest.mark.django_db


def _of(rule, subject_id):
    return Warning.objects.filter(rule=rule, subject_id=subject_id)


def test_a_scan_raises_graded_warnings_and_audits_them(allocation, planned):
    before = AuditEvent.objects.count()
    result = services.scan_county(COUNTY, TODAY)
    idle = _of("funds_idle", allocation.pk).get()
    assert (idle.level, idle.state, idle.region_code) == ("orange", "pending", planned.region_code)  # 92 days
    assert _of("project_not_started", planned.pk).get().level == "red"  # 92 days
    assert _of("project_overdue", planned.pk).get().level == "orange"  # 31 days
    assert result.raised == Warning.objects.count() >= 3
    assert AuditEvent.objects.count() - before == result.raised
    assert set(
        AuditEvent.objects.filter(action="warnings.raised").values_list("actor_username", flat=True)
    ) == {"system"}
    assert idle.events.get().kind == "raised"


def test_messages_are_written_in_chinese_whatever_the_active_language(allocation, planned):
    from django.utils import translation

    with translation.override("en"):
        services.scan_county(COUNTY, TODAY)
    assert "未支付" in _of("funds_idle", allocation.pk).get().message


def test_a_second_scan_with_no_change_writes_nothing(allocation, planned):
    services.scan_county(COUNTY, TODAY)
    audit_events, warning_events = AuditEvent.objects.count(), WarningEvent.objects.count()
    result = services.scan_county(COUNTY, TODAY)
    assert result.writes == 0
    assert (AuditEvent.objects.count(), WarningEvent.objects.count()) == (audit_events, warning_events)


def test_the_level_rises_with_time_on_the_same_warning(allocation, planned):
    services.scan_county(COUNTY, TODAY)
    idle = _of("funds_idle", allocation.pk).get()
    result = services.scan_county(COUNTY, date(2026, 3, 1) + timedelta(days=180))
    idle.refresh_from_db()
    assert idle.level == "red" and _of("funds_idle", allocation.pk).count() == 1
    assert result.changed >= 1
    assert AuditEvent.objects.filter(action="warnings.level", target_id=str(idle.pk)).exists()


def test_a_warning_closes_itself_when_the_condition_clears(allocation, planned):
    services.scan_county(COUNTY, TODAY)
    allocation.paid = allocation.net_amount
    allocation.save()
    Project.objects.filter(pk=planned.pk).update(state="implementing")
    result = services.scan_county(COUNTY, TODAY)
    idle = _of("funds_idle", allocation.pk).get()
    assert (idle.state, idle.close_reason, idle.closed_on) == ("cleared", "条件已消除", TODAY)
    assert _of("project_not_started", planned.pk).get().state == "cleared"
    assert _of("project_overdue", planned.pk).get().state == "pending"  # still not completed
    assert result.cleared == 2
    assert AuditEvent.objects.filter(action="warnings.cleared").count() == 2
    # When the money lies idle again, a new warning is raised beside the closed one.
    allocation.paid = 0
    allocation.save()
    services.scan_county(COUNTY, TODAY)
    assert list(_of("funds_idle", allocation.pk).values_list("state", flat=True).order_by("id")) == [
        "cleared",
        "pending",
    ]


def test_a_dismissed_warning_is_not_raised_again_unless_it_gets_worse(allocation, planned, finance):
    services.scan_county(COUNTY, TODAY)
    idle = _of("funds_idle", allocation.pk).get()
    services.transition(finance, idle, "dismiss", "已拨付，账务未同步")
    assert services.scan_county(COUNTY, TODAY + timedelta(days=1)).raised == 0
    services.scan_county(COUNTY, date(2026, 3, 1) + timedelta(days=180))
    assert list(_of("funds_idle", allocation.pk).values_list("state", "level").order_by("id")) == [
        ("dismissed", "orange"),
        ("pending", "red"),
    ]


def test_a_red_warning_unacknowledged_for_two_working_days_goes_up_to_the_county(planned):
    services.scan_county(COUNTY, TODAY)  # Monday
    red = _of("project_not_started", planned.pk).get()
    assert red.level == "red"
    assert services.scan_county(COUNTY, TODAY + timedelta(days=2)).escalated == 0  # Wednesday: 2 days
    result = services.scan_county(COUNTY, TODAY + timedelta(days=3))
    red.refresh_from_db()
    assert result.escalated == 1 and red.escalated_on == TODAY + timedelta(days=3)
    assert red.events.filter(kind="escalated").exists()
    assert services.scan_county(COUNTY, TODAY + timedelta(days=4)).escalated == 0


def test_an_acknowledged_red_warning_is_not_escalated(planned, sima_officer):
    services.scan_county(COUNTY, TODAY)
    services.transition(sima_officer, _of("project_not_started", planned.pk).get(), "acknowledge")
    services.transition(sima_officer, _of("project_overdue", planned.pk).get(), "acknowledge")
    assert services.scan_county(COUNTY, TODAY + timedelta(days=10)).escalated == 0


def test_the_command_scans_one_county_or_all(allocation, planned, capsys, time_machine):
    time_machine.move_to(TODAY)
    call_command("warnings", "scan", "--county", "370828")
    assert "370828: 新增" in capsys.readouterr().out
    call_command("warnings", "scan")
    assert "新增 0" in capsys.readouterr().out


def test_the_command_refuses_a_bad_county(jinxiang):
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        call_command("warnings", "scan", "--county", "37")
    with pytest.raises(CommandError):
        call_command("warnings", "scan", "--county", "999999")
