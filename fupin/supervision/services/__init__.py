"""Writes of supervision, one module per topic: campaigns and their checks (campaigns.py), the problem
ledger's transitions and escalation (problems.py), grids and the duty rota (grids.py), complaints
(complaints.py). One function per write; each checks its guard, writes, and records the timeline event and
the audit event. Callers keep `from fupin.supervision import services`: every public name is here."""

from .campaigns import (
    INSPECTORS,
    SUBJECT_SOURCES,
    create_campaign,
    progress,
    record_check,
    subjects_in_scope,
)
from .complaints import (
    CODE_ALPHABET,
    COMPLAINTS_PER_ADDRESS,
    COMPLAINTS_PER_PHONE,
    accept_complaint,
    answer_complaint,
    dismiss_complaint,
    receive_complaint,
    record_complaint,
)
from .grids import (
    add_shift,
    create_grid,
    staff_on_shift,
)
from .problems import (
    ESCALATION_CHUNK,
    check_evidence,
    default_deadline,
    escalate,
    escalation_for,
    open_problem,
    transition,
)

__all__ = [
    "CODE_ALPHABET",
    "COMPLAINTS_PER_ADDRESS",
    "COMPLAINTS_PER_PHONE",
    "ESCALATION_CHUNK",
    "INSPECTORS",
    "SUBJECT_SOURCES",
    "accept_complaint",
    "add_shift",
    "answer_complaint",
    "check_evidence",
    "create_campaign",
    "create_grid",
    "default_deadline",
    "dismiss_complaint",
    "escalate",
    "escalation_for",
    "open_problem",
    "progress",
    "receive_complaint",
    "record_complaint",
    "record_check",
    "staff_on_shift",
    "subjects_in_scope",
    "transition",
]
