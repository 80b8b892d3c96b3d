"""Distribution plans and dividend payments (收益分配, "收益台账准确，发放及时").

A plan divides one revenue entry of a project: fixed shares to the village collective and to the
public-welfare posts first, the rest among the project's registered beneficiary households by the plan's
method, to the fen. Then: village review (村民代表会议) → notice (公示) → payments, one per line, each the
line's share in full and to a living member of the household. A plan not paid in full within the policy's
working days after the review is overdue (发放不及时).

Each write is one audited transaction; a refused write raises DomainError naming the field, and nothing is
written.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Count, Max, Q, Sum
from django.utils.translation import gettext as _

from fupin.core import audit, clock, inputs, policy
from fupin.core.duties import ensure_different_person
from fupin.core.errors import DomainError, TransitionRefused
from fupin.core.money import parse_amount
from fupin.core.scope import require_role
from fupin.core.workdays import add_working_days
from fupin.projects.models import Project
from fupin.registry.enums import Status
from fupin.registry.models import Household, Member

from .distribution import household_pool, split, to_fen
from .enums import PLANS, WRITERS, Channel, Method, PlanState, Recipient
from .models import DistributionLine, DistributionPlan, Payment, Revenue

ZERO = Decimal("0.00")
# Households that receive dividends; those lifted out and no longer supported only when the policy says so.
SUPPORTED = (Status.NOT_LIFTED, Status.LIFTED_WITH_POLICY, Status.RELAPSED)


def eligible_statuses(project: Project) -> tuple[str, ...]:
    if policy.value("dividend_keep_exited", project.region_code, project.year):
        return (*SUPPORTED, Status.LIFTED)
    return SUPPORTED


def _share(value, field) -> Decimal:
    if value in (None, ""):
        return ZERO
    return parse_amount(value, field, allow_zero=True)


def _factor(value, household: Household) -> int:
    """A weighting factor with at most two decimals, as a whole number of hundredths."""
    try:
        factor = Decimal(str(value).strip())
    except InvalidOperation:
        factor = None
    if factor is None or not factor.is_finite() or factor <= 0 or factor.as_tuple().exponent < -2:
        raise DomainError(
            _("Household %(number)s: the factor must be a positive number with at most 2 decimals.")
            % {"number": household.number},
            field="weights",
        )
    return int(factor * 100)


# What a plan's lines and the refusals read of a household (create_plan loads no more, for speed).
PLAN_FIELDS = ("id", "number", "region_code", "status")


def beneficiaries(project: Project, household_ids=None, *, plan_fields_only=False) -> list[Household]:
    """The households of the plan with their living members counted, in household-number order. Given
    ids must all be eligible, else the first one that is not is named with the reason. With
    `plan_fields_only` the households carry only PLAN_FIELDS and `living` (no head), as the plan needs."""
    statuses = eligible_statuses(project)
    households = project.beneficiaries.annotate(
        living=Count("members", filter=Q(members__deceased=False, members__left_household=False))
    ).order_by("number", "id")
    households = households.only(*PLAN_FIELDS) if plan_fields_only else households.select_related("head")
    if household_ids is None:
        return [h for h in households.filter(status__in=statuses) if h.living > 0]
    wanted = list(dict.fromkeys(household_ids))
    found = {h.pk: h for h in households.filter(pk__in=wanted)}
    for pk in wanted:
        household = found.get(pk)
        if household is None:
            number = Household.objects.filter(pk=pk).values_list("number", flat=True).first() or pk
            raise DomainError(
                _("Household %(number)s is not a registered beneficiary of this project.")
                % {"number": number},
                field="household_ids",
                code="not_a_beneficiary",
            )
        if household.status not in statuses:
            raise DomainError(
                _("Household %(number)s has the status “%(status)s”: it receives no dividends.")
                % {"number": household.number, "status": household.get_status_display()},
                field="household_ids",
                code="not_a_beneficiary",
            )
        if household.living == 0:
            raise DomainError(
                _("Household %(number)s has no living member.") % {"number": household.number},
                field="household_ids",
                code="not_a_beneficiary",
            )
    return sorted(found.values(), key=lambda h: (h.number, h.pk))


def _weights(method: str, households: list[Household], factors) -> list[int]:
    if method == Method.EQUAL:
        return [1] * len(households)
    if method == Method.PER_CAPITA:
        return [h.living for h in households]
    factors = {int(k): v for k, v in (factors or {}).items()}
    weights = []
    for household in households:
        if household.pk not in factors:
            raise DomainError(
                _("Household %(number)s has no factor.") % {"number": household.number}, field="weights"
            )
        weights.append(_factor(factors[household.pk], household))
    return weights


@transaction.atomic
def create_plan(
    actor,
    project: Project,
    *,
    revenue: Revenue,
    method: str,
    total=None,
    collective_share=None,
    welfare_share=None,
    household_ids=None,
    weights=None,
) -> DistributionPlan:
    """Draw up a distribution plan for one revenue entry of the project.

    `total` defaults to the revenue's amount and may not exceed it. Without `household_ids` every eligible
    beneficiary household of the project is in the plan (registered, supported unless the policy keeps
    exited households on, with a living member). The method weighs each household: 1 (equal), its living
    members (per capita) or its factor from `weights` {household id: factor} (weighted); "shares" pays only
    the fixed shares, which must then add up to the total. Side effects: the plan, its lines, one audit event.
    """
    require_role(actor, *WRITERS)
    if method not in Method.values:
        raise DomainError(
            _("Choose equal per household, per capita, weighted by factors or fixed shares only."),
            field="method",
        )
    revenue = Revenue.objects.select_for_update().get(pk=revenue.pk)
    if revenue.project_id != project.pk:
        raise DomainError(_("The revenue entry belongs to another project."), field="revenue_id")
    if revenue.reverses_id is not None or Revenue.objects.filter(reverses=revenue).exists():
        raise TransitionRefused(_("A reversed revenue entry cannot be distributed."), field="revenue_id")
    if revenue.distribution_plans.exclude(state=PlanState.CANCELLED).exists():
        raise TransitionRefused(
            _("This revenue entry already has a distribution plan."), field="revenue_id", code="plan_exists"
        )
    total = revenue.amount if total in (None, "") else parse_amount(total, "total")
    if total > revenue.amount:
        raise DomainError(
            _("The plan's total (%(total)s yuan) exceeds the revenue entry of %(amount)s yuan.")
            % {"total": total, "amount": revenue.amount},
            field="total",
        )
    collective = _share(collective_share, "collective_share")
    welfare = _share(welfare_share, "welfare_share")
    pool = household_pool(total, collective, welfare, shares_only=method == Method.SHARES)
    households, weights_, amounts = [], [], []
    if method != Method.SHARES:
        if pool == 0:
            raise DomainError(
                _("The fixed shares take the whole total: nothing is left for the households."),
                field="collective_share",
                code="shares_do_not_add_up",
            )
        households = beneficiaries(project, household_ids, plan_fields_only=True)
        weights_ = _weights(method, households, weights)
        amounts = split(pool, weights_)
    plan = DistributionPlan.objects.create(
        project=project,
        revenue=revenue,
        region_code=project.region_code,
        method=method,
        total=total,
        collective_share=collective,
        welfare_share=welfare,
        created_by=actor,
    )
    lines = [
        DistributionLine(
            plan_id=plan.pk,
            recipient=Recipient.HOUSEHOLD,
            household_id=household.pk,
            region_code=household.region_code,
            weight=weight,
            persons=household.living,
            amount=amount,
        )
        for household, weight, amount in zip(households, weights_, amounts, strict=True)
    ]
    for recipient, amount in ((Recipient.COLLECTIVE, collective), (Recipient.WELFARE, welfare)):
        if amount > 0:
            lines.append(
                DistributionLine(
                    plan=plan, recipient=recipient, region_code=project.region_code, amount=amount
                )
            )
    DistributionLine.objects.bulk_create(lines, batch_size=2000)
    audit.record(
        actor=actor,
        action="benefits.plan.create",
        region_code=project.region_code,
        target=plan,
        after={
            "revenue": revenue.pk,
            "method": method,
            "total": total,
            "collective_share": collective,
            "welfare_share": welfare,
            "households": len(households),
            "households_total": sum(amounts, ZERO),
        },
    )
    return plan


def _lock(plan: DistributionPlan) -> DistributionPlan:
    return DistributionPlan.objects.select_for_update().get(pk=plan.pk)


def _date(value, field) -> date:
    labels = {"paid_on": _("date paid"), "notice_starts_on": _("Notice posted on"), "reviewed_on": _("Date")}
    if value in (None, ""):
        raise DomainError(_("This field is required."), field=field)
    value = inputs.date_value(value, field, labels.get(field))
    if value > clock.today():
        raise DomainError(_("The date lies in the future."), field=field)
    return inputs.payment_date(value, field, labels.get(field))  # and not before 2000


@transaction.atomic
def approve(actor, plan: DistributionPlan, *, reviewed_on, note) -> DistributionPlan:
    """Record the village review that approved the plan; from that day the payment deadline runs
    (`dividend_payment_days` working days)."""
    plan = _lock(plan)
    step = PLANS.check(actor, plan, "approve")
    ensure_different_person(
        actor,
        plan.created_by_id,
        _("who drew up the distribution plan may not also record its village review"),
    )
    reviewed_on = _date(reviewed_on, "reviewed_on")
    if reviewed_on < plan.revenue.received_on:
        raise DomainError(_("The review cannot precede the revenue it distributes."), field="reviewed_on")
    if not (note or "").strip():
        raise DomainError(
            _("Record the village review: meeting, attendance and the votes."), field="review_note"
        )
    days = policy.value("dividend_payment_days", plan.region_code, reviewed_on.year)
    plan.state = step.target
    plan.reviewed_on, plan.review_note = reviewed_on, note.strip()
    plan.payment_deadline = add_working_days(reviewed_on, days)
    plan.save(update_fields=["state", "reviewed_on", "review_note", "payment_deadline"])
    audit.record(
        actor=actor,
        action="benefits.plan.approve",
        region_code=plan.region_code,
        target=plan,
        after={"reviewed_on": reviewed_on, "payment_deadline": plan.payment_deadline},
        note=plan.review_note,
    )
    return plan


@transaction.atomic
def disclose(actor, plan: DistributionPlan, *, notice_starts_on) -> DistributionPlan:
    """Put the approved plan on public notice for the policy's days (names masked on the notice)."""
    plan = _lock(plan)
    step = PLANS.check(actor, plan, "disclose")
    starts_on = _date(notice_starts_on, "notice_starts_on")
    if starts_on < plan.reviewed_on:
        raise DomainError(_("The notice cannot start before the village review."), field="notice_starts_on")
    days = policy.value("dividend_notice_days", plan.region_code, starts_on.year)
    plan.state = step.target
    plan.notice_starts_on, plan.notice_ends_on = starts_on, add_working_days(starts_on, days)
    plan.save(update_fields=["state", "notice_starts_on", "notice_ends_on"])
    audit.record(
        actor=actor,
        action="benefits.plan.disclose",
        region_code=plan.region_code,
        target=plan,
        after={"notice_starts_on": starts_on, "notice_ends_on": plan.notice_ends_on},
    )
    return plan


@transaction.atomic
def cancel(actor, plan: DistributionPlan, *, reason) -> DistributionPlan:
    """Withdraw a plan nothing has been paid from; its revenue entry can then be planned again."""
    plan = _lock(plan)
    step = PLANS.check(actor, plan, "cancel", reason=reason)
    before = plan.state
    plan.state, plan.reason = step.target, reason.strip()
    plan.save(update_fields=["state", "reason"])
    audit.record(
        actor=actor,
        action="benefits.plan.cancel",
        region_code=plan.region_code,
        target=plan,
        before={"state": before},
        after={"state": plan.state},
        note=plan.reason,
    )
    return plan


@dataclass(frozen=True)
class _Line:
    """What paying a line needs of it: read as plain values, since a batch holds ten thousand lines."""

    pk: int
    household_id: int | None
    recipient: str
    amount: Decimal
    region_code: str
    number: str | None  # the household's number, for messages and the audit
    head_id: int | None

    @property
    def who(self) -> str:
        return self.number if self.household_id else str(Recipient(self.recipient).label)


LINE_FIELDS = (
    "id",
    "household_id",
    "recipient",
    "amount",
    "region_code",
    "household__number",
    "household__head_id",
)


def _payee(line: _Line, payee_id, living: dict[int, list[tuple[int, str]]]) -> tuple[int | None, str]:
    """The living member of the line's household who receives the money (default: the head), as its id
    and name; the collective's and the posts' shares have no member."""
    if line.household_id is None:
        return None, line.who
    if payee_id not in (None, ""):
        member = Member.objects.filter(pk=payee_id, household_id=line.household_id).first()
        if member is None:
            raise DomainError(
                _("Household %(number)s: the payee is not a member of the household.") % {"number": line.who},
                field="payee_id",
            )
        if member.deceased:
            raise DomainError(
                _("Household %(number)s: %(name)s is deceased and cannot receive the payment.")
                % {"number": line.who, "name": member.name},
                field="payee_id",
                code="payee_deceased",
            )
        if member.left_household:
            raise DomainError(
                _("Household %(number)s: %(name)s has left the household.")
                % {"number": line.who, "name": member.name},
                field="payee_id",
            )
        return member.pk, member.name
    members = living.get(line.household_id)
    if not members:
        raise DomainError(
            _("Household %(number)s has no living member to receive the payment.") % {"number": line.who},
            field="payee_id",
            code="payee_deceased",
        )
    return next((m for m in members if m[0] == line.head_id), members[0])


@transaction.atomic
def record_payments(actor, plan: DistributionPlan, payments: list[dict]) -> list[Payment]:
    """Record payments of the plan's lines: each entry names the line by `household_id` (or `recipient`
    "collective"/"welfare"), the `amount`, `paid_on`, `channel`, and optionally `account`, `voucher`,
    `payee_id`.

    Refused, for the whole batch: a household not in the plan; a line already paid (a household is paid
    once per plan); an amount other than the line's share (never more, and in full); a payee who is
    deceased, gone or not of the household; a date before the notice ended or in the future; a plan not
    on notice. When every line is paid the plan is paid in full. Side effects: the payments, one audit
    event for the batch listing each payment (and one when the plan is paid in full), the plan's state.
    """
    plan = _lock(plan)
    PLANS.check(actor, plan, "pay")
    if not payments:
        raise DomainError(_("No payment given."), field="payments")
    book = _PaymentBook.of(plan, payments)
    rows = [book.check(entry, actor) for entry in payments]
    Payment.objects.bulk_create(rows, batch_size=2000)
    audit.record_many(_settle(actor, plan, rows, book))
    return rows


@dataclass
class _PaymentBook:
    """What checking a batch needs, read once: the plan's lines, those already paid, the living members of
    the households paid, and each distinct payment date checked once (a batch mostly shares one)."""

    plan: DistributionPlan
    lines: list[_Line]
    by_household: dict[int, _Line]
    by_recipient: dict[str, _Line]
    paid: set[int]
    living: dict[int, list[tuple[int, str]]]
    dates: dict = field(default_factory=dict)
    recorded: list = field(default_factory=list)  # [line, who, amount, paid_on, payee] for the audit

    @classmethod
    def of(cls, plan: DistributionPlan, payments: list[dict]) -> "_PaymentBook":
        lines = [_Line(*row) for row in plan.lines.order_by().values_list(*LINE_FIELDS)]
        return cls(
            plan=plan,
            lines=lines,
            by_household={line.household_id: line for line in lines if line.household_id},
            by_recipient={line.recipient: line for line in lines if not line.household_id},
            paid=set(Payment.objects.filter(plan=plan).order_by().values_list("line_id", flat=True)),
            living=_living_members(plan, payments),
        )

    def check(self, entry: dict, actor) -> Payment:
        """The payment of one entry, after every check of its line, amount, date, channel and payee."""
        line = _line(entry, self.by_household, self.by_recipient)
        if line.pk in self.paid:
            raise TransitionRefused(
                _("%(who)s has already been paid under this plan.") % {"who": line.who},
                field="household_id",
                code="already_paid",
            )
        amount = _share_in_full(line, entry.get("amount"))
        paid_on = self._paid_on(entry.get("paid_on"))
        channel = entry.get("channel") or ""
        if channel not in Channel.values:
            raise DomainError(_("Choose bank transfer, benefits card or cash with receipt."), field="channel")
        payee_id, payee_name = _payee(line, entry.get("payee_id"), self.living)
        self.paid.add(line.pk)
        self.recorded.append([line.pk, line.who, amount, paid_on, payee_name])
        return Payment(
            line_id=line.pk,
            plan_id=self.plan.pk,
            region_code=line.region_code,
            amount=amount,
            paid_on=paid_on,
            channel=channel,
            account=(entry.get("account") or "").strip()[:40],
            voucher=(entry.get("voucher") or "").strip()[:60],
            payee_id=payee_id,
            payee_name=payee_name,
            created_by_id=actor.pk,
        )

    def _paid_on(self, raw) -> date:
        paid_on = self.dates.get(raw) if isinstance(raw, (str, date)) else None
        if paid_on is None:
            paid_on = _date(raw, "paid_on")
            if isinstance(raw, (str, date)):
                self.dates[raw] = paid_on
        if paid_on < self.plan.notice_ends_on:
            raise DomainError(
                _("Payments start when the notice has ended on %(day)s.") % {"day": self.plan.notice_ends_on},
                field="paid_on",
            )
        return paid_on


def _living_members(plan: DistributionPlan, payments: list[dict]) -> dict[int, list[tuple[int, str]]]:
    """Household id → its living members (id, name), for the households the batch pays."""
    wanted = [p.get("household_id") for p in payments if p.get("household_id")]
    if len(wanted) > 500:  # a large batch: the plan's households by a join, not ten thousand parameters
        wanted = plan.lines.filter(household__isnull=False).values("household_id")
    living = defaultdict(list)
    for member_id, household_id, name in (
        Member.objects.living()
        .filter(household_id__in=wanted)
        .order_by("id")
        .values_list("id", "household_id", "name")
    ):
        living[household_id].append((member_id, name))
    return living


def _share_in_full(line: _Line, raw) -> Decimal:
    """The amount paid, which must be the line's share: never more, and in full."""
    amount = parse_amount(raw, "amount")
    if amount > line.amount:
        raise DomainError(
            _("%(who)s: %(amount)s yuan exceeds the share of %(share)s yuan.")
            % {"who": line.who, "amount": amount, "share": line.amount},
            field="amount",
            code="exceeds_share",
        )
    if amount < line.amount:
        raise DomainError(
            _("%(who)s: the share of %(share)s yuan is paid in full, not %(amount)s yuan.")
            % {"who": line.who, "amount": amount, "share": line.amount},
            field="amount",
        )
    return amount


def _settle(actor, plan: DistributionPlan, rows: list[Payment], book: _PaymentBook) -> list[dict]:
    """Move the plan to paying, or to paid when every line is paid, and return the batch's audit events.

    One event for the batch, as one person recorded it (a bank statement, a day's cash receipts): it
    holds every payment (line, household, amount, date, payee), so the chain seals each one."""
    events = [
        {
            "actor": actor,
            "action": "benefits.payment.record",
            "region_code": plan.region_code,
            "target": plan,
            "after": {
                "count": len(rows),
                "amount": sum((row.amount for row in rows), ZERO),
                "payments": book.recorded,
            },
        }
    ]
    if len(book.paid) == len(book.lines):
        plan.state = PlanState.PAID
        # An aggregate, not the model's ordering (two joins): with 10,000 payments on PostgreSQL the ordered
        # list took seconds.
        plan.paid_on = Payment.objects.filter(plan=plan).aggregate(last=Max("paid_on"))["last"]
        events.append(
            {
                "actor": actor,
                "action": "benefits.plan.paid",
                "region_code": plan.region_code,
                "target": plan,
                "after": {"paid_on": plan.paid_on, "late": plan.paid_late},
            }
        )
    else:
        plan.state = PlanState.PAYING
    plan.save(update_fields=["state", "paid_on"])
    return events


def _line(entry: dict, by_household: dict, by_recipient: dict) -> _Line:
    household_id = entry.get("household_id")
    if household_id:
        line = by_household.get(int(household_id))
        if line is None:
            number = Household.objects.filter(pk=household_id).values_list("number", flat=True).first()
            raise DomainError(
                _("Household %(number)s is not in this plan.") % {"number": number or household_id},
                field="household_id",
                code="not_in_plan",
            )
        return line
    line = by_recipient.get(entry.get("recipient"))
    if line is None:
        raise DomainError(_("Name the household or the share that is paid."), field="household_id")
    return line


def plan_totals(plan: DistributionPlan) -> dict:
    """What the plan holds and what has been paid, for its page and the API."""
    done = Payment.objects.filter(plan=plan).order_by().aggregate(paid=Sum("amount"), lines=Count("id"))
    paid = to_fen(done["paid"])
    return {
        "lines": plan.lines.count(),
        "paid_lines": done["lines"],
        "paid": paid,
        "unpaid": plan.total - paid,
    }


def household_dividends(household: Household):
    """Every dividend line of the household, with its plan, project and payment (for its page)."""
    return (
        DistributionLine.objects.filter(household=household)
        .exclude(plan__state=PlanState.CANCELLED)
        .select_related("plan__project", "plan__revenue", "payment")
        .order_by("-plan__created_at")
    )
