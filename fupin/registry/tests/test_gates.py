"""The entry gate (识别) and the exit gate (退出): each step in order, by its role, audited; refusals say
why."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from fupin.core import policy
from fupin.core.errors import DomainError, TransitionRefused
from fupin.core.models import AuditEvent, Region
from fupin.registry import services
from fupin.registry.enums import Gate, Status, Step

VOTES = {"eligible": 30, "present": 24, "votes_for": 20}


def admit(procedure, cadre, officer, admin):
    """Take an application through every entry step, respecting the notice periods (7 working days)."""
    services.take_step(cadre, procedure, Step.VILLAGE_REVIEW, VOTES, today=date(2025, 3, 4))
    services.take_step(cadre, procedure, Step.FIRST_NOTICE, {"start": "2025-03-05"}, today=date(2025, 3, 5))
    services.take_step(
        officer,
        procedure,
        Step.TOWN_REVIEW,
        {"opinion": "比对无误", "compared": True},
        today=date(2025, 3, 14),
    )
    services.take_step(
        officer, procedure, Step.SECOND_NOTICE, {"start": "2025-03-17"}, today=date(2025, 3, 17)
    )
    return services.take_step(admin, procedure, Step.COUNTY_APPROVAL, today=date(2025, 3, 26))


def test_entry_gate_in_order_registers_the_household(applied, cadre, sima_officer, county_admin):
    procedure = admit(applied.procedures.get(), cadre, sima_officer, county_admin)
    applied.refresh_from_db()
    assert (procedure.step, procedure.is_open) == (Step.DONE, False)
    assert (applied.status, applied.identified_year) == (Status.NOT_LIFTED, 2025)
    assert list(procedure.events.values_list("step", flat=True)) == [
        "applied",
        "village_review",
        "first_notice",
        "town_review",
        "second_notice",
        "county_approval",
    ]
    steps = AuditEvent.objects.filter(action="household.gate_step").order_by("seq")
    assert [e.after["step"] for e in steps] == [
        "village_review",
        "first_notice",
        "town_review",
        "second_notice",
        "county_approval",
    ]
    assert steps.last().actor == county_admin and steps.last().after["status"] == "not_lifted"


def test_notice_end_is_counted_in_working_days(applied, cadre):
    procedure = applied.procedures.get()
    services.take_step(cadre, procedure, Step.VILLAGE_REVIEW, VOTES, today=date(2025, 3, 4))
    # 2025-09-30 + 7 working days skips the National Day week and counts the make-up Saturday 10-11.
    procedure = services.take_step(
        cadre, procedure, Step.FIRST_NOTICE, {"start": "2025-09-30"}, today=date(2025, 9, 30)
    )
    assert procedure.notice_end == date(2025, 10, 16)


def test_notice_period_from_policy(applied, cadre, county_admin):
    policy.set_value(
        county_admin, "household_notice_days", Region.objects.get(code="370828107000"), None, "5"
    )
    procedure = applied.procedures.get()
    services.take_step(cadre, procedure, Step.VILLAGE_REVIEW, VOTES, today=date(2025, 3, 3))
    procedure = services.take_step(
        cadre, procedure, Step.FIRST_NOTICE, {"start": "2025-03-03"}, today=date(2025, 3, 3)
    )
    assert procedure.notice_end == date(2025, 3, 10)


def test_steps_out_of_order_are_refused(applied, sima_officer):
    with pytest.raises(TransitionRefused, match="民主评议"):
        services.take_step(sima_officer, applied.procedures.get(), Step.TOWN_REVIEW)


def test_wrong_role_is_refused(applied, cadre):
    procedure = applied.procedures.get()
    services.take_step(cadre, procedure, Step.VILLAGE_REVIEW, VOTES, today=date(2025, 3, 4))
    services.take_step(cadre, procedure, Step.FIRST_NOTICE, {"start": "2025-03-05"}, today=date(2025, 3, 5))
    with pytest.raises(PermissionDenied):
        services.take_step(cadre, procedure, Step.TOWN_REVIEW, {"compared": True}, today=date(2025, 4, 1))


def test_next_step_waits_for_the_notice_to_end(applied, cadre, sima_officer):
    procedure = applied.procedures.get()
    services.take_step(cadre, procedure, Step.VILLAGE_REVIEW, VOTES, today=date(2025, 3, 4))
    services.take_step(cadre, procedure, Step.FIRST_NOTICE, {"start": "2025-03-05"}, today=date(2025, 3, 5))
    with pytest.raises(TransitionRefused, match="2025-03-14"):
        services.take_step(
            sima_officer, procedure, Step.TOWN_REVIEW, {"compared": True}, today=date(2025, 3, 13)
        )


@pytest.mark.parametrize(
    ("votes", "message"),
    [
        ({"eligible": 30, "present": 19, "votes_for": 19}, "三分之二"),
        ({"eligible": 30, "present": 24, "votes_for": 25}, "不合逻辑"),
        ({"eligible": "x", "present": 24, "votes_for": 20}, "应到人数"),
    ],
)
def test_village_review_needs_a_quorum_and_sound_numbers(applied, cadre, votes, message):
    with pytest.raises(DomainError, match=message):
        services.take_step(cadre, applied.procedures.get(), Step.VILLAGE_REVIEW, votes)
    assert applied.procedures.get().step == Step.APPLIED


def test_village_review_voting_against_refuses_the_application(applied, cadre):
    services.take_step(
        cadre, applied.procedures.get(), Step.VILLAGE_REVIEW, {"eligible": 30, "present": 24, "votes_for": 12}
    )
    applied.refresh_from_db()
    assert applied.status == Status.REJECTED and applied.procedures.get().step == Step.REFUSED


def test_objection_stops_the_procedure_until_resolved(applied, cadre, sima_officer):
    procedure = applied.procedures.get()
    services.take_step(cadre, procedure, Step.VILLAGE_REVIEW, VOTES, today=date(2025, 3, 4))
    services.take_step(cadre, procedure, Step.FIRST_NOTICE, {"start": "2025-03-05"}, today=date(2025, 3, 5))
    objection = services.raise_objection(
        cadre, procedure, "村民王某", "该户有轿车一辆", today=date(2025, 3, 6)
    )
    with pytest.raises(TransitionRefused, match="异议"):
        services.take_step(
            sima_officer, procedure, Step.TOWN_REVIEW, {"compared": True}, today=date(2025, 3, 20)
        )
    with pytest.raises(DomainError):
        services.resolve_objection(sima_officer, objection, "", upheld=False)
    services.resolve_objection(sima_officer, objection, "经核查，车辆为亲属所有", upheld=False)
    services.take_step(sima_officer, procedure, Step.TOWN_REVIEW, {"compared": True}, today=date(2025, 3, 20))
    assert AuditEvent.objects.filter(action="household.objection_resolved").exists()


def test_upheld_objection_ends_the_procedure(applied, cadre, sima_officer):
    procedure = applied.procedures.get()
    services.take_step(cadre, procedure, Step.VILLAGE_REVIEW, VOTES, today=date(2025, 3, 4))
    services.take_step(cadre, procedure, Step.FIRST_NOTICE, {"start": "2025-03-05"}, today=date(2025, 3, 5))
    objection = services.raise_objection(cadre, procedure, "村民王某", "该户在县城有商品房")
    services.resolve_objection(sima_officer, objection, "属实", upheld=True)
    applied.refresh_from_db()
    assert applied.status == Status.REJECTED
    with pytest.raises(TransitionRefused):
        services.raise_objection(cadre, procedure, "又一位", "又一条")


def test_exit_is_refused_with_the_failing_conditions(applied, cadre, sima_officer, county_admin):
    admit(applied.procedures.get(), cadre, sima_officer, county_admin)
    services.update_household(sima_officer, applied, {"housing_secure": False})
    with pytest.raises(TransitionRefused) as refused:
        services.start_exit(cadre, applied, today=date(2025, 11, 1))
    message = refused.value.message
    assert "3466.67" in message and "4000.00" in message and "住房安全有保障" in message
    assert not applied.procedures.filter(gate=Gate.EXIT).exists()


def exit_ready(household, officer):
    services.update_household(officer, household, {"housing_secure": True})
    services.set_income(officer, household, 2025, {"wage": "18000", "business": "2000"})


def test_exit_gate_in_order(applied, cadre, sima_officer, county_admin):
    admit(applied.procedures.get(), cadre, sima_officer, county_admin)
    exit_ready(applied, sima_officer)
    procedure = services.start_exit(cadre, applied, today=date(2025, 11, 3))
    services.take_step(cadre, procedure, Step.VILLAGE_REVIEW, VOTES, today=date(2025, 11, 3))
    services.take_step(
        sima_officer, procedure, Step.VERIFICATION, {"compared": True}, today=date(2025, 11, 4)
    )
    with pytest.raises(DomainError, match="签字"):
        services.take_step(cadre, procedure, Step.CONSENT, {"consent": False}, today=date(2025, 11, 5))
    services.take_step(cadre, procedure, Step.CONSENT, {"consent": True}, today=date(2025, 11, 5))
    services.take_step(cadre, procedure, Step.NOTICE, {"start": "2025-11-10"}, today=date(2025, 11, 10))
    services.take_step(county_admin, procedure, Step.ANNOUNCEMENT, today=date(2025, 11, 19))
    applied.refresh_from_db()
    assert (applied.status, applied.exit_year) == (Status.LIFTED_WITH_POLICY, 2025)
    assert applied.incomes.get(year=2025).per_capita == Decimal("6666.67")


def test_verification_rechecks_the_standard(applied, cadre, sima_officer, county_admin):
    admit(applied.procedures.get(), cadre, sima_officer, county_admin)
    exit_ready(applied, sima_officer)
    procedure = services.start_exit(cadre, applied, today=date(2025, 11, 3))
    services.take_step(cadre, procedure, Step.VILLAGE_REVIEW, VOTES, today=date(2025, 11, 3))
    services.update_household(sima_officer, applied, {"water_secure": False})
    with pytest.raises(TransitionRefused, match="饮水安全"):
        services.take_step(
            sima_officer, procedure, Step.VERIFICATION, {"compared": True}, today=date(2025, 11, 4)
        )


def test_only_one_exit_procedure_at_a_time(applied, cadre, sima_officer, county_admin):
    admit(applied.procedures.get(), cadre, sima_officer, county_admin)
    exit_ready(applied, sima_officer)
    services.start_exit(cadre, applied, today=date(2025, 11, 3))
    with pytest.raises(TransitionRefused, match="已在进行"):
        services.start_exit(cadre, applied, today=date(2025, 11, 3))
