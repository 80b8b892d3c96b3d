"""Writes of the funds module. Each is one audited transaction; a refused write raises DomainError.

Invariants (DESIGN.md §4 "Funds"): the allocations of a source never exceed it, the payments of an
allocation never exceed it, also under concurrent requests. An allocation locks its source row and a
payment locks its allocation row (`SELECT … FOR UPDATE`) before reading the balance, so that writers of
one source or allocation queue up on PostgreSQL; on SQLite the single writer lock serialises them. Check
constraints on the running totals refuse an overdraft written past the services.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from fupin.core import access, audit, clock, inputs, policy
from fupin.core.access import Action
from fupin.core.duties import ensure_different_person
from fupin.core.errors import DomainError, TransitionRefused
from fupin.core.models import Region
from fupin.core.money import parse_amount
from fupin.core.scope import require_role
from fupin.projects import services as projects
from fupin.projects.enums import FUNDABLE_STATES, PAYABLE_STATES, RETENTION_STATES, ProjectState
from fupin.projects.models import Project

from .enums import FundLevel, Grade, grade_for
from .models import Allocation, Disbursement, Evaluation, FundSource

WRITERS = access.roles_for(Action.WRITE_FUNDS)


def _text(value, field) -> str:
    if not (value or "").strip():
        raise DomainError(_("This field is required."), field=field)
    return value.strip()


def _insufficient(available, what) -> DomainError:
    return DomainError(
        _("Insufficient funds: only %(available)s yuan %(what)s.") % {"available": available, "what": what},
        field="amount",
        code="insufficient_funds",
    )


@transaction.atomic
def create_source(actor, *, level, year, document_no, title, amount, received_on=None) -> FundSource:
    require_role(actor, *WRITERS)
    if level not in FundLevel.values:
        raise DomainError(_("Choose central, provincial, municipal or county."), field="level")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise DomainError(_("The year must lie between 2000 and 2100."), field="year")
    source = FundSource.objects.create(
        region_code=actor.region_id[:6].ljust(12, "0"),
        level=level,
        year=year,
        document_no=_text(document_no, "document_no"),
        title=_text(title, "title"),
        amount=parse_amount(amount),
        received_on=received_on or clock.today(),
    )
    audit.record(
        actor=actor,
        action="funds.source.create",
        region_code=source.region_code,
        target=source,
        after=audit.snapshot(source, ["level", "year", "document_no", "title", "amount", "received_on"]),
    )
    return source


@transaction.atomic
def allocate(
    actor, *, source: FundSource, project: Project, amount, allocated_on=None, document_no=""
) -> Allocation:
    """Assign money of a source to a project; never more than the source still holds, never more in
    all than the project's approved budget. The project row is locked first, then the source: two
    allocations to one project queue up, so their sum cannot pass the budget."""
    require_role(actor, *WRITERS)
    amount = parse_amount(amount)
    project = Project.objects.select_for_update().get(pk=project.pk)  # the state as it is now
    if project.state not in FUNDABLE_STATES:
        raise TransitionRefused(
            _("Funds cannot be allocated to a project that is “%(state)s”.")
            % {"state": project.get_state_display()},
            field="project_id",
        )
    if project.region_code[:6] != source.region_code[:6]:
        raise DomainError(_("The project lies outside this source's county."), field="project_id")
    already = allocated_to(project)
    projects.require_within_budget(project, already + amount, _("The allocations to this project"))
    source = FundSource.objects.select_for_update().get(pk=source.pk)
    if amount > source.available:
        raise _insufficient(
            source.available, _("remain unallocated in %(source)s") % {"source": source.document_no}
        )
    source.allocated += amount
    source.save(update_fields=["allocated"])
    allocation = Allocation.objects.create(
        source=source,
        project=project,
        region_code=project.region_code,
        amount=amount,
        net_amount=amount,
        allocated_on=allocated_on or clock.today(),
        document_no=(document_no or "").strip(),
        created_by=actor,
    )
    audit.record(
        actor=actor,
        action="funds.allocation.create",
        region_code=project.region_code,
        target=allocation,
        after={
            "source": source.pk,
            "project": project.pk,
            "amount": amount,
            "source_available": source.available,
        },
    )
    return allocation


def allocated_to(project: Project) -> Decimal:
    """Net amount allocated to the project (reversals already taken off the originals)."""
    rows = Allocation.objects.filter(project=project, reverses__isnull=True).values_list(
        "net_amount", flat=True
    )
    return sum(rows, Decimal("0.00"))


@transaction.atomic
def reverse_allocation(actor, allocation: Allocation, *, amount, reason) -> Allocation:
    """Correct an allocation by a reversing entry: the unpaid part goes back to the source."""
    require_role(actor, *WRITERS)
    amount = parse_amount(amount)
    reason = _text(reason, "reason")
    if allocation.reverses_id is not None:
        raise DomainError(
            _("A reversal cannot itself be reversed; allocate again instead."), field="allocation_id"
        )
    source = FundSource.objects.select_for_update().get(pk=allocation.source_id)
    original = Allocation.objects.select_for_update().get(pk=allocation.pk)
    if amount > original.available:
        raise _insufficient(original.available, _("of this allocation are unpaid and can be reversed"))
    original.net_amount -= amount
    original.save(update_fields=["net_amount"])
    source.allocated -= amount
    source.save(update_fields=["allocated"])
    entry = Allocation.objects.create(
        source=source,
        project_id=original.project_id,
        region_code=original.region_code,
        amount=-amount,
        net_amount=-amount,
        allocated_on=clock.today(),
        reverses=original,
        reason=reason,
        created_by=actor,
    )
    audit.record(
        actor=actor,
        action="funds.allocation.reverse",
        region_code=original.region_code,
        target=original,
        after={"reversal": entry.pk, "amount": -amount, "net_amount": original.net_amount},
        note=reason,
    )
    return entry


@transaction.atomic
def disburse(
    actor, *, allocation: Allocation, amount, paid_on, payee, voucher_no, retention: bool = False
) -> Disbursement:
    """Pay against an allocation: once the start of work is approved, dated within the source's years up
    to today, with a voucher number not used before in the county, by another person than the one who
    allocated (maker-checker); never more than the allocation still holds. In operation only retention
    money (质保金), within the warranty of a contract."""
    require_role(actor, *WRITERS)
    amount = parse_amount(amount)
    payee, voucher_no = _text(payee, "payee"), _text(voucher_no, "voucher_no")
    paid_on = inputs.payment_date(paid_on, "date", _("payment date"))
    if paid_on is None:
        raise DomainError(_("This field is required."), field="date")
    if allocation.reverses_id is not None:
        raise DomainError(
            _("Payments go against an allocation, not against its reversal."), field="allocation_id"
        )
    locked = Allocation.objects.select_for_update().select_related("project", "source").get(pk=allocation.pk)
    project = locked.project
    ensure_different_person(
        actor,
        locked.created_by_id,
        _("who allocated the funds may not also record the payment of that allocation"),
        field="allocation_id",
    )
    _require_payable(project, paid_on, retention)
    _require_payment_date(locked.source, paid_on)
    _require_new_voucher(locked.region_code, voucher_no)
    if amount > locked.available:
        raise _insufficient(locked.available, _("of this allocation remain unpaid"))
    locked.paid += amount
    locked.last_paid_on = max(filter(None, [locked.last_paid_on, paid_on]))
    locked.save(update_fields=["paid", "last_paid_on"])
    payment = Disbursement.objects.create(
        allocation=locked,
        region_code=locked.region_code,
        amount=amount,
        paid_on=paid_on,
        payee=payee,
        voucher_no=voucher_no,
        retention=retention,
        created_by=actor,
    )
    audit.record(
        actor=actor,
        action="funds.disbursement.create",
        region_code=locked.region_code,
        target=payment,
        after={
            "allocation": locked.pk,
            "amount": amount,
            "payee": payee,
            "voucher_no": voucher_no,
            "paid_on": paid_on,
            "retention": retention,
        },
    )
    return payment


def _require_payable(project: Project, paid_on: date, retention: bool) -> None:
    states = RETENTION_STATES if retention else PAYABLE_STATES
    if project.state not in states:
        if project.state in {ProjectState.PLANNED, ProjectState.START_REQUESTED, ProjectState.LIBRARY}:
            message = _(
                "No payments before the start of work is approved (开工报请); the project is “%(state)s”."
            )
        elif project.state == ProjectState.OPERATING:
            message = _("A project in operation is paid only retention money (质保金) within the warranty.")
        else:
            message = _("No payments to a project that is “%(state)s”.")
        raise TransitionRefused(message % {"state": project.get_state_display()}, field="allocation_id")
    if project.state == ProjectState.OPERATING:
        warranty = max(
            filter(None, project.procurements.values_list("warranty_ends_on", flat=True)), default=None
        )
        if warranty is None or paid_on > warranty:
            raise TransitionRefused(
                _("Retention money is paid within the contract's warranty (until %(date)s).")
                % {"date": warranty or "—"},
                field="date",
            )


def _require_payment_date(source: FundSource, paid_on: date) -> None:
    if paid_on.year < source.year:
        raise DomainError(
            _("The payment date lies before the year %(year)s of the source %(source)s.")
            % {"year": source.year, "source": source.document_no},
            field="date",
        )
    if paid_on > clock.today():
        raise DomainError(_("The payment date cannot lie in the future."), field="date")


def _require_new_voucher(region_code: str, voucher_no: str) -> None:
    """A voucher number is used once in the county (reversing entries repeat the one they reverse).
    Payments of one county queue on the county's region row (its voucher book), so that two payments
    of different allocations cannot both take the same number."""
    Region.objects.select_for_update().filter(code=region_code[:6].ljust(12, "0")).first()
    earlier = (
        Disbursement.objects.within(region_code[:6])
        .filter(voucher_no=voucher_no, reverses__isnull=True)
        .order_by("id")
        .first()
    )
    if earlier is not None:
        raise DomainError(
            _(
                "The voucher number %(voucher)s is already used by the payment of %(amount)s yuan "
                "to %(payee)s on %(date)s."
            )
            % {
                "voucher": voucher_no,
                "amount": earlier.amount,
                "payee": earlier.payee,
                "date": earlier.paid_on,
            },
            field="voucher_no",
            code="duplicate_voucher",
        )


@transaction.atomic
def reverse_disbursement(actor, payment: Disbursement, *, reason) -> Disbursement:
    """Correct a payment by a reversing entry of the same amount; the money is unpaid again."""
    require_role(actor, *WRITERS)
    reason = _text(reason, "reason")
    locked = Allocation.objects.select_for_update().get(pk=payment.allocation_id)
    payment = Disbursement.objects.get(pk=payment.pk)
    if payment.reverses_id is not None or Disbursement.objects.filter(reverses=payment).exists():
        raise TransitionRefused(_("This payment was already reversed."), field="disbursement_id")
    locked.paid -= payment.amount
    locked.save(update_fields=["paid"])
    entry = Disbursement.objects.create(
        allocation=locked,
        region_code=locked.region_code,
        amount=-payment.amount,
        paid_on=clock.today(),
        payee=payment.payee,
        voucher_no=payment.voucher_no,
        reverses=payment,
        reason=reason,
        created_by=actor,
    )
    audit.record(
        actor=actor,
        action="funds.disbursement.reverse",
        region_code=locked.region_code,
        target=payment,
        after={"reversal": entry.pk, "amount": -payment.amount, "allocation_paid": locked.paid},
        note=reason,
    )
    return entry


# --- Performance evaluation (绩效评价) ----------------------------------------------------------------
# The three parts of the score and their points (产出 50, 效益 30, 满意度 20); the indicators of a part
# share its points, each earning them in proportion to actual / target (at most the full share).
PART_POINTS = {"output": Decimal("50"), "benefit": Decimal("30"), "satisfaction": Decimal("20")}
MAX_ADJUSTMENT = Decimal("10")  # an evaluator moves the computed score by at most this, with reasons
DEFAULT_SATISFACTION_TARGET = Decimal("90")
STARTED_STATES = frozenset(
    {
        ProjectState.IMPLEMENTING,
        ProjectState.COMPLETED,
        ProjectState.ACCEPTED,
        ProjectState.HANDED_OVER,
        ProjectState.OPERATING,
    }
)
HUNDRED = Decimal("100")
NOT_EXCELLENT = Decimal("89.99")  # the highest score under "excellent" (grade_for)


def target_indicators(project: Project) -> list[dict]:
    """The targets set at entry (project.indicators); where a part has none, the entry's own figures:
    full completion and payment, the planned households, jobs and yearly dividends, 90% satisfaction."""
    rows = list(project.indicators or [])
    parts = {row["category"] for row in rows}
    if "output" not in parts:
        rows += [
            {"category": "output", "measure": "completion", "target": "100"},
            {"category": "output", "measure": "payment_rate", "target": "100"},
        ]
    if "benefit" not in parts:
        for measure, value in [
            ("households", project.planned_households),
            ("jobs", project.linkage_jobs),
            ("revenue", project.linkage_dividend),
        ]:
            if value:
                rows.append({"category": "benefit", "measure": measure, "target": str(value)})
    if "satisfaction" not in parts:
        rows.append(
            {
                "category": "satisfaction",
                "measure": "satisfaction",
                "target": str(DEFAULT_SATISFACTION_TARGET),
            }
        )
    return rows


def _paid_and_allocated(project: Project) -> tuple[Decimal, Decimal]:
    rows = Allocation.objects.filter(project=project, reverses__isnull=True).values_list("paid", "net_amount")
    paid = sum((p for p, _n in rows), Decimal("0.00"))
    return paid, sum((n for _p, n in rows), Decimal("0.00"))


def _benefits_model(name):
    """The benefits app's ledgers, looked up by name: funds does not import benefits (the app graph)."""
    from django.apps import apps

    try:
        return apps.get_model("benefits", name)
    except LookupError:
        return None


def actual_value(project: Project, measure: str, year: int, satisfaction) -> Decimal:
    """What the project's recorded data say for one measure in the evaluated year."""
    if measure == "completion":
        if project.completed_on is not None:
            return HUNDRED
        last = project.progress_reports.order_by("-reported_on", "-id").first()
        return Decimal(last.percent if last else 0)
    if measure == "payment_rate":
        paid, allocated = _paid_and_allocated(project)
        return (paid / allocated * HUNDRED).quantize(Decimal("0.01")) if allocated else Decimal("0")
    if measure == "households":
        return Decimal(project.beneficiaries.count())
    if measure == "jobs":
        agreements = _benefits_model("EmploymentAgreement")
        if agreements is None:
            return Decimal("0")
        rows = agreements.objects.filter(project=project, starts_on__year__lte=year, ends_on__year__gte=year)
        return Decimal(rows.values("member").distinct().count())
    if measure == "revenue":
        revenues = _benefits_model("Revenue")
        if revenues is None:
            return Decimal("0")
        rows = revenues.objects.filter(project=project, period__startswith=str(year)).values_list(
            "amount", flat=True
        )
        return sum(rows, Decimal("0.00"))
    if measure == "satisfaction":
        return Decimal(satisfaction or 0)
    raise DomainError(_("Unknown indicator “%(measure)s”.") % {"measure": measure}, field="indicators")


def compute_evaluation(project: Project, year: int, satisfaction=None) -> dict:
    """The score the project's data give: each indicator's actual value against its target, the parts
    that have indicators counted to 100. A project never started or never paid stops under excellent."""
    rows = target_indicators(project)
    counts = {part: sum(1 for r in rows if r["category"] == part) for part in PART_POINTS}
    results, earned = [], Decimal("0")
    for row in rows:
        target = Decimal(row["target"])
        actual = actual_value(project, row["measure"], year, satisfaction)
        share = PART_POINTS[row["category"]] / counts[row["category"]]
        ratio = min(actual / target, Decimal("1")) if target > 0 else Decimal("1")
        points = share * max(ratio, Decimal("0"))
        earned += points
        results.append(
            {
                **row,
                "actual": str(actual),
                "points": str(points.quantize(Decimal("0.01"))),
                "max": str(share.quantize(Decimal("0.01"))),
            }
        )
    possible = sum(PART_POINTS[part] for part, count in counts.items() if count)
    score = (earned / possible * HUNDRED).quantize(Decimal("0.01"))
    paid, _allocated = _paid_and_allocated(project)
    started = project.state in STARTED_STATES or project.completed_on is not None
    capped = not (started and paid > 0) and score > NOT_EXCELLENT
    return {
        "results": results,
        "score": NOT_EXCELLENT if capped else score,
        "uncapped": score,
        "started": started,
        "paid": paid > 0,
    }


def _percent(value, field, label) -> Decimal | None:
    """A score or a percentage, 0 to 100 with at most two decimals; None when not given."""
    number = inputs.decimal_value(value, field, label, low=0, high=100, places=2)
    return None if number is None else number.quantize(Decimal("0.01"))


def _signed_points(value, field) -> Decimal:
    """Points up or down, at most two decimals: "-3.5", "2", or nothing (0)."""
    text = str(value if value is not None else "").strip()
    if not text:
        return Decimal("0.00")
    negative = text.startswith("-")
    magnitude = parse_amount(text.lstrip("+-"), field, allow_zero=True)
    return -magnitude if negative else magnitude


@transaction.atomic
def record_evaluation(
    actor,
    project: Project,
    *,
    year,
    satisfaction=None,
    score=None,
    adjustment=None,
    adjustment_reason="",
    indicators=None,
    comments="",
) -> Evaluation:
    """Record a project's performance evaluation for a year: the score is computed from the project's
    data; the evaluator may move it by at most MAX_ADJUSTMENT points with the reason, either by giving
    the adjustment or the score they arrive at. A project never started or never paid is never excellent."""
    require_role(actor, *WRITERS)
    project = Project.objects.select_for_update().get(pk=project.pk)
    satisfaction = _percent(satisfaction, "satisfaction", _("satisfaction"))
    given = _percent(score, "score", _("score"))
    if Evaluation.objects.filter(project=project, year=year).exists():
        raise DomainError(
            _("This project's evaluation for %(year)s is already recorded.") % {"year": year}, field="year"
        )
    computed = compute_evaluation(project, year, satisfaction)
    # The evaluator gives either the score they arrive at or the adjustment itself.
    adjusted_to = given - computed["score"] if given is not None else None
    adjustment = adjusted_to if adjusted_to is not None else _signed_points(adjustment, "adjustment")
    adjustment_reason = (adjustment_reason or "").strip()
    if abs(adjustment) > MAX_ADJUSTMENT:
        raise DomainError(
            _(
                "The data give %(computed)s points; an evaluator may adjust them by at most %(max)s points "
                "(asked: %(adjustment)s)."
            )
            % {"computed": computed["score"], "max": MAX_ADJUSTMENT, "adjustment": adjustment},
            field="score" if given is not None else "adjustment",
        )
    if adjustment and not adjustment_reason:
        raise DomainError(_("Give the reason for the adjustment."), field="adjustment_reason")
    final = computed["score"] + adjustment
    if not Decimal("0") <= final <= HUNDRED:
        raise DomainError(_("The score lies between 0 and 100."), field="score")
    if grade_for(final) == Grade.EXCELLENT and not (computed["started"] and computed["paid"]):
        raise DomainError(
            _("A project never started or never paid cannot be rated excellent."), field="score"
        )
    evaluation = Evaluation.objects.create(
        project=project,
        region_code=project.region_code,
        year=year,
        indicators={
            "results": computed["results"],
            "satisfaction": str(satisfaction or ""),
            "notes": indicators or {},
        },
        computed_score=computed["score"],
        adjustment=adjustment,
        adjustment_reason=adjustment_reason,
        score=final,
        grade=grade_for(final),
        comments=comments,
        created_by=actor,
    )
    audit.record(
        actor=actor,
        action="funds.evaluation.record",
        region_code=project.region_code,
        target=project,
        after={
            "year": year,
            "computed": computed["score"],
            "adjustment": adjustment,
            "score": final,
            "grade": evaluation.grade,
        },
        note=adjustment_reason,
    )
    return evaluation


def idle_allocations(allocations, region_code: str = "370828000000", on: date | None = None):
    """Allocations with money unpaid and no payment for more than the policy's days (资金闲置)."""
    on = on or clock.today()
    days = policy.value("idle_fund_days", region_code)
    cutoff = on - timedelta(days=days)
    return allocations.filter(reverses__isnull=True, paid__lt=F("net_amount")).filter(
        Q(last_paid_on__lt=cutoff) | Q(last_paid_on__isnull=True, allocated_on__lt=cutoff)
    )


def rate(paid, total) -> Decimal | None:
    if not total:
        return None
    return (Decimal(paid) / Decimal(total) * 100).quantize(Decimal("0.1"))
