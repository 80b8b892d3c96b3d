"""The approved budget and its changes: requested by one person, approved by another, never below what is
allocated, contracted or registered."""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from fupin.core import access, audit, clock
from fupin.core.access import Action
from fupin.core.duties import ensure_different_person
from fupin.core.errors import DomainError, TransitionRefused
from fupin.core.money import parse_amount

from .. import funding
from ..enums import (
    LIBRARY_STATES,
    BudgetChangeState,
)
from ..models import (
    BudgetChange,
    Project,
)
from .common import _require_state


# --- The approved budget and its changes ----------------------------------------------------------
def require_within_budget(project: Project, total, what, *, field: str = "amount") -> None:
    """Refuse a total (contracts, assets, allocations) above the project's approved budget: more money
    goes through a budget change approved by a second person (request_budget_change)."""
    if total > project.budget:
        raise DomainError(
            _(
                "%(what)s would come to %(total)s yuan, above the project's approved budget of %(budget)s "
                "yuan; request a budget change first."
            )
            % {"what": what, "total": total, "budget": project.budget},
            field=field,
            code="over_budget",
        )


def committed(project: Project) -> Decimal:
    """The largest of what is allocated, contracted and registered: a budget may not go below it."""
    contracted = sum(project.procurements.values_list("amount", flat=True), Decimal("0.00"))
    assets = sum(project.assets.values_list("value", flat=True), Decimal("0.00"))
    return max(funding.allocated_total(project), contracted, assets)


def _require_not_below_committed(project: Project, new_budget) -> None:
    floor = committed(project)
    if new_budget < floor:
        raise DomainError(
            _("The budget cannot go below the %(floor)s yuan already allocated, contracted or registered.")
            % {"floor": floor},
            field="new_budget",
        )


@transaction.atomic
def request_budget_change(actor, project: Project, *, new_budget, reason) -> BudgetChange:
    """Ask for a new approved budget (预算调整) of a project in the library or beyond."""
    access.require(actor, Action.EDIT_PROJECT)
    project = _require_state(project, LIBRARY_STATES, _("A budget change"))
    new_budget = parse_amount(new_budget, "new_budget")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason."), field="reason")
    if new_budget == project.budget:
        raise DomainError(_("The new budget is the budget the project already has."), field="new_budget")
    _require_not_below_committed(project, new_budget)
    if project.budget_changes.filter(state=BudgetChangeState.REQUESTED).exists():
        raise TransitionRefused(_("A budget change of this project awaits its decision."), field="new_budget")
    change = BudgetChange.objects.create(
        project=project,
        region_code=project.region_code,
        old_budget=project.budget,
        new_budget=new_budget,
        reason=reason,
        requested_by=actor,
        requested_at=clock.now(),
    )
    audit.record(
        actor=actor,
        action="projects.budget.request",
        region_code=project.region_code,
        target=project,
        after={"change": change.pk, "old_budget": project.budget, "new_budget": new_budget},
        note=reason,
    )
    return change


@transaction.atomic
def decide_budget_change(actor, change: BudgetChange, *, approve: bool, note: str = "") -> BudgetChange:
    """The county approves or refuses a budget change; never the person who asked for it."""
    access.require(actor, Action.DECIDE_PROJECT)
    change = BudgetChange.objects.select_for_update().get(pk=change.pk)
    project = Project.objects.select_for_update().get(pk=change.project_id)
    if change.state != BudgetChangeState.REQUESTED:
        raise TransitionRefused(_("This budget change is already decided."), field="state")
    ensure_different_person(
        actor, change.requested_by_id, _("who requested a budget change may not also approve it")
    )
    note = (note or "").strip()
    if not approve and not note:
        raise DomainError(_("Give the reason."), field="note")
    before = {"budget": project.budget}
    if approve:
        _require_not_below_committed(project, change.new_budget)
        project.budget = change.new_budget
        project.save(update_fields=["budget"])
    change.state = BudgetChangeState.APPROVED if approve else BudgetChangeState.REFUSED
    change.decided_by, change.decided_at, change.decision_note = actor, clock.now(), note
    change.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    audit.record(
        actor=actor,
        action="projects.budget.approve" if approve else "projects.budget.refuse",
        region_code=project.region_code,
        target=project,
        before=before,
        after={"change": change.pk, "budget": project.budget},
        note=note,
    )
    return change
