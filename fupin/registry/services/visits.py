"""Monthly visits (每月走访) and the households not visited this month."""

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from fupin.core import audit, clock, inputs, uploads
from fupin.core.errors import DomainError

from ..enums import (
    Status,
)
from ..models import (
    HelperPair,
    Household,
    Visit,
    VisitPhoto,
)
from .common import VILLAGE_AND_UP


@transaction.atomic
def record_visit(
    actor,
    household: Household,
    *,
    visited_on: date,
    findings: str,
    help_given: str = "",
    latitude=None,
    longitude=None,
    photos=(),
    today: date | None = None,
) -> Visit:
    """A monthly visit (每月走访) by a paired helper, or by a village or town cadre."""
    today = today or clock.today()
    paired = HelperPair.objects.filter(household=household, helper=actor, end__isnull=True).exists()
    if not paired and not actor.has_role(*VILLAGE_AND_UP):
        raise DomainError(_("Only the household's helpers and cadres record its visits."), field="helper")
    if visited_on > today:
        raise DomainError(_("The visit date cannot be in the future."), field="visited_on")
    if visited_on < today - timedelta(days=62):
        raise DomainError(_("Record a visit within two months of it."), field="visited_on")
    if not (findings or "").strip():
        raise DomainError(_("Write down what you found."), field="findings")
    latitude = inputs.coordinate(latitude, "latitude", _("latitude"), latitude=True)
    longitude = inputs.coordinate(longitude, "longitude", _("longitude"), latitude=False)
    if (latitude is None) != (longitude is None):
        raise DomainError(_("Give both latitude and longitude, or neither."), field="latitude")
    checked = [
        uploads.checked_file(photo, uploads.VISIT_PHOTO, field="photos", label=_("Photos"))
        for photo in photos
    ]
    visit = Visit.objects.create(
        household=household,
        helper=actor,
        visited_on=visited_on,
        findings=findings.strip(),
        help_given=(help_given or "").strip(),
        latitude=latitude,
        longitude=longitude,
    )
    for stored, found in checked:
        VisitPhoto.objects.create(visit=visit, image=stored, content_type=found.kind.content_type)
    audit.record(
        actor=actor,
        action="visit.create",
        region_code=household.region_code,
        target=household,
        after={"visited_on": visited_on, "findings": visit.findings, "photos": len(checked)},
    )
    return visit


def not_visited(prefix: str, month: date):
    """Registered households of the area with no visit in the month of `month` (本月未走访).

    NOT EXISTS per household uses the (household, visited_on) index, so the cost follows the town's
    households, not the county's visits.
    """
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    visited = Visit.objects.filter(household=OuterRef("pk"), visited_on__gte=first, visited_on__lt=following)
    return (
        Household.objects.within(prefix)
        .filter(status__in=[Status.NOT_LIFTED, Status.LIFTED_WITH_POLICY, Status.RELAPSED])
        .filter(~Exists(visited))
        .select_related("head")
    )
