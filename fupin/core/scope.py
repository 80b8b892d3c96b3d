"""Data scope, enforced in one place.

Every scoped row stores the 12-digit code of its village or town. A user sees the rows whose code starts
with the prefix of the user's region. Because all codes have 12 digits, "starts with P" is the same as
"lies between P000… and P999…", a range that a plain B-tree index answers on SQLite and PostgreSQL alike
(a LIKE 'P%' would need a pattern-ops index on PostgreSQL and a NOCASE column on SQLite).

Objects outside a user's scope are answered with 404, never 403, so that nobody can probe which ids
exist elsewhere (DESIGN.md §1). 403 is for actions inside the scope that the user's roles do not allow.
"""

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from django.utils.translation import gettext as _


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

    def visible_to(self, user):
        """Rows this user may see. Apps narrow this further for roles such as experts."""
        prefix = getattr(user, "scope_prefix", None) if user.is_authenticated else None
        if prefix is None:
            return self.none()
        return self.within(prefix)


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
