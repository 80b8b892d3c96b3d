"""The rule owner's review of false alarms (误报复核): a warning dismissed as a false alarm is looked at by
the role that owns its rule (rules.Rule.owner), who confirms the dismissal or rejects it, with a note.
Rejected, the hold a dismissal puts on the subject is lifted: the next scan raises the warning afresh while
the condition lasts. The handling workflow (services.transition) is not touched."""

from django.db import transaction
from django.utils.translation import gettext as _

from fupin.core import access, audit, clock
from fupin.core.access import Action
from fupin.core.errors import DomainError, StateConflict

from .enums import REVIEWED, Review, State
from .models import Warning, WarningEvent
from .rules import RULES


def may_review(user, warning: Warning) -> bool:
    rule = RULES.get(warning.rule)
    return (
        rule is not None
        and access.may(user, Action.HANDLE_WARNING)
        and user.has_role(rule.owner)
        and warning.state == State.DISMISSED
        and not warning.review
    )


@transaction.atomic
def review_dismissal(actor, warning: Warning, decision: str, note: str = "") -> Warning:
    """Confirm or reject a false alarm. The caller fetched `warning` through `visible_to` (404 outside)."""
    access.require(actor, Action.HANDLE_WARNING)
    rule = RULES.get(warning.rule)
    if rule is None or not actor.has_role(rule.owner):
        raise access.refused()
    try:
        decision = Review(decision)
    except ValueError:
        raise DomainError(
            _("Decision: unknown value “%(value)s”.") % {"value": decision}, field="decision"
        ) from None
    note = (note or "").strip()
    if not note:
        raise DomainError(_("Give a note on the review of the false alarm."), field="note")
    warning = Warning.objects.select_for_update().get(pk=warning.pk)
    if warning.state != State.DISMISSED or warning.review:
        raise StateConflict(_("This warning is not a false alarm awaiting review."))
    today = clock.today()
    before = {"review": warning.review, "condition_cleared_on": warning.condition_cleared_on}
    warning.review, warning.review_note = decision, note
    warning.reviewed_by, warning.reviewed_on = actor, today
    if decision == Review.REJECTED:
        warning.condition_cleared_on = today  # no longer holds back a new warning of the same subject
    warning.save(
        update_fields=["review", "review_note", "reviewed_by", "reviewed_on", "condition_cleared_on"]
    )
    WarningEvent.objects.create(
        warning=warning,
        kind=REVIEWED,
        from_state=warning.state,
        to_state=warning.state,
        level=warning.level,
        note=f"{decision.label}：{note}",
        actor=actor,
    )
    audit.record(
        actor=actor,
        action="warnings.review",
        region_code=warning.region_code,
        target=warning,
        before=before,
        after={"review": decision.value, "condition_cleared_on": warning.condition_cleared_on},
        note=note,
    )
    return warning
