"""Writes and rules of the income ledger. Each write is one audited transaction; a refused write raises
DomainError with a Chinese message naming the field, and nothing is written."""

import re
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from fupin.core import audit, clock, inputs
from fupin.core.errors import DomainError, TransitionRefused
from fupin.core.money import parse_amount
from fupin.core.scope import require_role
from fupin.employment.services import required_text
from fupin.projects.enums import ProjectState
from fupin.projects.models import Project

from .enums import WRITERS, PlanState, RevenueKind
from .models import Revenue

# --- The income ledger (收益台账) -------------------------------------------------------------------
# A project earns only once it stands: accepted on completion (竣工验收), handed over, or in operation.
EARNING_STATES = (ProjectState.ACCEPTED, ProjectState.HANDED_OVER, ProjectState.OPERATING)
PERIOD = re.compile(r"^(20\d\d)(-Q[1-4]|-(0[1-9]|1[0-2]))?$")


def _period(value) -> str:
    text = str(value or "").strip().upper()
    if not PERIOD.match(text):
        raise DomainError(
            _("Give the period as a year, a quarter or a month: 2019, 2019-Q2 or 2019-06."), field="period"
        )
    return text


def ensure_earning(project: Project) -> None:
    """Revenue before acceptance would be a figure the project cannot have earned yet."""
    if project.state not in EARNING_STATES:
        raise DomainError(
            _(
                "Revenue can be recorded only for a project that has been accepted on completion "
                "or is in operation; this project is: %(state)s."
            )
            % {"state": project.get_state_display()},
            field="project",
        )


@transaction.atomic
def record_revenue(actor, project: Project, *, period, kind, amount, received_on, evidence="") -> Revenue:
    """Append a revenue entry to the project's income ledger. Side effects: the row and its audit event."""
    require_role(actor, *WRITERS)
    ensure_earning(project)
    period = _period(period)
    if kind not in RevenueKind.values:
        raise DomainError(
            _("Choose rent, enterprise dividend, photovoltaic income or operating profit."), field="kind"
        )
    amount = parse_amount(amount)
    received_on = inputs.payment_date(received_on, "received_on", _("date received"))
    if received_on is None:
        raise DomainError(_("This field is required."), field="received_on")
    if received_on > clock.today():
        raise DomainError(_("The date lies in the future."), field="received_on")
    revenue = Revenue.objects.create(
        project=project,
        region_code=project.region_code,
        period=period,
        kind=kind,
        amount=amount,
        received_on=received_on,
        evidence=(evidence or "").strip(),
        created_by=actor,
    )
    audit.record(
        actor=actor,
        action="benefits.revenue.record",
        region_code=project.region_code,
        target=revenue,
        after=audit.snapshot(revenue, ["project_id", "period", "kind", "amount", "received_on", "evidence"]),
    )
    return revenue


@transaction.atomic
def reverse_revenue(actor, revenue: Revenue, *, reason) -> Revenue:
    """Correct a revenue entry by a reversing entry of the same amount, with a reason; once per entry."""
    require_role(actor, *WRITERS)
    reason = required_text(reason, "reason")
    revenue = Revenue.objects.select_for_update().get(pk=revenue.pk)
    if revenue.reverses_id is not None:
        raise TransitionRefused(_("A reversal cannot itself be reversed."), field="revenue_id")
    if Revenue.objects.filter(reverses=revenue).exists():
        raise TransitionRefused(_("This revenue entry was already reversed."), field="revenue_id")
    if revenue.distribution_plans.exclude(state=PlanState.CANCELLED).exists():
        raise TransitionRefused(
            _("The revenue entry has a distribution plan: cancel the plan before reversing the entry."),
            field="revenue_id",
        )
    entry = Revenue.objects.create(
        project_id=revenue.project_id,
        region_code=revenue.region_code,
        period=revenue.period,
        kind=revenue.kind,
        amount=-revenue.amount,
        received_on=clock.today(),
        evidence=revenue.evidence,
        reverses=revenue,
        reason=reason,
        created_by=actor,
    )
    audit.record(
        actor=actor,
        action="benefits.revenue.reverse",
        region_code=revenue.region_code,
        target=revenue,
        after={"reversal": entry.pk, "amount": entry.amount},
        note=reason,
    )
    return entry


def ledger_total(project: Project) -> Decimal:
    """The project's revenue after reversals."""
    return sum((r.amount for r in Revenue.objects.filter(project=project)), Decimal("0.00"))
