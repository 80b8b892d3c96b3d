"""Dynamic changes of a household (births, deaths, marriages, moves, splits): one person requests,
another approves, and the approval applies the change (maker-checker)."""

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from fupin.core import audit, clock
from fupin.core.enums import Role
from fupin.core.errors import DomainError, TransitionRefused
from fupin.core.scope import require_role

from .. import rules
from ..enums import (
    ChangeKind,
    ChangeState,
)
from ..models import (
    ChangeRequest,
    Household,
    Member,
)
from .common import (
    OFFICERS,
    VILLAGE_AND_UP,
    _check_not_registered_elsewhere,
    _raise,
    _working_age_from,
    next_household_number,
)


# --- Dynamic changes (maker-checker) ---------------------------------------------------------------
@transaction.atomic
def request_change(
    actor,
    household: Household,
    kind: str,
    effective_on: date,
    member: Member | None = None,
    payload: dict | None = None,
) -> ChangeRequest:
    require_role(actor, *VILLAGE_AND_UP, Role.HELPER)
    if kind not in ChangeKind.values:
        raise DomainError(_("Unknown kind of change."), field="kind")
    payload = payload or {}
    needs_member = kind in (ChangeKind.DEATH, ChangeKind.MARRIAGE_OUT, ChangeKind.MOVE_OUT)
    if needs_member and (
        member is None or member.household_id != household.pk or not member.is_living_member
    ):
        raise DomainError(_("Choose a living member of this household."), field="member")
    if kind in (ChangeKind.BIRTH, ChangeKind.MARRIAGE_IN):
        problems = rules.Problems()
        cleaned = rules.clean_member(payload, "payload.", problems, None, _working_age_from(household))
        _check_not_registered_elsewhere(actor, [cleaned], problems)
        _raise(problems)
    if kind == ChangeKind.SPLIT:
        ids = set(payload.get("member_ids") or [])
        living = set(household.members.living().values_list("pk", flat=True))
        if not ids or not ids <= living or ids == living:
            raise DomainError(
                _("Choose some, not all, living members for the new household."), field="member_ids"
            )
    change = ChangeRequest.objects.create(
        household=household,
        kind=kind,
        member=member,
        payload=payload,
        effective_on=effective_on,
        requested_by=actor,
    )
    audit.record(
        actor=actor,
        action="change.request",
        region_code=household.region_code,
        target=household,
        after={"kind": kind, "member": member.name if member else None, "effective_on": effective_on},
    )
    return change


@transaction.atomic
def decide_change(actor, change: ChangeRequest, approve: bool, reason: str = "") -> ChangeRequest:
    """A town officer approves or rejects a change someone else requested; approval applies it."""
    require_role(actor, *OFFICERS)
    change = ChangeRequest.objects.select_for_update().get(pk=change.pk)
    if change.state != ChangeState.PENDING:
        raise TransitionRefused(_("This change was already decided."))
    if change.requested_by_id == actor.pk:
        raise TransitionRefused(_("A change is approved by someone other than who requested it."))
    if not approve and not (reason or "").strip():
        raise DomainError(_("Give the reason for rejecting."), field="reason")
    household = change.household
    if approve:
        _apply_change(actor, change)
    change.state = ChangeState.APPROVED if approve else ChangeState.REJECTED
    change.decided_by, change.decided_at, change.reason = actor, clock.now(), (reason or "").strip()
    change.save()
    audit.record(
        actor=actor,
        action="change.decide",
        region_code=household.region_code,
        target=household,
        after={"kind": change.kind, "state": change.state, "reason": change.reason},
    )
    return change


def _apply_change(actor, change: ChangeRequest) -> None:
    household = change.household
    if change.kind in (ChangeKind.BIRTH, ChangeKind.MARRIAGE_IN):
        problems = rules.Problems()
        cleaned = rules.clean_member(
            change.payload, "payload.", problems, None, _working_age_from(change.household)
        )
        _check_not_registered_elsewhere(actor, [cleaned], problems)
        _raise(problems)
        Member.objects.create(household=household, **cleaned)
    elif change.kind == ChangeKind.DEATH:
        Member.objects.filter(pk=change.member_id).update(deceased=True, deceased_on=change.effective_on)
    elif change.kind in (ChangeKind.MARRIAGE_OUT, ChangeKind.MOVE_OUT):
        Member.objects.filter(pk=change.member_id).update(left_household=True, left_on=change.effective_on)
    elif change.kind == ChangeKind.SPLIT:
        new = Household.objects.create(
            number=next_household_number(household.region_code),
            county_code=household.county_code,
            region_code=household.region_code,
            main_cause=household.main_cause,
            status=household.status,
            identified_year=household.identified_year,
        )
        Member.objects.filter(pk__in=change.payload["member_ids"]).update(household=new)
        new.head = new.members.order_by("birth_date").first()
        new.save(update_fields=["head"])
        audit.record(
            actor=actor,
            action="household.create",
            region_code=new.region_code,
            target=new,
            after={"split_from": household.number},
        )
    if household.head_id and not household.members.living().filter(pk=household.head_id).exists():
        household.head = household.members.living().order_by("birth_date").first()
        household.save(update_fields=["head"])
