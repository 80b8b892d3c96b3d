"""Data scope, enforced in one place.

Every scoped row stores the 12-digit code of its village or town. A user sees the rows whose code starts
with the prefix of the user's region. Because all codes have 12 digits, "starts with P" is the same as
"lies between P000… and P999…", a range that a plain B-tree index answers on SQLite and PostgreSQL alike
(a LIKE 'P%' would need a pattern-ops index on PostgreSQL and a NOCASE column on SQLite).

Objects outside a user's scope are answered with 404, never 403, so that nobody can probe which ids
exist elsewhere (DESIGN.md §1). 403 is for actions inside the scope that the user's roles do not allow.
"""

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from django.utils.translation import gettext as _

from . import access
from .errors import DomainError


def code_range(prefix: str) -> tuple[str, str]:
    return prefix.ljust(12, "0"), prefix.ljust(12, "9")


def prefix_of(code: str) -> str:
    """The prefix a full 12-digit code stands for: 370828107000 → 370828107, 370828107200 → itself."""
    for length in (2, 4, 6, 9):
        if set(code[length:]) == {"0"}:
            return code[:length]
    return code


class RegionScopedQuerySet(models.QuerySet):
    """Base queryset for every model that carries a region code."""

    region_field = "region_code"

    def within(self, prefix: str):
        return self.filter(**{f"{self.region_field}__range": code_range(prefix)})

    def area(self, prefix: str):
        """The rows a user of region `prefix` may see by place; a county-wide catalogue adds its own."""
        return self.within(prefix)

    def visible_to(self, user):
        """Rows this user may see: inside their region, and of a kind their roles read (`core.access`;
        the model's `access_kind` names the kind, its queryset's `only_<rule>` methods the limited rows)."""
        prefix = getattr(user, "scope_prefix", None) if user.is_authenticated else None
        if prefix is None:
            return self.none()
        return access.visible(user, self.area(prefix))


def covers(user, code: str) -> bool:
    """Does `code` (a 12-digit code or a prefix) lie inside the user's area?"""
    prefix = getattr(user, "scope_prefix", None) if user is not None and user.is_authenticated else None
    return prefix is not None and bool(code) and str(code).startswith(prefix)


def area_of(user) -> str:
    """The prefix of the user's area; a user without one (inactive, no region) finds nothing: 404."""
    prefix = getattr(user, "scope_prefix", None) if user is not None and user.is_authenticated else None
    if prefix is None:
        raise Http404(_("Not found, or outside your area."))
    return prefix


def region_param(user, value) -> str:
    """The prefix a `region` filter (query parameter or form field) asks for, inside the user's area.

    Empty: the user's whole area. Malformed: DomainError on the field `region` (400). Outside the area, or
    a code no region has: 404, as for any object there. Every page, API route and export reads its region
    filter through here, so that all answer the same."""
    # Looked up by name: core.models builds its querysets on this module.
    Region = apps.get_model("core", "Region")
    scope = area_of(user)
    value = str(value or "").strip()
    if not value:
        return scope
    if not value.isdigit() or len(value) not in (6, 9, 12):
        raise DomainError(
            _("Give the region as its 6-, 9- or 12-digit code, e.g. 370828107."), field="region"
        )
    code = value.ljust(12, "0")
    prefix = prefix_of(code)
    if not prefix.startswith(scope) or not Region.objects.filter(code=code).exists():
        raise Http404(_("Not found, or outside your area."))
    return prefix


def code_within(prefix: str | None, code: str) -> bool:
    """Does `code` lie inside the area of `prefix`? No prefix: nowhere."""
    return bool(prefix) and str(code or "").startswith(prefix)


def within_lookup(prefix: str, field: str = "region_code") -> dict:
    """The filter keyword for rows whose `field` (a 12-digit code, maybe across a relation) lies inside
    `prefix`: for querysets that are not region-scoped themselves (figures over related rows)."""
    return {f"{field}__range": code_range(prefix)}


def within_any(prefixes) -> models.Q:
    """Rows of any of these areas (a Q over `region_code`)."""
    condition = models.Q(pk__in=[])
    for prefix in prefixes:
        condition |= models.Q(**within_lookup(prefix))
    return condition


def town_area(user) -> str | None:
    """The user's area widened from a village to its town (a village cadre places the village's people on
    the town's posts too); None for a user with no area."""
    prefix = getattr(user, "scope_prefix", None) if user is not None and user.is_authenticated else None
    return town_of(prefix) if prefix and len(prefix) > 9 else prefix


def county_code(code: str) -> str:
    """The 12-digit code of the county a code or prefix lies in."""
    return str(code)[:6].ljust(12, "0")


def county_of(code: str) -> str:
    """The 6-digit prefix of the county a code lies in."""
    return str(code)[:6]


def town_of(code: str) -> str:
    """The 9-digit prefix of the town (or street) a code lies in."""
    return str(code)[:9]


class RegionQuerySet(RegionScopedQuerySet):
    region_field = "code"


def get_visible_or_404(queryset, user, **lookup):
    """Fetch one object inside the user's scope; anything else, existing or not, is 404."""
    if isinstance(queryset, type) and issubclass(queryset, models.Model):
        queryset = queryset.objects.all()
    try:
        return queryset.visible_to(user).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("Not found, or outside your area.")) from exc


def require_role(user, *roles: str) -> None:
    """Refuse (403) an action the user's roles do not allow."""
    if not (user.is_authenticated and user.has_role(*roles)):
        raise PermissionDenied(_("Your role does not allow this action."))
