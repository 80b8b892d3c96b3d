"""Urban management's grids and the duty rota: who is on shift in a grid at a given time."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fupin.core import audit
from fupin.core.enums import Role
from fupin.core.errors import DomainError
from fupin.core.models import Region, User
from fupin.core.scope import covers, require_role

from ..models import (
    Grid,
    Shift,
)


@transaction.atomic
def create_grid(actor, *, name: str, region: Region, area: str = "") -> Grid:
    require_role(actor, Role.COUNTY_ADMIN, Role.DISPATCHER)
    if not (name or "").strip():
        raise DomainError(_("The name is required."), field="name")
    if not covers(actor, region.code):
        raise DomainError(_("This area is outside yours."), field="region")
    grid = Grid.objects.create(name=name.strip(), region_code=region.code, area=(area or "").strip())
    audit.record(
        actor=actor, action="grid.create", region_code=region.code, target=grid, after={"name": grid.name}
    )
    return grid


@transaction.atomic
def add_shift(
    actor, *, grid: Grid, staff: User, start: datetime, end: datetime, duties: str, points: int = 0
) -> Shift:
    """A duty record with the five fixes. Staggered shifts are fine; one person in two places is not."""
    require_role(actor, Role.COUNTY_ADMIN, Role.DISPATCHER)
    if end <= start:
        raise DomainError(_("A shift ends after it starts."), field="end")
    if not staff.has_role(Role.GRID_STAFF):
        raise DomainError(_("%(name)s is not grid staff.") % {"name": staff}, field="staff")
    if not (duties or "").strip():
        raise DomainError(_("State the duties of the shift."), field="duties")
    User.objects.select_for_update().filter(pk=staff.pk).first()  # serialise shifts of one person
    clash = Shift.objects.filter(staff=staff, start__lt=end, end__gt=start).select_related("grid").first()
    if clash:
        raise DomainError(
            _("%(name)s is already on duty at %(grid)s from %(start)s to %(end)s.")
            % {
                "name": staff,
                "grid": clash.grid,
                "start": timezone.localtime(clash.start).strftime("%Y-%m-%d %H:%M"),
                "end": timezone.localtime(clash.end).strftime("%Y-%m-%d %H:%M"),
            },
            field="start",
        )
    shift = Shift.objects.create(
        grid=grid,
        staff=staff,
        start=start,
        end=end,
        duties=duties.strip(),
        points=points,
        region_code=grid.region_code,
    )
    audit.record(
        actor=actor,
        action="duty.create",
        region_code=grid.region_code,
        target=shift,
        after={"staff": staff.username, "grid": grid.name, "start": start, "end": end, "points": points},
    )
    return shift


def staff_on_shift(grid: Grid, at: datetime) -> User | None:
    shift = (
        Shift.objects.filter(grid=grid, start__lte=at, end__gt=at)
        .select_related("staff")
        .order_by("start")
        .first()
    )
    return shift.staff if shift else None
