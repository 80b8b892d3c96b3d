"""Writes of the registry, one module per topic: what they share (common.py), households and members
(households.py), the entry and exit gates (gates.py), helpers' pairs (helpers.py), visits (visits.py), dynamic
changes (changes.py) and monitoring against relapse (monitoring.py). One function per write; each checks its
guard, writes, and audits, atomically. Callers keep `from fupin.registry import services`: every public
name is here."""

from .changes import (
    decide_change,
    request_change,
)
from .common import (
    HOUSEHOLD_FIELDS,
    MEMBER_FIELDS,
    OFFICERS,
    OUT_OF_ORDER,
    VILLAGE_AND_UP,
    already_registered_messages,
    household_snapshot,
    next_household_number,
)
from .gates import (
    APPROVAL_STEPS,
    GATES,
    HOUSEHOLD_GATES,
    STEP_ROLES,
    entry_income_check,
    exit_blockers,
    next_step,
    raise_objection,
    resolve_objection,
    start_exit,
    take_step,
)
from .helpers import (
    end_pair,
    helpers_for,
    pair_helper,
)
from .households import (
    EDITABLE_MEMBER_FIELDS,
    attach_sizes,
    change_household,
    confirm_warnings,
    create_household,
    reveal_id_number,
    set_income,
    update_household,
    update_members,
)
from .monitoring import (
    IDENTIFICATION,
    MONITORING_APPROVALS,
    MONITORING_STEP_ROLES,
    add_measure,
    clear_risk,
    clearing_blockers,
    identify_monitoring,
    monitor_new_household,
    monitoring_candidates,
    monitoring_step,
    next_monitoring_step,
    open_monitoring,
)
from .visits import (
    not_visited,
    record_visit,
)

__all__ = [
    "APPROVAL_STEPS",
    "EDITABLE_MEMBER_FIELDS",
    "GATES",
    "HOUSEHOLD_FIELDS",
    "HOUSEHOLD_GATES",
    "IDENTIFICATION",
    "MEMBER_FIELDS",
    "MONITORING_APPROVALS",
    "MONITORING_STEP_ROLES",
    "OFFICERS",
    "OUT_OF_ORDER",
    "STEP_ROLES",
    "VILLAGE_AND_UP",
    "add_measure",
    "already_registered_messages",
    "attach_sizes",
    "change_household",
    "clear_risk",
    "clearing_blockers",
    "confirm_warnings",
    "create_household",
    "decide_change",
    "end_pair",
    "entry_income_check",
    "exit_blockers",
    "helpers_for",
    "household_snapshot",
    "identify_monitoring",
    "monitor_new_household",
    "monitoring_candidates",
    "monitoring_step",
    "next_household_number",
    "next_monitoring_step",
    "next_step",
    "not_visited",
    "open_monitoring",
    "pair_helper",
    "raise_objection",
    "record_visit",
    "request_change",
    "resolve_objection",
    "reveal_id_number",
    "set_income",
    "start_exit",
    "take_step",
    "update_household",
    "update_members",
]
