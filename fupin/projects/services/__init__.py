"""Writes of the project library, one module per topic: what they share (common.py), projects in reserve
(library.py), the lifecycle and its guards (lifecycle.py), the expert pool and reviews (reviews.py), the
implementation records (implementation.py) and the approved budget (budget.py). Each write is one audited
transaction; a refused write raises DomainError. Callers keep `from fupin.projects import services`: every
public name is here."""

from .budget import (
    committed,
    decide_budget_change,
    request_budget_change,
    require_within_budget,
)
from .common import (
    COUNTY,
    OFFICERS,
    PROJECT_FIELDS,
    TEXT_FIELDS,
)
from .implementation import (
    add_asset,
    add_procurement,
    record_acceptance,
    report_progress,
    save_plan,
)
from .library import (
    INDICATOR_MEASURES,
    clean_indicators,
    create_project,
    update_project,
)
from .lifecycle import (
    GUARDS,
    allowed_actions,
    latest_review,
    missing_for_library,
    plan_missing,
    start_blockers,
    transition,
)
from .reviews import (
    conclude_review,
    create_expert,
    draw,
    draw_experts,
    eligible_experts,
    replace_expert,
    set_expert_active,
    submit_score,
    visible_seats,
)

__all__ = [
    "COUNTY",
    "GUARDS",
    "INDICATOR_MEASURES",
    "OFFICERS",
    "PROJECT_FIELDS",
    "TEXT_FIELDS",
    "add_asset",
    "add_procurement",
    "allowed_actions",
    "clean_indicators",
    "committed",
    "conclude_review",
    "create_expert",
    "create_project",
    "decide_budget_change",
    "draw",
    "draw_experts",
    "eligible_experts",
    "latest_review",
    "missing_for_library",
    "plan_missing",
    "record_acceptance",
    "replace_expert",
    "report_progress",
    "request_budget_change",
    "require_within_budget",
    "save_plan",
    "set_expert_active",
    "start_blockers",
    "submit_score",
    "transition",
    "update_project",
    "visible_seats",
]
