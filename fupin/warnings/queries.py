"""Reading warnings: the filters shared by the list page, its export and the API, the statistics and the
inbox counts."""

from django.db.models import Case, Count, F, IntegerField, Q, When
from django.urls import reverse
from django.utils.translation import gettext as _

from fupin.core import access, scope
from fupin.core.access import Kind
from fupin.core.errors import DomainError

from .enums import LEVEL_ORDER, OPEN_STATES, Level, State
from .models import Warning
from .rules import RULES


def _choice(value, allowed, field: str, label: str):
    if value in (None, ""):
        return None
    if value not in allowed:
        raise DomainError(
            _("%(label)s: unknown value “%(value)s”.") % {"label": label, "value": value}, field=field
        )
    return value


def filtered(user, *, region=None, rule=None, level=None, state=None):
    """The warnings this user reads, filtered; a bad filter is a DomainError naming its field."""
    warnings = Warning.objects.visible_to(user)
    prefix = scope.region_param(user, region) if region else None
    if prefix:
        warnings = warnings.within(prefix)
    if _choice(rule, RULES, "rule", _("Rule")):
        warnings = warnings.filter(rule=rule)
    if _choice(level, Level.values, "level", _("Level")):
        warnings = warnings.filter(level=level)
    if state == "open":
        warnings = warnings.filter(state__in=OPEN_STATES)
    elif _choice(state, State.values, "state", _("State")):
        warnings = warnings.filter(state=state)
    return warnings


def to_handle(user):
    """Open warnings this user may handle (their roles are among the rule's handlers); an escalated red
    warning is the county's too."""
    if not access.may(user, access.Action.HANDLE_WARNING):
        return Warning.objects.none()
    rules = [code for code, rule in RULES.items() if user.has_role(*rule.handlers)]
    return Warning.objects.visible_to(user).filter(state__in=OPEN_STATES, rule__in=rules)


def stats(user, region=None) -> dict:
    warnings = filtered(user, region=region)
    open_ = warnings.filter(state__in=OPEN_STATES)
    by_level = {level: 0 for level in Level.values}
    by_level.update(dict(open_.values_list("level").annotate(n=Count("id")).order_by()))
    by_rule = dict(open_.values_list("rule").annotate(n=Count("id")).order_by())
    towns: dict[str, int] = {}
    for code, n in open_.values_list("region_code").annotate(n=Count("id")).order_by():
        town = code[:9].ljust(12, "0")
        towns[town] = towns.get(town, 0) + n
    closed = warnings.filter(state__in=[State.DONE, State.DISMISSED, State.CLEARED]).aggregate(
        n=Count("id"), escalated=Count("id", filter=Q(escalated_on__isnull=False))
    )
    return {
        "open": open_.count(),
        "by_level": by_level,
        "by_rule": {code: by_rule.get(code, 0) for code in RULES},
        "by_town": towns,
        "closed": closed["n"],
        "escalated": warnings.filter(escalated_on__isnull=False, state__in=OPEN_STATES).count(),
    }


def readable(user) -> bool:
    return access.can_read(user, Kind.WARNINGS)


def most_urgent_first(warnings):
    """Escalated first, then red, orange, yellow, then the oldest."""
    rank = Case(
        *[When(level=level, then=i) for i, level in enumerate(LEVEL_ORDER)], output_field=IntegerField()
    )
    return warnings.annotate(rank=rank).order_by(
        F("escalated_on").desc(nulls_last=True), "-rank", "raised_on", "id"
    )


def waiting_elsewhere(user) -> list[tuple[str, int, str]]:
    """Counts of what already waits for the user in other modules (label, count, URL), the cheap ones:
    problems assigned to them and still open."""
    from fupin.supervision.models import Problem

    found = []
    if access.can_read(user, Kind.INSPECTION) or access.can_read(user, Kind.URBAN):
        n = Problem.objects.visible_to(user).open().filter(responsible=user).count()
        found.append((_("Problems assigned to me"), n, reverse("supervision:problems")))
    return found
