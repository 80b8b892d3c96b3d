"""Helpers (帮扶责任人): the town pairs them with households and ends the pairs; the history stays."""

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from fupin.core import access, audit, clock, inputs, scope
from fupin.core.access import Action
from fupin.core.enums import Role
from fupin.core.errors import DomainError

from ..enums import (
    Status,
)
from ..models import (
    HelperPair,
    Household,
    Member,
)
from .common import _locked


@transaction.atomic
def pair_helper(actor, household: Household, helper, start: date | None = None) -> HelperPair:
    """结对帮扶: the town pairs a helper with a household from `start` (today by default)."""
    access.require(actor, Action.APPROVE_REGISTRY)
    today = clock.today()
    start = inputs.date_value(start, "start", _("Paired from")) or today
    if start > today:
        raise DomainError(_("Paired from: %(day)s is in the future.") % {"day": start}, field="start")
    if helper is None or not helper.has_role(Role.HELPER):
        raise DomainError(_("%(name)s does not hold the helper role.") % {"name": helper}, field="helper")
    if not scope.covers(helper, household.region_code):
        raise DomainError(
            _("%(name)s works outside this household's area.") % {"name": helper}, field="helper"
        )
    if (
        helper.phone
        and Member.objects.living()
        .filter(phone=helper.phone, household__status__in=[Status.NOT_LIFTED, Status.RELAPSED])
        .exists()
    ):
        raise DomainError(
            _("%(name)s is registered as poor and cannot be a helper.") % {"name": helper}, field="helper"
        )
    household = _locked(household)
    if HelperPair.objects.filter(household=household, helper=helper, end__isnull=True).exists():
        raise DomainError(_("%(name)s already helps this household.") % {"name": helper}, field="helper")
    pair = HelperPair.objects.create(household=household, helper=helper, start=start)
    audit.record(
        actor=actor,
        action="helper.assign",
        region_code=household.region_code,
        target=household,
        after={"helper": helper.username, "start": start},
    )
    return pair


def helpers_for(household: Household):
    """Users the town can pair with this household: active helpers whose area covers it."""
    from fupin.core.models import User

    prefixes = {household.region_code[:n].ljust(12, "0") for n in (6, 9, 12)}
    return User.objects.filter(is_active=True, region_id__in=prefixes, roles__code=Role.HELPER).order_by(
        "username"
    )


@transaction.atomic
def end_pair(actor, pair: HelperPair, end: date | None = None, reason: str = "") -> HelperPair:
    """The town ends a pairing on a date (no later than today, not before it began); the history stays."""
    access.require(actor, Action.APPROVE_REGISTRY)
    pair = HelperPair.objects.select_for_update().select_related("household", "helper").get(pk=pair.pk)
    if pair.end is not None:
        raise DomainError(_("This pairing already ended on %(day)s.") % {"day": pair.end}, field="end")
    today = clock.today()
    end = inputs.date_value(end, "end", _("Paired until")) or today
    if end > today or end < pair.start:
        raise DomainError(
            _("Paired until: enter a day from %(start)s to %(today)s.")
            % {"start": pair.start, "today": today},
            field="end",
        )
    reason = inputs.check_text(str(reason or "").strip(), "reason", _("Reason"), 200)
    pair.end = end
    pair.save(update_fields=["end"])
    audit.record(
        actor=actor,
        action="helper.unassign",
        region_code=pair.household.region_code,
        target=pair.household,
        before={"helper": pair.helper.username, "start": pair.start},
        after={"helper": pair.helper.username, "end": end, "reason": reason},
    )
    return pair
