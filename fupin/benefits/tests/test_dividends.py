"""Distribution plans and dividend payments: methods, eligibility, the village review, notice, payments
and their invariants, overdue on the working-day calendar."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from fupin.benefits import dividends, services
from fupin.benefits.enums import PlanState
from fupin.benefits.models import DistributionLine, DistributionPlan, Payment
from fupin.core import policy
from fupin.core.duties import DutiesNotSeparated
from fupin.core.errors import DomainError, TransitionRefused
from fupin.core.models import AuditEvent, Region
from fupin.registry.enums import Status
from fupin.registry.models import Member

from .conftest import make_household, village_reviewer

REVIEW = date(2025, 9, 26)  # a Friday before the National Day week


def plan_for(actor, project, revenue, method="equal", **extra):
    return dividends.create_plan(actor, project, revenue=revenue, method=method, **extra)


def on_notice(plan, actor):
    dividends.approve(village_reviewer(), plan, reviewed_on=REVIEW, note="村民代表会议到会25人，同意25人")
    return dividends.disclose(actor, plan, notice_starts_on=REVIEW)


def pay(actor, plan, line, **extra):
    entry = {
        "household_id": line.household_id,
        "amount": str(line.amount),
        "paid_on": date(2025, 10, 10),
        "channel": "card",
        **extra,
    }
    return dividends.record_payments(actor, plan, [entry])


# --- Drawing up the plan ---------------------------------------------------------------------------
def test_17830_over_seven_households_adds_up_to_the_fen(households, project, revenue, sima_officer):
    plan = plan_for(sima_officer, project, revenue)
    amounts = list(plan.lines.values_list("amount", flat=True))
    assert len(amounts) == 7 and sum(amounts) == Decimal("17830.00")
    # 1,783,000 fen / 7 = 254,714 fen and 2 fen over: they go to the first two households by number.
    assert amounts == [Decimal("2547.15")] * 2 + [Decimal("2547.14")] * 5
    assert plan.state == PlanState.DRAFT and plan.total == Decimal("17830.00")
    event = AuditEvent.objects.get(action="benefits.plan.create")
    assert event.after["households"] == 7 and event.after["households_total"] == "17830.00"


def test_per_capita_weighs_living_members(households, project, revenue, sima_officer):
    Member.objects.filter(household=households[1]).exclude(pk=households[1].head_id).update(deceased=True)
    plan = plan_for(sima_officer, project, revenue, method="per_capita")
    persons = dict(plan.lines.values_list("household_id", "persons"))
    assert persons[households[0].pk] == 2 and persons[households[1].pk] == 1  # 3 members, 2 deceased
    assert sum(persons.values()) == 12
    amounts = dict(plan.lines.values_list("household_id", "amount"))
    assert sum(amounts.values()) == Decimal("17830.00")
    # 17830 × 2/12 = 2971.666…: the three 2-person households take the 3 fen of remainder.
    assert amounts[households[0].pk] == Decimal("2971.67") and amounts[households[4].pk] == Decimal("4457.50")


def test_weighted_plan_and_fixed_shares(households, project, revenue, sima_officer):
    weights = {h.pk: "1" for h in households} | {households[0].pk: "1.5"}
    plan = plan_for(
        sima_officer,
        project,
        revenue,
        method="weighted",
        weights=weights,
        collective_share="1830.00",
        welfare_share="1000.00",
    )
    lines = {line.recipient: line for line in plan.lines.exclude(recipient="household")}
    assert lines["collective"].amount == Decimal("1830.00") and lines["welfare"].amount == Decimal("1000.00")
    households_part = plan.lines.filter(recipient="household")
    assert sum(households_part.values_list("amount", flat=True)) == Decimal("15000.00")
    assert households_part.get(household=households[0]).amount == Decimal("3000.00")  # 1.5 of 7.5
    assert sum(plan.lines.values_list("amount", flat=True)) == plan.total


def test_a_plan_of_shares_only_must_add_up(households, project, revenue, sima_officer):
    with pytest.raises(DomainError, match="不符") as refused:
        plan_for(sima_officer, project, revenue, method="shares", collective_share="10000", welfare_share="1")
    assert list(refused.value.fields) == ["collective_share"]
    plan = plan_for(sima_officer, project, revenue, method="shares", collective_share="17830")
    assert list(plan.lines.values_list("recipient", "amount")) == [("collective", Decimal("17830.00"))]


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"method": "lottery"}, "method"),
        ({"total": "20000.00"}, "total"),
        ({"total": "-1"}, "total"),
        ({"collective_share": "18000"}, "collective_share"),
        ({"collective_share": "17830"}, "collective_share"),
        ({"welfare_share": "1.005"}, "welfare_share"),
        ({"method": "weighted", "weights": {}}, "weights"),
        ({"method": "weighted", "weights": "bad"}, "weights"),
    ],
)
def test_bad_plans_write_nothing(households, project, revenue, sima_officer, extra, field):
    if extra.get("weights") == "bad":
        extra["weights"] = {h.pk: "0" for h in households}
    with pytest.raises(DomainError) as refused:
        plan_for(sima_officer, project, revenue, **{"method": "equal", **extra})
    assert field in refused.value.fields
    assert not DistributionPlan.objects.exists() and not DistributionLine.objects.exists()


def test_only_the_projects_living_supported_beneficiaries(households, project, revenue, sima_officer):
    stranger = make_household(sima_officer, 20)
    with pytest.raises(DomainError, match="不是本项目登记的受益户"):
        plan_for(sima_officer, project, revenue, household_ids=[households[0].pk, stranger.pk])
    households[1].members.update(deceased=True)
    with pytest.raises(DomainError, match="没有在世成员"):
        plan_for(sima_officer, project, revenue, household_ids=[households[1].pk])
    lifted = households[2]
    lifted.status = Status.LIFTED
    lifted.save(update_fields=["status"])
    with pytest.raises(DomainError, match="已脱贫不再享受政策"):
        plan_for(sima_officer, project, revenue, household_ids=[lifted.pk])
    # Without a list: every eligible beneficiary, leaving out the dead household and the exited one.
    plan = plan_for(sima_officer, project, revenue)
    assert plan.lines.count() == 5
    assert not plan.lines.filter(household__in=[households[1], lifted]).exists()


def test_the_policy_can_keep_exited_households_on(households, project, revenue, sima_officer, county_admin):
    households[2].status = Status.LIFTED
    households[2].save(update_fields=["status"])
    policy.set_value(county_admin, "dividend_keep_exited", Region.objects.get(code="370828000000"), None, "1")
    assert plan_for(sima_officer, project, revenue).lines.filter(household=households[2]).exists()


def test_a_revenue_entry_is_distributed_once(households, project, revenue, sima_officer):
    plan = plan_for(sima_officer, project, revenue)
    with pytest.raises(TransitionRefused, match="已有分配方案"):
        plan_for(sima_officer, project, revenue)
    with pytest.raises(TransitionRefused, match="先撤销分配方案"):
        services.reverse_revenue(sima_officer, revenue, reason="金额有误")
    dividends.cancel(sima_officer, plan, reason="方案有误，重新制定")
    assert plan_for(sima_officer, project, revenue).state == PlanState.DRAFT


def test_reversed_or_foreign_revenue_cannot_be_planned(households, project, revenue, sima_officer):
    reversal = services.reverse_revenue(sima_officer, revenue, reason="重复录入")
    with pytest.raises(TransitionRefused):
        plan_for(sima_officer, project, revenue)
    with pytest.raises(TransitionRefused):
        plan_for(sima_officer, project, reversal)


def test_only_writers_draw_up_plans(households, project, revenue, inspector):
    with pytest.raises(PermissionDenied):
        plan_for(inspector, project, revenue)


# --- Review, notice, deadline --------------------------------------------------------------------
def test_review_starts_the_working_day_deadline(households, project, revenue, sima_officer):
    plan = plan_for(sima_officer, project, revenue)
    plan = dividends.approve(village_reviewer(), plan, reviewed_on=REVIEW, note="村民代表会议通过")
    # 10 working days from Friday 26 Sep 2025: 9-28 (Sunday, worked) counts, 10-1..10-8 do not.
    assert plan.payment_deadline == date(2025, 10, 16)
    assert not plan.is_overdue(date(2025, 10, 16)) and plan.is_overdue(date(2025, 10, 17))
    assert list(DistributionPlan.objects.overdue(date(2025, 10, 17))) == [plan]
    assert not DistributionPlan.objects.overdue(date(2025, 10, 16)).exists()
    plan = dividends.disclose(sima_officer, plan, notice_starts_on=REVIEW)
    assert plan.notice_ends_on == date(2025, 10, 10)  # 5 working days
    assert AuditEvent.objects.filter(action__startswith="benefits.plan.").count() == 3


def test_who_drew_up_the_plan_may_not_record_its_review(households, project, revenue, sima_officer):
    plan = plan_for(sima_officer, project, revenue)
    with translation.override("zh-hans"), pytest.raises(DutiesNotSeparated) as refused:
        dividends.approve(sima_officer, plan, reviewed_on=REVIEW, note="村民代表会议通过")
    assert refused.value.code == "separation_of_duties" and "state" in refused.value.fields
    assert refused.value.message == "职责分离：分配方案的制定人不得同时登记该方案的村级审议。"
    plan.refresh_from_db()
    assert plan.state == PlanState.DRAFT and plan.reviewed_on is None
    assert not AuditEvent.objects.filter(action="benefits.plan.approve").exists()


def test_review_and_notice_guards(households, project, revenue, sima_officer):
    plan = plan_for(sima_officer, project, revenue)
    with pytest.raises(TransitionRefused):
        dividends.disclose(sima_officer, plan, notice_starts_on=REVIEW)
    with pytest.raises(DomainError) as refused:
        dividends.approve(village_reviewer(), plan, reviewed_on=REVIEW, note=" ")
    assert list(refused.value.fields) == ["review_note"]
    with pytest.raises(DomainError, match="未来"):
        dividends.approve(village_reviewer(), plan, reviewed_on=date(2099, 1, 1), note="通过")
    with pytest.raises(DomainError) as refused:
        dividends.approve(village_reviewer(), plan, reviewed_on=date(2025, 1, 1), note="通过")
    assert list(refused.value.fields) == ["reviewed_on"]
    plan = dividends.approve(village_reviewer(), plan, reviewed_on=REVIEW, note="通过")
    with pytest.raises(DomainError) as refused:
        dividends.disclose(sima_officer, plan, notice_starts_on=date(2025, 9, 1))
    assert list(refused.value.fields) == ["notice_starts_on"]
    with pytest.raises(TransitionRefused):
        dividends.approve(village_reviewer(), plan, reviewed_on=REVIEW, note="再次通过")
    assert DistributionPlan.objects.get().state == PlanState.APPROVED


# --- Payments -----------------------------------------------------------------------------------
@pytest.fixture
def plan(households, project, revenue, sima_officer):
    return on_notice(plan_for(sima_officer, project, revenue, collective_share="830.00"), sima_officer)


def test_paying_every_line_pays_the_plan_in_full(plan, sima_officer):
    lines = list(plan.lines.all())
    entries = [
        {"household_id": line.household_id, "amount": str(line.amount), "paid_on": date(2025, 10, 10)}
        | ({"recipient": line.recipient} if not line.household_id else {})
        | {"channel": "bank", "voucher": f"凭证{line.pk}"}
        for line in lines
    ]
    dividends.record_payments(sima_officer, plan, entries[:3])
    plan.refresh_from_db()
    assert plan.state == PlanState.PAYING
    dividends.record_payments(sima_officer, plan, entries[3:])
    plan.refresh_from_db()
    assert plan.state == PlanState.PAID and plan.paid_on == date(2025, 10, 10) and not plan.paid_late
    assert sum(Payment.objects.values_list("amount", flat=True)) == plan.total == Decimal("17830.00")
    # The payee is the head, a living member; the collective's line has no member.
    head_payment = Payment.objects.get(line__household=lines[0].household_id)
    assert head_payment.payee_id == lines[0].household.head_id
    assert Payment.objects.get(line__recipient="collective").payee_id is None
    # One event per batch, listing every payment of it.
    batches = AuditEvent.objects.filter(action="benefits.payment.record").order_by("seq")
    assert [e.after["count"] for e in batches] == [3, 5]
    assert sum(len(e.after["payments"]) for e in batches) == 8
    assert batches[0].after["payments"][0][1] == lines[0].household.number
    assert AuditEvent.objects.filter(action="benefits.plan.paid").count() == 1
    assert dividends.plan_totals(plan)["unpaid"] == Decimal("0.00")


def test_a_household_is_paid_once(plan, sima_officer):
    line = plan.lines.filter(recipient="household").first()
    pay(sima_officer, plan, line)
    with pytest.raises(TransitionRefused, match="已在本方案中领取"):
        pay(sima_officer, plan, line)
    other = plan.lines.filter(recipient="household")[1]
    twice = [
        {
            "household_id": other.household_id,
            "amount": str(other.amount),
            "paid_on": REVIEW,
            "channel": "cash",
        }
    ] * 2
    with pytest.raises(DomainError):  # twice in one batch: the whole batch is refused
        dividends.record_payments(sima_officer, plan, twice)
    assert Payment.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (lambda line: {"amount": str(line.amount + Decimal("0.01"))}, "amount", "超过"),
        (lambda line: {"amount": str(line.amount - Decimal("0.01"))}, "amount", "全额"),
        (lambda line: {"paid_on": date(2025, 10, 8)}, "paid_on", "公示"),
        (lambda line: {"paid_on": date(2099, 1, 1)}, "paid_on", "未来"),
        (lambda line: {"channel": "wechat"}, "channel", "银行"),
    ],
)
def test_bad_payments_write_nothing(plan, sima_officer, change, field, message):
    line = plan.lines.filter(recipient="household").first()
    with pytest.raises(DomainError, match=message) as refused:
        pay(sima_officer, plan, line, **change(line))
    assert list(refused.value.fields) == [field]
    assert not Payment.objects.exists()
    plan.refresh_from_db()
    assert plan.state == PlanState.DISCLOSED


def test_a_payment_outside_the_plan_is_refused(plan, sima_officer):
    stranger = make_household(sima_officer, 30)
    with pytest.raises(DomainError, match="不在本分配方案中") as refused:
        dividends.record_payments(
            sima_officer,
            plan,
            [{"household_id": stranger.pk, "amount": "10.00", "paid_on": REVIEW, "channel": "cash"}],
        )
    assert list(refused.value.fields) == ["household_id"]


def test_a_deceased_member_is_never_a_payee(plan, sima_officer):
    line = plan.lines.filter(recipient="household", persons__gte=2).first()
    head = line.household.head
    Member.objects.filter(pk=head.pk).update(deceased=True, deceased_on=date(2025, 10, 1))
    with pytest.raises(DomainError, match="已故") as refused:
        pay(sima_officer, plan, line, payee_id=head.pk)
    assert list(refused.value.fields) == ["payee_id"]
    # Without a named payee the money goes to a living member instead of the dead head.
    (payment,) = pay(sima_officer, plan, line)
    assert payment.payee_id != head.pk and not payment.payee.deceased


def test_a_household_with_no_living_member_cannot_be_paid(plan, sima_officer):
    line = plan.lines.filter(recipient="household").first()
    line.household.members.update(deceased=True)
    with pytest.raises(DomainError, match="没有在世成员"):
        pay(sima_officer, plan, line)


def test_payments_wait_for_the_notice(households, project, revenue, sima_officer):
    plan = plan_for(sima_officer, project, revenue)
    dividends.approve(village_reviewer(), plan, reviewed_on=REVIEW, note="通过")
    with pytest.raises(TransitionRefused):
        pay(sima_officer, plan, plan.lines.first())


def test_a_plan_paid_after_its_deadline_is_late(plan, sima_officer):
    entries = [
        {"household_id": line.household_id, "recipient": line.recipient, "amount": str(line.amount)}
        | {"paid_on": date(2025, 10, 20), "channel": "bank"}
        for line in plan.lines.all()
    ]
    dividends.record_payments(sima_officer, plan, entries)
    plan.refresh_from_db()
    assert plan.state == PlanState.PAID and plan.paid_late and not plan.is_overdue(date(2025, 11, 1))


def test_a_paid_plan_cannot_be_cancelled(plan, sima_officer):
    pay(sima_officer, plan, plan.lines.filter(recipient="household").first())
    with pytest.raises(TransitionRefused):
        dividends.cancel(sima_officer, plan, reason="撤销")


def test_household_dividends_lists_what_it_received(plan, households, sima_officer):
    line = plan.lines.get(household=households[0])
    pay(sima_officer, plan, line)
    (dividend,) = dividends.household_dividends(households[0])
    assert dividend.amount == line.amount and dividend.payment.paid_on == date(2025, 10, 10)
