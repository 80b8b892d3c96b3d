"""Writes of the warning module: the scan (raise, re-grade, clear, escalate) and a person's transitions.
Each is one atomic function that records its audit events."""

from dataclasses import dataclass, field
from datetime import date
from functools import wraps

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from fupin.core import audit, clock, workdays
from fupin.core.enums import RegionLevel
from fupin.core.models import Region
from fupin.core.transitions import Step

from . import webhooks
from .enums import (
    CLEARED,
    ESCALATED,
    ESCALATION_WORKING_DAYS,
    HANDLED_STATES,
    LEVEL_CHANGED,
    OPEN_STATES,
    RAISED,
    RANK,
    Level,
    State,
    Transition,
)
from .models import Warning, WarningEvent
from .rules import RULES
from .workflow import WARNINGS


@dataclass
class ScanResult:
    raised: int = 0
    changed: int = 0
    cleared: int = 0
    escalated: int = 0
    by_rule: dict = field(default_factory=dict)

    @property
    def writes(self) -> int:
        return self.raised + self.changed + self.cleared + self.escalated


def counties() -> list[str]:
    return list(Region.objects.filter(level=RegionLevel.COUNTY).values_list("code", flat=True))


def _snapshot(w: Warning) -> dict:
    return {"rule": w.rule, "level": w.level, "state": w.state}


def _event(w: Warning, kind: str, *, from_state="", note="", actor=None) -> WarningEvent:
    return WarningEvent(
        warning=w, kind=kind, from_state=from_state, to_state=w.state, level=w.level, note=note, actor=actor
    )


def _in_the_county_language(scan_function):
    """A warning's message is stored as text: written in the platform's language whoever runs the scan (a
    command, the worker, a request in English)."""

    @wraps(scan_function)
    def scan_in_language(*args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            return scan_function(*args, **kwargs)

    return scan_in_language


@_in_the_county_language
@transaction.atomic
def scan_county(county_code: str, today: date | None = None) -> ScanResult:
    """Evaluate every rule for one county and bring its warnings in line with the data. Idempotent: with
    no change in the data a second scan writes nothing."""
    today = today or clock.today()
    prefix = county_code[:6]
    result = ScanResult()
    # Only the warnings a scan can touch: the open ones, and those a person closed that still hold back a new
    # one. The closed history (most rows after a few years) stays in the database.
    existing = list(
        Warning.objects.within(prefix).filter(
            Q(state__in=OPEN_STATES) | Q(state__in=HANDLED_STATES, condition_cleared_on__isnull=True),
            rule__in=list(RULES),
        )
    )
    open_by_key = {(w.rule, w.subject_id): w for w in existing if w.state in OPEN_STATES}
    # A warning a person closed holds back a new one while the condition lasts, unless it gets worse.
    handled_by_key: dict[tuple, Warning] = {}
    for w in existing:
        if w.state in HANDLED_STATES and w.condition_cleared_on is None:
            handled_by_key[(w.rule, w.subject_id)] = w
    new, changed, closed, handled_cleared, events, entries = [], [], [], [], [], []
    for rule in RULES.values():
        thresholds = rule.thresholds(prefix, today.year)
        met: set[int] = set()
        for finding in rule.evaluate(prefix, today):
            level = rule.level_of(finding.measure, thresholds)
            if level is None:
                continue
            key = (rule.code, finding.subject_id)
            met.add(finding.subject_id)
            current = open_by_key.get(key)
            if current is not None:
                if current.level != level:
                    before = _snapshot(current)
                    current.level, current.message, current.updated_on = level, finding.message, today
                    changed.append((current, before))
                continue
            held = handled_by_key.get(key)
            if held is not None and RANK[level] <= RANK[held.level]:
                continue
            new.append(
                Warning(
                    rule=rule.code,
                    level=level,
                    state=State.PENDING,
                    subject_type=rule.subject_type,
                    subject_id=finding.subject_id,
                    subject_repr=finding.subject_repr[:200],
                    region_code=finding.region_code,
                    message=finding.message[:300],
                    raised_on=today,
                    updated_on=today,
                )
            )
        result.by_rule[rule.code] = len(met)
        for (code, subject_id), w in open_by_key.items():
            if code == rule.code and subject_id not in met:
                before = _snapshot(w)
                w.state, w.closed_on, w.updated_on = State.CLEARED, today, today
                w.close_reason = _("Condition cleared")
                closed.append((w, before))
        for (code, subject_id), w in handled_by_key.items():
            if code == rule.code and subject_id not in met:
                w.condition_cleared_on = today
                handled_cleared.append(w)

    Warning.objects.bulk_create(new, batch_size=1000)
    if changed:
        Warning.objects.bulk_update(
            [w for w, _b in changed], ["level", "message", "updated_on"], batch_size=1000
        )
    if closed:
        Warning.objects.bulk_update(
            [w for w, _b in closed], ["state", "closed_on", "updated_on", "close_reason"], batch_size=1000
        )
    if handled_cleared:
        Warning.objects.bulk_update(handled_cleared, ["condition_cleared_on"], batch_size=1000)
    for w in new:
        events.append(_event(w, RAISED))
        entries.append(_entry("warnings.raised", w, None))
    for w, before in changed:
        events.append(_event(w, LEVEL_CHANGED, from_state=w.state))
        entries.append(_entry("warnings.level", w, before))
    for w, before in closed:
        events.append(_event(w, CLEARED, from_state=before["state"], note=w.close_reason))
        entries.append(_entry("warnings.cleared", w, before))
    escalated = _escalate(prefix, today)
    for w in escalated:
        events.append(_event(w, ESCALATED, from_state=w.state))
        entries.append(_entry("warnings.escalated", w, None))
    WarningEvent.objects.bulk_create(events, batch_size=1000)
    if entries:
        audit.record_many(entries)
    webhooks.queue(
        county_code,
        [(webhooks.RAISED, w) for w in new]
        + [(webhooks.ESCALATED, w) for w, before in changed if RANK[w.level] > RANK[before["level"]]]
        + [(webhooks.ESCALATED, w) for w in escalated]
        + [(webhooks.CLOSED, w) for w, _before in closed],
    )
    result.raised, result.changed, result.cleared, result.escalated = (
        len(new),
        len(changed),
        len(closed),
        len(escalated),
    )
    return result


def _entry(action: str, w: Warning, before: dict | None) -> dict:
    return {
        "actor": None,
        "action": action,
        "region_code": w.region_code,
        "target": w,
        "before": before,
        "after": {**_snapshot(w), "message": w.message},
    }


def escalation_due(raised_on: date) -> date:
    """The day after which an unacknowledged red warning goes up to the county."""
    return workdays.add_working_days(raised_on, ESCALATION_WORKING_DAYS)


def _escalate(prefix: str, today: date) -> list[Warning]:
    """Red warnings still awaiting acknowledgement after 2 working days go up to the county (visibly: the
    warning is marked, and it shows in the county's inbox)."""
    due = [
        w
        for w in Warning.objects.within(prefix).filter(
            state=State.PENDING, level=Level.RED, escalated_on__isnull=True
        )
        if today > escalation_due(w.raised_on)
    ]
    for w in due:
        w.escalated_on = today
    if due:
        Warning.objects.bulk_update(due, ["escalated_on"])
    return due


def scan(county_code: str | None = None, today: date | None = None) -> dict[str, ScanResult]:
    codes = [county_code.ljust(12, "0")] if county_code else counties()
    return {code[:6]: scan_county(code, today) for code in codes}


# --- A person's handling --------------------------------------------------------------------------------
def allowed_transitions(user, warning: Warning) -> list[Step]:
    """The steps this user may take on the warning now (workflow.WARNINGS): the page's buttons."""
    return WARNINGS.allowed(user, warning)


@transaction.atomic
def transition(actor, warning: Warning, action: str, note: str = "") -> Warning:
    """Move a warning one step (签收, 核实, 办结, 误报) by a handler of its rule in its area. The caller has
    fetched `warning` through `visible_to` (outside the area is 404)."""
    warning = Warning.objects.select_for_update().get(pk=warning.pk)
    step = WARNINGS.check(actor, warning, action, reason=note)
    note = (note or "").strip()
    before = _snapshot(warning)
    today = clock.today()
    to_state = step.target
    warning.state, warning.updated_on = to_state, today
    if step.action == Transition.ACKNOWLEDGE:
        warning.acknowledged_on = today
    if to_state not in OPEN_STATES:
        warning.closed_on, warning.close_reason = today, note
    warning.save(update_fields=["state", "updated_on", "acknowledged_on", "closed_on", "close_reason"])
    WarningEvent.objects.create(
        warning=warning,
        kind=step.action,
        from_state=before["state"],
        to_state=to_state,
        level=warning.level,
        note=note,
        actor=actor,
    )
    audit.record(
        actor=actor,
        action="warnings.transition",
        region_code=warning.region_code,
        target=warning,
        before=before,
        after={**_snapshot(warning), "action": step.action},
        note=note,
    )
    return warning


# --- The count in the page header ------------------------------------------------------------------------
INBOX_COUNT = "warnings_inbox_count"


def refresh_inbox_count(request, count: int | None = None, user=None) -> None:
    """Keep the number of things to do (warnings to handle and what waits elsewhere) in the session, so that
    the header shows it without a query on every page: counted at login, on the inbox and after each
    handling."""
    from .inbox import total_elsewhere
    from .queries import to_handle

    user = user or request.user
    if count is None:
        count = to_handle(user).count() + total_elsewhere(user)
    request.session[INBOX_COUNT] = count
