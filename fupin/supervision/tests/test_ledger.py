"""The problem ledger: every transition and refusal, deadlines on the working-day calendar, escalation."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from fupin.core.errors import DomainError, TransitionRefused
from fupin.core.models import AuditEvent
from fupin.supervision import services
from fupin.supervision.enums import Escalation, State

from .conftest import PDF, photo

MAY = date(2025, 5, 6)


def assign(problem, inspector, officer, deadline=date(2025, 5, 20)):
    return services.transition(
        inspector, problem, "assign", unit="司马镇人民政府", person=officer, deadline=deadline, today=MAY
    )


def test_full_path_to_closed_on_time(problem, inspector, sima_officer):
    assert problem.number == "XM202500001" and problem.state == State.REGISTERED
    problem = assign(problem, inspector, sima_officer)
    problem = services.transition(sima_officer, problem, "start", today=date(2025, 5, 7))
    problem = services.transition(
        sima_officer, problem, "submit", comment="已加固墙体", attachments=[photo()], today=date(2025, 5, 15)
    )
    problem = services.transition(inspector, problem, "verify", today=date(2025, 5, 16))
    assert (problem.state, problem.closed_on_time) == (State.CLOSED, True)
    timeline = list(problem.events.values_list("action", flat=True))
    assert timeline == ["register", "assign", "start", "submit", "verify"]
    submit = problem.events.get(action="submit")
    assert submit.attachments.get().content_type == "image/png" and submit.actor_role == "town_officer"
    assert AuditEvent.objects.filter(action="problem.transition", target_id=str(problem.pk)).count() == 4


def test_rectification_needs_evidence_of_the_right_kind(problem, inspector, sima_officer, settings):
    settings.UPLOAD_MAX_MB = 5
    problem = assign(problem, inspector, sima_officer)
    services.transition(sima_officer, problem, "start", today=MAY)
    with pytest.raises(DomainError, match="至少需要一张"):
        services.transition(sima_officer, problem, "submit", comment="已整改", today=MAY)
    script = SimpleUploadedFile("fix.png", b"#!/bin/sh\nrm -rf /", content_type="image/png")
    with pytest.raises(DomainError, match="不是 JPEG、PNG、WebP、PDF 文件"):
        services.transition(
            sima_officer, problem, "submit", comment="已整改", attachments=[script], today=MAY
        )
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (5 * 1024 * 1024), content_type="application/pdf")
    with pytest.raises(DomainError, match="big.pdf 超过 5 MB"):
        services.transition(sima_officer, problem, "submit", comment="已整改", attachments=[big], today=MAY)
    problem.refresh_from_db()
    assert problem.state == State.RECTIFYING and not problem.events.filter(action="submit").exists()
    pdf = SimpleUploadedFile("report.pdf", PDF, content_type="application/pdf")
    services.transition(sima_officer, problem, "submit", comment="整改报告", attachments=[pdf], today=MAY)


def test_wrong_role_and_wrong_person_are_refused(problem, inspector, sima_officer, jishu_officer):
    with pytest.raises(PermissionDenied):
        services.transition(sima_officer, problem, "assign", unit="x", today=MAY)
    problem = assign(problem, inspector, sima_officer)
    with pytest.raises(PermissionDenied):
        services.transition(jishu_officer, problem, "start", today=MAY)
    with pytest.raises(TransitionRefused, match="不能"):
        services.transition(inspector, problem, "verify", today=MAY)


def test_assignment_checks(problem, inspector, jishu_officer):
    with pytest.raises(DomainError, match="责任单位"):
        services.transition(inspector, problem, "assign", today=MAY)
    with pytest.raises(DomainError, match="辖区"):
        services.transition(inspector, problem, "assign", unit="鸡黍镇", person=jishu_officer, today=MAY)
    with pytest.raises(DomainError, match="晚于今天"):
        services.transition(inspector, problem, "assign", unit="司马镇", deadline=MAY, today=MAY)
    problem = services.transition(inspector, problem, "assign", unit="司马镇", today=MAY)
    # Ten working days from Tuesday 6 May 2025 (no holiday in between) is Tuesday 20 May.
    assert problem.deadline == date(2025, 5, 20) == problem.first_deadline


def test_deadline_counts_working_days_over_holidays(inspector, campaign):
    problem = services.open_problem(
        inspector,
        use="projects",
        category="review",
        title="资料缺失",
        region_code="370828107200",
        found_on=date(2025, 9, 26),
        campaign=campaign,
    )
    problem = services.transition(inspector, problem, "assign", unit="司马镇", today=date(2025, 9, 26))
    # 9-28 (Sunday, worked) counts; 10-1..10-8 do not; 10-11 (Saturday, worked) counts.
    assert problem.deadline == date(2025, 10, 16)
    assert not problem.is_overdue(date(2025, 10, 16)) and problem.is_overdue(date(2025, 10, 17))


def test_rework_keeps_the_clock_and_counts(problem, inspector, sima_officer):
    problem = assign(problem, inspector, sima_officer)
    services.transition(sima_officer, problem, "start", today=MAY)
    services.transition(sima_officer, problem, "submit", comment="已整改", attachments=[photo()], today=MAY)
    with pytest.raises(DomainError, match="意见"):
        services.transition(inspector, problem, "rework", today=MAY)
    problem = services.transition(inspector, problem, "rework", comment="裂缝仍在", today=date(2025, 5, 19))
    assert (problem.state, problem.rework_count, problem.deadline) == (State.RECTIFYING, 1, date(2025, 5, 20))
    services.transition(sima_officer, problem, "submit", comment="重新加固", attachments=[photo()], today=MAY)
    problem = services.transition(inspector, problem, "verify", today=date(2025, 5, 22))
    assert problem.closed_on_time is False


def test_suspension_pauses_the_clock(problem, inspector, sima_officer):
    problem = assign(problem, inspector, sima_officer)
    problem = services.transition(inspector, problem, "suspend", comment="等待鉴定", today=date(2025, 5, 12))
    assert problem.state == State.SUSPENDED and not problem.is_overdue(date(2025, 6, 30))
    problem = services.transition(inspector, problem, "resume", today=date(2025, 5, 19))
    assert problem.state == State.ASSIGNED and problem.paused_days == 5
    assert problem.effective_deadline == date(2025, 5, 27)
    assert not problem.is_overdue(date(2025, 5, 27)) and problem.is_overdue(date(2025, 5, 28))


def test_extension_request_approval_and_campaign_end(problem, inspector, sima_officer):
    problem = assign(problem, inspector, sima_officer)
    with pytest.raises(DomainError, match="晚于当前"):
        services.transition(
            sima_officer,
            problem,
            "request_extension",
            comment="材料未到",
            deadline=date(2025, 5, 19),
            today=MAY,
        )
    problem = services.transition(
        sima_officer, problem, "request_extension", comment="材料未到", deadline=date(2025, 6, 10), today=MAY
    )
    assert problem.requested_deadline == date(2025, 6, 10)
    with pytest.raises(PermissionDenied):
        services.transition(sima_officer, problem, "extend", today=MAY)
    with pytest.raises(DomainError, match="活动结束"):
        services.transition(inspector, problem, "extend", today=MAY)
    assert problem.deadline == date(2025, 5, 20)
    problem = services.transition(inspector, problem, "extend", beyond_campaign_end=True, today=MAY)
    assert (problem.deadline, problem.first_deadline) == (date(2025, 6, 10), date(2025, 5, 20))


def test_reject_duplicate_send_back_reopen(problem, inspector, sima_officer, campaign):
    other = services.open_problem(
        inspector,
        use="projects",
        category="quality",
        title="同一处开裂",
        region_code="370828107200",
        found_on=MAY,
        campaign=campaign,
    )
    with pytest.raises(DomainError, match="重复"):
        services.transition(inspector, other, "duplicate", today=MAY)
    other = services.transition(inspector, other, "duplicate", duplicate_of=problem, today=MAY)
    assert other.state == State.DUPLICATE and other.duplicate_of == problem
    problem = assign(problem, inspector, sima_officer)
    problem = services.transition(sima_officer, problem, "send_back", comment="不属于本镇", today=MAY)
    assert problem.state == State.REGISTERED and problem.responsible is None
    third = services.open_problem(
        inspector,
        use="projects",
        category="review",
        title="误报",
        found_on=MAY,
        region_code="370828107200",
        campaign=campaign,
    )
    assert (
        services.transition(inspector, third, "reject", comment="经核实不是问题", today=MAY).state
        == State.REJECTED
    )
    problem = assign(problem, inspector, sima_officer)
    services.transition(sima_officer, problem, "start", today=MAY)
    services.transition(sima_officer, problem, "submit", comment="已整改", attachments=[photo()], today=MAY)
    services.transition(inspector, problem, "verify", today=MAY)
    problem = services.transition(
        inspector, problem, "reopen", comment="复查发现反弹", today=date(2025, 6, 3)
    )
    assert problem.state == State.RECTIFYING and problem.closed_on is None


def test_escalation_steps_and_runs_twice_without_new_events(problem, inspector, sima_officer):
    assign(problem, inspector, sima_officer)  # deadline Tuesday 20 May 2025
    assert services.escalate(date(2025, 5, 12))["none"] == 0  # four working days before: nothing yet
    assert services.escalate(date(2025, 5, 19))["reminder"] == 1
    assert services.escalate(date(2025, 5, 19))["reminder"] == 0  # the second run changes nothing
    assert services.escalate(date(2025, 5, 21))["time_limited"] == 1
    # Listed after more than five overdue working days: 21–27 May are five, 28 May the sixth.
    assert services.escalate(date(2025, 5, 27))["listed"] == 0
    assert services.escalate(date(2025, 5, 28))["listed"] == 1
    problem.refresh_from_db()
    assert problem.escalation == Escalation.LISTED
    escalations = problem.events.filter(action="escalate")
    assert [e.data["to"] for e in escalations] == ["reminder", "time_limited", "listed"]


def test_escalate_command(problem, inspector, sima_officer, capsys):
    from django.core.management import call_command

    assign(problem, inspector, sima_officer)
    call_command("escalate", "--today", "2025-05-21")
    call_command("escalate", "--today", "2025-05-21")
    assert problem.events.filter(action="escalate").count() == 1
    assert "限时督办 1" in capsys.readouterr().out


def test_bad_problems_are_refused(inspector):
    for change, field in [
        ({"category": "fun"}, "category"),
        ({"title": " "}, "title"),
        ({"found_on": date(2099, 1, 1)}, "found_on"),
        ({"region_code": "370828999999"}, "region"),
        ({"use": "x"}, "use"),
    ]:
        data = {
            "use": "projects",
            "category": "quality",
            "title": "x",
            "region_code": "370828107200",
            "found_on": MAY,
            **change,
        }
        with pytest.raises(DomainError) as refused:
            services.open_problem(inspector, **data)
        assert field in refused.value.fields


def test_a_problem_outside_ones_area_is_refused(jishu_officer, jinxiang):
    with pytest.raises(DomainError) as refused:
        services.open_problem(
            jishu_officer,
            use="projects",
            category="quality",
            title="别镇的问题",
            region_code="370828107200",
            found_on=MAY,
        )
    assert refused.value.fields == {"region": "该区域不在您的管辖范围内。"}
